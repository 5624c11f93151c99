"""The maximal expected covering location model, built for HiGHS.

The formulation, one ``define_*`` function per family (names as in the docs):

* ``Assign``  x[a, j] >= 0 integer: assets of type a at site j (>= today's count unless relocating);
* ``Open``    y[j] binary, candidate sites only (existing bases are open);
* ``Ladder``  h[a, i, k] in [0, 1]: the k-th asset of type a that reaches cell i;
* ``Cover``   c[i] in [0, 1]: the expected coverage of cell i;

subject to

* ``Ladder-supply``  sum_k h[a, i, k] <= sum_{j in N_a(i)} x[a, j]
* ``Cover-cap``      c[i] <= sum_a sum_k p_a (1 - p_a)^(k-1) h[a, i, k]
* ``Supply``         sum_j x[a, j] <= today's + extra assets of type a
* ``Site-open``      x[a, j] <= supply_a * y[j]            (candidate sites)
* ``Site-limit``     sum_j y[j] <= max_new_sites
* x[a, j] = 0 at candidate sites for types not allowed there (by default aircraft)
* ``Group-size``     x[a, j] - today[a, j] = g_a * n[a, j], n integer (types added in groups)

maximising ``sum_i risk_i * weight_i * c[i]``. N_a(i) holds only the sites within reach of cell i
(sparse), and because the gains fall with k the ladder fills in order, so c[i] is exactly
:func:`~bluehelmet.protect.problem.expected_coverage` at the optimum. Cells that today's reliable
assets already cover are fixed at 1 and left out when today's assets stay in place.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import highspy
import numpy as np
import scipy.sparse as sp

from bluehelmet.errors import SolverError
from bluehelmet.highs import new_highs
from bluehelmet.protect.problem import CoverageProblem, Reach, expected_coverage


@dataclass
class _Builder:
    """Columns and rows of a HiGHS model, added family by family."""

    cost: list[np.ndarray] = field(default_factory=list)
    lower: list[np.ndarray] = field(default_factory=list)
    upper: list[np.ndarray] = field(default_factory=list)
    integer: list[np.ndarray] = field(default_factory=list)
    rows: list[tuple[np.ndarray, np.ndarray, np.ndarray, int]] = field(default_factory=list)
    row_lower: list[np.ndarray] = field(default_factory=list)
    row_upper: list[np.ndarray] = field(default_factory=list)
    families: dict[str, tuple[int, int]] = field(default_factory=dict)
    n_cols: int = 0

    def add_vars(self, name: str, lower: np.ndarray, upper: np.ndarray, *,
                 cost: np.ndarray | None = None, integer: bool = False) -> int:
        n = len(lower)
        self.cost.append(np.zeros(n) if cost is None else np.asarray(cost, float))
        self.lower.append(np.asarray(lower, float))
        self.upper.append(np.asarray(upper, float))
        self.integer.append(np.full(n, 1 if integer else 0, dtype=np.int64))
        start = self.n_cols
        self.families[name] = (start, n)
        self.n_cols += n
        return start

    def add_rows(self, name: str, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray,
                 n_rows: int, lower: np.ndarray | float, upper: np.ndarray | float) -> None:
        self.rows.append((np.asarray(rows, np.int64), np.asarray(cols, np.int64),
                          np.asarray(vals, float), n_rows))
        self.row_lower.append(np.broadcast_to(np.asarray(lower, float), (n_rows,)).copy())
        self.row_upper.append(np.broadcast_to(np.asarray(upper, float), (n_rows,)).copy())
        self.families[name] = (sum(len(r) for r in self.row_lower[:-1]), n_rows)

    def to_highs(self) -> highspy.HighsLp:
        lp = highspy.HighsLp()
        lp.num_col_ = self.n_cols
        lp.col_cost_ = np.concatenate(self.cost)
        lp.col_lower_ = np.concatenate(self.lower)
        lp.col_upper_ = np.concatenate(self.upper)
        lp.sense_ = highspy.ObjSense.kMaximize
        blocks = [sp.coo_matrix((v, (r, c)), shape=(n, self.n_cols)) for r, c, v, n in self.rows]
        matrix = sp.vstack(blocks).tocsc() if blocks else sp.csc_matrix((0, self.n_cols))
        lp.num_row_ = matrix.shape[0]
        lp.row_lower_ = np.concatenate(self.row_lower) if self.row_lower else np.zeros(0)
        lp.row_upper_ = np.concatenate(self.row_upper) if self.row_upper else np.zeros(0)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.indptr
        lp.a_matrix_.index_ = matrix.indices
        lp.a_matrix_.value_ = matrix.data
        lp.a_matrix_.num_col_ = self.n_cols
        lp.a_matrix_.num_row_ = matrix.shape[0]
        lp.integrality_ = [highspy.HighsVarType(int(v)) for v in np.concatenate(self.integer)]
        return lp


@dataclass
class ModelResult:
    """What the solver returned."""

    x: np.ndarray
    opened: np.ndarray
    objective: float
    bound: float
    status: str
    mip_gap: float
    build_seconds: float
    solve_seconds: float
    size: dict[str, int]


def define_assign(b: _Builder, problem: CoverageProblem, n_types: int, n_sites: int) -> int:
    """Assets of each type at each site; today's counts are lower bounds unless relocating."""
    totals = problem.totals()
    upper = np.repeat(totals.astype(float), n_sites).reshape(n_types, n_sites)
    # Types that may not stand at a new site (aircraft) keep to the sites open today.
    upper[np.ix_(~problem.allowed_at_new_sites(), ~problem.open_today())] = 0.0
    lower = np.zeros(n_types * n_sites) if problem.relocate else \
        problem.fixed_counts().ravel().astype(float)
    return b.add_vars("Assign", lower, np.maximum(upper.ravel(), lower), integer=True)


def define_groups(b: _Builder, problem: CoverageProblem, x0: int, n_sites: int) -> None:
    """Types with a group size g > 1 are added to a site g at a time."""
    sizes = problem.group_sizes()
    grouped = np.flatnonzero(sizes > 1)
    if len(grouped) == 0:
        return
    totals = problem.totals()
    base = np.zeros_like(problem.fixed_counts()) if problem.relocate else problem.fixed_counts()
    n = len(grouped) * n_sites
    g0 = b.add_vars("Groups", np.zeros(n), np.repeat(np.ceil(totals[grouped] / sizes[grouped]),
                                                       n_sites), integer=True)
    a_idx = np.repeat(grouped, n_sites)
    j_idx = np.tile(np.arange(n_sites), len(grouped))
    r = np.arange(n)
    b.add_rows("Group-size", np.concatenate([r, r]),
               np.concatenate([x0 + a_idx * n_sites + j_idx, g0 + r]),
               np.concatenate([np.ones(n), -sizes[a_idx].astype(float)]), n,
               base[a_idx, j_idx].astype(float), base[a_idx, j_idx].astype(float))


def define_open(b: _Builder, problem: CoverageProblem, candidates: np.ndarray) -> int:
    """One binary per candidate site (sites that are not open today)."""
    n = len(candidates)
    return b.add_vars("Open", np.zeros(n), np.ones(n), integer=True)


def define_supply(b: _Builder, problem: CoverageProblem, x0: int, n_types: int,
                  n_sites: int) -> None:
    """No more assets of a type than today's plus the extra ones."""
    rows = np.repeat(np.arange(n_types), n_sites)
    cols = x0 + np.arange(n_types * n_sites)
    b.add_rows("Supply", rows, cols, np.ones(len(cols)), n_types, -np.inf,
               problem.totals().astype(float))


def define_site_open(b: _Builder, problem: CoverageProblem, x0: int, y0: int,
                     candidates: np.ndarray, n_sites: int) -> None:
    """Assets only at open sites, and at most ``max_new_sites`` candidate sites opened."""
    totals = problem.totals().astype(float)
    n_types, n_cand = len(totals), len(candidates)
    r = np.arange(n_types * n_cand)
    a_idx, c_idx = np.divmod(r, n_cand) if n_cand else (r, r)
    rows = np.concatenate([r, r])
    cols = np.concatenate([x0 + a_idx * n_sites + candidates[c_idx], y0 + c_idx])
    vals = np.concatenate([np.ones(len(r)), -totals[a_idx]])
    b.add_rows("Site-open", rows, cols, vals, len(r), -np.inf, 0.0)
    b.add_rows("Site-limit", np.zeros(n_cand, dtype=int), y0 + np.arange(n_cand),
               np.ones(n_cand), 1, -np.inf, float(problem.max_new_sites))


Ladder = tuple[int, int, np.ndarray, np.ndarray | None]


def _cumulative(gains: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Expected coverage from ``n`` assets of one type (gains summed up to the backup depth)."""
    cum = np.concatenate([[0.0], np.cumsum(gains)])
    return np.asarray(cum[np.minimum(n, len(gains)).astype(int)])


def define_cover(b: _Builder, problem: CoverageProblem, reach: Reach, x0: int,
                 n_sites: int, done: np.ndarray) -> tuple[int, np.ndarray, list[Ladder]]:
    """Ladder and cover variables with ``Ladder-supply`` and ``Cover-cap`` for open cells.

    For a type added in groups of g, the ladder counts groups instead of assets: the m-th group
    reaching cell i adds ``cum(b_i + g m) - cum(b_i + g (m - 1))``, where b_i is today's assets of
    the type reaching i (fixed) and ``cum`` the expected coverage of that many assets. This is the
    same measure, but a fractional group in the LP relaxation earns only its share of the whole
    group's gain, which keeps the bound tight.
    """
    value = problem.value
    open_cells = np.flatnonzero(~done & (value > 0))
    pos = np.full(len(value), -1)
    pos[open_cells] = np.arange(len(open_cells))
    n_open = len(open_cells)
    c0 = b.add_vars("Cover", np.zeros(n_open), np.ones(n_open), cost=value[open_cells])
    cap_rows, cap_cols, cap_vals = [np.arange(n_open)], [c0 + np.arange(n_open)], [np.ones(n_open)]
    cap_upper = np.zeros(n_open)
    lad_r: list[np.ndarray] = []
    lad_c: list[np.ndarray] = []
    lad_v: list[np.ndarray] = []
    ladders: list[Ladder] = []
    n_lad_rows = 0
    sizes = problem.group_sizes()
    grouped = [int(v) for v in np.flatnonzero(sizes > 1)]
    base = np.zeros_like(problem.fixed_counts()) if problem.relocate else problem.fixed_counts()
    base_reach = reach.counts_covering(base).astype(np.int64)
    for a, inc in enumerate(reach.incidence):
        sub = inc[open_cells]
        reached = np.flatnonzero(np.diff(sub.indptr) > 0)
        if len(reached) == 0:
            continue
        cells = open_cells[reached]
        gains = reach.gains[a]
        if sizes[a] > 1:
            g, b_i = int(sizes[a]), base_reach[a, cells]
            steps = int(np.ceil(len(gains) / g))
            levels = b_i[:, None] + g * np.arange(steps + 1)[None, :]
            cum = _cumulative(gains, levels.ravel()).reshape(levels.shape)
            cell_gains = np.diff(cum, axis=1)  # (cells, steps)
            cap_upper[pos[cells]] += cum[:, 0]  # today's assets of the type: a constant
            supply_cols = b.families["Groups"][0] + grouped.index(a) * n_sites
            k, tier_gains, tier_base = steps, cell_gains.ravel(), b_i
        else:
            supply_cols = x0 + a * n_sites
            k, tier_gains, tier_base = len(gains), np.tile(gains, len(reached)), None
        h0 = b.add_vars(f"Ladder[{reach.asset_ids[a]}]", np.zeros(len(reached) * k),
                        np.ones(len(reached) * k))
        ladders.append((a, h0, cells, tier_base))
        row_ids = n_lad_rows + np.arange(len(reached))
        # sum_k h[a,i,k] - sum_j (x or n)[a,j] <= 0
        lad_r.append(np.repeat(row_ids, k))
        lad_c.append(h0 + np.arange(len(reached) * k))
        lad_v.append(np.ones(len(reached) * k))
        coo = sub[reached].tocoo()
        lad_r.append(row_ids[coo.row])
        lad_c.append(supply_cols + coo.col)
        lad_v.append(-np.ones(len(coo.col)))
        n_lad_rows += len(reached)
        # c[i] - sum_k gain h[a,i,k] <= (constant from today's grouped assets)
        cap_rows.append(np.repeat(pos[cells], k))
        cap_cols.append(h0 + np.arange(len(reached) * k))
        cap_vals.append(-tier_gains)
    if lad_r:
        b.add_rows("Ladder-supply", np.concatenate(lad_r), np.concatenate(lad_c),
                   np.concatenate(lad_v), n_lad_rows, -np.inf, 0.0)
    b.add_rows("Cover-cap", np.concatenate(cap_rows), np.concatenate(cap_cols),
               np.concatenate(cap_vals), n_open, -np.inf, cap_upper)
    return c0, open_cells, ladders


def _start_vector(b: _Builder, problem: CoverageProblem, reach: Reach, start: np.ndarray,
                  candidates: np.ndarray, cover: tuple[int, np.ndarray, list[Ladder]]
                  ) -> np.ndarray:
    """Return a complete feasible solution from a deployment (HiGHS rejects partial ones)."""
    full = np.zeros(b.n_cols)
    x0 = b.families["Assign"][0]
    full[x0:x0 + start.size] = start.ravel()
    y0 = b.families["Open"][0]
    full[y0:y0 + len(candidates)] = (start[:, candidates].sum(axis=0) > 0).astype(float)
    sizes = problem.group_sizes()
    base = np.zeros_like(start) if problem.relocate else problem.fixed_counts()
    groups = np.zeros_like(start)
    if "Groups" in b.families:
        grouped = np.flatnonzero(sizes > 1)
        groups[grouped] = (start[grouped] - base[grouped]) // sizes[grouped, None]
        g0, n = b.families["Groups"]
        full[g0:g0 + n] = groups[grouped].ravel()
    counts = reach.counts_covering(start)
    group_counts = reach.counts_covering(groups)
    c0, open_cells, ladders = cover
    total = np.zeros(len(problem.cells))
    for a, h0, cells, tier_base in ladders:
        gains = reach.gains[a]
        if tier_base is None:
            k, used = len(gains), counts[a, cells]
        else:
            k, used = int(np.ceil(len(gains) / sizes[a])), group_counts[a, cells]
        h = (np.arange(k)[None, :] < used[:, None]).astype(float)
        full[h0:h0 + h.size] = h.ravel()
        total[cells] += _cumulative(gains, counts[a, cells])
    full[c0:c0 + len(open_cells)] = np.minimum(1.0, total[open_cells])
    return full


def solve_model(problem: CoverageProblem, reach: Reach, *, time_limit: float = 60.0,
                mip_gap: float = 1e-4, threads: int | None = None,
                start: np.ndarray | None = None) -> ModelResult:
    """Build and solve the model; ``start`` is an optional feasible x (types x sites) warm start.

    Raises
    ------
    SolverError
        If HiGHS finds no feasible solution within the time limit.

    """
    t0 = time.perf_counter()
    n_types, n_sites = len(problem.asset_types), len(problem.sites)
    open_today = problem.open_today()
    candidates = np.flatnonzero(~open_today)
    done = np.zeros(len(problem.cells), dtype=bool)
    if not problem.relocate:
        # Cells already reached by one of today's fully available assets are covered for certain.
        fixed = problem.fixed_counts()
        n = reach.counts_covering(fixed)
        done = expected_coverage(reach, fixed) >= 1.0 - 1e-12
        done &= n.sum(axis=0) > 0
    b = _Builder()
    x0 = define_assign(b, problem, n_types, n_sites)
    y0 = define_open(b, problem, candidates)
    define_groups(b, problem, x0, n_sites)
    define_supply(b, problem, x0, n_types, n_sites)
    define_site_open(b, problem, x0, y0, candidates, n_sites)
    cover = define_cover(b, problem, reach, x0, n_sites, done)
    lp = b.to_highs()
    constant = float(problem.value[done].sum())
    build = time.perf_counter() - t0
    h = new_highs()
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(mip_gap))
    if threads is not None:
        h.setOptionValue("threads", int(threads))
    h.passModel(lp)
    if start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = list(_start_vector(b, problem, reach, start, candidates, cover))
        sol.value_valid = True
        h.setSolution(sol)
    t1 = time.perf_counter()
    h.run()
    solve = time.perf_counter() - t1
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    if info.primal_solution_status < 2:
        raise SolverError(f"HiGHS found no feasible deployment ({status}); "
                          "raise the time limit or make the problem smaller")
    values = np.asarray(h.getSolution().col_value)
    x = np.rint(values[x0:x0 + n_types * n_sites]).astype(np.int64).reshape(n_types, n_sites)
    opened = np.zeros(n_sites, dtype=bool)
    opened[candidates] = np.rint(values[y0:y0 + len(candidates)]) > 0
    opened[candidates] &= x[:, candidates].sum(axis=0) > 0
    bound = float(info.mip_dual_bound) + constant if np.isfinite(info.mip_dual_bound) else \
        float(info.objective_function_value) + constant
    objective = float(info.objective_function_value) + constant
    gap = 0.0 if objective <= 0 and bound <= objective + 1e-9 else \
        max(0.0, (bound - objective) / max(abs(objective), 1e-12))
    size = {"columns": b.n_cols, "rows": int(lp.num_row_),
            "nonzeros": int(len(lp.a_matrix_.value_)),
            "integer_columns": int(np.concatenate(b.integer).sum()),
            "cells_fixed_covered": int(done.sum())}
    return ModelResult(x, opened, objective, bound, status, gap, build, solve, size)
