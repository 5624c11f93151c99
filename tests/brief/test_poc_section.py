"""The protection-of-civilians section: every figure checked against the statistics, labelled."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from types import SimpleNamespace

import pandas as pd
import pytest

from bluehelmet.brief.make import BriefFiles
from bluehelmet.brief.poc import add_section
from bluehelmet.brief.render import environment, stat_cells
from bluehelmet.model.access import AccessContext, Classification
from bluehelmet.scenario.io import load_scenario
from bluehelmet.statistics.protection import BASES, later_month, protection_by_mission
from tests.brief.test_issue11_build import unlabelled

#: A hand-made plan: one helicopter unit for MINUSMA and a hospital for UNMISS (which does not
#: respond to alerts), both counting in June 2019, and a QRF company for MONUSCO that has left.
ASSIGNMENTS = pd.DataFrame(
    {
        "pledge_id": ["PLG-UKR-util_heli-01", "PLG-BGD-med_l2-01", "PLG-AU-qrf_coy-01"],
        "mission_id": ["MINUSMA", "UNMISS", "MONUSCO"],
        "unit_type_id": ["util_heli", "med_l2", "qrf_coy"],
        "units": [1, 1, 1],
        "counts_from": pd.to_datetime(["2018-11-01", "2018-11-01", "2018-09-01"]),
        "end": pd.to_datetime(["2019-06-01", "2019-06-01", "2019-03-01"]),
    }
)


class _Basis(HTMLParser):
    """Every element with ``data-stat`` inside ``section#poc``: (stat, basis)."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = 0
        self.depth = 0
        self.found: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section":
            self.depth += 1
            if a.get("id") == "poc":
                self.inside = self.depth
        # The provenance lines under each figure count input rows, labelled by their own text.
        if self.inside and "data-stat" in a and not str(a["data-stat"]).startswith("provenance."):
            self.found.append((str(a["data-stat"]), a.get("data-basis")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            if self.inside == self.depth:
                self.inside = 0
            self.depth -= 1


@pytest.fixture(scope="module")
def section() -> tuple[str, pd.DataFrame, dict[str, str]]:
    view = load_scenario("2018").view(AccessContext("UN-DPO", Classification.CONFIDENTIAL))
    plan = SimpleNamespace(view=view, assignments=ASSIGNMENTS)
    ctx: dict[str, object] = {
        "map_notes": [],
        "meta": {"planning_start": pd.Timestamp("2018-07-01")},
    }
    tables: dict[str, pd.DataFrame] = {}
    figures: dict[str, str] = {}
    add_section(plan, ctx, tables, figures)  # type: ignore[arg-type]
    template = environment().from_string(
        '{% import "macros.html.j2" as m %}{% include "sections/poc.html.j2" %}'
    )
    html = template.render(**ctx, figures={k: "data:image/svg+xml;base64," for k in figures})
    expected = protection_by_mission(view, ASSIGNMENTS)
    return html, expected.missions.set_index("mission_id"), expected.basis


def test_every_figure_matches_the_statistics(
    section: tuple[str, pd.DataFrame, dict[str, str]],
) -> None:
    html, table, _ = section
    cells = stat_cells(html)
    poc = cells.loc[
        cells["stat"].str.startswith("poc.") & cells["key"].notna() & (cells["key"] != "")
    ]
    columns = set(poc["stat"].str.removeprefix("poc."))
    assert {
        "cells",
        "risk_expected",
        "hotspot_cells",
        "civilian_deaths",
        "bases",
        "airfields",
        "companies",
        "helicopters",
        "attack_helicopters",
        "attack_helicopters_night",
        "fpus",
        "isr_units",
        "watched_today",
        "covered_today",
        "covered_later_without",
        "covered_later_with",
        "change_pp",
        "plan_units",
    } <= columns
    for row in poc.itertuples():
        if row.stat.removeprefix("poc.") not in table.columns:
            continue  # the notes' counts, checked below
        want = table.at[row.key, row.stat.removeprefix("poc.")]
        assert float(row.value) == pytest.approx(float(want), rel=1e-9, abs=1e-12), row
    assert poc.loc[poc["stat"] == "poc.covered_today", "key"].nunique() == len(table) == 7
    # Places without a position, per mission (UNIFIL's numbered positions among them).
    unplaced = poc.loc[poc["stat"] == "poc.unplaced"].set_index("key")["value"].astype(int)
    assert unplaced.to_dict() == {"MONUSCO": 9, "UNMISS": 3, "UNAMID": 7, "UNISFA": 8, "UNIFIL": 21}


def test_every_figure_carries_its_provenance_label(
    section: tuple[str, pd.DataFrame, dict[str, str]],
) -> None:
    html, _, basis = section
    parser = _Basis()
    parser.feed(html)
    assert len(parser.found) > 80
    assert all(b in BASES for _, b in parser.found), [f for f in parser.found if f[1] not in BASES]
    # The label printed is the statistics' label, and it is printed in the column header.
    for stat, b in parser.found:
        column = stat.removeprefix("poc.")
        if column in basis:
            assert b == basis[column]
            # Night-capable helicopters share the helicopters' column (and label).
            header = {
                "helicopters_night": "helicopters",
                "attack_helicopters_night": "attack_helicopters",
            }.get(column, column)
            assert f'data-basis-of="{header}">{b}<' in html


def test_every_chart_and_table_is_followed_by_its_provenance_line(
    section: tuple[str, pd.DataFrame, dict[str, str]],
) -> None:
    html, _, _ = section
    assert unlabelled(html) == []
    assert html.count('class="provenance') == 4


def test_the_plan_s_units_change_only_where_they_respond(
    section: tuple[str, pd.DataFrame, dict[str, str]],
) -> None:
    _, table, basis = section
    # MINUSMA gets a helicopter unit in June 2019; UNMISS a hospital (not a responder); MONUSCO's
    # QRF has left by then.
    assert table.at["MINUSMA", "plan_units"] == 1
    assert table.at["MINUSMA", "change_pp"] > 0
    assert table.at["UNMISS", "plan_units"] == 0
    assert table.at["UNMISS", "plan_units_other"] == 1
    assert table.at["UNMISS", "change_pp"] == 0
    assert table.at["MONUSCO", "change_pp"] == 0
    # The pledges are illustrative, so is every figure that rests on them.
    assert basis["covered_later_with"] == "illustrative"
    assert basis["covered_today"] == "assumed"
    assert later_month(load_scenario("2018")) == pd.Timestamp("2019-06-01")  # type: ignore


def test_the_section_states_the_years_of_data_it_rests_on(
    section: tuple[str, pd.DataFrame, dict[str, str]],
) -> None:
    html, _, _ = section
    text = unescape(re.sub(r"<[^>]+>", "", html))
    assert "trained on UCDP events of 1995–2017" in text
    assert "hotspots of civilian deaths in 2015–2017" in text


def test_the_default_2018_brief_puts_protection_first_after_the_summary(
    brief_2018: BriefFiles,
) -> None:
    html = brief_2018.html.read_text("utf-8")
    order = re.findall(r'<section class="page" id="([a-z_-]+)"', html)
    assert order[:2] == ["summary", "poc"]
    text = re.sub(r"<[^>]+>", " ", html).lower()
    for word in ("civilian", "protection", "mandate"):
        assert word in text
    assert brief_2018.brief is not None
    written = brief_2018.brief.tables["poc_missions"].set_index("mission_id")
    cells = stat_cells(html)
    for row in cells.loc[cells["stat"] == "poc.covered_today"].itertuples():
        assert float(row.value) == pytest.approx(written.at[row.key, "covered_today"])
