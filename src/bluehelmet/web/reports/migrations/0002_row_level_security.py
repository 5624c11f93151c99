"""Need-to-know row-level security on reports, their history, reporter identities and downgrades."""

from django.db import migrations

from bluehelmet.web.policy import DECRYPT_SETTING, rls_reverse_sql, rls_sql

TABLES = ["reports_report", "reports_reportevent"]
IDENTITY = "reports_reporteridentity"
DOWNGRADE = "reports_downgrade"
_VISIBLE_REPORT = "EXISTS (SELECT 1 FROM reports_report r WHERE r.id = report_id)"
_MAY_DECRYPT = f"current_setting('{DECRYPT_SETTING}', true) = 'on'"

FORWARD = [s for t in TABLES for s in rls_sql(t)] + [
    f"ALTER TABLE {IDENTITY} ENABLE ROW LEVEL SECURITY",
    f"ALTER TABLE {IDENTITY} FORCE ROW LEVEL SECURITY",
    f"CREATE POLICY identity_select ON {IDENTITY} FOR SELECT "
    f"USING ({_MAY_DECRYPT} AND {_VISIBLE_REPORT})",
    f"CREATE POLICY identity_insert ON {IDENTITY} FOR INSERT WITH CHECK ({_VISIBLE_REPORT})",
    f"ALTER TABLE {DOWNGRADE} ENABLE ROW LEVEL SECURITY",
    f"ALTER TABLE {DOWNGRADE} FORCE ROW LEVEL SECURITY",
    f"CREATE POLICY downgrade_visible ON {DOWNGRADE} USING ({_VISIBLE_REPORT}) "
    f"WITH CHECK ({_VISIBLE_REPORT})",
]
REVERSE = [
    f"DROP POLICY IF EXISTS downgrade_visible ON {DOWNGRADE}",
    f"ALTER TABLE {DOWNGRADE} NO FORCE ROW LEVEL SECURITY",
    f"ALTER TABLE {DOWNGRADE} DISABLE ROW LEVEL SECURITY",
    f"DROP POLICY IF EXISTS identity_select ON {IDENTITY}",
    f"DROP POLICY IF EXISTS identity_insert ON {IDENTITY}",
    f"ALTER TABLE {IDENTITY} NO FORCE ROW LEVEL SECURITY",
    f"ALTER TABLE {IDENTITY} DISABLE ROW LEVEL SECURITY",
] + [s for t in TABLES for s in rls_reverse_sql(t)]


class Migration(migrations.Migration):
    """Enable and force RLS (the table owner is subject to it too; superusers are not)."""

    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunSQL(FORWARD, REVERSE)]
