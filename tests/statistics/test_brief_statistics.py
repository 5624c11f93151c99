"""Statistics behind the brief: gender traffic lights, money, coverage, provenance."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bluehelmet.model.access import AccessContext, Classification
from bluehelmet.scenario.core import Scenario, ScenarioView
from bluehelmet.scenario.io import load_scenario
from bluehelmet.statistics import coverage, gender, money, provenance

TINY = Path(__file__).parents[1] / "brief" / "data" / "tiny"
PUBLIC = AccessContext.public()


@pytest.fixture(scope="module")
def raw() -> Scenario:
    return load_scenario(TINY)


@pytest.fixture(scope="module")
def tiny(raw: Scenario) -> ScenarioView:
    return raw.view(PUBLIC)


def test_targets_declared_interpolated_and_nearest(tiny: ScenarioView) -> None:
    t2018 = gender.ugps_targets(tiny, 2018)
    assert t2018.loc["troops", "target_share"] == 0.05
    # The fixture's rows are illustrative: never called "declared".
    assert t2018.loc["troops", "basis"] == "illustrative"
    t2021 = gender.ugps_targets(tiny, 2021)  # 0.05 + 3/10 of (0.15 - 0.05)
    assert t2021.loc["troops", "target_share"] == pytest.approx(0.08)
    assert t2021.loc["troops", "basis"] == "interpolated"
    t2030 = gender.ugps_targets(tiny, 2030)
    assert t2030.loc["individual_police", "target_share"] == 0.30
    assert t2030.loc["individual_police", "basis"] == "nearest year"


@given(
    women=st.integers(0, 1000),
    men=st.integers(0, 1000),
    target=st.floats(0.0, 1.0, allow_nan=False),
)
def test_light_rules(women: int, men: int, target: float) -> None:
    if women + men == 0:
        return
    share = women / (women + men)
    light = gender.light_for(women, share, target)
    assert (light == "red") == (women == 0)
    assert (light == "green") == (women > 0 and share >= target - 1e-12)


def test_confidential_deployments_are_not_counted_for_a_public_reader(raw: Scenario) -> None:
    secret = raw.copy()
    dep = secret.tables["deployments"]
    row = dep.index[dep["id"] == "D4"][0]  # China's 400 troops in MINUSMA, no women
    dep.loc[row, "classification"] = "confidential"
    dep.loc[row, "owner"] = "UN-DPO"
    public = gender.traffic_lights(secret.view(PUBLIC))
    assert "CHN|troops" not in set(public["contributor_id"] + "|" + public["personnel_category"])
    cleared = gender.traffic_lights(
        secret.view(AccessContext("UN-DPO", Classification.CONFIDENTIAL))
    )
    chn = cleared.loc[
        (cleared["contributor_id"] == "CHN") & (cleared["personnel_category"] == "troops")
    ]
    assert chn["light"].tolist() == ["red"] and chn["total"].tolist() == [400]


def test_pooled_deployments_get_no_light_against_another_components_target(raw: Scenario) -> None:
    pooled = raw.copy()
    pooled.tables["deployments"]["personnel_type"] = "uniformed"
    lights = gender.traffic_lights(pooled.view(PUBLIC))
    assert set(lights["personnel_category"]) == {gender.POOLED}
    assert lights["target_share"].isna().all()
    assert (lights["light"] == "none").all()
    assert (lights["target_basis"] == gender.NO_COMPONENT).all()
    nld = lights.set_index("contributor_id").loc["NLD"]
    assert (nld["women"], nld["total"]) == (30, 262)
    counts = gender.traffic_light_counts(lights)
    assert counts.loc[gender.POOLED, ["green", "yellow", "red"]].sum() == 0
    assert counts.loc[gender.POOLED, "none"] == counts.loc[gender.POOLED, "contributors"]


def test_target_basis_comes_from_the_rows(raw: Scenario) -> None:
    scen = raw.copy()
    t = scen.tables["gender_targets"]
    t.loc[t["id"] == "G1", ["basis", "source"]] = ["real", "UGPS 2018-2028"]
    t.loc[t["id"] == "G2", ["basis", "source"]] = ["assumed", "assumed: linear interpolation"]
    t.loc[t["id"] == "G3", ["basis", "source"]] = ["assumed", "assumed starting point"]
    targets = gender.ugps_targets(scen.view(PUBLIC), 2018)
    assert targets.loc["troops", "basis"] == "declared"
    assert targets.loc["staff_officers_observers", "basis"] == "interpolated"
    assert targets.loc["formed_police", "basis"] == "assumed"


def test_2018_targets_are_labelled_by_basis() -> None:
    view = load_scenario("2018").view(PUBLIC)
    t2018 = gender.ugps_targets(view, 2018)
    rows = view.tables["gender_targets"]
    rows = rows.loc[rows["year"].astype(int) == 2018].set_index("personnel_category")
    for category, row in t2018.iterrows():
        expected = (
            "declared"
            if rows.loc[category, "basis"] == "real"
            else ("interpolated" if "interpolation" in rows.loc[category, "source"] else "assumed")
        )
        assert row["basis"] == expected, category
    assert (t2018["basis"] != "declared").all()  # no 2018 target is published by the UGPS
    assert t2018.loc["individual_police", "basis"] == "assumed"


def test_trend_marks_incomplete_years() -> None:
    rows = pd.DataFrame(
        {
            "year": [2016, 2016, 2017],
            "women": [3.0, 1.0, 1.0],
            "men": [97.0, 99.0, 9.0],
            "total": [100.0, 100.0, 10.0],
            "complete_year": [True, True, False],
        }
    )
    trend = gender.women_share_trend(rows)
    assert trend.loc[2016, "women_share"] == pytest.approx(0.02)
    assert bool(trend.loc[2017, "complete_year"]) is False
    assert trend.loc[2017, "women_share"] == pytest.approx(0.1)


def test_unit_costs_and_rate_in_force(tiny: ScenarioView) -> None:
    assert money.rate_in_force(tiny, "2018-06-30") == 1410
    assert money.rate_in_force(tiny, "2018-07-01") == 1428
    assert money.rate_in_force(tiny, "2000-01-01") == 1410  # before the first: the first
    cost = money.unit_monthly_cost(tiny, "2018-07-01")
    assert cost.loc["UH", "total_usd"] == 90 * 1428 + 50_000 + 1_200_000
    assert cost.loc["INF", "aviation_usd"] == 0


def test_cost_against_budget(tiny: ScenarioView) -> None:
    costs = pd.DataFrame(
        {
            "mission_id": ["MINUSMA", "UNMISS"],
            "fiscal_year": ["2018/19"] * 2,
            "cost_usd": [10e6, 25e6],
        }
    )
    table = money.cost_vs_budget(costs, tiny).set_index("mission_id")
    assert table.loc["MINUSMA", "headroom_used"] == pytest.approx(0.25)
    assert not table.loc["MINUSMA", "over_budget"]
    assert table.loc["UNMISS", "over_budget"]
    totals = money.mission_cost_totals(table.reset_index())
    assert totals.loc["UNMISS", "headroom_used"] == pytest.approx(1.25)


def _coverage() -> pd.DataFrame:
    months = pd.date_range("2018-07-01", periods=3, freq="MS")
    return pd.DataFrame(
        {
            "mission_id": ["MINUSMA"] * 6,
            "unit_type_id": ["UH"] * 3 + ["INF"] * 3,
            "month": list(months) * 2,
            "required": [2, 2, 2, 1, 1, 1],
            "covered": [0, 1, 3, 1, 1, 1],
        }
    )  # 3 > 2 required: capped


def test_gap_table_and_headline(tiny: ScenarioView) -> None:
    gaps = coverage.gap_table(_coverage(), tiny).set_index("unit_type_id")
    assert gaps.loc["UH", "required_unit_months"] == 6
    assert gaps.loc["UH", "covered_unit_months"] == 3  # 0 + 1 + 2 (capped)
    assert gaps.loc["UH", "first_unmet_month"] == pd.Timestamp("2018-07-01")
    assert gaps.loc["UH", "critical_group"] == "Helicopters"
    assert pd.isna(gaps.loc["INF", "critical_group"])
    assert list(gaps.index) == ["UH", "INF"]  # critical first
    head = coverage.coverage_headline(_coverage(), tiny)
    assert head["share_closed"] == pytest.approx(6 / 9)
    assert head["critical_share_closed"] == pytest.approx(0.5)
    assert (head["gaps_open"], head["gaps_closed"]) == (1, 1)
    costs = money.gap_costs(coverage.gap_table(_coverage(), tiny), tiny, "2018-07-01")
    assert costs["cost_to_close_usd"].tolist() == [3 * (90 * 1428 + 50_000 + 1_200_000)]


def test_critical_groups_all_present(tiny: ScenarioView) -> None:
    crit = coverage.critical_coverage_by_month(_coverage(), tiny)
    assert set(crit["group"]) == set(coverage.CRITICAL_GROUPS)
    heli = crit.loc[crit["group"] == "Helicopters"]
    assert heli["covered_after"].tolist() == [0, 1, 2]
    assert np.isnan(coverage.share_closed_by(crit, "group")["Medical"])


def test_provenance(tiny: ScenarioView) -> None:
    basis = provenance.basis_by_table(tiny)
    assert basis["not_real_share"].eq(1.0).all()
    assert provenance.highest_classification(tiny) == Classification.UNCLASSIFIED
    assumed = provenance.assumed_parameters(tiny)
    assert "handover_months" in set(assumed["parameter"])
    assert "planning_start" not in set(assumed["parameter"])
