"""Prepare, build and solve a scenario view: the planning pipeline before any table is made.

:func:`solve_scenario` is what :func:`~bluehelmet.forcegen.api.plan` and the what-if re-solves
(:mod:`~bluehelmet.forcegen.whatif`) share; the benchmarks and solver tests call it directly.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from bluehelmet.forcegen.data import PlanningData, prepare
from bluehelmet.forcegen.formulation import STAGES, build_model
from bluehelmet.forcegen.greedy import greedy_plan, lp_rounding_plan
from bluehelmet.forcegen.lagrange import lagrangian_bound
from bluehelmet.forcegen.options import SolveOptions
from bluehelmet.forcegen.solve import SolveResult, StageResult, solve
from bluehelmet.optimize.linear import LinearModel
from bluehelmet.scenario.core import Scenario

Progress = Callable[[str, StageResult | None], None]
#: Most of the time limit kept back for the tables and explanations made after the solve.
POSTPROCESS_SHARE = 0.2


@dataclass
class Solved:
    """A solved planning run, before it is turned into tables."""

    data: PlanningData
    pairs: pd.DataFrame
    model: LinearModel
    solution: SolveResult
    greedy: np.ndarray
    build_seconds: float


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
    data, pairs = prepare(view, horizon)
    model = build_model(data)
    _ = model.matrix
    build = time.perf_counter() - t0
    greedy = greedy_plan(model, data)
    if time_limit is not None:
        # The limit is wall-clock time for the whole run: preparing, building and the greedy
        # plan spent part of it already, and the tables and explanations made after the solve
        # take about as long as building did (75 s against a 74 s build at 100,000 pledges), so
        # that much is kept back (at most a fifth of the limit).
        reserve = min(POSTPROCESS_SHARE * time_limit, build)
        time_limit = max(0.1, time_limit - (time.perf_counter() - t0) - reserve)
    if warm_start is not None:
        start, bound = warm_start(model, data), None
    else:
        # The better of the greedy plan and the rounded LP starts the solver; the LP value is a
        # lower bound, so a gap is known even if the MIP stops before its root node.
        t1 = time.perf_counter()
        lp_limit = None if time_limit is None else opts.lp_share * time_limit
        rounded, bound, zero = lp_rounding_plan(model, data, lp_limit, greedy)
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
            if time_limit is not None:
                time_limit = max(1.0, time_limit - (time.perf_counter() - t1))
    sol = solve(
        model,
        stages,
        replace(opts, time_limit=time_limit),
        warm_start=start,
        progress=progress,
        first_stage_bound=bound,
    )
    sol.build_seconds = build
    return Solved(data, pairs, model, sol, greedy, build)
