"""Pages of incident triage: the incident list, the fusion proposals, an incident and its history.

Every page reads through ``visible_to(reader)`` (and RLS underneath); every decision is a POST by
an analyst (downgrades: an approver of the owning organisation), kept with its reason in the
incident's history and written to the access log. With HTMX, the forms swap only the part of
the page they change; without JavaScript they are ordinary forms and the server redirects.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from bluehelmet.model.access import AccessContext, Classification
from bluehelmet.web.accounts.middleware import has_role
from bluehelmet.web.accounts.models import Role
from bluehelmet.web.audit.models import Action, record
from bluehelmet.web.reports import fusing
from bluehelmet.web.reports.models import CATEGORIES, Incident, Report, TriageAction
from bluehelmet.web.reports.window import Window

REASON = forms.CharField(max_length=2000, min_length=10)


class DecisionForm(forms.Form):
    """A triage decision: which reports, and why."""

    report = forms.MultipleChoiceField(required=False)
    reason = REASON
    title = forms.CharField(max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["report"].choices = [(v, v) for v in self.data.getlist("report")]


def _htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _analyst(request: HttpRequest, target: str) -> AccessContext:
    if not has_role(request, Role.ANALYST):
        record(request, Action.DENIED, target)
        raise PermissionDenied("Only analysts triage incidents.")
    reader: AccessContext = request.reader
    return reader


@login_required
def incident_list(request: HttpRequest) -> HttpResponse:
    """Incidents the reader may see, with their count; filtered by category, status and time."""
    window = Window.from_request(request)
    incidents = window.apply(Incident.objects.visible_to(request.reader), "first_time")
    status = request.GET.get("status", Incident.OPEN)
    if status in (Incident.OPEN, Incident.MERGED):
        incidents = incidents.filter(status=status)
    page = Paginator(incidents.order_by("-first_time", "uid"), 50).get_page(request.GET.get("page"))
    record(request, Action.LIST, "incidents", count=page.paginator.count, **window.detail())
    context = {"page": page, "categories": CATEGORIES, "window": window, "status": status}
    template = "reports/_incident_rows.html" if _htmx(request) else "reports/incidents.html"
    return render(request, template, context)


@login_required
def triage(request: HttpRequest) -> HttpResponse:
    """The fusion engine's proposals over the analyst's untriaged reports in a time window."""
    reader = _analyst(request, "triage")
    window = Window.from_request(request)
    error = ""
    try:
        found = fusing.proposals(window.apply(Report.objects.visible_to(reader), "time"), reader)
    except fusing.TriageError as exc:
        found, error = [], str(exc)
    record(request, Action.LIST, "triage", proposals=len(found), **window.detail())
    template = "reports/_proposals.html" if _htmx(request) else "reports/triage.html"
    return render(
        request,
        template,
        {"proposals": found, "window": window, "error": error, "categories": CATEGORIES},
    )


@login_required
@require_POST
def accept(request: HttpRequest) -> HttpResponse:
    """Make an incident of the chosen reports (a proposal or part of it), with the reason."""
    reader = _analyst(request, "triage")
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _refused(request, "give a reason of at least 10 characters", status=400)
    try:
        incident = fusing.accept(
            reader,
            request.user.get_username(),
            form.cleaned_data["report"],
            form.cleaned_data["reason"],
            form.cleaned_data["title"],
        )
    except fusing.TriageError as exc:
        return _refused(request, str(exc))
    record(
        request,
        Action.TRIAGE,
        f"incident:{incident.uid}",
        kind="accept",
        reports=len(form.cleaned_data["report"]),
    )
    if _htmx(request):
        return render(request, "reports/_accepted.html", {"incident": incident})
    return redirect("incident-detail", uid=incident.uid)


def _refused(request: HttpRequest, message: str, status: int = 409) -> HttpResponse:
    record(request, Action.DENIED, "triage", reason=message)
    if _htmx(request):  # swapped into the form that was sent (htmx swaps 2xx answers only)
        return render(request, "reports/_refused.html", {"message": message})
    return render(request, "reports/refused.html", {"message": message}, status=status)


def _visible_incident(request: HttpRequest, uid: str) -> Incident:
    incident = Incident.objects.visible_to(request.reader).filter(uid=uid).first()
    if incident is None:  # hidden and missing look the same
        record(request, Action.DENIED, f"incident:{uid}")
        raise Http404("No such incident.")
    return incident


@login_required
def incident_detail(request: HttpRequest, uid: str) -> HttpResponse:
    """An incident, the reports of it the reader may see, and its history they are cleared for."""
    incident = _visible_incident(request, uid)
    record(request, Action.VIEW, f"incident:{uid}")
    return render(request, "reports/incident.html", _context(request, incident))


def _context(request: HttpRequest, incident: Incident, **extra: Any) -> dict[str, Any]:
    reader: AccessContext = request.reader
    reports = fusing.reports_of(incident, reader)
    shown = {r.uid for r in reports}
    history = [
        (a, [u for u in a.reports if u in shown])  # never name a report hidden now
        for a in TriageAction.objects.visible_to(reader).filter(incident=incident)
    ]
    analyst = has_role(request, Role.ANALYST) and fusing.may_triage(incident, reader)
    approver = has_role(request, Role.APPROVER) and fusing.may_triage(incident, reader)
    current = Classification.parse(incident.classification)
    pending = _pending(incident) if approver else []
    others = (
        Incident.objects.visible_to(reader)
        .filter(owner=incident.owner, status=Incident.OPEN)
        .exclude(pk=incident.pk)
        .order_by("-first_time")[:200]
        if analyst and incident.status == Incident.OPEN
        else []
    )
    return {
        "incident": incident,
        "reports": reports,
        "history": history,
        "can_triage": analyst and incident.status == Incident.OPEN,
        "others": others,
        "can_downgrade": approver and current > Classification.UNCLASSIFIED,
        "lower_levels": [c.label for c in Classification if c < current],
        "pending": pending,
        **extra,
    }


def _pending(incident: Incident) -> list[TriageAction]:
    return list(
        incident.actions.filter(
            action=TriageAction.DOWNGRADE_REQUEST,
            approvals__isnull=True,
            classification=incident.classification,
        )
    )


def _decision(request: HttpRequest, uid: str) -> tuple[Incident, AccessContext, DecisionForm]:
    incident = _visible_incident(request, uid)
    reader = _analyst(request, f"incident:{uid}")
    form = DecisionForm(request.POST)
    if not form.is_valid():
        raise PermissionDenied("A triage decision needs a reason of at least 10 characters.")
    return incident, reader, form


@login_required
@require_POST
def split(request: HttpRequest, uid: str) -> HttpResponse:
    """Move the chosen reports of an incident into a new incident."""
    incident, reader, form = _decision(request, uid)
    try:
        new = fusing.split(
            incident,
            reader,
            request.user.get_username(),
            form.cleaned_data["report"],
            form.cleaned_data["reason"],
        )
    except fusing.TriageError as exc:
        return _refused(request, str(exc))
    record(request, Action.TRIAGE, f"incident:{uid}", kind="split", into=new.uid)
    return redirect("incident-detail", uid=uid)


@login_required
@require_POST
def merge(request: HttpRequest, uid: str) -> HttpResponse:
    """Merge another incident of the same organisation into this one."""
    incident, reader, form = _decision(request, uid)
    other = _visible_incident(request, request.POST.get("other", ""))
    try:
        fusing.merge(
            incident, other, reader, request.user.get_username(), form.cleaned_data["reason"]
        )
    except fusing.TriageError as exc:
        return _refused(request, str(exc))
    record(request, Action.TRIAGE, f"incident:{uid}", kind="merge", merged=other.uid)
    return redirect("incident-detail", uid=uid)


class DowngradeForm(forms.Form):
    """The lower classification and why."""

    to_level = forms.ChoiceField(choices=[(c.label, c.label) for c in Classification])
    reason = REASON


def _approver(request: HttpRequest, uid: str) -> Incident:
    incident = _visible_incident(request, uid)
    if not has_role(request, Role.APPROVER) or not fusing.may_triage(incident, request.reader):
        record(request, Action.DENIED, f"downgrade:incident:{uid}")
        raise PermissionDenied(
            "Only approvers of the owning organisation who may see every "
            "report of the incident downgrade it."
        )
    return incident


@login_required
@require_POST
def downgrade(request: HttpRequest, uid: str) -> HttpResponse:
    """Downgrade (from confidential) or ask a second approver (from strictly confidential)."""
    incident = _approver(request, uid)
    form = DowngradeForm(request.POST)
    current = Classification.parse(incident.classification)
    if not form.is_valid() or Classification.parse(form.cleaned_data["to_level"]) >= current:
        raise PermissionDenied(
            "A downgrade needs a lower classification and a reason of at least 10 characters."
        )
    by, to = request.user.get_username(), form.cleaned_data["to_level"]
    ask = fusing.record_action(
        incident, TriageAction.DOWNGRADE_REQUEST, form.cleaned_data["reason"], by, to_level=to
    )
    if current is Classification.STRICTLY_CONFIDENTIAL:
        record(request, Action.DOWNGRADE_REQUEST, f"incident:{uid}", to=to)
    else:
        _apply(request, incident, ask, by)
    return redirect("incident-detail", uid=uid)


@login_required
@require_POST
def approve_downgrade(request: HttpRequest, uid: str, pk: int) -> HttpResponse:
    """A second approver confirms the downgrade of a strictly confidential incident."""
    incident = _approver(request, uid)
    ask = next((a for a in _pending(incident) if a.pk == pk), None)
    if ask is None:
        raise Http404("No such pending downgrade.")
    by = request.user.get_username()
    if ask.by == by:
        record(request, Action.DENIED, f"downgrade:incident:{uid}", reason="same approver")
        raise PermissionDenied("A second approver must confirm this downgrade.")
    _apply(request, incident, ask, by)
    return redirect("incident-detail", uid=uid)


def _apply(request: HttpRequest, incident: Incident, ask: TriageAction, by: str) -> None:
    before = incident.classification
    incident.classification = ask.to_level
    incident.save(update_fields=["classification"])
    fusing.record_action(
        incident, TriageAction.DOWNGRADE, ask.reason, by, request=ask, to_level=ask.to_level
    )
    record(
        request,
        Action.DOWNGRADE,
        f"incident:{incident.uid}",
        **{
            "from": before,
            "to": ask.to_level,
            "requested_by": ask.by,
            "approved_by": by,
            "at": timezone.now().isoformat(),
        },
    )
