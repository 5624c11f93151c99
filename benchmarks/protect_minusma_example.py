"""The worked example of docs/protection.md: MINUSMA (Mali), 2018.

Produces every number and the map in the docs: the risk layer (early warning), today's coverage
from the real 2018 base locations at several response times, what one more unit of each type adds,
the recommended additions, the requirements they become, and what the force planner does with
them (the 2018 scenario planned with and without them).

Run: ``python benchmarks/protect_minusma_example.py [--work DIR] [--docs-map PATH]``; the risk
layer is cached in DIR (default ``/tmp/protect_minusma``) since the early warning takes a minute
or two.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd

from bluehelmet.io.ucdp import read_ucdp
from bluehelmet.model.access import AccessContext, Classification
from bluehelmet.protect.inputs import area_cells, mission_area, read_risk
from bluehelmet.protect.options import ProtectOptions
from bluehelmet.protect.output import write_outputs
from bluehelmet.protect.planning import analyse_mission, risk_from_events
from bluehelmet.protect.problem import Reach
from bluehelmet.protect.requirements import apply_requirements
from bluehelmet.protect.solve import optimise, today
from bluehelmet.reference.files import reference_path
from bluehelmet.scenario.io import load_scenario, save_scenario

READER = AccessContext("UN-DPO", Classification.CONFIDENTIAL)


def _risk(work: Path) -> tuple[pd.DataFrame, str]:
    path = work / "mali_risk.csv"
    note_path = work / "mali_risk_note.txt"
    if path.is_file() and note_path.is_file():
        return read_risk(path), note_path.read_text("utf-8")
    events = read_ucdp(reference_path("ucdp_ged201_subset_1995_2014.csv")).table
    t0 = time.perf_counter()
    risk, note = risk_from_events(events, area_cells(mission_area("MLI")), 2018)
    print(f"early warning for Mali: {time.perf_counter() - t0:.0f} s")
    risk.rename(columns={"cell_id": "gid"}).to_csv(path, index=False)
    note_path.write_text(note, "utf-8")
    return read_risk(path), note


def _md(table: pd.DataFrame) -> str:
    """A Markdown table (floats to 3 decimals, timestamps as dates)."""

    def cell(v: object) -> str:
        if isinstance(v, float):
            return f"{v:.3f}"
        if isinstance(v, pd.Timestamp):
            return v.date().isoformat()
        return str(v)

    head = "| " + " | ".join(map(str, table.columns)) + " |"
    rule = "|" + "---|" * len(table.columns)
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def _plan_minusma(scenario: object, label: str) -> pd.DataFrame | None:
    """Plan the scenario with the force planner; return its gaps for the protection units."""
    try:
        from bluehelmet.forcegen import PlanOptions, plan
    except ImportError as exc:  # the planner is another helper's work in progress
        print(f"force planner not available ({exc}); hand-off: see the saved scenario folder")
        return None
    t0 = time.perf_counter()
    options = PlanOptions(explain=False, smart_pledging=False, sensitivities=False).with_solve(
        time_limit=120
    )
    result = plan(scenario.view(READER), options)  # type: ignore[attr-defined]
    s = result.summary.to_dict()
    print(
        f"planner ({label}): {time.perf_counter() - t0:.1f} s, status {s.get('status')}, "
        f"gap {s.get('mip_gap')}, unmet requirement-months {s.get('unmet_requirement_months')}"
    )
    gaps = result.gaps
    units = gaps.loc[
        gaps["unit_type_id"].isin(["util_heli", "qrf_coy", "inf_bn", "mech_inf_coy"])
    ].copy()
    units["filled_unit_months"] = units["required_unit_months"] - units["unmet_unit_months"]
    return units[
        [
            "requirement_id",
            "mission_id",
            "unit_type_id",
            "count",
            "required_unit_months",
            "unmet_unit_months",
            "filled_unit_months",
        ]
    ]


def main() -> None:
    """Run the example and print the tables for the docs."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=Path, default=Path("/tmp/protect_minusma"))
    parser.add_argument("--docs-map", type=Path, default=Path("docs/protection_minusma_map.png"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    scenario = load_scenario("2018")
    risk, note = _risk(args.work)
    print(f"risk: {note}; {len(risk)} cells")

    t0 = time.perf_counter()
    analysis = analyse_mission(
        scenario.view(READER),
        "MINUSMA",
        ProtectOptions(response_minutes=120, max_units=3, curve_units=3),
        risk=risk,
        risk_note=note,
    )
    print(f"analysis at 120 min: {time.perf_counter() - t0:.1f} s")
    write_outputs(analysis, args.work / "out_120")
    (args.work / "out_120" / "coverage_map.png").replace(args.docs_map)

    rows = []
    for minutes in (30, 60, 120, 240):
        problem = replace(analysis.problem, response_minutes=float(minutes))
        sol = today(problem, Reach(problem))
        rows.append(
            {
                "response (min)": minutes,
                "risk covered today": sol.share,
                "cells reached": int((sol.coverage["coverage"] > 0).sum()),
            }
        )
    print("\n## Today's coverage by response time\n" + _md(pd.DataFrame(rows)))

    print(
        f"\n## At 120 min: today {analysis.today.share:.3f}, with the recommended additions "
        f"{analysis.proposed.share:.3f} ({analysis.proposed.status})"
    )
    print("\n### One more unit of each type\n" + _md(analysis.marginal))
    print("\n### Coverage curve\n" + _md(analysis.curve.drop(columns=["mip_gap"])))
    print("\n### Recommended additions\n" + _md(analysis.recommended))
    added = analysis.proposed.deployment
    print("\n### Where the additions go\n" + _md(added.loc[added["added"] > 0]))
    print(
        "\n### Requirements for the force planner\n"
        + _md(
            analysis.requirements[
                ["id", "mission_id", "unit_type_id", "count", "start", "end", "priority", "basis"]
            ]
        )
    )
    print("\n### Uncovered high-risk cells (proposed)\n" + _md(analysis.uncovered.head(10)))

    for sites in (0, 3):
        moved = optimise(replace(analysis.problem, relocate=True, max_new_sites=sites))
        heli = moved.deployment.loc[
            (moved.deployment["asset_type_id"] == "utility_helicopter")
            & (moved.deployment["count"] > 0),
            "name",
        ]
        print(
            f"\n## Relocating today's assets (max {sites} TOBs): {moved.share:.3f} "
            f"({moved.status}); helicopters at {', '.join(heli)}"
        )

    a60 = analyse_mission(
        scenario.view(READER),
        "MINUSMA",
        ProtectOptions(response_minutes=60, max_units=3, curve_units=1),
        risk=risk,
        risk_note=note,
    )
    print(f"\n## At 60 min: today {a60.today.share:.3f}, proposed {a60.proposed.share:.3f}")
    print(_md(a60.marginal))
    print(_md(a60.requirements[["unit_type_id", "count", "priority"]]))

    with_reqs = apply_requirements(scenario, analysis.requirements)
    folder = save_scenario(with_reqs, args.work / "scenario_2018_protect")
    print(
        f"\nscenario with the protection requirements saved to {folder} (bluehelmet plan {folder})"
    )
    before = _plan_minusma(scenario, "2018 as bundled")
    after = _plan_minusma(with_reqs, "2018 + protection requirements")
    if before is not None and after is not None:
        for name, table in (("before", before), ("after", after)):
            print(
                f"\n### Planner: helicopter, QRF and infantry requirements, {name}\n" + _md(table)
            )
            print(
                table.groupby("unit_type_id")[
                    ["required_unit_months", "unmet_unit_months", "filled_unit_months"]
                ]
                .sum()
                .to_string()
            )


if __name__ == "__main__":
    main()
