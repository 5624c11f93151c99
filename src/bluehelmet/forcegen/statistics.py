"""Plan statistics: the figures briefings and reports show, as DataFrames.

Reports must take every number from these functions (never recompute them). Each takes a
:class:`~bluehelmet.forcegen.results.PlanResult` (and where names are needed, the scenario it was
planned on) and returns a DataFrame or a dict.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from bluehelmet.forcegen.results import PlanResult
from bluehelmet.scenario.core import ScenarioView
from bluehelmet.statistics.money import unit_monthly_cost


def plan_headline(result: PlanResult) -> dict[str, Any]:
    """Headline figures: requirement-months required, covered, unmet, cost, status, gap."""
    s = result.summary
    required = float(s.get("required_requirement_months", 0.0))
    unmet = float(s.get("unmet_requirement_months", 0.0))
    return {
        "required_requirement_months": required,
        "covered_requirement_months": required - unmet,
        "unmet_requirement_months": unmet,
        "covered_share": (required - unmet) / required if required else 1.0,
        "weighted_unmet_requirement_months": s.get("weighted_unmet_requirement_months"),
        "total_cost_usd": s.get("total_cost_usd"),
        "units_deployed": s.get("units_deployed"),
        "pledges": s.get("pledges"), "pledges_used": s.get("pledges_used"),
        "status": s.get("status"), "mip_gap": s.get("mip_gap"),
        "solve_seconds": s.get("solve_seconds"), "notice": s.get("notice", ""),
    }


def coverage_before_after(result: PlanResult, scenario: ScenarioView,
                          critical_only: bool = False) -> pd.DataFrame:
    """Mission x capability x month: units required, covered before the plan and after it.

    "Before" is what the requirements already have without any planned unit: zero, since the
    requirements are for units still to be generated; "after" adds the plan's units.
    """
    cov = result.coverage.copy()
    caps = scenario.unit_types.set_index("id")["capability"].astype(str)
    cov["capability"] = cov["unit_type_id"].map(caps)
    if critical_only:
        cov = cov[cov["critical"]]
    out = cov.groupby(["mission_id", "capability", "month_start"], as_index=False).agg(
        critical=("critical", "max"), required=("required", "sum"), after=("covered", "sum"))
    out.insert(5, "before", 0.0)
    out["share_after"] = out["after"] / out["required"]
    return out


def coverage_by_mission(result: PlanResult, scenario: ScenarioView) -> pd.DataFrame:
    """Mission x capability: unit-months required, covered and the share covered by the plan."""
    cov = coverage_before_after(result, scenario)
    out = cov.groupby(["mission_id", "capability"], as_index=False).agg(
        critical=("critical", "max"), required_unit_months=("required", "sum"),
        covered_unit_months=("after", "sum"))
    out["covered_share"] = out["covered_unit_months"] / out["required_unit_months"]
    return out


def gap_closing_costs(result: PlanResult, scenario: ScenarioView) -> pd.DataFrame:
    """Per requirement with a gap: unit-months unmet and the cost of closing it at catalogue rates.

    The cost is unmet unit-months x the unit type's monthly cost at the start of planning
    (:func:`bluehelmet.statistics.money.unit_monthly_cost`, the same figure the brief's
    mission x unit type table uses); it ignores budget limits, which is the point: it is what
    the Fifth Committee would have to add.
    """
    gaps = result.gaps[result.gaps["unmet_unit_months"] > 0].copy()
    units = scenario.unit_types.set_index("id")
    monthly = unit_monthly_cost(scenario, pd.Timestamp(scenario.param("planning_start")))
    u = units.loc[gaps["unit_type_id"]]
    gaps["unit_type"] = u["name"].to_numpy()
    gaps["capability"] = u["capability"].to_numpy()
    gaps["monthly_cost_usd"] = monthly.loc[gaps["unit_type_id"], "total_usd"].to_numpy()
    gaps["cost_to_close_usd"] = gaps["unmet_unit_months"].to_numpy() * gaps["monthly_cost_usd"]
    return gaps.sort_values("weighted_unmet", ascending=False).reset_index(drop=True)


def cost_vs_budget(result: PlanResult) -> pd.DataFrame:
    """Mission x fiscal year: planned cost, budget headroom, share used, binding."""
    return result.costs.copy()


def gender_shares(result: PlanResult) -> pd.DataFrame:
    """Personnel category x year: women's share of planned personnel against the UGPS target."""
    return result.gender.copy()


def smart_pledging_list(result: PlanResult) -> pd.DataFrame:
    """The units the UN should ask for, ranked by the value of one more unit."""
    return result.smart_pledging.copy()


def unused_pledge_reasons(result: PlanResult) -> pd.DataFrame:
    """Number of pledges (and units) by reason: used, caveat, too late, budget, dominated ..."""
    e = result.explanations
    if len(e) == 0:
        return pd.DataFrame(columns=["reason_code", "reason", "pledges", "units"])
    return e.groupby(["reason_code", "reason"], as_index=False).agg(
        pledges=("pledge_id", "size"), units=("count", "sum")).sort_values(
            "pledges", ascending=False).reset_index(drop=True)


def value_of_changes(result: PlanResult) -> pd.DataFrame:
    """Weighted unmet requirement-months gained by more budget, faster readiness, more lift."""
    return result.sensitivities.copy()
