"""CSV upload of reports through the library's importer, with the row accounting shown.

The uploaded file is read by :func:`bluehelmet.intel.importing.read_input` (the same sniffing,
validation, repairs and rejects as ``bluehelmet intel import``) and added through
:class:`~bluehelmet.web.reports.pgstore.PlatformReportStore` with the library's write rights
(owner = the uploader's organisation, classification at most their clearance). The page shows
``rows read = accepted + repaired + rejected``; the rejected rows (line, field, value, reason,
fix and the row as read) are downloadable by the uploader. Every upload, and every refused one,
is in the access log. The whole import is one transaction.

A file over ``UPLOAD_JOB_BYTES`` (settings; 4 MB by default) is not imported on the request: it is
written (synced) to the jobs folder and an :class:`~bluehelmet.web.reports.models.UploadJob` is
queued for the platform's one job runner (:mod:`bluehelmet.web.jobs`), which imports it as the
membership that sent it, read again at run time. The job's page shows the accounting when done.
A killed worker leaves nothing half-written (one transaction); after its lease the job runs again
from the start (ids are kept, so nothing is added twice). The file is deleted once the import has
committed.
"""

from __future__ import annotations

import os
import re
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from bluehelmet.errors import BluehelmetError
from bluehelmet.intel.importing import add_to_store, read_input
from bluehelmet.intel.reports import PROTECTED
from bluehelmet.io.csvsafe import neutralise_frame
from bluehelmet.model.access import AccessContext
from bluehelmet.web import jobs as queue
from bluehelmet.web.accounts.middleware import has_role
from bluehelmet.web.accounts.models import Membership, Role
from bluehelmet.web.audit.models import AccessLog, Action, record
from bluehelmet.web.policy import set_reader
from bluehelmet.web.reports.jobs import jobs_dir
from bluehelmet.web.reports.models import Upload, UploadJob
from bluehelmet.web.reports.pgstore import PlatformReportStore

#: Largest file accepted (bytes); bigger imports belong on the command line.
MAX_BYTES = 200 * 1024 * 1024
LEASE = timedelta(minutes=10)
#: Runs of a job whose worker died before it is failed instead of run again.
MAX_ATTEMPTS = 3


class UploadForm(forms.Form):
    """One CSV file: a report CSV (the library's columns) or a UCDP GED file."""

    file = forms.FileField(
        help_text="CSV (UTF-8): the report columns of docs/intelligence.md, or a UCDP GED file"
    )

    def clean_file(self) -> object:
        """Refuse files over :data:`MAX_BYTES` with the limit."""
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"the file has {upload.size:,} bytes; the limit is "
                f"{MAX_BYTES:,} (use 'bluehelmet intel import')"
            )
        return upload


def _safe_name(name: str) -> str:
    """The uploaded file's base name, reduced to harmless characters (messages quote it)."""
    base = re.sub(r"[^A-Za-z0-9._-]", "_", Path(name).name)[:100].lstrip(".")
    return base or "upload.csv"


def _import(path: Path, name: str, membership: Membership, reader: AccessContext) -> Upload | str:
    """Import ``path`` through the library; the stored :class:`Upload`, or the refusal's text."""
    try:
        result, published = read_input(path)
    except BluehelmetError as exc:
        return str(exc).replace(str(path.parent) + "/", "")
    outcome = add_to_store(result, published, PlatformReportStore(), reader)
    report = outcome.report
    rejects = neutralise_frame(report.rejects.drop(columns=[PROTECTED], errors="ignore"))
    return Upload.objects.create(
        membership=membership,
        file_name=name,
        rows_read=report.rows_read,
        accepted=report.accepted,
        repaired=report.repaired,
        rejected=report.rejected,
        added=outcome.added,
        present=outcome.present,
        warnings=list(report.warnings),
        rejects=rejects.to_csv(index=False, lineterminator="\n") if report.rejected else "",
    )


def _accounting(upload: Upload) -> dict[str, object]:
    return {
        "file": upload.file_name,
        "rows_read": upload.rows_read,
        "accepted": upload.accepted,
        "repaired": upload.repaired,
        "rejected": upload.rejected,
        "added": upload.added,
    }


def _queue(request: HttpRequest, name: str, chunks: object, size: int) -> UploadJob:
    """Write the file to the jobs folder (synced) and queue its import."""
    stored = f"upload-{uuid.uuid4().hex}.csv"
    target = jobs_dir() / stored
    with target.open("wb") as handle:
        for chunk in chunks:  # type: ignore[attr-defined]
            handle.write(chunk)
        handle.flush()
        os.fsync(handle.fileno())
    job = UploadJob.objects.create(
        membership=request.membership, file_name=name, stored=stored, size=size
    )
    record(request, Action.CREATE, f"upload-job:{job.pk}", file=name, bytes=size, queued=True)
    return job


@login_required
def upload_reports(request: HttpRequest) -> HttpResponse:
    """Upload a CSV of reports (reporters and analysts), owned by the active organisation."""
    if not (has_role(request, Role.REPORTER) or has_role(request, Role.ANALYST)):
        record(request, Action.DENIED, "report:upload")
        raise PermissionDenied("Only reporters and analysts upload reports.")
    form = UploadForm(request.POST or None, request.FILES or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        sent = form.cleaned_data["file"]
        name = _safe_name(sent.name)
        if sent.size > settings.UPLOAD_JOB_BYTES:
            job = _queue(request, name, sent.chunks(), sent.size)
            return redirect("report-upload-job", pk=job.pk)
        with tempfile.TemporaryDirectory(prefix="bh-upload-") as folder:
            path = Path(folder) / name
            with path.open("wb") as handle:
                for chunk in sent.chunks():
                    handle.write(chunk)
            outcome = _import(path, name, request.membership, request.reader)
        if isinstance(outcome, Upload):
            record(request, Action.CREATE, f"upload:{outcome.pk}", **_accounting(outcome))
            return redirect("report-upload-result", pk=outcome.pk)
        error = outcome
    status = 200
    if request.method == "POST":  # refused: the form's or the importer's reason is shown
        record(request, Action.DENIED, "report:upload", reason=error or "form invalid")
        status = 400
    return render(request, "reports/upload.html", {"form": form, "error": error}, status=status)


def run(job: UploadJob) -> UploadJob:
    """Import a claimed upload job as its membership: done (with its upload) or failed."""
    path = jobs_dir() / job.stored
    if job.attempts > MAX_ATTEMPTS:
        return _finish(
            job,
            f"the import was interrupted {job.attempts - 1} times (its worker stopped before "
            "finishing); nothing of it was stored. Send the file again; if it is interrupted "
            "again, ask an administrator to check the worker's log",
        )
    try:
        with transaction.atomic():
            membership = job.membership
            reader = membership.reader
            set_reader(reader)
            queue.as_worker()  # the job's status is the worker's to write (RLS, reports/0010)
            with tempfile.TemporaryDirectory(prefix="bh-upload-") as folder:
                named = Path(folder) / job.file_name  # messages name the file as it was sent
                named.symlink_to(path)
                outcome = _import(named, job.file_name, membership, reader)
            if not isinstance(outcome, Upload):
                raise BluehelmetError(outcome)
            job.upload, job.status, job.finished_at = outcome, UploadJob.DONE, timezone.now()
            job.save(update_fields=["upload", "status", "finished_at"])
            AccessLog.objects.create(
                username=membership.user.get_username(),
                organisation=reader.organisation,
                clearance=int(reader.clearance),
                action=Action.CREATE,
                target=f"upload:{outcome.pk}",
                detail={**_accounting(outcome), "job": job.pk},
            )
    except Exception as exc:  # the job records why; the worker goes on with the next one
        message = str(exc) if isinstance(exc, BluehelmetError) else f"{type(exc).__name__}: {exc}"
        return _finish(job, message)
    path.unlink(missing_ok=True)  # only once the import has committed
    return job


def _finish(job: UploadJob, error: str) -> UploadJob:
    job.status, job.error, job.finished_at = UploadJob.FAILED, error, timezone.now()
    queue.save_as_worker(job, "status", "error", "finished_at")
    (jobs_dir() / job.stored).unlink(missing_ok=True)
    return job


def claim(now: timezone.datetime | None = None) -> UploadJob | None:
    """Take the oldest upload job that is queued or whose worker's lease expired (or ``None``)."""
    job: UploadJob | None = queue.claim(UploadJob, LEASE, now)
    return job


@login_required
def upload_job(request: HttpRequest, pk: int) -> HttpResponse:
    """An upload job's status; its accounting when done (only for the user who sent it)."""
    job = (
        UploadJob.objects.visible_to(request.reader)
        .filter(pk=pk, membership__user=request.user)
        .first()
    )
    if job is None:
        record(request, Action.DENIED, f"upload-job:{pk}")
        raise Http404("No such upload.")
    if job.status == UploadJob.DONE and job.upload_id is not None:
        return redirect("report-upload-result", pk=job.upload_id)
    record(request, Action.VIEW, f"upload-job:{pk}")
    return render(request, "reports/upload_job.html", {"job": job})


def _own_upload(request: HttpRequest, pk: int) -> Upload:
    upload = Upload.objects.filter(pk=pk, membership__user=request.user).first()
    if upload is None:
        record(request, Action.DENIED, f"upload:{pk}")
        raise Http404("No such upload.")
    return upload


@login_required
def upload_result(request: HttpRequest, pk: int) -> HttpResponse:
    """What an upload did: rows read = accepted + repaired + rejected, reports added."""
    upload = _own_upload(request, pk)
    record(request, Action.VIEW, f"upload:{pk}")
    return render(request, "reports/upload_result.html", {"upload": upload})


@login_required
def upload_rejects(request: HttpRequest, pk: int) -> HttpResponse:
    """The rejected rows of an upload as CSV, for the uploader only, audited."""
    upload = _own_upload(request, pk)
    if not upload.rejected:
        raise Http404("This upload has no rejected rows.")
    record(request, Action.EXPORT, f"upload:{pk}:rejects", rows=upload.rejected)
    response = HttpResponse(upload.rejects, content_type="text/csv; charset=utf-8")
    stem = Path(upload.file_name).stem
    response["Content-Disposition"] = f'attachment; filename="{stem}.rejects.csv"'
    return response
