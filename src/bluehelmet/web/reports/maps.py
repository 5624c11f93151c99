"""The operations map: report layers under need-to-know, and the public base map.

The report layer is read through :meth:`ReportQuerySet.visible_to`, like every list and count, so
the map shows exactly what the list shows. With ``?cell=DEGREES`` the server aggregates the
reports into grid cells (count per cell) instead of sending every point.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, FloatField
from django.db.models.functions import Cast, Floor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from bluehelmet.web.audit.models import Action, record
from bluehelmet.web.reports.models import Report


@login_required
def map_page(request: HttpRequest) -> HttpResponse:
    """The map page (Leaflet, vendored; the base map is bundled, no tile server)."""
    return render(request, "reports/map.html")


def _cell(value: str | None) -> float | None:
    try:
        size = float(value) if value else None
    except ValueError:
        return None
    return size if size is not None and 0.01 <= size <= 10 else None


@login_required
def reports_geojson(request: HttpRequest) -> JsonResponse:
    """Visible reports with coordinates as GeoJSON points, or grid clusters with ``?cell=``."""
    located = Report.objects.visible_to(request.reader).filter(
        longitude__isnull=False, latitude__isnull=False)
    features: list[dict[str, Any]] = []
    size = _cell(request.GET.get("cell"))
    if size is None:
        for uid, lon, lat, category, time, level in located.values_list(
                "uid", "longitude", "latitude", "category", "time", "classification"):
            features.append(_point(lon, lat, id=uid, category=category, time=time,
                                   classification=level))
    else:
        cells = (located.annotate(cx=Floor(Cast(F("longitude"), FloatField()) / size),
                                  cy=Floor(Cast(F("latitude"), FloatField()) / size))
                 .values("cx", "cy").annotate(n=Count("id")).order_by("cx", "cy"))
        for cell in cells:
            features.append(_point((cell["cx"] + 0.5) * size, (cell["cy"] + 0.5) * size,
                                   count=cell["n"]))
    record(request, Action.LIST, "map:reports", features=len(features), cell=size)
    return JsonResponse({"type": "FeatureCollection", "features": features})


def _point(lon: float, lat: float, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": properties}


def base_geojson(request: HttpRequest) -> HttpResponse:
    """Country outlines (Natural Earth, public domain, bundled with bluehelmet)."""
    from bluehelmet.reference.files import reference_path

    text = reference_path("naturalearth_lowres_countries.geojson").read_text()
    response = HttpResponse(text, content_type="application/geo+json")
    response["Cache-Control"] = "public, max-age=86400"
    return response
