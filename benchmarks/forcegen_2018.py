"""Force generation benchmark on the bundled 2018 scenario: time to proven optimality.

Measures, in one run on this machine:

* the bundled scenario as shipped (12 months, the 2018/19 budget year), solved with no time
  limit, ``--repeats`` times: wall time of :func:`bluehelmet.forcegen.api.solve_scenario`
  (preparation, model build, greedy and LP-rounding start, three lexicographic stages), each
  stage's time and status;
* the baseline in the same run: the greedy heuristic alone (time and its objective against the
  proven optimum), which gives the time ratio optimiser / greedy;
* the time to proof against the horizon (``--horizons``), each with ``--time-limit`` seconds,
  which shows where proofs stop being quick (the two-year view is not proven in 60 s);
* optionally (``--other-solvers``) the 24-month first stage written as MPS and given to SCIP
  (pyscipopt) and CP-SAT (ortools) when they are installed; neither is a dependency;
* optionally (``--against DIR``) this code and the code of another checkout (``DIR/src``, e.g.
  ``git archive main | tar -x -C DIR``) in the same run, alternating, each run in its own process
  with no time limit: CPU seconds of the process (which a busy machine inflates far less than
  wall seconds), wall seconds, each stage's status, and the 1-minute load average when the run
  started; the ratio this / baseline is what the docs quote.

Usage: python benchmarks/forcegen_2018.py [--repeats 5] [--horizons 6 9 12 15 18 24]
       [--time-limit 60] [--other-solvers] [--json results.json]
       python benchmarks/forcegen_2018.py --against /tmp/main-src [--against-horizons 12]
       [--repeats 2]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path


def _view():  # noqa: ANN202
    from bluehelmet import AccessContext, Classification, load_scenario

    return load_scenario("2018").view(AccessContext("UN-DPO", Classification.STRICTLY_CONFIDENTIAL))


def bundled(repeats: int) -> dict[str, object]:
    """Solve the bundled scenario ``repeats`` times without a time limit; greedy alone too."""
    from bluehelmet.forcegen.data import prepare
    from bluehelmet.forcegen.formulation import build_model
    from bluehelmet.forcegen.greedy import greedy_plan
    from bluehelmet.forcegen.options import SolveOptions
    from bluehelmet.forcegen.pipeline import solve_scenario

    view = _view()
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        solved = solve_scenario(view, SolveOptions(time_limit=None))
        wall = time.perf_counter() - t0
        sol = solved.solution
        runs.append(
            {
                "wall_s": wall,
                "build_s": solved.build_seconds,
                "status": sol.status,
                "stages": [
                    {
                        "stage": s.stage,
                        "status": s.status,
                        "objective": s.objective,
                        "bound": s.bound,
                        "seconds": s.seconds,
                    }
                    for s in sol.stages
                ],
            }
        )
    greedy_times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        d, _ = prepare(view)
        m = build_model(d)
        xg = greedy_plan(m, d)
        greedy_times.append(time.perf_counter() - t0)
    greedy_unmet = float(m.objective_vector("unmet") @ xg)
    optimum = float(runs[0]["stages"][0]["objective"])  # type: ignore[index]
    walls = [float(r["wall_s"]) for r in runs]  # type: ignore[arg-type]
    return {
        "horizon_months": int(view.param("horizon_months")),
        "candidate_tours": len(d.candidates),
        "columns": m.n_cols,
        "rows": m.n_rows,
        "runs": runs,
        "median_wall_s": statistics.median(walls),
        "max_wall_s": max(walls),
        "all_optimal": all(r["status"] == "optimal" for r in runs),
        "greedy_median_s": statistics.median(greedy_times),
        "greedy_unmet": greedy_unmet,
        "optimal_unmet": optimum,
        "greedy_gap": (greedy_unmet - optimum) / optimum,
        "time_ratio_optimiser_over_greedy": statistics.median(walls)
        / statistics.median(greedy_times),
    }


def by_horizon(horizons: list[int], time_limit: float) -> list[dict[str, object]]:
    """Time to proof (or the gap at ``time_limit``) for each planning horizon."""
    from bluehelmet.forcegen.options import SolveOptions
    from bluehelmet.forcegen.pipeline import solve_scenario

    view = _view()
    out = []
    for h in horizons:
        t0 = time.perf_counter()
        solved = solve_scenario(view, SolveOptions(time_limit=time_limit), horizon=h)
        wall = time.perf_counter() - t0
        sol = solved.solution
        out.append(
            {
                "horizon_months": h,
                "wall_s": wall,
                "status": sol.status,
                "candidate_tours": len(solved.data.candidates),
                "stages": {
                    s.stage: {
                        "status": s.status,
                        "objective": s.objective,
                        "bound": s.bound,
                        "gap": s.mip_gap,
                        "seconds": s.seconds,
                    }
                    for s in sol.stages
                },
            }
        )
        print(
            f"  horizon {h:>2}: {sol.status:<10} {wall:6.1f} s  "
            + "  ".join(f"{s.stage} {s.objective:.1f} (gap {s.mip_gap:.2%})" for s in sol.stages),
            flush=True,
        )
    return out


def other_solvers(horizon: int, time_limit: float) -> list[dict[str, object]]:
    """The first stage at ``horizon`` months through SCIP and CP-SAT, if they are installed."""
    import numpy as np

    from bluehelmet.forcegen.data import prepare
    from bluehelmet.forcegen.formulation import build_model
    from bluehelmet.highs import to_highs

    d, _ = prepare(_view(), horizon)
    m = build_model(d)
    h = to_highs(m)
    h.changeColsCost(m.n_cols, np.arange(m.n_cols, dtype=np.int32), m.objective_vector("unmet"))
    out: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        mps = str(Path(tmp) / "stage1.mps")
        h.writeModel(mps)
        h.setOptionValue("time_limit", time_limit)
        t0 = time.perf_counter()
        h.run()
        info = h.getInfo()
        out.append(
            {
                "solver": "HiGHS",
                "status": h.modelStatusToString(h.getModelStatus()),
                "objective": info.objective_function_value,
                "bound": info.mip_dual_bound,
                "seconds": time.perf_counter() - t0,
            }
        )
        try:
            import pyscipopt

            s = pyscipopt.Model()
            s.hideOutput()
            s.readProblem(mps)
            s.setParam("limits/time", time_limit)
            t0 = time.perf_counter()
            s.optimize()
            out.append(
                {
                    "solver": f"SCIP (pyscipopt {pyscipopt.__version__})",
                    "status": s.getStatus(),
                    "objective": s.getObjVal() if s.getNSols() else None,
                    "bound": s.getDualbound(),
                    "seconds": time.perf_counter() - t0,
                }
            )
        except ImportError:
            out.append({"solver": "SCIP", "status": "not installed"})
        try:
            import ortools
            from ortools.linear_solver.python import model_builder as mb

            cp = mb.ModelBuilder()
            cp.import_from_mps_file(mps)
            solver = mb.Solver("sat")
            solver.set_time_limit_in_seconds(time_limit)
            # 8 workers beat 2 on a 2-core machine (CP-SAT's portfolio needs its members).
            solver.set_solver_specific_parameters("num_workers:8")
            t0 = time.perf_counter()
            status = solver.solve(cp)
            found = status in (mb.SolveStatus.OPTIMAL, mb.SolveStatus.FEASIBLE)
            out.append(
                {
                    "solver": f"CP-SAT (ortools {ortools.__version__})",
                    "status": str(status),
                    "objective": solver.objective_value if found else None,
                    "bound": solver.best_objective_bound,
                    "seconds": time.perf_counter() - t0,
                }
            )
        except ImportError:
            out.append({"solver": "CP-SAT", "status": "not installed"})
    for row in out:
        print(
            f"  {row['solver']:<28} {row['status']!s:<22} objective {row.get('objective')} "
            f"bound {row.get('bound')} {row.get('seconds', 0):.1f} s",
            flush=True,
        )
    return out


#: One run in a fresh process: solve_scenario with no time limit; CPU and wall seconds as JSON.
RUN = """
import json, os, sys, time
load = os.getloadavg()[0]
c0, t0 = time.process_time(), time.perf_counter()
from bluehelmet import AccessContext, Classification, load_scenario
from bluehelmet.forcegen.options import SolveOptions
from bluehelmet.forcegen.pipeline import solve_scenario
view = load_scenario("2018").view(AccessContext("UN-DPO", Classification.STRICTLY_CONFIDENTIAL))
solved = solve_scenario(view, SolveOptions(time_limit=None), horizon=int(sys.argv[1]))
print(json.dumps({
    "cpu_s": time.process_time() - c0, "wall_s": time.perf_counter() - t0, "load": load,
    "columns": solved.model.n_cols, "rows": solved.model.n_rows,
    "stages": {s.stage: [s.status, s.objective, s.seconds] for s in solved.solution.stages},
}))
"""


def against(baseline: Path, horizons: list[int], repeats: int) -> list[dict[str, object]]:
    """This code and the baseline checkout's, alternating, each run in its own process."""
    import os
    import subprocess
    import sys

    here = Path(__file__).resolve().parents[1] / "src"
    out: list[dict[str, object]] = []
    for h in horizons:
        for i in range(repeats):
            for name, src in (("this", here), ("baseline", baseline / "src")):
                env = {**os.environ, "PYTHONPATH": str(src), "PYTHONDONTWRITEBYTECODE": "1"}
                res = subprocess.run(
                    [sys.executable, "-c", RUN, str(h)],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                row = {"code": name, "horizon": h, "run": i, **json.loads(res.stdout)}
                out.append(row)
                stages = row["stages"]
                assert isinstance(stages, dict)
                print(
                    f"  {name:<8} {h:>2} months run {i}: {row['cpu_s']:.1f} s CPU, "
                    f"{row['wall_s']:.1f} s wall, load {row['load']:.1f}, "
                    f"{row['columns']} columns, {row['rows']} rows; "
                    + ", ".join(f"{k} {v[0]} {v[1]:.4f} ({v[2]:.1f} s)" for k, v in stages.items()),
                    flush=True,
                )
    for h in horizons:
        cpu = {
            name: statistics.median(
                float(r["cpu_s"])  # type: ignore[arg-type]
                for r in out
                if r["code"] == name and r["horizon"] == h
            )
            for name in ("this", "baseline")
        }
        print(
            f"  {h} months: median CPU this {cpu['this']:.1f} s, baseline {cpu['baseline']:.1f} s,"
            f" ratio this/baseline {cpu['this'] / cpu['baseline']:.2f}"
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--horizons", type=int, nargs="*", default=[6, 9, 12, 15, 18, 24])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--other-solvers", action="store_true")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--against", type=Path, help="baseline checkout (its src/ is run)")
    parser.add_argument("--against-horizons", type=int, nargs="*", default=[12])
    args = parser.parse_args()
    if args.against:
        print(f"this code against {args.against} (no time limit, each run its own process):")
        rows = against(args.against, args.against_horizons, args.repeats)
        if args.json:
            args.json.write_text(json.dumps(rows, indent=1, default=float))
        return
    print("bundled 2018 scenario, no time limit:")
    res: dict[str, object] = {"bundled": bundled(args.repeats)}
    b = res["bundled"]
    assert isinstance(b, dict)
    print(
        f"  {b['horizon_months']} months, {b['candidate_tours']} candidate tours: median "
        f"{b['median_wall_s']:.2f} s, max {b['max_wall_s']:.2f} s over {args.repeats} runs, "
        f"all proven optimal: {b['all_optimal']}"
    )
    print(
        f"  greedy baseline: {b['greedy_median_s']:.3f} s, unmet {b['greedy_unmet']:.0f} vs "
        f"optimum {b['optimal_unmet']:.0f} (gap {b['greedy_gap']:.1%}); time ratio "
        f"optimiser/greedy {b['time_ratio_optimiser_over_greedy']:.0f}x"
    )
    if args.horizons:
        print(f"time to proof by horizon (limit {args.time_limit:.0f} s):")
        res["by_horizon"] = by_horizon(args.horizons, args.time_limit)
    if args.other_solvers:
        print(f"24-month first stage, other solvers (limit {args.time_limit:.0f} s each):")
        res["other_solvers"] = other_solvers(24, args.time_limit)
    if args.json:
        args.json.write_text(json.dumps(res, indent=1, default=float))


if __name__ == "__main__":
    main()
