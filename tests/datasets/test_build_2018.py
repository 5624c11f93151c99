"""The builder of the ``2018`` scenario (``tools/build_scenario_2018.py``): reproducible, and its
rules give the hand-computed answers on tiny cases."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bluehelmet.model.access import Classification
from bluehelmet.model.marking import read_marking
from bluehelmet.scenario.io import resolve_scenario_path

TOOLS = Path(__file__).resolve().parents[2] / "tools"


@pytest.fixture(scope="module")
def builder() -> ModuleType:
    # The builder is a development tool that lives beside the package, not in it.
    sys.path.insert(0, str(TOOLS))
    try:
        return importlib.import_module("build_scenario_2018")
    finally:
        sys.path.remove(str(TOOLS))


@pytest.fixture(scope="module")
def plans(builder: ModuleType) -> ModuleType:
    return sys.modules["scenario2018_plans"]


def test_builder_reproduces_the_bundled_files(builder: ModuleType, tmp_path: Path) -> None:
    assert builder.main(["--out", str(tmp_path)]) == 0
    bundled = resolve_scenario_path("2018")
    names = sorted(p.name for p in bundled.iterdir() if p.suffix in (".csv", ".toml"))
    assert names == sorted(
        p.name for p in tmp_path.iterdir() if not p.name.endswith(".marking.json")
    )
    # The builder's output holds confidential pledges and requirements, and says so.
    assert read_marking(tmp_path / "pledges.csv") == Classification.CONFIDENTIAL
    for name in names:
        assert (tmp_path / name).read_bytes() == (bundled / name).read_bytes(), name


def test_strength_gap_hand_computed(plans: ModuleType) -> None:
    missions = pd.DataFrame(
        {
            "id": ["MINUSMA", "UNIFIL"],
            "authorised_troops": [1700, 15000],
            "authorised_police": [300, 0],
        }
    )
    deployments = pd.DataFrame(
        {"mission_id": ["MINUSMA", "UNIFIL"], "women": [0, 0], "men": [0, 100]}
    )
    units = pd.DataFrame({"id": ["inf_bn", "fpu"], "personnel": [850, 140]})
    gaps = plans.strength_gaps(missions, deployments, units).set_index("unit_type_id")
    # gap 2,000 = 1,700 military (2 battalions of 850) + 300 police (300/140 = 2.14 -> 2 FPUs);
    # UNIFIL's ceiling is not treated as a need
    assert gaps["count"].to_dict() == {"inf_bn": "2", "fpu": "2"}
    assert set(gaps["mission_id"]) == {"MINUSMA"}


def test_illustrative_attributes_are_deterministic(plans: ModuleType) -> None:
    row = pd.Series({"pcrs_level": "", "women_share": "", "national_restrictions": ""})
    a = plans.illustrative_attributes("PLG-X-inf_bn-01", row, "infantry", 0.05, "large", "12")
    b = plans.illustrative_attributes("PLG-X-inf_bn-01", row, "infantry", 0.05, "large", "12")
    assert a == b
    assert a["rotation_months"] == "12" and a["women_share"] == "0.05"
    # The rotation is the rotation_periods table's (passed in), not a rule by region.
    medical = plans.illustrative_attributes("PLG-X-med_l2-01", row, "medical", 0.05, "small", "6")
    assert medical["rotation_months"] == "6" and medical["women_share"] == "0.1"


def test_illustrative_pledges_rotate_as_the_rotation_periods_table_says() -> None:
    from bluehelmet import load_scenario

    s = load_scenario("2018")
    table = s.tables["rotation_periods"]
    pledges = s.pledges[s.pledges["basis"] == "illustrative"]
    for _, p in pledges.iterrows():
        own = table[
            (table["unit_type_id"] == p["unit_type_id"])
            & (table["contributor_id"].fillna("") == p["contributor_id"])
        ]
        row = (
            own
            if len(own)
            else table[
                (table["unit_type_id"] == p["unit_type_id"]) & table["contributor_id"].isna()
            ]
        )
        assert int(p["rotation_months"]) == int(row["rotation_months"].iloc[0]), p["id"]
        assert f"rotation from rotation_periods {row['id'].iloc[0]}" in p["source"], p["id"]


@given(
    st.sampled_from(["troops", "staff_officers_observers", "formed_police", "individual_police"]),
    st.integers(2018, 2027),
)
def test_ugps_targets_rise_and_stay_below_the_2028_target(category: str, year: int) -> None:
    sys.path.insert(0, str(TOOLS))
    try:
        builder = importlib.import_module("build_scenario_2018")
    finally:
        sys.path.remove(str(TOOLS))
    this, _, _ = builder.ugps_target(category, year)
    after, _, _ = builder.ugps_target(category, year + 1)
    final, basis, _ = builder.ugps_target(category, 2028)
    assert this <= after <= final and basis == "real"
    assert 0 < this < 1
