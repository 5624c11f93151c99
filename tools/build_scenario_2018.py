"""Build the bundled scenario ``2018`` from the bundled reference data and ``tools/facts``.

Run from the repository root::

    python tools/build_scenario_2018.py                 # -> src/bluehelmet/datasets/scenarios/2018
    python tools/build_scenario_2018.py --out /tmp/2018 # anywhere else

The build is deterministic: the same inputs give byte-identical files (the illustrative pledge
attributes come from a random generator seeded by each pledge's id). What is real, derived,
illustrative and assumed is described table by table in ``docs/scenario-2018.md``; every row says
it in its ``basis`` and ``source`` columns.

Inputs
------
* the reference data bundled in the package (``bluehelmet/datasets/reference``): the Data Hub
  mission list, the contributions-by-year table, the 2021 rank file (M49 codes), Natural Earth
  populated places and country outlines (through :mod:`bluehelmet.reference.countries`);
* hand-curated public facts with their sources in ``tools/facts/*.csv``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import pandas as pd

from bluehelmet.model.validate import coerce_table
from bluehelmet.reference import countries as ctry
from bluehelmet.reference.files import reference_path
from bluehelmet.scenario.core import Parameter, Scenario
from bluehelmet.scenario.io import save_scenario

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scenario2018_inplace import (  # noqa: E402
    build_ceilings,
    build_units_in_place,
    rotation_of,
    rotation_periods,
)
from scenario2018_plans import (  # noqa: E402
    build_pledges,
    build_requirements,
    requirements_as_totals,
)

FACTS = Path(__file__).resolve().parent / "facts"
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src/bluehelmet/datasets/scenarios/2018"
#: The day the scenario describes: mid-2018, the end of fiscal year 2017/18.
REFERENCE_DATE = dt.date(2018, 6, 30)
YEAR = 2018
CONTRIB_FILE = "un_contributions_country_mission_year.csv"
MISSIONS_FILE = "un_psdh_missions.csv"
CONTRIB_SOURCE = (
    "UN Peacekeeping open data 'Troop and Police Contributions', 2018 yearly average of the "
    f"monthly figures ({CONTRIB_FILE}, bundled; see datasets/reference/PROVENANCE.md)"
)


def facts(name: str) -> pd.DataFrame:
    """Read ``tools/facts/<name>.csv`` as text (empty cells as empty strings)."""
    return pd.read_csv(FACTS / f"{name}.csv", dtype=str, keep_default_na=False)


def typed(name: str, rows: pd.DataFrame) -> pd.DataFrame:
    """Coerce a text table to entity ``name``; raise if the builder produced anything invalid."""
    table, problems = coerce_table(name, rows.astype("string"), f"<builder:{name}>")
    if problems:
        raise ValueError(f"builder produced invalid {name}: " + "; ".join(map(str, problems[:5])))
    return table


def with_common(
    rows: pd.DataFrame, *, classification: str = "unclassified", owner: str = "UN"
) -> pd.DataFrame:
    """Add the common access columns (``basis`` and ``source`` must already be present)."""
    out = rows.copy()
    out["classification"] = classification
    out["owner"] = owner
    out["releasable_to"] = ""
    return out


# --- missions ---------------------------------------------------------------------------------

#: Missions funded from the UN regular budget, kept out of the peacekeeping accounts.
REGULAR_BUDGET = {
    m: f"budget account: {m} is funded from the UN regular budget (calendar years), not the "
    "July-June peacekeeping accounts (UN programme budget for the biennium 2018-2019, sections "
    "on UNTSO and UNMOGIP)"
    for m in ("UNTSO", "UNMOGIP")
}


def datahub_missions() -> pd.DataFrame:
    """The Data Hub mission list with decimal commas repaired and aggregate rows dropped."""
    raw = pd.read_csv(reference_path(MISSIONS_FILE), dtype=str, keep_default_na=False)
    raw = raw.apply(lambda col: col.str.strip())
    # "(I & II)" rows duplicate their parts (data README); they are not operations of their own.
    raw = raw.loc[~raw["mission_name"].str.contains("(I & II)", regex=False)]
    for col in ("mission_longitude", "mission_latitude"):
        raw[col] = pd.to_numeric(raw[col].str.replace(",", ".", regex=False), errors="coerce")
    for col in ("start_date", "end_date"):
        raw[col] = pd.to_datetime(raw[col], format="%Y-%m-%d", errors="coerce")
    return raw


def active_on(missions: pd.DataFrame, day: dt.date) -> list[str]:
    """Acronyms of the peacekeeping operations running on ``day`` according to their dates."""
    ts = pd.Timestamp(day)
    running = (missions["start_date"] <= ts) & (
        missions["end_date"].isna() | (missions["end_date"] >= ts)
    )
    return sorted(missions.loc[running & (missions["lead_department"] == "DPO"), "mission_acronym"])


def place(name: str) -> tuple[float, float] | None:
    """Coordinates of a Natural Earth populated place, by its name as written in the file."""
    places = pd.read_csv(reference_path("naturalearth_populated_places.csv"), dtype={"name": str})
    hit = places.loc[places["name"] == name]
    return None if hit.empty else (float(hit["longitude"].iloc[0]), float(hit["latitude"].iloc[0]))


def repair_coordinates(host: str, lon: float, lat: float, hq: str) -> tuple[float, float, str]:
    """HQ coordinates with the Data Hub's swapped and missing values repaired, and a note."""
    if pd.isna(lon) or pd.isna(lat):
        point = place(hq)
        if point is None:
            return lon, lat, "coordinates missing in the Data Hub"
        return point[0], point[1], f"coordinates missing in the Data Hub; {hq} from Natural Earth"
    if not ctry.contains(host, lon, lat) and ctry.contains(host, lat, lon):
        return lat, lon, "longitude/latitude swapped in the Data Hub, repaired (outline test)"
    return lon, lat, "coordinates as in the Data Hub (decimal commas read as points)"


def build_missions() -> pd.DataFrame:
    """The 14 operations active in mid-2018, Data Hub facts plus mandates and languages."""
    hub = datahub_missions().set_index("mission_acronym")
    curated = facts("missions_2018").set_index("id")
    active = active_on(hub.reset_index(), dt.date(2018, 7, 1))
    if sorted(curated.index) != active:
        raise ValueError(
            f"tools/facts/missions_2018.csv lists {sorted(curated.index)} but the "
            f"Data Hub dates give {active} as active on 2018-07-01"
        )
    rows = []
    for mid, fact in curated.iterrows():
        h = hub.loc[[str(mid)]].iloc[0]
        hq = h["mission_location"].split(" (")[0]
        lon, lat, note = repair_coordinates(
            fact["host_iso3"], float(h["mission_longitude"]), float(h["mission_latitude"]), hq
        )
        end: str = "" if pd.isna(h["end_date"]) else h["end_date"].strftime("%Y-%m-%d")
        rows.append(
            {
                "id": mid,
                "name": h["mission_name"],
                "host_iso3": fact["host_iso3"],
                "region": fact["region"],
                "lead_department": h["lead_department"],
                "start_date": h["start_date"].strftime("%Y-%m-%d"),
                "end_date": end,
                "hq_location": h["mission_location"],
                "longitude": f"{lon:.4f}",
                "latitude": f"{lat:.4f}",
                "language": fact["language"],
                "authorised_troops": fact["authorised_troops"],
                "authorised_police": fact["authorised_police"],
                "budget_account": "regular_budget" if mid in REGULAR_BUDGET else "peacekeeping",
                "basis": "derived" if fact["strength_basis"] == "real" else "assumed",
                "source": (
                    f"UN Peace and Security Data Hub DPPADPOSS-PKO (2024-02-19) for name, "
                    f"dates and HQ; {note}; language: {fact['language_source']}; "
                    f"authorised strength: {fact['strength_source']}"
                    + (f"; {REGULAR_BUDGET[str(mid)]}" if mid in REGULAR_BUDGET else "")
                ),
            }
        )
    return typed("missions", with_common(pd.DataFrame(rows)))


# --- deployments and contributors -------------------------------------------------------------


def contributions(year: int, missions: list[str]) -> pd.DataFrame:
    """Non-zero rows of the contributions-by-year table for ``year`` and ``missions``, with ISO3."""
    raw = pd.read_csv(reference_path(CONTRIB_FILE))
    rows = raw.loc[
        (raw["Year"] == year) & raw["Mission"].str.strip().isin(missions) & (raw["Total"] > 0)
    ].copy()
    rows["Mission"] = rows["Mission"].str.strip()
    rows["iso3"] = rows["Country"].map(ctry.lookup_iso3)
    unknown = sorted(rows.loc[rows["iso3"].isna(), "Country"].unique())
    if unknown:
        raise ValueError(f"no ISO3 code for {unknown}; add them to country_aliases.csv")
    return rows


def build_deployments(rows: pd.DataFrame) -> pd.DataFrame:
    """Real 2018 deployments: mission x contributor, women and men (yearly average)."""
    # Female and Male are rounded separately from Total; Total is the headline figure, so men are
    # Total - Female and women + men always equals the table's Total.
    out = pd.DataFrame(
        {
            "id": "DEP-2018-" + rows["Mission"] + "-" + rows["iso3"],
            "mission_id": rows["Mission"],
            "contributor_id": rows["iso3"],
            "personnel_type": "uniformed",
            "date": REFERENCE_DATE.isoformat(),
            "women": rows["Female"].astype(str),
            "men": (rows["Total"] - rows["Female"]).clip(lower=0).astype(str),
            "basis": "derived",
            "source": CONTRIB_SOURCE
            + "; men = Total - Female; date = mid-year of the averaged year",
        }
    ).sort_values("id")
    return typed("deployments", with_common(out.reset_index(drop=True)))


def women_share_2018(rows: pd.DataFrame) -> pd.Series:
    """Each contributor's share of women in its 2018 deployments (all missions in ``rows``)."""
    sums = rows.groupby("iso3")[["Female", "Total"]].sum()
    return (sums["Female"] / sums["Total"]).rename("women_share")


def build_contributors(rows: pd.DataFrame, extra_ids: set[str]) -> pd.DataFrame:
    """Member states deployed in 2018 or pledging, plus the AU and the EU."""
    table = ctry.countries().set_index("iso3")
    un_names = rows.groupby("iso3")["Country"].first()
    rank = pd.read_csv(reference_path("un_contributions_rank_2021-01.csv"), encoding="utf-8-sig")
    m49 = pd.concat(
        [
            rank.set_index("ISOCode3")["M49_Code"].astype(int),
            facts("m49_supplement").set_index("id")["m49"].astype(int),
        ]
    )
    langs = facts("contributor_languages").set_index("id")["languages"]
    limits = facts("contributor_limits").set_index("id")
    capitals = facts("capitals").set_index("iso3")["capital"]
    orgs = {"AU": ("African Union", "africa"), "EU": ("European Union", "europe")}
    out = []
    for cid in sorted(set(un_names.index) | extra_ids | set(orgs)):
        is_org = cid in orgs
        name = orgs[cid][0] if is_org else str(un_names.get(cid) or ctry.country_name(cid))
        point = place(capitals[cid]) if cid in capitals.index else None
        where = f"capital {capitals[cid]} (Natural Earth populated places)"
        if point is None and not is_org:
            point = (float(table.at[cid, "longitude"]), float(table.at[cid, "latitude"]))
            where = "representative point of the country outline (Natural Earth)"
        parts = [
            (
                "regional organisation; seat"
                if is_org
                else "ISO3 via bluehelmet.reference.countries; region from Natural Earth continent"
                " (Middle East grouped as in UN usage); M49 from the UN rank file 2021-01 or"
                " facts/m49_supplement.csv"
            )
            + f"; deploys from {where}",
            "languages: official languages / OIF membership (facts/contributor_languages.csv)"
            if cid in langs.index
            else "languages: en (assumed)",
        ]
        basis = "derived"
        max_units = ""
        if cid in limits.index:
            max_units, basis = str(limits.at[cid, "max_units"]), "illustrative"
            parts.append(f"max_units {limits.at[cid, 'source']!s}")
        out.append(
            {
                "id": cid,
                "name": name,
                "kind": "regional_organisation" if is_org else "member_state",
                "iso3": "" if is_org else cid,
                "m49": "" if is_org or cid not in m49.index else str(int(m49[cid])),
                "region": orgs[cid][1] if is_org else str(table.at[cid, "region"]),
                "languages": langs.get(cid, "en"),
                "longitude": f"{point[0]:.4f}" if point else "",
                "latitude": f"{point[1]:.4f}" if point else "",
                "max_units": max_units,
                "basis": basis,
                "source": "; ".join(parts),
            }
        )
    return typed("contributors", with_common(pd.DataFrame(out)))


# --- catalogue and parameter tables -----------------------------------------------------------


def build_unit_types() -> pd.DataFrame:
    """The capability catalogue from ``facts/unit_types.csv``."""
    return typed("unit_types", with_common(facts("unit_types")))


def build_reimbursement_rates() -> pd.DataFrame:
    """Troop cost reimbursement rates in force around the planning horizon."""
    rows = pd.DataFrame(
        [
            {
                "id": "RR-2017-07",
                "valid_from": "2017-07-01",
                "usd_per_person_month": "1410",
                "source": "US$1,410 per person-month before 1 July 2018 (GA res. 68/281 stepwise "
                "increase)",
            },
            {
                "id": "RR-2018-07",
                "valid_from": "2018-07-01",
                "usd_per_person_month": "1428",
                "source": "US$1,428 per person-month from 1 July 2018 (GA res. 72/285)",
            },
        ]
    )
    rows["basis"] = "real"
    return typed("reimbursement_rates", with_common(rows))


#: Known points of the Uniformed Gender Parity Strategy (and its baseline): category -> year ->
#: (share, source). Years between known points are interpolated linearly (assumed).
#: The strategy itself, cited by every declared target.
UGPS = "(UN Uniformed Gender Parity Strategy 2018-2028)"
UGPS_ANCHORS: dict[str, dict[int, tuple[float, str]]] = {
    "troops": {
        2015: (0.037, "UNSCR 2242 (2015) baseline, military 3.7 % (UN gender statistics, 2015)"),
        2021: (0.08, "UGPS 2021 target 8 % of troops " + UGPS),
        2028: (0.15, "UGPS 2028 target 15 % in military contingents " + UGPS),
    },
    "staff_officers_observers": {
        2021: (0.18, "UGPS 2021 target 18 % of individual military posts " + UGPS),
        2028: (0.25, "UGPS 2028 target 25 % of observers and staff officers " + UGPS),
    },
    "formed_police": {
        2015: (0.095, "UNSCR 2242 (2015) baseline, police 9.5 % (UN gender statistics, 2015)"),
        2028: (0.20, "UGPS 2028 target 20 % in formed police units " + UGPS),
    },
    "individual_police": {
        2018: (
            0.20,
            "assumed starting point 20 % (individual police already had far more women "
            "than formed units; not a published figure)",
        ),
        2028: (0.30, "UGPS 2028 target 30 % of individual police " + UGPS),
    },
}


def ugps_target(category: str, year: int) -> tuple[float, str, str]:
    """Target share of women for ``category`` in ``year``: (share, basis, source)."""
    anchors = UGPS_ANCHORS[category]
    if year in anchors:
        share, src = anchors[year]
        return share, ("assumed" if src.startswith("assumed") else "real"), src
    years = sorted(anchors)
    lo = max((y for y in years if y < year), default=None)
    hi = min((y for y in years if y > year), default=None)
    if lo is None:  # before the first known point: extend the first segment's slope backwards
        lo, hi = years[0], years[1]
    assert hi is not None
    slope = (anchors[hi][0] - anchors[lo][0]) / (hi - lo)
    share = round(anchors[lo][0] + slope * (year - lo), 4)
    return (
        share,
        "assumed",
        (
            f"assumed: linear interpolation between {lo} ({anchors[lo][1]}) "
            f"and {hi} ({anchors[hi][1]})"
        ),
    )


def build_gender_targets() -> pd.DataFrame:
    """UGPS targets 2018-2028 by personnel category."""
    rows = []
    for cat in UGPS_ANCHORS:
        for year in range(2018, 2029):
            share, basis, src = ugps_target(cat, year)
            rows.append(
                {
                    "id": f"UGPS-{year}-{cat}",
                    "year": str(year),
                    "personnel_category": cat,
                    "target_share": repr(share),
                    "basis": basis,
                    "source": src,
                }
            )
    return typed("gender_targets", with_common(pd.DataFrame(rows)))


#: The headroom is not a UN figure: the scenario states it as the parameter
#: ``budget_headroom_share`` (see PARAMETERS); budget rows carry only the approved budget. At
#: 12 % the headroom covers roughly the full-cost demand of MINUSCA, MONUSCO and UNMISS but only
#: about two thirds of MINUSMA's, so the budget is one of the planner's binding choices.
HEADROOM_SHARE = 0.12


def build_budgets() -> pd.DataFrame:
    """Approved budgets per mission and budget period (peacekeeping July-June, or regular)."""
    rows = facts("budgets")
    out = pd.DataFrame(
        {
            "id": "BUD-" + rows["mission_id"] + "-" + rows["fiscal_year"].str.replace("/", "-"),
            "mission_id": rows["mission_id"],
            "fiscal_year": rows["fiscal_year"],
            "approved_usd": rows["approved_usd"],
            "headroom_usd": "",
            "basis": "illustrative",
            "source": rows["source"] + "; not verified against the resolution, rounded figures; "
            "no headroom stated: the plan may use budget_headroom_share of it (scenario parameter)",
        }
    )
    return typed("budgets", with_common(out))


def build_pcrs_lead_times() -> pd.DataFrame:
    """Lead times per PCRS level (not published by the UN: assumed)."""
    rows = pd.DataFrame(
        {
            "id": ["PCRS-L1", "PCRS-L2", "PCRS-L3", "PCRS-RDL"],
            "level": ["L1", "L2", "L3", "RDL"],
            "lead_time_months": ["9", "6", "3", "2"],
            "basis": "assumed",
        }
    )
    rows["source"] = (
        "assumed (PCRS lead times are not published; RDL per the PCRS "
        "guidelines): L1 >= 9, L2 6, L3 3 months; RDL deploys within 60 "
        "days of a UN request (DPO/DOS PCRS guidelines 2019.01)"
    )
    return typed("pcrs_lead_times", with_common(rows))


# --- the scenario -----------------------------------------------------------------------------

PARAMETERS = {
    "planning_start": Parameter(
        dt.date(2018, 7, 1),
        "scenario: first month of fiscal year 2018/19, after the Vancouver ministerial (Nov 2017)",
    ),
    "budget_headroom_share": Parameter(
        HEADROOM_SHARE,
        "scenario: a stated planning assumption, not a UN figure: the part of "
        "each approved budget that pays for the rotating and additional units of this "
        "scenario's requirements; at 12 % money binds where demand is dearest (MINUSMA's "
        "aviation)",
    ),
    "horizon_months": Parameter(
        24,
        "scenario: two rolling years, the budget years 2018/19 and 2019/20 (1 July - "
        "30 June; costs are reported per budget year); plan one with --horizon 12",
    ),
}

META = {
    "title": "UN peacekeeping, mid-2018: deployments, requirements and the post-Vancouver pledges",
    "description": (
        "The 14 UN peacekeeping operations active in mid-2018 with their real 2018 deployments by "
        "contributor and gender (yearly average), requirements built from public facts "
        "(authorised strengths, the Vancouver 2017 capability gaps, the Secretary-General's "
        "reports), and a pledge registry representing the post-Vancouver landscape."
    ),
    "reference_date": REFERENCE_DATE,
    "notes": [
        "Deployments are real (derived: the 2018 yearly average of the UN's monthly figures); "
        "their personnel type is not reported, so personnel_type = uniformed.",
        "Requirements and most pledges are ILLUSTRATIVE: built from public facts where the truth "
        "is confidential; each row's source says its basis. Pledges marked real cite a public "
        "announcement.",
        "Budgets are approximate recollections of the approved figures; the headroom for new "
        "units is the stated parameter budget_headroom_share.",
        "Built by tools/build_scenario_2018.py from the bundled reference data and "
        "tools/facts/*.csv; see docs/scenario-2018.md.",
    ],
}


def build_scenario() -> Scenario:
    """Build the ``2018`` scenario in memory."""
    missions = build_missions()
    mission_ids = list(missions["id"])
    rows = contributions(YEAR, mission_ids)
    deployments = build_deployments(rows)
    unit_types = build_unit_types()
    shares = women_share_2018(rows)
    tiers = rows.groupby("iso3")["Total"].sum()
    rotation = typed(
        "rotation_periods",
        with_common(rotation_periods(unit_types, facts("rotation_by_contributor"))),
    )
    rotation_text = rotation.astype("string").fillna("")
    pledge_text = build_pledges(
        facts("pledges_real"),
        facts("pledges_illustrative"),
        shares,
        tiers,
        lambda unit, contributor: rotation_of(rotation_text, unit, contributor),
        mission_ids,
        unit_types.set_index("id")["capability"].astype(str),
    )
    pledges = typed("pledges", pledge_text)
    contributors = build_contributors(rows, set(pledge_text["contributor_id"]))
    requirements = typed(
        "requirements",
        build_requirements(missions, deployments, facts("requirements_capability"), unit_types),
    )
    in_place, left = build_units_in_place(
        facts("geopko_2018"),
        facts("units_in_place_curated"),
        missions,
        deployments,
        unit_types,
        pledges,
        rotation_text,
    )
    in_place = typed("units_in_place", with_common(in_place))
    requirements = requirements_as_totals(
        requirements, in_place, PARAMETERS["planning_start"].value
    )
    tables = {
        "missions": missions,
        "contributors": contributors,
        "unit_types": unit_types,
        "deployments": deployments,
        "pledges": pledges,
        "requirements": requirements,
        "reimbursement_rates": build_reimbursement_rates(),
        "gender_targets": build_gender_targets(),
        "budgets": build_budgets(),
        "pcrs_lead_times": build_pcrs_lead_times(),
        "units_in_place": in_place,
        "ceilings": typed("ceilings", with_common(build_ceilings(facts("ceilings")))),
        "rotation_periods": rotation,
    }
    meta = dict(META)
    why = left.groupby("why").agg(troops=("troops", "sum"), entries=("troops", "size"))
    meta["notes"] = [
        *META["notes"],
        (
            "units_in_place: Geo-PKO facts (Cil et al. 2020, Geo-PKO v2.3) that no rule "
            "turned into a unit: "
            + "; ".join(
                f"{w} ({int(r.entries)} contingents or entries, "
                f"{int(r.troops):,} troops by Geo-PKO's figures)"
                for w, r in why.iterrows()
            )
            + " (tools/scenario2018_inplace.py, docs/scenario-2018.md)"
        ),
    ]
    return Scenario("2018", tables, dict(PARAMETERS), meta)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: build and write the scenario."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder to write")
    args = parser.parse_args(argv)
    scenario = build_scenario()
    problems = scenario.validate()
    if problems:
        for p in problems[:20]:
            print(p, file=sys.stderr)
        return 1
    save_scenario(scenario, args.out)
    counts = {k: len(v) for k, v in scenario.tables.items()}
    print(f"wrote scenario 2018 to {args.out}: {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
