"""Solve a covering problem (optimally, or greedily as the baseline) and report it as tables.

:func:`optimise` runs the mixed-integer model; :func:`greedy` places one asset at a time where it
adds most; :func:`evaluate` turns any deployment into a :class:`CoverageSolution` with the same
coverage measure, so the three can be compared number for number.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bluehelmet.protect.geometry import response_minutes_matrix
from bluehelmet.protect.model import solve_model
from bluehelmet.protect.problem import CoverageProblem, Reach, check_problem, expected_coverage


@dataclass
class CoverageSolution:
    """A deployment and the coverage it gives.

    Attributes
    ----------
    deployment
        One row per site and asset type with assets: ``site_id, name, existing, asset_type_id,
        today, count, added``.
    coverage
        One row per cell: ``cell_id, longitude, latitude, risk, value, coverage`` (expected, 0-1),
        ``covered_by`` (asset types and how many reach it) and ``fastest_minutes``.
    covered_value, total_value
        Expected value covered and the value of all cells.
    method
        ``milp``, ``greedy`` or ``today``.
    status, mip_gap, build_seconds, solve_seconds, size
        Solver report (gap 0 and status ``evaluated`` for non-optimised deployments).

    """

    deployment: pd.DataFrame
    coverage: pd.DataFrame
    covered_value: float
    total_value: float
    method: str
    status: str = "evaluated"
    mip_gap: float = 0.0
    bound: float = float("nan")
    build_seconds: float = 0.0
    solve_seconds: float = 0.0
    size: dict[str, int] = field(default_factory=dict)
    x: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))

    @property
    def share(self) -> float:
        """Share of the total value covered (0-1)."""
        return self.covered_value / self.total_value if self.total_value > 0 else 0.0

    def summary(self) -> dict[str, object]:
        """Scalar figures, e.g. for ``summary.json``."""
        return {
            "method": self.method,
            "status": self.status,
            "covered_value": self.covered_value,
            "total_value": self.total_value,
            "coverage_share": self.share,
            "mip_gap": self.mip_gap,
            "build_seconds": self.build_seconds,
            "solve_seconds": self.solve_seconds,
            **{f"model_{k}": v for k, v in self.size.items()},
        }


def _fastest(problem: CoverageProblem, reach: Reach, x: np.ndarray) -> np.ndarray:
    """Minutes until the fastest deployed asset reaches each cell (inf where none does)."""
    best = np.full(len(problem.cells), np.inf)
    for a, dist in enumerate(reach.distance):
        active = np.flatnonzero(x[a] > 0)
        if len(active) == 0:
            continue
        sub = dist[:, active].tocoo()
        if sub.nnz == 0:
            continue
        minutes = response_minutes_matrix(problem.asset_types.iloc[a], sub.data + reach.offset_km)
        np.minimum.at(best, sub.row, minutes)
    return best


def evaluate(
    problem: CoverageProblem, x: np.ndarray, *, method: str = "today", reach: Reach | None = None
) -> CoverageSolution:
    """Coverage of the deployment ``x`` (asset types x sites counts) as tables."""
    reach = reach or Reach(problem)
    cover = expected_coverage(reach, x)
    value = problem.value
    n = reach.counts_covering(x)
    ids = reach.asset_ids
    covered_by = [
        ";".join(f"{ids[a]}:{int(n[a, i])}" for a in range(len(ids)) if n[a, i] > 0)
        for i in range(len(value))
    ]
    cells = problem.cells
    coverage = pd.DataFrame(
        {
            "cell_id": cells["cell_id"].to_numpy(),
            "longitude": cells["longitude"].to_numpy(float),
            "latitude": cells["latitude"].to_numpy(float),
            "risk": cells["risk"].to_numpy(float),
            "value": value,
            "coverage": cover,
            "covered_by": covered_by,
            "fastest_minutes": _fastest(problem, reach, x),
        }
    )
    today = problem.fixed_counts()
    rows = []
    sites = problem.sites.reset_index(drop=True)
    for a, j in zip(*np.nonzero((x > 0) | (today > 0)), strict=True):
        rows.append(
            {
                "site_id": sites.at[j, "site_id"],
                "name": sites.at[j, "name"] if "name" in sites else sites.at[j, "site_id"],
                "existing": bool(problem.open_today()[j]),
                "asset_type_id": ids[a],
                "today": int(today[a, j]),
                "count": int(x[a, j]),
                "added": int(x[a, j] - today[a, j]),
            }
        )
    deployment = pd.DataFrame(
        rows, columns=["site_id", "name", "existing", "asset_type_id", "today", "count", "added"]
    )
    return CoverageSolution(
        deployment, coverage, float(value @ cover), float(value.sum()), method, x=x
    )


def greedy(problem: CoverageProblem, reach: Reach | None = None) -> np.ndarray:
    """Place the extra assets one at a time where each adds most coverage (the baseline).

    Today's assets stay where they are (when relocating, they are placed greedily as well);
    a candidate site counts against ``max_new_sites`` once it holds an asset; types with a group
    size are added a whole group at a time, and types are compared by gain per asset.
    """
    reach = reach or Reach(problem)
    x = np.zeros_like(problem.fixed_counts()) if problem.relocate else problem.fixed_counts()
    left = problem.totals() - x.sum(axis=1)
    open_today = problem.open_today()
    opened = open_today.copy()
    new_sites = 0
    value = problem.value
    allowed_sites = problem.allowed_sites()
    step = problem.group_sizes()
    while left.sum() > 0:
        n = reach.counts_covering(x)
        per_type = reach.type_coverage(n)
        patrolled = reach.patrol_coverage(x).sum(axis=0)
        total = per_type.sum(axis=0) + patrolled
        base = np.minimum(1.0, total)
        best = (0.0, -1, -1)
        for a in np.flatnonzero(left >= step):
            more = n.copy()
            more[a] += step[a]
            delta = reach.type_coverage(more)[a] - per_type[a]
            shares = reach.patrol[a]
            if shares is None:
                gain_cell = np.minimum(1.0, total + delta) - base
                gain_site = reach.incidence[a].T @ (value * gain_cell)
            else:
                # Site-specific: the new asset also patrols around its site if none stood there.
                new_patrol = shares.toarray() * (x[a] == 0)[None, :]
                reached = reach.incidence[a].toarray()
                after = np.minimum(1.0, total[:, None] + reached * delta[:, None] + new_patrol)
                gain_site = value @ (after - base[:, None])
            room = open_today | opened | (new_sites < problem.max_new_sites)
            gain_site = np.where(allowed_sites[a] & room, gain_site, -1.0)
            # Compare types by gain per asset, since groups differ in size.
            gain_site = gain_site / step[a]
            j = int(np.argmax(gain_site))
            if gain_site[j] > best[0] + 1e-12:
                best = (float(gain_site[j]), int(a), j)
        if best[1] < 0:
            break  # nothing adds coverage any more
        _, a_best, j_best = best
        x[a_best, j_best] += step[a_best]
        left[a_best] -= step[a_best]
        if not opened[j_best]:
            opened[j_best] = True
            new_sites += 1
    return x


def optimise(
    problem: CoverageProblem,
    *,
    time_limit: float = 60.0,
    mip_gap: float = 1e-4,
    threads: int | None = None,
    warm_start: bool = True,
    reach: Reach | None = None,
) -> CoverageSolution:
    """Solve the maximal expected covering model with HiGHS.

    Parameters
    ----------
    problem
        The inputs (checked first: :class:`~bluehelmet.errors.DataError` lists every problem).
    time_limit
        Seconds HiGHS may run; the best deployment found is returned with its proven gap.
    mip_gap
        Relative optimality gap at which HiGHS stops.
    threads
        Threads for HiGHS (default: HiGHS's own choice).
    warm_start
        Start from the greedy deployment (also guarantees the result is never worse than it).
    reach
        Precomputed :class:`Reach` (re-used across re-solves).

    """
    check_problem(problem)
    reach = reach or Reach(problem)
    t0 = time.perf_counter()
    start = greedy(problem, reach) if warm_start else None
    greedy_seconds = time.perf_counter() - t0
    result = solve_model(
        problem, reach, time_limit=time_limit, mip_gap=mip_gap, threads=threads, start=start
    )
    solution = evaluate(problem, result.x, method="milp", reach=reach)
    solution.status = result.status
    if start is not None:
        # HiGHS starts from the greedy deployment; should it stop early with something worse
        # (it should not), the greedy deployment is returned and the status says so.
        baseline = evaluate(problem, start, method="milp", reach=reach)
        if baseline.covered_value > solution.covered_value + 1e-9:
            solution = baseline
            solution.status = f"{result.status} (greedy start kept)"
    solution.mip_gap = result.mip_gap
    if np.isfinite(result.bound) and solution.covered_value > 0:
        # The gap of the deployment returned, measured against HiGHS's proven bound.
        solution.mip_gap = max(
            result.mip_gap, (result.bound - solution.covered_value) / solution.covered_value
        )
    solution.bound = result.bound
    solution.build_seconds = result.build_seconds + greedy_seconds
    solution.solve_seconds = result.solve_seconds
    solution.size = result.size
    return solution


def today(problem: CoverageProblem, reach: Reach | None = None) -> CoverageSolution:
    """Coverage of today's deployment, nothing added or moved."""
    check_problem(problem)
    return evaluate(problem, problem.fixed_counts(), method="today", reach=reach)
