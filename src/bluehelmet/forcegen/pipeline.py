"""Prepare, build and solve a scenario view: the planning pipeline before any table is made.

:func:`solve_scenario` is what :func:`~bluehelmet.forcegen.api.plan` and the what-if re-solves
(:mod:`~bluehelmet.forcegen.whatif`) share; the benchmarks and solver tests call it directly.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from bluehelmet.forcegen.data import PlanningData, prepare
from bluehelmet.forcegen.flow_bound import flow_bound
from bluehelmet.forcegen.formulation import STAGES, build_model
from bluehelmet.forcegen.greedy import greedy_plan, lp_rounding_plan
from bluehelmet.forcegen.lagrange import lagrangian_bound
from bluehelmet.forcegen.options import SolveOptions
from bluehelmet.forcegen.solve import (
    SolveResult,
    StageResult,
    integral_objective,
    rounded_bound,
    solve,
)
from bluehelmet.optimize.linear import LinearModel
from bluehelmet.scenario.core import Scenario

Progress = Callable[[str, StageResult | None], None]
#: Most of the time limit kept back for the tables and explanations made after the solve.
POSTPROCESS_SHARE = 0.2
#: Share of the time left after the greedy plan that the flow bound's LP may use, and the
#: least it gets even when the limit is already spent (the LP has thousands of columns: a
#: second at 100,000 pledges; without it the plan would have no bound at all).
FLOW_BOUND_SHARE = 0.2
FLOW_BOUND_MIN_SECONDS = 5.0
#: Under a time limit, the solver is not started when less time is left than this many times
#: the seconds building the model took: copying the model to HiGHS and presolving it cost about
#: that (at 1 million tours under load 15, a 19 s build, the first stage ran 7 s past a 12.7 s
#: share), so a shorter run would only overrun the limit.
SETUP_OVER_BUILD = 0.5

log = logging.getLogger(__name__)


@dataclass
class Solved:
    """A solved planning run, before it is turned into tables."""

    data: PlanningData
    pairs: pd.DataFrame
    model: LinearModel
    solution: SolveResult
    greedy: np.ndarray
    build_seconds: float
    #: Wall seconds of each phase (prepare, build, greedy, flow_bound, solve), for benchmarks.
    phases: dict[str, float] = field(default_factory=dict)


def solve_scenario(
    view: Scenario,
    options: SolveOptions | None = None,
    *,
    horizon: int | None = None,
    stages: tuple[str, ...] = STAGES,
    progress: Progress | None = None,
    warm_start: Callable[[LinearModel, PlanningData], np.ndarray] | None = None,
) -> Solved:
    """Prepare, build and solve a scenario view (no tables yet).

    Parameters
    ----------
    view
        The scenario as the reader may see it.
    options
        Solver options (time limit over every stage, gap, search choices).
    horizon
        Months to plan (default: the scenario's ``horizon_months``).
    stages
        Objective stages, in priority order.
    progress
        Called when an objective stage starts and ends.
    warm_start
        A function giving the start vector (default: the better of greedy and the rounded LP).
    """
    opts = options or SolveOptions()
    time_limit = opts.time_limit
    t0 = time.perf_counter()
    phases: dict[str, float] = {}
    data, pairs = prepare(view, horizon)
    phases["prepare"] = time.perf_counter() - t0
    model = build_model(data)
    _ = model.matrix
    build = time.perf_counter() - t0
    phases["build"] = build - phases["prepare"]
    greedy = greedy_plan(model, data)
    phases["greedy"] = time.perf_counter() - t0 - build
    flow: float | None = None
    if time_limit is not None:
        # A valid bound on the first stage that is cheap at any size (flow_bound): the plan
        # has a bound even when the model's own LP relaxation does not finish in time.
        t1 = time.perf_counter()
        left = time_limit - (t1 - t0)
        flow = flow_bound(data, max(FLOW_BOUND_MIN_SECONDS, FLOW_BOUND_SHARE * left)).bound
        phases["flow_bound"] = time.perf_counter() - t1
        # The limit is wall-clock time for the whole run: preparing, building and the greedy
        # plan spent part of it already, and the tables, explanations and what-ifs made after
        # the solve need time too (the tables alone 11 s at 100,000 pledges under load 11,
        # beside a 69 s build), so a fifth of the limit is kept back (at most the build time).
        reserve = min(POSTPROCESS_SHARE * time_limit, build)
        time_limit = max(0.1, time_limit - (time.perf_counter() - t0) - reserve)
        if time_limit < SETUP_OVER_BUILD * build:
            # Too little time left to even set the solver up: the greedy plan, with the flow
            # bound, is the answer within the limit.
            sol = unsolved(model, greedy, stages, flow, opts.mip_rel_gap, progress)
            sol.build_seconds = build
            log.info("phases %s (solver not started)", phases, extra={"phases": phases})
            return Solved(data, pairs, model, sol, greedy, build, phases)
    if warm_start is not None:
        start, bound = warm_start(model, data), None
    else:
        # The better of the greedy plan and the rounded LP starts the solver; the LP value is a
        # lower bound, so a gap is known even if the MIP stops before its root node.
        t1 = time.perf_counter()
        lp_limit = None if time_limit is None else opts.lp_share * time_limit
        rounded, bound, zero = lp_rounding_plan(model, data, lp_limit, greedy)
        phases["lp"] = time.perf_counter() - t1
        if time_limit is not None:
            time_limit = max(1.0, time_limit - (time.perf_counter() - t1))
        unmet = model.objective_vector("unmet")
        start = rounded if unmet @ rounded < unmet @ greedy else greedy
        if opts.lagrangian_share > 0 and time_limit is not None:
            # A Lagrangian bound by unit type (forcegen.lagrange) and its repaired plan.
            lag = lagrangian_bound(
                model, data, start, time_limit=opts.lagrangian_share * time_limit
            )
            start = lag.plan if lag.plan_objective < unmet @ start else start
            if np.isfinite(lag.bound):
                bound = lag.bound if bound is None else max(bound, lag.bound)
            time_limit = max(1.0, time_limit - lag.seconds)
        if (
            model.n_cols > opts.restrict_above_columns
            and bound is not None
            and str(data.params["gender_mode"]) != "hard"
        ):
            # Large models: first search only the tours the LP uses (a restricted MIP, far
            # smaller), then give its plan to the full model.
            share = None if time_limit is None else opts.restricted_share * time_limit
            t1 = time.perf_counter()
            sub = solve(
                model, ("unmet",), replace(opts, time_limit=share), warm_start=start, fix_zero=zero
            )
            if unmet @ sub.x < unmet @ start:
                start = sub.x
            phases["restricted"] = time.perf_counter() - t1
            if time_limit is not None:
                time_limit = max(1.0, time_limit - (time.perf_counter() - t1))
    if flow is not None:
        bound = flow if bound is None else max(bound, flow)
    t1 = time.perf_counter()
    sol = solve(
        model,
        stages,
        replace(opts, time_limit=time_limit),
        warm_start=start,
        progress=progress,
        first_stage_bound=bound,
    )
    phases["solve"] = time.perf_counter() - t1
    sol.build_seconds = build
    log.info("phases %s", phases, extra={"phases": phases})
    return Solved(data, pairs, model, sol, greedy, build, phases)


def unsolved(
    model: LinearModel,
    x: np.ndarray,
    stages: tuple[str, ...],
    bound: float | None,
    mip_rel_gap: float,
    progress: Progress | None = None,
) -> SolveResult:
    """The plan ``x`` as the result of a run whose time limit left no time for the solver.

    The first stage gets ``bound`` (a valid lower bound, e.g. :func:`flow_bound`'s, rounded up
    when the objective takes whole values) and the gap it proves; the later stages are reported
    unproven with no bound, as :func:`~bluehelmet.forcegen.solve.solve` reports stages it skips.
    """
    result = SolveResult(np.asarray(x, float))
    for stage in stages:
        c = model.objective_vector(stage)
        if not c.any():
            continue
        if progress:
            progress(stage, None)
        obj = float(c @ x)
        low, gap, status = float("-inf"), float("inf"), "time_limit"
        if not result.stages and bound is not None:
            low = rounded_bound(bound, integral_objective(model, c))
            gap = max(obj - low, 0.0) / max(abs(obj), 1e-9)
            if obj - low <= mip_rel_gap * max(abs(obj), 1.0):
                status = "optimal"
        res = StageResult(stage, status, obj, low, gap, 0.0)
        result.stages.append(res)
        if progress:
            progress(stage, res)
    return result
