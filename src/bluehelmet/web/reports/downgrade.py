"""Downgrading a classification: explicit, audited, two approvers for strictly confidential.

Only approvers of the organisation that owns the report may downgrade it (the owner decides
further release; the RLS update policy enforces the same). A downgrade from ``confidential`` is
applied at once; one from ``strictly_confidential`` is recorded as pending and applied when a
second approver, not the first, confirms it. Every request and approval is in the access log,
and the change itself in the report's history (django-pghistory).
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from bluehelmet.model.access import AccessContext, Classification
from bluehelmet.web.accounts.middleware import has_role
from bluehelmet.web.accounts.models import Role
from bluehelmet.web.audit.models import Action, record
from bluehelmet.web.reports.models import Downgrade, Report


class DowngradeForm(forms.Form):
    """The lower classification and why."""

    to_level = forms.ChoiceField(choices=[(c.label, c.label) for c in Classification])
    reason = forms.CharField(max_length=2000, min_length=10)


def _owned_report(request: HttpRequest, uid: str) -> Report:
    reader: AccessContext = request.reader
    report = Report.objects.visible_to(reader).filter(uid=uid).first()
    if report is None:
        record(request, Action.DENIED, f"report:{uid}", via="downgrade")
        raise Http404("No such report.")
    if not has_role(request, Role.APPROVER) or report.owner != reader.organisation:
        record(request, Action.DENIED, f"downgrade:{uid}")
        raise PermissionDenied("Only approvers of the owning organisation downgrade a report.")
    return report


def _apply(request: HttpRequest, report: Report, downgrade: Downgrade) -> None:
    report.classification = downgrade.to_level
    report.save(update_fields=["classification"])
    downgrade.applied_at = timezone.now()
    downgrade.save(update_fields=["approved_by", "applied_at"])
    record(
        request,
        Action.DOWNGRADE,
        f"report:{report.uid}",
        **{
            "from": downgrade.from_level,
            "to": downgrade.to_level,
            "requested_by": downgrade.requested_by,
            "approved_by": downgrade.approved_by,
        },
    )


@login_required
@require_POST
def request_downgrade(request: HttpRequest, uid: str) -> HttpResponse:
    """Downgrade (confidential) or ask for a second approver (strictly confidential)."""
    report = _owned_report(request, uid)
    form = DowngradeForm(request.POST)
    current = Classification.parse(report.classification)
    if not form.is_valid() or Classification.parse(form.cleaned_data["to_level"]) >= current:
        raise PermissionDenied(
            "A downgrade needs a lower classification and a reason of at least 10 characters."
        )
    user = request.user.get_username()
    downgrade = Downgrade.objects.create(
        report=report,
        from_level=current.label,
        to_level=form.cleaned_data["to_level"],
        reason=form.cleaned_data["reason"],
        requested_by=user,
    )
    if current is Classification.STRICTLY_CONFIDENTIAL:
        record(request, Action.DOWNGRADE_REQUEST, f"report:{uid}", to=downgrade.to_level)
    else:
        downgrade.approved_by = user
        _apply(request, report, downgrade)
    return redirect("report-detail", uid=uid)


@login_required
@require_POST
def approve_downgrade(request: HttpRequest, uid: str, pk: int) -> HttpResponse:
    """The second approver confirms a pending downgrade of a strictly confidential report."""
    report = _owned_report(request, uid)
    downgrade = Downgrade.objects.filter(pk=pk, report=report, applied_at__isnull=True).first()
    if downgrade is None:
        raise Http404("No such pending downgrade.")
    user = request.user.get_username()
    if downgrade.requested_by == user:
        record(request, Action.DENIED, f"downgrade:{uid}", reason="same approver")
        raise PermissionDenied("A second approver must confirm this downgrade.")
    downgrade.approved_by = user
    _apply(request, report, downgrade)
    return redirect("report-detail", uid=uid)
