"""Need-to-know row-level security on the report queues (exports, uploads, risk layers).

A job of these queues is a record like the others since this migration: it carries
``classification`` (the requesting membership's clearance: the highest level its output may
hold), ``owner`` (the membership's organisation) and ``releasable_to``. Existing jobs are marked
from their membership. Pages read jobs through ``visible_to`` and PostgreSQL applies the same
rule underneath (:func:`bluehelmet.web.policy.rls_sql`); a declared job worker
(:func:`bluehelmet.web.jobs.as_worker`) may read and update every job, never insert or delete
one (:func:`bluehelmet.web.jobs.worker_rls_sql`), as on the plan queue (``forcegen/0004``).
"""

import django.contrib.postgres.fields
from django.db import migrations, models

from bluehelmet.web.jobs import worker_rls_reverse_sql, worker_rls_sql
from bluehelmet.web.policy import rls_reverse_sql, rls_sql

MODELS = ["exportjob", "uploadjob", "riskjob"]
TABLES = [f"reports_{m}" for m in MODELS]
CLASSIFICATIONS = [
    ("unclassified", "unclassified"),
    ("confidential", "confidential"),
    ("strictly_confidential", "strictly confidential"),
]
_LABEL = (
    "CASE m.clearance WHEN 0 THEN 'unclassified' WHEN 1 THEN 'confidential' "
    "ELSE 'strictly_confidential' END"
)
MARK = [
    f"UPDATE {t} j SET owner = o.code, classification = {_LABEL} "
    "FROM accounts_membership m JOIN accounts_organisation o ON o.id = m.organisation_id "
    "WHERE m.id = j.membership_id"
    for t in TABLES
]
FORWARD = MARK + [s for t in TABLES for s in rls_sql(t) + worker_rls_sql(t)]
REVERSE = [s for t in TABLES for s in worker_rls_reverse_sql(t) + rls_reverse_sql(t)]


def _fields(model: str) -> list[migrations.AddField]:
    return [
        migrations.AddField(
            model_name=model,
            name="classification",
            field=models.CharField(choices=CLASSIFICATIONS, default="unclassified", max_length=30),
        ),
        migrations.AddField(
            model_name=model,
            name="owner",
            field=models.CharField(default="", max_length=40),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name=model,
            name="releasable_to",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(max_length=40), blank=True, default=list, size=None
            ),
        ),
    ]


class Migration(migrations.Migration):
    """Mark the report queues' jobs; enable and force RLS; admit the job worker."""

    dependencies = [("accounts", "0003_rate_counters"), ("reports", "0009_places")]
    operations = [op for m in MODELS for op in _fields(m)] + [migrations.RunSQL(FORWARD, REVERSE)]
