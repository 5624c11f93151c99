"""The capability requirements note and the smart-pledge groups, hand-computed.

Tiny cases (one mission without coordinates: no transit; loading 0 days; RDL lead 0 and L1 lead
3 months; hand-over 1 month; one unit of 100 persons at US$1,000 a month; weight 10).
"""

from __future__ import annotations

import pandas as pd
import pytest

from bluehelmet import AccessContext
from bluehelmet.forcegen import PlanOptions, plan
from bluehelmet.forcegen.smart import succession
from tests.forcegen.tiny import pledge, tiny, unit_in_place

READER = AccessContext.public()


def run(s):  # noqa: ANN001, ANN201
    options = PlanOptions(sensitivities=False, max_asks=0).with_solve(
        time_limit=None, mip_rel_gap=0.0
    )
    return plan(s.view(READER), options)


def test_note_for_a_unit_in_place_that_leaves() -> None:
    # B's unit in place leaves on 30 September 2018; A's pledge is offered from January 2019, so
    # its tour starts in January and counts from February: October to January are short (one
    # run, 4 months). A unit pledged now at RDL is ready on 1 July (lead 0, no transit) and
    # counts from August, before the run opens: the requirement is emerging, and it would close
    # all 4 unit-months (x 10 = 40) at 4 x US$100,000 (no emplacement cost in the tiny case).
    p = run(
        tiny(
            [pledge("A", rotation=12, available_from="2019-01-01")],
            in_place=[unit_in_place("B", until="2018-09-30")],
        )
    )
    note = p.capability_requirements
    assert len(note) == 1
    row = note.iloc[0]
    assert (row["status"], row["location"], row["replaces"]) == ("emerging", "Base", "IP0 (B)")
    assert (row["time_from"], row["time_to"]) == (
        pd.Timestamp("2018-10-01"),
        pd.Timestamp("2019-01-01"),
    )
    assert (row["months"], row["units"], row["personnel"]) == (4, 1, 100)
    assert row["earliest_RDL"] == pd.Timestamp("2018-08-01")
    assert row["earliest_L1"] == pd.Timestamp("2018-11-01")  # 3 months lead + hand-over
    # To count from October a unit must start in September: at RDL ask by 1 September; at L1
    # three months earlier, 1 June, before the note's date (already late at L1).
    assert row["request_by_RDL"] == pd.Timestamp("2018-09-01")
    assert row["request_by_L1"] == pd.Timestamp("2018-06-01")
    assert row["closes_unit_months"] == 4 and row["closes_weighted"] == 40
    assert row["monthly_cost_usd"] == pytest.approx(100_000)
    assert row["cost_to_close_usd"] == pytest.approx(400_000)
    assert row["weighted_per_musd"] == pytest.approx(100.0)
    assert row["rank"] == 1


def test_ties_share_a_rank_and_a_current_gap_closes_only_from_the_earliest_arrival() -> None:
    # 2 units needed from July; A offers 2 units from October (12-month tours): they count from
    # November, so July-October are 2 units short (one run). The run opens before any unit
    # pledged now could count (August): current, and only August-October can be closed:
    # 3 months x 2 units = 6 unit-months x 10 = 60.
    p = run(tiny([pledge("A", rotation=12, count=2, available_from="2018-10-01")], count=2))
    row = p.capability_requirements.iloc[0]
    assert (row["status"], row["units"], row["unit_months_short"]) == ("current", 2, 8.0)
    assert (row["closes_unit_months"], row["closes_weighted"]) == (6.0, 60.0)
    assert row["replaces"] == "" and row["location"] == ""  # the tiny mission has no HQ place
    # Two requirements short by the same value share rank 1 (no order is invented); the only
    # offer comes after the horizon.
    s = tiny([pledge("A", rotation=12, available_from="2020-01-01")])
    s.tables["requirements"] = pd.concat(
        [s.tables["requirements"], s.tables["requirements"].assign(id="R2")], ignore_index=True
    )
    note = run(s).capability_requirements
    assert len(note) == 2 and list(note["rank"]) == [1, 1]


def test_smart_pledge_group_holds_a_long_requirement_in_succession() -> None:
    # 12 months needed; A offers July-December only, B December-June only (6-month tours): no
    # single offer holds the year. A serves July-December (counts from August), B relieves in
    # December and counts January-May (its 6-month tour): 10 of 12 months held.
    s = tiny([pledge("A"), pledge("B", available_from="2018-12-01")])
    s.tables["pledges"] = s.tables["pledges"].assign(
        available_until=pd.to_datetime(["2018-12-31", "2019-06-30"])
    )
    groups = run(s).smart_pledges
    assert list(groups["contributor_id"]) == ["A", "B"]
    assert list(groups["start"].dt.strftime("%Y-%m")) == ["2018-07", "2018-12"]
    assert list(groups["counts_from"].dt.strftime("%Y-%m")) == ["2018-08", "2019-01"]
    assert list(groups["end"].dt.strftime("%Y-%m")) == ["2018-12", "2019-05"]
    assert (groups["months_held"] == 10).all() and not groups["holds"].any()


def test_succession_takes_the_longest_relief_that_counts_in_time() -> None:
    offers = pd.DataFrame(
        {
            "pledge_id": ["P1", "P2", "P3"],
            "contributor_id": ["C1", "C2", "C3"],
            "earliest": [0, 3, 4],
            "rotation": [6, 12, 6],
            "until": [99, 8, 99],
        }
    )
    # Month 0: no offer counts in time; C1 counts first (month 1) and holds to 5. Month 6: C2
    # (start 5, offer ends month 8) and C3 (start 5, to 10) both count in time; C3 holds
    # longer. Month 11: C2 would end before it; the group stops.
    got = succession(offers, 0, 11, 1)
    assert got.to_dict("list") == {
        "pledge_id": ["P1", "P3"],
        "contributor_id": ["C1", "C3"],
        "start": [0, 5],
        "counts_from": [1, 6],
        "end": [5, 10],
    }
