"""Protection inputs from the force in place, the bundled data, and the PoC figures."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from bluehelmet.geodesy import haversine_km
from bluehelmet.model.access import AccessContext, Classification
from bluehelmet.protect.force import (
    _assets,
    additions_as_assets,
    asset_catalogue,
    force_inputs,
    plan_additions,
    poc_mandates,
)
from bluehelmet.protect.inputs import bundled_events, data_path
from bluehelmet.protect.poc import bundled_risk, mission_risk
from bluehelmet.scenario.core import ScenarioView
from bluehelmet.scenario.io import load_scenario

START = dt.date(2018, 7, 1)


@pytest.fixture(scope="module")
def view() -> ScenarioView:
    return load_scenario("2018").view(AccessContext("UN-DPO", Classification.CONFIDENTIAL))


def test_a_battalion_spreads_one_company_to_each_of_three_other_placed_locations() -> None:
    # Four companies: one each at B, C and D (placed), none at the unplaced X, the last at A.
    sites = pd.DataFrame({"site_id": ["a", "b", "c", "d", "e"], "name": ["A", "B", "C", "D", "E"]})
    units = pd.DataFrame(
        [
            {
                "unit_type_id": "inf_bn",
                "contributor_id": "SEN",
                "count": 1,
                "location": "A",
                "other_locations": "X;B;C;D;E",
            },
            {
                "unit_type_id": "util_heli",
                "contributor_id": "CAN",
                "count": 1,
                "location": "E",
                "other_locations": None,
            },
            {
                "unit_type_id": "util_heli",
                "contributor_id": "UKR",
                "count": 2,
                "location": "E",
                "other_locations": None,
            },
            {
                "unit_type_id": "med_l2",
                "contributor_id": "CHN",
                "count": 1,
                "location": "A",
                "other_locations": None,
            },
        ]
    )
    notes: list[str] = []
    fixed = _assets(units, sites, notes).set_index(["site_id", "asset_type_id"])["count"]
    assert fixed.to_dict() == {
        ("a", "infantry_company_road"): 1,
        ("b", "infantry_company_road"): 1,
        ("c", "infantry_company_road"): 1,
        ("d", "infantry_company_road"): 1,
        # Canada's aircraft fly at night; a unit whose night capability is not public does not
        ("e", "utility_helicopter"): 3,
        ("e", "utility_helicopter_day"): 6,
    }
    assert notes == [
        "units in place that do not respond to alerts in this model (not counted): 1 med_l2"
    ]


def test_base_positions_have_one_source(view: ScenarioView) -> None:
    # Every unit's main location is a base at exactly the scenario's position, in the brief's
    # inputs and in the bundled MINUSMA bases file alike.
    units = view.units_in_place
    bases = pd.read_csv(data_path("minusma_2018_bases.csv"))
    for mission in poc_mandates()["mission_id"]:
        sites = force_inputs(view, mission, START).sites.set_index("name")
        for row in units.loc[
            (units["mission_id"] == mission) & units["location"].isin(sites.index)
        ].itertuples():
            assert sites.at[row.location, "longitude"] == row.longitude
            assert sites.at[row.location, "latitude"] == row.latitude
    for row in units.loc[units["mission_id"] == "MINUSMA"].drop_duplicates("location").itertuples():
        d = haversine_km(
            bases["longitude"].to_numpy(float),
            bases["latitude"].to_numpy(float),
            row.longitude,
            row.latitude,
        )
        assert d.min() == pytest.approx(0.0, abs=1e-6), row.location


def test_helicopters_in_place_stand_at_airfields_and_every_airfield_is_sourced(
    view: ScenarioView,
) -> None:
    fields = pd.read_csv(data_path("airfields_2018.csv"))
    assert fields["icao"].str.fullmatch(r"[A-Z0-9]{4}").all()
    assert fields["source"].str.contains("airportsdata").all()
    assert (fields["km_to_place"] <= 15).all()
    for mission in poc_mandates()["mission_id"]:
        inputs = force_inputs(view, mission, START)
        air = inputs.fixed.loc[inputs.fixed["asset_type_id"].str.startswith("utility_heli")]
        at = inputs.sites.set_index("site_id").loc[air["site_id"], "airfield"]
        assert at.all(), mission


def test_minusma_has_no_utility_helicopter_on_1_july_2018_and_canada_s_later(
    view: ScenarioView,
) -> None:
    # Germany's NH90 left Gao on 30 June 2018, Canada's task force (two utility helicopter
    # units in the force in place, counted as 3 aircraft each) arrived on 1 August.
    now = force_inputs(view, "MINUSMA", START).fixed
    later = force_inputs(view, "MINUSMA", dt.date(2018, 9, 1)).fixed
    assert not now["asset_type_id"].str.startswith("utility_heli").any()
    heli = later.loc[later["asset_type_id"] == "utility_helicopter"]
    assert heli["count"].sum() == 6


def test_plan_additions_count_units_present_in_the_month() -> None:
    a = pd.DataFrame(
        {
            "mission_id": ["M", "M", "M", "N"],
            "unit_type_id": ["util_heli", "util_heli", "med_l2", "util_heli"],
            "units": [1, 2, 1, 1],
            "counts_from": pd.to_datetime(["2018-10-01", "2019-07-01", "2018-08-01", "2018-08-01"]),
            "end": pd.to_datetime(["2019-06-01"] * 4),
        }
    )
    units = plan_additions(a, "M", pd.Timestamp("2019-06-01"))
    assert units == {"util_heli": 1, "med_l2": 1}
    reader = AccessContext("UN-DPO", Classification.CONFIDENTIAL)
    assert additions_as_assets(units, asset_catalogue(reader)) == (
        {"utility_helicopter": 3},
        {"med_l2": 1},
    )


def test_every_bundled_risk_layer_states_its_years_and_is_a_probability() -> None:
    for mission in poc_mandates()["mission_id"]:
        found = bundled_risk(mission)
        assert found is not None, mission
        cells, meta = found
        assert (meta["target_year"], meta["first_year"], meta["last_year"]) == (2018, 1995, 2017)
        assert cells["risk"].between(0, 1).all()
        assert cells["cell_id"].is_unique


@pytest.mark.slow
def test_the_bundled_unifil_layer_is_the_early_warning_recomputed() -> None:
    found = bundled_risk("UNIFIL")
    assert found is not None
    risk, note = mission_risk("LBN", bundled_events(), 2018)
    assert "1995-2017" in note
    merged = found[0].merge(risk, on="cell_id", suffixes=("", "_now"))
    assert len(merged) == len(found[0]) == len(risk)
    assert np.allclose(merged["risk"], merged["risk_now"], atol=1e-6)
