"""Profile the 2018 model stage by stage (rows, columns, time, nodes, gap over time).

Usage: python benchmarks/profile_2018.py --horizon 24 [--time-limit 120] [--log-dir DIR]
       [--option name=value ...]

Each stage is solved the way :func:`bluehelmet.forcegen.solve.solve` solves it (a fresh HiGHS
instance with the earlier optima as rows, started from the previous plan) but with the solver
log written to ``DIR/stage-<name>.log``, from which the gap over time is read.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import time
from pathlib import Path


def _value(text: str) -> object:
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text, text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--horizon", type=int, default=24)
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--log-dir", type=Path, default=Path("/tmp/profile2018"))
    parser.add_argument("--option", action="append", default=[])
    parser.add_argument("--stages", nargs="*", default=None)
    parser.add_argument("--no-fixing", action="store_true", help="no reduced-cost fixing")
    args = parser.parse_args()
    import numpy as np

    from bluehelmet import AccessContext, Classification, load_scenario
    from bluehelmet.forcegen.data import prepare
    from bluehelmet.forcegen.formulation import STAGES, build_model
    from bluehelmet.forcegen.greedy import greedy_plan, lp_rounding_plan
    from bluehelmet.forcegen.solve import (
        LEXICOGRAPHIC_SLACK,
        _set_start,
        _stage_highs,
        reduced_cost_bounds,
    )

    args.log_dir.mkdir(parents=True, exist_ok=True)
    view = load_scenario("2018").view(AccessContext("UN-DPO", Classification.STRICTLY_CONFIDENTIAL))
    c0, t0 = time.process_time(), time.perf_counter()
    d, _ = prepare(view, args.horizon)
    m = build_model(d)
    _ = m.matrix
    greedy = greedy_plan(m, d)
    rounded, lp_bound, _ = lp_rounding_plan(m, d, None, greedy)
    unmet = m.objective_vector("unmet")
    x = rounded if unmet @ rounded < unmet @ greedy else greedy
    print(
        f"horizon {args.horizon}: {len(d.candidates)} tours, {m.n_cols} columns, {m.n_rows} rows;"
        f" prepare+build+start {time.perf_counter() - t0:.1f} s wall, "
        f"{time.process_time() - c0:.1f} s CPU; LP bound {lp_bound}; start {unmet @ x:.1f}; "
        f"load {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    for fam, sl in m.var_families.items():
        print(f"  columns {fam}: {sl.stop - sl.start}")
    earlier: list[tuple[np.ndarray, float]] = []
    out = []
    idx = np.arange(m.n_cols, dtype=np.int32)
    col_lo, col_hi, integer, _, _ = m.bounds()
    bounds = (col_lo.copy(), col_hi.copy())
    for stage in args.stages or STAGES:
        c = m.objective_vector(stage)
        if not c.any():
            continue
        gap = 0.0 if stage == "tiebreak" else 1e-4
        h = _stage_highs(m, gap, None, earlier, bounds)
        h.changeColsCost(m.n_cols, idx, c)
        log = args.log_dir / f"stage-{stage}.log"
        log.unlink(missing_ok=True)
        h.setOptionValue("output_flag", True)
        h.setOptionValue("log_to_console", False)
        h.setOptionValue("log_file", str(log))
        h.setOptionValue("time_limit", args.time_limit)
        for opt in args.option:
            name, _, value = opt.partition("=")
            h.setOptionValue(name, _value(value))
        _set_start(h, x)
        c1, t1 = time.process_time(), time.perf_counter()
        h.run()
        wall, cpu = time.perf_counter() - t1, time.process_time() - c1
        info = h.getInfo()
        x = np.asarray(h.getSolution().col_value)
        obj = float(c @ x)
        text = log.read_text()
        # HiGHS's B&B lines end with "... <gap>% <explored> ... <time>s"; keep gap and time.
        trace = re.findall(r"\s(\d+\.\d+|inf)%\s.*?\s(\d+\.\d+)s\s*$", text, flags=re.M)
        row = {
            "stage": stage,
            "status": h.modelStatusToString(h.getModelStatus()),
            "objective": obj,
            "bound": float(info.mip_dual_bound),
            "gap": float(info.mip_gap),
            "nodes": int(info.mip_node_count),
            "wall_s": wall,
            "cpu_s": cpu,
            "rows": h.getNumRow(),
            "cols": h.getNumCol(),
            "gap_trace": trace[-12:],
        }
        out.append(row)
        print(
            f"  {stage:<9} {row['status']:<12} obj {obj:.4f} bound {row['bound']:.4f} "
            f"gap {row['gap']:.2e} nodes {row['nodes']} {wall:.1f} s wall {cpu:.1f} s CPU "
            f"rows {row['rows']} cols {row['cols']}",
            flush=True,
        )
        print("    gap over time:", ", ".join(f"{g}%@{s}s" for g, s in trace[-8:]), flush=True)
        earlier.append((c, obj))
        if not args.no_fixing:
            c2 = time.process_time()
            hl = _stage_highs(m, gap, None, earlier[:-1], bounds)
            hl.changeColsCost(m.n_cols, idx, c)
            new = reduced_cost_bounds(
                hl, integer, obj + LEXICOGRAPHIC_SLACK * max(1.0, abs(obj)), bounds
            )
            tightened = int(((new[0] > bounds[0]) | (new[1] < bounds[1])).sum())
            fixed = int((new[0] == new[1]).sum())
            bounds = new
            print(
                f"    reduced-cost fixing: {tightened} columns tightened, {fixed} fixed in all, "
                f"{time.process_time() - c2:.2f} s CPU",
                flush=True,
            )
    (args.log_dir / "profile.json").write_text(json.dumps(out, indent=1, default=str))


if __name__ == "__main__":
    main()
