"""The public entry point: :func:`plan`."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bluehelmet.forcegen.data import PlanningData, prepare
from bluehelmet.forcegen.explain import binding_constraints, explain_pledges
from bluehelmet.forcegen.formulation import COST_SCALE, STAGES, build_model
from bluehelmet.forcegen.greedy import greedy_plan, lp_rounding_plan
from bluehelmet.forcegen.linear import LinearModel
from bluehelmet.forcegen.results import (
    ILLUSTRATIVE_NOTICE,
    PlanResult,
    assignments_table,
    costs_table,
    coverage_table,
    gaps_table,
    gender_table,
    tour_values,
)
from bluehelmet.forcegen.solve import SolveResult, StageResult, solve
from bluehelmet.scenario.core import Scenario, ScenarioView

#: Default solver time limit in seconds over all stages (``None`` waits for proven optimality).
DEFAULT_TIME_LIMIT = 15.0

#: Models with more columns than this first search the LP's support (see solve_scenario).
RESTRICT_ABOVE_COLUMNS = 15_000
#: Share of the time limit that restricted search may use.
RESTRICTED_SHARE = 0.35
#: Share of the time limit the LP relaxation (warm start and bound) may use.
LP_SHARE = 0.3

Progress = Callable[[str, StageResult | None], None]


@dataclass
class Solved:
    """A solved planning run, before it is turned into tables."""

    data: PlanningData
    pairs: object
    model: LinearModel
    solution: SolveResult
    greedy: np.ndarray
    build_seconds: float


def solve_scenario(scenario: Scenario, *, horizon: int | None = None,
                   time_limit: float | None = None, mip_rel_gap: float = 1e-4,
                   stages: tuple[str, ...] = STAGES, progress: Progress | None = None,
                   warm_start: Callable[[LinearModel, PlanningData], np.ndarray] | None = None,
                   ) -> Solved:
    """Prepare, build and solve an already reader-filtered scenario (no tables yet)."""
    t0 = time.perf_counter()
    data, pairs = prepare(scenario, horizon)
    model = build_model(data)
    _ = model.matrix
    build = time.perf_counter() - t0
    greedy = greedy_plan(model, data)
    if warm_start is not None:
        start, bound = warm_start(model, data), None
    else:
        # The better of the greedy plan and the rounded LP starts the solver; the LP value is a
        # lower bound, so a gap is known even if the MIP stops before its root node.
        t1 = time.perf_counter()
        lp_limit = None if time_limit is None else LP_SHARE * time_limit
        rounded, bound, zero = lp_rounding_plan(model, data, lp_limit, greedy)
        if time_limit is not None:
            time_limit = max(1.0, time_limit - (time.perf_counter() - t1))
        unmet = model.objective_vector("unmet")
        start = rounded if unmet @ rounded < unmet @ greedy else greedy
        if (model.n_cols > RESTRICT_ABOVE_COLUMNS and bound is not None
                and str(data.params["gender_mode"]) != "hard"):
            # Large models: first search only the tours the LP uses (a restricted MIP, far
            # smaller), then give its plan to the full model.
            share = None if time_limit is None else RESTRICTED_SHARE * time_limit
            t1 = time.perf_counter()
            sub = solve(model, ("unmet",), time_limit=share, mip_rel_gap=mip_rel_gap,
                        warm_start=start, fix_zero=zero)
            if unmet @ sub.x < unmet @ start:
                start = sub.x
            if time_limit is not None:
                time_limit = max(1.0, time_limit - (time.perf_counter() - t1))
    sol = solve(model, stages, time_limit=time_limit, mip_rel_gap=mip_rel_gap, warm_start=start,
                progress=progress, first_stage_bound=bound)
    sol.build_seconds = build
    return Solved(data, pairs, model, sol, greedy, build)


def plan(view: ScenarioView, *, horizon: int | None = None,
         time_limit: float | None = DEFAULT_TIME_LIMIT, mip_rel_gap: float = 1e-4,
         overrides: tuple[object, ...] = (), explain: bool = True, smart_pledging: bool = True,
         sensitivities: bool = True, max_asks: int = 8, progress: Progress | None = None,
         ) -> PlanResult:
    """Plan which pledged units deploy where and when, as ``reader`` may see the scenario.

    Parameters
    ----------
    view
        The scenario as the reader may see it (``scenario.view(reader)``): only what the reader
        may see is planned on, and no hidden id reaches the result.
    horizon
        Months to plan (default: the scenario's ``horizon_months``).
    time_limit
        Seconds for the solver over all objective stages (re-solves for explanations get their
        own short limits).
    mip_rel_gap
        Relative optimality gap at which each stage stops.
    overrides
        :class:`~bluehelmet.forcegen.scenarios.Override` objects applied in order to the view
        before planning (see :func:`~bluehelmet.forcegen.scenarios.apply_overrides`).
    explain, smart_pledging, sensitivities
        Whether to compute the explanation tables (the last two re-solve the model).
    max_asks
        Number of largest gaps for which the value of one more unit is computed by re-solving.
    progress
        Called when an objective stage starts and ends (the CLI shows it).
    """
    from bluehelmet.forcegen.scenarios import Override, apply_overrides
    from bluehelmet.forcegen.whatif import sensitivity_table, smart_pledging_table

    ovs = [o for o in overrides if isinstance(o, Override)]
    if ovs:
        view = apply_overrides(view, ovs)
    solved = solve_scenario(view, horizon=horizon, time_limit=time_limit,
                            mip_rel_gap=mip_rel_gap, progress=progress)
    d, model, sol = solved.data, solved.model, solved.solution
    y = tour_values(model, sol.x)
    result = PlanResult(assignments_table(d, y), coverage_table(d, y), gaps_table(d, y),
                        costs_table(d, y), gender_table(d, y))
    if explain:
        result.explanations = explain_pledges(d, solved.pairs, model, sol.x)  # type: ignore[arg-type]
        result.binding = binding_constraints(model, sol.x,
                                             scale={"Budget-fiscal-year": COST_SCALE})
    if smart_pledging:
        result.smart_pledging = smart_pledging_table(view, solved, horizon, max_asks)
    if sensitivities:
        result.sensitivities = sensitivity_table(view, solved, horizon)
    result.summary = summary_dict(view, solved, result, greedy_x=solved.greedy)
    return result


def summary_dict(scenario: ScenarioView, solved: Solved, result: PlanResult,
                 greedy_x: np.ndarray) -> dict[str, object]:
    """The headline numbers of a run (``summary.json``)."""
    m, sol = solved.model, solved.solution
    stage = {s.stage: s for s in sol.stages}
    unmet = stage["unmet"].objective if "unmet" in stage else float(
        m.objective_vector("unmet") @ sol.x)
    greedy_unmet = float(m.objective_vector("unmet") @ greedy_x)
    gaps = result.gaps
    missing_budget = result.costs[result.costs["headroom_usd"].isna()]
    return {
        "scenario": scenario.name,
        "marking": scenario.marking.label,
        "reader": {"organisation": scenario.reader.organisation,
                   "clearance": scenario.reader.clearance.label},
        "objective": unmet,
        "objective_name": "weighted unmet requirement-months (stage 1 of 3)",
        "stages": [{**vars(s), "bound": _finite(s.bound), "mip_gap": _finite(s.mip_gap)}
                   for s in sol.stages],
        "status": sol.status,
        "mip_gap": _finite(stage["unmet"].mip_gap) if "unmet" in stage else 0.0,
        "mip_gap_all_stages": _finite(sol.mip_gap),
        "solve_seconds": sol.solve_seconds,
        "build_seconds": solved.build_seconds,
        "unmet_requirement_months": float(gaps["unmet_unit_months"].sum()),
        "weighted_unmet_requirement_months": float(gaps["weighted_unmet"].sum()),
        "required_requirement_months": float(gaps["required_unit_months"].sum()),
        "total_cost_usd": float(result.assignments["cost_usd"].sum()),
        "units_deployed": int(result.assignments["units"].sum()),
        "pledges": len(solved.data.pledges),
        "pledges_used": int((result.assignments.groupby("pledge_id").size() > 0).sum()),
        "candidate_tours": len(solved.data.candidates),
        "greedy_objective": greedy_unmet,
        "greedy_gap_to_optimum": (greedy_unmet - unmet) / max(unmet, 1e-9) if unmet else
        float(greedy_unmet > 0),
        "gender_mode": str(scenario.param("gender_mode")),
        "missions_without_budget_rows": sorted(set(missing_budget["mission_id"].astype(str))),
        "horizon_start": solved.data.months[0].strftime("%Y-%m"),
        "horizon_months": solved.data.n_months,
        "uses_illustrative_data": scenario.uses_illustrative_data,
        "notice": ILLUSTRATIVE_NOTICE if scenario.uses_illustrative_data else "",
    }


def _finite(value: float) -> float | None:
    """JSON has no infinity: an unknown gap (no bound yet) is written as null."""
    return float(value) if np.isfinite(value) else None
