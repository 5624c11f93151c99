"""Check every figure of the issue-11 sections of a brief against the statistics functions.

Used by the tiny brief's every-cell test and by the 2018 brief's tests: each function compares
the cells of one statistic with a fresh computation and returns how many cells it saw.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd
import pytest

from bluehelmet.brief.council import FIGURE_INPUTS, contributor_provenance, page_parameters
from bluehelmet.forcegen.result import Plan
from bluehelmet.statistics import components, debate, finance, findings, geography, provenance
from bluehelmet.statistics.contributor import contributor_view
from bluehelmet.statistics.gender import traffic_lights


def check(
    cells: pd.DataFrame, stat: str, expected: dict[str, object], optional: bool = False
) -> int:
    """Compare every cell of ``stat`` with the expected value of its key; cells seen."""
    rows = cells.loc[cells["stat"] == stat]
    assert len(rows) or optional, f"no cells for {stat}"
    for row in rows.itertuples():
        assert row.key in expected, f"{stat}: key {row.key!r} not in the statistics"
        want = expected[row.key]
        if isinstance(want, bool) or want is None:
            assert row.value in (str(want), "" if want is None else str(want)), (stat, row.key)
        elif isinstance(want, (int, float)):
            if isinstance(want, float) and math.isnan(want):
                assert row.value == "", (stat, row.key)
            else:
                assert float(row.value) == pytest.approx(float(want), rel=1e-9, abs=1e-9), (
                    stat,
                    row.key,
                    row.value,
                    want,
                )
        else:
            assert row.value == str(want), (stat, row.key)
    return len(rows)


def keyed(table: pd.DataFrame, column: str, keys: list[str]) -> dict[str, object]:
    """``{"k1|k2": value}`` for every row of ``table``."""
    return {"|".join(str(r[k]) for k in keys): r[column] for _, r in table.iterrows()}


def council_cells(cells: pd.DataFrame, plan: Plan, contributor: str | None = None) -> int:
    """Check every cell of the sections issue 11 adds; return the number of cells checked."""
    view = plan.view
    seen = 0
    # Provenance labels: per figure, rows of each basis in each input table.
    for name, (tables, external, computed) in FIGURE_INPUTS.items():
        label = provenance.figure_provenance(view, tables, external, computed)
        for basis, parts in label["bases"].items():  # type: ignore[attr-defined]
            seen += check(cells, f"provenance.{name}.{basis}", dict(parts), optional=True)
    for rows in page_parameters(view).values():
        for row in rows:
            seen += check(cells, f"parameter.{row['parameter']}", {"": row["value"]}, optional=True)
    # Components and ceilings.
    by_component = components.strength_by_component(view)
    for col in ("ceiling", "deployed", "share_of_ceiling", "women_share", "in_place_identified"):
        seen += check(
            cells,
            f"strength_by_component.{col}",
            keyed(by_component, col, ["mission_id", "component"]),
            optional=True,
        )
    totals = components.mission_total_vs_ceiling(view).reset_index()
    for col in ("uniformed_total", "ceiling_total", "share_of_ceiling"):
        seen += check(cells, f"mission_total_vs_ceiling.{col}", keyed(totals, col, ["mission_id"]))
    women = components.women_by_ugps_component(view).reset_index()
    for col in ("women", "total", "women_share"):
        seen += check(cells, f"women_by_component.{col}", keyed(women, col, ["personnel_category"]))
    # Money as the Fifth Committee sees it.
    approved = finance.approved_budgets().reset_index()
    for col in ("approved_usd", "missions", "change_share"):
        seen += check(cells, f"approved_budgets.{col}", keyed(approved, col, ["fiscal_year"]))
    budget = plan.statistics.cost_vs_budget()
    money_by_year = finance.plan_against_approved(budget, view).reset_index()
    for col in ("plan_cost_usd", "approved_total_usd", "share_of_total", "scenario_approved_usd"):
        seen += check(
            cells, f"plan_against_approved.{col}", keyed(money_by_year, col, ["fiscal_year"])
        )
    closing = finance.gap_closing_costs(plan.statistics.gap_costs(), plan.coverage, view)
    for col in ("units_to_deploy", "move_usd", "total_to_close_usd"):
        seen += check(
            cells,
            f"gap_closing_costs.{col}",
            keyed(closing, col, ["mission_id", "unit_type_id"]),
            optional=True,
        )
    for name, value in (
        ("months_usd", closing["cost_to_close_usd"].sum()),
        ("moves_usd", closing["move_usd"].sum(min_count=1)),
        ("total_usd", closing["total_to_close_usd"].sum(min_count=1)),
    ):
        seen += check(cells, f"closing_total.{name}", {"": float(value)}, optional=True)
    pressure = finance.budget_pressure()
    seen += check(
        cells,
        "budget_pressure.value",
        {str(i): v for i, v in enumerate(pressure["value"]) if not pd.isna(v)},
    )
    # The debate's themes.
    gaps = plan.statistics.gaps()
    themes = debate.debate_themes(
        view,
        assignments=plan.assignments,
        explanations=plan.explanations,
        smart_pledging=plan.statistics.capability_requirements(valued_only=True),
        gaps=gaps,
        plan_gender=plan.statistics.gender(),
    )
    for theme, values in zip(themes["theme"], themes["values"], strict=True):
        for name, value in values.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                seen += check(cells, f"debate.{theme}.{name}", {"": value}, optional=True)
    missions = view.missions["id"].astype(str).tolist()
    year = int(pd.Timestamp(view.param("planning_start")).year)
    safety = debate.fatalities_by_year(missions, year - 5, year).reset_index()
    for col in ("all_causes", "malicious", "malicious_uniformed"):
        seen += check(cells, f"fatalities_by_year.{col}", keyed(safety, col, ["year"]))
    # The "so what" and the what-ifs.
    what_ifs = findings.what_if_findings(plan.sensitivities)
    seen += check(cells, "what_ifs.gain", keyed(what_ifs, "gain", ["change"]), optional=True)
    so_what = findings.so_what(
        plan.statistics.headline(),
        gaps,
        finance.plan_against_approved(budget, view),
        themes,
        what_ifs,
    )
    for values in so_what["values"]:
        for name, value in values.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                seen += check(cells, f"findings.{name}", {"": value}, optional=True)
    # Bases of the units in place.
    bases = geography.base_points(view)
    for col in ("units", "personnel"):
        seen += check(
            cells, f"bases.{col}", keyed(bases, col, ["mission_id", "location"]), optional=True
        )
    if contributor is not None:
        seen += contributor_cells(cells, plan, contributor, check)
    return seen


def contributor_cells(
    cells: pd.DataFrame, plan: Plan, contributor: str, check: Callable[..., int]
) -> int:
    """Check the cells of one contributor's page."""
    view = plan.view
    page = contributor_view(
        view,
        contributor,
        assignments=plan.assignments,
        explanations=plan.explanations,
        gaps=plan.statistics.gaps(),
        lights=traffic_lights(view),
    )
    seen = 0
    for name, label in contributor_provenance(view, contributor).items():
        for basis, parts in label["bases"].items():  # type: ignore[attr-defined]
            seen += check(cells, f"provenance.{name}.{basis}", dict(parts), optional=True)
    for name in ("personnel", "rank", "contributors", "women_share"):
        seen += check(cells, f"contributor.{name}", {"": page.rank[name]})
    deployed = page.deployed.reset_index()
    for col in ("total", "women", "women_share"):
        seen += check(cells, f"contributor_deployed.{col}", keyed(deployed, col, ["mission_id"]))
    seen += check(
        cells,
        "contributor_pledges.count",
        keyed(page.pledges, "count", ["pledge_id"]),
        optional=True,
    )
    seen += check(
        cells,
        "contributor_pledges.used",
        {
            p: "" if pd.isna(u) else str(u)
            for p, u in zip(page.pledges["pledge_id"], page.pledges["used"], strict=True)
        },
        optional=True,
    )
    in_place = page.in_place
    for col in ("count", "personnel"):
        seen += check(
            cells,
            f"contributor_in_place.{col}",
            keyed(in_place, col, ["mission_id", "location", "unit_type_id"]),
            optional=True,
        )
    seen += check(cells, "contributor.asked_count", {"": len(page.asked)}, optional=True)
    seen += check(
        cells,
        "contributor_asked.unmet_unit_months",
        keyed(page.asked.head(12), "unmet_unit_months", ["mission_id", "unit_type_id"]),
        optional=True,
    )
    for col in ("women_share", "target_share"):
        seen += check(
            cells,
            f"contributor_women.{col}",
            keyed(page.women, col, ["personnel_category"]),
            optional=True,
        )
    return seen
