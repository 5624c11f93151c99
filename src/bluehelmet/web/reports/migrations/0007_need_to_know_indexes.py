"""Indexes that serve the need-to-know predicate and the list order (100,000 reports).

The predicate (:data:`bluehelmet.web.policy.RLS_USING`, the same as ``visible_q``) is three
OR-ed terms; each has an index, so PostgreSQL can answer it with a bitmap OR instead of reading
every row: ``classification = 'unclassified'`` (``classification``), ``owner`` with the cleared
levels (the existing ``(owner, classification)``), ``releasable_to && principals`` (GIN on the
array). Lists are ordered newest first (``time DESC, uid``). EXPLAIN plans are in
docs/platform.md ("100,000 reports").
"""

from django.db import migrations

INDEXES = [
    ("reports_report_classification_idx", "reports_report (classification)"),
    ("reports_report_releasable_to_gin", "reports_report USING gin (releasable_to)"),
    ("reports_report_time_desc_uid_idx", "reports_report (time DESC, uid)"),
]


class Migration(migrations.Migration):
    """Plain SQL indexes (not model state: they serve the RLS policy as much as the ORM)."""

    dependencies = [("reports", "0006_uploads")]
    operations = [
        migrations.RunSQL(
            [f"CREATE INDEX IF NOT EXISTS {name} ON {target}" for name, target in INDEXES],
            [f"DROP INDEX IF EXISTS {name}" for name, _ in INDEXES],
        )
    ]
