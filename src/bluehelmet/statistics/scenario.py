"""Statistics of a scenario's inputs, as DataFrames: strength, women's share, pledge landscape.

Functions over tables that may hold classified records take the reader's
:class:`~bluehelmet.model.access.AccessContext` and filter before aggregating.
"""

from __future__ import annotations

import pandas as pd

from bluehelmet.model.access import AccessContext, filter_visible
from bluehelmet.scenario.core import Scenario

#: UN personnel types mapped to the personnel categories of the Uniformed Gender Parity Strategy.
UGPS_CATEGORY: dict[str, str] = {
    "troops": "troops",
    "staff_officers": "staff_officers_observers",
    "experts_on_mission": "staff_officers_observers",
    "formed_police": "formed_police",
    "individual_police": "individual_police",
    # Yearly tables (e.g. contributions by country x mission x year) report no personnel type.
    "uniformed": "uniformed (type not reported)",
}


def latest_deployments(scenario: Scenario, reader: AccessContext) -> pd.DataFrame:
    """Deployments at the latest reporting date present, as ``reader`` may see them."""
    dep = filter_visible(scenario.deployments, reader)
    if dep.empty:
        return dep
    return dep.loc[dep["date"] == dep["date"].max()]


def mission_strength(scenario: Scenario, reader: AccessContext) -> pd.DataFrame:
    """Uniformed personnel per mission at the latest date: women, men, total, women's share.

    Returns
    -------
    DataFrame
        Indexed by mission id, columns ``name, host_iso3, date, women, men, total, women_share,
        authorised, contributors``.

    """
    dep = latest_deployments(scenario, reader)
    missions = filter_visible(scenario.missions, reader).set_index("id")
    grouped = dep.groupby("mission_id").agg(
        date=("date", "max"), women=("women", "sum"), men=("men", "sum"),
        contributors=("contributor_id", "nunique"))
    out = missions[["name", "host_iso3"]].join(grouped, how="left")
    out[["women", "men", "contributors"]] = out[["women", "men", "contributors"]].fillna(0).astype(
        "int64")
    out["total"] = out["women"] + out["men"]
    out["women_share"] = (out["women"] / out["total"].where(out["total"] > 0)).astype("float64")
    authorised = missions["authorised_troops"].astype("Float64").fillna(0) + missions[
        "authorised_police"].astype("Float64").fillna(0)
    out["authorised"] = authorised.astype("float64")
    out.index.name = "mission_id"
    return out.sort_values("total", ascending=False)


def strength_by_category(scenario: Scenario, reader: AccessContext) -> pd.DataFrame:
    """Women and men by UGPS personnel category at the latest date, with women's share."""
    dep = latest_deployments(scenario, reader).copy()
    dep["personnel_category"] = dep["personnel_type"].map(UGPS_CATEGORY)
    out = dep.groupby("personnel_category")[["women", "men"]].sum().astype("int64")
    out["total"] = out["women"] + out["men"]
    out["women_share"] = out["women"] / out["total"].where(out["total"] > 0)
    return out


def pledges_by_level(scenario: Scenario, reader: AccessContext) -> pd.DataFrame:
    """Pledged units by unit type (rows) and PCRS level (columns), with totals.

    Only the pledges ``reader`` may see are counted.
    """
    pledges = filter_visible(scenario.pledges, reader)
    levels = ["L1", "L2", "L3", "RDL"]
    table = pledges.pivot_table(index="unit_type_id", columns="pcrs_level", values="count",
                                aggfunc="sum", fill_value=0, observed=False)
    table = table.reindex(columns=levels, fill_value=0).astype("int64")
    table["total"] = table.sum(axis=1)
    names = scenario.unit_types.set_index("id")["name"]
    table.insert(0, "name", names.reindex(table.index).astype("string").fillna(""))
    table.index.name = "unit_type_id"
    return table.sort_values("total", ascending=False)


def pledge_landscape(scenario: Scenario, reader: AccessContext) -> dict[str, int]:
    """Headline counts of the pledge registry visible to ``reader``.

    Returns
    -------
    dict
        ``records`` (pledge rows), ``units`` (sum of counts), ``contributors``, ``unit_types``,
        ``real`` and ``illustrative`` (pledge rows by basis).
    """
    pledges = filter_visible(scenario.pledges, reader)
    basis = pledges["basis"].value_counts()
    return {
        "records": len(pledges),
        "units": int(pledges["count"].sum()),
        "contributors": int(pledges["contributor_id"].nunique()),
        "unit_types": int(pledges["unit_type_id"].nunique()),
        "real": int(basis.get("real", 0)),
        "illustrative": int(basis.get("illustrative", 0)),
    }


def basis_summary(scenario: Scenario, reader: AccessContext) -> pd.DataFrame:
    """Rows per table and basis (real, derived, illustrative, assumed) visible to ``reader``."""
    rows: list[dict[str, object]] = []
    for name, table in scenario.tables.items():
        counts = filter_visible(table, reader)["basis"].value_counts()
        rows.extend({"table": name, "basis": str(b), "rows": int(n)} for b, n in counts.items())
    return pd.DataFrame(rows, columns=["table", "basis", "rows"])


def force_in_place(scenario: Scenario, reader: AccessContext,
                   on: pd.Timestamp | None = None) -> pd.DataFrame:
    """Units and personnel in place per mission on ``on`` (default: the planning start).

    A unit is in place on a day when its ``since`` is empty or not later and its ``until`` is
    empty or not earlier. Personnel are the rows' figures; rows without one count the
    catalogue's personnel per unit (shown separately as ``personnel_catalogue``).

    Returns
    -------
    DataFrame
        Indexed by mission id: ``units``, ``personnel`` (given + catalogue), ``personnel_catalogue``
        (the part taken from the catalogue), ``arriving`` (units announced to arrive later) and
        ``leaving`` (units in place whose commitment ends within the planning horizon).
    """
    day = pd.Timestamp(on if on is not None else scenario.param("planning_start"))
    months = int(scenario.param("horizon_months"))
    horizon_end = day + pd.DateOffset(months=months) - pd.Timedelta(days=1)
    uip = filter_visible(scenario.units_in_place, reader)
    cols = ["units", "personnel", "personnel_catalogue", "arriving", "leaving"]
    if uip.empty:
        return pd.DataFrame(columns=cols, dtype="int64")
    size = scenario.unit_types.set_index("id")["personnel"].astype("float64")
    catalogue = uip["count"].astype("float64") * uip["unit_type_id"].map(size).fillna(0)
    given = uip["personnel"].astype("Float64")
    started = uip["since"].isna() | (uip["since"] <= day)
    ongoing = uip["until"].isna() | (uip["until"] >= day)
    now = started & ongoing
    frame = pd.DataFrame({
        "mission_id": uip["mission_id"],
        "units": uip["count"].astype("int64").where(now, 0),
        "personnel": given.fillna(catalogue).astype("float64").where(now, 0.0),
        "personnel_catalogue": catalogue.where(now & given.isna().to_numpy(), 0.0),
        "arriving": uip["count"].astype("int64").where(~started & ongoing, 0),
        "leaving": uip["count"].astype("int64").where(now & (uip["until"] <= horizon_end), 0),
    })
    out = frame.groupby("mission_id")[cols].sum().round().astype("int64")
    return out.sort_values("personnel", ascending=False)
