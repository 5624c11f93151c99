"""Exports of what the reader may see: reports or incidents, as CSV or GeoJSON, each audited.

Small exports are written on the request; above :data:`~bluehelmet.web.reports.jobs.DIRECT_LIMIT`
rows the request queues a background job instead (:mod:`bluehelmet.web.reports.jobs`) and
sends the reader to the job's page. Either way the rows are read through ``visible_to(reader)``
and the export is in the access log with its row count.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from bluehelmet.web.audit.models import Action, record
from bluehelmet.web.reports.jobs import DIRECT_LIMIT, LAYERS, WRITERS, rows_of
from bluehelmet.web.reports.models import ExportJob

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "geojson": "application/geo+json"}


def _checked(layer: str, fmt: str) -> None:
    if layer not in LAYERS or fmt not in WRITERS:
        raise Http404("Unknown export.")


@login_required
def export(request: HttpRequest, layer: str, fmt: str) -> HttpResponse:
    """The reader's visible ``layer`` as ``fmt``; a background job when the set is large."""
    _checked(layer, fmt)
    if rows_of(layer, request.reader).count() > DIRECT_LIMIT:
        job = ExportJob.objects.create(membership=request.membership, layer=layer, fmt=fmt)
        record(request, Action.EXPORT, f"job:{job.pk}", queued=True, layer=layer, fmt=fmt)
        return redirect("job", pk=job.pk)
    response = HttpResponse(content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{layer}.{fmt}"'
    rows = WRITERS[fmt](layer, request.reader, response)
    record(request, Action.EXPORT, f"{layer}.{fmt}", rows=rows)
    return response


@login_required
@require_POST
def export_job(request: HttpRequest) -> HttpResponse:
    """Queue an export as a background job (``layer`` and ``fmt`` from the form)."""
    layer, fmt = request.POST.get("layer", "reports"), request.POST.get("fmt", "csv")
    _checked(layer, fmt)
    job = ExportJob.objects.create(membership=request.membership, layer=layer, fmt=fmt)
    record(request, Action.EXPORT, f"job:{job.pk}", queued=True, layer=layer, fmt=fmt)
    return redirect("job", pk=job.pk)
