"""The force in place, ceilings and rotation periods of scenario ``2018``, and the Geo-PKO tools.

The derivation tool is tested on a tiny Geo-PKO-shaped fixture with known answers, so that CI does
not need the reference-only files; one test compares the committed facts with a fresh derivation
only where those files are present.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from bluehelmet.model.access import AccessContext, Classification
from bluehelmet.model.validate import coerce_table
from bluehelmet.scenario.core import Scenario
from bluehelmet.scenario.io import load_scenario
from bluehelmet.statistics.scenario import force_in_place

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / "tools"
TT = """mission,year,location,latitude,longitude,Infantry,eng,med,sig,av,riv,maint,trans
MX,2018,Alpha,1.5,2.5,800,2,0,0,0,0,0,0
MX,2018,Beta,3,4,0,0,0,0,0,0,0,0
MX,2018,Gamma,5,6,0,0,1,0,0,0,0,0
MX,2017,Alpha,1.5,2.5,150,0,0,0,0,0,0,0
"""
TCC = """mission,year,location,latitude,longitude,No.TCC,year.overview
MX,2018,Alpha,1.5,2.5,3,"Ghana (650), Korea (ROK) (150), Multinational (35)"
MX,2018,Beta,3,4,1,Nepal (size unknown)
MX,2017,Alpha,1.5,2.5,1,Fiji (150)
"""


def _tool(name: str) -> ModuleType:
    sys.path.insert(0, str(TOOLS))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(TOOLS))


@pytest.fixture(scope="module")
def derive() -> ModuleType:
    return _tool("derive_geopko_2018")


@pytest.fixture(scope="module")
def inplace() -> ModuleType:
    return _tool("scenario2018_inplace")


@pytest.fixture(scope="module")
def s2018() -> Scenario:
    return load_scenario("2018")


def _geopko_dir(tmp_path: Path) -> Path:
    (tmp_path / "geopko_TTMap_v.2.3.csv").write_text(TT, "utf-8")
    (tmp_path / "geopko_TCCMap_v.2.3.csv").write_text(TCC, "utf-8")
    return tmp_path


# --- the derivation tool on a synthetic fixture -------------------------------------------------


def test_derive_gives_one_row_per_contributor_and_keeps_every_fact(derive, tmp_path):
    facts = derive.derive(*derive.read_geopko(_geopko_dir(tmp_path)), 2018)
    got = facts[["location", "contributor", "iso3", "troops", "types_at_location"]]
    assert got.values.tolist() == [
        ["Alpha", "Ghana", "GHA", "650", "infantry;engineering"],
        ["Alpha", "Korea (ROK)", "KOR", "150", "infantry;engineering"],
        ["Alpha", "Multinational", "", "35", "infantry;engineering"],
        ["Beta", "Nepal", "NPL", "", ""],
        ["Gamma", "", "", "", "medical"],  # unit types at a base without contributors: kept
    ]
    assert set(facts["mission"]) == {"MX"}  # the 2017 rows are not 2018 facts


def test_derive_cli_writes_and_checks(derive, tmp_path):
    folder, out = _geopko_dir(tmp_path), tmp_path / "facts.csv"
    assert derive.main(["--geopko-dir", str(folder), "--out", str(out)]) == 0
    assert out.read_text("utf-8").count("\n") == 6  # header + 5 facts
    assert derive.main(["--geopko-dir", str(folder), "--out", str(out), "--check"]) == 0
    out.write_text(out.read_text("utf-8").replace("650", "651"), "utf-8")
    assert derive.main(["--geopko-dir", str(folder), "--out", str(out), "--check"]) == 1


def test_unreadable_contributor_list_names_the_row(derive):
    with pytest.raises(ValueError, match="row 7.*'Ghana 650'"):
        derive.parse_overview("Nepal (150), Ghana 650", "TCCMap row 7")
    with pytest.raises(ValueError, match="Atlantis"):
        derive.iso3_of("Atlantis")


def test_committed_facts_equal_a_fresh_derivation_where_the_files_exist(derive):
    candidates = [
        ROOT.parent / "shared/data/reference-only",
        ROOT.parent.parent / "shared/data/reference-only",
    ]
    folder = next((c for c in candidates if (c / derive.TT_FILE).is_file()), None)
    if folder is None:
        pytest.skip("Geo-PKO reference-only files not on this machine (not shipped)")
    fresh = derive.derive(*derive.read_geopko(folder), 2018)
    committed = pd.read_csv(derive.OUT, dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(fresh.reset_index(drop=True), committed)


# --- the rules that turn facts into units ------------------------------------------------------


def _geo(rows: list[tuple[str, str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "mission": m,
                "location": loc,
                "latitude": "1",
                "longitude": "2",
                "contributor": c,
                "iso3": c,
                "troops": t,
                "types_at_location": ty,
            }
            for m, loc, c, t, ty in rows
        ]
    )


def test_rules_on_a_hand_computed_case(inplace):
    geo = _geo(
        [
            ("MX", "Solo", "GHA", "400", "infantry;engineering;medical"),  # rule 1: alone at Solo
            ("MX", "Shared", "GHA", "700", "infantry;signals"),  # shared: no rule 1
            ("MX", "Shared", "NPL", "300", "infantry;signals"),  # < half a battalion
            ("MX", "Solo2", "KEN", "2000", ""),  # capped by deployments
            ("MX", "Camp", "DEU", "900", ""),  # curated contingent
            ("MX", "Post", "KOR", "600", "infantry;engineering;signals;maintenance"),  # capped
            ("PX", "Town", "SEN", "", ""),  # police-only mission
        ]
    )
    missions = pd.DataFrame(
        {"id": ["MX", "PX"], "authorised_troops": pd.array([5000, 0], dtype="Int64")}
    )
    size = pd.Series(
        {
            "eng_coy": 175,
            "med_l1": 11,
            "inf_bn": 850,
            "fpu": 140,
            "signals_coy": 120,
            "transport_coy": 160,
        }
    )
    units, left = inplace.derive_units(
        geo, missions, {("MX", "DEU")}, size, {("MX", "KEN"): 1200, ("MX", "KOR"): 335}
    )
    got = {
        (u.contributor_id, u.unit_type_id, u.location): (u.count, u.personnel)
        for u in units.itertuples()
    }
    assert got == {
        ("GHA", "eng_coy", "Solo"): (1, 175),
        ("GHA", "med_l1", "Solo"): (1, 11),
        # 400 + 700 - 186 = 914 troops -> round_half_up(914 / 850) = 1 battalion, main base Shared
        ("GHA", "inf_bn", "Shared"): (1, 914),
        # Geo-PKO's 2,000 exceed the 1,200 deployed: 1,200 -> 1 battalion
        ("KEN", "inf_bn", "Solo2"): (1, 1200),
        # Korea's 335 deployed: 175 engineers + 120 signals + the last 40 as transport, no rest
        ("KOR", "eng_coy", "Post"): (1, 175),
        ("KOR", "signals_coy", "Post"): (1, 120),
        ("KOR", "transport_coy", "Post"): (1, 40),
        ("SEN", "fpu", "Town"): (1, 140),
    }
    why = {(r.contributor, r.troops): r.why for r in left.itertuples()}
    assert why == {
        ("DEU", 900): "contingent described by curated rows",
        ("NPL", 300): "less than half a battalion not attributed to a unit type",
    }


def test_ceiling_overlaps_are_refused(inplace):
    rows = pd.DataFrame(
        {
            "mission_id": ["M", "M"],
            "component": ["military", "military"],
            "valid_from": ["2018-01-01", "2018-06-01"],
            "valid_to": ["2018-06-01", ""],
        }
    )
    with pytest.raises(ValueError, match="M military overlap"):
        inplace.check_ceilings(rows)
    rows.loc[1, "valid_from"] = "2018-06-02"
    inplace.check_ceilings(rows)


# --- the bundled tables ------------------------------------------------------------------------


@pytest.mark.parametrize("table", ["units_in_place", "ceilings", "rotation_periods"])
def test_every_row_has_basis_and_source_and_illustrative_rows_say_so(s2018, table):
    t = s2018.tables[table]
    assert len(t) > 0
    assert t["basis"].notna().all() and t["source"].str.len().gt(20).all()
    shaky = t.loc[t["basis"].isin(["illustrative", "assumed"]), "source"]
    assert shaky.str.contains("illustrative|assumed").all()


def test_units_in_place_invariants(s2018):
    u = s2018.units_in_place
    assert set(u["mission_id"]) <= set(s2018.missions["id"])
    assert set(u["unit_type_id"]) <= set(s2018.unit_types["id"])
    for col in ("personnel", "women", "men"):
        assert (u[col].dropna() >= 0).all()
    both = u["women"].notna() & u["men"].notna()
    assert (u.loc[both, "women"] + u.loc[both, "men"] == u.loc[both, "personnel"]).all()
    assert u["rotation_months"].notna().all() and u["rotation_source"].notna().all()
    dated = u["since"].notna() & u["until"].notna()
    assert (u.loc[dated, "since"] <= u.loc[dated, "until"]).all()
    assert u.loc[u["until"].notna(), "end_kind"].notna().all()
    derived = u.loc[u["basis"] == "derived", "source"]
    assert derived.str.startswith("Cil et al. 2020, Geo-PKO v2.3").all()


def test_ceilings_do_not_overlap_and_match_the_mandates_at_the_start(s2018):
    c = s2018.ceilings
    for _, grp in c.groupby(["mission_id", "component"]):
        grp = grp.sort_values("valid_from")
        ends = grp["valid_to"].fillna(pd.Timestamp.max).iloc[:-1].to_numpy()
        assert (grp["valid_from"].iloc[1:].to_numpy() > ends).all()
    assert (c.loc[c["kind"] == "none", "ceiling"].isna()).all()
    assert (c.loc[c["kind"] == "numeric", "ceiling"].notna()).all()
    start = pd.Timestamp("2018-07-01")
    on = c.loc[(c["valid_from"] <= start) & (c["valid_to"].isna() | (c["valid_to"] >= start))]
    missions = s2018.missions.set_index("id")
    for comp, col in (("military", "authorised_troops"), ("police", "authorised_police")):
        rows = on.loc[(on["component"] == comp) & (on["kind"] == "numeric")].set_index(
            "mission_id"
        )["ceiling"]
        wanted = missions[col].dropna()
        wanted = wanted[wanted.index != "MINUJUSTH"] if comp == "military" else wanted
        assert rows.reindex(wanted.index).astype("Int64").equals(wanted.astype("Int64"))


def _ceiling(s: Scenario, mission: str, component: str, day: str) -> object:
    c, d = s.ceilings, pd.Timestamp(day)
    row = c.loc[
        (c["mission_id"] == mission)
        & (c["component"] == component)
        & (c["valid_from"] <= d)
        & (c["valid_to"].isna() | (c["valid_to"] >= d))
    ]
    assert len(row) == 1
    return row["ceiling"].iloc[0] if row["kind"].iloc[0] == "numeric" else "none"


def test_spot_facts(s2018):
    u = s2018.units_in_place

    def one(mission: str, contributor: str, unit: str) -> pd.Series:
        rows = u.loc[
            (u["mission_id"] == mission)
            & (u["contributor_id"] == contributor)
            & (u["unit_type_id"] == unit)
        ]
        assert len(rows) == 1, (mission, contributor, unit)
        return rows.iloc[0]

    assert one("MINUSMA", "DEU", "isr_uas")["location"] == "Gao"
    assert one("MINUSMA", "SWE", "recce_isr_coy")["location"] == "Tombouctou (Timbuktu)"
    uk = one("UNMISS", "GBR", "med_l2")
    assert (uk["location"], uk["until"], uk["end_kind"], uk["relieved_by"]) == (
        "Bentiu",
        pd.Timestamp("2018-10-31"),
        "handover",
        "VNM",
    )
    assert one("UNMISS", "VNM", "med_l2")["since"] == pd.Timestamp("2018-10-01")
    canada = one("MINUSMA", "CAN", "util_heli")
    assert (canada["since"], canada["until"], canada["relieved_by"]) == (
        pd.Timestamp("2018-08-01"),
        pd.Timestamp("2019-08-31"),
        "ROU",
    )
    assert one("MINUSMA", "NLD", "recce_isr_coy")["until"] == pd.Timestamp("2019-05-01")
    assert pd.isna(one("MONUSCO", "UKR", "attack_heli")["until"])  # stayed until 2022
    assert one("UNAMID", "CHN", "util_heli")["rotation_months"] == 12
    assert one("MINUSMA", "DEU", "util_heli")["until"] == pd.Timestamp("2018-06-30")
    assert one("MINUSCA", "PRT", "qrf_coy")["rotation_months"] == 6
    assert _ceiling(s2018, "UNAMID", "military", "2018-07-01") == 8735
    assert _ceiling(s2018, "UNAMID", "military", "2019-06-30") == 4050
    assert _ceiling(s2018, "MINUJUSTH", "police", "2019-10-15") == 1275
    assert _ceiling(s2018, "MINUJUSTH", "police", "2019-10-16") == 0
    for mission in ("UNTSO", "UNMOGIP", "UNMIK"):
        assert _ceiling(s2018, mission, "military", "2018-07-01") == "none"
    account = s2018.missions.set_index("id")["budget_account"]
    assert sorted(account[account == "regular_budget"].index) == ["UNMOGIP", "UNTSO"]
    assert s2018.parameters["msa_usd_per_person_month"].source == "assumed"


def test_moved_pledges_are_real_and_left_out_of_the_open_registry(s2018):
    moved = s2018.units_in_place["pledge_id"].dropna()
    pledges = s2018.pledges.set_index("id")
    assert moved.is_unique and set(moved) <= set(pledges.index)
    assert (pledges.loc[list(moved), "basis"] == "real").all()
    open_ = s2018.open_pledges()
    assert len(open_) == len(pledges) - len(moved) and not open_["id"].isin(moved).any()
    still_offers = sorted(open_.loc[open_["basis"] == "real", "id"])
    assert len(moved) + len(still_offers) == 16  # the registry's 16 real pledges
    assert still_offers == [
        "PLG-CAN-airlift_c130-01",
        "PLG-CAN-ipo_team-01",
        "PLG-CAN-qrf_coy-01",
        "PLG-IND-fpu-01",
        "PLG-IND-inf_bn-01",
        "PLG-NOR-airlift_c130-01",
    ]


def test_force_in_place_statistics_on_a_hand_computed_case(s2018):
    text = pd.DataFrame(
        {
            "id": ["A", "B", "C"],
            "mission_id": "MINUSMA",
            "location": "Gao",
            "contributor_id": "DEU",
            "unit_type_id": ["inf_bn", "isr_uas", "util_heli"],
            "count": ["2", "1", "1"],
            "personnel": ["1700", "", ""],
            "since": ["", "", "2018-08-01"],
            "until": ["", "2018-12-31", ""],
            "basis": "illustrative",
            "source": "illustrative: test",
        }
    )
    table, problems = coerce_table("units_in_place", text, "test")
    assert problems == []
    s = s2018.copy()
    s.tables["units_in_place"] = table
    got = force_in_place(s.view(AccessContext("UN-DPO", Classification.parse("confidential"))))
    # in place on 2018-07-01: A (2 units, 1,700) and B (1 unit, catalogue 80, leaves in horizon)
    assert got.loc["MINUSMA"].to_dict() == {
        "units": 3,
        "personnel": 1780,
        "personnel_catalogue": 80,
        "arriving": 1,
        "leaving": 1,
    }


def test_bad_rows_in_the_new_tables_are_clear_errors(tmp_path):
    from bluehelmet.errors import DataError
    from bluehelmet.scenario.io import save_scenario

    folder = save_scenario(load_scenario("2018"), tmp_path / "s")
    path = folder / "units_in_place.csv"
    text = path.read_text("utf-8").replace("PLG-DEU-isr_uas-01", "PLG-NOPE", 1)
    path.write_text(text, "utf-8")
    ceilings = folder / "ceilings.csv"
    ceilings.write_text(ceilings.read_text("utf-8").replace(",numeric,", ",numerical,", 1), "utf-8")
    with pytest.raises(DataError) as err:
        load_scenario(folder)
    message = str(err.value)
    assert "units_in_place.csv" in message and "pledge_id" in message and "PLG-NOPE" in message
    assert "ceilings.csv" in message and "numerical" in message and "numeric, none" in message
