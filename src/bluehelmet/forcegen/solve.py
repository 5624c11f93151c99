"""Solving the model with HiGHS, lexicographically.

Why lexicographic and not one weighted objective: the stages are in different units (weighted
requirement-months, millions of USD, person-months of women short of target). Weights that
provably make coverage dominate cost would have to exceed the largest possible cost difference
divided by the smallest weight, about 1e9 : 1 at PCRS scale, which leaves the cost term below the
solver's optimality tolerance, so cost would not really be optimised. Solving stage by stage, each
stage bounded by the optimal value of the ones before (plus 1e-7 relative slack for round-off),
keeps every stage exact. Each stage starts from the previous stage's solution (feasible for it),
and the first from the greedy heuristic, so a time limit always leaves a feasible plan.

One plan, whatever the load: HiGHS's search is deterministic for a given model and options
unless a wall-clock limit stops it, so by default (no ``time_limit``) no stage has one; each is
bounded by a node budget instead (``SolveOptions.node_limit``, HiGHS ``mip_max_nodes``) and the
same plan comes back on any machine under any load. A stage the budget stops is reported as
``node_limit`` with its bound and gap, never as ``optimal``. A ``time_limit`` replaces the
budget by shares of the time (``STAGE_TIME_SHARE``), and a plan it stops may differ under load.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import highspy
import numpy as np

from bluehelmet.errors import SolverError
from bluehelmet.forcegen.greedy import settle_shortfalls
from bluehelmet.forcegen.options import SolveOptions
from bluehelmet.highs import to_highs
from bluehelmet.optimize.linear import LinearModel

#: Share of the remaining time limit each stage may use (the last stage uses all that is left).
STAGE_TIME_SHARE = {"unmet": 0.5, "cost": 0.6, "gender": 0.75}
#: Stages solved with a zero gap whatever ``mip_rel_gap`` says (the tie-break: its optimum picks
#: one allocation among equally good plans, so "within a gap" would not be one allocation).
EXACT_STAGES = frozenset({"tiebreak"})
#: Models with more columns whose first stage is not proven within the time limit skip the
#: later stages (see :func:`solve`).
LARGE_MODEL_COLUMNS = 80_000
#: Relative slack allowed on an earlier stage's optimum when it becomes a constraint.
LEXICOGRAPHIC_SLACK = 1e-7


@dataclass
class StageResult:
    """Outcome of one objective stage."""

    stage: str
    status: str
    objective: float
    bound: float
    mip_gap: float
    seconds: float


@dataclass
class SolveResult:
    """The chosen column values and per-stage outcomes."""

    x: np.ndarray
    stages: list[StageResult] = field(default_factory=list)
    build_seconds: float = 0.0

    @property
    def status(self) -> str:
        """``optimal`` when every stage was proven optimal, else the worst stage status."""
        worst = [s.status for s in self.stages if s.status != "optimal"]
        return worst[0] if worst else "optimal"

    @property
    def solve_seconds(self) -> float:
        """Total solver time over the stages."""
        return sum(s.seconds for s in self.stages)

    @property
    def mip_gap(self) -> float:
        """Largest relative optimality gap over the stages (at most mip_rel_gap when optimal)."""
        return max((s.mip_gap for s in self.stages), default=0.0)


def _status(h: highspy.Highs) -> str:
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kOptimal:
        return "optimal"
    if status == highspy.HighsModelStatus.kSolutionLimit:
        # HiGHS reports its node limit (mip_max_nodes, the only such limit set here) so.
        return "node_limit"
    if status in (
        highspy.HighsModelStatus.kTimeLimit,
        highspy.HighsModelStatus.kIterationLimit,
        highspy.HighsModelStatus.kInterrupt,
    ):
        return "time_limit"
    return h.modelStatusToString(status).lower().replace(" ", "_")


def _bound_stage(h: highspy.Highs, c: np.ndarray, value: float) -> None:
    """Keep later stages at least as good as ``value`` on objective ``c``."""
    nz = np.flatnonzero(c)
    h.addRow(
        -highspy.kHighsInf,
        value + LEXICOGRAPHIC_SLACK * max(1.0, abs(value)),
        len(nz),
        nz.astype(np.int32),
        c[nz],
    )


def _stage_highs(
    model: LinearModel,
    mip_rel_gap: float,
    fix_zero: np.ndarray | None,
    earlier: Sequence[tuple[np.ndarray, float]],
    bounds: tuple[np.ndarray, np.ndarray] | None = None,
    node_limit: int | None = None,
) -> highspy.Highs:
    """A HiGHS instance for one stage: the model, restricted columns, earlier stages' optima.

    ``bounds`` (column lower and upper bounds) replace the model's where they are tighter
    (:func:`reduced_cost_bounds`); ``node_limit`` caps the branch-and-bound nodes (a
    deterministic effort limit, unlike a time limit).
    """
    h = to_highs(model)
    h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    if node_limit is not None:
        h.setOptionValue("mip_max_nodes", int(node_limit))
    if bounds is not None:
        col_lo, col_hi, _, _, _ = model.bounds()
        lo, hi = bounds
        cols = np.flatnonzero((lo > col_lo) | (hi < col_hi)).astype(np.int32)
        if len(cols):
            h.changeColsBounds(len(cols), cols, lo[cols], hi[cols])
    if fix_zero is not None and fix_zero.any():
        cols = np.flatnonzero(fix_zero).astype(np.int32)
        zeros = np.zeros(len(cols))
        h.changeColsBounds(len(cols), cols, zeros, zeros)
    for c, value in earlier:
        _bound_stage(h, c, value)
    return h


def reduced_cost_bounds(
    h: highspy.Highs,
    integer: np.ndarray,
    limit: float,
    bounds: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """Tighter column bounds for every plan whose stage objective is at most ``limit``.

    ``h`` holds one stage's model with its objective ``c``; its LP relaxation is solved here.
    With ``z`` the LP value and ``d`` the reduced costs, every point ``x`` of the LP's polytope
    has ``c x >= z + d_j (x_j - l_j)`` for a column at its lower bound ``l_j`` (``d_j > 0``) and
    ``c x >= z + d_j (x_j - u_j)`` at its upper bound (``d_j < 0``): the Lagrangian bound with
    the LP's duals. A later stage holds ``c x <= limit`` (this stage's optimum with its slack),
    so an integer column may not move more than ``floor((limit - z) / |d_j|)`` away from that
    bound. This is reduced-cost fixing; it removes only plans worse than the stage's optimum,
    which the later stages' bound row excludes anyway, so their optima (and the tie-break's one
    allocation) are unchanged, and their search is smaller: the later stages' objectives
    cannot use HiGHS's own reduced-cost fixing on an earlier objective held as a row. Returns
    ``bounds`` unchanged when the LP is not solved to optimality.
    """
    lo, hi = (b.copy() for b in bounds)
    h.setOptionValue("solve_relaxation", True)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return lo, hi
    sol = h.getSolution()
    x = np.asarray(sol.col_value)
    d = np.asarray(sol.col_dual)
    z = float(h.getInfo().objective_function_value)
    # Room left to the limit, widened by the LP's tolerances (duals are exact to about 1e-7).
    room = max(0.0, limit - z) + 1e-6 * max(1.0, abs(limit)) + 1e-6
    tol = 1e-6
    up = integer & (d > tol) & (x <= lo + 1e-7) & np.isfinite(lo)
    hi[up] = np.minimum(hi[up], lo[up] + np.floor(room / d[up]))
    down = integer & (d < -tol) & (x >= hi - 1e-7) & np.isfinite(hi)
    lo[down] = np.maximum(lo[down], hi[down] - np.floor(room / -d[down]))
    return lo, hi


def _set_time_limit(h: highspy.Highs, time_limit: float | None, t0: float, share: float) -> float:
    """Give the stage ``share`` of what is left of ``time_limit`` (counted from ``t0``).

    Returns the moment (``time.perf_counter``) the stage should end (infinity without a limit).
    """
    if time_limit is None:
        return float("inf")
    left = max(0.05, time_limit - (time.perf_counter() - t0))
    h.setOptionValue("time_limit", left * share)
    return time.perf_counter() + left * share


def _set_start(h: highspy.Highs, x: np.ndarray) -> None:
    sol = highspy.HighsSolution()
    sol.col_value = list(map(float, x))
    sol.value_valid = True
    h.setSolution(sol)


def integral_objective(model: LinearModel, c: np.ndarray) -> bool:
    """True when objective ``c`` takes whole-number values on every integer solution.

    That is when it only weighs integer columns, with whole-number coefficients: then any bound
    can be rounded up, and a plan within less than 1 of the rounded bound is proven optimal.
    """
    _, _, integer, _, _ = model.bounds()
    nz = c != 0
    return bool(
        nz.any() and integer[nz].all() and np.allclose(c[nz], np.round(c[nz]), rtol=0, atol=1e-9)
    )


def rounded_bound(bound: float, integral: bool) -> float:
    """``bound`` rounded up to the next whole number when the objective is integral."""
    if integral and np.isfinite(bound):
        return float(np.ceil(bound - 1e-6))
    return bound


def _same_gaps_first(
    model: LinearModel, c: np.ndarray, x: np.ndarray, h: highspy.Highs, seconds: float
) -> np.ndarray:
    """A better start for a later stage: the best plan with no gap larger than in ``x``.

    ``h`` is a fresh instance of the stage (objective ``c`` set). Every shortfall column is
    capped at its value in ``x`` (a plan that meets the earlier stages' optima), so the plans
    searched keep the coverage stage's optimum by construction and differ only in how the months
    are covered. This restricted MIP has a tight LP and is solved far faster than the full stage,
    whose LP can trade one gap for another fractionally; its plan (feasible for the full stage)
    then starts it. At 1,000 generated pledges it lowers the cost stage's plan from US$2,494 m
    to 2,457 m in 8 s, where the full stage found nothing better in 41 s. It is a heuristic: the
    full stage still proves or bounds the result.
    """
    short = model.var_families.get("Shortfall")
    if short is None or seconds <= 0.05:
        return x
    cols = np.arange(short.start, short.stop, dtype=np.int32)
    h.changeColsBounds(len(cols), cols, np.zeros(len(cols)), x[short.start : short.stop] + 1e-9)
    h.setOptionValue("time_limit", float(seconds))
    _set_start(h, x)
    h.run()
    if h.getInfo().primal_solution_status != 2:
        return x
    found = np.asarray(h.getSolution().col_value)
    return found if float(c @ found) < float(c @ x) else x


def _consistent(h: highspy.Highs, c: np.ndarray, mip_rel_gap: float) -> bool:
    """False when HiGHS claims optimality with a dual bound that does not prove it."""
    if _status(h) != "optimal":
        return True
    info = h.getInfo()
    obj = float(c @ np.asarray(h.getSolution().col_value))
    bound = float(info.mip_dual_bound)
    return bool(obj - bound <= mip_rel_gap * max(abs(obj), 1.0) + 1e-6)


def solve(
    model: LinearModel,
    stages: Sequence[str],
    options: SolveOptions | None = None,
    *,
    warm_start: np.ndarray | None = None,
    progress: Callable[[str, StageResult | None], None] | None = None,
    first_stage_bound: float | None = None,
    fix_zero: np.ndarray | None = None,
) -> SolveResult:
    """Solve ``model`` lexicographically over objective ``stages`` with HiGHS.

    Parameters
    ----------
    model
        The built model.
    stages
        Objective names in priority order (stages without coefficients are skipped).
    options
        Node budget per stage (or a time limit in seconds for all stages together, which
        replaces it), optimality gap and search choices.
    warm_start
        A feasible column vector (e.g. from the greedy heuristic) to start from.
    progress
        Called with (stage, None) when a stage starts and (stage, result) when it ends.
    first_stage_bound
        A known lower bound on the first stage (e.g. its LP relaxation), used for the reported
        gap when it is better than the solver's own bound.
    fix_zero
        Columns to fix at zero (a restricted model, for a heuristic search near the LP).

    Raises
    ------
    SolverError
        If a stage ends with no feasible solution.
    """
    opts = options or SolveOptions()
    time_limit, mip_rel_gap = opts.time_limit, opts.mip_rel_gap
    # Without a time limit every stage is bounded by nodes only: no wall-clock dependence.
    node_limit = opts.stage_node_limit
    n = model.n_cols
    idx = np.arange(n, dtype=np.int32)
    x = warm_start
    result = SolveResult(np.zeros(n) if x is None else np.asarray(x, float))
    earlier: list[tuple[np.ndarray, float]] = []
    t0 = time.perf_counter()
    # The most a stage has run past the time it was given (setting up a fresh HiGHS instance and
    # presolving: tens of seconds at 100,000 pledges, where HiGHS checks its limit rarely).
    overrun = 0.0
    # Above this size no later stage has found a better plan or any bound within the limits
    # measured (5,000 to 100,000 generated pledges): an unproven first stage gets all the time.
    large = time_limit is not None and model.n_cols > LARGE_MODEL_COLUMNS

    def share(stage: str) -> float:
        return 1.0 if large and not result.stages else STAGE_TIME_SHARE.get(stage, 1.0)

    col_lo, col_hi, integer, _, _ = model.bounds()
    bounds = (col_lo.copy(), col_hi.copy())

    def _stage_model(c: np.ndarray) -> highspy.Highs:
        h = _stage_highs(model, gap_target, fix_zero, earlier, bounds, node_limit)
        h.changeColsCost(n, idx, c)
        return h

    for stage in stages:
        c = model.objective_vector(stage)
        if not c.any():
            continue
        if progress:
            progress(stage, None)
        # The tie-break stage must find the one best plan, not one within a gap of it.
        gap_target = 0.0 if stage in EXACT_STAGES else mip_rel_gap
        start = time.perf_counter()
        left = float("inf") if time_limit is None else time_limit - (start - t0)
        first_unproven = large and bool(result.stages) and result.stages[0].status != "optimal"
        no_time = overrun > 0 and left < 2 * overrun
        if x is not None and result.stages and (first_unproven or no_time):
            # Too little time left to set the stage up, let alone search (or a large model whose
            # first stage is unproven): keep the plan so far and say the stage is unproven,
            # rather than overrun the limit.
            prev = float(c @ x)
            res = StageResult(stage, "time_limit", prev, float("-inf"), float("inf"), 0.0)
            result.stages.append(res)
            if progress:
                progress(stage, res)
            earlier.append((c, prev))
            continue
        if (
            result.stages
            and x is not None
            and time_limit is not None
            and model.n_cols > opts.same_gaps_above_columns
        ):
            left = max(0.0, time_limit - (time.perf_counter() - t0))
            x = _same_gaps_first(
                model,
                c,
                x,
                _stage_model(c),
                left * share(stage) * opts.same_gaps_share,
            )
        # A fresh HiGHS instance per stage (the earlier stages' optima as rows): nothing of an
        # earlier stage's search state can leak into this one's optimality claim.
        h = _stage_model(c)
        ends = _set_time_limit(h, time_limit, t0, share(stage))
        # Every stage starts from the best plan so far (feasible for it: the earlier stages'
        # bounds hold it with slack), so a later stage always has an incumbent and a gap.
        if x is not None and (opts.warm_start_later_stages or not result.stages):
            _set_start(h, x)
            h.run()
            if not _consistent(h, c, gap_target):
                # HiGHS 1.16 sometimes calls a stage "optimal" from its start vector with
                # a bound far below the objective (random_scenario seed 5): solve it cold.
                h = _stage_model(c)
                ends = _set_time_limit(h, time_limit, t0, share(stage))
                h.run()
        else:
            h.run()
        seconds = time.perf_counter() - start
        overrun = max(overrun, time.perf_counter() - ends)
        info = h.getInfo()
        # A stage that finds nothing in time (or only after a cold re-solve) keeps the plan it
        # started from.
        if info.primal_solution_status != 2 and x is not None:
            prev = float(c @ x)
            stopped = _status(h) if _status(h) == "node_limit" else "time_limit"
            res = StageResult(stage, stopped, prev, float("-inf"), float("inf"), seconds)
            result.stages.append(res)
            if progress:
                progress(stage, res)
            earlier.append((c, prev))
            continue
        if info.primal_solution_status != 2:  # 2 = kSolutionStatusFeasible
            raise SolverError(
                f"HiGHS found no feasible plan in stage {stage!r} "
                f"({h.modelStatusToString(h.getModelStatus())})"
            )
        x = np.asarray(h.getSolution().col_value)
        obj = float(c @ x)
        bound = float(info.mip_dual_bound)
        # The gap HiGHS stopped at, also when "optimal" (then at most mip_rel_gap, not zero).
        gap = float(info.mip_gap) if np.isfinite(info.mip_gap) else float("inf")
        if _status(h) == "optimal":
            gap = min(gap, float(gap_target))
        status = _status(h)
        if first_stage_bound is not None and not result.stages and status != "optimal":
            bound = max(bound, first_stage_bound) if np.isfinite(bound) else first_stage_bound
        if status != "optimal":
            # Whole-number objectives (weighted unmet months with whole weights): a bound of
            # 5,379.2 proves that nothing below 5,380 exists.
            bound = rounded_bound(bound, integral_objective(model, c))
            if np.isfinite(bound):
                gap = min(gap, (obj - bound) / max(abs(obj), 1e-9))
            if obj - bound <= gap_target * max(abs(obj), 1.0):
                status, gap = "optimal", max(obj - bound, 0.0) / max(abs(obj), 1e-9)
        res = StageResult(stage, status, obj, bound, max(gap, 0.0), seconds)
        result.stages.append(res)
        if progress:
            progress(stage, res)
        earlier.append((c, obj))
        later_run = not (large and status != "optimal")  # see the skip at the loop's top
        if opts.reduced_cost_fixing and stage != stages[-1] and later_run:
            # Later stages hold c x <= obj (with slack): tighten their columns' bounds by this
            # stage's LP reduced costs (valid for every plan they may choose).
            limit = obj + LEXICOGRAPHIC_SLACK * max(1.0, abs(obj))
            h = _stage_model(c)
            if time_limit is not None:
                # The LP gets what is left of the limit; unsolved, the bounds stay as they are.
                h.setOptionValue("time_limit", max(0.05, time_limit - (time.perf_counter() - t0)))
            bounds = reduced_cost_bounds(h, integer, limit, bounds)
    if x is not None:
        # Integer columns come back with round-off; snap them so the plan counts whole units.
        _, _, integer, _, _ = model.bounds()
        x = np.where(integer, np.round(x), x)
        if "Tour-start" in model.var_families:
            # ... and book the shortfalls those whole units leave (the solver's continuous
            # columns may match a tour at 6e-7 units); each stage reports the settled plan.
            x = settle_shortfalls(model, x)
            for res in result.stages:
                res.objective = float(model.objective_vector(res.stage) @ x)
        result.x = x
    return result
