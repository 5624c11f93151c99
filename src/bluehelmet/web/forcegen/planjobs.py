"""Plans as jobs: the scenario built from the registry at a date, planned by a worker.

:func:`registry_view` builds the scenario a planner plans on: the bundled scenario's catalogue,
force in place, ceilings and parameters, with the registry's pledges as they stood on the date
(:mod:`bluehelmet.web.forcegen.history`), the planners' requirements and, once imported, the
UN's monthly deployments, all read under the planner's need-to-know (RLS and the same ``Q``),
then ``Scenario.view(reader)``.

:func:`run` (the ``plan`` kind of :mod:`bluehelmet.web.jobs`) plans it with
:func:`bluehelmet.plan` and records each objective stage's status, gap and time as it ends, so
the job page shows the progress. The outputs are written to ``plan-<id>.part`` and renamed to
``plan-<id>`` when complete: ``scenario/`` (the scenario planned on, which ``bluehelmet plan``
reproduces), ``plan/`` (the plan's tables and ``summary.json``) and, when asked, ``brief/``
(``brief.html`` and ``brief.pdf``). A sweep plans once per value of one scenario parameter and
writes ``sweep.csv``.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bluehelmet.errors import DataError
from bluehelmet.model.access import AccessContext, Classification
from bluehelmet.model.validate import coerce_table
from bluehelmet.web.forcegen.history import registry_on
from bluehelmet.web.forcegen.models import Deployment, PlanJob, Requirement
from bluehelmet.web.forcegen.registry import BASE_SCENARIO, text_row
from bluehelmet.web.jobs import DONE, FAILED, KINDS, as_worker, heartbeat
from bluehelmet.web.policy import set_reader

#: Scenario parameters a sweep may vary.
SWEEP_PARAMETERS = ("lift_moves_per_month", "max_contributor_share", "handover_months")


def jobs_dir() -> Path:
    """Folder of job outputs (``BLUEHELMET_JOBS_DIR``)."""
    folder = Path(settings.JOBS_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def output_dir(job: PlanJob) -> Path:
    """Where a finished job's files are."""
    return jobs_dir() / f"plan-{job.pk}"


@lru_cache(maxsize=1)
def base_scenario() -> Any:
    """The bundled scenario, read once per worker process (each job plans on a copy)."""
    from bluehelmet.scenario.io import load_scenario

    return load_scenario(BASE_SCENARIO)


def _typed(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    table, problems = coerce_table(name, frame.astype("string"), f"registry {name}")
    if problems:
        raise DataError(problems)
    return table


def registry_view(
    reader: AccessContext,
    as_of: dt.date,
    missions: list[str] | None = None,
    start: dt.date | None = None,
) -> Any:
    """The scenario built from the registry as ``reader`` may see it on ``as_of``.

    Must run in a transaction where :func:`~bluehelmet.web.policy.set_reader` told PostgreSQL
    who reads. The pledges are the registry on ``as_of``
    (:func:`bluehelmet.web.forcegen.history.registry_on`: registered and not withdrawn by then,
    each offer as it stood then, at its PCRS level then); pledges not yet verified at L1 on that
    date are not planned on. The plan starts in the month of ``start`` (default: the bundled
    scenario's ``planning_start``).
    """
    s = base_scenario().copy()
    pledges = registry_on(reader, as_of)
    s.tables["pledges"] = _typed("pledges", pledges[pledges["pcrs_level"] != ""])
    requirements = Requirement.objects.visible_to(reader)
    if missions:
        requirements = requirements.filter(mission__in=missions)
    s.tables["requirements"] = _typed(
        "requirements",
        pd.DataFrame(
            [
                text_row(
                    {
                        "id": r.uid,
                        "mission_id": r.mission,
                        "unit_type_id": r.unit_type,
                        "count": r.count,
                        "start": r.start,
                        "end": r.end,
                        "priority": r.priority,
                        "language": r.language,
                        "classification": r.classification,
                        "owner": r.owner,
                        "releasable_to": r.releasable_to,
                        "basis": r.basis,
                        "source": r.source,
                    }
                )
                for r in requirements.order_by("uid")
            ],
            columns=list(s.requirements.columns),
        ),
    )
    deployments = Deployment.objects.visible_to(reader)
    if deployments.exists():
        s.tables["deployments"] = _typed(
            "deployments",
            pd.DataFrame(
                [
                    text_row(
                        {
                            "id": d.uid,
                            "mission_id": d.mission,
                            "contributor_id": d.contributor,
                            "personnel_type": d.personnel_type,
                            "date": d.date,
                            "women": d.women,
                            "men": d.men,
                            "classification": d.classification,
                            "owner": d.owner,
                            "releasable_to": d.releasable_to,
                            "basis": d.basis,
                            "source": d.source,
                        }
                    )
                    for d in deployments.order_by("uid")
                ],
                columns=list(s.deployments.columns),
            ),
        )
    # Units in place moved from a pledge the registry no longer lists keep standing.
    uip = s.tables["units_in_place"]
    known = set(s.tables["pledges"]["id"])
    uip["pledge_id"] = uip["pledge_id"].where(uip["pledge_id"].isin(known), pd.NA)
    if start is not None:
        s.set_param("planning_start", start.replace(day=1), source="platform: the planner")
    return s.view(reader)


def _save(job: PlanJob, *fields: str) -> None:
    """Save ``fields`` of ``job`` as the job worker (the plan queue is under RLS)."""
    with transaction.atomic():
        as_worker()
        job.save(update_fields=list(fields))


def run(job: PlanJob) -> PlanJob:
    """Run a claimed plan job to its end: its files complete or absent; the job done or failed."""
    from bluehelmet.scenario.io import save_scenario

    final = output_dir(job)
    partial = final.with_name(final.name + ".part")
    shutil.rmtree(partial, ignore_errors=True)
    started = time.perf_counter()
    lease = next(k.lease for k in KINDS if k.name == "plan")
    try:
        with heartbeat(job, lease):
            membership = job.membership
            reader = membership.reader
            with transaction.atomic():
                set_reader(reader)
                view = registry_view(reader, job.as_of, list(job.missions), job.start)
            job.progress = [
                {
                    "stage": "scenario built from the registry",
                    "status": "done",
                    "pledges": len(view.pledges),
                    "requirements": len(view.requirements),
                    "elapsed": round(time.perf_counter() - started, 1),
                }
            ]
            _save(job, "progress")
            partial.mkdir(parents=True)
            save_scenario(view, partial / "scenario")
            if job.kind == PlanJob.SWEEP:
                summary = _sweep(job, view, partial, started)
            else:
                summary = _plan(job, view, partial, started)
        if final.exists():
            shutil.rmtree(final)
        partial.rename(final)
        marking = Classification.parse(summary.get("marking", "unclassified"))
        job.classification = max(marking, Classification.CONFIDENTIAL).label
        job.status, job.summary, job.folder = DONE, summary, final.name
        job.finished_at = timezone.now()
        _save(job, "status", "summary", "folder", "finished_at", "classification")
    except Exception as exc:  # the job records why; the worker goes on with the next one
        shutil.rmtree(partial, ignore_errors=True)
        job.status, job.error = FAILED, f"{type(exc).__name__}: {exc}"
        job.finished_at = timezone.now()
        _save(job, "status", "error", "finished_at")
    return job


def plan_options(job: PlanJob) -> Any:
    """The :class:`bluehelmet.PlanOptions` a job plans with (the CLI's defaults otherwise)."""
    from bluehelmet.forcegen import PlanOptions

    return PlanOptions(horizon=job.horizon, smart_pledging=False, sensitivities=False).with_solve(
        time_limit=job.time_limit
    )


def _progress(job: PlanJob, started: float, prefix: str = "") -> Any:
    def report(stage: str, result: Any | None) -> None:
        entry: dict[str, Any] = {
            "stage": f"{prefix}{stage}",
            "elapsed": round(time.perf_counter() - started, 1),
        }
        if result is None:
            entry["status"] = "running"
        else:
            gap = getattr(result, "mip_gap", None)
            entry.update(
                status=str(result.status),
                objective=float(result.objective),
                gap=None if gap is None or gap != gap or gap == float("inf") else float(gap),
            )
        steps = list(job.progress)
        if result is not None and steps and steps[-1].get("stage") == entry["stage"]:
            steps[-1] = entry  # the stage that was running has ended
        else:
            steps.append(entry)
        job.progress = steps
        _save(job, "progress")

    return report


def _plan(job: PlanJob, view: Any, folder: Path, started: float) -> dict[str, Any]:
    from bluehelmet.forcegen import plan

    p = plan(view, plan_options(job), progress=_progress(job, started))
    p.write(folder / "plan")
    if job.with_brief:
        from bluehelmet.brief.make import make_brief

        job.progress = [
            *job.progress,
            {
                "stage": "briefing (HTML and PDF)",
                "status": "running",
                "elapsed": round(time.perf_counter() - started, 1),
            },
        ]
        _save(job, "progress")
        make_brief(view, folder / "brief", plan=p, pdf=True)
        job.progress = [
            *job.progress[:-1],
            {
                **job.progress[-1],
                "status": "done",
                "elapsed": round(time.perf_counter() - started, 1),
            },
        ]
        _save(job, "progress")
    return p.summary.to_dict()


def _sweep(job: PlanJob, view: Any, folder: Path, started: float) -> dict[str, Any]:
    from bluehelmet.forcegen import plan

    rows = []
    for value in job.sweep_values:
        varied = view.copy()
        varied.set_param(job.sweep_parameter, value, source=f"sweep of plan job {job.pk}")
        p = plan(
            varied,
            plan_options(job),
            progress=_progress(job, started, f"{job.sweep_parameter}={value:g}: "),
        )
        s = p.summary
        rows.append(
            {
                job.sweep_parameter: value,
                "status": s.status,
                "objective": s.objective,
                "unmet_requirement_months": s.unmet_requirement_months,
                "total_cost_usd": s.total_cost_usd,
                "units_deployed": s.units_deployed,
                "marking": s.marking,
            }
        )
    from bluehelmet.io.write import write_csv

    table = pd.DataFrame(rows)
    write_csv(table, folder / "sweep.csv")
    worst = max(
        (Classification.parse(r["marking"]) for r in rows), default=Classification.UNCLASSIFIED
    )
    return {
        "marking": worst.label,
        "sweep_parameter": job.sweep_parameter,
        "runs": [dict(r) for r in rows],
        "reader": {
            "organisation": view.reader.organisation,
            "clearance": view.reader.clearance.label,
        },
    }
