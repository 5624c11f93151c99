"""Where things are: mission headquarters, where their personnel come from, where planned units go.

Map layers as DataFrames for :mod:`bluehelmet.plot.maps`; positions come from the scenario's
missions and contributors tables (headquarters, and the point a contributor deploys from).
"""

from __future__ import annotations

import pandas as pd

from bluehelmet.scenario.core import ScenarioView
from bluehelmet.statistics.scenario import latest_deployments, mission_strength

FLOW_COLUMNS = ["contributor_id", "mission_id", "from_lon", "from_lat", "to_lon", "to_lat"]


def mission_points(view: ScenarioView) -> pd.DataFrame:
    """Mission headquarters with the uniformed personnel deployed at the latest date.

    Returns
    -------
    DataFrame
        ``mission_id, name, host_iso3, longitude, latitude, personnel``; missions without
        coordinates are left out (they cannot be placed on a map).
    """
    missions = view.missions
    strength = mission_strength(view)["total"]
    out = pd.DataFrame(
        {
            "mission_id": missions["id"].astype(str).to_numpy(),
            "name": missions["name"].astype("string").to_numpy(),
            "host_iso3": missions["host_iso3"].astype("string").to_numpy(),
            "longitude": missions["longitude"].astype("float64").to_numpy(),
            "latitude": missions["latitude"].astype("float64").to_numpy(),
        }
    )
    out["personnel"] = out["mission_id"].map(strength).fillna(0).astype("int64")
    return out.dropna(subset=["longitude", "latitude"]).reset_index(drop=True)


def apply_map_practice(points: pd.DataFrame, practice: pd.DataFrame) -> pd.DataFrame:
    """Place and label missions as UN maps do (disputed areas, references to resolutions).

    Parameters
    ----------
    points
        :func:`mission_points`.
    practice
        ``mission_id, areas`` (ISO3 codes of the countries and areas where the mission operates,
        ``;``-separated), ``longitude, latitude`` (where to draw it, empty: keep the HQ),
        ``label`` (map label), ``note`` and ``source`` (the UN practice followed).

    Returns
    -------
    DataFrame
        ``points`` with ``areas`` (default: the host country), ``label`` (default: the mission id)
        and ``note`` (default: empty), positions replaced where the practice gives one.
    """
    out = points.copy()
    out["areas"] = out["host_iso3"].astype("string")
    out["label"] = out["mission_id"].astype("string")
    out["note"] = ""
    rules = practice.set_index("mission_id")
    for i, mission in out["mission_id"].items():
        if mission not in rules.index:
            continue
        rule = rules.loc[mission]
        for column in ("areas", "label", "note"):
            if pd.notna(rule[column]) and str(rule[column]):
                out.loc[i, column] = str(rule[column])
        if pd.notna(rule["longitude"]) and pd.notna(rule["latitude"]):
            out.loc[i, "longitude"] = float(rule["longitude"])
            out.loc[i, "latitude"] = float(rule["latitude"])
    return out


def _positions(view: ScenarioView) -> tuple[pd.DataFrame, pd.DataFrame]:
    contrib = view.contributors.set_index("id")[["longitude", "latitude"]].astype("float64")
    missions = view.missions.set_index("id")[["longitude", "latitude"]].astype("float64")
    return contrib, missions


def _attach(table: pd.DataFrame, contrib: pd.DataFrame, missions: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    out["from_lon"] = out["contributor_id"].map(contrib["longitude"])
    out["from_lat"] = out["contributor_id"].map(contrib["latitude"])
    out["to_lon"] = out["mission_id"].map(missions["longitude"])
    out["to_lat"] = out["mission_id"].map(missions["latitude"])
    return out.dropna(subset=["from_lon", "from_lat", "to_lon", "to_lat"]).reset_index(drop=True)


def deployment_flows(view: ScenarioView) -> pd.DataFrame:
    """Personnel per contributor and mission at the latest date, with both end points.

    Returns
    -------
    DataFrame
        ``contributor_id, mission_id, from_lon, from_lat, to_lon, to_lat, personnel``, largest
        first; pairs without coordinates at either end are left out.
    """
    dep = latest_deployments(view)
    if dep.empty:
        return pd.DataFrame(columns=[*FLOW_COLUMNS, "personnel"])
    grouped = dep.groupby(["contributor_id", "mission_id"], as_index=False)[["women", "men"]].sum()
    grouped["personnel"] = (grouped["women"] + grouped["men"]).astype("int64")
    contrib, missions = _positions(view)
    out = _attach(grouped[["contributor_id", "mission_id", "personnel"]], contrib, missions)
    return out[[*FLOW_COLUMNS, "personnel"]].sort_values(
        "personnel", ascending=False, ignore_index=True
    )


def planned_flows(assignments: pd.DataFrame, view: ScenarioView) -> pd.DataFrame:
    """Units the plan deploys per contributor and mission, with both end points.

    Parameters
    ----------
    assignments
        The plan's tours: ``contributor_id, mission_id`` and ``units`` per tour.

    Returns
    -------
    DataFrame
        ``contributor_id, mission_id, from_lon, from_lat, to_lon, to_lat, units`` (tours summed).
    """
    if assignments.empty:
        return pd.DataFrame(columns=[*FLOW_COLUMNS, "units"])
    grouped = assignments.groupby(["contributor_id", "mission_id"], as_index=False).agg(
        units=("units", "sum")
    )
    contrib, missions = _positions(view)
    out = _attach(grouped, contrib, missions)
    return out[[*FLOW_COLUMNS, "units"]]


def base_points(view: ScenarioView) -> pd.DataFrame:
    """Where each mission's forces are: the bases of the units in place, with their contributors.

    Units in place (``units_in_place``) are grouped by mission and base (``location``); a base
    is placed at its rows' coordinates.

    Returns
    -------
    DataFrame
        ``mission_id, location, longitude, latitude, units, personnel, contributors``
        (contributor names, ``, ``-joined, largest first), ``contributor_ids`` and ``basis``
        (the least real basis of its rows), largest base first; bases without coordinates are
        left out.
    """
    columns = [
        "mission_id",
        "location",
        "longitude",
        "latitude",
        "units",
        "personnel",
        "contributors",
        "contributor_ids",
        "basis",
    ]
    uip = view.units_in_place
    if uip.empty:
        return pd.DataFrame(columns=columns)
    size = uip["unit_type_id"].map(view.unit_types.set_index("id")["personnel"]).astype(
        "float64"
    ) * uip["count"].astype("float64")
    frame = pd.DataFrame(
        {
            "mission_id": uip["mission_id"].astype(str),
            "location": uip["location"].astype(str),
            "longitude": uip["longitude"].astype("float64"),
            "latitude": uip["latitude"].astype("float64"),
            "units": uip["count"].astype("int64"),
            "personnel": uip["personnel"].astype("Float64").astype("float64").fillna(size),
            "contributor_id": uip["contributor_id"].astype(str),
            "basis": uip["basis"].astype(str),
        }
    ).dropna(subset=["longitude", "latitude"])
    names = view.contributors.set_index(view.contributors["id"].astype(str))["name"].astype(str)
    order = {"real": 0, "derived": 1, "assumed": 2, "illustrative": 3}
    rows = []
    for (mission, location), group in frame.groupby(["mission_id", "location"], sort=False):
        by = group.groupby("contributor_id")["personnel"].sum().sort_values(ascending=False)
        rows.append(
            {
                "mission_id": mission,
                "location": location,
                "longitude": float(group["longitude"].mean()),
                "latitude": float(group["latitude"].mean()),
                "units": int(group["units"].sum()),
                "personnel": float(group["personnel"].sum()),
                "contributors": ", ".join(names.get(c, c) for c in by.index),
                "contributor_ids": ";".join(by.index),
                "basis": max(group["basis"], key=lambda b: order.get(b, 4)),
            }
        )
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(["mission_id", "personnel"], ascending=[True, False], ignore_index=True)


def contributor_points(flows: pd.DataFrame, view: ScenarioView, top: int = 12) -> pd.DataFrame:
    """The ``top`` contributors by personnel deployed (from :func:`deployment_flows`), to name.

    Returns
    -------
    DataFrame
        ``contributor_id, name, longitude, latitude, personnel``, largest first.
    """
    if flows.empty:
        return pd.DataFrame(
            columns=["contributor_id", "name", "longitude", "latitude", "personnel"]
        )
    by = (
        flows.groupby("contributor_id", as_index=False)
        .agg(
            longitude=("from_lon", "first"),
            latitude=("from_lat", "first"),
            personnel=("personnel", "sum"),
        )
        .sort_values("personnel", ascending=False)
        .head(top)
    )
    names = view.contributors.set_index(view.contributors["id"].astype(str))["name"].astype(str)
    by.insert(1, "name", by["contributor_id"].map(names).fillna(by["contributor_id"]))
    return by.reset_index(drop=True)
