"""Attack helicopters, formed police units and ISR in the protection model: hand-computed cases.

Every figure comes from the bundled catalogue (``asset_types.csv``, ``unit_assets.csv``,
``isr_detection.csv``) and is recomputed here by hand from its stated parameters.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from bluehelmet.model.access import AccessContext
from bluehelmet.protect.force import (
    _assets,
    additions_as_assets,
    asset_catalogue,
    detection_share,
    isr_detection,
    isr_sites,
)
from bluehelmet.protect.problem import NIGHT_SHARE, CoverageProblem
from bluehelmet.protect.solve import today
from tests.protect.helpers import KM_PER_DEG

#: Area of a 0.5 degree cell on the equator, km^2.
CELL_KM2 = (0.5 * KM_PER_DEG) ** 2


@pytest.fixture(scope="module")
def catalogue() -> pd.DataFrame:
    return asset_catalogue(AccessContext.public())


def _one_cell(lon: float, risk: float = 1.0) -> pd.DataFrame:
    return pd.DataFrame({"cell_id": ["c"], "longitude": [lon], "latitude": [0.0], "risk": [risk]})


def _base(airfield: bool) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "site_id": ["base"],
            "name": ["Base"],
            "longitude": [0.0],
            "latitude": [0.0],
            "existing": [True],
            "airfield": [airfield],
        }
    )


def test_units_in_place_become_attack_helicopters_fpus_and_no_isr_responder() -> None:
    sites = pd.DataFrame({"site_id": ["g", "t"], "name": ["Gao", "Timbuktu"]})
    units = pd.DataFrame(
        {
            "unit_type_id": ["attack_heli", "attack_heli", "fpu", "isr_uas"],
            "contributor_id": ["DEU", "SLV", "SEN", "DEU"],
            "count": [1, 1, 2, 1],
            "location": ["Gao", "Timbuktu", "Timbuktu", "Gao"],
            "other_locations": [None, None, None, None],
        }
    )
    notes: list[str] = []
    skipped: dict[str, int] = {}
    fixed = _assets(units, sites, notes, skipped).set_index(["site_id", "asset_type_id"])["count"]
    # Germany's Tiger fly at night, El Salvador's unit is counted by day; 3 aircraft per unit;
    # each formed police unit one formation; the UAS watches but does not respond.
    assert fixed.to_dict() == {
        ("g", "attack_helicopter"): 3,
        ("t", "attack_helicopter_day"): 3,
        ("t", "formed_police_unit"): 2,
    }
    assert skipped == {"isr_uas": 1}


def test_plan_units_of_attack_helicopters_and_fpus_become_assets(catalogue: pd.DataFrame) -> None:
    assets, other = additions_as_assets({"attack_heli": 2, "fpu": 1, "isr_uas": 1}, catalogue)
    assert assets == {"attack_helicopter": 6, "formed_police_unit": 1}
    assert other == {"isr_uas": 1}


@pytest.mark.parametrize(
    ("asset", "night"), [("attack_helicopter", True), ("attack_helicopter_day", False)]
)
def test_attack_helicopters_reach_a_cell_by_day_and_night_as_their_capability(
    catalogue: pd.DataFrame, asset: str, night: bool
) -> None:
    # A cell 100 km east of an airfield: 30 min notice + 100 km at 240 km/h = 55 min < 120 min.
    # Three aircraft, each ready 2 of 3 (day only: x (1 - night share)); the model counts at
    # most max_backup = 3 of them: 1 - (1 - p)^3.
    row = catalogue.loc[asset]
    assert (row["speed_kmh"], row["mobilisation_minutes"], row["availability"]) == (240, 30, 0.667)
    problem = CoverageProblem(
        _one_cell(100 / KM_PER_DEG),
        _base(airfield=True),
        catalogue.loc[[asset]],
        pd.DataFrame({"site_id": ["base"], "asset_type_id": [asset], "count": [3]}),
        response_minutes=120.0,
        within_cell_km=0.0,
    )
    p = 0.667 if night else 0.667 * (1 - NIGHT_SHARE)
    assert today(problem).covered_value == pytest.approx(1 - (1 - p) ** 3, abs=1e-9)
    # 230 km away it is beyond the 200 km radius of action: nothing.
    far = CoverageProblem(
        _one_cell(230 / KM_PER_DEG),
        _base(airfield=True),
        catalogue.loc[[asset]],
        problem.fixed,
        response_minutes=600.0,
        within_cell_km=0.0,
    )
    assert today(far).covered_value == 0.0


def test_a_formed_police_unit_covers_its_road_patrol_radius(catalogue: pd.DataFrame) -> None:
    # An FPU at the centre of an equatorial cell with a 20 min response time (less than its
    # 30 min notice: its response reaches nothing): its 15 km patrol radius covers
    # pi 15^2 / 55.6^2 = 0.2287 of the cell.
    assert catalogue.at["formed_police_unit", "patrol_km"] == 15
    problem = CoverageProblem(
        _one_cell(0.0),
        _base(airfield=False),
        catalogue.loc[["formed_police_unit"]],
        pd.DataFrame({"site_id": ["base"], "asset_type_id": ["formed_police_unit"], "count": [1]}),
        response_minutes=20.0,
        within_cell_km=21.0,
    )
    expected = math.pi * 15.0**2 / CELL_KM2
    assert expected == pytest.approx(0.2287, abs=1e-4)
    assert today(problem).covered_value == pytest.approx(expected, abs=0.005)


def test_isr_detection_is_the_risk_within_the_watched_radius() -> None:
    # A UAS at Gao watches 250 km: cells at 40 km (risk 1) and 240 km (risk 2) are watched, the
    # one at 300 km (risk 3) is not: 3 / 6 of the risk. A reconnaissance company (50 km) alone
    # watches only the first: 1 / 6.
    radius = isr_detection()["radius_km"]
    assert (radius["isr_uas"], radius["recce_isr_coy"]) == (250, 50)
    cells = pd.DataFrame(
        {
            "cell_id": ["a", "b", "c"],
            "longitude": [d / KM_PER_DEG for d in (40.0, 240.0, 300.0)],
            "latitude": [0.0, 0.0, 0.0],
            "risk": [1.0, 2.0, 3.0],
        }
    )
    sites = _base(airfield=True).assign(name="Gao")
    for unit, expected in (("isr_uas", 0.5), ("recce_isr_coy", 1 / 6)):
        units = pd.DataFrame({"unit_type_id": [unit], "count": [1], "location": ["Gao"]})
        assert detection_share(cells, isr_sites(units, sites)) == pytest.approx(expected)
    none = pd.DataFrame({"unit_type_id": ["inf_bn"], "count": [1], "location": ["Gao"]})
    assert detection_share(cells, isr_sites(none, sites)) == 0.0
