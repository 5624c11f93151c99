"""``bluehelmet serve`` stopped with SIGTERM: the request in flight is answered, the running
job is given back to its queue (not lost, not left claimed), every process exits; denials are
one line in its log and the favicon is served.

A real subprocess on the session's database (as in ``test_faults.py``). The test holds table
locks so that, at the SIGTERM, a page request waits for ``audit_accesslog`` and an export job
for ``reports_incident``: the first lock is released during the grace (the request finishes),
the second never (the job must be given back). Nothing here reads the clock.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import urllib.error
import urllib.request
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.web.conftest import member, unique
from tests.web.test_faults import COMMAND, _port, _wait

#: Polls of 20 ms for the server to start and for its worker to reach the job (busy machine).
LONG = 30_000


def _locked(table: str, mode: str) -> Any:
    """A connection of the owner holding ``mode`` on ``table`` until it commits."""
    import psycopg

    conn = psycopg.connect(os.environ["BLUEHELMET_OWNER_DATABASE_URL"])
    conn.execute(f"LOCK TABLE {table} IN {mode} MODE")
    return conn


def _waiting_on(table: str) -> bool:
    from django.db import connections

    with connections["owner"].cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE c.relname = %s AND NOT l.granted",
            [table],
        )
        return bool(cur.fetchone()[0])


def _get(url: str, session: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={session}"})
    try:
        with urllib.request.urlopen(request, timeout=600) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.mark.slow
def test_sigterm_answers_the_request_in_flight_and_gives_the_running_job_back(
    platform: dict[str, Any],
) -> None:
    from django.test import Client

    from bluehelmet.web.reports import jobs
    from bluehelmet.web.reports.models import ExportJob

    org = unique("STOP")
    user = member(org, 1, ["analyst"])
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    stored = ExportJob.objects.using("owner")
    port = _port()
    proc = subprocess.Popen(
        [*COMMAND, "serve", "--port", str(port), "--processes", "2"]
        + ["--data-dir", str(platform["folder"])],
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout or ()), daemon=True)
    reader.start()
    incidents = log = None
    try:
        _wait(lambda: any("platform on http" in line for line in lines), "the server", LONG)
        base = f"http://127.0.0.1:{port}"
        incidents = _locked("reports_incident", "ACCESS EXCLUSIVE")  # the export job waits here
        job = stored.create(membership=user.memberships.get(), layer="incidents")
        stored.filter(pk=job.pk).update(created_at=datetime(2000, 1, 1, tzinfo=UTC))
        # the oldest export: the worker takes it next, then waits for the incidents table
        _wait(lambda: stored.get(pk=job.pk).status == ExportJob.RUNNING, "the job", LONG)
        assert _get(f"{base}/audit/", session)[0] == 403  # a denial, for the log
        icon = urllib.request.urlopen(f"{base}/favicon.ico", timeout=600)
        assert icon.status == 200 and icon.read()[:4] == b"\x00\x00\x01\x00"

        log = _locked("audit_accesslog", "EXCLUSIVE")  # the home page's count waits here
        answers: list[tuple[int, bytes]] = []
        page = threading.Thread(target=lambda: answers.append(_get(f"{base}/", session)))
        page.start()
        _wait(lambda: _waiting_on("audit_accesslog"), "the request to be in flight")

        proc.send_signal(signal.SIGTERM)
        _wait(lambda: any("stopping" in line for line in lines), "the stop to begin")
        log.commit()  # during the grace: the request goes on and is answered
        page.join(timeout=600)
        assert answers and answers[0][0] == 200 and org.encode() in answers[0][1]
        assert proc.wait(timeout=600) == 0  # the job still waits: it is given back
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=60)
        for held in (incidents, log):
            if held is not None:
                held.close()
    reader.join(timeout=60)
    output = "".join(lines)
    assert f"job ExportJob {job.pk} given back to its queue" in output, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    denials = [line for line in lines if " denied user=" in line]
    assert len(denials) == 1 and 'GET "/audit/"' in denials[0]
    assert f"user={user.username} org={org} clearance=confidential" in denials[0]

    back = stored.get(pk=job.pk)  # queued again, as if never claimed: not lost, not held
    assert (back.status, back.attempts, back.lease_until, back.started_at) == (
        ExportJob.QUEUED,
        0,
        None,
        None,
    )
    claimed = jobs.claim()  # the next worker takes it at once (no lease to wait for)
    assert claimed is not None and claimed.pk == job.pk and claimed.attempts == 1
    assert jobs.run(claimed).status == ExportJob.DONE


#: Released by the test to let :func:`_blocking_run` end.
RELEASED = threading.Event()


def _blocking_run(job: Any) -> Any:
    """A job run that waits for the test (at most a minute)."""
    RELEASED.wait(60)
    return job


def _interrupted_run(job: Any) -> Any:
    """A job run interrupted as Ctrl-C or SIGTERM interrupts ``bluehelmet admin worker``."""
    raise KeyboardInterrupt


def _oldest_export(platform: dict[str, Any]) -> Any:
    from bluehelmet.web.reports.models import ExportJob

    stored = ExportJob.objects.using("owner")
    job = stored.create(membership=member(unique("STOP"), 1, ["analyst"]).memberships.get())
    stored.filter(pk=job.pk).update(created_at=datetime(2000, 1, 1, tzinfo=UTC))
    return job


@pytest.mark.parametrize("run", ["_blocking_run", "_interrupted_run"])
def test_a_stopped_or_interrupted_worker_gives_its_job_back(
    platform: dict[str, Any], run: str
) -> None:
    from datetime import timedelta

    from bluehelmet.web.jobs import JobKind, Worker
    from bluehelmet.web.reports.models import ExportJob

    job = _oldest_export(platform)
    kind = JobKind("export", "reports.ExportJob", f"{__name__}:{run}", timedelta(minutes=10))
    worker = Worker(kinds=(kind,), idle_seconds=0.05)
    if run == "_interrupted_run":  # in the calling thread, as `admin worker` runs
        with pytest.raises(KeyboardInterrupt):
            worker.run()
    else:  # in a thread, as `serve` runs it; stopped with no grace left
        RELEASED.clear()
        worker.start()
        _wait(lambda: worker.current is not None, "the claim")
        assert worker.current.pk == job.pk
        assert worker.stop(grace=0).pk == job.pk
        RELEASED.set()
        assert worker.thread is not None
        worker.thread.join(timeout=60)
    back = ExportJob.objects.using("owner").get(pk=job.pk)
    assert (back.status, back.attempts, back.lease_until) == (ExportJob.QUEUED, 0, None)
    ExportJob.objects.using("owner").filter(pk=job.pk).update(status="failed")  # for later tests


def test_a_bad_grace_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    from bluehelmet.errors import BluehelmetError
    from bluehelmet.web.server import grace_seconds

    monkeypatch.setenv("BLUEHELMET_STOP_GRACE", "soon")
    with pytest.raises(BluehelmetError, match="BLUEHELMET_STOP_GRACE='soon' is not a number"):
        grace_seconds()
    monkeypatch.setenv("BLUEHELMET_STOP_GRACE", "2.5")
    assert grace_seconds() == 2.5
