"""The REST API (django-ninja, OpenAPI at ``/api/docs``): same reader, same filter, same log."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest
from ninja import NinjaAPI, Schema
from ninja.security import django_auth

from bluehelmet.web.audit.models import Action, record
from bluehelmet.web.reports.models import Incident, IncidentReport, Report

api = NinjaAPI(
    title="bluehelmet",
    version="1",
    auth=django_auth,
    urls_namespace="api",
    docs_decorator=login_required,
)
api.add_router("/forcegen", "bluehelmet.web.forcegen.api.router")


class ReportOut(Schema):
    """A report as the API returns it (never the reporter's identity)."""

    id: str
    time: str
    category: str
    place_name: str
    longitude: float | None
    latitude: float | None
    source_type: str
    classification: str
    owner: str
    releasable_to: list[str]
    description: str


class ReportPage(Schema):
    """One page of reports and the total the reader may see."""

    count: int
    results: list[ReportOut]


def _out(report: Report) -> ReportOut:
    return ReportOut(
        id=report.uid,
        time=report.time,
        category=report.category,
        place_name=report.place_name,
        longitude=report.longitude,
        latitude=report.latitude,
        source_type=report.source_type,
        classification=report.classification,
        owner=report.owner,
        releasable_to=list(report.releasable_to),
        description=report.description,
    )


@api.get("/reports", response=ReportPage)
def list_reports(request: HttpRequest, limit: int = 100, offset: int = 0) -> ReportPage:
    """Reports visible to the caller, newest first."""
    reports = Report.objects.visible_to(request.reader)
    count = reports.count()
    limit = max(0, min(limit, 1000))
    rows = list(reports.order_by("-time", "uid")[offset : offset + limit])
    record(request, Action.API, "reports", count=count, offset=offset, limit=limit)
    return ReportPage(count=count, results=[_out(r) for r in rows])


@api.get("/reports/{uid}", response=ReportOut)
def get_report(request: HttpRequest, uid: str) -> ReportOut:
    """One report, or 404 whether it is missing or hidden."""
    report = Report.objects.visible_to(request.reader).filter(uid=uid).first()
    if report is None:
        record(request, Action.DENIED, f"report:{uid}", via="api")
        raise Http404("No such report.")
    record(request, Action.API, f"report:{uid}")
    return _out(report)


class IncidentOut(Schema):
    """An incident; ``reports`` lists only the reports of it the caller may see."""

    id: str
    title: str
    first_time: str
    last_time: str
    longitude: float | None
    latitude: float | None
    category: str
    status: str
    classification: str
    owner: str
    releasable_to: list[str]
    reports: list[str]


@api.get("/incidents", response=list[IncidentOut])
def list_incidents(request: HttpRequest, limit: int = 100, offset: int = 0) -> list[IncidentOut]:
    """Incidents visible to the caller, newest first, each with its reports the caller sees."""
    rows = Incident.objects.visible_to(request.reader).order_by("-first_time", "uid")
    limit = max(0, min(limit, 1000))
    page = list(rows[offset : offset + limit])
    links: dict[int, list[str]] = {}
    for incident, uid in (
        IncidentReport.objects.filter(
            incident__in=page, report__in=Report.objects.visible_to(request.reader)
        )
        .order_by("report__time", "report__uid")
        .values_list("incident_id", "report__uid")
    ):
        links.setdefault(incident, []).append(uid)
    record(request, Action.API, "incidents", offset=offset, limit=limit, rows=len(page))
    return [
        IncidentOut(
            id=i.uid,
            title=i.title,
            first_time=i.first_time,
            last_time=i.last_time,
            longitude=i.longitude,
            latitude=i.latitude,
            category=i.category,
            status=i.status,
            classification=i.classification,
            owner=i.owner,
            releasable_to=list(i.releasable_to),
            reports=links.get(i.pk, []),
        )
        for i in page
    ]
