"""The one place where :mod:`bluehelmet.robust` calls the force generation planner.

Sweeps call :func:`solve_variant` (the public :func:`bluehelmet.forcegen.plan`); risk runs call
:func:`solve_nominal` and :func:`solve_data`, which work on the planner's prepared arrays
(:class:`~bluehelmet.forcegen.data.PlanningData`) because a disruption changes which tours exist
and when they count, not the scenario's tables. When the planner's interface changes, only this
module changes.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from bluehelmet.errors import DataError, Problem
from bluehelmet.forcegen.data import PlanningData
from bluehelmet.forcegen.scenarios import Override
from bluehelmet.highs import THREADS_ENV
from bluehelmet.model.access import AccessContext
from bluehelmet.optimize.linear import LinearModel
from bluehelmet.scenario.core import Scenario, ScenarioView

#: Figures of one planned variant, in the order of the sweep table.
FIGURES = (
    "unmet_requirement_months",
    "weighted_unmet_requirement_months",
    "total_cost_usd",
    "women_share",
    "mip_gap",
    "solve_seconds",
)


_lock = threading.Lock()
_depth = 0
_saved: str | None = None


@contextmanager
def one_thread() -> Iterator[None]:
    """Solve with one HiGHS thread inside this block (also when blocks overlap in threads).

    Every solve of a sweep or risk run uses one thread, wherever it runs (the caller's process,
    a pool worker, a Dask worker thread): ``n`` workers then use ``n`` cores, and a plan does
    not depend on where it was solved (HiGHS may pick another of several optima with another
    thread count).
    """
    global _depth, _saved
    with _lock:
        if _depth == 0:
            _saved = os.environ.get(THREADS_ENV)
            os.environ[THREADS_ENV] = "1"
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                if _saved is None:
                    os.environ.pop(THREADS_ENV, None)
                else:
                    os.environ[THREADS_ENV] = _saved


@dataclass
class PlannedTours:
    """A solved plan as the risk analysis needs it: the prepared data and units per tour.

    Attributes
    ----------
    data
        The planner's arrays (requirements, pledges, candidate tours with ``earliest`` start).
    units
        Units started on each candidate tour (whole numbers, one entry per candidate).
    status, mip_gap, solve_seconds
        How the solve ended.
    """

    data: PlanningData
    units: np.ndarray
    status: str
    mip_gap: float
    solve_seconds: float


def reader_view(scenario: Scenario, reader: AccessContext) -> ScenarioView:
    """What ``reader`` may see of ``scenario`` (the need-to-know gate, applied once here).

    Raises
    ------
    DataError
        If the reader may see no requirement or no pledge: there is nothing to plan.
    """
    view = scenario.view(reader)
    empty = [name for name in ("requirements", "pledges") if len(view.tables[name]) == 0]
    if empty:
        raise DataError(
            [
                Problem(
                    f"{name}.csv",
                    None,
                    None,
                    None,
                    f"{reader.organisation} ({reader.clearance.label}) may see no "
                    f"{name} of scenario {scenario.name}: nothing to plan",
                    "read as a reader who may see them (--org, --clearance or "
                    "BLUEHELMET_ORG, BLUEHELMET_CLEARANCE)",
                )
                for name in empty
            ]
        )
    return view


def solve_variant(
    view: ScenarioView,
    overrides: tuple[Override, ...],
    *,
    horizon: int | None,
    time_limit: float | None,
) -> dict[str, Any]:
    """Plan the reader's ``view`` with a variant's ``overrides``; return its figures.

    The figures are those of :data:`FIGURES` plus ``status``; ``women_share`` is the share of
    women in all planned personnel-months.
    """
    from bluehelmet.forcegen import PlanOptions, SolveOptions, plan

    options = PlanOptions(
        horizon=horizon,
        explain=False,
        smart_pledging=False,
        sensitivities=False,
        solve=SolveOptions(time_limit=time_limit),
    )
    t0 = time.perf_counter()
    with one_thread():
        result = plan(view, options, overrides=overrides)
    s = result.summary
    gender = result.gender
    persons = float(gender["person_months"].sum()) if len(gender) else 0.0
    women = float(gender["women_months"].sum()) / persons if persons > 0 else float("nan")
    return {
        "status": s.status,
        "unmet_requirement_months": s.unmet_requirement_months,
        "weighted_unmet_requirement_months": s.weighted_unmet_requirement_months,
        "total_cost_usd": s.total_cost_usd,
        "women_share": women,
        "mip_gap": float("nan") if s.mip_gap is None else float(s.mip_gap),
        "solve_seconds": time.perf_counter() - t0,
    }


def with_earliest(data: PlanningData, pairs: pd.DataFrame) -> PlanningData:
    """``data`` with each candidate's earliest possible start (readiness) as ``earliest``."""
    earliest = pairs[["pledge", "req", "earliest"]].drop_duplicates(["pledge", "req"])
    cand = data.candidates.merge(earliest, on=["pledge", "req"], how="left")
    data.candidates = cand.assign(earliest=cand["earliest"].fillna(0).astype("int64"))
    return data


def solve_nominal(view: Scenario, *, horizon: int | None, time_limit: float | None) -> PlannedTours:
    """The nominal plan of ``view`` (the planner's own pipeline), with its prepared data."""
    from bluehelmet.forcegen.options import SolveOptions
    from bluehelmet.forcegen.pipeline import solve_scenario
    from bluehelmet.forcegen.tables import tour_values

    with one_thread():
        solved = solve_scenario(view, SolveOptions(time_limit=time_limit), horizon=horizon)
    data = with_earliest(solved.data, solved.pairs)
    sol = solved.solution
    return PlannedTours(
        data,
        tour_values(solved.model, sol.x),
        sol.status,
        float(sol.mip_gap),
        float(sol.solve_seconds),
    )


def solve_data(
    data: PlanningData,
    *,
    time_limit: float | None,
    extend: Callable[[LinearModel], None] | None = None,
    settle: Callable[[LinearModel, np.ndarray], np.ndarray] | None = None,
    start_units: np.ndarray | None = None,
) -> PlannedTours:
    """Plan already prepared (possibly disrupted) data with the planner's model and stages.

    ``extend`` adds rows, columns or objectives to the built model (the robust plan's draw
    copies); the solve starts from ``start_units`` (tour counts, completed by ``settle``) or from
    the greedy plan.
    """
    from bluehelmet.forcegen.formulation import STAGES, build_model
    from bluehelmet.forcegen.greedy import greedy_plan
    from bluehelmet.forcegen.options import SolveOptions
    from bluehelmet.forcegen.solve import solve
    from bluehelmet.forcegen.tables import tour_values

    model = build_model(data)
    if extend is not None:
        extend(model)
    if start_units is None:
        start = greedy_plan(model, data)
    else:
        tours = model.var_families["Tour-start"]
        start = np.zeros(model.n_cols)
        start[tours.start : tours.stop] = start_units
    if settle is not None:
        start = settle(model, start)
    with one_thread():
        sol = solve(model, STAGES, SolveOptions(time_limit=time_limit), warm_start=start)
    return PlannedTours(
        data, tour_values(model, sol.x), sol.status, float(sol.mip_gap), float(sol.solve_seconds)
    )
