"""Pages of the planners' workspace: requirements, force in place, plans as jobs, publishing.

Plans are jobs (:mod:`bluehelmet.web.forcegen.planjobs`) visible under need-to-know to planners
of the organisation that ran them; published request lines are records released to the member
state they are addressed to (or to every recipient), read by member states through the same
rule.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from bluehelmet.web.accounts.models import Organisation, OrgKind
from bluehelmet.web.audit.models import Action, record
from bluehelmet.web.forcegen.history import registered_on
from bluehelmet.web.forcegen.models import (
    FORCE_GENERATION_ORG,
    Deployment,
    PlanJob,
    Pledge,
    RequestLine,
    Requirement,
)
from bluehelmet.web.forcegen.planjobs import SWEEP_PARAMETERS, output_dir
from bluehelmet.web.forcegen.views import deny, is_member_state, is_planner

#: Files of a finished plan that may be downloaded, and their content types.
FILES = {
    "brief.html": ("brief/brief.html", "text/html; charset=utf-8"),
    "brief.pdf": ("brief/brief.pdf", "application/pdf"),
    "summary.json": ("plan/summary.json", "application/json"),
    "plan.csv": ("plan/plan.csv", "text/csv; charset=utf-8"),
    "gaps.csv": ("plan/gaps.csv", "text/csv; charset=utf-8"),
    "sweep.csv": ("sweep.csv", "text/csv; charset=utf-8"),
}


def _planner_only(request: HttpRequest, target: str) -> None:
    if not is_planner(request):
        raise deny(request, target, "only planners use the planning workspace")


@login_required
def requirement_list(request: HttpRequest) -> HttpResponse:
    """Statements of requirement per mission, and the force in place (planners)."""
    _planner_only(request, "requirements")
    requirements = Requirement.objects.visible_to(request.reader).order_by("mission", "uid")
    if mission := request.GET.get("mission"):
        requirements = requirements.filter(mission=mission)
    deployments = Deployment.objects.visible_to(request.reader)
    record(request, Action.LIST, "requirements", count=requirements.count(), mission=mission)
    return render(
        request,
        "forcegen/requirements.html",
        {
            "requirements": requirements,
            "deployments": deployments.count(),
            "latest": deployments.order_by("-date").values_list("date", flat=True).first(),
        },
    )


@login_required
@require_POST
def requirement_save(request: HttpRequest) -> HttpResponse:
    """Add a requirement, or change one (same mission and unit type), validated by the library.

    Kept by the planner's organisation, confidential, history kept by pghistory.
    """
    from bluehelmet.model.validate import coerce_table
    from bluehelmet.web.forcegen.registry import text_row

    _planner_only(request, "requirements:save")
    post = request.POST
    mission, unit_type = post.get("mission", ""), post.get("unit_type", "")
    uid = f"REQ-{mission}-{unit_type}"
    row = text_row(
        {
            "id": uid,
            "mission_id": mission,
            "unit_type_id": unit_type,
            "count": post.get("count", ""),
            "start": post.get("start", ""),
            "end": post.get("end", ""),
            "priority": post.get("priority", "normal"),
            "language": post.get("language", ""),
            "classification": "confidential",
            "owner": request.reader.organisation,
            "releasable_to": [],
            "basis": "real",
            "source": f"statement of requirement kept by "
            f"{request.reader.organisation} on the platform",
        }
    )
    table, problems = coerce_table("requirements", pd.DataFrame([row]), "the requirement form")
    catalogue_problem = _unknown(mission, unit_type)
    if problems or catalogue_problem:
        return render(
            request,
            "forcegen/requirements.html",
            {
                "error": "; ".join([str(p) for p in problems] + catalogue_problem),
                "requirements": Requirement.objects.visible_to(request.reader).order_by(
                    "mission", "uid"
                ),
            },
            status=400,
        )
    r = table.to_dict("records")[0]
    existing = Requirement.objects.visible_to(request.reader).filter(uid=uid).first()
    if existing is None and Requirement.objects.filter(uid=uid).exists():
        uid = f"{uid}-{request.reader.organisation}"  # ids are never reused nor revealed
    Requirement.objects.update_or_create(
        uid=uid,
        defaults={
            "mission": mission,
            "unit_type": unit_type,
            "count": int(r["count"]),
            "start": pd.Timestamp(r["start"]).date(),
            "end": pd.Timestamp(r["end"]).date(),
            "priority": r["priority"],
            "language": "" if pd.isna(r["language"]) else r["language"],
            "classification": r["classification"],
            "owner": r["owner"],
            "releasable_to": [],
            "basis": r["basis"],
            "source": r["source"],
        },
    )
    record(request, Action.CHANGE if existing else Action.CREATE, f"requirement:{uid}")
    return redirect("forcegen:requirements")


def _unknown(mission: str, unit_type: str) -> list[str]:
    from bluehelmet.web.forcegen.registry import catalogue

    cat = catalogue()
    out = []
    if mission not in set(cat["missions"]["id"]):
        out.append(f"mission {mission!r} is not in the catalogue")
    if unit_type not in set(cat["unit_types"]["id"]):
        out.append(f"unit type {unit_type!r} is not in the catalogue")
    return out


@login_required
@require_POST
def deployments_import(request: HttpRequest) -> HttpResponse:
    """Load the force in place from a UN monthly contributions file (the library's importer)."""
    from bluehelmet.errors import BluehelmetError
    from bluehelmet.io.un_monthly import read_un_monthly

    _planner_only(request, "deployments:import")
    upload = request.FILES.get("file")
    if upload is None:
        raise Http404("No file.")
    with tempfile.TemporaryDirectory(prefix="bh-unmonthly-") as tmp:
        path = Path(tmp) / (upload.name or "contributions.csv")
        path.write_bytes(upload.read())
        try:
            result = read_un_monthly(path)
        except BluehelmetError as exc:
            record(request, Action.DENIED, "deployments:import", reason=str(exc)[:200])
            return render(request, "forcegen/requirements.html", {"error": str(exc)})
    table = result.table
    with transaction.atomic():
        for row in table.to_dict("records"):
            Deployment.objects.update_or_create(
                uid=row["id"],
                defaults={
                    "mission": row["mission_id"],
                    "contributor": row["contributor_id"],
                    "personnel_type": row["personnel_type"],
                    "date": pd.Timestamp(row["date"]).date(),
                    "women": int(row["women"]),
                    "men": int(row["men"]),
                    "classification": row["classification"],
                    # kept on the platform by the planner's organisation (public UN figures)
                    "owner": request.reader.organisation,
                    "releasable_to": list(row["releasable_to"] or []),
                    "basis": row["basis"],
                    "source": row["source"],
                },
            )
    record(
        request,
        Action.CREATE,
        "deployments:import",
        rows=len(table),
        report=str(result.report)[:500],
    )
    return redirect("forcegen:requirements")


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    """The planner's plans (and a form to start one)."""
    _planner_only(request, "plans")
    jobs = PlanJob.objects.visible_to(request.reader).order_by("-created_at")[:100]
    missions = sorted(
        Requirement.objects.visible_to(request.reader).values_list("mission", flat=True).distinct()
    )
    record(request, Action.LIST, "plans", count=len(jobs))
    return render(
        request,
        "forcegen/plans.html",
        {
            "jobs": jobs,
            "missions": missions,
            "today": dt.date.today().isoformat(),
            "sweep_parameters": SWEEP_PARAMETERS,
        },
    )


@login_required
@require_POST
def plan_start(request: HttpRequest) -> HttpResponse:
    """Queue a plan (or a sweep) of the registry at a date; a worker runs it."""
    _planner_only(request, "plans:start")
    post = request.POST
    try:
        as_of = dt.date.fromisoformat(post.get("as_of") or dt.date.today().isoformat())
        start = dt.date.fromisoformat(post["start"]) if post.get("start") else None
        horizon = int(post.get("horizon") or 12)
        limit = float(post["time_limit"]) if post.get("time_limit") else None
        values = [
            float(v) for v in post.get("sweep_values", "").replace(",", ";").split(";") if v.strip()
        ]
    except ValueError as exc:
        return HttpResponse(
            f"Bad plan request: {exc}. Give the date as YYYY-MM-DD, the horizon"
            " in whole months, the time limit in seconds.",
            status=400,
            content_type="text/plain",
        )
    kind = PlanJob.SWEEP if post.get("kind") == PlanJob.SWEEP else PlanJob.PLAN
    parameter = post.get("sweep_parameter", "")
    if kind == PlanJob.SWEEP and (parameter not in SWEEP_PARAMETERS or not values):
        return HttpResponse(
            f"A sweep needs a parameter ({', '.join(SWEEP_PARAMETERS)}) and "
            "values such as 6;12;18.",
            status=400,
            content_type="text/plain",
        )
    if not 1 <= horizon <= 60:
        return HttpResponse("The horizon is 1 to 60 months.", status=400, content_type="text/plain")
    job = PlanJob.objects.create(
        membership=request.membership,
        kind=kind,
        title=post.get("title", "")[:200],
        as_of=as_of,
        start=start,
        horizon=horizon,
        missions=post.getlist("missions"),
        time_limit=limit,
        with_brief=post.get("with_brief") == "on",
        sweep_parameter=parameter,
        sweep_values=values,
        owner=request.reader.organisation,
    )
    record(request, Action.CREATE, f"plan:{job.pk}", kind=kind, as_of=as_of.isoformat())
    return redirect("forcegen:plan", pk=job.pk)


def _visible_job(request: HttpRequest, pk: int) -> PlanJob:
    _planner_only(request, f"plan:{pk}")
    job = PlanJob.objects.visible_to(request.reader).filter(pk=pk).first()
    if job is None:
        record(request, Action.DENIED, f"plan:{pk}")
        raise Http404("No such plan.")
    return job


def _table(job: PlanJob, name: str) -> pd.DataFrame:
    path = output_dir(job) / "plan" / f"{name}.csv"
    return pd.read_csv(path) if job.status == PlanJob.DONE and path.exists() else pd.DataFrame()


def request_lines(job: PlanJob) -> pd.DataFrame:
    """What a plan leaves short, per mission and unit type: the note's lines.

    The plan's capability requirements note (``plan/capability_requirements.csv``, issue 10)
    when the planner wrote one; otherwise derived from its coverage table: units short in the
    worst month, unit-months short and the first month short per mission and unit type.
    """
    note = _table(job, "capability_requirements")
    if not note.empty and {
        "mission_id",
        "unit_type_id",
        "units",
        "unit_months_short",
        "time_from",
        "priority",
    } <= set(note.columns):
        out = note.rename(columns={"unit_months_short": "unit_months", "time_from": "first_month"})
        out["critical"] = out["priority"] == "critical"
        out["first_month"] = out["first_month"].astype(str).str[:7]
        out["note"] = [_note_text(r) for r in note.to_dict("records")]
        return out.sort_values(["mission_id", "unit_type_id", "first_month"]).reset_index(drop=True)
    coverage = _table(job, "coverage")
    if coverage.empty:
        return pd.DataFrame(
            columns=[
                "mission_id",
                "unit_type_id",
                "units",
                "unit_months",
                "first_month",
                "critical",
            ]
        )
    short = coverage[coverage["short"] > 1e-6]
    grouped = (
        short.groupby(["mission_id", "unit_type_id"])
        .agg(
            units=("short", "max"),
            unit_months=("short", "sum"),
            first_month=("month", "min"),
            critical=("critical", "max"),
        )
        .reset_index()
    )
    grouped["units"] = grouped["units"].round().clip(lower=1).astype(int)
    grouped["first_month"] = grouped["first_month"].astype(str).str[:7]
    return grouped.sort_values(["mission_id", "unit_type_id"]).reset_index(drop=True)


def _note_text(row: Mapping[Hashable, Any]) -> str:
    """One line of the capability requirements note as a member state reads it."""
    parts = [
        f"{row.get('status', '')} requirement".strip(),
        f"{row.get('location', '')}".strip(),
        f"{str(row.get('time_from', ''))[:7]} to {str(row.get('time_to', ''))[:7]}",
        str(row.get("specification", "") or ""),
    ]
    if row.get("request_by_RDL"):
        parts.append(f"pledge by {str(row['request_by_RDL'])[:10]} at RDL")
    return "; ".join(p for p in parts if p and p != "nan")


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A plan's progress, summary, gaps, choice and publishing.

    While the job runs, the page's body polls this address with HTMX every two seconds
    (``hx-trigger="every 2s"``) and is swapped for the fragment answered to an HTMX request;
    the fragment of a finished job polls no more. Each poll is a view in the access log.
    """
    job = _visible_job(request, pk)
    poll = request.headers.get("HX-Request") == "true"
    record(request, Action.VIEW, f"plan:{pk}", **({"poll": True} if poll else {}))
    files = [n for n, (rel, _) in FILES.items() if job.folder and (output_dir(job) / rel).exists()]
    lines = request_lines(job)
    return render(
        request,
        "forcegen/_plan_body.html" if poll else "forcegen/plan.html",
        {
            "job": job,
            "running": job.status in (PlanJob.QUEUED, PlanJob.RUNNING),
            "elapsed": _elapsed(job),
            "files": files,
            "lines": lines.to_dict("records"),
            "published": job.requests.exists(),
            "summary": job.summary,
            "runs": [
                {"value": r.get(job.sweep_parameter), **r} for r in job.summary.get("runs", [])
            ],
            "summary_json": json.dumps(job.summary, indent=1)[:4000],
        },
    )


def _elapsed(job: PlanJob) -> float | None:
    if job.started_at is None:
        return None
    end = job.finished_at or timezone.now()
    return round((end - job.started_at).total_seconds(), 1)


@login_required
def plan_file(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """A file of a finished plan (the briefing, tables), to those cleared for the plan."""
    job = _visible_job(request, pk)
    if name not in FILES or not job.folder:
        raise Http404("No such file.")
    rel, content_type = FILES[name]
    path = output_dir(job) / rel
    if not path.exists():
        raise Http404("No such file.")
    record(request, Action.EXPORT, f"plan:{pk}:{name}")
    return FileResponse(
        open(path, "rb"),
        as_attachment=not name.endswith(".html"),
        filename=name,
        content_type=content_type,
    )


@login_required
def plan_compare(request: HttpRequest) -> HttpResponse:
    """Plans side by side: headline numbers and the gaps per mission and unit type."""
    _planner_only(request, "plans:compare")
    ids = [int(i) for i in request.GET.getlist("plan") if i.isdigit()][:4]
    jobs = [_visible_job(request, i) for i in ids]
    keys = [
        "status",
        "objective",
        "unmet_requirement_months",
        "total_cost_usd",
        "units_deployed",
        "pledges",
        "pledges_used",
        "horizon_start",
        "horizon_months",
        "marking",
    ]
    rows = [{"key": k, "values": [j.summary.get(k, "") for j in jobs]} for k in keys]
    gaps: dict[tuple[str, str], list[int]] = {}
    for n, job in enumerate(jobs):
        for line in request_lines(job).to_dict("records"):
            gaps.setdefault((line["mission_id"], line["unit_type_id"]), [0] * len(jobs))[n] = int(
                line["units"]
            )
    record(request, Action.VIEW, "plans:compare", plans=ids)
    return render(
        request,
        "forcegen/compare.html",
        {
            "jobs": jobs,
            "rows": rows,
            "gaps": [
                {"mission": m, "unit_type": u, "values": v} for (m, u), v in sorted(gaps.items())
            ],
        },
    )


@login_required
@require_POST
def plan_choose(request: HttpRequest, pk: int) -> HttpResponse:
    """Keep a plan as the chosen one, with the planner's reasons."""
    job = _visible_job(request, pk)
    reasons = request.POST.get("reasons", "").strip()
    if not reasons or job.status != PlanJob.DONE:
        return HttpResponse(
            "Choose a finished plan and give your reasons.", status=400, content_type="text/plain"
        )
    job.chosen, job.reasons = True, reasons
    job.chosen_by, job.chosen_at = request.user.get_username(), timezone.now()
    job.save(update_fields=["chosen", "reasons", "chosen_by", "chosen_at"])
    record(request, Action.CHANGE, f"plan:{pk}", chosen=True)
    return redirect("forcegen:plan", pk=pk)


def addressees(unit_type: str, reader: Any) -> list[str]:
    """Member states the planner sees a standing pledge of ``unit_type`` from (asked to add).

    A withdrawn pledge is no ground to ask.
    """
    standing = registered_on(
        Pledge.objects.visible_to(reader).filter(unit_type=unit_type), dt.date.today()
    )
    return sorted(set(standing.values_list("contributor", flat=True)) & _member_states())


def _member_states() -> set[str]:
    return set(Organisation.objects.filter(kind=OrgKind.CONTRIBUTOR).values_list("code", flat=True))


@login_required
@require_POST
def plan_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish the plan's requirements to the member states.

    One line per gap to every member state on the platform, and one addressed to each member
    state with a pledge of the unit type short (released to that state only).
    """
    job = _visible_job(request, pk)
    if job.status != PlanJob.DONE or job.requests.exists():
        return HttpResponse("Publish a finished plan, once.", status=400, content_type="text/plain")
    everyone = sorted(_member_states())
    by = request.user.get_username()
    made = 0
    with transaction.atomic():
        for line in request_lines(job).to_dict("records"):
            spec = (
                f"{line['units']} x {line['unit_type_id']} for {line['mission_id']} from "
                f"{line['first_month']}" + (" (critical)" if line["critical"] else "")
            )
            if line.get("note"):
                spec += f": {line['note']}"
            common = {
                "plan": job,
                "mission": line["mission_id"],
                "unit_type": line["unit_type_id"],
                "units": int(line["units"]),
                "unit_months": float(line["unit_months"]),
                "first_month": line["first_month"],
                "priority": "critical" if line["critical"] else "",
                "specification": spec,
                "published_by": by,
                "owner": FORCE_GENERATION_ORG
                if request.reader.organisation == FORCE_GENERATION_ORG
                else request.reader.organisation,
            }
            RequestLine.objects.create(releasable_to=everyone, **common)
            for state in addressees(line["unit_type_id"], request.reader):
                RequestLine.objects.create(addressed_to=state, releasable_to=[state], **common)
            made += 1
    record(request, Action.CHANGE, f"plan:{pk}", published=made)
    return redirect("forcegen:plan", pk=pk)


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    """Requests released to the reader: those addressed to it first, then the general note."""
    lines = list(RequestLine.objects.visible_to(request.reader).select_related(None))
    mine = [r for r in lines if r.addressed_to and r.addressed_to == request.reader.organisation]
    general = [r for r in lines if not r.addressed_to]
    others = [r for r in lines if r.addressed_to and r not in mine]
    own: dict[str, list[str]] = {}
    if is_member_state(request):  # the reader's standing pledges, to answer with an update
        standing = registered_on(
            Pledge.objects.visible_to(request.reader).filter(owner=request.reader.organisation),
            dt.date.today(),
        )
        for unit_type, uid in standing.order_by("uid").values_list("unit_type", "uid"):
            own.setdefault(unit_type, []).append(uid)
    for r in lines:
        r.own_pledges = own.get(r.unit_type, [])
    record(request, Action.LIST, "requests", count=len(lines))
    return render(
        request,
        "forcegen/requests.html",
        {
            "mine": mine,
            "general": general,
            "others": others,
            "member_state": is_member_state(request),
        },
    )
