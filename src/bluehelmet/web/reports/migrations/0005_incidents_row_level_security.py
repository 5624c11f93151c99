"""Need-to-know on incidents, their history and their links; triage history append-only.

Incidents, their pghistory events and triage actions carry their own marking and get the one
need-to-know policy (:func:`bluehelmet.web.policy.rls_sql`). A link between an incident and a
report is visible only when both are, so counting an incident's reports never counts a report
the reader may not see. Triage actions and incident events are never changed or deleted.
"""

from django.db import migrations

from bluehelmet.web.policy import PRINCIPALS_SETTING, rls_reverse_sql, rls_sql

MARKED = ["reports_incident", "reports_incidentevent", "reports_triageaction"]
LINKS = "reports_incidentreport"
APPEND_ONLY = ["reports_triageaction", "reports_incidentevent"]
_BOTH_VISIBLE = (
    "(EXISTS (SELECT 1 FROM reports_incident i WHERE i.id = incident_id) "
    "AND EXISTS (SELECT 1 FROM reports_report r WHERE r.id = report_id))"
)
_OWNED = (
    f"(owner = ANY (string_to_array(nullif(current_setting('{PRINCIPALS_SETTING}', true), "
    "''), ',')))"
)
_WRITE = f"({_OWNED} AND {_BOTH_VISIBLE})"

FORWARD = (
    [s for t in MARKED for s in rls_sql(t)]
    + [
        f"ALTER TABLE {LINKS} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {LINKS} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY links_select ON {LINKS} FOR SELECT USING {_BOTH_VISIBLE}",
        f"CREATE POLICY links_insert ON {LINKS} FOR INSERT WITH CHECK {_WRITE}",
        f"CREATE POLICY links_update ON {LINKS} FOR UPDATE USING {_WRITE} WITH CHECK {_WRITE}",
        """CREATE FUNCTION reports_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END $$""",
    ]
    + [
        s
        for t in APPEND_ONLY
        for s in (
            f"CREATE TRIGGER append_only_rows BEFORE UPDATE OR DELETE ON {t} "
            "FOR EACH ROW EXECUTE FUNCTION reports_append_only()",
            f"CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON {t} "
            "FOR EACH STATEMENT EXECUTE FUNCTION reports_append_only()",
        )
    ]
)

REVERSE = (
    [
        s
        for t in APPEND_ONLY
        for s in (
            f"DROP TRIGGER IF EXISTS append_only_truncate ON {t}",
            f"DROP TRIGGER IF EXISTS append_only_rows ON {t}",
        )
    ]
    + [
        "DROP FUNCTION IF EXISTS reports_append_only()",
        f"DROP POLICY IF EXISTS links_update ON {LINKS}",
        f"DROP POLICY IF EXISTS links_insert ON {LINKS}",
        f"DROP POLICY IF EXISTS links_select ON {LINKS}",
        f"ALTER TABLE {LINKS} NO FORCE ROW LEVEL SECURITY",
        f"ALTER TABLE {LINKS} DISABLE ROW LEVEL SECURITY",
    ]
    + [s for t in MARKED for s in rls_reverse_sql(t)]
)


class Migration(migrations.Migration):
    """RLS on incidents (as on reports); append-only triage history."""

    dependencies = [("reports", "0004_incidents_and_triage")]
    operations = [migrations.RunSQL(FORWARD, REVERSE)]
