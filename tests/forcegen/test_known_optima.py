"""Hand-computed optima on tiny cases (the derivations are in the comments)."""

from __future__ import annotations

import pandas as pd
import pytest

from bluehelmet import AccessContext
from bluehelmet.forcegen import PlanOptions, plan
from tests.forcegen.tiny import pledge, tiny

READER = AccessContext.public()


def run(s):  # noqa: ANN001, ANN201
    options = PlanOptions(smart_pledging=False, sensitivities=False).with_solve(
        time_limit=None, mip_rel_gap=0.0
    )
    return plan(s.view(READER), options)


def test_a_contributor_relieves_itself_without_losing_months() -> None:
    # Need 1 unit for 12 months; hand-over 1 month, 6-month rotations. A relieves its own unit
    # in place (personnel rotate, the unit stays): one tour of 2 rotations, July - June, counted
    # from August, no second hand-over: only July short (weight 10); 12 unit-months at
    # 100 x US$1,000 = US$1.2 m; one deployment (July) and no repatriation within the horizon.
    r = run(tiny([pledge("A")]))
    assert r.summary.status == "optimal"
    assert r.summary.objective == pytest.approx(10.0)
    assert r.summary.total_cost_usd == pytest.approx(1.2e6)
    a = r.assignments
    assert list(a["start"].dt.strftime("%Y-%m")) == ["2018-07"]
    assert list(a["end"].dt.strftime("%Y-%m")) == ["2019-06"]
    assert a["rotations"].tolist() == [2]
    assert "Lift-moves" not in set(r.binding["constraint"])


def test_a_new_contributor_replacing_a_departing_one_overlaps_for_hand_over() -> None:
    # A's offer ends on 31 December: B, a new contributor, must deploy and take over. B arrives
    # in December (hand-over overlap with A) and counts from January: no lapse. A: July -
    # December (6 months), B: December - June (7 months): 13 unit-months, US$1.3 m; July short.
    r = run(
        tiny(
            [
                _until(pledge("A"), "2018-12-31"),
                _until(pledge("B", available_from="2018-12-01"), None),
            ]
        )
    )
    assert r.summary.objective == pytest.approx(10.0)
    assert r.summary.total_cost_usd == pytest.approx(1.3e6)
    a = r.assignments.sort_values("start")
    assert list(a["contributor_id"]) == ["A", "B"]
    assert list(a["start"].dt.strftime("%Y-%m")) == ["2018-07", "2018-12"]
    assert list(a["counts_from"].dt.strftime("%Y-%m")) == ["2018-08", "2019-01"]


def _until(row: dict[str, object], date: str | None) -> dict[str, object]:
    return {**row, "available_until": pd.Timestamp(date) if date else pd.NaT}


def test_budget_binds() -> None:
    # Same, but US$1.0 m headroom = 10 unit-months. Best use: one unit relieving itself once,
    # September - June (10 months, counted from October: 9): July - September short, 3 x 10 = 30
    # (without self-rotation two tours would lose a second hand-over month: 40).
    r = run(tiny([pledge("A"), pledge("B")], headroom=1.0e6))
    assert r.summary.objective == pytest.approx(30.0)
    assert r.summary.total_cost_usd == pytest.approx(1.0e6)
    assert r.costs["budget_binding"].any()


def test_budget_binds_when_no_unused_unit_fits_in_what_is_left() -> None:
    # US$1.05 m: still 10 unit-months (a unit-month costs US$100,000), 30 short, US$1.0 m spent:
    # 95 % of the headroom, slack US$50,000. Every unused unit (A or B in the months they are
    # free) costs at least one unit-month, more than what is left: the budget binds (knapsack
    # rule), in costs.csv and in binding.csv.
    r = run(tiny([pledge("A"), pledge("B")], headroom=1.05e6))
    assert r.summary.objective == pytest.approx(30.0)
    assert r.summary.total_cost_usd == pytest.approx(1.0e6)
    c = r.costs.set_index("fiscal_year").loc["2018/19"]
    assert c["used_share"] == pytest.approx(1.0 / 1.05)
    assert bool(c["budget_binding"])
    b = r.binding[r.binding["constraint"] == "Budget-fiscal-year"]
    assert b["key"].tolist() == ["M 2018/19"]
    assert b["used"].tolist() == [pytest.approx(1.0e6)]
    # With US$2.0 m the optimum (US$1.2 m) leaves US$0.8 m, and a free unit fits: no binding.
    loose = run(tiny([pledge("A"), pledge("B")], headroom=2.0e6))
    assert not loose.costs["budget_binding"].any()
    assert "Budget-fiscal-year" not in set(loose.binding["constraint"])


def test_readiness_delays_start() -> None:
    # One L1 pledge (3 months lead time), 12-month rotation: arrives October, counts from
    # November; July-October short (4 x 10) and 8 months covered, at 9 unit-months' cost.
    r = run(tiny([pledge("A", level="L1", rotation=12)]))
    assert r.summary.objective == pytest.approx(40.0)
    assert r.assignments["start"].tolist() == [pd.Timestamp("2018-10-01")]
    assert r.summary.total_cost_usd == pytest.approx(0.9e6)


def test_hard_gender_target_excludes_unit() -> None:
    # Target 10 % women; the only unit has 5 %: in hard mode it cannot deploy at all.
    soft = run(tiny([pledge("A", women=0.05, rotation=12)]))
    hard = run(tiny([pledge("A", women=0.05, rotation=12)], gender_mode="hard"))
    assert soft.summary.units_deployed == 1
    assert hard.summary.units_deployed == 0
    assert hard.summary.objective == pytest.approx(120.0)
    reason = hard.explanations.set_index("pledge_id").loc["P0", "reason_code"]
    assert reason == "gender"


def test_unused_pledge_reasons() -> None:
    r = run(tiny([pledge("A", rotation=12), pledge("B", rotation=12, available_from="2020-01-01")]))
    reasons = r.explanations.set_index("pledge_id")["reason_code"]
    assert reasons["P0"] == "used"
    assert reasons["P1"] == "too_late"
