"""Fixtures: the hand-built ``tiny`` scenario and a hand-built plan for it with known answers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from bluehelmet.brief.assemble import BriefOptions
from bluehelmet.brief.make import BriefFiles, make_brief
from bluehelmet.forcegen.result import Plan, PlanSummary, ReaderSummary
from bluehelmet.model.access import AccessContext, Classification
from bluehelmet.scenario.core import Scenario
from bluehelmet.scenario.io import bundled_scenarios, load_scenario

TINY = Path(__file__).parent / "data" / "tiny"
MONTHS = pd.date_range("2018-07-01", periods=12, freq="MS")

# The hand-made plan: (pledge, contributor, mission, unit type, first month, last month).
TOURS = [
    ("P1", "NLD", "MINUSMA", "UH", "2019-02-01", "2019-06-01"),
    ("P3", "BGD", "MINUSMA", "MED", "2018-10-01", "2019-06-01"),
    ("P2", "SEN", "UNMISS", "INF", "2018-11-01", "2019-06-01"),
    ("P5", "BGD", "UNMISS", "UH", "2019-01-01", "2019-06-01"),
]
UNIT_COST = {  # personnel x 1,428 + equipment + aviation, USD per month
    "UH": 90 * 1428 + 50_000 + 1_200_000,
    "ISR": 70 * 1428 + 40_000,
    "MED": 57 * 1428 + 60_000,
    "INF": 850 * 1428 + 400_000,
}


@pytest.fixture(scope="session")
def reader() -> AccessContext:
    return AccessContext("UN-DPO", Classification.CONFIDENTIAL)


@pytest.fixture(scope="session")
def tiny() -> Scenario:
    return load_scenario(TINY)


def _coverage(scenario: Scenario) -> pd.DataFrame:
    rows = []
    for req in scenario.requirements.itertuples():
        for month in MONTHS:
            need = req.count if pd.Timestamp(req.start) <= month <= pd.Timestamp(req.end) else 0
            have = sum(
                1
                for _, _, m, u, a, b in TOURS
                if m == req.mission_id
                and u == req.unit_type_id
                and pd.Timestamp(a) <= month <= pd.Timestamp(b)
            )
            rows.append(
                {
                    "mission_id": req.mission_id,
                    "unit_type_id": req.unit_type_id,
                    "month": month,
                    "required": need,
                    "covered": min(have, need),
                }
            )
    return pd.DataFrame(rows)


def tiny_summary(total_cost_usd: float) -> PlanSummary:
    """A hand-made solver summary (the figures the brief prints)."""
    return PlanSummary(
        scenario="tiny",
        marking="unclassified",
        reader=ReaderSummary("UN-DPO", "confidential"),
        objective=123.0,
        objective_name="weighted unmet requirement-months",
        stages=(),
        status="optimal",
        mip_gap=0.0,
        mip_gap_all_stages=0.0,
        solve_seconds=0.05,
        build_seconds=0.01,
        unmet_requirement_months=48.0,
        weighted_unmet_requirement_months=123.0,
        required_requirement_months=96.0,
        total_cost_usd=total_cost_usd,
        units_deployed=4,
        in_place_requirement_months=0.0,
        required_person_months=9600.0,
        in_place_person_months=0.0,
        planned_person_months=4800.0,
        unmet_person_months=4800.0,
        required_aircraft_months=0.0,
        in_place_aircraft_months=0.0,
        planned_aircraft_months=0.0,
        unmet_aircraft_months=0.0,
        units_in_place=0,
        ceiling_excess_months=0,
        pledges=6,
        pledges_used=4,
        candidate_tours=20,
        greedy_objective=123.0,
        greedy_gap_to_optimum=0.0,
        gender_mode="soft",
        missions_without_budget_rows=(),
        horizon_start="2018-07",
        horizon_months=12,
        uses_illustrative_data=True,
        notice="",
    )


@pytest.fixture(scope="session")
def tiny_plan(tiny: Scenario, reader: AccessContext) -> Plan:
    assignments = pd.DataFrame(
        TOURS, columns=["pledge_id", "contributor_id", "mission_id", "unit_type_id", "start", "end"]
    )
    assignments["start"] = pd.to_datetime(assignments["start"])
    assignments["end"] = pd.to_datetime(assignments["end"])
    assignments["units"] = 1
    months = (
        (assignments["end"].dt.year - assignments["start"].dt.year) * 12
        + assignments["end"].dt.month
        - assignments["start"].dt.month
        + 1
    )
    cost = assignments.assign(
        cost_usd=months * assignments["unit_type_id"].map(UNIT_COST), fiscal_year="2018/19"
    )
    costs = cost.groupby(["mission_id", "fiscal_year"], as_index=False)["cost_usd"].sum()
    note = pd.DataFrame(
        {
            "requirement_id": ["R1", "R2", "R3"],
            "mission_id": ["MINUSMA", "MINUSMA", "UNMISS"],
            "unit_type_id": ["ISR", "UH", "UH"],
            "capability": ["isr", "aviation", "aviation"],
            "status": ["current"] * 3,
            "units": [1, 1, 1],
            "rank": [1, 2, 3],
            "replaces": ["", "", ""],
            "time_from": pd.to_datetime(["2018-07-01", "2018-07-01", "2018-07-01"]),
            "unit_months_short": [12.0, 7.0, 6.0],
            "closes_weighted": [120.0, 70.0, 60.0],
            "value_one_more_unit_lp": [110.0, 60.0, 50.0],
        }
    )
    gender = pd.DataFrame(
        {
            "personnel_category": ["troops"],
            "women_share": [0.06],
            "target_share": [0.05],
            "meets_target": [True],
        }
    )
    explanations = pd.DataFrame(
        {
            "pledge_id": ["P4", "P6"],
            "contributor_id": ["CHN", "AU"],
            "unit_type_id": ["INF", "INF"],
            "used": [False, False],
            "reason": ["dominated by an earlier unit", "too late"],
        }
    )
    return Plan.from_tables(
        tiny.view(reader),
        tiny_summary(float(costs["cost_usd"].sum())),
        coverage=_coverage(tiny),
        assignments=assignments,
        costs=costs,
        capability_requirements=note,
        gender=gender,
        explanations=explanations,
    )


@pytest.fixture(scope="session")
def contributions() -> pd.DataFrame:
    """A hand-made contributions table: 2010 incomplete, shares 2 %, 3 %, 4 %."""
    return pd.DataFrame(
        {
            "iso3": ["BGD", "NLD", "BGD", "NLD", "BGD"],
            "country": ["Bangladesh", "Netherlands"] * 2 + ["Bangladesh"],
            "mission_id": ["UNMISS"] * 5,
            "year": [2010, 2010, 2011, 2011, 2012],
            "women": [1.0, 1.0, 20.0, 10.0, 40.0],
            "men": [49.0, 49.0, 780.0, 190.0, 960.0],
            "total": [50.0, 50.0, 800.0, 200.0, 1000.0],
            "complete_year": [False, False, True, True, True],
        }
    )


@pytest.fixture(scope="session")
def options(contributions: pd.DataFrame) -> BriefOptions:
    return BriefOptions(contributions=contributions, generated=dt.date(2018, 7, 1))


#: Months the brief_2018 fixture plans (the budget year; the scenario's default is 24).
BRIEF_2018_HORIZON = 12


@pytest.fixture(scope="session")
def brief_2018(tmp_path_factory: pytest.TempPathFactory) -> BriefFiles:
    """The bundled 2018 brief for a UN-DPO reader with confidential clearance, made once.

    It plans the budget year 2018/19 (``horizon=12``: the scenario's default of two years is
    tested end to end by ``tests/forcegen/test_scenario_2018.py`` and the benchmarks).
    """
    if "2018" not in bundled_scenarios():
        pytest.fail("the bundled 2018 scenario is missing")
    return make_brief(
        load_scenario("2018").view(AccessContext("UN-DPO", Classification.CONFIDENTIAL)),
        tmp_path_factory.mktemp("brief-2018"),
        horizon=BRIEF_2018_HORIZON,
    )
