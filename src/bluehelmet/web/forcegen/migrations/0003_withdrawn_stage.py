"""A pledge may be withdrawn: a dated stage that its owner (or DPO force generation) records.

The stage table's insert policy (migration ``0002``) let anyone who sees a pledge record
``registered`` and only DPO force generation anything else; it now also lets the pledge's owner
record ``withdrawn``.
"""

from django.db import migrations, models

from bluehelmet.web.forcegen.models import FORCE_GENERATION_ORG
from bluehelmet.web.policy import PRINCIPALS_SETTING

STAGE = "forcegen_pledgestage"
_VISIBLE = "EXISTS (SELECT 1 FROM forcegen_pledge p WHERE p.id = pledge_id)"
_PRINCIPALS = f"string_to_array(nullif(current_setting('{PRINCIPALS_SETTING}', true), ''), ',')"
_FORCE_GENERATION = f"'{FORCE_GENERATION_ORG}' = ANY ({_PRINCIPALS})"
_OWNER = (
    "EXISTS (SELECT 1 FROM forcegen_pledge p WHERE p.id = pledge_id "
    f"AND p.owner = ANY ({_PRINCIPALS}))"
)
_BEFORE = f"(stage = 'registered' OR {_FORCE_GENERATION})"
_NOW = f"(stage = 'registered' OR {_FORCE_GENERATION} OR (stage = 'withdrawn' AND {_OWNER}))"
FORWARD = [
    f"DROP POLICY stage_insert ON {STAGE}",
    f"CREATE POLICY stage_insert ON {STAGE} FOR INSERT WITH CHECK ({_VISIBLE} AND {_NOW})",
]
REVERSE = [
    f"DROP POLICY stage_insert ON {STAGE}",
    f"CREATE POLICY stage_insert ON {STAGE} FOR INSERT WITH CHECK ({_VISIBLE} AND {_BEFORE})",
]


class Migration(migrations.Migration):
    """The ``withdrawn`` stage and who may record it."""

    dependencies = [("forcegen", "0002_row_level_security")]
    operations = [
        migrations.AlterField(
            model_name="pledgestage",
            name="stage",
            field=models.CharField(
                choices=[
                    ("registered", "registered"),
                    ("L1", "L1"),
                    ("assessment_visit", "assessment_visit"),
                    ("L2", "L2"),
                    ("L3", "L3"),
                    ("RDL", "RDL"),
                    ("withdrawn", "withdrawn"),
                ],
                max_length=20,
            ),
        ),
        migrations.RunSQL(FORWARD, REVERSE),
    ]
