"""CSV upload of reports through the library's importer, with the row accounting shown.

The uploaded file is read by :func:`bluehelmet.intel.importing.read_input` (the same sniffing,
validation, repairs and rejects as ``bluehelmet intel import``) and added through
:class:`~bluehelmet.web.reports.pgstore.PlatformReportStore` with the library's write rights
(owner = the uploader's organisation, classification at most their clearance). The page shows
``rows read = accepted + repaired + rejected``; the rejected rows (line, field, value, reason,
fix and the row as read) are downloadable by the uploader. Every upload, and every refused one,
is in the access log. The whole upload is one transaction (the request's).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from bluehelmet.errors import BluehelmetError
from bluehelmet.intel.importing import add_to_store, read_input
from bluehelmet.intel.reports import PROTECTED
from bluehelmet.io.csvsafe import neutralise_frame
from bluehelmet.web.accounts.middleware import has_role
from bluehelmet.web.accounts.models import Role
from bluehelmet.web.audit.models import Action, record
from bluehelmet.web.reports.models import Upload
from bluehelmet.web.reports.pgstore import PlatformReportStore

#: Largest file accepted (bytes); bigger imports belong on the command line.
MAX_BYTES = 50 * 1024 * 1024


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


@login_required
def upload_reports(request: HttpRequest) -> HttpResponse:
    """Upload a CSV of reports (reporters and analysts), owned by the active organisation."""
    if not (has_role(request, Role.REPORTER) or has_role(request, Role.ANALYST)):
        record(request, Action.DENIED, "report:upload")
        raise PermissionDenied("Only reporters and analysts upload reports.")
    form = UploadForm(request.POST or None, request.FILES or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        name = _safe_name(form.cleaned_data["file"].name)
        with tempfile.TemporaryDirectory(prefix="bh-upload-") as folder:
            path = Path(folder) / name
            with path.open("wb") as handle:
                for chunk in form.cleaned_data["file"].chunks():
                    handle.write(chunk)
            try:
                result, published = read_input(path)
            except BluehelmetError as exc:
                error = str(exc).replace(folder + "/", "")
        if not error:
            outcome = add_to_store(result, published, PlatformReportStore(), request.reader)
            report = outcome.report
            rejects = neutralise_frame(report.rejects.drop(columns=[PROTECTED], errors="ignore"))
            upload = Upload.objects.create(
                membership=request.membership,
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
            record(
                request,
                Action.CREATE,
                f"upload:{upload.pk}",
                file=name,
                rows_read=report.rows_read,
                accepted=report.accepted,
                repaired=report.repaired,
                rejected=report.rejected,
                added=outcome.added,
            )
            return redirect("report-upload-result", pk=upload.pk)
    status = 200
    if request.method == "POST":  # refused: the form's or the importer's reason is shown
        record(request, Action.DENIED, "report:upload", reason=error or "form invalid")
        status = 400
    return render(request, "reports/upload.html", {"form": form, "error": error}, status=status)


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
