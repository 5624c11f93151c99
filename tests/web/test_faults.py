"""Faults: SIGKILL of the server mid-import, of the server/worker mid-export and of the worker
mid-way through an upload job.

The real commands run as subprocesses on the session's database (``DATABASE_URL`` from the
platform fixture, so no second cluster): ``bluehelmet serve`` (waitress, with its job worker
thread) and ``bluehelmet admin worker``. After each kill nothing is half-written (the import is
one transaction; the export file is renamed into place only when complete), and the work
resumes (the export and upload jobs after their lease; the upload when sent again) or fails with
a message.
"""

from __future__ import annotations

import csv
import io
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import member, unique

COMMAND = [sys.executable, "-c", "from bluehelmet.cli.main import app; app()"]
ROWS = 8_000
EXPORT_ROWS = 40_000


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _process(
    args: list[str], folder: Path, port: int | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(
        [*COMMAND, *args, "--data-dir", str(folder)],
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(600 if port is not None else 0):  # up to about 2 minutes
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]  # type: ignore
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            assert port is None, "the server did not start"
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=60)


def _wait(condition: Callable[[], bool], what: str, polls: int = 6000) -> None:
    """Poll ``condition`` every 20 ms, at most ``polls`` times (no clock read)."""
    for _ in range(polls):
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"gave up waiting for {what}")


def _owner_query(sql: str, params: tuple[Any, ...] = ()) -> Any:
    from django.db import connections

    with connections["owner"].cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


def _big_csv(org: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "id",
            "time",
            "longitude",
            "latitude",
            "category",
            "source_type",
            "description",
            "classification",
            "owner",
            "source",
        ]
    )
    for i in range(ROWS):
        writer.writerow(
            [
                f"k{i}",
                "2018-06-01",
                f"{-1 + i % 100 * 0.01:.2f}",
                "16.2",
                "ied",
                "patrol",
                f"row {i}",
                "confidential",
                org,
                "fault test",
            ]
        )
    return out.getvalue().encode()


def _inserting() -> bool:
    """Whether a connection of the application is inserting reports (the upload's)."""
    from bluehelmet.web.dbsetup import app_role

    return bool(
        _owner_query(
            "SELECT count(*) FROM pg_stat_activity WHERE usename = %s "
            "AND query ILIKE 'INSERT INTO \"reports_report\"%%'",
            (app_role(),),
        )
    )


def _signed_in(base: str, username: str, password: str) -> Any:
    import httpx

    from benchmarks.web_users import CSRF

    client = httpx.Client(base_url=base, timeout=120)
    page = client.get("/login/")
    client.post(
        "/login/",
        data={
            "csrfmiddlewaretoken": CSRF.findall(page.text)[0],
            "username": username,
            "password": password,
        },
    )
    return client


def _post_upload(client: Any, content: bytes) -> Any:
    from benchmarks.web_users import CSRF

    form = client.get("/reports/upload/")
    return client.post(
        "/reports/upload/",
        data={"csrfmiddlewaretoken": CSRF.findall(form.text)[0]},
        files={"file": ("big.csv", content, "text/csv")},
    )


@pytest.mark.slow
@pytest.mark.usefixtures("platform")
def test_server_killed_mid_import_leaves_nothing_and_the_upload_can_be_sent_again(
    platform: dict[str, Any],
) -> None:
    import threading

    import httpx

    from bluehelmet.web.reports.models import Report, Upload

    org, password = unique("IMP"), "a long enough passphrase 42"
    user = member(org, 1, ["reporter"])
    user.set_password(password)
    user.save()
    content = _big_csv(org)
    imported = Report.objects.using("owner").filter(owner=org)
    port = _port()
    with _process(
        ["serve", "--no-worker", "--port", str(port)], platform["folder"], port
    ) as server:
        client = _signed_in(f"http://127.0.0.1:{port}", user.username, password)
        failure: list[BaseException] = []

        def send() -> None:
            try:
                _post_upload(client, content)
            except httpx.HTTPError as exc:
                failure.append(exc)

        sender = threading.Thread(target=send)
        sender.start()
        _wait(_inserting, "the import's INSERT")
        server.send_signal(signal.SIGKILL)
        sender.join(60)
        assert failure, "the upload should have been cut by the kill"
    _wait(lambda: not _inserting(), "PostgreSQL to roll the import back")
    assert imported.count() == 0  # nothing half-written
    assert not Upload.objects.using("owner").filter(membership__user=user).exists()

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    again = Client()  # the same upload sent again (in-process: the database is what matters)
    again.force_login(user)
    done = again.post("/reports/upload/", {"file": SimpleUploadedFile("big.csv", content)})
    assert done.status_code == 302, done.content[:500]
    upload = Upload.objects.using("owner").get(membership__user=user)
    assert (upload.rows_read, upload.added, upload.rejected) == (ROWS, ROWS, 0)
    assert imported.count() == ROWS


@pytest.mark.slow
@pytest.mark.usefixtures("platform")
def test_export_killed_mid_run_resumes_after_its_lease_or_fails_with_a_message(
    platform: dict[str, Any],
) -> None:
    from django.db import connections
    from django.utils import timezone

    from bluehelmet.web.accounts.models import Membership
    from bluehelmet.web.reports.jobs import MAX_ATTEMPTS, jobs_dir
    from bluehelmet.web.reports.models import ExportJob, Report

    org = unique("EXP")
    user = member(org, 1, ["analyst"])
    with connections["owner"].cursor() as cur:  # many rows, so that the kill lands mid-export
        cur.execute(
            "INSERT INTO reports_report (uid, time, time_precision, place_name, category, "
            "source_type, reliability, credibility, mission, description, classification, "
            "owner, releasable_to, basis, source, created_at) SELECT %s || '-' || g, "
            "'2018-06-01', 'day', '', 'ied', 'patrol', 'C', 3, '', repeat('x', 200), "
            "'confidential', %s, '{}', 'illustrative', 'fault test', now() "
            "FROM generate_series(1, %s) g",
            [org, org, EXPORT_ROWS],
        )
    membership = Membership.objects.get(user=user)
    job = ExportJob.objects.using("owner").create(membership=membership)
    jobs = ExportJob.objects.using("owner")
    final = jobs_dir() / f"export-{job.pk}.csv"

    port = _port()  # the server runs the job worker thread; kill it while the job runs
    with _process(["serve", "--port", str(port)], platform["folder"], port) as server:
        _wait(lambda: jobs.get(pk=job.pk).status == ExportJob.RUNNING, "the job to start")
        server.send_signal(signal.SIGKILL)
    killed = jobs.get(pk=job.pk)
    assert killed.status == ExportJob.RUNNING and killed.attempts == 1
    assert not final.exists()  # never a half-written export (at most a .part file)

    jobs.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    with _process(["admin", "worker", "--once"], platform["folder"]) as worker:
        worker.wait(timeout=300)
    resumed = jobs.get(pk=job.pk)
    public = Report.objects.using("owner").filter(classification="unclassified").count()
    assert (resumed.status, resumed.attempts) == (ExportJob.DONE, 2)
    assert resumed.rows == EXPORT_ROWS + public  # the analyst's own rows and the public ones
    lines = final.read_text().splitlines()
    assert len(lines) == resumed.rows + 1
    assert sum(line.startswith(f"{org}-") for line in lines) == EXPORT_ROWS
    assert not final.with_suffix(".csv.part").exists()

    again = ExportJob.objects.using("owner").create(
        membership=membership
    )  # killed every time: gives up
    jobs.filter(pk=again.pk).update(
        status=ExportJob.RUNNING,
        attempts=MAX_ATTEMPTS,
        lease_until=timezone.now() - timedelta(seconds=1),
    )
    with _process(["admin", "worker", "--once"], platform["folder"]) as worker:
        worker.wait(timeout=300)
    failed = jobs.get(pk=again.pk)
    assert failed.status == ExportJob.FAILED
    assert f"interrupted {MAX_ATTEMPTS} times" in failed.error
    assert not (jobs_dir() / f"export-{again.pk}.csv").exists()


@pytest.mark.slow
@pytest.mark.usefixtures("platform")
def test_upload_job_killed_mid_import_stores_nothing_and_runs_again_after_its_lease(
    platform: dict[str, Any],
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client, override_settings
    from django.utils import timezone

    from bluehelmet.web.reports.jobs import jobs_dir
    from bluehelmet.web.reports.models import Report, Upload, UploadJob

    org = unique("UPJ")
    user = member(org, 1, ["reporter"])
    client = Client()
    client.force_login(user)
    with override_settings(UPLOAD_JOB_BYTES=1024):  # the 8,000 rows are a "large" file
        queued = client.post(
            "/reports/upload/", {"file": SimpleUploadedFile("big.csv", _big_csv(org))}
        )
    assert queued.status_code == 302
    jobs = UploadJob.objects.using("owner")
    job = jobs.get(membership__user=user)
    imported = Report.objects.using("owner").filter(owner=org)
    uploads = Upload.objects.using("owner").filter(membership__user=user)

    with _process(["admin", "worker"], platform["folder"]) as worker:
        _wait(_inserting, "the import's INSERT")
        worker.send_signal(signal.SIGKILL)
    _wait(lambda: not _inserting(), "PostgreSQL to roll the import back")
    killed = jobs.get(pk=job.pk)
    assert (killed.status, killed.attempts) == (UploadJob.RUNNING, 1)
    assert imported.count() == 0 and not uploads.exists()  # nothing half-written
    assert (jobs_dir() / job.stored).exists()  # the file waits for the next run

    jobs.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    with _process(["admin", "worker", "--once"], platform["folder"]) as worker:
        worker.wait(timeout=300)
    done = jobs.get(pk=job.pk)
    assert (done.status, done.attempts) == (UploadJob.DONE, 2), done.error
    upload = uploads.get()
    assert (upload.pk, upload.rows_read, upload.added, upload.rejected) == (
        done.upload_id,
        ROWS,
        ROWS,
        0,
    )
    assert imported.count() == ROWS and not (jobs_dir() / job.stored).exists()
