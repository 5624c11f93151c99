"""The errors issue 11 found in the 2018 brief, one test each, on the parsed HTML and PDF."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from bluehelmet.brief.assemble import organisation_name
from bluehelmet.brief.make import BriefFiles
from bluehelmet.model.access import AccessContext, Classification
from bluehelmet.scenario.io import load_scenario
from bluehelmet.statistics import coverage, gender, money, provenance, solver
from bluehelmet.statistics.scenario import mission_strength

READER = AccessContext("UN-DPO", Classification.CONFIDENTIAL)
DISCLAIMER = (
    "The boundaries and names shown and the designations used on this map do not imply "
    "official endorsement or acceptance by the United Nations."
)


class _Text(HTMLParser):
    """Visible text of a page, and the text of each element with an ``id``."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.by_id: dict[str, list[str]] = {}
        self._open: list[tuple[str, str | None]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._skip += 1
        if tag in ("br", "img", "meta"):
            return
        self._open.append((tag, dict(attrs).get("id")))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip -= 1
        while self._open:
            open_tag, _ = self._open.pop()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.parts.append(data)
        for _, ident in self._open:
            if ident:
                self.by_id.setdefault(ident, []).append(data)

    def text(self, ident: str | None = None) -> str:
        parts = self.parts if ident is None else self.by_id.get(ident, [])
        return " ".join(" ".join(parts).split())


@pytest.fixture(scope="module")
def files(brief_2018: BriefFiles) -> BriefFiles:
    return brief_2018


@pytest.fixture(scope="module")
def html(files: BriefFiles) -> str:
    return files.html.read_text("utf-8")


@pytest.fixture(scope="module")
def page(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def cells(html: str) -> pd.DataFrame:
    from bluehelmet.brief.render import stat_cells

    return stat_cells(html)


def _cell(cells: pd.DataFrame, stat: str, key: str = "") -> pd.Series:
    rows = cells.loc[(cells["stat"] == stat) & (cells["key"] == key)]
    assert len(rows) >= 1, (stat, key)
    return rows.iloc[0]


@pytest.mark.slow
def test_each_stage_status_and_gap_never_optimal_when_unproven(
    files: BriefFiles, cells: pd.DataFrame, page: _Text
) -> None:
    assert files.brief is not None
    summary = files.brief.context["solver"]
    stages = solver.solver_stages(summary)
    # unmet, cost, gender and the tie-break stage (issue 10).
    assert len(stages) == len(summary["stages"]) == 4
    for row in stages.itertuples():
        shown = cells.loc[(cells["stat"] == "solver_stages.mip_gap") & (cells["key"] == row.stage)]
        assert len(shown) == 2  # page 1 and the methods
        status = cells.loc[(cells["stat"] == "solver_stages.status") & (cells["key"] == row.stage)]
        assert set(status["value"]) == {row.status}
        if not row.gap_known:
            assert set(shown["text"]) == {"unknown (no bound)"}
        elif row.status != "optimal":
            assert "0.00%" not in set(shown["text"]) or row.mip_gap == 0
    proven = solver.plan_proven(stages)
    assert set(cells.loc[cells["stat"] == "solver.proven", "value"]) == {str(proven).lower()}
    text = page.text("solver-status")
    if not proven:
        assert "not proven optimal" in text and "status optimal" not in text


def test_stage_table_known_answers() -> None:
    stages = solver.solver_stages(
        {
            "status": "time_limit",
            "mip_gap": 0.0,
            "stages": [
                {
                    "stage": "unmet",
                    "status": "optimal",
                    "objective": 5.0,
                    "bound": 5.0,
                    "mip_gap": 0.0,
                },
                {
                    "stage": "cost",
                    "status": "time_limit",
                    "objective": 9.0,
                    "bound": None,
                    "mip_gap": 0.0,
                },
                {
                    "stage": "gender",
                    "status": "time_limit",
                    "objective": 4.0,
                    "bound": 0.0,
                    "mip_gap": 1.0,
                },
            ],
        }
    ).set_index("stage")
    assert stages.loc["unmet", "proven"] and stages.loc["unmet", "mip_gap"] == 0.0
    assert not stages.loc["cost", "gap_known"] and pd.isna(stages.loc["cost", "mip_gap"])
    assert stages.loc["gender", "mip_gap"] == 1.0 and not stages.loc["gender", "proven"]
    assert not solver.plan_proven(stages.reset_index())


@pytest.mark.slow
def test_ceilings_in_force_and_no_zero_for_missions_without_one(
    cells: pd.DataFrame, page: _Text
) -> None:
    view = load_scenario("2018").view(READER)
    strength = mission_strength(view)
    for mission in ("UNTSO", "UNMOGIP", "UNMIK"):
        cell = _cell(cells, "mission_strength.authorised", mission)
        assert cell["value"] == "" and cell["text"] == "\u2014"
        assert pd.isna(strength.loc[mission, "authorised"])
    # UNAMID: 8,735 troops + 2,500 police in force on 2018-06-30 (S/RES/2363 (2017)); S/RES/2429
    # (2018) sets 4,050 troops by 30 June 2019, the last day of the plan's horizon.
    assert float(_cell(cells, "mission_strength.authorised", "UNAMID")["value"]) == 8735 + 2500
    assert (
        float(_cell(cells, "mission_strength.authorised_end_military", "UNAMID")["value"]) == 4050
    )
    assert float(_cell(cells, "mission_strength.authorised_end", "UNAMID")["value"]) == 6550
    assert "S/RES/2429" in page.text("mission-table-note")
    # MINUSMA: S/RES/2364 (2017), 13,289 military + 1,920 police.
    assert float(_cell(cells, "mission_strength.authorised", "MINUSMA")["value"]) == 15209


@pytest.mark.slow
def test_yearly_average_is_not_called_a_reporting_date(page: _Text) -> None:
    text = page.text()
    assert "at the latest reporting date (2018-06-30)" not in text
    assert "2018 calendar-year average of the UN's monthly figures" in page.text("women-period")
    assert "calendar-year average" in page.text("mission-table-note")


@pytest.mark.slow
def test_targets_labelled_by_their_basis(cells: pd.DataFrame, page: _Text) -> None:
    view = load_scenario("2018").view(READER)
    targets = gender.ugps_targets(view, 2018)
    shown = cells.loc[cells["stat"] == "ugps_targets.basis"].set_index("key")["value"]
    assert shown.to_dict() == targets["basis"].to_dict()
    assert "declared" not in set(shown)  # no 2018 target is published by the strategy
    assert {"interpolated", "assumed"} <= set(shown)
    assert "(declared)" not in page.text("target-basis")


@pytest.mark.slow
def test_no_traffic_light_against_the_wrong_component(cells: pd.DataFrame, page: _Text) -> None:
    lights = cells.loc[cells["stat"] == "traffic_lights.light"]
    assert len(lights) > 100
    assert set(lights["value"]) == {"none"}  # the 2018 data report no component
    assert all(k.endswith("|uniformed") for k in lights["key"])
    assert "do not report the personnel component" in page.text("no-component")
    assert _cell(cells, "traffic_light_counts.target_share", "uniformed")["value"] == ""


@pytest.mark.slow
def test_map_follows_un_practice(files: BriefFiles, html: str, page: _Text) -> None:
    assert files.brief is not None
    points = files.brief.tables["mission_points"].set_index("mission_id")
    unmogip = points.loc["UNMOGIP"]
    assert set(str(unmogip["areas"]).split(";")) == {"IND", "PAK"}
    assert float(unmogip["longitude"]) < 75.0  # not in Ladakh (76.3 E), between its two HQs
    assert "Islamabad" in str(unmogip["note"]) and "Srinagar" in str(unmogip["note"])
    assert set(str(points.loc["UNISFA", "areas"]).split(";")) == {"SDN", "SSD"}
    assert "not yet determined" in str(points.loc["UNISFA", "note"])
    assert "resolution 1244 (1999)" in str(points.loc["UNMIK", "note"])
    assert str(points.loc["UNTSO", "areas"]) != "ISR"
    assert "Jerusalem to no State" in str(points.loc["UNTSO", "note"])
    maps = len(re.findall(r'<img src="data:[^"]*" alt="Map of|alt="Mission areas', html))
    assert maps >= 1
    assert page.text().count(DISCLAIMER) == maps


@pytest.mark.slow
def test_gap_counts_and_the_costliest_gaps_come_from_one_table(
    files: BriefFiles, cells: pd.DataFrame
) -> None:
    assert files.brief is not None
    costs = files.brief.tables["gap_costs"]
    costliest = files.brief.tables["costliest_gaps"]
    shown_summary = cells.loc[cells["stat"] == "gap_costs.cost_to_close_usd"]
    summary_rows = files.brief.context["summary_open"]
    assert int(_cell(cells, "summary_open_more")["value"]) == len(costs) - len(summary_rows)
    assert int(_cell(cells, "open_gaps_more")["value"]) == len(costs) - len(costliest)
    # The table of the costliest gaps: the same gaps as the chart, in the same order, and the
    # three costliest of all the open gaps among them.
    table_keys = [k for k in shown_summary["key"]][len(summary_rows) :]
    expected = [
        f"{m}|{u}" for m, u in zip(costliest["mission_id"], costliest["unit_type_id"], strict=True)
    ]
    assert table_keys == expected
    top3 = costs.sort_values("cost_to_close_usd", ascending=False).head(3)
    assert {
        f"{m}|{u}" for m, u in zip(top3["mission_id"], top3["unit_type_id"], strict=True)
    } <= set(table_keys)
    assert list(costliest["cost_to_close_usd"]) == sorted(
        costliest["cost_to_close_usd"], reverse=True
    )


@pytest.mark.slow
def test_names_marking_and_sources(
    files: BriefFiles, html: str, page: _Text, cells: pd.DataFrame
) -> None:
    text = page.text()
    assert "Prepared for UN-DPO" not in text and "prepared for UN-DPO" not in text
    assert "Department of Peacekeeping Operations (DPKO)" in text
    assert "Department of Field Support (DFS)" in text
    assert organisation_name("UN-DPO", pd.Timestamp("2019-01-01")).endswith("(DPO)")
    # Illustrative: marked as such, never with a bare classification banner.
    assert page.text("banner") == "ILLUSTRATIVE \u2014 not a UN document"
    assert 'class="banner-classification"' not in html
    assert "not a classification of this document by the United Nations" in page.text(
        "marking-line"
    )
    # The running header (the catalogue's words, a CSS string in the @page rule).
    assert '@top-left { content: "ILLUSTRATIVE \u2014 not a UN document"' in html
    assert "DOMAIN.md" not in html
    sources = page.text("methods")
    assert "..." not in sources and "\u2026" not in sources
    view = load_scenario("2018").view(READER)
    rows = cells.loc[cells["stat"] == "source_summary.table_rows"].set_index("key")["value"]
    for table, n in rows.items():
        assert int(n) == len(view.tables[str(table)]), table
    assert int(rows["pledges"]) == len(view.pledges) > 5
    summary = provenance.source_summary(view)
    assert not summary["source"].str.contains("DOMAIN.md").any()


@pytest.mark.slow
def test_no_blank_page(files: BriefFiles) -> None:
    import pypdfium2 as pdfium

    assert files.pdf is not None
    document = pdfium.PdfDocument(str(files.pdf))
    try:
        for number in range(len(document)):
            text = document[number].get_textpage().get_text_range()
            # Running header and footer alone are about 250 characters.
            assert len(" ".join(text.split())) > 600, f"page {number + 1} is (nearly) blank"
    finally:
        document.close()


@pytest.mark.slow
def test_units_weighed_by_personnel_and_aircraft(
    files: BriefFiles, cells: pd.DataFrame, html: str
) -> None:
    assert files.brief is not None
    view = load_scenario("2018").view(READER)
    gaps = files.brief.tables["gaps"]
    units = view.unit_types.set_index("id")
    personnel = gaps["unit_type_id"].map(units["personnel"].astype(float))
    aircraft = gaps["unit_type_id"].map(units["aircraft"].astype(float))
    headline = files.brief.context["headline"]
    assert headline["required_personnel_months"] == pytest.approx(
        float((gaps["required_unit_months"] * personnel).sum())
    )
    assert headline["required_aircraft_months"] == pytest.approx(
        float((gaps["required_unit_months"] * aircraft).sum())
    )
    assert float(_cell(cells, "headline.personnel_share_closed")["value"]) == pytest.approx(
        headline["covered_personnel_months"] / headline["required_personnel_months"]
    )
    assert units.loc["util_heli", "aircraft"] == 3 and units.loc["inf_bn", "aircraft"] == 0
    assert units.loc["airlift_c130", "capability"] == "tactical_airlift"
    assert coverage.capability_group("tactical_airlift") == "Tactical airlift (in-mission)"
    groups = set(files.brief.tables["critical_coverage_by_month"]["group"])
    assert "Tactical airlift (in-mission)" in groups and "Strategic lift" not in groups
    assert "strategic airlift" not in html.lower()  # the C-130 is tactical, in-mission airlift


def test_money_labels_are_not_mathtext() -> None:
    from matplotlib.text import Text

    from bluehelmet.plot import money as money_plots

    totals = pd.DataFrame(
        {"cost_usd": [3.4e6], "headroom_usd": [14.6e6], "headroom_used": [0.23]},
        index=pd.Index(["MINUJUSTH"], name="mission_id"),
    )
    fig = money_plots.cost_budget_chart(totals)
    texts = [t for t in fig.findobj(Text) if "$" in t.get_text()]
    assert any("$3.4 m of $14.6 m" in t.get_text() for t in texts)
    assert texts and not any(t.get_parse_math() for t in texts)
    assert money.costliest_gaps(pd.DataFrame({"cost_to_close_usd": [1.0, 3.0, 2.0]}), 2)[
        "cost_to_close_usd"
    ].tolist() == [3.0, 2.0]
