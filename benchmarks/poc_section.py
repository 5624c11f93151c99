"""Time the brief's protection-of-civilians section for the bundled 2018 scenario.

Baseline in the same run: the force plan the brief makes (``brief_plan_options``). Measured: the
section's statistics (:func:`bluehelmet.statistics.protection.protection_by_mission`, seven
missions) and its map, each as a ratio to the plan. Usage::

    python benchmarks/poc_section.py [--runs 2]
"""

from __future__ import annotations

import argparse
import statistics
import time

from bluehelmet.brief.make import brief_plan_options
from bluehelmet.forcegen.api import plan
from bluehelmet.model.access import AccessContext, Classification
from bluehelmet.plot.style import to_svg
from bluehelmet.protect.plot import poc_maps
from bluehelmet.scenario.io import load_scenario
from bluehelmet.statistics.protection import protection_by_mission


def main() -> None:
    """Run the plan, the section's statistics and its map ``--runs`` times; print the medians."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    reader = AccessContext("UN-DPO", Classification.CONFIDENTIAL)
    plans, stats, maps = [], [], []
    for _ in range(args.runs):
        view = load_scenario("2018").view(reader)
        t0 = time.perf_counter()
        made = plan(view, brief_plan_options())
        plans.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        found = protection_by_mission(made.view, made.assignments)
        stats.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        to_svg(poc_maps(found.results, found.response_minutes))
        maps.append(time.perf_counter() - t0)
    base = statistics.median(plans)
    for name, values in (("plan (baseline)", plans), ("PoC statistics", stats), ("PoC map", maps)):
        med = statistics.median(values)
        print(f"{name:18s} median {med:6.2f} s  ratio to the plan {med / base:5.2f}")


if __name__ == "__main__":
    main()
