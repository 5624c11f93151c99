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
  (formed and individual police), and where a resolution separates them the police
  sub-ceilings ``formed_police`` and ``individual_police``: a formed police unit counts against
  its mission's ``police`` and ``formed_police`` ceilings, an individual police officer against
  ``police`` and ``individual_police`` (:data:`CEILING_COMPONENTS`).
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

#: Personnel category of a unit type -> every Council ceiling component it counts against
#: (the component, then the police sub-ceiling where a resolution sets one).
CEILING_COMPONENTS: dict[str, tuple[str, ...]] = {
    "troops": ("military",),
    "staff_officers_observers": ("military",),
    "formed_police": ("police", "formed_police"),
    "individual_police": ("police", "individual_police"),
}


#: Every ceiling component the planner holds (``other`` is not planned on).
PLANNED_COMPONENTS = ("military", "police", "formed_police", "individual_police")


def by_ceiling_component(category: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(position, component) for every ceiling component each personnel category counts against.

    A formed police unit at position ``i`` gives ``(i, "police")`` and ``(i, "formed_police")``;
    a category with no ceiling component (``other``) gives nothing.
    """
    # Vectorised over the few distinct categories (millions of tour-months at PCRS scale).
    kinds, inverse = np.unique(np.asarray(category, dtype=str), return_inverse=True)
    idx_parts, comp_parts = [], []
    for j, kind in enumerate(kinds):
        rows = np.flatnonzero(inverse == j)
        for comp in CEILING_COMPONENTS.get(str(kind), ()):
            idx_parts.append(rows)
            comp_parts.append(np.full(len(rows), comp, dtype=object))
    if not idx_parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object)
    idx = np.concatenate(idx_parts)
    order = np.argsort(idx, kind="stable")
    return idx[order].astype(np.int64), np.concatenate(comp_parts)[order]


def _dates(col: pd.Series) -> pd.Series:
    return pd.to_datetime(col)


def in_place_months(scenario: Scenario, months: pd.DatetimeIndex) -> pd.DataFrame:
    """Units in place per row of ``units_in_place`` and month present (month indices).

    Columns: ``row``, ``month``, ``mission_id``, ``unit_type_id``, ``contributor_id``, ``units``,
    ``personnel``, ``component``, ``category`` (the unit type's personnel category).
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
        "category",
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
            "category": category.to_numpy(dtype=object)[row],
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
    """Council ceilings per mission, component and month index, numeric or none.

    Components: ``military``, ``police`` and the police sub-ceilings ``formed_police`` and
    ``individual_police`` (see :data:`CEILING_COMPONENTS`). ``kind`` is ``numeric`` (``ceiling``
    the lowest number in force on any day of the month) or ``none`` (the resolution in force
    sets no number: ``ceiling`` empty; shown as "no ceiling", never as 0). A month with both
    takes the numeric one.
    """
    cols = {
        "mission_id": pd.Series(dtype=object),
        "component": pd.Series(dtype=object),
        "month": pd.Series(dtype="int64"),
        "ceiling": pd.Series(dtype=float),
        "kind": pd.Series(dtype=object),
    }
    table = scenario.tables.get("ceilings")
    if table is None or len(table) == 0:
        return pd.DataFrame(cols)
    kind = table["kind"].astype(str)
    c = table[
        ((kind == "none") | ((kind == "numeric") & table["ceiling"].notna()))
        & table["component"].astype(str).isin(PLANNED_COMPONENTS)
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
            "ceiling": pd.to_numeric(c["ceiling"], errors="coerce").to_numpy(float)[row],
            "kind": c["kind"].astype(str).to_numpy()[row],
        }
    )
    if len(out) == 0:
        return pd.DataFrame(cols)
    keys = ["mission_id", "component", "month"]
    # min() skips the empty ceilings of kind none; a month with a number keeps the number.
    out = out.groupby(keys, as_index=False).agg(ceiling=("ceiling", "min"))
    out["kind"] = np.where(out["ceiling"].notna(), "numeric", "none")
    return pd.DataFrame(out)
