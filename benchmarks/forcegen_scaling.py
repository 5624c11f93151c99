"""Force generation benchmark: the planner at 1,000 to 100,000 pledges, against a baseline.

For each generated instance (N pledges, 24 months) it runs :func:`bluehelmet.forcegen.plan`
end to end with a wall-clock ``time_limit`` (the limit the command line's ``--time-limit``
sets: preparation, model building, every objective stage, tables, explanations and what-ifs)
and reports the wall time against the limit, each stage's status, bound and gap, the model's
size and build time, the wall seconds of each phase the pipeline logs (prepare, build, greedy,
flow bound, LP, restricted MIP, solve; ``after_solve`` is the rest: tables, explanations,
what-ifs), peak memory, the greedy baseline's gap, and optionally the first stage
through CBC (the solver PuLP ships) on the same model, as a time ratio in the same run.

With ``--baseline-src DIR`` (e.g. the main line's ``src``) every row is also run with the code
found there (``PYTHONPATH=DIR``), in the same run, and the row reports the ratios
(``build_ratio`` = baseline build seconds / these, ``wall_ratio`` likewise). ``--build-only``
measures only preparing and building the model (cheap at 100,000 pledges).

Two generators of different shape: ``random`` (:func:`bluehelmet.forcegen.generate.
random_scenario`, 15 missions, 20 unit types) and ``mixed`` (:func:`bluehelmet.forcegen.
generate_mixed.mixed_scenario`, 20 missions, 30 unit types, mid-month dates, many caveats).
Each instance runs in its own process so memory is its own; the machine's 1-minute load
average is printed with each row (before and after).

Usage: python benchmarks/forcegen_scaling.py [--sizes 1000 10000] [--generators random mixed]
       [--time-limit 60] [--no-cbc] [--build-only] [--baseline-src ../main/src]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _scenario(n: int, generator: str) -> Any:
    from bluehelmet.forcegen.generate import random_scenario
    from bluehelmet.forcegen.generate_mixed import mixed_scenario

    if generator == "random":
        return random_scenario(n_missions=15, n_months=24, n_pledges=n, n_unit_types=20, seed=2018)
    return mixed_scenario(n, n_missions=20, n_months=24, seed=2018)


def build_one(n: int, generator: str) -> dict[str, object]:
    """Prepare and build the model only (seconds, size)."""
    from bluehelmet.forcegen.data import prepare
    from bluehelmet.forcegen.formulation import build_model

    load = os.getloadavg()[0]
    s = _scenario(n, generator)
    cpu0, t0 = time.process_time(), time.perf_counter()
    d, _ = prepare(s)
    prep = time.perf_counter() - t0
    m = build_model(d)
    _ = m.matrix
    return {
        "generator": generator,
        "pledges": n,
        "load_avg_1min": round(load, 1),
        "candidate_tours": len(d.candidates),
        "columns": m.n_cols,
        "rows": m.n_rows,
        "nonzeros": int(m.matrix.nnz),
        "prepare_s": round(prep, 2),
        "build_s": round(time.perf_counter() - t0, 2),
        "build_cpu_s": round(time.process_time() - cpu0, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "load_avg_1min_after": round(os.getloadavg()[0], 1),
    }


def run_one(n: int, time_limit: float, cbc: bool, generator: str) -> dict[str, object]:
    """The whole plan() run under ``time_limit``, optionally CBC on its first stage."""
    from bluehelmet.forcegen import plan
    from bluehelmet.forcegen.options import PlanOptions, SolveOptions
    from bluehelmet.model.access import AccessContext

    load = os.getloadavg()[0]
    s = _scenario(n, generator)
    view = s.view(AccessContext.public())
    opts = PlanOptions(solve=SolveOptions(time_limit=time_limit, mip_rel_gap=0.005))
    phases: dict[str, float] = {}
    # The pipeline logs the seconds of each phase (prepare, build, greedy, flow bound, solve).
    catch = _PhaseHandler(phases)
    logging.getLogger("bluehelmet.forcegen.pipeline").addHandler(catch)
    logging.getLogger("bluehelmet.forcegen.pipeline").setLevel(logging.INFO)
    cpu0, t0 = time.process_time(), time.perf_counter()
    p = plan(view, opts)
    wall = time.perf_counter() - t0
    phases["after_solve"] = wall - sum(phases.values())
    sm = p.summary
    out: dict[str, object] = {
        "generator": generator,
        "pledges": n,
        "time_limit_s": time_limit,
        "load_avg_1min": round(load, 1),
        "candidate_tours": sm.candidate_tours,
        "build_s": round(sm.build_seconds, 2),
        "plan_wall_s": round(wall, 2),
        "plan_cpu_s": round(time.process_time() - cpu0, 2),
        "wall_over_limit": round(wall / time_limit, 2),
        "status": sm.status,
        "stages": {
            st.stage: {
                "status": st.status,
                "objective": st.objective,
                "bound": st.bound,
                "gap": st.mip_gap,
                "s": round(st.seconds, 1),
            }
            for st in sm.stages
        },
        "cut_by_time_limit": list(sm.cut_by_time_limit),
        "greedy_gap": sm.greedy_gap_to_optimum,
        "phases": {k: round(v, 2) for k, v in phases.items()},
    }
    if cbc:
        out.update(cbc_row(s, time_limit))
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out["load_avg_1min_after"] = round(os.getloadavg()[0], 1)
    return out


class _PhaseHandler(logging.Handler):
    """Collects the ``phases`` the pipeline logs (absent on code that logs none)."""

    def __init__(self, into: dict[str, float]) -> None:
        super().__init__()
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.update(getattr(record, "phases", {}))


def cbc_row(s: Any, time_limit: float) -> dict[str, object]:
    """Stage 1 alone by HiGHS (from the greedy plan) and by CBC on the same MPS file."""
    import numpy as np
    import pulp

    from bluehelmet.forcegen.data import prepare
    from bluehelmet.forcegen.formulation import build_model
    from bluehelmet.forcegen.greedy import greedy_plan
    from bluehelmet.forcegen.options import SolveOptions
    from bluehelmet.forcegen.solve import solve
    from bluehelmet.highs import to_highs

    d, _ = prepare(s)
    m = build_model(d)
    xg = greedy_plan(m, d)
    unmet = m.objective_vector("unmet")
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
        t0 = time.perf_counter()
        log = subprocess.run(
            [pulp.PULP_CBC_CMD().path, mps, "-sec", str(time_limit), "-ratio", "0.005"]
            + ["-solve", "-quit"],
            capture_output=True,
            text=True,
        ).stdout
        cbc_s = time.perf_counter() - t0
    found = re.findall(r"Objective value:\s+([-\d.eE+]+)", log)
    return {
        "highs_stage1_s": round(highs_s, 2),
        "highs_stage1": hs.stages[0].objective,
        "highs_stage1_gap": hs.stages[0].mip_gap,
        "cbc_stage1_s": round(cbc_s, 2),
        "cbc_stage1": float(found[-1]) if found else None,
        "cbc_stopped": "stopped on time" in log.lower(),
        "cbc_to_highs_time_ratio": round(cbc_s / max(highs_s, 1e-9), 2),
    }


def _child(args: argparse.Namespace, generator: str, n: int, src: str | None) -> dict[str, Any]:
    """Run one row in its own process, with ``src`` first on the path when given."""
    cmd = [sys.executable, __file__, "--one", str(n), "--time-limit", str(args.time_limit)]
    cmd += ["--generators", generator]
    cmd += ["--no-cbc"] if args.no_cbc or src else []
    cmd += ["--build-only"] if args.build_only else []
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    # A run that overruns its limit more than four times (plus the instance's generation) is
    # stopped and reported as such (the main line's what-if LPs had no time limit at all).
    cap = 4 * args.time_limit + 300
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=cap)
    except subprocess.TimeoutExpired:
        return {"generator": generator, "pledges": n, "error": f"stopped after {cap:.0f} s"}
    lines = [ln for ln in res.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        return {"generator": generator, "pledges": n, "error": res.stderr[-800:]}
    return dict(json.loads(lines[-1]))


def _ratio(base: dict[str, Any], new: dict[str, Any], key: str) -> float | None:
    a, b = base.get(key), new.get(key)
    if isinstance(a, int | float) and isinstance(b, int | float) and b > 0:
        return round(float(a) / float(b), 2)
    return None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    ap.add_argument(
        "--generators", nargs="*", default=["random", "mixed"], choices=["random", "mixed"]
    )
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--no-cbc", action="store_true")
    ap.add_argument("--build-only", action="store_true", help="only prepare and build the model")
    ap.add_argument("--baseline-src", help="also run every row with the code in this src folder")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        gen = args.generators[0]
        row = (
            build_one(args.one, gen)
            if args.build_only
            else run_one(args.one, args.time_limit, not args.no_cbc, gen)
        )
        print(json.dumps(row))
        return
    for generator in args.generators:
        for n in args.sizes:
            row: dict[str, Any] = {}
            if args.baseline_src:
                base = _child(args, generator, n, str(Path(args.baseline_src).resolve()))
                row["baseline"] = base
            new = _child(args, generator, n, None)
            row = {**new, **row}
            if args.baseline_src:
                keys = ("build_s", "prepare_s", "plan_wall_s")
                row["ratios_baseline_over_new"] = {k: _ratio(base, new, k) for k in keys}
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
