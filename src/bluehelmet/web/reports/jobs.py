"""Exports as background jobs on PostgreSQL (no Redis): queue, claim, run, resume.

A worker claims the oldest queued job with ``SELECT ... FOR UPDATE SKIP LOCKED`` (so workers never
take the same job) and holds it for a lease. A job whose worker died (lease expired) is claimed
again and run from the start. The file is written next to its final name and renamed only when
complete, so a kill at any moment leaves either no file or the whole file. The export runs as the
membership that asked for it, read again at run time (a clearance withdrawn in between applies).
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from bluehelmet.model.access import AccessContext, Classification
from bluehelmet.web import jobs as queue
from bluehelmet.web.policy import set_reader
from bluehelmet.web.reports.models import ExportJob, Incident, Report, ReportQuerySet

EXPORT_FIELDS = [
    "uid",
    "time",
    "time_precision",
    "longitude",
    "latitude",
    "place_name",
    "category",
    "fatalities",
    "civilian_deaths",
    "source_type",
    "reliability",
    "credibility",
    "mission",
    "description",
    "classification",
    "owner",
    "releasable_to",
    "basis",
    "source",
]
LEASE = timedelta(minutes=10)
#: Runs of a job whose worker died before it is failed instead of run again.
MAX_ATTEMPTS = 3


def write_csv(reports: ReportQuerySet, handle: IO[str]) -> int:
    """Write ``reports`` as the library's reports CSV (never identities); returns the rows."""
    writer = csv.writer(handle)
    writer.writerow(["id" if f == "uid" else f for f in EXPORT_FIELDS])
    rows = 0
    for row in reports.order_by("uid").values_list(*EXPORT_FIELDS).iterator(chunk_size=2000):
        writer.writerow(
            [";".join(v) if isinstance(v, list) else ("" if v is None else v) for v in row]
        )
        rows += 1
    return rows


INCIDENT_FIELDS = [
    "uid",
    "title",
    "first_time",
    "last_time",
    "longitude",
    "latitude",
    "category",
    "fatalities",
    "civilian_deaths",
    "confidence",
    "status",
    "classification",
    "owner",
    "releasable_to",
]
#: Exports kept on the request (above this many rows an export runs as a background job).
DIRECT_LIMIT = 20_000


def _cell(value: object) -> object:
    return ";".join(value) if isinstance(value, list) else ("" if value is None else value)


def _incidents(reader: AccessContext) -> Any:
    visible = Report.objects.visible_to(reader).values("pk")
    return (
        Incident.objects.visible_to(reader)
        .annotate(reports=Count("links", filter=Q(links__report__in=visible)))
        .order_by("uid")
    )


def rows_of(layer: str, reader: AccessContext) -> Any:
    """The rows of ``layer`` (``reports`` or ``incidents``) that ``reader`` may see."""
    if layer == "incidents":
        return _incidents(reader)
    return Report.objects.visible_to(reader).order_by("uid")


def _fields(layer: str) -> list[str]:
    return [*INCIDENT_FIELDS, "reports"] if layer == "incidents" else EXPORT_FIELDS


def write_table(layer: str, reader: AccessContext, handle: IO[str]) -> int:
    """Write ``layer`` as CSV: the reports (:func:`write_csv`) or the incidents."""
    if layer != "incidents":
        return write_csv(rows_of(layer, reader), handle)
    writer = csv.writer(handle)
    fields = _fields(layer)
    writer.writerow(["id" if f == "uid" else f for f in fields])
    rows = 0
    for row in rows_of(layer, reader).values_list(*fields).iterator(chunk_size=2000):
        writer.writerow([_cell(v) for v in row])
        rows += 1
    return rows


def write_geojson(layer: str, reader: AccessContext, handle: IO[str]) -> int:
    """Write ``layer`` as a GeoJSON FeatureCollection (unlocated rows: ``geometry`` null).

    The collection carries the highest classification of its rows (``classification``).
    """
    fields = _fields(layer)
    rows = rows_of(layer, reader)
    levels = set(rows.values_list("classification", flat=True).distinct())
    level = max((Classification.parse(v) for v in levels), default=Classification.UNCLASSIFIED)
    handle.write(
        f'{{"type": "FeatureCollection", "classification": "{level.label}", "features": [\n'
    )
    count = 0
    for values in rows.values_list(*fields).iterator(chunk_size=2000):
        item = dict(zip(fields, values, strict=True))
        item["id"] = item.pop("uid")
        lon, lat = item.get("longitude"), item.get("latitude")
        geometry = (
            None if lon is None or lat is None else {"type": "Point", "coordinates": [lon, lat]}
        )
        handle.write(
            (",\n" if count else "")
            + json.dumps(
                {"type": "Feature", "geometry": geometry, "properties": item}, ensure_ascii=False
            )
        )
        count += 1
    handle.write("\n]}\n")
    return count


#: Export writers by format.
WRITERS: dict[str, Callable[[str, AccessContext, IO[str]], int]] = {
    "csv": write_table,
    "geojson": write_geojson,
}
LAYERS = ("reports", "incidents")


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
    """Run a claimed job to the end: the file is complete or absent; the job done or failed.

    A job whose workers died :data:`MAX_ATTEMPTS` times is not run again: it fails with a
    message saying so (a job that kills its worker must not take every worker down in turn).
    """
    if job.attempts > MAX_ATTEMPTS:
        return _give_up(job)
    fmt = job.fmt if job.fmt in WRITERS else "csv"
    final = jobs_dir() / f"export-{job.pk}.{fmt}"
    partial = final.with_suffix(f".{fmt}.part")
    try:
        with transaction.atomic():
            membership = job.membership
            set_reader(membership.reader)
            queue.as_worker()  # the job's status is the worker's to write (RLS, reports/0010)
            with open(partial, "w", newline="", encoding="utf-8") as handle:
                rows = WRITERS[fmt](job.layer, membership.reader, handle)
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
        queue.save_as_worker(job, "status", "error", "finished_at")
    return job


def _give_up(job: ExportJob) -> ExportJob:
    job.status, job.finished_at = ExportJob.FAILED, timezone.now()
    job.error = (
        f"the export was interrupted {job.attempts - 1} times (its worker stopped "
        "before finishing: killed, restarted or out of memory); no file was kept. Start "
        "the export again; if it is interrupted again, ask an administrator to check "
        "the worker's log"
    )
    queue.save_as_worker(job, "status", "finished_at", "error")
    return job


def work(once: bool = False, idle_seconds: float = 1.0) -> int:
    """Run jobs of every kind (the platform's one runner, :func:`bluehelmet.web.jobs.work`)."""
    return queue.work(once=once, idle_seconds=idle_seconds)
