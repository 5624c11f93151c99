from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from bluehelmet.intel.fusion import Rules, extend, fuse
from bluehelmet.model.access import AccessContext, Classification
from tests.intel.helpers import reports, view

MISSION = AccessContext("MINUSMA", Classification.STRICTLY_CONFIDENTIAL)


def test_patrol_and_villagers_make_one_incident() -> None:
    result = fuse(view(reports(), MISSION))
    inc = result.incidents.set_index("id")
    assert inc.loc["inc-p1", "report_ids"] == "p1;v1"
    assert inc.loc["inc-p1", "reports"] == 2
    # Casualties of one event are not added up: the larger figure is kept.
    assert inc.loc["inc-p1", "civilian_deaths"] == 7
    # Classification of a derived incident: the highest of its reports.
    assert inc.loc["inc-p1", "classification"] == "confidential"
    # Noisy-OR of two independent sources: B2 (0.85*0.85) and F3 (0.6*0.7).
    expected = 1 - (1 - 0.85 * 0.85) * (1 - 0.6 * 0.7)
    confidence = dict(zip(result.incidents["id"], result.incidents["confidence"], strict=True))
    assert np.isclose(confidence["inc-p1"], expected)


def test_link_is_explained() -> None:
    link = fuse(view(reports(), MISSION)).links.iloc[0]
    assert (link["report_a"], link["report_b"]) == ("p1", "v1")
    assert np.isclose(link["gap_hours"], 1.5)  # [14:00, 15:00) and [16:30, 17:30)
    assert 2.0 < link["distance_km"] < 3.0
    assert "10 km" in link["rule"] and "48 h" in link["rule"]
    assert link["categories"] == "attack_on_civilians|attack_on_civilians"


def test_same_place_days_apart_makes_two_incidents() -> None:
    ids = set(fuse(view(reports(), MISSION)).incidents["id"])
    assert {"inc-p1", "inc-x1"} <= ids


def test_incompatible_categories_stay_apart() -> None:
    table = reports()
    table.loc[table["id"] == "v1", "category"] = "hate_speech"
    assert len(fuse(view(table, MISSION)).links) == 0


def test_reports_never_lost_or_altered_and_rerun_is_idempotent() -> None:
    table = reports()
    before = table.copy()
    first = fuse(view(table, MISSION))
    second = fuse(view(table, MISSION))
    pd.testing.assert_frame_equal(table, before)
    pd.testing.assert_frame_equal(first.incidents, second.incidents)
    visible_ids = set(first.reports["id"])
    fused_ids = {i for ids in first.incidents["report_ids"] for i in ids.split(";")}
    assert fused_ids == visible_ids


def test_incremental_equals_batch() -> None:
    table = reports()
    batch = fuse(view(table, MISSION))
    for cut in range(len(table)):
        step = extend(fuse(view(table.iloc[:cut], MISSION)), view(table.iloc[cut:], MISSION))
        pd.testing.assert_frame_equal(step.incidents, batch.incidents)
        pd.testing.assert_frame_equal(step.links, batch.links)
        pd.testing.assert_frame_equal(step.reports, batch.reports)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 0.3),
            st.floats(0, 0.3),
            st.integers(0, 200),
            st.sampled_from(["attack_on_civilians", "ied", "other", "hate_speech"]),
        ),
        min_size=1,
        max_size=30,
    ),
    st.integers(0, 30),
)
def test_incremental_equals_batch_generated(points: list, cut: int) -> None:
    n = len(points)
    times = pd.Timestamp("2018-01-01") + pd.to_timedelta([p[2] for p in points], unit="h")
    table = reports().iloc[[0] * n].reset_index(drop=True)
    table["id"] = [f"r{i:03d}" for i in range(n)]
    table["longitude"] = [p[0] for p in points]
    table["latitude"] = [p[1] for p in points]
    table["time"] = pd.Series(list(times.strftime("%Y-%m-%dT%H:%M")), dtype="string")
    table["category"] = pd.array([p[3] for p in points], dtype="string")
    batch = fuse(view(table, MISSION))
    cut = min(cut, n)
    step = extend(fuse(view(table.iloc[:cut], MISSION)), view(table.iloc[cut:], MISSION))
    pd.testing.assert_frame_equal(step.incidents, batch.incidents)
    pd.testing.assert_frame_equal(step.links, batch.links)
    pd.testing.assert_series_equal(
        step.reports.set_index("id")["incident_id"].sort_index(),
        batch.reports.set_index("id")["incident_id"].sort_index(),
    )
    # Brute force: the links are exactly the pairs the rule accepts.
    assert len(batch.links) == _brute_force_links(table, Rules())
    assert batch.incidents["reports"].sum() == n


def _brute_force_links(table: pd.DataFrame, rules: Rules) -> int:
    from bluehelmet.intel.fusion import _compatible, _prepare
    from bluehelmet.intel.index import haversine_km

    p = _prepare(table)
    count = 0
    for i in range(len(table)):
        for j in range(i + 1, len(table)):
            d = haversine_km(p.lon[i], p.lat[i], p.lon[j], p.lat[j])
            gap = max(
                0.0,
                max(p.hours[i], p.hours[j]) - min(p.hours[i] + p.span[i], p.hours[j] + p.span[j]),
            )
            if (
                d <= rules.distance_km
                and gap <= rules.gap_hours
                and _compatible()[p.category[i], p.category[j]]
            ):
                count += 1
    return count
