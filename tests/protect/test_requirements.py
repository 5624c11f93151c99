"""Requirements for the force planner from the recommended additions."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from bluehelmet.errors import DataError
from bluehelmet.model.access import AccessContext
from bluehelmet.protect import apply_requirements, requirements_from
from bluehelmet.protect.inputs import data_path, read_table
from bluehelmet.scenario.io import load_scenario


@pytest.fixture(scope="module")
def scenario():  # type: ignore[no-untyped-def]
    return load_scenario("2018")


def _assets() -> pd.DataFrame:
    return read_table(
        data_path("asset_types.csv"), "asset_types", AccessContext.public()
    ).set_index("id")


def test_assets_become_whole_units_of_the_catalogue(scenario) -> None:  # type: ignore[no-untyped-def]
    steps = pd.DataFrame(
        {
            "asset_type_id": ["utility_helicopter", "utility_helicopter", "quick_reaction_force"],
            "assets_added": [3, 1, 1],
        }
    )
    reqs = requirements_from(
        steps,
        _assets(),
        "MINUSMA",
        dt.date(2018, 7, 1),
        dt.date(2020, 6, 30),
        unit_types=scenario.unit_types,
        source="test",
    )
    by_unit = reqs.set_index("unit_type_id")
    assert by_unit.at["util_heli", "count"] == 2  # 4 helicopters at 3 per unit -> 2 units
    assert by_unit.at["qrf_coy", "count"] == 1
    assert set(reqs["priority"]) == {"critical"}  # both unit types are critical capabilities
    assert set(reqs["basis"]) == {"derived"}
    assert (reqs["start"] == pd.Timestamp("2018-07-01")).all()


def test_apply_requirements_extends_or_replaces(scenario) -> None:  # type: ignore[no-untyped-def]
    steps = pd.DataFrame({"asset_type_id": ["quick_reaction_force"], "assets_added": [1]})
    reqs = requirements_from(
        steps,
        _assets(),
        "MINUSMA",
        dt.date(2018, 7, 1),
        dt.date(2020, 6, 30),
        unit_types=scenario.unit_types,
        source="test",
    )
    more = apply_requirements(scenario, reqs)
    assert len(more.requirements) == len(scenario.requirements) + 1
    assert more.validate() == []
    again = apply_requirements(more, reqs)  # same id: replaced, not duplicated
    assert len(again.requirements) == len(more.requirements)
    only = apply_requirements(scenario, reqs, replace=True)
    assert list(only.requirements["id"]) == list(reqs["id"])
    assert len(scenario.requirements) == len(load_scenario("2018").requirements)  # unchanged


def test_unknown_unit_type_is_a_clear_error(scenario) -> None:  # type: ignore[no-untyped-def]
    assets = _assets()
    assets.loc["quick_reaction_force", "unit_type_id"] = "no_such_unit"
    steps = pd.DataFrame({"asset_type_id": ["quick_reaction_force"], "assets_added": [1]})
    reqs = requirements_from(
        steps, assets, "MINUSMA", dt.date(2018, 7, 1), dt.date(2020, 6, 30), source="test"
    )
    with pytest.raises(DataError, match="unit_type_id.*no_such_unit.*no record"):
        apply_requirements(scenario, reqs)


def test_asset_type_without_unit_type_cannot_be_requested() -> None:
    assets = _assets()
    assets.loc["quick_reaction_force", "unit_type_id"] = pd.NA
    steps = pd.DataFrame({"asset_type_id": ["quick_reaction_force"], "assets_added": [1]})
    with pytest.raises(DataError, match="cannot be requested"):
        requirements_from(
            steps, assets, "MINUSMA", dt.date(2018, 7, 1), dt.date(2020, 6, 30), source="test"
        )
