"""Row-level security on every job queue: need-to-know for pages, read/update for a worker.

The agreement of the library's rule, the ORM filter and the policies on the queues' rows is the
property test of ``test_policy.py`` (parametrised over the queue tables); here: what a declared
job worker may and may not do, that a page's reader sees only the jobs its need-to-know allows,
and that no table of the platform is without RLS unless it is known and said why.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.web.conftest import member, unique

#: Tables of the platform's apps that are not under row-level security, and why.
WITHOUT_RLS = {
    "accounts_organisation": "the organisation tree: every user's membership names one",
    "accounts_membership": "users and clearances, managed by administrators",
    "bluehelmet_ratecounter": "rate-limit counters (no record content)",
    "audit_accesslog": "append-only; read only on the auditors' page",
    "reports_inboundmessage": "SMS provider message ids, for idempotence (no content)",
    "reports_place": "the public gazetteer",
    "reports_upload": "row accounting of an upload, read only by its uploader",
}


def _queue_tables() -> list[str]:
    from bluehelmet.web.jobs import KINDS

    return [kind.model._meta.db_table for kind in KINDS]


def test_every_queue_is_under_forced_rls_with_the_worker_policies(
    platform: dict[str, Any],
) -> None:
    from django.db import connections

    with connections["owner"].cursor() as cur:
        for table in _queue_tables():
            cur.execute(
                "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = %s",
                [table],
            )
            assert cur.fetchone() == (True, True), table
            cur.execute("SELECT policyname, cmd FROM pg_policies WHERE tablename = %s", [table])
            assert set(cur.fetchall()) == {
                ("need_to_know_select", "SELECT"),
                ("need_to_know_update", "UPDATE"),
                ("need_to_know_insert", "INSERT"),
                ("job_worker_select", "SELECT"),
                ("job_worker_update", "UPDATE"),
            }, table


def test_no_table_is_without_rls_unless_known(platform: dict[str, Any]) -> None:
    """A new table (a new queue, say) must get RLS, or a line in ``WITHOUT_RLS`` saying why."""
    from django.db import connections

    with connections["owner"].cursor() as cur:  # the apps' tables, models' or not (counters)
        cur.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND NOT relrowsecurity "
            "AND relnamespace = 'public'::regnamespace AND relname ~ %s",
            ["^(accounts|reports|audit|forcegen|bluehelmet)_"],
        )
        without = {row[0] for row in cur.fetchall()}
    assert without == set(WITHOUT_RLS)


@contextmanager
def _rolled_back() -> Iterator[None]:
    """A transaction on the application's connection (RLS applies), rolled back."""
    from django.db import transaction

    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _job(table: str, membership: Any) -> Any:
    from bluehelmet.web.reports.models import ExportJob, RiskJob, UploadJob

    if table == "reports_uploadjob":
        return UploadJob(membership=membership, file_name="a.csv", stored="a.csv", size=1)
    if table == "reports_riskjob":
        return RiskJob(membership=membership, key="k")
    return ExportJob(membership=membership)


@pytest.mark.parametrize("table", ["reports_exportjob", "reports_uploadjob", "reports_riskjob"])
def test_a_worker_reads_and_updates_every_job_but_never_inserts_or_deletes(
    platform: dict[str, Any], table: str
) -> None:
    from django.db import DatabaseError

    from bluehelmet.model.access import AccessContext, Classification
    from bluehelmet.web.jobs import as_worker
    from bluehelmet.web.policy import set_reader

    org = unique("JOB")
    membership = member(org, 2, ["analyst"]).memberships.get()
    job = _job(table, membership)
    job.status, job.error = "failed", "left by a test"  # no later worker takes it
    job.save(using="owner")  # marked from the membership on its first save
    assert (job.owner, job.classification) == (org, "strictly_confidential")
    jobs = type(job).objects.filter(pk=job.pk)

    with _rolled_back():
        as_worker()  # whoever asked for the job, a worker finds and updates it ...
        assert jobs.count() == 1 and jobs.update(status="running") == 1
        assert jobs.delete()[0] == 0  # ... but no policy lets it delete a job
    with pytest.raises(DatabaseError, match="row-level security"), _rolled_back():
        as_worker()
        _job(table, membership).save()  # ... or create one

    with _rolled_back():
        set_reader(AccessContext(org, Classification.STRICTLY_CONFIDENTIAL))
        assert jobs.count() == 1  # the requester's organisation, cleared for the marking
    lower = AccessContext(org, Classification.CONFIDENTIAL)
    other = AccessContext(unique("X"), Classification.STRICTLY_CONFIDENTIAL)
    for reader in (lower, other, AccessContext.public()):
        with _rolled_back():
            set_reader(reader)
            assert jobs.count() == 0 and jobs.update(status="done") == 0
    with _rolled_back():  # a forgotten reader (no settings at all) sees no classified job
        assert jobs.count() == 0


def test_job_pages_show_only_the_users_own_jobs_within_need_to_know(
    platform: dict[str, Any],
) -> None:
    from django.test import Client

    from bluehelmet.web.accounts.models import Membership
    from bluehelmet.web.reports.models import ExportJob

    org = unique("JOB")
    user = member(org, 1, ["analyst"])
    client = Client()
    client.force_login(user)
    queued = client.post("/reports/export/job/")
    pk = int(queued["Location"].rstrip("/").split("/")[-1])
    job = ExportJob.objects.using("owner").get(pk=pk)
    assert (job.owner, job.classification) == (org, "confidential")
    assert client.get(f"/jobs/{pk}/").status_code == 200
    colleague = Client()
    colleague.force_login(member(org, 1, ["analyst"]))
    assert colleague.get(f"/jobs/{pk}/").status_code == 404  # visible, but not theirs
    Membership.objects.using("owner").filter(user=user).update(clearance=0)
    assert client.get(f"/jobs/{pk}/").status_code == 404  # no longer cleared for its marking
