"""The brief for the hand-built tiny scenario: every figure checked against the statistics."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest

from bluehelmet.brief.assemble import GAP_ROWS, SOLVER_FACTS, SUMMARY_ROWS
from bluehelmet.brief.make import BriefFiles, make_brief
from bluehelmet.brief.pdf import pdf_page_count, render_pages
from bluehelmet.brief.render import external_references, stat_cells
from bluehelmet.forcegen.result import Plan
from bluehelmet.model.access import AccessContext
from bluehelmet.scenario.core import Scenario
from bluehelmet.statistics import coverage, gender, money, pledging, provenance, solver
from bluehelmet.statistics.scenario import mission_strength

from .council_checks import council_cells

# Sections of the tiny brief, one A4 page each: summary, coverage per mission, critical
# capabilities, smart pledging, women, women per contributor, money, cost of gaps, map, methods;
# with every solver figure a plan reports (PlanSummary), "how the plan was made" takes an 11th;
# issue 11 adds money as the Fifth Committee sees it, strength by component and the debate's
# themes (the tiny scenario has no units in place, so no bases page).
TINY_PAGES = 14
#: The steps make_brief announces to its progress display.
STEPS: list[str] = []


@pytest.fixture(scope="module")
def made(
    tmp_path_factory: pytest.TempPathFactory,
    tiny: Scenario,
    reader: AccessContext,
    tiny_plan: Plan,
    options,
) -> BriefFiles:  # type: ignore[no-untyped-def]
    return make_brief(
        tiny.view(reader),
        tmp_path_factory.mktemp("brief"),
        plan=tiny_plan,
        options=options,
        progress=STEPS.append,
    )


def test_progress_names_each_step(made: BriefFiles) -> None:
    # the plan is given, so no planning step
    assert STEPS == ["statistics and charts", "HTML and tables", "PDF (WeasyPrint)"]


@pytest.fixture(scope="module")
def html(made: BriefFiles) -> str:
    return made.html.read_text("utf-8")


@pytest.fixture(scope="module")
def cells(html: str) -> pd.DataFrame:
    return stat_cells(html)


def _check(
    cells: pd.DataFrame, stat: str, expected: dict[str, object], optional: bool = False
) -> int:
    """Compare every cell of ``stat`` with the expected value for its key; return cells seen."""
    rows = cells.loc[cells["stat"] == stat]
    assert len(rows) or optional, f"no cells for {stat}"
    for row in rows.itertuples():
        assert row.key in expected, f"{stat}: key {row.key!r} not in the statistics"
        want = expected[row.key]
        if isinstance(want, (int, float)) and not isinstance(want, bool):
            if isinstance(want, float) and math.isnan(want):
                assert row.value == ""
            else:
                assert float(row.value) == pytest.approx(float(want), rel=1e-9, abs=1e-9), (
                    stat,
                    row.key,
                )
        else:
            assert row.value == str(want), (stat, row.key)
    return len(rows)


def _keyed(table: pd.DataFrame, column: str, keys: list[str]) -> dict[str, object]:
    return {"|".join(str(r[k]) for k in keys): r[column] for _, r in table.iterrows()}


def test_headline_has_the_hand_computed_answer(cells: pd.DataFrame) -> None:
    # Required: MINUSMA UH 2x12 + ISR 12 + MED 12, UNMISS INF 9 + UH 12 = 69 unit-months.
    # Covered: UH 5 + MED 9 + INF 8 + UH 6 = 28. Critical: 60 required, 20 covered.
    value = dict(zip(cells["stat"], cells["value"], strict=False))
    assert float(value["headline.unmet_unit_months"]) == 41
    assert float(value["headline.share_closed"]) == pytest.approx(28 / 69)
    assert float(value["headline.critical_share_closed"]) == pytest.approx(20 / 60)


def test_every_table_cell_matches_the_statistics(
    cells: pd.DataFrame,
    tiny: Scenario,
    reader: AccessContext,
    tiny_plan: Plan,
    contributions: pd.DataFrame,
) -> None:
    view = tiny.view(reader)
    gaps = coverage.gap_table(tiny_plan.coverage, view)
    key = ["mission_id", "unit_type_id"]
    seen = 0
    for col in ("required_unit_months", "covered_unit_months", "unmet_unit_months", "share_closed"):
        seen += _check(cells, f"gaps.{col}", _keyed(gaps, col, key))
    costs = money.gap_costs(gaps, view, "2018-07-01")
    for col in ("unmet_unit_months", "unit_monthly_usd", "cost_to_close_usd"):
        seen += _check(cells, f"gap_costs.{col}", _keyed(costs, col, key))
    ask = pledging.capability_requirements_list(tiny_plan.capability_requirements, view)
    for col in ("units", "value"):
        seen += _check(cells, f"capability_requirements.{col}", _keyed(ask, col, key))
    budget = money.cost_vs_budget(tiny_plan.costs, view)
    seen += _check(
        cells,
        "cost_vs_budget.headroom_used",
        _keyed(budget, "headroom_used", ["mission_id", "fiscal_year"]),
    )
    totals = money.mission_cost_totals(budget).reset_index()
    for col in ("cost_usd", "headroom_usd", "headroom_used"):
        seen += _check(cells, f"mission_cost_totals.{col}", _keyed(totals, col, ["mission_id"]))
    lights = gender.traffic_lights(view)
    for col in ("women", "women_share", "light"):
        seen += _check(
            cells,
            f"traffic_lights.{col}",
            _keyed(lights, col, ["contributor_id", "personnel_category"]),
        )
    counts = gender.traffic_light_counts(lights).reset_index()
    for col in ("green", "yellow", "red", "contributors", "target_share", "women_share"):
        seen += _check(
            cells, f"traffic_light_counts.{col}", _keyed(counts, col, ["personnel_category"])
        )
    trend = gender.women_share_trend(contributions).reset_index()
    seen += _check(cells, "women_share_trend.women_share", _keyed(trend, "women_share", ["year"]))
    strength = mission_strength(view).reset_index()
    for col in ("total", "women_share", "authorised", "contributors"):
        seen += _check(cells, f"mission_strength.{col}", _keyed(strength, col, ["mission_id"]))
    basis = provenance.basis_by_table(view).reset_index()
    for col in ("rows", "real", "derived", "illustrative", "assumed"):
        seen += _check(cells, f"basis_by_table.{col}", _keyed(basis, col, ["table"]))
    unused = pledging.unused_pledges_by_reason(tiny_plan.explanations)
    seen += _check(cells, "unused_pledges_by_reason.pledges", _keyed(unused, "pledges", ["reason"]))
    headline = coverage.coverage_headline(tiny_plan.coverage, view)
    for name in ("share_closed", "critical_share_closed", "unmet_unit_months"):
        seen += _check(cells, f"headline.{name}", {"": float(headline[name])})
    seen += _check(cells, "total_cost_usd", {"": float(budget["cost_usd"].sum())})
    summary = tiny_plan.summary.to_dict()
    for name in SOLVER_FACTS:
        seen += _check(cells, f"summary.{name}", {"": summary[name]})
    # Each objective stage's status and gap, and whether the whole plan is proven.
    stages = solver.solver_stages(summary)
    for col in ("status", "mip_gap"):
        seen += _check(cells, f"solver_stages.{col}", _keyed(stages, col, ["stage"]))
    seen += _check(cells, "solver.proven", {"": "true" if solver.plan_proven(stages) else "false"})
    seen += _check(cells, "meta.classification", {"": "UNCLASSIFIED"})
    seen += _check(
        cells, "traffic_light_counts.none", _keyed(counts, "none", ["personnel_category"])
    )
    targets = gender.ugps_targets(view, 2018).reset_index()
    seen += _check(cells, "ugps_targets.basis", _keyed(targets, "basis", ["personnel_category"]))
    for col in ("authorised_end", "authorised_end_military"):
        seen += _check(
            cells, f"mission_strength.{col}", _keyed(strength, col, ["mission_id"]), optional=True
        )
    for col in (
        "required_personnel_months",
        "covered_personnel_months",
        "required_aircraft_months",
        "covered_aircraft_months",
    ):
        seen += _check(cells, f"gaps.{col}", _keyed(gaps, col, key), optional=True)
    for name in (
        "personnel_share_closed",
        "required_personnel_months",
        "required_aircraft_months",
        "covered_aircraft_months",
    ):
        seen += _check(cells, f"headline.{name}", {"": float(headline[name])}, optional=True)
    summary_rows = provenance.source_summary(view, limit=2)
    seen += _check(
        cells, "source_summary.table_rows", _keyed(summary_rows, "table_rows", ["table"])
    )
    by_table = {
        f"{t}|{i}": n
        for i, (t, n) in enumerate(zip(summary_rows["table"], summary_rows["rows"], strict=True))
    }
    seen += _check(cells, "source_summary.rows", by_table)
    for stat, value in (
        ("summary_open_more", len(costs) - min(len(costs), SUMMARY_ROWS)),
        ("open_gaps_more", len(costs) - min(len(costs), 10)),
        ("gaps_more", len(gaps) - min(len(gaps), GAP_ROWS)),
    ):
        seen += _check(cells, stat, {"": value}, optional=True)
    # The sections of issue 11 (provenance, components, money, themes, findings, bases).
    seen += council_cells(cells, tiny_plan)
    # Every statistic cell on the page was checked.
    assert seen == len(cells.loc[~cells["stat"].str.startswith(("illustrative", "plan_gender"))])


def test_traffic_lights_known_answers(cells: pd.DataFrame) -> None:
    lights = cells.loc[cells["stat"] == "traffic_lights.light"].set_index("key")["value"]
    # Targets 2018: troops 5 %, staff officers and observers 15 %, formed police 10 %.
    assert lights["NLD|troops"] == "green"  # 30 of 250 = 12 %
    assert lights["SEN|troops"] == "green"  # 40 of 800 = 5 %, exactly the target
    assert lights["BGD|troops"] == "yellow"  # 20 of 1,000 = 2 %
    assert lights["CHN|troops"] == "red"  # none of 400
    assert lights["NLD|staff_officers_observers"] == "red"
    # China's troops in UNMISS were reported at an earlier date only: not counted.
    assert len(lights) == 7


def test_lights_carry_symbol_and_word_not_colour_only(html: str) -> None:
    # The legend names each light with symbol and words; every cell repeats symbol and word.
    for symbol, light, words in (
        ("✔", "green", "meets the target"),
        ("◐", "yellow", "some women but below"),
        ("✖", "red", "no women"),
    ):
        assert f"{symbol} {light}</span> {words}" in html
    cells = re.findall(r'data-light="(\w+)">([^<]+)</span>', html)
    assert cells
    short = {"green": "✔ meets", "yellow": "◐ some", "red": "✖ none"}
    assert all(text == short[light] for light, text in cells)


def test_html_makes_no_external_request(html: str) -> None:
    assert external_references(html) == []
    assert "<script" not in html.lower()
    assert "@import" not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert not re.search(r"url\(\s*['\"]?\s*(https?:)?//", html, re.I)
    # Every image is embedded.
    images = re.findall(r"<img[^>]*src=\"([^\"]+)\"", html)
    assert images and all(src.startswith("data:image/svg+xml;base64,") for src in images)


def test_illustrative_data_is_said_prominently(html: str, cells: pd.DataFrame) -> None:
    assert 'data-illustrative="true"' in html
    assert "This brief uses illustrative data" in html
    assert "ILLUSTRATIVE DATA" in html  # the running footer of every PDF page
    assert set(cells.loc[cells["stat"] == "illustrative.rows", "value"]) == {"46"}


def test_pdf_renders_to_the_expected_pages(made: BriefFiles, tmp_path: Path) -> None:
    assert made.pdf is not None and made.pages == TINY_PAGES
    assert pdf_page_count(made.pdf) == TINY_PAGES
    images = render_pages(made.pdf, tmp_path, dpi=20)
    assert len(images) == TINY_PAGES
    from PIL import Image

    with Image.open(images[0]) as first:
        # A4 portrait: 210 x 297 mm.
        assert first.height / first.width == pytest.approx(297 / 210, rel=0.01)


def test_tables_written_beside_the_brief(
    made: BriefFiles, tiny: Scenario, reader: AccessContext, tiny_plan: Plan
) -> None:
    gaps = pd.read_csv(made.tables / "gaps.csv")
    expected = coverage.gap_table(tiny_plan.coverage, tiny.view(reader))
    assert list(gaps["unmet_unit_months"]) == list(expected["unmet_unit_months"])
    assert (made.tables / "summary.json").is_file()


def test_no_missing_value_leaks_into_the_text(html: str) -> None:
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<style.*?</style>", "", html, flags=re.S))
    for word in ("nan", "None", "NaT", "<NA>"):
        assert not re.search(rf"(?<![\w<]){re.escape(word)}(?![\w>])", text), word


def test_relative_out_folder_as_in_the_readme(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tiny: Scenario,
    reader: AccessContext,
    tiny_plan: Plan,
    options,  # type: ignore[no-untyped-def]
) -> None:
    """``--out brief`` (a relative folder) writes the brief and its markings inside it, once."""
    monkeypatch.chdir(tmp_path)
    made = make_brief(tiny.view(reader), Path("brief"), plan=tiny_plan, options=options, pdf=False)
    assert (tmp_path / "brief" / "brief.html").is_file()
    assert (tmp_path / "brief" / "brief.html.marking.json").is_file()
    assert not (tmp_path / "brief" / "brief").exists()
    assert made.html.name == "brief.html"
