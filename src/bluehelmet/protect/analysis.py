"""What more assets would add: marginal coverage, coverage curves and the recommended additions.

Every figure here is a re-solve of the covering model with a changed number of extra assets, so
that a helicopter added is placed where it helps most, not where the last one stood.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import pandas as pd

from bluehelmet.protect.problem import CoverageProblem, Reach
from bluehelmet.protect.solve import CoverageSolution, optimise


def _with_extra(problem: CoverageProblem, extra: Mapping[str, int]) -> CoverageProblem:
    return replace(problem, extra={k: int(v) for k, v in extra.items() if int(v) > 0})


def _per_unit(problem: CoverageProblem) -> dict[str, int]:
    assets = problem.asset_types
    if "assets_per_unit" not in assets:
        return {str(a): 1 for a in assets.index}
    return {str(a): int(n) if pd.notna(n) else 1 for a, n in assets["assets_per_unit"].items()}


def coverage_curve(
    problem: CoverageProblem,
    max_units: int = 3,
    *,
    reach: Reach | None = None,
    time_limit: float = 30.0,
    threads: int | None = None,
) -> pd.DataFrame:
    """Coverage against the number of units added, for each asset type on its own.

    Returns
    -------
    DataFrame
        ``asset_type_id, units_added, assets_added, covered_value, coverage_share, gain``
        (gain over one unit fewer), from 0 to ``max_units`` units of each type.

    """
    reach = reach or Reach(problem)
    per_unit = _per_unit(problem)
    base = dict(problem.extra)
    rows = []
    start = optimise(problem, reach=reach, time_limit=time_limit, threads=threads)
    for a in map(str, problem.asset_types.index):
        previous = start.covered_value
        for u in range(max_units + 1):
            sol = (
                start
                if u == 0
                else optimise(
                    _with_extra(problem, {**base, a: base.get(a, 0) + u * per_unit[a]}),
                    reach=reach,
                    time_limit=time_limit,
                    threads=threads,
                )
            )
            rows.append(
                {
                    "asset_type_id": a,
                    "units_added": u,
                    "assets_added": u * per_unit[a],
                    "covered_value": sol.covered_value,
                    "coverage_share": sol.share,
                    "gain": sol.covered_value - previous if u else 0.0,
                    "mip_gap": sol.mip_gap,
                }
            )
            previous = sol.covered_value
    return pd.DataFrame(rows)


def marginal_coverage(curve: pd.DataFrame, problem: CoverageProblem) -> pd.DataFrame:
    """Tabulate the value of one more unit of each asset type, from a :func:`coverage_curve`.

    Returns
    -------
    DataFrame
        ``asset_type_id, unit_type_id, assets_per_unit, gain`` (expected value covered),
        ``gain_share`` (of the total value) and ``gain_per_asset``, best first.

    """
    one = curve.loc[curve["units_added"] == 1].set_index("asset_type_id")
    total = float(problem.value.sum()) or 1.0
    per_unit = _per_unit(problem)
    unit_type = problem.asset_types.get(
        "unit_type_id", pd.Series(pd.NA, index=problem.asset_types.index)
    )
    out = pd.DataFrame(
        {
            "asset_type_id": one.index,
            "unit_type_id": [unit_type.get(a) for a in one.index],
            "assets_per_unit": [per_unit[a] for a in one.index],
            "gain": one["gain"].to_numpy(float),
        }
    )
    out["gain_share"] = out["gain"] / total
    out["gain_per_asset"] = out["gain"] / out["assets_per_unit"]
    return out.sort_values("gain", ascending=False, kind="stable").reset_index(drop=True)


def recommend(
    problem: CoverageProblem,
    *,
    max_units: int = 3,
    min_gain_share: float = 0.01,
    requestable: list[str] | None = None,
    reach: Reach | None = None,
    time_limit: float = 30.0,
    threads: int | None = None,
) -> tuple[pd.DataFrame, CoverageSolution]:
    """Add units one at a time, each time the type whose unit adds most, while it adds enough.

    Parameters
    ----------
    max_units
        Largest number of units to add in total.
    min_gain_share
        Stop when the best unit adds less than this share of the total value.
    problem
        The covering problem with today's assets.
    requestable
        Asset types that can be asked for (default: those with a ``unit_type_id``).
    reach, time_limit, threads
        Precomputed reach, and the solver's time limit and threads per solve.

    Returns
    -------
    (steps, solution)
        ``steps``: ``step, asset_type_id, unit_type_id, assets_added, gain, coverage_share``;
        ``solution``: the optimised deployment with all recommended additions.

    """
    reach = reach or Reach(problem)
    per_unit = _per_unit(problem)
    assets = problem.asset_types
    if requestable is None:
        if "unit_type_id" in assets:
            requestable = [str(a) for a, u in assets["unit_type_id"].items() if pd.notna(u)]
        else:
            requestable = [str(a) for a in assets.index]
    total = float(problem.value.sum()) or 1.0
    extra = dict(problem.extra)
    current = optimise(problem, reach=reach, time_limit=time_limit, threads=threads)
    steps = []
    for step in range(1, max_units + 1):
        best: tuple[float, str, CoverageSolution] | None = None
        for a in requestable:
            trial = {**extra, a: extra.get(a, 0) + per_unit[a]}
            sol = optimise(
                _with_extra(problem, trial), reach=reach, time_limit=time_limit, threads=threads
            )
            gain = sol.covered_value - current.covered_value
            if best is None or gain > best[0] + 1e-12:
                best = (gain, a, sol)
        if best is None or best[0] / total < min_gain_share:
            break
        gain, a, current = best
        extra[a] = extra.get(a, 0) + per_unit[a]
        steps.append(
            {
                "step": step,
                "asset_type_id": a,
                "unit_type_id": assets.at[a, "unit_type_id"] if "unit_type_id" in assets else pd.NA,
                "assets_added": per_unit[a],
                "gain": gain,
                "coverage_share": current.share,
            }
        )
    columns = ["step", "asset_type_id", "unit_type_id", "assets_added", "gain", "coverage_share"]
    return pd.DataFrame(steps, columns=columns), current
