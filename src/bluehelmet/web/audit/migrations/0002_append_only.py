"""The access log refuses UPDATE, DELETE and TRUNCATE, whoever asks (except a superuser who
drops the trigger: the grants in :func:`bluehelmet.web.dbsetup.grant_app_role` keep the
application role from doing that).
"""

from django.db import migrations

TABLE = "audit_accesslog"
FORWARD = [
    """CREATE FUNCTION audit_accesslog_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the access log is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END $$""",
    f"""CREATE TRIGGER append_only_rows BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_accesslog_append_only()""",
    f"""CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION audit_accesslog_append_only()""",
]
REVERSE = [
    f"DROP TRIGGER append_only_truncate ON {TABLE}",
    f"DROP TRIGGER append_only_rows ON {TABLE}",
    "DROP FUNCTION audit_accesslog_append_only()",
]


class Migration(migrations.Migration):
    """Append-only triggers on the access log."""

    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunSQL(FORWARD, REVERSE)]
