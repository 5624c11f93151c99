"""One plan whatever the load: `plan 2018` alone and `brief 2018` beside CPU hogs, compared.

Usage: python benchmarks/forcegen_same_plan_2018.py [--out DIR] [--hogs 2] [--horizon H]

Runs ``bluehelmet plan 2018 --out DIR/plan`` with nothing started beside it, then
``bluehelmet brief 2018 --out DIR/brief --no-pdf`` while ``--hogs`` CPU-bound processes (a
Python busy loop each) run beside it, then compares what both report: every stage's status,
objective and bound, the total cost, units, the fingerprint, and the tie-break value (which
differs between any two different allocations). Prints the wall seconds of both, the load
averages, and ``identical: true`` or the differences; exits 1 when they differ.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KEYS = ("status", "total_cost_usd", "units_deployed", "weighted_unmet_requirement_months")


def _run(args: list[str]) -> float:
    t0 = time.perf_counter()
    cli = Path(sys.executable).with_name("bluehelmet")  # the venv's entry point
    subprocess.run([str(cli), *args], check=True)
    return time.perf_counter() - t0


def compare(plan: dict[str, object], brief: dict[str, object]) -> list[str]:
    """The differences between two summaries (empty: the same plan)."""
    diffs = [
        f"{k}: {plan.get(k)!r} vs {brief.get(k)!r}" for k in KEYS if plan.get(k) != brief.get(k)
    ]
    a, b = plan.get("plan_record") or {}, brief.get("plan_record") or {}
    if a.get("fingerprint") != b.get("fingerprint"):  # type: ignore[union-attr]
        diffs.append("fingerprint differs")
    fields = ("stage", "status", "objective", "bound")
    stages_a = [tuple(s[f] for f in fields) for s in plan["stages"]]  # type: ignore[attr-defined]
    stages_b = [tuple(s[f] for f in fields) for s in brief["stages"]]  # type: ignore[attr-defined]
    if stages_a != stages_b:
        diffs.append(f"stages: {stages_a} vs {stages_b}")
    return diffs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--hogs", type=int, default=2)
    parser.add_argument("--horizon", type=int, default=None)
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="same-plan-"))
    extra = [] if args.horizon is None else ["--horizon", str(args.horizon)]
    common = ["--org", "UN-DPO", "--clearance", "confidential", *extra]
    load_plan = os.getloadavg()
    plan_s = _run(["plan", "2018", "--out", str(out / "plan"), *common])
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.hogs)]
    try:
        load_brief = os.getloadavg()
        brief_s = _run(["brief", "2018", "--out", str(out / "brief"), "--no-pdf", *common])
        load_after = os.getloadavg()
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    plan = json.loads((out / "plan" / "summary.json").read_text("utf-8"))
    brief = json.loads((out / "brief" / "tables" / "summary.json").read_text("utf-8"))
    diffs = compare(plan, brief)
    print(
        json.dumps(
            {
                "plan_wall_s": round(plan_s, 1),
                "plan_load": load_plan,
                "brief_wall_s_beside_hogs": round(brief_s, 1),
                "hogs": args.hogs,
                "brief_load": load_brief,
                "load_after": load_after,
                "stages": [
                    {k: s[k] for k in ("stage", "status", "objective", "bound", "mip_gap")}
                    for s in plan["stages"]
                ],
                "total_cost_usd": plan["total_cost_usd"],
                "identical": not diffs,
                "differences": diffs,
                "out": str(out),
            },
            indent=1,
        )
    )
    sys.exit(1 if diffs else 0)


if __name__ == "__main__":
    main()
