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
from datetime import timedelta
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bluehelmet.web import jobs as queue
from bluehelmet.web.policy import set_reader
from bluehelmet.web.reports.models import ExportJob, Report, ReportQuerySet

EXPORT_FIELDS = ["uid", "time", "time_precision", "longitude", "latitude", "place_name",
                 "category", "fatalities", "civilian_deaths", "source_type", "reliability",
                 "credibility", "mission", "description", "classification", "owner",
                 "releasable_to", "basis", "source"]
LEASE = timedelta(minutes=10)


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
    """Take the oldest export that is queued or whose worker's lease expired (or ``None``)."""
    job: ExportJob | None = queue.claim(ExportJob, LEASE, now)
    return job


def run(job: ExportJob) -> ExportJob:
    """Run a claimed job to the end: the file is complete or absent; the job done or failed."""
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


def work(once: bool = False, idle_seconds: float = 1.0) -> int:
    """Run jobs of every kind (the platform's one runner, :func:`bluehelmet.web.jobs.work`)."""
    return queue.work(once=once, idle_seconds=idle_seconds)
