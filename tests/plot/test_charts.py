"""Charts consume statistics tables; they must read in grey and carry meaning beyond colour."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from shapely.geometry import box

from bluehelmet.brief.render import external_references
from bluehelmet.plot import coverage, gender, maps, money
from bluehelmet.plot.style import OKABE_ITO, TRAFFIC_LIGHTS, figure_data_uri, to_svg
from bluehelmet.statistics.coverage import share_closed_by

MONTHS = pd.date_range("2018-07-01", periods=6, freq="MS")


def _colours(svg: str) -> set[str]:
    return {c.upper() for c in re.findall(r"#[0-9A-Fa-f]{6}", svg)}


def _allowed(colour: str) -> bool:
    if colour in {c.upper() for c in OKABE_ITO.values()}:
        return True
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return r == g == b  # greys, black and white


@pytest.fixture
def by_mission() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "mission_id": ["A"] * 6 + ["B"] * 6,
            "month": list(MONTHS) * 2,
            "required": [2, 2, 2, 2, 2, 2, 0, 0, 1, 1, 1, 1],
            "covered_before": 0.0,
            "covered_after": [0, 0, 1, 2, 2, 2, 0, 0, 0, 0, 1, 1],
        }
    )


def test_coverage_chart_uses_palette_and_hatching(by_mission: pd.DataFrame) -> None:
    shares = share_closed_by(by_mission, "mission_id")
    assert list(shares) == [pytest.approx(7 / 12), 0.5]
    fig = coverage.small_multiples(by_mission, "mission_id", shares)
    assert isinstance(fig, Figure)
    svg = to_svg(fig)
    assert "<pattern" in svg  # hatching, so the areas differ in grey too
    assert all(_allowed(c) for c in _colours(svg)), _colours(svg)
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    assert titles[0] == "A\n58% closed" and titles[1] == "B\n50% closed"


def test_coverage_chart_of_nothing_required() -> None:
    table = pd.DataFrame(
        {
            "group": ["Medical"] * 2,
            "month": MONTHS[:2],
            "required": 0.0,
            "covered_before": 0.0,
            "covered_after": 0.0,
        }
    )
    fig = coverage.small_multiples(table, "group", share_closed_by(table, "group"))
    assert "none required" in fig.axes[0].get_title()


def test_traffic_light_chart_carries_symbols_and_words() -> None:
    counts = pd.DataFrame(
        {"green": [2, 1], "yellow": [1, 0], "red": [1, 1]},
        index=pd.Index(["troops", "formed_police"], name="personnel_category"),
    )
    fig = gender.traffic_light_chart(counts)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    for light, style in TRAFFIC_LIGHTS.items():
        assert f"{style['symbol']} {light}: {style['text']}" in labels
    written = {t.get_text() for t in fig.axes[0].texts}
    assert {"2", "1"} <= written  # counts written on the bars, not only shown by length
    assert all(_allowed(c) for c in _colours(to_svg(fig)))


def test_trend_line_skips_incomplete_years() -> None:
    trend = pd.DataFrame(
        {
            "women": [1.0, 30, 40, 5],
            "men": [49.0, 970, 960, 95],
            "total": [50.0, 1000, 1000, 100],
            "women_share": [0.02, 0.03, 0.04, 0.05],
            "complete_year": [False, True, True, False],
        },
        index=pd.Index([2010, 2011, 2012, 2013], name="year"),
    )
    fig = gender.trend_chart(trend)
    lines = [ln for ln in fig.axes[0].get_lines() if isinstance(ln, Line2D)]
    joined = [ln for ln in lines if ln.get_linestyle() == "-"]
    assert len(joined) == 1
    assert list(np.asarray(joined[0].get_xdata())) == [2011, 2012]
    notes = [t.get_text() for t in fig.axes[0].texts]
    assert notes.count("incomplete") == 2


def test_charts_in_french_use_the_catalogue_and_french_numbers() -> None:
    from bluehelmet.brief.i18n import chart_words

    fr = chart_words("fr")
    totals = pd.DataFrame(
        {"cost_usd": [8e6, 21e6], "headroom_usd": [40e6, np.nan], "headroom_used": [0.2, np.nan]},
        index=pd.Index(["A", "B"], name="mission_id"),
    )
    fig = money.cost_budget_chart(totals, words=fr)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "8,0\u00a0M$ sur 40,0\u00a0M$ (20\u00a0%)" in texts
    assert "21,0\u00a0M$ (pas de budget)" in texts
    assert (
        fig.axes[0].get_xlabel()
        == "millions de dollars \u00c9.-U. sur les exercices budgétaires du plan"
    )
    assert fr.month("2018-07-01") == "juil.\n2018" and fr.pct(0.58) == "58\u00a0%"
    assert fr.country("NLD", "Netherlands") == "Pays-Bas"
    assert chart_words("en").country("NLD", "Netherlands") == "Netherlands"


def test_money_charts() -> None:
    totals = pd.DataFrame(
        {"cost_usd": [8e6, 21e6], "headroom_usd": [40e6, np.nan], "headroom_used": [0.2, np.nan]},
        index=pd.Index(["A", "B"], name="mission_id"),
    )
    fig = money.cost_budget_chart(totals)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "$8.0 m of $40.0 m (20%)" in texts and "$21.0 m (no budget)" in texts
    gaps = pd.DataFrame(
        {
            "mission_id": ["A", "B"],
            "unit_type": ["Heli", "Inf"],
            "cost_to_close_usd": [26e6, 1.6e6],
            "critical_group": ["Helicopters", None],
        }
    )
    fig = money.gap_cost_chart(gaps)
    assert "<pattern" in to_svg(fig)


def test_maps_draw_layers_and_stay_self_contained() -> None:
    outlines = {"MLI": box(-12, 10, 4, 25), "NLD": box(3, 50, 7, 53)}
    missions = pd.DataFrame(
        {
            "mission_id": ["M"],
            "longitude": [-8.0],
            "latitude": [12.6],
            "host_iso3": ["MLI"],
            "personnel": [1000],
        }
    )
    flows = pd.DataFrame(
        {
            "from_lon": [4.9],
            "from_lat": [52.4],
            "to_lon": [-8.0],
            "to_lat": [12.6],
            "personnel": [250],
        }
    )
    planned = pd.DataFrame(columns=["from_lon", "from_lat", "to_lon", "to_lat", "units"])
    fig = maps.deployment_map(missions, flows, planned, outlines)
    assert external_references(f'<img src="{figure_data_uri(fig)}">') == []
    hot = pd.DataFrame(
        {"longitude": [-3.25], "latitude": [16.25], "cell_size": [0.5], "level": ["hot"]}
    )
    cov = pd.DataFrame(
        {"longitude": [-3.25, -5.0], "latitude": [16.25, 14.0], "covered": [True, False]}
    )
    fig = maps.mission_area_map(missions, outlines, hot, cov)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "risk hotspot: hot" in labels and "not covered" in labels


def test_padded_bounds_clip_to_the_globe() -> None:
    assert maps.padded_bounds([-179.0, 179.0], [-89.0, 89.0], pad=5) == (-180, -90, 180, 90)
    assert maps.padded_bounds([], []) == (-180.0, -60.0, 180.0, 80.0)
