"""The maximal expected covering location model, built for HiGHS.

The formulation, one ``define_*`` function per family (names as in the docs):

* ``Assign``  x[a, j] >= 0 integer: assets of type a at site j (>= today's count unless relocating);
* ``Open``    y[j] binary, candidate sites only (existing bases are open);
* ``Ladder``  h[a, i, k] in [0, 1]: the k-th asset of type a that reaches cell i;
* ``Cover``   c[i] in [0, 1]: the expected coverage of cell i;
* ``Patrol[a]`` u[a, j] in [0, 1]: site j holds a patrolling asset of type a;

subject to

* ``Ladder-supply``  sum_k h[a, i, k] <= sum_{j in N_a(i)} x[a, j]
* ``Cover-cap``      c[i] <= sum_a sum_k p_a (1 - p_a)^(k-1) h[a, i, k]
                                + sum_a sum_j s[a, i, j] u[a, j]
* ``Patrol-presence`` u[a, j] <= x[a, j]  (s: share of cell i within a's patrol radius of j)
* ``Supply``         sum_j x[a, j] <= today's + extra assets of type a
* ``Site-open``      x[a, j] <= supply_a * y[j]            (candidate sites)
* ``Site-limit``     sum_j y[j] <= max_new_sites
* x[a, j] = 0 where type a may not stand (aircraft: only at airfields, or at today's bases)
* ``Group-size``     x[a, j] - today[a, j] = g_a * n[a, j], n integer (types added in groups)

maximising ``sum_i risk_i * weight_i * c[i]``. N_a(i) holds only the sites within reach of cell i
(sparse), and because the gains fall with k the ladder fills in order, so c[i] is exactly
:func:`~bluehelmet.protect.problem.expected_coverage` at the optimum. Cells that today's reliable
assets already cover are fixed at 1 and left out when today's assets stay in place.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np
import pandas as pd

from bluehelmet.errors import SolverError
from bluehelmet.highs import to_highs
from bluehelmet.optimize.linear import INF, LinearModel
from bluehelmet.protect.problem import CoverageProblem, Reach, expected_coverage

#: The objective: risk-weighted expected coverage (maximised).
COVERAGE = "coverage"


def type_site_labels(types: np.ndarray, sites: np.ndarray) -> pd.DataFrame:
    """Labels of (asset type, site) pairs."""
    return pd.DataFrame({"asset_type": types, "site": sites})


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


def define_assign(m: LinearModel, problem: CoverageProblem, n_types: int, n_sites: int) -> int:
    """Assets of each type at each site; today's counts are lower bounds unless relocating."""
    totals = problem.totals()
    upper = np.repeat(totals.astype(float), n_sites).reshape(n_types, n_sites)
    # Aircraft stand only at airfields (or, without that column, at the sites open today).
    upper[~problem.allowed_sites()] = 0.0
    lower = (
        np.zeros(n_types * n_sites)
        if problem.relocate
        else problem.fixed_counts().ravel().astype(float)
    )
    labels = type_site_labels(
        np.repeat(np.arange(n_types), n_sites), np.tile(np.arange(n_sites), n_types)
    )
    return m.add_variables(
        "Assign", labels, lower, np.maximum(upper.ravel(), lower), integer=True
    ).start


def define_groups(m: LinearModel, problem: CoverageProblem, x0: int, n_sites: int) -> None:
    """Types with a group size g > 1 are added to a site g at a time."""
    sizes = problem.group_sizes()
    grouped = np.flatnonzero(sizes > 1)
    if len(grouped) == 0:
        return
    totals = problem.totals()
    base = np.zeros_like(problem.fixed_counts()) if problem.relocate else problem.fixed_counts()
    n = len(grouped) * n_sites
    a_idx = np.repeat(grouped, n_sites)
    j_idx = np.tile(np.arange(n_sites), len(grouped))
    labels = type_site_labels(a_idx, j_idx)
    g0 = m.add_variables(
        "Groups",
        labels,
        np.zeros(n),
        np.repeat(np.ceil(totals[grouped] / sizes[grouped]), n_sites),
        integer=True,
    ).start
    r = np.arange(n)
    m.add_constraints(
        "Group-size",
        labels,
        np.concatenate([r, r]),
        np.concatenate([x0 + a_idx * n_sites + j_idx, g0 + r]),
        np.concatenate([np.ones(n), -sizes[a_idx].astype(float)]),
        base[a_idx, j_idx].astype(float),
        base[a_idx, j_idx].astype(float),
    )


def define_open(m: LinearModel, problem: CoverageProblem, candidates: np.ndarray) -> int:
    """One binary per candidate site (sites that are not open today)."""
    n = len(candidates)
    return m.add_variables(
        "Open", pd.DataFrame({"site": candidates}), np.zeros(n), np.ones(n), integer=True
    ).start


def define_supply(
    m: LinearModel, problem: CoverageProblem, x0: int, n_types: int, n_sites: int
) -> None:
    """No more assets of a type than today's plus the extra ones."""
    assets = m.terms("Assign")
    m.add_constraint("Supply", assets.sum(by=["asset_type"]) <= problem.totals().astype(float))


def define_site_open(
    m: LinearModel, problem: CoverageProblem, x0: int, y0: int, candidates: np.ndarray, n_sites: int
) -> None:
    """Assets only at open sites, and at most ``max_new_sites`` candidate sites opened."""
    totals = problem.totals().astype(float)
    n_types, n_cand = len(totals), len(candidates)
    r = np.arange(n_types * n_cand)
    a_idx, c_idx = np.divmod(r, n_cand) if n_cand else (r, r)
    rows = np.concatenate([r, r])
    cols = np.concatenate([x0 + a_idx * n_sites + candidates[c_idx], y0 + c_idx])
    vals = np.concatenate([np.ones(len(r)), -totals[a_idx]])
    m.add_constraints(
        "Site-open", type_site_labels(a_idx, candidates[c_idx]), rows, cols, vals, -INF, 0.0
    )
    opened = m.terms("Open", everything=np.zeros(n_cand, dtype=int))
    m.add_constraint(
        "Site-limit",
        opened.sum(by=["everything"], over=pd.DataFrame({"everything": [0]}))
        <= float(problem.max_new_sites),
    )


Ladder = tuple[int, int, np.ndarray, np.ndarray | None]
#: A patrolling type's presence variables: (type, first column, sites).
PatrolVars = tuple[int, int, np.ndarray]


def define_patrol(
    m: LinearModel, reach: Reach, x0: int, n_sites: int, open_cells: np.ndarray
) -> tuple[list[PatrolVars], list[tuple[np.ndarray, np.ndarray, np.ndarray]]]:
    """Presence variables ``u[a, j] <= x[a, j]`` for the sites whose patrols reach an open cell.

    Returns the variables and, per type, the (cell row, column, share) entries that go into the
    ``Cover-cap`` rows.
    """
    found: list[PatrolVars] = []
    entries: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for a, shares in enumerate(reach.patrol):
        if shares is None:
            continue
        sub = shares[open_cells].tocoo()
        if sub.nnz == 0:
            continue
        sites = np.unique(sub.col)
        n = len(sites)
        u0 = m.add_variables(
            f"Patrol[{reach.asset_ids[a]}]", pd.DataFrame({"site": sites}), np.zeros(n), np.ones(n)
        ).start
        r = np.arange(n)
        m.add_constraints(
            f"Patrol-presence[{reach.asset_ids[a]}]",
            pd.DataFrame({"site": sites}),
            np.concatenate([r, r]),
            np.concatenate([u0 + r, x0 + a * n_sites + sites]),
            np.concatenate([np.ones(n), -np.ones(n)]),
            -INF,
            0.0,
        )
        col_of = np.full(n_sites, -1)
        col_of[sites] = u0 + r
        entries.append((sub.row, col_of[sub.col], -sub.data))
        found.append((a, u0, sites))
    return found, entries


def _cumulative(gains: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Expected coverage from ``n`` assets of one type (gains summed up to the backup depth)."""
    cum = np.concatenate([[0.0], np.cumsum(gains)])
    return np.asarray(cum[np.minimum(n, len(gains)).astype(int)])


def define_cover(
    m: LinearModel, problem: CoverageProblem, reach: Reach, x0: int, n_sites: int, done: np.ndarray
) -> tuple[int, np.ndarray, list[Ladder], list[PatrolVars]]:
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
    c0 = m.add_variables(
        "Cover", pd.DataFrame({"cell": open_cells}), np.zeros(n_open), np.ones(n_open)
    ).start
    m.set_objective(COVERAGE, "Cover", value[open_cells])
    cap_rows, cap_cols, cap_vals = [np.arange(n_open)], [c0 + np.arange(n_open)], [np.ones(n_open)]
    cap_upper = np.zeros(n_open)
    lad_r: list[np.ndarray] = []
    lad_c: list[np.ndarray] = []
    lad_v: list[np.ndarray] = []
    lad_labels: list[pd.DataFrame] = []
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
            supply_cols = m.var_families["Groups"].start + grouped.index(a) * n_sites
            k, tier_gains, tier_base = steps, cell_gains.ravel(), b_i
        else:
            supply_cols = x0 + a * n_sites
            k, tier_gains, tier_base = len(gains), np.tile(gains, len(reached)), None
        h0 = m.add_variables(
            f"Ladder[{reach.asset_ids[a]}]",
            pd.DataFrame(
                {"cell": np.repeat(cells, k), "tier": np.tile(np.arange(k), len(reached))}
            ),
            np.zeros(len(reached) * k),
            np.ones(len(reached) * k),
        ).start
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
        lad_labels.append(pd.DataFrame({"asset_type": a, "cell": cells}))
        # c[i] - sum_k gain h[a,i,k] <= (constant from today's grouped assets)
        cap_rows.append(np.repeat(pos[cells], k))
        cap_cols.append(h0 + np.arange(len(reached) * k))
        cap_vals.append(-tier_gains)
    patrols, patrol_entries = define_patrol(m, reach, x0, n_sites, open_cells)
    for rows, cols, vals in patrol_entries:
        cap_rows.append(rows)
        cap_cols.append(cols)
        cap_vals.append(vals)
    if lad_r:
        m.add_constraints(
            "Ladder-supply",
            pd.concat(lad_labels, ignore_index=True),
            np.concatenate(lad_r),
            np.concatenate(lad_c),
            np.concatenate(lad_v),
            -INF,
            0.0,
        )
    m.add_constraints(
        "Cover-cap",
        pd.DataFrame({"cell": open_cells}),
        np.concatenate(cap_rows),
        np.concatenate(cap_cols),
        np.concatenate(cap_vals),
        -INF,
        cap_upper,
    )
    return c0, open_cells, ladders, patrols


def _start_vector(
    m: LinearModel,
    problem: CoverageProblem,
    reach: Reach,
    start: np.ndarray,
    candidates: np.ndarray,
    cover: tuple[int, np.ndarray, list[Ladder], list[PatrolVars]],
) -> np.ndarray:
    """Return a complete feasible solution from a deployment (HiGHS rejects partial ones)."""
    full = np.zeros(m.n_cols)
    x0 = m.var_families["Assign"].start
    full[x0 : x0 + start.size] = start.ravel()
    y0 = m.var_families["Open"].start
    full[y0 : y0 + len(candidates)] = (start[:, candidates].sum(axis=0) > 0).astype(float)
    sizes = problem.group_sizes()
    base = np.zeros_like(start) if problem.relocate else problem.fixed_counts()
    groups = np.zeros_like(start)
    if "Groups" in m.var_families:
        grouped = np.flatnonzero(sizes > 1)
        groups[grouped] = (start[grouped] - base[grouped]) // sizes[grouped, None]
        g0, n = m.var_families["Groups"].start, len(m.var_families["Groups"].labels)
        full[g0 : g0 + n] = groups[grouped].ravel()
    counts = reach.counts_covering(start)
    group_counts = reach.counts_covering(groups)
    c0, open_cells, ladders, patrols = cover
    total = reach.patrol_coverage(start).sum(axis=0)
    for a, u0, sites in patrols:
        full[u0 : u0 + len(sites)] = (start[a, sites] > 0).astype(float)
    for a, h0, cells, tier_base in ladders:
        gains = reach.gains[a]
        if tier_base is None:
            k, used = len(gains), counts[a, cells]
        else:
            k, used = int(np.ceil(len(gains) / sizes[a])), group_counts[a, cells]
        h = (np.arange(k)[None, :] < used[:, None]).astype(float)
        full[h0 : h0 + h.size] = h.ravel()
        total[cells] += _cumulative(gains, counts[a, cells])
    full[c0 : c0 + len(open_cells)] = np.minimum(1.0, total[open_cells])
    return full


def solve_model(
    problem: CoverageProblem,
    reach: Reach,
    *,
    time_limit: float = 60.0,
    mip_gap: float = 1e-4,
    threads: int | None = None,
    start: np.ndarray | None = None,
) -> ModelResult:
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
    m = LinearModel()
    x0 = define_assign(m, problem, n_types, n_sites)
    y0 = define_open(m, problem, candidates)
    define_groups(m, problem, x0, n_sites)
    define_supply(m, problem, x0, n_types, n_sites)
    define_site_open(m, problem, x0, y0, candidates, n_sites)
    cover = define_cover(m, problem, reach, x0, n_sites, done)
    constant = float(problem.value[done].sum())
    h = to_highs(m, cost=m.objective_vector(COVERAGE), maximise=True)
    build = time.perf_counter() - t0
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(mip_gap))
    if threads is not None:
        h.setOptionValue("threads", int(threads))
    if start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = list(_start_vector(m, problem, reach, start, candidates, cover))
        sol.value_valid = True
        h.setSolution(sol)
    t1 = time.perf_counter()
    h.run()
    solve = time.perf_counter() - t1
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    if info.primal_solution_status < 2:
        raise SolverError(
            f"HiGHS found no feasible deployment ({status}); "
            "raise the time limit or make the problem smaller"
        )
    values = np.asarray(h.getSolution().col_value)
    x = np.rint(values[x0 : x0 + n_types * n_sites]).astype(np.int64).reshape(n_types, n_sites)
    opened = np.zeros(n_sites, dtype=bool)
    opened[candidates] = np.rint(values[y0 : y0 + len(candidates)]) > 0
    opened[candidates] &= x[:, candidates].sum(axis=0) > 0
    bound = (
        float(info.mip_dual_bound) + constant
        if np.isfinite(info.mip_dual_bound)
        else float(info.objective_function_value) + constant
    )
    objective = float(info.objective_function_value) + constant
    gap = (
        0.0
        if objective <= 0 and bound <= objective + 1e-9
        else max(0.0, (bound - objective) / max(abs(objective), 1e-12))
    )
    size = {
        "columns": m.n_cols,
        "rows": m.n_rows,
        "nonzeros": int(m.matrix.nnz),
        "integer_columns": int(m.bounds()[2].sum()),
        "cells_fixed_covered": int(done.sum()),
    }
    return ModelResult(x, opened, objective, bound, status, gap, build, solve, size)
