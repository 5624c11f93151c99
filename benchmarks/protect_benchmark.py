"""Benchmark: the covering model at scale, against the greedy baseline in the same run.

A generated 5,000-cell area (100 x 50 PRIO-GRID cells of 0.5 degrees, Sahel-like), risk from a
mixture of hotspots, 15 existing bases, 200 candidate sites in high-risk cells, and 30 assets to
place (12 road-mobile companies, 8 quick reaction forces, 10 utility helicopters, all free to
move: ``relocate=True``), at most 20 new temporary operating bases, response within 120 minutes.
Target: <= 1 % gap within 60 s on 2 cores.

Run: ``python benchmarks/protect_benchmark.py [--cells 5000] [--sites 200] [--assets 30]
[--seeds 3] [--threads 2] [--response 120]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
import psutil

from bluehelmet.model.access import AccessContext
from bluehelmet.protect.inputs import data_path, read_table
from bluehelmet.protect.problem import CoverageProblem, Reach
from bluehelmet.protect.solve import evaluate, greedy, optimise


def instance(
    n_cells: int, n_sites: int, n_assets: int, seed: int, response: float = 120.0
) -> CoverageProblem:
    """A generated area with hotspot risk, 15 bases and ``n_sites`` candidate sites."""
    rng = np.random.default_rng(seed)
    ncol = int(round(np.sqrt(2 * n_cells)))
    nrow = int(np.ceil(n_cells / ncol))
    cc, rr = np.meshgrid(np.arange(ncol), np.arange(nrow))
    lon = (-12 + 0.5 * cc.ravel() + 0.25)[:n_cells]
    lat = (8 + 0.5 * rr.ravel() + 0.25)[:n_cells]
    hot = rng.integers(0, n_cells, 25)
    risk = np.full(n_cells, 0.002)
    for h in hot:
        d2 = (lon - lon[h]) ** 2 + (lat - lat[h]) ** 2
        risk += rng.uniform(0.02, 0.2) * np.exp(-d2 / (2 * rng.uniform(0.3, 1.5) ** 2))
    cells = pd.DataFrame(
        {
            "cell_id": np.arange(n_cells),
            "longitude": lon,
            "latitude": lat,
            "risk": np.clip(risk, 0, 1),
        }
    )
    bases = rng.choice(n_cells, 15, replace=False)
    p = risk / risk.sum()
    cand = rng.choice(
        np.setdiff1d(np.arange(n_cells), bases),
        n_sites,
        replace=False,
        p=p[np.setdiff1d(np.arange(n_cells), bases)]
        / p[np.setdiff1d(np.arange(n_cells), bases)].sum(),
    )
    idx = np.concatenate([bases, cand])
    sites = pd.DataFrame(
        {
            "site_id": [f"s{i}" for i in range(len(idx))],
            "name": [f"s{i}" for i in range(len(idx))],
            "longitude": lon[idx] + rng.uniform(-0.2, 0.2, len(idx)),
            "latitude": lat[idx] + rng.uniform(-0.2, 0.2, len(idx)),
            "existing": np.arange(len(idx)) < 15,
        }
    )
    assets = read_table(
        data_path("asset_types.csv"), "asset_types", AccessContext.public()
    ).set_index("id")
    split = {
        "infantry_company_road": round(0.4 * n_assets),
        "quick_reaction_force": round(0.27 * n_assets),
    }
    split["utility_helicopter"] = n_assets - sum(split.values())
    fixed = pd.DataFrame(
        {
            "site_id": pd.Series(dtype=str),
            "asset_type_id": pd.Series(dtype=str),
            "count": pd.Series(dtype=int),
        }
    )
    return CoverageProblem(
        cells,
        sites,
        assets,
        fixed,
        split,
        response_minutes=response,
        max_new_sites=20,
        relocate=True,
    )


def main() -> None:
    """Solve generated instances with HiGHS and greedy; print a Markdown table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--cells", type=int, default=5000)
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--assets", type=int, default=30)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--response", type=float, default=120.0)
    args = parser.parse_args()
    proc = psutil.Process()
    print(
        "| seed | cells | sites | assets | pairs in reach | columns | rows | greedy s | "
        "MILP build s | MILP solve s | status | gap % | greedy / MILP | peak RSS MB |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|")
    for seed in range(args.seeds):
        problem = instance(args.cells, args.sites, args.assets, seed, args.response)
        t0 = time.perf_counter()
        reach = Reach(problem)
        pairs = sum(d.nnz for d in reach.distance)
        g = evaluate(problem, greedy(problem, reach), method="greedy", reach=reach)
        t_greedy = time.perf_counter() - t0
        sol = optimise(
            problem, reach=reach, time_limit=args.time_limit, mip_gap=1e-4, threads=args.threads
        )
        rss = proc.memory_info().rss / 2**20
        print(
            f"| {seed} | {args.cells} | {args.sites} | {args.assets} | {pairs:,} | "
            f"{sol.size['columns']:,} | {sol.size['rows']:,} | {t_greedy:.2f} | "
            f"{sol.build_seconds:.2f} | {sol.solve_seconds:.2f} | {sol.status} | "
            f"{100 * sol.mip_gap:.3f} | {g.covered_value / sol.covered_value:.4f} | "
            f"{rss:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
