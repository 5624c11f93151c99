"""The force in place and the Council ceilings, month by month.

Requirements state the total a mission needs. :func:`in_place_months` says, for every month of
the horizon, which units in place (``units_in_place``) are there, :func:`open_need` subtracts them
from the requirements so that the model is only asked for what is open, and :func:`ceiling_months`
gives the Security Council ceiling of every mission, component and month (``ceilings``).

Rules (each checkable from the tables):

* A unit in place counts in a month if it is there for the whole month: ``since`` (empty = before
  the planning start) on or before the month's first day and ``until`` (empty = open) on or after
  its last day. A unit that leaves on 31 October counts in October; one that leaves on 1 May does
  not count in May (the gap opens in May); one that arrives on 15 October counts from November.
* Its personnel are the row's ``personnel``, or ``count`` x the catalogue's personnel per unit
  when the row has none.
* The units in place of a mission and unit type count towards that mission's requirements of
  the type in order of priority weight (then requirement order), each up to its count.
* The ceiling of a mission, component and month is the lowest numeric ceiling of the rows in
  force on any day of the month; a month with no numeric row (``kind = none`` or no row) has no
  ceiling. Components: ``military`` (troops, staff officers and observers) and ``police``
  (formed and individual police); the separate formed/individual police sub-ceilings are not
  modelled.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bluehelmet.scenario.core import Scenario

#: Personnel category of a unit type -> Council ceiling component.
COMPONENT = {
    "troops": "military",
    "staff_officers_observers": "military",
    "formed_police": "police",
    "individual_police": "police",
}


def _dates(col: pd.Series) -> pd.Series:
    return pd.to_datetime(col)


def in_place_months(scenario: Scenario, months: pd.DatetimeIndex) -> pd.DataFrame:
    """Units in place per row of ``units_in_place`` and month present (month indices).

    Columns: ``row``, ``month``, ``mission_id``, ``unit_type_id``, ``contributor_id``, ``units``,
    ``personnel``, ``component``.
    """
    cols = [
        "row",
        "month",
        "mission_id",
        "unit_type_id",
        "contributor_id",
        "units",
        "personnel",
        "component",
    ]
    table = scenario.tables.get("units_in_place")
    if table is None or len(table) == 0 or len(months) == 0:
        return pd.DataFrame(
            {c: pd.Series(dtype="int64" if c in ("row", "month") else object) for c in cols}
        )
    u = table.reset_index(drop=True)
    units = scenario.unit_types.set_index("id")
    unit_ids = u["unit_type_id"].astype(str).to_numpy()
    per_unit = units["personnel"].astype(float).reindex(unit_ids).to_numpy()
    count = u["count"].astype("int64").to_numpy()
    own = pd.to_numeric(u["personnel"], errors="coerce").to_numpy(dtype=float)
    persons = np.where(np.isnan(own), count * per_unit, own)
    category = units["personnel_category"].astype(str).reindex(unit_ids)
    first_day = months.to_numpy()
    last_day = (months + pd.offsets.MonthEnd(0)).to_numpy()
    since = _dates(u["since"]).to_numpy()
    until = _dates(u["until"]).to_numpy()
    arrived = pd.isna(since)[:, None] | (since[:, None] <= first_day[None, :])
    stays = pd.isna(until)[:, None] | (until[:, None] >= last_day[None, :])
    row, month = np.nonzero(arrived & stays)
    return pd.DataFrame(
        {
            "row": row.astype("int64"),
            "month": month.astype("int64"),
            "mission_id": u["mission_id"].astype(str).to_numpy()[row],
            "unit_type_id": u["unit_type_id"].astype(str).to_numpy()[row],
            "contributor_id": u["contributor_id"].astype(str).to_numpy()[row],
            "units": count[row],
            "personnel": persons[row],
            "component": category.map(COMPONENT).fillna("other").to_numpy()[row],
        }
    )


def open_need(req: pd.DataFrame, in_place: pd.DataFrame) -> pd.DataFrame:
    """Per requirement and active month: ``required`` (total), ``in_place`` and ``open`` units.

    ``req`` is the planner's requirement table (``first``/``last`` month, ``count``, ``weight``).
    """
    n = np.clip(req["last"].to_numpy() - req["first"].to_numpy() + 1, 0, None)
    ridx = np.repeat(np.arange(len(req)), n)
    month = req["first"].to_numpy()[ridx] + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
    need = pd.DataFrame(
        {
            "req": ridx.astype("int64"),
            "month": month.astype("int64"),
            "mission_id": req["mission_id"].to_numpy()[ridx],
            "unit_type_id": req["unit_type_id"].to_numpy()[ridx],
            "weight": req["weight"].to_numpy()[ridx],
            "required": req["count"].to_numpy()[ridx].astype("int64"),
        }
    )
    keys = ["mission_id", "unit_type_id", "month"]
    there = pd.DataFrame(in_place.groupby(keys, as_index=False)["units"].sum())
    there = there.rename(columns={"units": "there"}).astype({"month": "int64"})
    need = need.merge(there, on=keys, how="left").fillna({"there": 0})
    # Requirements of one mission and unit type take the units in place in priority order.
    order = need.sort_values([*keys, "weight", "req"], ascending=[True, True, True, False, True])
    before = order.groupby(keys)["required"].cumsum() - order["required"]
    got = np.clip(order["there"] - before, 0, order["required"])
    need["in_place"] = got.reindex(need.index).astype("int64")
    need["open"] = need["required"] - need["in_place"]
    return need[["req", "month", "required", "in_place", "open"]]


def ceiling_months(scenario: Scenario, months: pd.DatetimeIndex) -> pd.DataFrame:
    """Numeric Council ceilings per mission, component (military, police) and month index."""
    cols = {
        "mission_id": pd.Series(dtype=object),
        "component": pd.Series(dtype=object),
        "month": pd.Series(dtype="int64"),
        "ceiling": pd.Series(dtype=float),
    }
    table = scenario.tables.get("ceilings")
    if table is None or len(table) == 0:
        return pd.DataFrame(cols)
    c = table[
        (table["kind"].astype(str) == "numeric")
        & table["component"].astype(str).isin(["military", "police"])
        & table["ceiling"].notna()
    ].reset_index(drop=True)
    first_day = months.to_numpy()
    last_day = (months + pd.offsets.MonthEnd(0)).to_numpy()
    frm = _dates(c["valid_from"]).to_numpy()
    to = _dates(c["valid_to"]).to_numpy()
    overlap = (frm[:, None] <= last_day[None, :]) & (
        pd.isna(to)[:, None] | (to[:, None] >= first_day[None, :])
    )
    row, month = np.nonzero(overlap)
    out = pd.DataFrame(
        {
            "mission_id": c["mission_id"].astype(str).to_numpy()[row],
            "component": c["component"].astype(str).to_numpy()[row],
            "month": month.astype("int64"),
            "ceiling": c["ceiling"].astype(float).to_numpy()[row],
        }
    )
    if len(out) == 0:
        return pd.DataFrame(cols)
    return pd.DataFrame(
        out.groupby(["mission_id", "component", "month"], as_index=False)["ceiling"].min()
    )
