"""Need-to-know row-level security on the plan queue, with the job worker admitted explicitly.

A plan job is a record like the others (``classification``, ``owner`` = the requester's
organisation, ``releasable_to``): pages read it through ``visible_to`` and PostgreSQL applies the
same rule underneath (:func:`bluehelmet.web.policy.rls_sql`). A worker must find and update every
queued job, whoever asked for it: two more policies admit a transaction that declared itself a
job worker (:func:`bluehelmet.web.jobs.as_worker`, the session setting
:data:`bluehelmet.web.jobs.WORKER_SETTING`) to read and update jobs, never to insert or delete
them. The application role stays without ``BYPASSRLS``.
"""

from django.db import migrations

from bluehelmet.web.jobs import WORKER_SETTING
from bluehelmet.web.policy import rls_reverse_sql, rls_sql

TABLE = "forcegen_planjob"
_WORKER = f"(current_setting('{WORKER_SETTING}', true) = 'on')"

FORWARD = rls_sql(TABLE) + [
    f"CREATE POLICY job_worker_select ON {TABLE} FOR SELECT USING {_WORKER}",
    f"CREATE POLICY job_worker_update ON {TABLE} FOR UPDATE USING {_WORKER} WITH CHECK {_WORKER}",
]
REVERSE = [
    f"DROP POLICY IF EXISTS job_worker_select ON {TABLE}",
    f"DROP POLICY IF EXISTS job_worker_update ON {TABLE}",
] + rls_reverse_sql(TABLE)


class Migration(migrations.Migration):
    """Enable and force RLS on the plan queue; admit the job worker."""

    dependencies = [("forcegen", "0003_withdrawn_stage")]
    operations = [migrations.RunSQL(FORWARD, REVERSE)]
