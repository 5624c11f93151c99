"""The force in place, Council ceilings and rotation periods of the ``2018`` scenario.

Used by ``build_scenario_2018.py``. Inputs are facts files in ``tools/facts``:

* ``geopko_2018.csv`` - derived from Geo-PKO v2.3 by ``tools/derive_geopko_2018.py`` (Cil et al.
  2020; the Geo-PKO files themselves are not shipped): contributors with their troop figure per
  mission and base in 2018, and the unit types each base had;
* ``units_in_place_curated.csv`` - units known from public announcements (Germany's Heron in Gao,
  Sweden's ISR task force in Timbuktu, the UK hospital in Bentiu handed to Viet Nam, ...), each
  with its basis and source; ``covers_contingent = true`` says the curated rows describe the
  contributor's whole contingent in that mission, so no unit is derived for it from Geo-PKO;
* ``ceilings.csv`` and ``rotation_by_contributor.csv``.

Rules that turn Geo-PKO facts into units (all ``derived``; docs/scenario-2018.md):

1. A base with a single contributor and an enabler type in Geo-PKO's TTMap gets one unit of the
   matching catalogue type per enabler type (:data:`ENABLER_TYPES`), with the catalogue's
   personnel, capped at the contributor's troops there and, over the mission, at its 2018
   deployment (no unit when nothing is left).
2. The rest of a contributor's troops in a mission (the sum of its Geo-PKO figures less rule 1)
   is infantry: ``round_half_up(rest / 850)`` battalions when at least 425 (half a battalion).
3. In a mission without a military component (MINUJUSTH) every contributor at a base is one
   formed police unit of the catalogue's size.
4. What no rule attributes (a few hundred troops spread over bases shared by several
   contributors, "size unknown" entries, "Multinational") is returned as ``unattributed``.
"""

from __future__ import annotations

import math

import pandas as pd

#: Geo-PKO TTMap unit-type words -> catalogue unit type (assumed mapping). A medical unit on a
#: deployment map has no level: level I is the common case, known level II hospitals are curated.
ENABLER_TYPES = {
    "engineering": "eng_coy",
    "medical": "med_l1",
    "signals": "signals_coy",
    "aviation": "util_heli",
    "riverine": "riverine",
    "maintenance": "transport_coy",
    "transport": "transport_coy",
}
BATTALION = 850
#: Closure dates set by a resolution where they differ from the Data Hub's end date.
CLOSURES = {"MINUJUSTH": ("2019-10-15", "S/RES/2466 (2019): the mission closed on 15 October 2019")}
GEOPKO = "Cil et al. 2020, Geo-PKO v2.3"
#: Default rotation period per unit type where the contributor's own is not known (assumed).
DEFAULT_ROTATION_MONTHS = 12
DEFAULT_ROTATION_SOURCE = (
    "assumed: a contributor rotates a unit's personnel every 6 or 12 months as its MOU sets "
    "(UN COE Manual, model MOU); where the contributor's own period is not public, 12 months "
    "for every unit type (the longer of the two: fewer rotation flights), not a rule by region"
)


def _half_up(x: float) -> int:
    return math.floor(x + 0.5)


def _troops(facts: pd.DataFrame) -> pd.Series:
    return pd.to_numeric(facts["troops"], errors="coerce").fillna(0).astype(int)


def rotation_periods(unit_types: pd.DataFrame, by_contributor: pd.DataFrame) -> pd.DataFrame:
    """Rotation period per unit type (assumed default) plus the contributor-specific rows."""
    default = pd.DataFrame(
        {
            "id": "ROT-" + unit_types["id"].astype(str),
            "unit_type_id": unit_types["id"],
            "contributor_id": "",
            "rotation_months": str(DEFAULT_ROTATION_MONTHS),
            "basis": "assumed",
            "source": DEFAULT_ROTATION_SOURCE,
        }
    )
    own = by_contributor.assign(
        id="ROT-" + by_contributor["unit_type_id"] + "-" + by_contributor["contributor_id"]
    )
    return pd.concat([default, own], ignore_index=True).sort_values("id", ignore_index=True)


def rotation_of(table: pd.DataFrame, unit: str, contributor: str) -> tuple[str, str]:
    """(months, "rotation_periods <id> (<basis>)"): the contributor's row, else the type's."""
    own = table.loc[(table["unit_type_id"] == unit) & (table["contributor_id"] == contributor)]
    row = (
        own
        if len(own)
        else table.loc[(table["unit_type_id"] == unit) & (table["contributor_id"] == "")]
    )
    hit = row.iloc[0]
    return str(hit["rotation_months"]), f"rotation_periods {hit['id']} ({hit['basis']})"


def derive_units(
    geo: pd.DataFrame,
    missions: pd.DataFrame,
    covered: set[tuple[str, str]],
    size: pd.Series,
    deployed: dict[tuple[str, str], int] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Units derived from the Geo-PKO facts by the module's rules.

    Parameters
    ----------
    geo
        ``geopko_2018.csv`` as text.
    missions
        The scenario's missions (``id``, ``authorised_troops``).
    covered
        (mission, contributor) pairs whose contingent the curated facts describe in full.
    size
        Catalogue personnel per unit type id.
    deployed
        Personnel per (mission, contributor) in the deployments table; Geo-PKO's figures are
        the largest of a year's maps per base, so their sum over bases can exceed the real
        strength: rule 2 takes the smaller of the two.

    Returns
    -------
    (units, unattributed)
        ``units``: mission_id, location, longitude, latitude, other_locations, contributor_id,
        unit_type_id, count, personnel, rule. ``unattributed``: mission_id, contributor,
        troops, entries, why - what no rule turned into a unit.
    """
    no_military = set(missions.loc[missions["authorised_troops"].fillna(-1) == 0, "id"])
    geo = geo.loc[geo["mission"].isin(set(missions["id"]))].assign(troops_n=_troops(geo))
    units: list[dict[str, object]] = []
    left: list[dict[str, object]] = []
    for (mid, cid), grp in geo.loc[geo["iso3"] != ""].groupby(["mission", "iso3"], sort=True):
        total = int(grp["troops_n"].sum())
        if (mid, cid) in covered:
            left.append(
                {
                    "mission_id": mid,
                    "contributor": cid,
                    "troops": total,
                    "entries": len(grp),
                    "why": "contingent described by curated rows",
                }
            )
            continue
        if mid in no_military:
            for r in grp.itertuples():
                units.append(
                    {
                        "mission_id": mid,
                        "location": r.location,
                        "contributor_id": cid,
                        "unit_type_id": "fpu",
                        "count": 1,
                        "personnel": int(size["fpu"]),
                        "rule": "3 (formed police unit in a mission without troops; "
                        "catalogue size)",
                    }
                )
            continue
        real = None if deployed is None else deployed.get((mid, cid))
        enabler_persons = 0
        for r in grp.itertuples():
            sharing = (geo["mission"] == mid) & (geo["location"] == r.location)
            if sharing.sum() != 1 or not r.types_at_location:
                continue
            here = 0  # personnel of the enablers attributed at this base so far
            for word in str(r.types_at_location).split(";"):
                if word not in ENABLER_TYPES:
                    continue
                unit = ENABLER_TYPES[word]
                persons = min(int(size[unit]), max(int(r.troops_n) - here, 0))
                if real is not None:  # never more than the contributor's real strength
                    persons = min(persons, max(int(real) - enabler_persons, 0))
                if persons == 0:
                    continue
                here += persons
                enabler_persons += persons
                units.append(
                    {
                        "mission_id": mid,
                        "location": r.location,
                        "contributor_id": cid,
                        "unit_type_id": unit,
                        "count": 1,
                        "personnel": persons,
                        "rule": f"1 ({word} unit at a base where {cid} is the only contributor)",
                    }
                )
        rest = total - enabler_persons
        capped = real is not None and real - enabler_persons < rest
        if capped:
            rest = max(int(real) - enabler_persons, 0)  # type: ignore[operator]
        main = grp.sort_values(["troops_n", "location"], ascending=[False, True])
        if rest >= BATTALION / 2:
            battalions = _half_up(rest / BATTALION)
            others = [loc for loc in main["location"].iloc[1:] if loc]
            units.append(
                {
                    "mission_id": mid,
                    "location": main["location"].iloc[0],
                    "other_locations": ";".join(sorted(others)),
                    "contributor_id": cid,
                    "unit_type_id": "inf_bn",
                    "count": battalions,
                    "personnel": rest,
                    "rule": f"2 ({rest:,} troops at {len(grp)} bases not attributed to "
                    "enablers"
                    + (
                        " - the 2018 deployment, smaller than Geo-PKO's "
                        f"{total - enabler_persons:,} -"
                        if capped
                        else ""
                    )
                    + f" -> {battalions} battalion(s) of {BATTALION})",
                }
            )
        elif rest > 0 or (grp["troops"] == "").any():
            left.append(
                {
                    "mission_id": mid,
                    "contributor": cid,
                    "troops": rest,
                    "entries": len(grp),
                    "why": "less than half a battalion not attributed to a unit type"
                    if rest > 0
                    else "size unknown",
                }
            )
    for r in geo.loc[geo["iso3"] == ""].itertuples():
        left.append(
            {
                "mission_id": r.mission,
                "contributor": r.contributor or "(none)",
                "troops": int(r.troops_n),
                "entries": 1,
                "why": "no contributor country"
                if r.contributor
                else "unit types at a base without contributors",
            }
        )
    out = pd.DataFrame(units)
    for u in out.itertuples():
        lon, lat = geo.loc[
            (geo["mission"] == u.mission_id) & (geo["location"] == u.location),
            ["longitude", "latitude"],
        ].iloc[0]
        out.loc[u.Index, ["longitude", "latitude"]] = [lon, lat]
    return out, pd.DataFrame(left)


def _women_men(personnel: str, share: float | None) -> tuple[str, str]:
    if not personnel or share is None:
        return "", ""
    women = _half_up(int(personnel) * share)
    return str(women), str(int(personnel) - women)


def build_units_in_place(
    geo: pd.DataFrame,
    curated: pd.DataFrame,
    missions: pd.DataFrame,
    deployments: pd.DataFrame,
    unit_types: pd.DataFrame,
    pledges: pd.DataFrame,
    rotation: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``units_in_place`` rows (text) and what Geo-PKO gave that no rule attributed.

    Raises
    ------
    ValueError
        If a curated row names a pledge that is not exactly one real pledge record, or a base
        that Geo-PKO does not have for a contributor it says was there.
    """
    size = unit_types.set_index("id")["personnel"]
    covered = {
        (r.mission_id, r.contributor_id)
        for r in curated.itertuples()
        if r.covers_contingent == "true"
    }
    dep = deployments.assign(total=deployments["women"] + deployments["men"])
    sums = dep.groupby(["mission_id", "contributor_id"])[["women", "total"]].sum()
    derived, unattributed = derive_units(
        geo, missions, covered, size, {k: int(v) for k, v in sums["total"].items()}
    )
    share = (sums["women"] / sums["total"]).to_dict()
    real = pledges.loc[pledges["basis"] == "real"]
    rows: list[dict[str, str]] = []
    for r in curated.itertuples():
        pledge_id = ""
        if r.pledge == "yes":
            hit = real.loc[
                (real["contributor_id"] == r.contributor_id)
                & (real["unit_type_id"] == r.unit_type_id),
                "id",
            ]
            if len(hit) != 1:
                raise ValueError(
                    f"units_in_place_curated.csv: {r.contributor_id} "
                    f"{r.unit_type_id} matches {len(hit)} real pledges, not 1"
                )
            pledge_id = str(hit.iloc[0])
        point = geo.loc[
            (geo["mission"] == r.mission_id) & (geo["location"] == r.location),
            ["longitude", "latitude"],
        ]
        lon, lat = point.iloc[0] if len(point) else ("", "")
        months, rot_src = rotation_of(rotation, r.unit_type_id, r.contributor_id)
        rows.append(
            {
                "mission_id": r.mission_id,
                "location": r.location,
                "longitude": lon,
                "latitude": lat,
                "other_locations": r.other_locations,
                "contributor_id": r.contributor_id,
                "unit_type_id": r.unit_type_id,
                "count": r.count,
                "personnel": r.personnel,
                "women": "",
                "men": "",
                "personnel_source": r.personnel_source,
                "since": r.since,
                "until": r.until,
                "end_kind": r.end_kind,
                "relieved_by": r.relieved_by,
                "rotation_months": months,
                "rotation_source": rot_src,
                "pledge_id": pledge_id,
                "basis": r.basis,
                "source": r.source
                + ("; moved from the pledge registry (was " + pledge_id + ")" if pledge_id else ""),
            }
        )
    closing = missions.set_index("id")["end_date"].copy()
    for mid, (day, _) in CLOSURES.items():
        closing[mid] = pd.Timestamp(day)
    for u in derived.fillna("").itertuples():
        months, rot_src = rotation_of(rotation, u.unit_type_id, u.contributor_id)
        women, men = _women_men(str(u.personnel), share.get((u.mission_id, u.contributor_id)))
        end = closing.get(u.mission_id)
        until = "" if pd.isna(end) else pd.Timestamp(end).strftime("%Y-%m-%d")
        rows.append(
            {
                "mission_id": u.mission_id,
                "location": u.location,
                "longitude": u.longitude,
                "latitude": u.latitude,
                "other_locations": u.other_locations,
                "contributor_id": u.contributor_id,
                "unit_type_id": u.unit_type_id,
                "count": str(u.count),
                "personnel": str(u.personnel),
                "women": women,
                "men": men,
                "personnel_source": (
                    "Geo-PKO troop figures (largest of the 2018 maps) less rule 1, capped at the "
                    "2018 deployment (rule 2)"
                    if u.unit_type_id == "inf_bn"
                    else "catalogue size of the unit type, capped at the "
                    "contributor's troops at the base and its 2018 deployment"
                )
                + (
                    "; women and men split by the contributor's 2018 women's share in the mission "
                    "(deployments table)"
                    if women
                    else ""
                ),
                "since": "",
                "until": until,
                "end_kind": "mission_closure" if until else "",
                "_closure": (
                    CLOSURES.get(u.mission_id, ("", "the Data Hub's end date"))[1] if until else ""
                ),
                "relieved_by": "",
                "rotation_months": months,
                "rotation_source": rot_src,
                "pledge_id": "",
                "basis": "derived",
                "source": f"{GEOPKO}: {u.contributor_id} at {u.location} in 2018; unit type and "
                f"count by rule {u.rule} (tools/scenario2018_inplace.py)",
            }
        )
    out = pd.DataFrame(rows)
    closes = out.pop("_closure").fillna("")
    out.loc[closes != "", "source"] += "; until = mission closure (" + closes[closes != ""] + ")"
    key = out["mission_id"] + "-" + out["contributor_id"] + "-" + out["unit_type_id"]
    out["id"] = "UIP-" + key + "-" + (out.groupby(key).cumcount() + 1).map("{:02d}".format)
    return out.sort_values("id", ignore_index=True), unattributed


def check_ceilings(rows: pd.DataFrame) -> None:
    """Raise if two ceilings of one mission and component overlap in time."""
    for (mid, comp), grp in rows.groupby(["mission_id", "component"]):
        spans = sorted((r.valid_from, r.valid_to or "9999-12-31") for r in grp.itertuples())
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            if start <= end:
                raise ValueError(
                    f"ceilings.csv: {mid} {comp} overlap: a row runs to {end} and "
                    f"the next starts {start}"
                )


def build_ceilings(facts: pd.DataFrame) -> pd.DataFrame:
    """Ceiling rows (text) with ids; checked for overlaps."""
    check_ceilings(facts)
    out = facts.assign(
        id="CEIL-"
        + facts["mission_id"]
        + "-"
        + facts["component"]
        + "-"
        + facts["valid_from"].str.replace("-", "", regex=False)
    )
    return out.sort_values("id", ignore_index=True)
