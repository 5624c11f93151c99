"""Costs as the UN pays them, hand-computed (the derivations are in the comments).

The rules live in :mod:`bluehelmet.statistics.money`; the planner's tour costs and budget rows
(:func:`bluehelmet.forcegen.data.tour_month_cost`) call them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bluehelmet import AccessContext
from bluehelmet.forcegen import PlanOptions, plan
from bluehelmet.forcegen.data import prepare, tour_month_cost
from bluehelmet.forcegen.formulation import committed
from bluehelmet.forcegen.generate import random_scenario
from bluehelmet.statistics import money
from tests.forcegen.tiny import pledge, tiny

READER = AccessContext.public()


def run(s):  # noqa: ANN001, ANN201
    options = PlanOptions(smart_pledging=False, sensitivities=False).with_solve(
        time_limit=None, mip_rel_gap=0.0
    )
    return plan(s.view(READER), options)


def test_rules_by_hand() -> None:
    units = pd.DataFrame(
        {
            "equipment_monthly_usd": [5_000.0, np.nan],
            "aviation_monthly_usd": [10_000.0, np.nan],
            "flying_hours_per_month": [20.0, np.nan],
            "usd_per_flying_hour": [1_500.0, 3_900.0],
        }
    )
    # Letter of assist: 10,000 fixed + 20 h x 1,500 = 40,000; plus 5,000 wet lease.
    assert list(money.aviation_monthly_cost(units)) == [40_000.0, 0.0]
    assert list(money.fixed_monthly_cost(units)) == [45_000.0, 0.0]
    # Troops and formed police at the troop rate, individual officers at MSA.
    rate = money.person_rate(
        ["troops", "formed_police", "individual_police", "staff_officers_observers"],
        1_428.0,
        4_500.0,
    )
    assert list(rate) == [1_428.0, 1_428.0, 4_500.0, 4_500.0]
    assert money.monthly_cost(850.0, 1_428.0, 650_000.0) == 850 * 1_428 + 650_000
    # Emplacement one way: 3 lift moves x 600,000; 10 individual officers x 2,000.
    assert list(money.deployment_cost([80, 10], [3, 0], 600_000.0, 2_000.0)) == [
        1_800_000.0,
        20_000.0,
    ]


def test_budget_periods_by_account() -> None:
    months = pd.to_datetime(["2018-06-01", "2018-07-01", "2019-12-01", "2020-01-01", "2020-07-01"])
    assert list(money.budget_period("peacekeeping", months)) == [
        "2017/18",
        "2018/19",
        "2019/20",
        "2019/20",
        "2020/21",
    ]
    # The regular budget: the biennium 2018-2019, annual from 2020 (GA res. 72/266 A).
    assert list(money.budget_period("regular_budget", months)) == [
        "2018-2019",
        "2018-2019",
        "2018-2019",
        "2020",
        "2020",
    ]
    budgets = pd.DataFrame(
        {"headroom_usd": [5.0, np.nan, np.nan], "approved_usd": [100.0, 100.0, np.nan]}
    )
    got = money.budget_headroom(budgets, 0.1)
    assert list(got[:2]) == [5.0, 10.0] and np.isnan(got[2])


def test_emplacement_and_repatriation_of_new_units_not_of_self_rotation() -> None:
    # 1 unit needed for 12 months (hand-over 1 month, weight 10), one lift move of US$100,000
    # each way. A relieves itself in place after 6 months (one tour with 2 rotations: the unit
    # stays, its personnel rotate), so only July is short and the tour is present all 12
    # months: 12 x 100 persons x US$1,000 = US$1.2 m, plus one emplacement and one
    # repatriation (US$0.2 m); the rotation inside the tour costs no emplacement.
    r = run(tiny([pledge("A"), pledge("B")], lift_move_usd=100_000.0))
    assert r.summary.objective == pytest.approx(10.0)
    tours = r.assignments
    assert len(tours) == 1 and tours["rotations"].iloc[0] == 2
    assert tours["cost_usd"].iloc[0] == pytest.approx(1.2e6 + 0.2e6)
    assert r.summary.total_cost_usd == pytest.approx(1.4e6)
    assert r.costs["cost_usd"].sum() == pytest.approx(1.4e6)
    # Two new units in succession (no self-rotation: each offer ends after one tour) pay both
    # ways each: tours July-December and December-May (counted August-May), then the 12th
    # month is short; 6 + 6 unit-months x US$100,000 + 4 x US$100,000 = US$1.6 m.
    s = tiny([pledge("A"), pledge("B", available_from="2018-12-01")], lift_move_usd=100_000.0)
    s.tables["pledges"] = s.tables["pledges"].assign(
        available_until=pd.to_datetime(["2018-12-31", "2019-05-31"])
    )
    r = run(s)
    assert r.summary.objective == pytest.approx(20.0)
    assert list(r.assignments.sort_values("start")["cost_usd"]) == pytest.approx([0.8e6, 0.8e6])


def individual_officers(s):  # noqa: ANN001, ANN201
    s.tables["unit_types"] = s.tables["unit_types"].assign(
        personnel_category="individual_police", lift_moves=0
    )
    s.tables["gender_targets"] = s.tables["gender_targets"].assign(
        personnel_category="individual_police"
    )
    return s


def test_individual_officers_at_mission_subsistence_allowance() -> None:
    # 100 individual police, one pledge of 12-month tours, 12 months required: one tour from
    # July 2018 (counted from August; July is short, weight 10). 12 months x 100 x MSA 4,500 =
    # US$5.4 m, not the troop rate; emplacement and repatriation by commercial travel,
    # 2 x 100 x 2,000 = US$0.4 m.
    s = individual_officers(
        tiny(
            [pledge("A", rotation=12)],
            msa_usd_per_person_month=4_500.0,
            travel_usd_per_person=2_000.0,
        )
    )
    r = run(s)
    assert r.summary.objective == pytest.approx(10.0)
    assert r.summary.total_cost_usd == pytest.approx(5.8e6)


def test_regular_budget_mission_is_kept_out_of_the_peacekeeping_accounts() -> None:
    # The same unit in a regular-budget mission over 24 months from July 2018: its cost falls in
    # the biennium 2018-2019 (18 months) and the year 2020 (6 months), never in 2018/19.
    s = tiny([pledge("A", rotation=24)], requirement_months=24, horizon_months=24)
    s.tables["missions"] = s.tables["missions"].assign(budget_account="regular_budget")
    s.tables["budgets"] = s.tables["budgets"].assign(fiscal_year=["2018-2019", "2020"])
    r = run(s)
    costs = r.costs.set_index("fiscal_year")
    assert set(costs.index) == {"2018-2019", "2020"}
    assert (costs["account"] == "regular_budget").all()
    # 100 persons x US$1,000 a month (no emplacement cost in the tiny case).
    assert costs.loc["2018-2019", "cost_usd"] == pytest.approx(18 * 100_000)
    assert costs.loc["2020", "cost_usd"] == pytest.approx(6 * 100_000)


def test_headroom_is_the_stated_share_of_the_approved_budget() -> None:
    # test_known_optima's binding budget (US$1.0 m = 10 unit-months: one unit relieving itself,
    # September - June, counted from October; 3 short x 10 = 30), stated as 10 % of an approved
    # US$10 m instead of a headroom figure.
    s = tiny([pledge("A"), pledge("B")], budget_headroom_share=0.1)
    s.tables["budgets"] = s.tables["budgets"].assign(headroom_usd=np.nan, approved_usd=10e6)
    r = run(s)
    assert r.summary.objective == pytest.approx(30.0)
    assert r.summary.total_cost_usd == pytest.approx(1.0e6)


def test_tour_cost_is_the_sum_of_its_monthly_costs() -> None:
    s = random_scenario(n_missions=3, n_months=12, n_pledges=40, n_unit_types=5, seed=7)
    d, _ = prepare(s)
    k, t = committed(d)
    per_tour = np.bincount(k, weights=tour_month_cost(d, k, t), minlength=len(d.candidates))
    assert per_tour == pytest.approx(d.candidates["cost"].to_numpy(), rel=1e-12)
