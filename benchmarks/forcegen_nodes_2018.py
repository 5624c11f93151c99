"""Node budgets for the 2018 scenario: gap and time per budget (``SolveOptions.node_limit``).

Usage: python benchmarks/forcegen_nodes_2018.py [--horizon 24] [--budgets 1 50 200 1000]
       [--baseline-budget 1]

Each budget is run in its own process (``solve_scenario``: prepare, build, greedy and LP-rounding
start, the four stages, no time limit), one after the other, so every run sees the same load;
the CPU seconds of the process are the figure to compare (the load inflates wall time, and the
plan of a node budget is the same under any load: only its time varies). The first budget
given is the baseline of the ratios. Prints one JSON line per run and a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

CHILD = r"""
import json, os, sys, time
from bluehelmet import AccessContext, Classification, load_scenario
from bluehelmet.forcegen.options import SolveOptions
from bluehelmet.forcegen.pipeline import solve_scenario

horizon, budget = int(sys.argv[1]), int(sys.argv[2])
view = load_scenario("2018").view(AccessContext("UN-DPO", Classification.CONFIDENTIAL))
c0, t0 = time.process_time(), time.perf_counter()
solved = solve_scenario(view, SolveOptions(node_limit=budget), horizon=horizon)
stages = [
    {"stage": s.stage, "status": s.status, "objective": s.objective, "bound": s.bound,
     "gap": s.mip_gap, "seconds": s.seconds}
    for s in solved.solution.stages
]
print(json.dumps({
    "horizon": horizon, "node_limit": budget, "columns": solved.model.n_cols,
    "rows": solved.model.n_rows, "cpu_s": time.process_time() - c0,
    "wall_s": time.perf_counter() - t0, "load_end": os.getloadavg()[0], "stages": stages,
}))
"""


def _gap(value: float) -> str:
    return "none" if value is None or value != value or value == float("inf") else f"{value:.2%}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--horizon", type=int, default=24)
    parser.add_argument("--budgets", type=int, nargs="+", default=[1, 50, 200, 1000])
    args = parser.parse_args()
    runs = []
    for budget in args.budgets:
        load = os.getloadavg()[0]
        t0 = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(args.horizon), str(budget)],
            check=True,
            capture_output=True,
            text=True,
        )
        run = json.loads(out.stdout.strip().splitlines()[-1])
        run["load_start"] = load
        run["process_wall_s"] = time.perf_counter() - t0
        print(json.dumps(run), flush=True)
        runs.append(run)
    base = runs[0]["cpu_s"]
    print(
        f"\n| node budget per stage | CPU s (x budget {args.budgets[0]}) | wall s | load | "
        "coverage | cost | gender | tie-break |\n|---:|---:|---:|---|---|---|---|---|"
    )
    for r in runs:
        cells = [
            f"{s['objective']:,.1f} ({s['status']}, gap {_gap(s['gap'])})" for s in r["stages"]
        ]
        print(
            f"| {r['node_limit'] or 'none'} | {r['cpu_s']:.1f} ({r['cpu_s'] / base:.2f}) | "
            f"{r['wall_s']:.1f} | {r['load_start']:.1f}-{r['load_end']:.1f} | "
            + " | ".join(cells)
            + " |"
        )


if __name__ == "__main__":
    main()
