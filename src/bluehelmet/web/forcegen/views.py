"""Pages of the pledge registry: overview, list, register, update, stages, CSV in and out.

Every read goes through ``visible_to(request.reader)`` (the one need-to-know rule, with RLS
underneath) and every view, list, export, change and denial is written to the access log.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from bluehelmet.web.accounts.middleware import has_role
from bluehelmet.web.accounts.models import Organisation, OrgKind, Role
from bluehelmet.web.audit.models import Action, record
from bluehelmet.web.forcegen.history import changes
from bluehelmet.web.forcegen.models import (
    FORCE_GENERATION_ORG,
    Pledge,
    PledgeStage,
    RequestLine,
    Stage,
)
from bluehelmet.web.forcegen.registry import (
    RegistryError,
    export_pledges,
    import_pledges,
    record_stage,
    register,
    unit_type_choices,
    update,
    with_levels,
    withdraw,
    withdrawn_on,
)

LEVELS = [("L1", "L1"), ("L2", "L2"), ("L3", "L3"), ("RDL", "RDL")]


def is_member_state(request: HttpRequest) -> bool:
    """Whether the reader acts for a contributing member state (registers its own pledges)."""
    membership = getattr(request, "membership", None)
    return membership is not None and membership.organisation.kind == OrgKind.CONTRIBUTOR


def is_force_generation(request: HttpRequest) -> bool:
    """Whether the reader is a DPO force-generation officer (verifies, records stages)."""
    return (
        has_role(request, Role.FORCE_GENERATION)
        and request.reader.organisation == FORCE_GENERATION_ORG
    )


def is_planner(request: HttpRequest) -> bool:
    """Whether the reader keeps requirements, runs plans and publishes requests."""
    return has_role(request, Role.PLANNER)


def deny(request: HttpRequest, target: str, why: str) -> PermissionDenied:
    """Log a denial and return the exception to raise."""
    record(request, Action.DENIED, target, reason=why)
    return PermissionDenied(why)


class PledgeForm(forms.Form):
    """What a member state offers (the library's pledge fields)."""

    unit_type_id = forms.ChoiceField(label="Unit type")
    count = forms.IntegerField(min_value=1, initial=1)
    pcrs_level = forms.ChoiceField(label="Declared PCRS level", choices=LEVELS, initial="L1")
    available_from = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    available_until = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    rotation_months = forms.TypedChoiceField(choices=[(6, "6"), (12, "12")], coerce=int, initial=12)
    women_share = forms.FloatField(
        min_value=0, max_value=1, initial=0.0, label="Share of women (0-1)"
    )
    languages = forms.CharField(required=False, help_text="ISO 639-1 codes, ';'-separated")
    excluded_missions = forms.CharField(
        required=False, label="Caveats: missions excluded", help_text="mission ids, ';'-separated"
    )
    excluded_regions = forms.CharField(required=False, label="Caveats: regions excluded")
    national_restrictions = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Other national caveats"
    )
    classification = forms.ChoiceField(
        choices=[("confidential", "confidential"), ("unclassified", "unclassified")],
        initial="confidential",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit_type_id"].choices = unit_type_choices()


def _fields(form: PledgeForm) -> dict[str, object]:
    data = dict(form.cleaned_data)
    return {k: ("" if v is None else v) for k, v in data.items()}


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """Counts the reader may see, and what they may do."""
    pledges = Pledge.objects.visible_to(request.reader).count()
    requests = RequestLine.objects.visible_to(request.reader).count()
    record(request, Action.COUNT, "pledges", count=pledges, requests=requests)
    return render(
        request,
        "forcegen/overview.html",
        {
            "pledges": pledges,
            "requests": requests,
            "member_state": is_member_state(request),
            "force_generation": is_force_generation(request),
            "planner": is_planner(request),
        },
    )


@login_required
def pledge_list(request: HttpRequest) -> HttpResponse:
    """Pledges the reader may see, with their level and latest stage."""
    pledges = with_levels(Pledge.objects.visible_to(request.reader)).order_by("uid")
    rows = list(pledges[:500])
    count = pledges.count()
    record(request, Action.LIST, "pledges", count=count)
    return render(
        request,
        "forcegen/pledges.html",
        {
            "pledges": rows,
            "count": count,
            "member_state": is_member_state(request),
            "force_generation": is_force_generation(request),
        },
    )


@login_required
def pledge_new(request: HttpRequest) -> HttpResponse:
    """A member state registers a pledge (optionally answering a published request)."""
    if not is_member_state(request):
        raise deny(request, "pledge:new", "only member states register pledges")
    answers = _request_line(request)
    initial = {"unit_type_id": answers.unit_type} if answers else None
    form = PledgeForm(request.POST or None, initial=initial)
    problems: list[Any] = []
    if request.method == "POST" and form.is_valid():
        try:
            pledge = register(
                _fields(form), request.reader, request.user.get_username(), answers=answers
            )
        except RegistryError as exc:
            problems = exc.problems
        else:
            record(
                request,
                Action.CREATE,
                f"pledge:{pledge.uid}",
                answers=answers.pk if answers else None,
            )
            return redirect("forcegen:pledge", uid=pledge.uid)
    return render(
        request,
        "forcegen/pledge_form.html",
        {"form": form, "problems": problems, "answers": answers},
    )


def _request_line(request: HttpRequest) -> RequestLine | None:
    """The published request a pledge answers (``?request=`` or the form's), if visible."""
    ref = request.GET.get("request") or request.POST.get("request")
    if not ref:
        return None
    line = None
    if ref.isdigit():
        line = RequestLine.objects.visible_to(request.reader).filter(pk=int(ref)).first()
    if line is None:
        record(request, Action.DENIED, f"request:{ref}")
        raise Http404("No such request.")
    return line


def _visible_pledge(request: HttpRequest, uid: str) -> Pledge:
    pledge = with_levels(Pledge.objects.visible_to(request.reader).filter(uid=uid)).first()
    if pledge is None:  # hidden and missing look the same
        record(request, Action.DENIED, f"pledge:{uid}")
        raise Http404("No such pledge.")
    return pledge


@login_required
def pledge_detail(request: HttpRequest, uid: str) -> HttpResponse:
    """One pledge: its offer, its dated stages, every change; forms for who may act."""
    pledge = _visible_pledge(request, uid)
    owner = _owns(request, pledge)
    form = None
    if owner and request.method == "POST":
        form = PledgeForm(request.POST)
        answers = _request_line(request)
        if form.is_valid():
            try:
                update(pledge, _fields(form), answers=answers)
            except RegistryError as exc:
                return _detail(request, pledge, owner, form, problems=exc.problems)
            record(
                request,
                Action.CHANGE,
                f"pledge:{uid}",
                **({"answers": answers.pk} if answers else {}),
            )
            return redirect("forcegen:pledge", uid=uid)
    elif request.method == "POST":
        raise deny(request, f"pledge:{uid}", "only the pledge's owner changes its offer")
    record(request, Action.VIEW, f"pledge:{uid}")
    return _detail(request, pledge, owner, form)


def _detail(
    request: HttpRequest,
    pledge: Pledge,
    owner: bool,
    form: PledgeForm | None,
    problems: list[Any] | None = None,
) -> HttpResponse:
    gone = withdrawn_on(pledge)
    if owner and form is None and gone is None:
        form = PledgeForm(
            initial={
                "unit_type_id": pledge.unit_type,
                "count": pledge.count,
                "pcrs_level": pledge.declared_level or "L1",
                "available_from": pledge.available_from,
                "available_until": pledge.available_until,
                "rotation_months": pledge.rotation_months,
                "women_share": pledge.women_share,
                "languages": ";".join(pledge.languages),
                "excluded_missions": ";".join(pledge.excluded_missions),
                "excluded_regions": ";".join(pledge.excluded_regions),
                "national_restrictions": pledge.national_restrictions,
                "classification": pledge.classification,
            }
        )
    history = list(pledge.events.order_by("pgh_created_at", "pgh_id"))
    fgo = is_force_generation(request)
    answering = _request_line(request) if owner else None
    return render(
        request,
        "forcegen/pledge.html",
        {
            "pledge": pledge,
            "stages": list(pledge.stages.all()),
            "history": history,
            "changes": changes(history),
            "answering": answering,
            "owner": owner,
            "form": form if gone is None else None,
            "problems": problems or [],
            "force_generation": fgo and gone is None,
            "withdrawn": gone,
            "may_withdraw": gone is None and (owner or fgo),
            "stage_choices": [
                s.value for s in Stage if s not in (Stage.REGISTERED, Stage.WITHDRAWN)
            ],
            "today": dt.date.today().isoformat(),
        },
    )


@login_required
@require_POST
def pledge_stage(request: HttpRequest, uid: str) -> HttpResponse:
    """DPO force generation records a stage (assessment visit, L1-RDL) with its date."""
    pledge = _visible_pledge(request, uid)
    if not is_force_generation(request):
        raise deny(request, f"pledge:{uid}:stage", "only DPO force generation records stages")
    try:
        stage = Stage(request.POST.get("stage", ""))
        on = dt.date.fromisoformat(request.POST.get("on", ""))
    except ValueError:
        return _detail(
            request,
            pledge,
            False,
            None,
            problems=[
                "stage must be one of assessment_visit, L1, L2, L3, RDL and the date YYYY-MM-DD"
            ],
        )
    try:
        record_stage(
            pledge,
            stage,
            on,
            request.reader,
            request.user.get_username(),
            request.POST.get("note", ""),
        )
    except RegistryError as exc:
        return _detail(request, pledge, False, None, problems=exc.problems)
    record(request, Action.CHANGE, f"pledge:{uid}", stage=stage.value, on=on.isoformat())
    return redirect("forcegen:pledge", uid=uid)


@login_required
@require_POST
def pledge_withdraw(request: HttpRequest, uid: str) -> HttpResponse:
    """The pledge's owner (or DPO force generation) withdraws it from a date, audited."""
    pledge = _visible_pledge(request, uid)
    try:
        on = dt.date.fromisoformat(request.POST.get("on") or dt.date.today().isoformat())
        withdraw(
            pledge,
            on,
            request.reader,
            request.user.get_username(),
            request.POST.get("note", ""),
            force_generation=is_force_generation(request),
        )
    except ValueError:
        return _detail(
            request,
            pledge,
            _owns(request, pledge),
            None,
            problems=["on: give the date as YYYY-MM-DD"],
        )
    except RegistryError as exc:
        record(request, Action.DENIED, f"pledge:{uid}:withdraw", reason=str(exc)[:200])
        return _detail(request, pledge, _owns(request, pledge), None, problems=exc.problems)
    record(request, Action.CHANGE, f"pledge:{uid}", stage=Stage.WITHDRAWN.value, on=on.isoformat())
    return redirect("forcegen:pledge", uid=uid)


def _owns(request: HttpRequest, pledge: Pledge) -> bool:
    return pledge.owner in request.reader.policy.principals


@login_required
@require_POST
def pledge_release(request: HttpRequest, uid: str) -> HttpResponse:
    """The owner releases its pledge record to organisations (e.g. DPO to the member state)."""
    pledge = _visible_pledge(request, uid)
    if pledge.owner not in request.reader.policy.principals:
        raise deny(request, f"pledge:{uid}:release", "only the owner decides further release")
    codes = sorted(
        {c.strip() for c in request.POST.get("releasable_to", "").split(";") if c.strip()}
    )
    known = set(Organisation.objects.filter(code__in=codes).values_list("code", flat=True))
    if unknown := [c for c in codes if c not in known]:
        return _detail(
            request,
            pledge,
            True,
            None,
            problems=[
                f"releasable_to: {', '.join(unknown)} is not an organisation of the platform; "
                "give organisation codes separated by ';'"
            ],
        )
    pledge.releasable_to = codes
    pledge.save(update_fields=["releasable_to", "updated_at"])
    record(request, Action.CHANGE, f"pledge:{uid}", releasable_to=codes)
    return redirect("forcegen:pledge", uid=uid)


@login_required
def pledge_export(request: HttpRequest) -> HttpResponse:
    """The reader's visible pledges as the library's pledge CSV, audited."""
    with tempfile.TemporaryDirectory(prefix="bh-pledges-") as tmp:
        path = Path(tmp) / "pledges.csv"
        rows = export_pledges(Pledge.objects.visible_to(request.reader), path)
        body = path.read_bytes()
    record(request, Action.EXPORT, "pledges.csv", rows=rows)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="pledges.csv"'
    return response


@login_required
def pledge_import(request: HttpRequest) -> HttpResponse:
    """Import pledges from a CSV in the library's format: all rows or none, every problem."""
    member, fg = is_member_state(request), is_force_generation(request)
    if not (member or fg):
        raise deny(
            request, "pledges:import", "only member states and DPO force generation import pledges"
        )
    outcome = None
    if request.method == "POST" and (upload := request.FILES.get("file")) is not None:
        with tempfile.TemporaryDirectory(prefix="bh-import-") as tmp:
            path = Path(tmp) / "upload.csv"
            path.write_bytes(upload.read())
            outcome = import_pledges(
                path,
                upload.name or "upload.csv",
                request.reader,
                request.user.get_username(),
                force_generation=fg,
            )
        record(
            request,
            Action.CREATE if not outcome.problems else Action.DENIED,
            "pledges:import",
            rows=outcome.rows,
            created=len(outcome.created),
            updated=len(outcome.updated),
            problems=len(outcome.problems),
        )
    return render(request, "forcegen/import.html", {"outcome": outcome})


def stage_rows(pledge: Pledge) -> list[PledgeStage]:
    """The pledge's stages in order (for templates and tests)."""
    return list(pledge.stages.all())
