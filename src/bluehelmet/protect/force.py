"""A mission's protection inputs from its force in place: bases, airfields and today's assets.

The scenario's force in place (``units_in_place``) is the one source of where units stand: each
unit's main location with its coordinates, and its other locations, positioned by
``datasets/protect/places_2018.csv`` (open gazetteers; places no gazetteer names are left out and
counted in the notes). A place is an airfield if ``airfields_2018.csv`` lists an aerodrome near it
(ICAO aerodromes within 15 km) or an aviation unit of the force in place stands there. Units become
responding assets through ``unit_assets.csv`` (a battalion gives four companies, a helicopter unit,
utility or attack, three aircraft, by day only where its night capability is not documented, a
formed police unit one formation patrolling the roads around its base). ISR units do not respond:
``isr_detection.csv`` gives each ISR unit type the radius it watches from its base
(:func:`detection_share`), reported as detection, never added to the reach.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from bluehelmet.model.access import AccessContext
from bluehelmet.protect.inputs import bundled_table, data_path
from bluehelmet.scenario.core import ScenarioView

#: Unit types whose units in place are aviation units (their location is an airfield).
AVIATION_UNITS = ("util_heli", "attack_heli", "airlift_c130", "isr_uas")


@cache
def _bundled(name: str) -> pd.DataFrame:
    return pd.read_csv(
        data_path(name),
        dtype={"contributor_id": "string"},
        keep_default_na=False,
        na_values={"longitude": [""], "latitude": [""], "assets": [""]},
    )


def isr_detection() -> pd.DataFrame:
    """ISR unit types and the radius each watches from its base (bundled, assumed), by unit type."""
    table = pd.read_csv(data_path("isr_detection.csv"), dtype={"unit_type_id": "string"})
    return table.set_index("unit_type_id")


def isr_sites(units: pd.DataFrame, sites: pd.DataFrame) -> pd.DataFrame:
    """The ISR units of ``units`` at their main location, with the radius each watches.

    Columns ``site_id, longitude, latitude, unit_type_id, count, radius_km`` (one row per unit).
    """
    radius = isr_detection()["radius_km"].astype("float64").to_dict()
    isr = units.loc[units["unit_type_id"].astype(str).isin(list(radius))]
    where = sites.set_index("name")[["site_id", "longitude", "latitude"]].to_dict("index")
    rows = [
        {
            **where[str(u["location"])],
            "unit_type_id": str(u["unit_type_id"]),
            "count": int(u["count"]),
            "radius_km": radius[str(u["unit_type_id"])],
        }
        for u in isr.to_dict("records")
        if str(u["location"]) in where
    ]
    return pd.DataFrame(
        rows, columns=["site_id", "longitude", "latitude", "unit_type_id", "count", "radius_km"]
    )


def detection_share(cells: pd.DataFrame, watchers: pd.DataFrame) -> float:
    """Share of the cells' risk within the watched radius of an ISR unit (0 without risk or ISR).

    A cell is watched when its centre lies within ``radius_km`` of a site in ``watchers``
    (:func:`isr_sites`); the share is the watched cells' risk over all the cells' risk. Detection
    is not response: the brief reports it beside the reach, never inside it.
    """
    from bluehelmet.protect.geometry import pairs_within

    risk = cells["risk"].to_numpy(float)
    total = float(risk.sum())
    if watchers.empty or total <= 0:
        return 0.0
    watched = np.zeros(len(cells), dtype=bool)
    for radius, group in watchers.groupby("radius_km"):
        near = pairs_within(
            cells["longitude"].to_numpy(float),
            cells["latitude"].to_numpy(float),
            group["longitude"].to_numpy(float),
            group["latitude"].to_numpy(float),
            float(str(radius)),
        )
        watched |= np.diff(near.indptr) > 0
    return float(risk[watched].sum() / total)


def poc_mandates() -> pd.DataFrame:
    """Missions with a protection-of-civilians mandate in 2018, with the resolution (bundled)."""
    return _bundled("poc_mandates.csv").copy()


def asset_catalogue(reader: AccessContext) -> pd.DataFrame:
    """The bundled asset types ``reader`` may see (indexed by id), validated as the entity."""
    return bundled_table("asset_types.csv", "asset_types", reader).set_index("id")


@dataclass
class ForceInputs:
    """A mission's bases (``sites``), today's assets (``fixed``) and what was left out."""

    sites: pd.DataFrame
    fixed: pd.DataFrame
    units: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    #: Places named by the units in place that have no position (not bases in the model).
    unplaced: list[str] = field(default_factory=list)
    #: Units in place that do not respond to alerts in the model, by unit type.
    not_responding: dict[str, int] = field(default_factory=dict)


def _names(value: object) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(";") if v.strip()]
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return []


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def units_present(view: ScenarioView, mission_id: str, on: dt.date) -> pd.DataFrame:
    """Units of the force in place in ``mission_id`` on the date ``on`` (since <= on <= until)."""
    u = view.units_in_place
    u = u.loc[u["mission_id"] == mission_id]
    since = pd.to_datetime(u["since"])
    until = pd.to_datetime(u["until"])
    day = pd.Timestamp(on)
    present = (since.isna() | (since <= day)) & (until.isna() | (until >= day))
    return u.loc[present].reset_index(drop=True)


def force_inputs(view: ScenarioView, mission_id: str, on: dt.date) -> ForceInputs:
    """Sites and today's assets of ``mission_id`` from the units in place on ``on``.

    Returns
    -------
    ForceInputs
        ``sites``: ``site_id, name, longitude, latitude, existing`` (True), ``airfield``,
        ``source``; ``fixed``: ``site_id, asset_type_id, count``; ``units``: the units used.
    """
    units = units_present(view, mission_id, on)
    places = _bundled("places_2018.csv")
    places = places.loc[places["mission_id"] == mission_id].drop_duplicates("name")
    where = places.set_index("name")
    notes: list[str] = []
    rows: dict[str, dict[str, object]] = {}
    records = units.to_dict("records")
    for u in records:
        rows.setdefault(
            str(u["location"]),
            {
                "name": str(u["location"]),
                "longitude": float(u["longitude"]),
                "latitude": float(u["latitude"]),
                "source": "force in place (units_in_place): location of a unit",
            },
        )
    unplaced: set[str] = set()
    positions = where[["longitude", "latitude", "source"]].to_dict("index")
    for u in records:
        for name in _names(u["other_locations"]):
            if name in rows:
                continue
            if name in positions:
                pos = positions[name]
                rows[name] = {
                    "name": name,
                    "longitude": float(pos["longitude"]),
                    "latitude": float(pos["latitude"]),
                    "source": str(pos["source"]),
                }
            else:
                unplaced.add(name)
    if unplaced:
        notes.append(
            f"{mission_id}: {len(unplaced)} place(s) named by the force in place have "
            f"no position in an open gazetteer and are not on the map; their units "
            f"count at their main location ({', '.join(sorted(unplaced))})"
        )
    sites = pd.DataFrame(list(rows.values()), columns=["name", "longitude", "latitude", "source"])
    sites.insert(0, "site_id", [f"{mission_id.lower()}-{_slug(n)}" for n in sites["name"]])
    sites["existing"] = True
    fields = _bundled("airfields_2018.csv")
    listed = set(fields.loc[fields["mission_id"] == mission_id, "near_place"])
    flying = set(units.loc[units["unit_type_id"].isin(AVIATION_UNITS), "location"])
    sites["airfield"] = sites["name"].isin(listed | flying)
    skipped: dict[str, int] = {}
    fixed = _assets(units, sites, notes, skipped)
    return ForceInputs(sites, fixed, units, notes, sorted(unplaced), skipped)


@cache
def _unit_rules() -> dict[tuple[str, str], tuple[str, int]]:
    """``unit_assets.csv`` as {(unit type, contributor or ""): (asset type, assets per unit)}."""
    table = _bundled("unit_assets.csv")
    return {
        (str(r["unit_type_id"]), str(r["contributor_id"] or "")): (
            str(r["asset_type_id"]),
            int(r["assets"]),
        )
        for r in table.to_dict("records")
    }


def _assets(
    units: pd.DataFrame,
    sites: pd.DataFrame,
    notes: list[str],
    skipped: dict[str, int] | None = None,
) -> pd.DataFrame:
    """Today's assets at each site from the units, through ``unit_assets.csv``.

    Units of a type that does not respond are counted in ``skipped`` and named in ``notes``.
    """
    rules = _unit_rules()
    site_of = dict(zip(sites["name"], sites["site_id"], strict=True))
    out: list[dict[str, object]] = []
    skipped = {} if skipped is None else skipped
    for u in units.to_dict("records"):
        unit, n_units = str(u["unit_type_id"]), int(u["count"])
        rule = rules.get((unit, str(u["contributor_id"])), rules.get((unit, "")))
        if rule is None:
            skipped[unit] = skipped.get(unit, 0) + n_units
            continue
        asset, per_unit = rule
        total = per_unit * n_units
        spread = (
            [n for n in _names(u["other_locations"]) if n in site_of][:3]
            if asset.startswith("infantry")
            else []
        )
        spread = spread[: max(0, total - 1)]
        for name in spread:
            out.append({"site_id": site_of[name], "asset_type_id": asset, "count": 1})
        out.append(
            {
                "site_id": site_of[str(u["location"])],
                "asset_type_id": asset,
                "count": total - len(spread),
            }
        )
    if skipped:
        notes.append(
            "units in place that do not respond to alerts in this model (not counted): "
            + ", ".join(f"{n} {k}" for k, n in sorted(skipped.items()))
        )
    fixed = pd.DataFrame(out, columns=["site_id", "asset_type_id", "count"])
    summed = fixed.groupby(["site_id", "asset_type_id"])["count"].sum()
    return summed.reset_index()


def plan_additions(
    assignments: pd.DataFrame, mission_id: str, month: pd.Timestamp
) -> dict[str, int]:
    """Units the plan has counting in ``mission_id`` in ``month``, by unit type."""
    a = assignments.loc[assignments["mission_id"] == mission_id]
    start = pd.to_datetime(a["counts_from"] if "counts_from" in a else a["start"])
    end = pd.to_datetime(a["end"])
    on = a.loc[(start <= month) & (end >= month)]
    return {str(k): int(v) for k, v in on.groupby("unit_type_id")["units"].sum().items()}


def additions_as_assets(
    units: dict[str, int], catalogue: pd.DataFrame
) -> tuple[dict[str, int], dict[str, int]]:
    """Assets that the given units bring (by the requestable asset types), and units not modelled.

    A requestable asset type (one with a ``unit_type_id`` in the catalogue) turns each unit of its
    unit type into ``assets_per_unit`` assets (``catalogue``: :func:`asset_catalogue`).
    """
    by_unit = {
        str(r.unit_type_id): (str(a), int(r.assets_per_unit))
        for a, r in catalogue.iterrows()
        if pd.notna(r.unit_type_id)
    }
    assets: dict[str, int] = {}
    other: dict[str, int] = {}
    for unit, n in units.items():
        if unit in by_unit:
            a, per = by_unit[unit]
            assets[a] = assets.get(a, 0) + per * n
        else:
            other[unit] = other.get(unit, 0) + n
    return assets, other
