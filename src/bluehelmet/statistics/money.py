"""Money: what a unit costs the UN per month, what the plan costs against budgets, what gaps cost.

The one place where bluehelmet's cost rules live (the planner's budget rows and tour costs, the
capability requirements note and the brief all call these functions). What the UN pays for one
unit of a type (docs/force-generation.md, "Costs as the UN pays them"):

* **personnel**, per person and month, by personnel category (:func:`person_rate`): contingents
  (``troops``, ``formed_police``) at the troop cost reimbursement rate in force (US$1,428 from
  1 July 2018, GA res. 72/285; the scenario's ``reimbursement_rates``); individuals
  (``individual_police``, ``staff_officers_observers``) at the mission subsistence allowance the
  UN pays them instead (the ``msa_usd_per_person_month`` parameter);
* **equipment**, contingent-owned equipment under wet lease (``equipment_monthly_usd``);
* **aviation** under a letter of assist, one rule for every aircraft type
  (:func:`aviation_monthly_cost`): the fixed monthly fleet cost (``aviation_monthly_usd``) plus
  the flying hours tasked a month times the rate per flying hour;
* **emplacement and repatriation** of a *new* unit, once each way (:func:`deployment_cost`):
  its strategic lift moves at ``lift_move_usd`` each (charter flights and sailings carry the
  contingent and its equipment), or, for individual officers (no lift moves), one-way travel at
  ``travel_usd_per_person`` each. A unit that stays and rotates its own personnel pays none.

Regular-budget missions (``missions.budget_account = regular_budget``: UNTSO, UNMOGIP) are paid
from the UN regular budget, whose periods are calendar years (the biennium 2018-2019, annual from
2020, GA res. 72/266 A), not from the July-June peacekeeping accounts: :func:`budget_period`
labels each month with the period of the mission's own account.
"""

from __future__ import annotations

from typing import Any, overload

import numpy as np
import pandas as pd

from bluehelmet.scenario.core import ScenarioView

#: Personnel categories the UN reimburses at the troop cost rate (contingent personnel).
REIMBURSED_CATEGORIES = ("troops", "formed_police")
#: Personnel categories the UN pays mission subsistence allowance (individual officers).
MSA_CATEGORIES = ("individual_police", "staff_officers_observers")
#: ``missions.budget_account`` values and what they are called in cost tables.
ACCOUNTS = ("peacekeeping", "regular_budget")


def _column(unit_types: pd.DataFrame, name: str) -> pd.Series:
    """A numeric catalogue column, missing values (and a missing column) as 0."""
    if name not in unit_types:
        return pd.Series(0.0, index=unit_types.index)
    return pd.to_numeric(unit_types[name], errors="coerce").astype("float64").fillna(0.0)


def aviation_monthly_cost(unit_types: pd.DataFrame) -> pd.Series:
    """What the UN pays a month under the letter of assist for one unit's aircraft.

    One rule for every aircraft type: ``aviation_monthly_usd`` (the fixed monthly fleet cost)
    ``+ flying_hours_per_month x usd_per_flying_hour``. Missing values count as zero (a unit
    type with no aircraft has no letter of assist).
    """
    return _column(unit_types, "aviation_monthly_usd") + _column(
        unit_types, "flying_hours_per_month"
    ) * _column(unit_types, "usd_per_flying_hour")


def fixed_monthly_cost(unit_types: pd.DataFrame) -> pd.Series:
    """Equipment (wet lease) plus aviation (letter of assist) USD per month of each unit type."""
    return _column(unit_types, "equipment_monthly_usd") + aviation_monthly_cost(unit_types)


def paid_msa(category: Any) -> Any:
    """True where a personnel category is paid mission subsistence allowance (array-like)."""
    return np.isin(np.asarray(category, dtype=str), MSA_CATEGORIES)


def person_rate(category: Any, troop_rate: Any, msa: float) -> Any:
    """USD the UN pays per person and month: the troop rate, or MSA for individual officers.

    ``category`` and ``troop_rate`` broadcast (e.g. pledges as a column, months as a row).
    """
    return np.where(paid_msa(category), float(msa), troop_rate)


@overload
def monthly_cost(personnel: float, rate: float, fixed: float) -> float: ...
@overload
def monthly_cost(
    personnel: np.ndarray, rate: np.ndarray | float, fixed: np.ndarray | float
) -> np.ndarray: ...
@overload
def monthly_cost(
    personnel: pd.Series, rate: pd.Series | float, fixed: pd.Series | float
) -> pd.Series: ...
def monthly_cost(personnel: Any, rate: Any, fixed: Any) -> Any:
    """What one unit costs the UN in a month: ``personnel x rate + fixed``.

    The one monthly cost formula of bluehelmet: the planner's budget rows, its tour costs and
    cost tables, the capability requirements note and the brief's unit costs all call it.
    ``rate`` is :func:`person_rate` (the troop cost reimbursement in force that month, or the
    mission subsistence allowance for individual officers); ``fixed`` is
    :func:`fixed_monthly_cost`. Arrays broadcast (pledges x months).
    """
    return personnel * rate + fixed


def deployment_cost(
    personnel: Any, lift_moves: Any, lift_move_usd: float, travel_usd_per_person: float
) -> Any:
    """One-way emplacement (or repatriation) cost of one new unit.

    ``lift_moves x lift_move_usd`` for a contingent (its charters and sailings carry its
    personnel and equipment); ``personnel x travel_usd_per_person`` for individual officers,
    whose catalogue entry has no lift moves. Arrays broadcast.
    """
    moves = np.asarray(lift_moves, dtype=float)
    return np.where(
        moves > 0,
        moves * float(lift_move_usd),
        np.asarray(personnel, dtype=float) * float(travel_usd_per_person),
    )


def budget_period(account: Any, months: Any) -> np.ndarray:
    """Budget period of each month under its mission's account (1-D arrays of equal length).

    ``peacekeeping``: the UN peacekeeping fiscal year, 1 July - 30 June, written ``2018/19``.
    ``regular_budget``: the regular budget's period, the biennium (``2018-2019``) until 2019 and
    the calendar year (``2020``) from 2020 (GA res. 72/266 A). ``account`` may be one string for
    every month.
    """
    when = pd.DatetimeIndex(np.atleast_1d(np.asarray(months, dtype="datetime64[ns]")))
    year, month = when.year.to_numpy(), when.month.to_numpy()
    first = np.where(month >= 7, year, year - 1)
    fiscal = [f"{y}/{(y + 1) % 100:02d}" for y in first]
    start = year - year % 2
    regular = [str(y) if y >= 2020 else f"{s}-{s + 1}" for y, s in zip(year, start, strict=True)]
    acc = np.broadcast_to(np.asarray(account, dtype=str), year.shape)
    return np.where(
        acc == "regular_budget", np.asarray(regular, dtype=object), np.asarray(fiscal, dtype=object)
    )


def budget_headroom(budgets: pd.DataFrame, share: float) -> pd.Series:
    """What each budget row lets the plan spend on units deployed from pledges.

    The row's own ``headroom_usd`` where it states one, else ``share x approved_usd`` (``share``
    is the scenario parameter ``budget_headroom_share``); NaN (no limit) where neither is known.
    No other headroom is assumed.
    """
    own = pd.to_numeric(budgets["headroom_usd"], errors="coerce").astype("float64")
    approved = pd.to_numeric(budgets["approved_usd"], errors="coerce").astype("float64")
    return own.where(own.notna(), approved * float(share))


def mission_accounts(view: ScenarioView) -> pd.Series:
    """``budget_account`` of each mission id (``peacekeeping`` where the column is empty)."""
    missions = view.missions.set_index("id")
    if "budget_account" not in missions:
        return pd.Series("peacekeeping", index=missions.index.astype(str))
    return missions["budget_account"].astype("string").fillna("peacekeeping").astype(str)


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
    """What one unit of each type costs the UN per month on ``date``, and once to deploy.

    Returns
    -------
    DataFrame
        Indexed by unit type id: ``name, personnel, personnel_category, rate_usd`` (troop
        reimbursement or mission subsistence allowance per person), ``personnel_usd,
        equipment_usd, aviation_usd`` (letter of assist: fixed fleet cost plus flying hours),
        ``total_usd`` (the monthly cost) and ``emplacement_usd`` (one way; repatriation costs
        the same again).
    """
    units = view.unit_types.set_index("id")
    category = units["personnel_category"].astype(str)
    rate = person_rate(
        category.to_numpy(),
        rate_in_force(view, date),
        float(view.param("msa_usd_per_person_month")),
    )
    out = pd.DataFrame(index=units.index)
    out["name"] = units["name"].astype("string")
    out["personnel"] = units["personnel"].astype("float64")
    out["personnel_category"] = category.astype("string")
    out["rate_usd"] = np.asarray(rate, dtype=float)
    out["personnel_usd"] = out["personnel"] * out["rate_usd"]
    out["equipment_usd"] = _column(units, "equipment_monthly_usd")
    out["aviation_usd"] = aviation_monthly_cost(units)
    out["total_usd"] = monthly_cost(out["personnel"], out["rate_usd"], fixed_monthly_cost(units))
    out["emplacement_usd"] = deployment_cost(
        out["personnel"].to_numpy(),
        _column(units, "lift_moves").to_numpy(),
        float(view.param("lift_move_usd")),
        float(view.param("travel_usd_per_person")),
    )
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
    budgets = budgets.assign(
        headroom_usd=budget_headroom(budgets, float(view.param("budget_headroom_share")))
    )
    if len(costs):
        # Only the fiscal years the plan covers: budgets of later years are not the plan's.
        budgets = budgets.loc[budgets["fiscal_year"].isin(costs["fiscal_year"].unique())]
    keys = ["mission_id", "fiscal_year"]
    cost = costs.groupby(keys, as_index=False)["cost_usd"].sum()
    bud = budgets.groupby(keys, as_index=False).agg(
        headroom_usd=("headroom_usd", "sum"), approved_usd=("approved_usd", "sum")
    )
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
    return (
        costs.sort_values("cost_to_close_usd", ascending=False, kind="stable")
        .head(top)
        .reset_index(drop=True)
    )
