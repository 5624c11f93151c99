"""The operations picture: layers of reports, incidents, hotspots, early-warning risk and bases.

Every layer is computed from what the reader may see: reports and incidents through
``visible_to(reader)`` (RLS underneath), hotspots and risk by the library
(:mod:`bluehelmet.intel.hotspots`, :mod:`bluehelmet.intel.early_warning`) from the reader's
visible reports only, bases from the bundled protection table through the library's mask. Each
layer answers the time window of :class:`~bluehelmet.web.reports.window.Window` and carries the
highest classification of what it was computed from (``classification`` at the top level).

Reports are clustered on the server: with ``?cell=DEGREES``, or by themselves when more than
:data:`POINT_LIMIT` reports are in the window, the database counts reports per grid cell (one
``GROUP BY``), so 100,000 reports cost one aggregate query and a few hundred features.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pandas as pd
from django.contrib.auth.decorators import login_required
from django.db.models import Case, Count, F, FloatField, IntegerField, Max, Min, Q, Value, When
from django.db.models.functions import Cast, Floor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from bluehelmet.model.access import AccessContext, Classification
from bluehelmet.web.audit.models import Action, record
from bluehelmet.web.reports.fusing import report_frame
from bluehelmet.web.reports.models import Incident, Report, ReportQuerySet
from bluehelmet.web.reports.window import Window

#: Above this many located reports in the window, the report layer is clustered.
POINT_LIMIT = 5000
HALF_CELL = 0.25  # PRIO-GRID cells are 0.5 degrees
#: The bundled scenario whose units in place the map shows.
UNITS_SCENARIO = "2018"
LEVEL = Case(
    *[When(classification=c.label, then=Value(int(c))) for c in Classification],
    default=Value(int(Classification.STRICTLY_CONFIDENTIAL)),
    output_field=IntegerField(),
)


@login_required
def map_page(request: HttpRequest) -> HttpResponse:
    """The map page; the time slider spans the years of the reports the reader may see."""
    span = Report.objects.visible_to(request.reader).aggregate(first=Min("time"), last=Max("time"))
    first, last = (span["first"] or "")[:4], (span["last"] or "")[:4]
    return render(request, "reports/map.html", {"first_year": first, "last_year": last})


def _cell(value: str | None) -> float | None:
    try:
        size = float(value) if value else None
    except ValueError:
        return None
    return size if size is not None and 0.01 <= size <= 10 else None


def _bbox(value: str | None) -> tuple[float, float, float, float] | None:
    try:
        west, south, east, north = (float(v) for v in (value or "").split(","))
    except ValueError:
        return None
    return (west, south, east, north) if west < east and south < north else None


def _highest(rows: Any) -> str:
    level = rows.aggregate(level=Max(LEVEL))["level"]
    return Classification(level if level is not None else 0).label


def _collection(features: list[dict[str, Any]], classification: str, **extra: Any) -> JsonResponse:
    return JsonResponse(
        {
            "type": "FeatureCollection",
            "classification": classification,
            **extra,
            "features": features,
        }
    )


def located_reports(reader: AccessContext, request: HttpRequest) -> ReportQuerySet:
    """The reader's located reports in the request's window (and bounding box, if given)."""
    rows = (
        Window.from_request(request)
        .apply(Report.objects.visible_to(reader))
        .filter(longitude__isnull=False, latitude__isnull=False)
    )
    if (box := _bbox(request.GET.get("bbox"))) is not None:
        west, south, east, north = box
        rows = rows.filter(
            longitude__gte=west, longitude__lte=east, latitude__gte=south, latitude__lte=north
        )
    return rows


@login_required
def reports_geojson(request: HttpRequest) -> JsonResponse:
    """Visible reports as points, or as grid clusters (``?cell=``, or when there are many)."""
    located = located_reports(request.reader, request)
    size = _cell(request.GET.get("cell"))
    total = None
    if size is None:
        total = located.count()
        if total > POINT_LIMIT:
            box = _bbox(request.GET.get("bbox")) or (-180.0, -90.0, 180.0, 90.0)
            size = max(0.05, min(10.0, (box[2] - box[0]) / 64))
    features: list[dict[str, Any]] = []
    if size is None:
        labels: set[str] = set()
        for uid, lon, lat, category, time, level in located.values_list(
            "uid", "longitude", "latitude", "category", "time", "classification"
        ):
            features.append(
                _point(lon, lat, id=uid, category=category, time=time, classification=level)
            )
            labels.add(level)
        marking = max(
            (Classification.parse(c) for c in labels), default=Classification.UNCLASSIFIED
        ).label
    else:
        cells = (
            located.annotate(
                cx=Floor(Cast(F("longitude"), FloatField()) / size),
                cy=Floor(Cast(F("latitude"), FloatField()) / size),
            )
            .values("cx", "cy")
            .annotate(n=Count("id"), level=Max(LEVEL))
            .order_by("cx", "cy")
        )
        level = 0
        for cell in cells:
            level = max(level, cell["level"])
            features.append(
                _point(
                    (cell["cx"] + 0.5) * size,
                    (cell["cy"] + 0.5) * size,
                    count=cell["n"],
                    classification=Classification(cell["level"]).label,
                )
            )
        marking = Classification(level).label
    record(
        request,
        Action.LIST,
        "map:reports",
        features=len(features),
        cell=size,
        **Window.from_request(request).detail(),
    )
    return _collection(features, marking, cell=size)


@login_required
def incidents_geojson(request: HttpRequest) -> JsonResponse:
    """Visible open incidents with a place, with the number of their reports the reader sees."""
    reader: AccessContext = request.reader
    window = Window.from_request(request)
    incidents = window.apply(Incident.objects.visible_to(reader), "first_time").filter(
        status=Incident.OPEN, longitude__isnull=False, latitude__isnull=False
    )
    visible = Report.objects.visible_to(reader).values("pk")
    rows = incidents.annotate(n=Count("links", filter=Q(links__report__in=visible)))
    features = [
        _point(
            i.longitude,
            i.latitude,
            id=i.uid,
            title=i.title,
            category=i.category,
            time=i.first_time,
            reports=i.n,
            classification=i.classification,
        )
        for i in rows.order_by("first_time", "uid")
    ]
    record(request, Action.LIST, "map:incidents", features=len(features), **window.detail())
    return _collection(features, _highest(incidents))


def _visible_frame(request: HttpRequest) -> pd.DataFrame:
    return report_frame(
        Window.from_request(request).apply(Report.objects.visible_to(request.reader))
    )


def _square(lon: float, lat: float, **properties: Any) -> dict[str, Any]:
    ring = [
        [lon - HALF_CELL, lat - HALF_CELL],
        [lon + HALF_CELL, lat - HALF_CELL],
        [lon + HALF_CELL, lat + HALF_CELL],
        [lon - HALF_CELL, lat + HALF_CELL],
        [lon - HALF_CELL, lat - HALF_CELL],
    ]
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": properties,
    }


@login_required
def hotspots_geojson(request: HttpRequest) -> JsonResponse:
    """Getis-Ord Gi* hotspot cells (FDR 5 %) of the reports the reader may see.

    The layer's marking is the view's (the reports that passed the library's gate).
    """
    from bluehelmet.intel.hotspots import hotspots
    from bluehelmet.intel.view import ReportTable

    view = ReportTable(_visible_frame(request), "platform map").view(request.reader)
    found = pd.DataFrame(columns=["gid", "longitude", "latitude", "value", "z", "p"])
    if view.reports[["longitude", "latitude"]].notna().all(axis=1).any():  # else nothing to count
        cells = hotspots(view, value="reports", fdr=True)
        found = cells[cells["hotspot"]]
    features = [
        _square(
            float(c["longitude"]),
            float(c["latitude"]),
            gid=int(c["gid"]),
            reports=int(c["value"]),
            z=round(float(c["z"]), 2),
            p=float(c["p"]),
        )
        for c in found.to_dict("records")
    ]
    record(
        request,
        Action.LIST,
        "map:hotspots",
        features=len(features),
        **Window.from_request(request).detail(),
    )
    return _collection(features, view.marking.label)


@login_required
def risk_geojson(request: HttpRequest) -> JsonResponse:
    """Early-warning risk of civilian deaths next year, per cell, from the reader's reports.

    Never trained here: the layer stored for the fingerprint of the reader's visible reports
    (:mod:`bluehelmet.web.reports.risk`), else ``pending`` with the job that trains it.
    """
    from bluehelmet.web.reports.risk import layer_for

    window = Window.from_request(request)
    reports = window.apply(Report.objects.visible_to(request.reader))
    if request.membership is None or not reports.exists():  # nothing to train on, or no one
        record(request, Action.LIST, "map:risk", features=0, **window.detail())
        return _collection([], Classification.UNCLASSIFIED.label, year=None, pending=False)
    layer, job = layer_for(reports, window, request.membership)
    if layer is None:
        assert job is not None
        record(request, Action.LIST, "map:risk", pending=job.pk, **window.detail())
        return _collection(
            [],
            _highest(reports),
            year=None,
            pending=job.status in (job.QUEUED, job.RUNNING),
            error=job.error,
        )
    features = [
        _square(c["longitude"], c["latitude"], gid=c["gid"], risk=c["risk"]) for c in layer.cells
    ]
    record(
        request, Action.LIST, "map:risk", features=len(features), year=layer.year, **window.detail()
    )
    return _collection(features, layer.classification, year=layer.year, pending=False)


@cache
def _bases() -> pd.DataFrame:
    from importlib import resources

    from bluehelmet.model.access import release_lists

    root = resources.files("bluehelmet.datasets").joinpath("protect")
    files = sorted(str(p) for p in root.iterdir() if p.name.endswith("_bases.csv"))
    table = pd.concat(
        [pd.read_csv(f, dtype={"releasable_to": str}) for f in files], ignore_index=True
    )
    table["releasable_to"] = release_lists(table["releasable_to"])
    return table


@login_required
def bases_geojson(request: HttpRequest) -> JsonResponse:
    """The missions' bases (the bundled protection tables) the reader may see."""
    table = _bases()
    shown = table[request.reader.policy.mask(table).to_numpy(bool)]
    features = [
        _point(
            float(b.longitude),
            float(b.latitude),
            id=b.id,
            name=b.name,
            kind=b.kind,
            mission=b.mission_id,
            year=int(b.year),
            classification=b.classification,
        )
        for b in shown.itertuples()
    ]
    record(request, Action.LIST, "map:bases", features=len(features))
    return _collection(
        features,
        Classification.UNCLASSIFIED.label
        if shown.empty
        else max(Classification.parse(c) for c in shown["classification"]).label,
    )


@cache
def _scenario() -> Any:
    from bluehelmet.scenario.io import load_scenario

    return load_scenario(UNITS_SCENARIO)


@login_required
def units_geojson(request: HttpRequest) -> JsonResponse:
    """The units in place of the bundled scenario, one point per base, through its gate.

    ``Scenario.view(reader)`` applies need-to-know and the reference closure (a unit of a mission
    or contributor the reader may not see is hidden).
    """
    units = _scenario().view(request.reader).units_in_place
    located = units.dropna(subset=["longitude", "latitude"])
    features = []
    for (mission, place, lon, lat), group in located.groupby(
        ["mission_id", "location", "longitude", "latitude"], sort=True
    ):
        lines = [
            f"{u['contributor_id']} {u['unit_type_id']} x{u['count']}"
            for u in group.to_dict("records")
        ]
        features.append(
            _point(
                float(lon),
                float(lat),
                mission=str(mission),
                location=str(place),
                units=lines,
                classification=max(Classification.parse(c) for c in group["classification"]).label,
            )
        )
    record(request, Action.LIST, "map:units", features=len(features))
    return _collection(
        features,
        max(
            (Classification.parse(f["properties"]["classification"]) for f in features),
            default=Classification.UNCLASSIFIED,
        ).label,
        scenario=UNITS_SCENARIO,
    )


def _point(lon: float, lat: float, **properties: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": properties,
    }


def base_geojson(request: HttpRequest) -> HttpResponse:
    """Country outlines (Natural Earth, public domain, bundled with bluehelmet)."""
    from bluehelmet.reference.files import reference_path

    text = reference_path("naturalearth_lowres_countries.geojson").read_text()
    response = HttpResponse(text, content_type="application/geo+json")
    response["Cache-Control"] = "public, max-age=86400"
    return response
