"""The bundled scenario ``2018``: it loads cleanly, is big enough, honest and true to its sources.

Facts about the real data are recomputed here from the bundled reference files with the standard
library, independently of the builder (``tools/build_scenario_2018.py``).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict

import pandas as pd
import pytest

from bluehelmet.model.access import AccessContext, Classification
from bluehelmet.model.schema import ENTITY_ORDER
from bluehelmet.reference import countries as ctry
from bluehelmet.reference.files import reference_path
from bluehelmet.scenario.core import Scenario
from bluehelmet.scenario.io import bundled_scenarios, load_scenario

MID_2018 = dt.date(2018, 7, 1)


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario("2018")


def test_bundled_and_valid(scenario: Scenario) -> None:
    assert "2018" in bundled_scenarios()
    assert scenario.name == "2018"
    assert scenario.validate() == []


def test_enough_substance_for_the_planner(scenario: Scenario) -> None:
    pledges = scenario.pledges
    assert len(pledges) >= 150
    assert pledges["contributor_id"].nunique() >= 40
    assert pledges["unit_type_id"].nunique() >= 15
    assert len(scenario.missions) == 14
    assert {"AU", "EU"} <= set(
        scenario.contributors.loc[scenario.contributors["kind"] == "regional_organisation", "id"]
    )
    assert scenario.pledges["contributor_id"].isin(["AU", "EU"]).sum() >= 2


def test_catalogue_has_the_issue_unit_types(scenario: Scenario) -> None:
    names = " | ".join(scenario.unit_types["name"].str.lower())
    for needle in (
        "infantry battalion",
        "quick reaction force",
        "special forces",
        "utility helicopter",
        "attack helicopter",
        "uas",
        "all-source intelligence",
        "level i hospital",
        "level ii hospital",
        "level iii hospital",
        "engineer",
        "signals",
        "transport company",
        "riverine",
        "formed police",
        "individual police",
        "staff officers and military observers",
        "airlift",
    ):
        assert needle in names, needle
    for col in ("personnel_source", "cost_source", "lift_source"):
        assert scenario.unit_types[col].str.len().min() > 10
    critical = scenario.unit_types.set_index("capability")["critical"]
    for cap in ("aviation", "isr", "intelligence", "tactical_airlift", "medical", "quick_reaction"):
        assert critical.loc[[cap]].all(), cap


@pytest.mark.parametrize("table", ENTITY_ORDER)
def test_every_row_says_its_basis_and_source(scenario: Scenario, table: str) -> None:
    rows = scenario.tables[table]
    assert len(rows) > 0
    assert rows["basis"].isin(["real", "derived", "illustrative", "assumed"]).all()
    assert rows["source"].notna().all()
    # an illustrative or assumed row says on what it is built, not just that it is illustrative
    soft = rows.loc[rows["basis"].isin(["illustrative", "assumed"]), "source"]
    assert (soft.str.len() > 30).all()


def test_real_pledges_cite_a_public_source_and_are_unclassified(scenario: Scenario) -> None:
    real = scenario.pledges.loc[scenario.pledges["basis"] == "real"]
    assert len(real) >= 10
    assert real["source"].str.startswith("real").all()
    assert (real["classification"] == "unclassified").all()
    rest = scenario.pledges.loc[scenario.pledges["basis"] != "real"]
    assert (rest["classification"] == "confidential").all()
    assert (rest["owner"] == "UN-DPO").all()
    assert (scenario.requirements["classification"] == "confidential").all()


def test_confidential_rows_hidden_from_an_uncleared_reader(scenario: Scenario) -> None:
    outsider = scenario.view(AccessContext("NLD", Classification.UNCLASSIFIED))
    assert len(outsider.requirements) == 0
    assert set(outsider.pledges["basis"]) == {"real"}
    dpo = scenario.view(AccessContext("UN-DPO", Classification.CONFIDENTIAL))
    assert len(dpo.pledges) == len(scenario.pledges)


def _datahub_active_on(day: dt.date) -> set[str]:
    active = set()
    with reference_path("un_psdh_missions.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if "(I & II)" in row["mission_name"] or row["lead_department"].strip() != "DPO":
                continue
            try:
                start = dt.date.fromisoformat(row["start_date"].strip())
            except ValueError:
                continue
            end = row["end_date"].strip()
            if start <= day and (not end or dt.date.fromisoformat(end) >= day):
                active.add(row["mission_acronym"].strip())
    return active


def test_missions_are_those_active_in_mid_2018(scenario: Scenario) -> None:
    expected = {
        "MINUSMA",
        "MINUSCA",
        "MONUSCO",
        "UNMISS",
        "UNAMID",
        "UNIFIL",
        "UNDOF",
        "UNFICYP",
        "MINURSO",
        "UNISFA",
        "UNMIK",
        "UNMOGIP",
        "UNTSO",
        "MINUJUSTH",
    }
    assert _datahub_active_on(MID_2018) == expected
    assert set(scenario.missions["id"]) == expected


def test_mission_languages_and_francophone_requirements(scenario: Scenario) -> None:
    lang = scenario.missions.set_index("id")["language"]
    assert set(lang[lang == "fr"].index) == {"MINUSMA", "MINUSCA", "MONUSCO", "MINUJUSTH"}
    req = scenario.requirements
    fr = req["mission_id"].map(lang) == "fr"
    capability = req["unit_type_id"].map(scenario.unit_types.set_index("id")["capability"])
    facing = capability.isin(
        ["infantry", "quick_reaction", "special_forces", "police", "staff_observers"]
    )
    assert (req.loc[fr & facing, "language"] == "fr").all()
    assert (req.loc[fr & ~facing, "language"] == "en").all()  # technical enablers
    assert req.loc[~fr, "language"].isna().all()
    # the real enabler pledges for MINUSMA (Canada, Germany, El Salvador) must be usable there
    for pid in ("PLG-CAN-util_heli-01", "PLG-DEU-isr_uas-01", "PLG-SLV-attack_heli-01"):
        pledge = scenario.pledges.set_index("id").loc[pid]
        assert "en" in str(pledge["languages"]).split(";")


def test_swapped_datahub_coordinates_are_repaired(scenario: Scenario) -> None:
    m = scenario.missions.set_index("id")
    # the Data Hub gives MINUSMA as (12.65, -8.0): at sea off Africa; Bamako is (-8.0, 12.65)
    assert ctry.contains("MLI", m.at["MINUSMA", "longitude"], m.at["MINUSMA", "latitude"])
    assert "swapped" in m.at["MINUSMA", "source"]
    assert m[["longitude", "latitude"]].notna().all().all()  # UNTSO filled from Natural Earth
    assert m.at["UNTSO", "longitude"] == pytest.approx(35.2066, abs=1e-3)


def test_deployments_equal_the_contributions_table(scenario: Scenario) -> None:
    missions = set(scenario.missions["id"])
    expected: dict[tuple[str, str], tuple[int, int]] = {}
    with reference_path("un_contributions_country_mission_year.csv").open(
        encoding="utf-8", newline=""
    ) as fh:
        for row in csv.DictReader(fh):
            mission = row["Mission"].strip()
            if row["Year"] != "2018" or mission not in missions or int(row["Total"]) == 0:
                continue
            iso3 = ctry.lookup_iso3(row["Country"])
            assert iso3 is not None, row["Country"]
            expected[(mission, iso3)] = (int(row["Female"]), int(row["Total"]))
    dep = scenario.deployments
    got = {
        (r.mission_id, r.contributor_id): (int(r.women), int(r.women + r.men))
        for r in dep.itertuples()
    }
    assert got == expected
    assert (dep["personnel_type"] == "uniformed").all()
    assert (dep["basis"] == "derived").all()
    assert sum(t for _, t in expected.values()) == int((dep["women"] + dep["men"]).sum())


def test_contributors_cover_deployments_and_pledges(scenario: Scenario) -> None:
    ids = set(scenario.contributors["id"])
    assert set(scenario.deployments["contributor_id"]) <= ids
    assert set(scenario.pledges["contributor_id"]) <= ids
    states = scenario.contributors.loc[scenario.contributors["kind"] == "member_state"]
    assert states["m49"].notna().all()
    assert states[["longitude", "latitude", "region"]].notna().all().all()
    langs = scenario.contributors.set_index("id")["languages"]
    assert "fr" in langs["SEN"] and "fr" in langs["CAN"]


def test_pledge_attributes_are_sane(scenario: Scenario) -> None:
    p = scenario.pledges
    assert set(p["pcrs_level"]) == {"L1", "L2", "L3", "RDL"}
    assert set(p["rotation_months"]) == {6, 12}
    until = p["available_until"].dropna()
    assert (until > p.loc[until.index, "available_from"]).all()
    assert p["available_from"].between("2018-05-01", "2020-06-30").all()
    assert p["women_share"].between(0, 1).all() and p["women_share"].gt(0).mean() > 0.8
    assert p["national_restrictions"].notna().sum() >= 20
    excluded = p["excluded_missions"].dropna().str.split(";").explode()
    assert set(excluded) <= set(scenario.missions["id"])


def test_scarce_capabilities_give_real_choices(scenario: Scenario) -> None:
    # Requirements are totals: what is open in July 2018 is the count less the units in place
    # for the whole month (of the same mission and unit type); the offers are the open pledges.
    u = scenario.units_in_place
    there = u[
        (u["since"].isna() | (u["since"] <= pd.Timestamp("2018-07-01")))
        & (u["until"].isna() | (u["until"] >= pd.Timestamp("2018-07-31")))
    ]
    n = there.groupby(["mission_id", "unit_type_id"])["count"].sum()
    req = scenario.requirements
    key = pd.MultiIndex.from_arrays([req["mission_id"], req["unit_type_id"]])
    open_now = (req["count"] - n.reindex(key).fillna(0).to_numpy()).clip(lower=0)
    demand = open_now.groupby(req["unit_type_id"]).sum()
    supply = scenario.open_pledges().groupby("unit_type_id")["count"].sum()
    for scarce in ("attack_heli", "isr_uas", "aeromed_team"):
        assert supply[scarce] <= demand[scarce], scarce
    for plentiful in ("inf_bn", "fpu", "med_l2"):
        assert supply[plentiful] > demand[plentiful], plentiful
    assert scenario.requirements["start"].min() >= pd.Timestamp("2018-07-01")
    assert scenario.requirements["end"].max() <= pd.Timestamp("2020-06-30")


def test_parameter_tables(scenario: Scenario) -> None:
    rates = scenario.tables["reimbursement_rates"].set_index("valid_from")["usd_per_person_month"]
    assert rates[pd.Timestamp("2018-07-01")] == 1428 and rates.min() == 1410
    gt = scenario.tables["gender_targets"].set_index(["year", "personnel_category"])
    assert gt.at[(2028, "troops"), "target_share"] == pytest.approx(0.15)
    assert gt.at[(2028, "staff_officers_observers"), "target_share"] == pytest.approx(0.25)
    assert gt.at[(2028, "formed_police"), "target_share"] == pytest.approx(0.20)
    assert gt.at[(2028, "individual_police"), "target_share"] == pytest.approx(0.30)
    assert gt.at[(2021, "troops"), "target_share"] == pytest.approx(0.08)
    assert gt.at[(2021, "staff_officers_observers"), "target_share"] == pytest.approx(0.18)
    shares: dict[str, list[float]] = defaultdict(list)
    for (_, cat), row in gt.sort_index().iterrows():
        shares[cat].append(row["target_share"])
    assert all(s == sorted(s) for s in shares.values())  # targets never fall
    lead = scenario.tables["pcrs_lead_times"].set_index("level")["lead_time_months"]
    assert lead.to_dict() == {"L1": 9, "L2": 6, "L3": 3, "RDL": 2}
    budgets = scenario.tables["budgets"]
    missions_with_needs = set(scenario.requirements["mission_id"])
    account = scenario.missions.set_index("id")["budget_account"]
    regular = set(account[account == "regular_budget"].index)
    # Peacekeeping missions budget per July-June fiscal year, regular-budget ones per the
    # regular budget's periods (the biennium 2018-2019, then the year 2020).
    for fy in ("2018/19", "2019/20"):
        assert missions_with_needs - regular <= set(
            budgets.loc[budgets["fiscal_year"] == fy, "mission_id"]
        )
    for period in ("2018-2019", "2020"):
        assert regular == set(budgets.loc[budgets["fiscal_year"] == period, "mission_id"])
    assert (
        not budgets["mission_id"].isin(regular).any()
        or not budgets.loc[budgets["mission_id"].isin(regular), "fiscal_year"]
        .str.contains("/")
        .any()
    )
    # No headroom is invented in the data: it is the stated scenario parameter.
    assert budgets["headroom_usd"].isna().all()
    assert scenario.param("budget_headroom_share") == pytest.approx(0.12)
    assert scenario.parameters["budget_headroom_share"].source.startswith("scenario")
    assert scenario.param("planning_start") == dt.date(2018, 7, 1)
    assert scenario.param("horizon_months") == 24  # two rolling budget years
