"""Money: what a unit costs the UN per month, what the plan costs against budgets, what gaps cost.

The UN pays for a contingent unit (1) troop cost reimbursement per person per month at the rate
in force (US$1,428 from 1 July 2018, GA res. 72/285), (2) contingent-owned equipment under wet
lease, and (3) for aviation, the letter-of-assist rate of the aircraft. The catalogue holds (2)
and (3) per unit type; the scenario's ``reimbursement_rates`` hold (1).
"""

from __future__ import annotations

from typing import Any, overload

import numpy as np
import pandas as pd

from bluehelmet.scenario.core import ScenarioView


def fixed_monthly_cost(unit_types: pd.DataFrame) -> pd.Series:
    """Equipment (wet lease) plus aviation (letter of assist) USD per month of each unit type.

    Missing values count as zero (a unit type with no aircraft has no letter of assist).
    """
    return (unit_types["equipment_monthly_usd"].astype("float64").fillna(0.0)
            + unit_types["aviation_monthly_usd"].astype("float64").fillna(0.0))


@overload
def monthly_cost(personnel: float, rate: float, fixed: float) -> float: ...
@overload
def monthly_cost(personnel: np.ndarray, rate: np.ndarray | float,
                 fixed: np.ndarray | float) -> np.ndarray: ...
@overload
def monthly_cost(personnel: pd.Series, rate: pd.Series | float,
                 fixed: pd.Series | float) -> pd.Series: ...
def monthly_cost(personnel: Any, rate: Any, fixed: Any) -> Any:
    """What one unit costs the UN in a month: ``personnel x rate + fixed``.

    The one cost formula of bluehelmet: the planner's budget rows, its tour costs and cost
    tables, the smart-pledging list and the brief's unit costs all call it. ``rate`` is the
    troop cost reimbursement per person-month in force that month; ``fixed`` is
    :func:`fixed_monthly_cost`. Arrays broadcast (pledges x months).
    """
    return personnel * rate + fixed


def rate_in_force(view: ScenarioView, date: pd.Timestamp | str) -> float:
    """Troop cost reimbursement (USD per person-month) in force on ``date``.

    Before the first recorded rate the first rate applies (no older rate is known).

    Raises
    ------
    ValueError
        If the scenario has no reimbursement rate at all.
    """
    rates = view.tables["reimbursement_rates"].sort_values("valid_from")
    if rates.empty:
        raise ValueError("the scenario has no reimbursement_rates; add at least one row")
    when = pd.Timestamp(date)
    valid = rates.loc[pd.to_datetime(rates["valid_from"]) <= when]
    row = valid.iloc[-1] if len(valid) else rates.iloc[0]
    return float(row["usd_per_person_month"])


def unit_monthly_cost(view: ScenarioView, date: pd.Timestamp | str) -> pd.DataFrame:
    """What one unit of each type costs the UN per month on ``date``.

    Returns
    -------
    DataFrame
        Indexed by unit type id: ``name, personnel, rate_usd, personnel_usd, equipment_usd,
        aviation_usd, total_usd``.
    """
    units = view.unit_types.set_index("id")
    rate = rate_in_force(view, date)
    out = pd.DataFrame(index=units.index)
    out["name"] = units["name"].astype("string")
    out["personnel"] = units["personnel"].astype("float64")
    out["rate_usd"] = rate
    out["personnel_usd"] = out["personnel"] * rate
    out["equipment_usd"] = units["equipment_monthly_usd"].astype("float64").fillna(0.0)
    out["aviation_usd"] = units["aviation_monthly_usd"].astype("float64").fillna(0.0)
    out["total_usd"] = monthly_cost(out["personnel"], rate, fixed_monthly_cost(units))
    out.index.name = "unit_type_id"
    return out


def cost_vs_budget(costs: pd.DataFrame, view: ScenarioView) -> pd.DataFrame:
    """The plan's cost per mission and fiscal year against the budget headroom for new units.

    Parameters
    ----------
    costs
        The plan's costs: ``mission_id, fiscal_year, cost_usd``.
    view
        Budgets come from the scenario's ``budgets`` table as the view holds it.

    Returns
    -------
    DataFrame
        One row per mission and fiscal year of the plan present in either table (budgets of
        fiscal years the plan does not reach are left out): ``mission_id, fiscal_year,
        cost_usd, headroom_usd, approved_usd, headroom_used`` (cost / headroom; NaN without a
        budget) and ``over_budget`` (boolean).
    """
    budgets = view.tables["budgets"]
    if len(costs):
        # Only the fiscal years the plan covers: budgets of later years are not the plan's.
        budgets = budgets.loc[budgets["fiscal_year"].isin(costs["fiscal_year"].unique())]
    keys = ["mission_id", "fiscal_year"]
    cost = costs.groupby(keys, as_index=False)["cost_usd"].sum()
    bud = budgets.groupby(keys, as_index=False).agg(headroom_usd=("headroom_usd", "sum"),
                                                    approved_usd=("approved_usd", "sum"))
    out = cost.merge(bud, on=keys, how="outer")
    out["cost_usd"] = out["cost_usd"].astype("float64").fillna(0.0)
    out["headroom_usd"] = out["headroom_usd"].astype("float64")
    out["approved_usd"] = out["approved_usd"].astype("float64").replace(0.0, np.nan)
    out["headroom_used"] = out["cost_usd"] / out["headroom_usd"].where(out["headroom_usd"] > 0)
    out["over_budget"] = (out["cost_usd"] > out["headroom_usd"].fillna(np.inf) + 0.5).astype(bool)
    return out.sort_values(keys).reset_index(drop=True)


def mission_cost_totals(budget_table: pd.DataFrame) -> pd.DataFrame:
    """Plan cost and budget headroom per mission over the fiscal years of :func:`cost_vs_budget`.

    Returns
    -------
    DataFrame
        Indexed by ``mission_id``: ``cost_usd, headroom_usd, headroom_used``.
    """
    out = budget_table.groupby("mission_id")[["cost_usd", "headroom_usd"]].sum(min_count=1)
    out["headroom_used"] = out["cost_usd"] / out["headroom_usd"].where(out["headroom_usd"] > 0)
    return out


def gap_costs(gaps: pd.DataFrame, view: ScenarioView, date: pd.Timestamp | str) -> pd.DataFrame:
    """What closing each remaining gap would cost, at the unit costs in force on ``date``.

    Parameters
    ----------
    gaps
        The gap table of :func:`bluehelmet.statistics.coverage.gap_table`.

    Returns
    -------
    DataFrame
        The open gaps (unmet unit-months > 0) with ``unit_monthly_usd`` and
        ``cost_to_close_usd`` (unmet unit-months x unit monthly cost) added, most expensive
        first within the order of ``gaps`` (critical first).
    """
    unit_cost = unit_monthly_cost(view, date)["total_usd"]
    out = gaps.loc[gaps["unmet_unit_months"] > 1e-9].copy()
    out["unit_monthly_usd"] = out["unit_type_id"].map(unit_cost).astype("float64")
    out["cost_to_close_usd"] = out["unmet_unit_months"] * out["unit_monthly_usd"]
    out["_critical"] = out["critical_group"].isna()
    out = out.sort_values(["_critical", "cost_to_close_usd"], ascending=[True, False])
    return out.drop(columns="_critical").reset_index(drop=True)


def costliest_gaps(costs: pd.DataFrame, top: int) -> pd.DataFrame:
    """The ``top`` most expensive open gaps of :func:`gap_costs`, most expensive first.

    The chart and the table of the costliest gaps both take this one table, so they show the
    same gaps in the same order.
    """
    return costs.sort_values("cost_to_close_usd", ascending=False, kind="stable").head(
        top).reset_index(drop=True)
