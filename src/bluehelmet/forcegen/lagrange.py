"""A Lagrangian decomposition of the coverage stage by unit type, and a repair heuristic.

Only two constraint families join the tours of one unit type and nothing else:
``Requirement-cover`` (a requirement asks for one unit type) and ``Pledge-capacity`` (a pledge
offers one unit type). Every other family (``Lift-moves``, ``Council-ceiling``,
``Budget-fiscal-year``, ``Mission-contributor-share``, ``Contributor-max-units``,
``Gender-target``) couples unit types. Pricing the coupling rows with multipliers splits the
first stage into one small, independent MIP per unit type (its tours and shortfalls, its cover
and capacity rows), solved here with HiGHS.

Math
----
Write the first stage as ``min c x`` over ``x ∈ X`` (the unit-type rows, bounds, integrality)
subject to the coupling rows ``l ≤ A x ≤ u``. For multipliers ``y`` with ``y_i ≥ 0`` only
where ``l_i > −∞`` and ``y_i ≤ 0`` only where ``u_i < ∞`` (HiGHS's sign convention for row
duals of a minimisation), let ``h(y) = Σ_i (l_i y_i if y_i > 0 else u_i y_i)`` and

    L(y) = min_{x ∈ X} (c − Aᵀ y) x + h(y) = Σ_b min_{x_b ∈ X_b} (c − Aᵀ y)_b x_b + h(y).

For every plan ``x`` feasible for the whole model, ``y_i (A x)_i ≥ y_i l_i`` when ``y_i > 0``
(because ``(A x)_i ≥ l_i``) and ``y_i (A x)_i ≥ y_i u_i`` when ``y_i < 0`` (because
``(A x)_i ≤ u_i``), so ``yᵀ A x ≥ h(y)`` and ``c x ≥ (c − Aᵀ y) x + h(y) ≥ L(y)``: ``L(y)`` is a
lower bound on every feasible plan's objective, hence on the stage's optimum. Each block ``b``
(one unit type) is minimised separately because ``X`` is a product of the blocks' sets; the bound
uses each block MIP's *dual bound* (not its best plan), so it stays valid when a block stops
short of optimality. Columns outside every block (``Gender-shortfall``, which appears only in
coupling rows) are minimised over their bounds in closed form; where such a column has an
infinite bound (soft gender mode) its rows' multipliers are held at 0, so that the minimum stays
finite. Since ``X``'s integer hull lies inside its LP relaxation, ``max_y L(y)`` is at least the
LP bound (Geoffrion 1974), and at the LP's own row duals ``L`` is already at least the LP value
(with LP blocks it equals it). The multipliers start from the LP duals where the LP is solved
within its time, otherwise from 0, and are improved by projected subgradient ascent with the
Polyak step ``θ (U − L(y)) / ‖g‖²`` (``U`` the best plan found, ``θ`` halved after
:data:`PATIENCE` rounds without a better bound; Held, Wolfe and Crowder 1974). Rows are scaled
by their largest coefficient first (an equivalent problem: ceilings count persons, budgets
millions of US$), so one step length suits them all.

The blocks' plans break coupling rows. :func:`repair` keeps as many of their units as the
coupling rows allow (highest priority weight x months counted first), completes the plan with
the greedy heuristic, and checks it against every row of the model; a restricted MIP over the
tours the blocks used (and the starting plan's) then improves it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp

from bluehelmet.errors import SolverError
from bluehelmet.forcegen.data import PlanningData
from bluehelmet.forcegen.greedy import greedy_plan
from bluehelmet.forcegen.options import SolveOptions
from bluehelmet.forcegen.solve import integral_objective, rounded_bound, solve
from bluehelmet.highs import new_highs, to_highs
from bluehelmet.optimize.linear import LinearModel

#: Constraint families kept inside the unit-type subproblems; every other family is priced.
LOCAL_FAMILIES = ("Requirement-cover", "Pledge-capacity")
#: Rounds without a better bound after which the Polyak step factor θ is halved.
PATIENCE = 4
#: Share of the time limit kept for the restricted MIP over the tours the blocks used.
REPAIR_SHARE = 0.4
#: Largest model whose blocks are solved as MIPs by default (above: as LPs; measured on the
#: generated instances, the MIP blocks' bound at the LP duals equals the LP's, and at 10,000
#: pledges a round of MIP blocks did not finish within the limit).
MIP_BLOCKS_MAX_COLUMNS = 50_000
#: Row activity tolerance of :func:`is_feasible` (HiGHS's own primal feasibility tolerance).
FEASIBILITY_TOLERANCE = 1e-6


@dataclass
class LagrangeResult:
    """Outcome of :func:`lagrangian_bound`.

    Attributes
    ----------
    bound
        Best Lagrangian bound (a valid lower bound on the stage's optimum; rounded up to a whole
        number when the objective only takes whole values).
    lp_bound
        Value of the LP relaxation the multipliers started from (None if it was not solved).
    plan
        The best feasible plan found (the start, the repaired plan or the restricted MIP's).
    plan_objective
        Its objective.
    multipliers
        The multipliers of the best bound, one per row of the model (0 on local rows).
    iterations
        Rounds of block solves.
    seconds
        Wall seconds of the whole run (LP, rounds, repair).
    history
        The bound of every round.
    """

    bound: float
    lp_bound: float | None
    plan: np.ndarray
    plan_objective: float
    multipliers: np.ndarray
    iterations: int
    seconds: float
    history: list[float] = field(default_factory=list)


@dataclass
class Decomposition:
    """The model split into unit-type blocks and priced coupling rows.

    ``block`` gives each column's block (-1: outside every block); ``coupling`` the indices of
    the priced rows; ``scale`` their scale factors (largest coefficient).
    """

    block: np.ndarray
    names: list[str]
    coupling: np.ndarray
    scale: np.ndarray
    a: sp.csr_matrix
    lo: np.ndarray
    hi: np.ndarray
    y_lo: np.ndarray
    y_hi: np.ndarray


def decompose(model: LinearModel, d: PlanningData) -> Decomposition:
    """Blocks by unit type (tours by their pledge's, shortfalls by their requirement's).

    Raises
    ------
    ValueError
        If a local row holds columns of two unit types, or a column outside every block appears
        in a local row (the decomposition would not be exact).
    """
    types = pd.Index(sorted(set(d.pledges["unit_type_id"]) | set(d.requirements["unit_type_id"])))
    block = np.full(model.n_cols, -1, np.int64)
    tours = model.var_families["Tour-start"]
    pledge_type = types.get_indexer(d.pledges["unit_type_id"])
    block[tours.start : tours.stop] = pledge_type[d.candidates["pledge"].to_numpy()]
    short = model.var_families["Shortfall"]
    req_type = types.get_indexer(d.requirements["unit_type_id"])
    block[short.start : short.stop] = req_type[short.labels["req"].to_numpy()]
    local = np.zeros(model.n_rows, bool)
    for name in LOCAL_FAMILIES:
        fam = model.con_families.get(name)
        if fam is not None:
            local[fam.start : fam.stop] = True
    csr = model.matrix.tocsr()
    rows = np.repeat(np.arange(model.n_rows), np.diff(csr.indptr))
    of = block[csr.indices]
    on_local = local[rows]
    if (of[on_local] < 0).any():
        raise ValueError("a column outside every unit-type block appears in a local row")
    lo_b = np.full(model.n_rows, np.iinfo(np.int64).max)
    hi_b = np.full(model.n_rows, -1)
    np.minimum.at(lo_b, rows[on_local], of[on_local])
    np.maximum.at(hi_b, rows[on_local], of[on_local])
    mixed = local & (hi_b >= 0) & (lo_b != hi_b)
    if mixed.any():
        raise ValueError(f"{int(mixed.sum())} local rows hold columns of two unit types")
    _, _, _, row_lo, row_hi = model.bounds()
    coupling = np.flatnonzero(~local)
    a = csr[coupling]
    scale = np.ones(len(coupling))
    if a.nnz:
        biggest = np.abs(a).max(axis=1).toarray().ravel()
        scale = np.where(biggest > 0, biggest, 1.0)
    a = sp.csr_matrix(sp.diags(1.0 / scale) @ a)
    lo, hi = row_lo[coupling] / scale, row_hi[coupling] / scale
    y_lo = np.where(np.isfinite(hi), -np.inf, 0.0)
    y_hi = np.where(np.isfinite(lo), np.inf, 0.0)
    # Columns outside every block with an infinite bound: their rows' multipliers stay 0.
    col_lo, col_hi, _, _, _ = model.bounds()
    outside = np.flatnonzero((block < 0) & ~(np.isfinite(col_lo) & np.isfinite(col_hi)))
    if len(outside):
        free_rows = np.unique(sp.csc_matrix(a)[:, outside].nonzero()[0])
        y_lo[free_rows] = y_hi[free_rows] = 0.0
    return Decomposition(block, list(types), coupling, scale, a, lo, hi, y_lo, y_hi)


def _block_highs(
    model: LinearModel, csr: sp.csr_matrix, cols: np.ndarray, local_rows: np.ndarray, mip: bool
) -> highspy.Highs:
    """A HiGHS instance of one block: its columns and its local rows (``csr``: the matrix)."""
    col_lo, col_hi, integer, row_lo, row_hi = model.bounds()
    a = sp.csc_matrix(csr[local_rows][:, cols])
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(cols), len(local_rows)
    lp.col_cost_ = np.zeros(len(cols))
    lp.col_lower_, lp.col_upper_ = col_lo[cols], col_hi[cols]
    lp.row_lower_, lp.row_upper_ = row_lo[local_rows], row_hi[local_rows]
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = len(cols), len(local_rows)
    if mip:
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
            for i in integer[cols]
        ]
    h = new_highs()
    h.passModel(lp)
    return h


def _solve_blocks(
    blocks: list[tuple[np.ndarray, np.ndarray]],
    highs: list[highspy.Highs],
    rc: np.ndarray,
    x: np.ndarray,
    mip: bool,
    mip_rel_gap: float,
    time_limit: float | None,
) -> float:
    """Minimise every block at reduced costs ``rc``; fill ``x``; return the sum of their bounds.

    A MIP block counts with its dual bound (valid even when it stops short of optimality);
    -inf if a block has no solution (or, as an LP, is not solved) within ``time_limit``.
    """
    t0 = time.perf_counter()
    value = 0.0
    for (cols, _), h in zip(blocks, highs, strict=True):
        h.changeColsCost(len(cols), np.arange(len(cols), dtype=np.int32), rc[cols])
        if time_limit is not None:
            h.setOptionValue("time_limit", max(0.05, time_limit - (time.perf_counter() - t0)))
        if mip:
            h.setOptionValue("mip_rel_gap", mip_rel_gap)
        h.run()
        info = h.getInfo()
        if mip and info.primal_solution_status == 2:
            value += float(info.mip_dual_bound)
        elif not mip and h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
            value += float(info.objective_function_value)
        else:
            return -np.inf
        x[cols] = np.asarray(h.getSolution().col_value)
    return value


def lp_duals(
    model: LinearModel, c: np.ndarray, time_limit: float | None = None
) -> tuple[float, np.ndarray]:
    """The LP relaxation's value and row duals for objective ``c`` (dual simplex).

    Raises
    ------
    SolverError
        If the LP is not solved to optimality within ``time_limit`` seconds.
    """
    h = to_highs(model, cost=c)
    h.setOptionValue("solve_relaxation", True)
    if time_limit is not None:
        h.setOptionValue("time_limit", max(0.05, float(time_limit)))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise SolverError(
            "the LP relaxation could not be solved: " + h.modelStatusToString(h.getModelStatus())
        )
    return float(h.getInfo().objective_function_value), np.asarray(h.getSolution().row_dual)


def is_feasible(model: LinearModel, x: np.ndarray) -> bool:
    """True when ``x`` keeps every column bound, integrality and row of ``model``."""
    col_lo, col_hi, integer, row_lo, row_hi = model.bounds()
    act = model.matrix @ x
    tol = FEASIBILITY_TOLERANCE
    return bool(
        (x >= col_lo - tol).all()
        and (x <= col_hi + tol).all()
        and (np.abs(x[integer] - np.round(x[integer])) <= tol).all()
        and (act >= row_lo - tol * np.maximum(1.0, np.abs(row_lo))).all()
        and (act <= row_hi + tol * np.maximum(1.0, np.abs(row_hi))).all()
    )


def repair(
    model: LinearModel, d: PlanningData, x: np.ndarray, dec: Decomposition
) -> np.ndarray | None:
    """A feasible plan from the blocks' plan ``x`` (feasible for the local rows), or None.

    The blocks' units are kept in order of priority weight x months counted, each as long as
    every upper-bounded coupling row stays within its bound (a subset of a block's plan keeps
    its capacity rows; shortfalls absorb what is dropped); the greedy heuristic then fills what
    is left open. None if the result breaks a row (hard gender targets can).
    """
    tours = model.var_families["Tour-start"]
    y = np.round(x[tours.start : tours.stop])
    cand = d.candidates
    months = np.minimum(cand["end"].to_numpy(), d.n_months - 1) - cand["credit_from"].to_numpy() + 1
    value = d.requirements["weight"].to_numpy()[cand["req"].to_numpy()] * np.maximum(months, 0)
    a = sp.csc_matrix(dec.a[:, tours.start : tours.stop])
    act = np.zeros(a.shape[0])
    kept = np.zeros_like(y)
    for k in np.flatnonzero(y > 0)[np.argsort(-value[y > 0], kind="stable")]:
        rows = a.indices[a.indptr[k] : a.indptr[k + 1]]
        vals = a.data[a.indptr[k] : a.indptr[k + 1]]
        while kept[k] < y[k] and (act[rows] + vals <= dec.hi[rows] + 1e-9).all():
            act[rows] += vals
            kept[k] += 1
    plan = greedy_plan(model, d, kept)
    return plan if is_feasible(model, plan) else None


def lagrangian_bound(
    model: LinearModel,
    d: PlanningData,
    start: np.ndarray,
    *,
    stage: str = "unmet",
    time_limit: float | None = None,
    max_iterations: int = 100,
    mip_blocks: bool | None = None,
    use_lp_duals: bool = True,
    mip_rel_gap: float = 1e-4,
) -> LagrangeResult:
    """Lagrangian bound of ``stage`` by unit type, and the best plan found on the way.

    Parameters
    ----------
    model, d
        The built model and its planning data.
    start
        A feasible plan (e.g. the greedy one): the first upper value of the Polyak step.
    time_limit
        Wall seconds for everything (the LP, the rounds and the repair); none: no limit.
    max_iterations
        Most rounds of block solves.
    mip_blocks
        Solve the blocks as MIPs (the bound can exceed the LP's) or as LPs (False); default:
        MIPs up to :data:`MIP_BLOCKS_MAX_COLUMNS` columns.
    use_lp_duals
        Start from the LP relaxation's row duals (else from 0).
    mip_rel_gap
        Gap of the block MIPs and of the restricted repair MIP.
    """
    t0 = time.perf_counter()

    def left() -> float:
        return float("inf") if time_limit is None else time_limit - (time.perf_counter() - t0)

    c = model.objective_vector(stage)
    if mip_blocks is None:
        mip_blocks = model.n_cols <= MIP_BLOCKS_MAX_COLUMNS
    integral = integral_objective(model, c)
    dec = decompose(model, d)
    col_lo, col_hi, _, _, _ = model.bounds()
    local_rows = np.flatnonzero(~np.isin(np.arange(model.n_rows), dec.coupling))
    csr = model.matrix.tocsr()
    row_block = np.full(model.n_rows, -1)
    first = csr.indices[csr.indptr[local_rows]]
    row_block[local_rows] = dec.block[first]
    blocks = [
        (np.flatnonzero(dec.block == b), local_rows[row_block[local_rows] == b])
        for b in range(len(dec.names))
    ]
    blocks = [(cols, rows) for cols, rows in blocks if len(cols)]
    highs = [_block_highs(model, csr, cols, rows, mip_blocks) for cols, rows in blocks]
    outside = np.flatnonzero(dec.block < 0)
    lo0 = np.where(np.isfinite(dec.lo), dec.lo, 0.0)
    hi0 = np.where(np.isfinite(dec.hi), dec.hi, 0.0)
    y = np.zeros(len(dec.coupling))
    lp_bound = None
    if use_lp_duals:
        budget = None if time_limit is None else 0.3 * left()
        try:
            lp_bound, duals = lp_duals(model, c, budget)
            y = np.clip(duals[dec.coupling] * dec.scale, dec.y_lo, dec.y_hi)
        except SolverError:
            pass
    best_plan, upper = np.asarray(start, float), float(c @ start)
    best, best_y, history = -np.inf, y.copy(), []
    pool = np.asarray(start) > 0.5
    theta, stale, it = 1.0, 0, 0
    stop_rounds = (1 - REPAIR_SHARE) * time_limit if time_limit is not None else None
    while it < max_iterations and (stop_rounds is None or time.perf_counter() - t0 < stop_rounds):
        it += 1
        rc = c - dec.a.T @ y
        x = np.zeros(model.n_cols)
        limit = None if time_limit is None else left()
        value = _solve_blocks(blocks, highs, rc, x, mip_blocks, mip_rel_gap, limit)
        if not np.isfinite(value):
            break
        r = rc[outside]
        x[outside] = np.where(r < 0, col_hi[outside], col_lo[outside])
        if not np.isfinite(x[outside][r != 0]).all():
            raise ValueError(f"stage {stage!r}: a column outside the blocks makes the bound -inf")
        value += float(r[r != 0] @ x[outside][r != 0])
        h_y = float(np.where(y > 0, y * lo0, y * hi0).sum())
        bound = value + h_y
        history.append(bound)
        pool |= x > 0.5
        if bound > best + 1e-9:
            best, best_y, stale = bound, y.copy(), 0
        else:
            stale += 1
            if stale >= PATIENCE:
                theta, stale = theta / 2, 0
        ax = dec.a @ x
        g = np.where(
            y > 0, dec.lo - ax, np.where(y < 0, dec.hi - ax, np.clip(ax, dec.lo, dec.hi) - ax)
        )
        g = np.where((dec.y_lo == 0) & (dec.y_hi == 0), 0.0, g)
        if it == 1 or it % 5 == 0:
            fixed = repair(model, d, x, dec)
            if fixed is not None and float(c @ fixed) < upper - 1e-9:
                best_plan, upper = fixed, float(c @ fixed)
                pool |= fixed > 0.5
        norm = float(g @ g)
        if norm < 1e-12 or rounded_bound(best, integral) >= upper - 1e-9 * max(1.0, upper):
            break
        y = np.clip(
            y + theta * max(upper - bound, 1e-6 * max(1.0, abs(upper))) / norm * g,
            dec.y_lo,
            dec.y_hi,
        )
    if time_limit is None or left() > 0.5:
        tours = model.var_families["Tour-start"]
        fix = np.zeros(model.n_cols, bool)
        fix[tours.start : tours.stop] = ~pool[tours.start : tours.stop]
        limit = None if time_limit is None else left()
        sub = solve(
            model,
            (stage,),
            SolveOptions(time_limit=limit, mip_rel_gap=mip_rel_gap),
            warm_start=best_plan,
            fix_zero=fix,
        )
        if is_feasible(model, sub.x) and float(c @ sub.x) < upper - 1e-9:
            best_plan, upper = sub.x, float(c @ sub.x)
    multipliers = np.zeros(model.n_rows)
    multipliers[dec.coupling] = best_y / dec.scale
    return LagrangeResult(
        bound=rounded_bound(best, integral),
        lp_bound=lp_bound,
        plan=best_plan,
        plan_objective=upper,
        multipliers=multipliers,
        iterations=it,
        seconds=time.perf_counter() - t0,
        history=history,
    )
