"""Need-to-know row-level security on the force-generation records.

Pledges, their history, requirements, deployments and published request lines get the
platform's policies (:func:`bluehelmet.web.policy.rls_sql`). A pledge's stages follow their
pledge, and only the force-generation organisation records a stage other than ``registered``.
The plan queue is not under RLS (the worker must find every queued job); pages read it through
the same ``Q``.
"""

from django.db import migrations

from bluehelmet.web.forcegen.models import FORCE_GENERATION_ORG
from bluehelmet.web.policy import PRINCIPALS_SETTING, rls_reverse_sql, rls_sql

TABLES = [
    "forcegen_pledge",
    "forcegen_pledgeevent",
    "forcegen_requirement",
    "forcegen_requirementevent",
    "forcegen_deployment",
    "forcegen_requestline",
]
STAGE = "forcegen_pledgestage"
_VISIBLE = "EXISTS (SELECT 1 FROM forcegen_pledge p WHERE p.id = pledge_id)"
_PRINCIPALS = f"string_to_array(nullif(current_setting('{PRINCIPALS_SETTING}', true), ''), ',')"
_MAY_RECORD = f"(stage = 'registered' OR '{FORCE_GENERATION_ORG}' = ANY ({_PRINCIPALS}))"

FORWARD = [s for t in TABLES for s in rls_sql(t)] + [
    f"ALTER TABLE {STAGE} ENABLE ROW LEVEL SECURITY",
    f"ALTER TABLE {STAGE} FORCE ROW LEVEL SECURITY",
    f"CREATE POLICY stage_select ON {STAGE} FOR SELECT USING ({_VISIBLE})",
    f"CREATE POLICY stage_insert ON {STAGE} FOR INSERT WITH CHECK ({_VISIBLE} AND {_MAY_RECORD})",
]
REVERSE = [
    f"DROP POLICY IF EXISTS stage_select ON {STAGE}",
    f"DROP POLICY IF EXISTS stage_insert ON {STAGE}",
    f"ALTER TABLE {STAGE} NO FORCE ROW LEVEL SECURITY",
    f"ALTER TABLE {STAGE} DISABLE ROW LEVEL SECURITY",
] + [s for t in TABLES for s in rls_reverse_sql(t)]


class Migration(migrations.Migration):
    """Enable and force RLS (the table owner is subject to it too; superusers are not)."""

    dependencies = [("forcegen", "0001_initial")]
    operations = [migrations.RunSQL(FORWARD, REVERSE)]
