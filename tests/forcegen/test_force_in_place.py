"""Planning from the force in place and under Council ceilings: hand-computed tiny cases.

Every case: mission M needs unit type U (100 persons, US$1,000 a person-month, so US$100,000 a
unit-month) from July 2018 to June 2019, priority critical (weight 10); hand-over 1 month, so a
tour counts from its second month and July can only be covered by the force in place.
"""

from __future__ import annotations

import pandas as pd
import pytest

from bluehelmet import AccessContext
from bluehelmet.forcegen import PlanOptions, plan
from bluehelmet.forcegen.data import prepare
from bluehelmet.forcegen.formulation import build_model
from bluehelmet.forcegen.inplace import CEILING_COMPONENTS
from bluehelmet.forcegen.whatif import request_by
from tests.forcegen.tiny import ceiling, pledge, tiny, unit_in_place

READER = AccessContext.public()


def run(s):  # noqa: ANN001, ANN201
    options = PlanOptions(smart_pledging=False, sensitivities=False).with_solve(
        time_limit=None, mip_rel_gap=0.0
    )
    return plan(s.view(READER), options)


def months(series: pd.Series) -> list[str]:
    return list(pd.to_datetime(series).dt.strftime("%Y-%m"))


@pytest.mark.parametrize("until", ["2018-08-31", "2018-09-15"])
def test_unit_in_place_leaving_opens_a_gap_a_pledge_fills(until: str) -> None:
    # B's unit is there the whole of July and August (leaving on 31 Aug, or mid-September: it
    # is not there the whole of September), so the gap opens in September (month 3). A's RDL
    # pledge (12-month rotation) starts in August, counts from September (hand-over) and stays
    # to June: nothing unmet, 11 unit-months = US$1.1 m.
    r = run(tiny([pledge("A", rotation=12)], in_place=[unit_in_place("B", until=until)]))
    assert r.summary.status == "optimal"
    assert r.summary.objective == pytest.approx(0.0)
    assert months(r.assignments["start"]) == ["2018-08"]
    assert months(r.assignments["counts_from"]) == ["2018-09"]
    assert r.summary.total_cost_usd == pytest.approx(1.1e6)
    cov = r.coverage.set_index(r.coverage["month"].dt.strftime("%Y-%m"))
    assert cov["in_place"].tolist() == [1, 1] + [0] * 10
    assert cov["planned"].tolist() == [0, 0] + [1] * 10
    assert (cov["short"] == 0).all()
    assert r.summary.required_requirement_months == 12
    assert r.summary.in_place_requirement_months == 2
    fip = r.force_in_place
    assert months(fip["month"]) == ["2018-07", "2018-08"]
    # No personnel figure in the row: count x the catalogue's 100.
    assert fip["personnel"].tolist() == [100.0, 100.0]
    assert r.summary.in_place_person_months == 200.0
    assert r.summary.planned_person_months == 1100.0


def test_without_the_force_in_place_the_gap_starts_in_july() -> None:
    # Control: the same pledge alone leaves July short (10) and covers August - June at
    # 12 unit-months.
    r = run(tiny([pledge("A", rotation=12)]))
    assert r.summary.objective == pytest.approx(10.0)
    assert r.summary.total_cost_usd == pytest.approx(1.2e6)


@pytest.mark.parametrize(
    ("ceilings", "objective", "cost"),
    [
        # No numeric ceiling: both pledged units start in July and count from August; only July is
        # short (2 units x 10).
        ([ceiling(None)], 20.0, 2.4e6),
        # 250 persons with 100 in place: room for one unit of 100. July short 2, August - June 1:
        # 13 unit-months x 10; one unit for 12 months.
        ([ceiling(250)], 130.0, 1.2e6),
        # 250 until December, 350 from January: the second unit may be present from January only
        # (in December 100 + 200 > 250) and counts from February. Short: July 2, August - January 1
        # (6 months): 8 x 10. Cost: 12 + 6 unit-months.
        ([ceiling(250, valid_to="2018-12-31"), ceiling(350, valid_from="2019-01-01")], 80.0, 1.8e6),
    ],
)
def test_council_ceiling_binds(
    ceilings: list[dict[str, object]], objective: float, cost: float
) -> None:
    s = tiny(
        [pledge("A", rotation=12, count=2)],
        count=3,
        in_place=[unit_in_place("B", personnel=100)],
        ceilings=ceilings,
    )
    r = run(s)
    assert r.summary.status == "optimal"
    assert r.summary.objective == pytest.approx(objective)
    assert r.summary.total_cost_usd == pytest.approx(cost)
    c = r.ceilings
    numeric = c[c["kind"] == "numeric"]
    assert (numeric["in_place"] + numeric["planned"] <= numeric["ceiling"]).all()
    # "No ceiling" is shown as such: a row with its personnel and no number, never 0.
    none = c[c["kind"] == "none"]
    assert none["ceiling"].isna().all() and none["headroom"].isna().all()
    assert len(none) == (12 if ceilings[0]["kind"] == "none" else 0)
    assert len(r.ceiling_excess) == 0


def police(s, category: str = "formed_police"):  # noqa: ANN001, ANN201
    """The tiny case with unit type U as police of ``category`` (its target too)."""
    s.tables["unit_types"] = s.tables["unit_types"].assign(personnel_category=category)
    s.tables["gender_targets"] = s.tables["gender_targets"].assign(personnel_category=category)
    return s


@pytest.mark.parametrize(
    ("category", "ceilings", "objective", "cost"),
    [
        # The police ceiling (1,000) leaves room for both of A's formed police units: July short
        # 2 x 10, both units for 12 months.
        ("formed_police", [ceiling(1000, component="police")], 20.0, 2.4e6),
        # The formed police sub-ceiling binds: 250 with 100 in place leaves room for one unit of
        # 100 (the police ceiling of 1,000 would take both). July short 2, August - June 1:
        # 13 x 10; one unit for 12 months.
        (
            "formed_police",
            [ceiling(1000, component="police"), ceiling(250, component="formed_police")],
            130.0,
            1.2e6,
        ),
        # An individual police sub-ceiling does not hold formed police units back.
        (
            "formed_police",
            [ceiling(1000, component="police"), ceiling(250, component="individual_police")],
            20.0,
            2.4e6,
        ),
        # Individual police count against the individual police sub-ceiling (and police).
        (
            "individual_police",
            [ceiling(1000, component="police"), ceiling(250, component="individual_police")],
            130.0,
            None,
        ),
        # ... and against the police ceiling: 250 binds as above.
        ("individual_police", [ceiling(250, component="police")], 130.0, None),
        # The military ceiling holds no police back.
        ("formed_police", [ceiling(250, component="military")], 20.0, 2.4e6),
    ],
)
def test_police_ceiling_and_sub_ceilings_bind(
    category: str, ceilings: list[dict[str, object]], objective: float, cost: float | None
) -> None:
    # The case of test_council_ceiling_binds with police: mission M needs 3 units, B's unit of
    # 100 is in place, A offers 2 units of 100 on 12-month tours.
    s = police(
        tiny(
            [pledge("A", rotation=12, count=2)],
            count=3,
            in_place=[unit_in_place("B", personnel=100)],
            ceilings=ceilings,
        ),
        category,
    )
    r = run(s)
    assert r.summary.status == "optimal"
    assert r.summary.objective == pytest.approx(objective)
    if cost is not None:  # formed police at the troop rate; individual police at MSA
        assert r.summary.total_cost_usd == pytest.approx(cost)
    c = r.ceilings
    assert set(c["component"]) == {str(x["component"]) for x in ceilings}
    # Each row counts the police of its component (formed police: police and formed_police):
    # in place 100, planned within the ceiling; other components hold none of them.
    counted = c["component"].isin(CEILING_COMPONENTS[category])
    assert (c.loc[counted, "in_place"] == 100.0).all()
    assert (c.loc[~counted, "in_place"] + c.loc[~counted, "planned"] == 0.0).all()
    assert (c["in_place"] + c["planned"] <= c["ceiling"]).all()


def test_council_ceiling_is_a_named_family() -> None:
    # A's two units (200 persons) could exceed the room of 250 - 100 in place = 150.
    d, _ = prepare(
        tiny(
            [pledge("A", count=2)],
            count=3,
            in_place=[unit_in_place("B", personnel=100)],
            ceilings=[ceiling(250)],
        )
    )
    m = build_model(d)
    assert "Council-ceiling" in m.con_families
    rows = m.con_families["Council-ceiling"]
    _, _, _, _, row_hi = m.bounds()
    # Room: 250 - 100 in place, in every month a tour can be present.
    assert set(row_hi[rows.start : rows.stop]) == {150.0}


def test_council_ceiling_rows_that_cannot_bind_are_not_generated() -> None:
    # A's one unit (100 persons) fits in the room of 150 whatever the plan: no row.
    d, _ = prepare(
        tiny([pledge("A")], in_place=[unit_in_place("B", personnel=100)], ceilings=[ceiling(250)])
    )
    assert "Council-ceiling" not in build_model(d).con_families


def test_tour_bound_is_the_most_its_requirement_leaves_open() -> None:
    # Mission M needs 2 units; B's unit in place stays to 31 December. A offers 3 units: a tour
    # counting only in months to December can use 1, one counting from January 2, never 3.
    d, _ = prepare(
        tiny(
            [pledge("A", rotation=6, count=3)],
            count=2,
            in_place=[unit_in_place("B", until="2018-12-31")],
        )
    )
    c = d.candidates
    last = c["end"].clip(upper=d.n_months - 1)
    before_january = last <= 5
    assert (c.loc[before_january, "max_units"] == 1).all()
    assert (c.loc[~before_january, "max_units"] == 2).all()
    m = build_model(d)
    _, col_hi, _, _, _ = m.bounds()
    tours = m.var_families["Tour-start"]
    assert (col_hi[tours.start : tours.stop] == c["max_units"].to_numpy()).all()


def test_force_in_place_above_its_ceiling_is_a_finding_not_infeasible() -> None:
    # 300 persons in place, ceiling 250 from January 2019 (none before): no tour may be present
    # from January. A's two units on 6-month tours serve July - December (counting from August);
    # short: July 2 and January - June 2 x 6 = 14 x 10. Cost 2 x 6 unit-months.
    s = tiny(
        [pledge("A", rotation=6, count=2)],
        count=3,
        in_place=[unit_in_place("B", personnel=300)],
        ceilings=[ceiling(250, valid_from="2019-01-01")],
    )
    r = run(s)
    assert r.summary.status == "optimal"
    assert r.summary.objective == pytest.approx(140.0)
    assert r.summary.total_cost_usd == pytest.approx(1.2e6)
    ex = r.ceiling_excess
    assert months(ex["month"]) == [f"2019-{m:02d}" for m in range(1, 7)]
    assert (ex["excess"] == 50.0).all() and (ex["ceiling"] == 250.0).all()
    assert r.summary.ceiling_excess_months == 6


def test_nothing_arrives_late_that_is_already_in_place() -> None:
    # B's unit has been in place since 2017; the registry still lists it as pledge P0 (L1: it
    # would "arrive" in October). It is not an offer: only P1 is, and nothing is needed.
    s = tiny(
        [pledge("B", level="L1", rotation=12), pledge("A", rotation=6)],
        in_place=[unit_in_place("B", since="2017-01-01", pledge_id="P0")],
    )
    r = run(s)
    assert r.summary.objective == pytest.approx(0.0)
    assert len(r.assignments) == 0
    assert r.summary.pledges == 1
    assert "P0" not in set(r.explanations["pledge_id"])
    assert (r.coverage["in_place"] == 1).all()


def test_announced_arrival_counts_from_its_first_whole_month() -> None:
    # The unit in place arrives on 15 October: it counts from November. July - October are open;
    # A's 6-month tour from July counts August - October (and stays to December, its rotation):
    # July short (10), US$0.6 m. The in-place unit's own pledge P0 is not planned.
    s = tiny(
        [pledge("B", rotation=12), pledge("A", rotation=6)],
        in_place=[unit_in_place("B", since="2018-10-15", pledge_id="P0")],
    )
    r = run(s)
    assert r.summary.objective == pytest.approx(10.0)
    assert r.assignments["pledge_id"].tolist() == ["P1"]
    assert r.summary.total_cost_usd == pytest.approx(0.6e6)
    assert months(r.force_in_place["month"])[0] == "2018-11"


def test_aircraft_are_counted_as_planners_count() -> None:
    # The case of the first test with 3 aircraft per unit: 12 unit-months required = 36
    # aircraft-months, 2 in place = 6, the tour is present August - June = 33, none unmet.
    s = tiny([pledge("A", rotation=12)], in_place=[unit_in_place("B", until="2018-08-31")])
    u = s.tables["unit_types"].copy()
    u["aircraft"] = pd.array([3], dtype=u["aircraft"].dtype)
    s.tables["unit_types"] = u
    r = run(s)
    assert r.summary.required_aircraft_months == 36.0
    assert r.summary.in_place_aircraft_months == 6.0
    assert r.summary.planned_aircraft_months == 33.0
    assert r.summary.unmet_aircraft_months == 0.0
    assert r.assignments["aircraft"].tolist() == [3]
    assert r.coverage["in_place_aircraft"].sum() == 6.0


@pytest.mark.parametrize(
    ("level_since", "start"),
    [
        (None, "2018-10-01"),  # not known: 3 months from the planning start
        ("2018-05-01", "2018-08-01"),  # reached L1 on 1 May: ready 1 August
        ("2017-01-01", "2018-07-01"),  # long ready: from the planning start (when it is offered)
    ],
)
def test_readiness_runs_from_the_date_the_pledge_reached_its_level(
    level_since: str | None, start: str
) -> None:
    # One L1 pledge (3 months' lead time, no transit), 12-month rotation, offered from 1 July.
    p = pledge("A", level="L1", rotation=12)
    p["level_since"] = pd.Timestamp(level_since) if level_since else pd.NaT
    r = run(tiny([p]))
    assert r.assignments["start"].tolist() == [pd.Timestamp(start)]


def test_tour_past_the_horizon_is_a_commitment_costed_in_full() -> None:
    # Plan 6 months (July - December 2018) of a need that lasts to June 2019. A's RDL unit
    # (12-month rotation) starts in July and counts from August; its rotation ends in June 2019,
    # six months past the horizon: beyond_horizon, costed for all 12 months (US$1.2 m, not the
    # 6 months within the horizon), coverage counted only to December. Unmet: July, 1 x 10.
    s = tiny([pledge("A", rotation=12)])
    options = PlanOptions(horizon=6, smart_pledging=False, sensitivities=False).with_solve(
        time_limit=None, mip_rel_gap=0.0
    )
    r = plan(s.view(READER), options)
    assert r.summary.objective == pytest.approx(10.0)
    a = r.assignments
    assert months(a["start"]) == ["2018-07"] and months(a["end"]) == ["2019-06"]
    assert a["beyond_horizon"].tolist() == [True]
    assert a["cost_usd"].tolist() == [pytest.approx(1.2e6)]
    assert r.summary.total_cost_usd == pytest.approx(1.2e6)
    # Costs per budget year: every month of the tour falls in 2018/19.
    assert r.costs.set_index("fiscal_year")["cost_usd"].to_dict() == {
        "2018/19": pytest.approx(1.2e6)
    }
    # Person-months in the summary stay within the horizon: July - December, 6 x 100.
    assert r.summary.planned_person_months == pytest.approx(600.0)


def test_request_by_includes_loading_transit_and_hand_over() -> None:
    # First month short January 2019, one hand-over month: the unit must be ready by
    # 1 December 2018. L3 (3 months' lead) with 14 loading days: 1 Dec - 14 days = 17 Nov,
    # minus 3 months = 17 Aug 2018. RDL: 60 days before 1 Dec, transit included = 2 Oct 2018.
    first = pd.Timestamp("2019-01-01")
    assert request_by(first, "L3", 3, 1, 14) == pd.Timestamp("2018-08-17")
    assert request_by(first, "RDL", 2, 1, 14) == pd.Timestamp("2018-10-02")
    # Run forwards with the planner's own rule, the L3 date arrives just in time: ready on
    # 17 Aug + 3 months + 14 days = 1 Dec, starts December, counts from January.
    ready = pd.Timestamp("2018-08-17") + pd.DateOffset(months=3) + pd.Timedelta(days=14)
    assert ready == pd.Timestamp("2018-12-01")


def test_rdl_pledge_arrives_within_60_days_of_the_request() -> None:
    # RDL with 2 months' lead and 20 loading days would be ready on 1 Jul + 2 months + 20 days
    # = 21 Sep; the PCRS rule caps it at 60 days after the request (1 Jul): 30 Aug, so it can
    # start in September (the first month it is there from the first day).
    s = tiny([pledge("A", level="RDL")])
    s.tables["pcrs_lead_times"] = s.tables["pcrs_lead_times"].assign(lead_time_months=[3, 2])
    s.set_param("loading_days", 20)
    _, pairs = prepare(s)
    assert pd.Timestamp(pairs["ready_date"].iloc[0]) == pd.Timestamp("2018-08-30")
    assert int(pairs["earliest"].iloc[0]) == 2
