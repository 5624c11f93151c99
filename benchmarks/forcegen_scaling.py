"""Force generation benchmark: PCRS-scale instances and a scaling table up to 100,000 pledges.

For each generated instance (N pledges, 24 months) it measures model build time, HiGHS solve time
and the gap of every stage (lexicographic, one time limit), the wall time of the whole pipeline
against the time limit, peak memory, the greedy baseline's gap to the optimiser, and the same
first-stage model through CBC (the solver PuLP ships) for a time ratio in the same run. Two
generators of different shape: ``random`` (:func:`bluehelmet.forcegen.generate.random_scenario`,
15 missions, 20 unit types) and ``mixed`` (:func:`bluehelmet.forcegen.generate_mixed.
mixed_scenario`, 20 missions, 30 unit types, mid-month dates, many caveats). Each instance runs
in its own process so memory is its own; the machine's load average is printed with each row.

Usage: python benchmarks/forcegen_scaling.py [--sizes 1000 10000] [--generators random mixed]
       [--time-limit 60] [--no-cbc]
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_one(n: int, time_limit: float, cbc: bool, generator: str) -> dict[str, object]:
    import os

    import numpy as np
    import pulp

    from bluehelmet.forcegen.generate import random_scenario
    from bluehelmet.forcegen.generate_mixed import mixed_scenario
    from bluehelmet.forcegen.greedy import greedy_plan
    from bluehelmet.forcegen.options import SolveOptions
    from bluehelmet.forcegen.pipeline import solve_scenario
    from bluehelmet.forcegen.solve import solve
    from bluehelmet.highs import to_highs

    load_before = os.getloadavg()[0]
    s = (
        random_scenario(n_missions=15, n_months=24, n_pledges=n, n_unit_types=20, seed=2018)
        if generator == "random"
        else mixed_scenario(n, n_missions=20, n_months=24, seed=2018)
    )
    # The full pipeline as plan() runs it: prepare, build, greedy, LP rounding, restricted
    # search, three stages; wall and CPU seconds of the whole call (the time limit covers the
    # solver part; build comes on top).
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    solved = solve_scenario(s, SolveOptions(time_limit=time_limit, mip_rel_gap=0.005))
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    d, m, build = solved.data, solved.model, solved.build_seconds
    t0 = time.perf_counter()
    xg = greedy_plan(m, d)
    greedy_s = time.perf_counter() - t0
    unmet = m.objective_vector("unmet")
    r = solved.solution
    st = {x.stage: x for x in r.stages}
    z = st["unmet"].objective
    out: dict[str, object] = {
        "generator": generator,
        "load_avg_1min": round(load_before, 1),
        "pledges": n,
        "candidate_tours": len(d.candidates),
        "rows": m.n_rows,
        "nonzeros": int(m.matrix.nnz),
        "build_s": round(build, 2),
        "pipeline_wall_s": round(wall, 2),
        "pipeline_cpu_s": round(cpu, 2),
        "wall_over_limit": round(wall / time_limit, 2),
        "solve_s": round(r.solve_seconds, 2),
        "status": r.status,
        "gaps": {x.stage: x.mip_gap for x in r.stages},
        "bounds": {x.stage: x.bound for x in r.stages},
        "gap_unmet": st["unmet"].mip_gap,
        "gap_cost": st["cost"].mip_gap if "cost" in st else None,
        "unmet": z,
        "greedy_unmet": float(unmet @ xg),
        "greedy_s": round(greedy_s, 2),
        "greedy_gap": (float(unmet @ xg) - z) / z if z else 0.0,
    }
    if cbc:
        # Same first-stage model, written as MPS and given to the CBC binary PuLP ships.
        h = to_highs(m)
        h.changeColsCost(m.n_cols, np.arange(m.n_cols, dtype=np.int32), unmet)
        with tempfile.TemporaryDirectory() as tmp:
            mps = str(Path(tmp) / "m.mps")
            h.writeModel(mps)
            t0 = time.perf_counter()
            hs = solve(
                m, ("unmet",), SolveOptions(time_limit=time_limit, mip_rel_gap=0.005), warm_start=xg
            )
            highs_s = time.perf_counter() - t0
            cbc_path = pulp.PULP_CBC_CMD().path
            t0 = time.perf_counter()
            log = subprocess.run(
                [cbc_path, mps, "-sec", str(time_limit), "-ratio", "0.005", "-solve", "-quit"],
                capture_output=True,
                text=True,
            ).stdout
            cbc_s = time.perf_counter() - t0
        found = re.findall(r"Objective value:\s+([-\d.eE+]+)", log)
        out.update(
            {
                "highs_stage1_s": round(highs_s, 2),
                "highs_stage1": hs.stages[0].objective,
                "highs_stage1_gap": hs.stages[0].mip_gap,
                "cbc_stage1_s": round(cbc_s, 2),
                "cbc_stage1": float(found[-1]) if found else None,
                "cbc_stopped": "Stopped on time" in log or "stopped on time" in log,
                "cbc_to_highs_time_ratio": round(cbc_s / max(highs_s, 1e-9), 2),
            }
        )
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out["load_avg_1min_after"] = round(os.getloadavg()[0], 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    ap.add_argument(
        "--generators", nargs="*", default=["random", "mixed"], choices=["random", "mixed"]
    )
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--no-cbc", action="store_true")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.time_limit, not args.no_cbc, args.generators[0])))
        return
    for generator in args.generators:
        for n in args.sizes:
            cmd = [
                sys.executable,
                __file__,
                "--one",
                str(n),
                "--time-limit",
                str(args.time_limit),
                "--generators",
                generator,
            ]
            if args.no_cbc:
                cmd.append("--no-cbc")
            res = subprocess.run(cmd, capture_output=True, text=True)
            lines = [ln for ln in res.stdout.splitlines() if ln.startswith("{")]
            err = json.dumps({"generator": generator, "pledges": n, "error": res.stderr[-500:]})
            print(lines[-1] if lines else err, flush=True)


if __name__ == "__main__":
    main()
