"""The Lagrangian decomposition by unit type against the current pipeline, in the same run.

For each instance, 24 months (generators ``random`` and ``mixed`` of
``benchmarks/forcegen_scaling.py`` with N pledges, or ``2018``, the bundled scenario), and the
coverage stage (stage 1), it reports, one after the other in one process so both see the same
load:

* ``lp``: the LP relaxation (dual simplex on all columns, at most the time limit): its bound and
  seconds;
* ``pipeline``: :func:`bluehelmet.forcegen.pipeline.solve_scenario` with ``stages=("unmet",)``
  under the time limit (wall seconds include preparing and building): plan, bound, gap;
* ``lagrange``: :func:`bluehelmet.forcegen.lagrange.lagrangian_bound` from the better of the
  greedy and LP-rounding plans with the same time limit: its bound, its best plan, rounds;
* ``pipeline_lagrange`` (with ``--hook``): the pipeline with ``SolveOptions(lagrangian_share=...)``.

Gaps are relative to the best plan of the row: ``(plan − bound) / plan``. The machine's 1-minute
load average is printed with each row.

Usage: python benchmarks/forcegen_lagrange.py [--sizes 1000 10000] [--generators random mixed]
       [--time-limit 60] [--hook 0.3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import fields
from typing import Any


def _view(n: int, generator: str) -> Any:
    from bluehelmet import AccessContext, Classification, load_scenario
    from bluehelmet.forcegen.generate import random_scenario
    from bluehelmet.forcegen.generate_mixed import mixed_scenario

    if generator == "2018":  # the bundled scenario (n ignored), as UN-DPO sees it
        reader = AccessContext("UN-DPO", Classification.STRICTLY_CONFIDENTIAL)
        return load_scenario("2018").view(reader)
    if generator == "random":
        s = random_scenario(n_missions=15, n_months=24, n_pledges=n, n_unit_types=20, seed=2018)
    else:
        s = mixed_scenario(n, n_missions=20, n_months=24, seed=2018)
    return s.view(AccessContext.public())


def _stage(sol: Any) -> dict[str, float]:
    st = sol.solution.stages[0]
    return {"plan": st.objective, "bound": st.bound, "status": st.status}


def run_one(n: int, generator: str, time_limit: float, hook: float) -> dict[str, Any]:
    """One row: LP, pipeline, Lagrangian (and the hooked pipeline) on one instance."""
    import numpy as np

    from bluehelmet.errors import SolverError
    from bluehelmet.forcegen.data import prepare
    from bluehelmet.forcegen.formulation import build_model
    from bluehelmet.forcegen.greedy import greedy_plan, lp_rounding_plan
    from bluehelmet.forcegen.lagrange import decompose, lagrangian_bound, lp_duals
    from bluehelmet.forcegen.options import SolveOptions
    from bluehelmet.forcegen.pipeline import solve_scenario

    out: dict[str, Any] = {"generator": generator, "pledges": n, "time_limit_s": time_limit}
    out["load_avg_1min"] = round(os.getloadavg()[0], 1)
    view = _view(n, generator)
    t0 = time.perf_counter()
    d, _ = prepare(view, 24)
    m = build_model(d)
    _ = m.matrix
    out["build_s"] = round(time.perf_counter() - t0, 1)
    out["columns"], out["rows"] = m.n_cols, m.n_rows
    dec = decompose(m, d)
    out["blocks"] = len(dec.names)
    out["coupling_rows"] = len(dec.coupling)
    c = m.objective_vector("unmet")
    t0 = time.perf_counter()
    try:
        lp, _ = lp_duals(m, c, time_limit)
        out["lp"] = {"bound": lp, "s": round(time.perf_counter() - t0, 1)}
    except SolverError:
        out["lp"] = {"bound": None, "s": round(time.perf_counter() - t0, 1)}
    opts = SolveOptions(time_limit=time_limit, mip_rel_gap=0.005)
    t0 = time.perf_counter()
    out["pipeline"] = _stage(solve_scenario(view, opts, horizon=24, stages=("unmet",)))
    out["pipeline"]["wall_s"] = round(time.perf_counter() - t0, 1)
    t0 = time.perf_counter()
    greedy = greedy_plan(m, d)
    rounded, _, _ = lp_rounding_plan(m, d, 0.3 * time_limit, greedy)
    start = rounded if c @ rounded < c @ greedy else greedy
    prep = time.perf_counter() - t0
    lag = lagrangian_bound(m, d, start, time_limit=time_limit - prep, mip_rel_gap=1e-4)
    out["lagrange"] = {
        "start": float(c @ start),
        "bound": lag.bound,
        "lp_bound": lag.lp_bound,
        "first_bound": lag.history[0] if lag.history else None,
        "plan": lag.plan_objective,
        "rounds": lag.iterations,
        "wall_s": round(time.perf_counter() - t0, 1),
    }
    if hook > 0 and "lagrangian_share" in {f.name for f in fields(SolveOptions)}:
        hooked = SolveOptions(time_limit=time_limit, mip_rel_gap=0.005, lagrangian_share=hook)
        t0 = time.perf_counter()
        out["pipeline_lagrange"] = _stage(
            solve_scenario(view, hooked, horizon=24, stages=("unmet",))
        )
        out["pipeline_lagrange"]["wall_s"] = round(time.perf_counter() - t0, 1)
    best = min(
        float(v["plan"])
        for k, v in out.items()
        if k in ("pipeline", "lagrange", "pipeline_lagrange") and v.get("plan") is not None
    )
    out["best_plan"] = best
    for key in ("lp", "pipeline", "lagrange", "pipeline_lagrange"):
        part = out.get(key)
        if part and part.get("bound") is not None and np.isfinite(part["bound"]):
            part["gap_to_best"] = round((best - float(part["bound"])) / max(best, 1e-9), 5)
    out["load_avg_1min_after"] = round(os.getloadavg()[0], 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    ap.add_argument(
        "--generators", nargs="*", default=["random", "mixed"], choices=["random", "mixed", "2018"]
    )
    ap.add_argument("--time-limit", type=float, default=None, help="default 60 s, 120 s >= 10k")
    ap.add_argument("--hook", type=float, default=0.0, help="lagrangian_share of the hooked run")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one is not None:
        row = run_one(args.one, args.generators[0], args.time_limit, args.hook)
        print(json.dumps(row, default=str))
        return
    for generator in args.generators:
        for n in args.sizes if generator != "2018" else [0]:
            limit = args.time_limit or (120.0 if n >= 10_000 else 60.0)
            cmd = [sys.executable, __file__, "--one", str(n), "--generators", generator]
            cmd += ["--time-limit", str(limit), "--hook", str(args.hook)]
            res = subprocess.run(cmd, capture_output=True, text=True)
            lines = [ln for ln in res.stdout.splitlines() if ln.startswith("{")]
            row = json.loads(lines[-1]) if lines else {"error": res.stderr[-1500:]}
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
