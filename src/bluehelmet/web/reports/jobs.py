"""Exports as background jobs on PostgreSQL (no Redis): queue, claim, run, resume.

A worker claims the oldest queued job with ``SELECT ... FOR UPDATE SKIP LOCKED`` (so workers never
take the same job) and holds it for a lease. A job whose worker died (lease expired) is claimed
again and run from the start. The file is written next to its final name and renamed only when
complete, so a kill at any moment leaves either no file or the whole file. The export runs as the
membership that asked for it, read again at run time (a clearance withdrawn in between applies).
"""

from __future__ import annotations

import csv
import os
import time
from datetime import timedelta
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bluehelmet.web.policy import set_reader
from bluehelmet.web.reports.models import ExportJob, Report, ReportQuerySet

EXPORT_FIELDS = ["uid", "time", "time_precision", "longitude", "latitude", "place_name",
                 "category", "fatalities", "civilian_deaths", "source_type", "reliability",
                 "credibility", "mission", "description", "classification", "owner",
                 "releasable_to", "basis", "source"]
LEASE = timedelta(minutes=10)
#: Runs of a job whose worker died before it is failed instead of run again.
MAX_ATTEMPTS = 3


def write_csv(reports: ReportQuerySet, handle: IO[str]) -> int:
    """Write ``reports`` as the library's reports CSV (never identities); returns the rows."""
    writer = csv.writer(handle)
    writer.writerow(["id" if f == "uid" else f for f in EXPORT_FIELDS])
    rows = 0
    for row in reports.order_by("uid").values_list(*EXPORT_FIELDS).iterator(chunk_size=2000):
        writer.writerow([";".join(v) if isinstance(v, list) else ("" if v is None else v)
                         for v in row])
        rows += 1
    return rows


def jobs_dir() -> Path:
    """Folder of finished export files (``BLUEHELMET_JOBS_DIR``)."""
    folder = Path(settings.JOBS_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def claim(now: timezone.datetime | None = None) -> ExportJob | None:
    """Take the oldest job that is queued or whose worker's lease expired (or ``None``)."""
    now = now or timezone.now()
    with transaction.atomic():
        job = (ExportJob.objects.select_for_update(skip_locked=True)
               .filter(Q(status=ExportJob.QUEUED)
                       | Q(status=ExportJob.RUNNING, lease_until__lt=now))
               .order_by("created_at", "pk").first())
        if job is None:
            return None
        job.status, job.attempts = ExportJob.RUNNING, job.attempts + 1
        job.started_at, job.lease_until = now, now + LEASE
        job.save(update_fields=["status", "attempts", "started_at", "lease_until"])
    return job


def run(job: ExportJob) -> ExportJob:
    """Run a claimed job to the end: the file is complete or absent; the job done or failed.

    A job whose workers died :data:`MAX_ATTEMPTS` times is not run again: it fails with a
    message saying so (a job that kills its worker must not take every worker down in turn).
    """
    if job.attempts > MAX_ATTEMPTS:
        return _give_up(job)
    final = jobs_dir() / f"export-{job.pk}.csv"
    partial = final.with_suffix(".csv.part")
    try:
        with transaction.atomic():
            membership = job.membership
            set_reader(membership.reader)
            with open(partial, "w", newline="", encoding="utf-8") as handle:
                rows = write_csv(Report.objects.visible_to(membership.reader), handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(partial, final)
            job.status, job.rows, job.file_name = ExportJob.DONE, rows, final.name
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "rows", "file_name", "finished_at"])
    except Exception as exc:  # the job records why; the worker goes on with the next one
        partial.unlink(missing_ok=True)
        job.status, job.error = ExportJob.FAILED, f"{type(exc).__name__}: {exc}"
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
    return job


def _give_up(job: ExportJob) -> ExportJob:
    job.status, job.finished_at = ExportJob.FAILED, timezone.now()
    job.error = (f"the export was interrupted {job.attempts - 1} times (its worker stopped "
                 "before finishing: killed, restarted or out of memory); no file was kept. Start "
                 "the export again; if it is interrupted again, ask an administrator to check "
                 "the worker's log")
    job.save(update_fields=["status", "finished_at", "error"])
    return job


def work(once: bool = False, idle_seconds: float = 1.0) -> int:
    """Claim and run jobs until stopped (or until none is left, with ``once``)."""
    done = 0
    while True:
        job = claim()
        if job is not None:
            run(job)
            done += 1
        elif once:
            return done
        else:
            time.sleep(idle_seconds)
