"""The force-generation API (django-ninja, under ``/api/forcegen``): same reader, filter and log."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Router, Schema

from bluehelmet.web.audit.models import Action, record
from bluehelmet.web.forcegen.models import Pledge, RequestLine
from bluehelmet.web.forcegen.registry import with_levels

router = Router(tags=["force generation"])


class PledgeOut(Schema):
    """A pledge as the API returns it."""

    id: str
    contributor: str
    unit_type: str
    count: int
    pcrs_level: str | None
    stage: str | None
    available_from: str
    available_until: str | None
    rotation_months: int
    women_share: float
    languages: list[str]
    excluded_missions: list[str]
    national_restrictions: str
    classification: str
    owner: str
    releasable_to: list[str]


class PledgePage(Schema):
    """Pledges the caller may see, and how many."""

    count: int
    results: list[PledgeOut]


class RequestOut(Schema):
    """A published request line."""

    id: int
    mission: str
    unit_type: str
    units: int
    unit_months: float
    first_month: str
    priority: str
    specification: str
    addressed_to: str


def _pledge(p: Pledge) -> PledgeOut:
    return PledgeOut(
        id=p.uid,
        contributor=p.contributor,
        unit_type=p.unit_type,
        count=p.count,
        pcrs_level=getattr(p, "level", None),
        stage=getattr(p, "stage", None),
        available_from=p.available_from.isoformat(),
        available_until=p.available_until.isoformat() if p.available_until else None,
        rotation_months=p.rotation_months,
        women_share=p.women_share,
        languages=list(p.languages),
        excluded_missions=list(p.excluded_missions),
        national_restrictions=p.national_restrictions,
        classification=p.classification,
        owner=p.owner,
        releasable_to=list(p.releasable_to),
    )


@router.get("/pledges", response=PledgePage)
def list_pledges(request: HttpRequest, limit: int = 100, offset: int = 0) -> PledgePage:
    """Pledges visible to the caller, by id."""
    pledges = Pledge.objects.visible_to(request.reader)
    count = pledges.count()
    limit = max(0, min(limit, 1000))
    rows = list(with_levels(pledges).order_by("uid")[offset : offset + limit])
    record(request, Action.API, "pledges", count=count, offset=offset, limit=limit)
    return PledgePage(count=count, results=[_pledge(p) for p in rows])


@router.get("/pledges/{uid}", response=PledgeOut)
def get_pledge(request: HttpRequest, uid: str) -> PledgeOut:
    """One pledge, or 404 whether it is missing or hidden."""
    pledge = with_levels(Pledge.objects.visible_to(request.reader).filter(uid=uid)).first()
    if pledge is None:
        record(request, Action.DENIED, f"pledge:{uid}", via="api")
        raise Http404("No such pledge.")
    record(request, Action.API, f"pledge:{uid}")
    return _pledge(pledge)


@router.get("/requests", response=list[RequestOut])
def list_requests(request: HttpRequest) -> list[RequestOut]:
    """Published request lines released to the caller."""
    rows = list(RequestLine.objects.visible_to(request.reader))
    record(request, Action.API, "requests", count=len(rows))
    return [
        RequestOut(
            id=r.pk,
            mission=r.mission,
            unit_type=r.unit_type,
            units=r.units,
            unit_months=r.unit_months,
            first_month=r.first_month,
            priority=r.priority,
            specification=r.specification,
            addressed_to=r.addressed_to,
        )
        for r in rows
    ]
