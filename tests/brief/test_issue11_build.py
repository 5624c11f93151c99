"""What issue 11 builds: provenance per figure, components, money, themes, findings, the map's
labels, a contributor's page, French. Known answers on the tiny scenario and hand-made tables,
every figure of the 2018 brief (English and French, with the NLD page) against the statistics.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2.ext import babel_extract
from typer.testing import CliRunner

from bluehelmet.brief.assemble import BriefOptions
from bluehelmet.brief.i18n import translations
from bluehelmet.brief.make import BriefFiles, make_brief
from bluehelmet.brief.render import localised_filters, stat_cells
from bluehelmet.cli.main import app
from bluehelmet.forcegen.result import Plan
from bluehelmet.model.access import AccessContext
from bluehelmet.plot.labels import overlapping_pairs, place_labels
from bluehelmet.plot.style import new_figure
from bluehelmet.scenario.core import Scenario
from bluehelmet.statistics import components, debate, finance, findings
from bluehelmet.statistics.contributor import contributor_rank, contributor_view
from bluehelmet.statistics.gender import traffic_lights

from .council_checks import council_cells

TEMPLATES = Path(__file__).parents[2] / "src" / "bluehelmet" / "brief" / "templates"
TINY = Path(__file__).parent / "data" / "tiny"


# --- statistics: known answers -------------------------------------------------------------


def test_strength_by_component_counts_only_reported_components(
    tiny: Scenario, reader: AccessContext
) -> None:
    view = tiny.view(reader)
    table = components.strength_by_component(view).set_index(["mission_id", "component"])
    # MINUSMA: troops 800 + 250 + 400 and 12 staff officers; women 40 + 30.
    assert table.loc[("MINUSMA", "military"), "deployed"] == 1462
    assert table.loc[("MINUSMA", "military"), "women"] == 70
    # UNMISS: the 2017 row is not the latest date; formed police count as police.
    assert table.loc[("UNMISS", "military"), "deployed"] == 1020
    assert table.loc[("UNMISS", "police"), "deployed"] == 140
    assert table.loc[("UNMISS", "police"), "women_share"] == pytest.approx(25 / 140)
    assert ("MINUSMA", "police") not in table.index
    assert table["reported"].all()
    women = components.women_by_ugps_component(view)
    assert women.loc["troops", "women"] == 90 and women.loc["troops", "total"] == 2450
    assert women.loc["formed_police", "women_share"] == pytest.approx(25 / 140)


def test_pooled_deployments_are_not_split_into_components(
    tiny: Scenario, reader: AccessContext
) -> None:
    scenario = tiny.copy()
    dep = scenario.tables["deployments"]
    scenario.tables["deployments"] = dep.assign(personnel_type="uniformed")
    view = scenario.view(reader)
    table = components.strength_by_component(view)
    assert not table["reported"].any() and table["deployed"].isna().all()
    totals = components.mission_total_vs_ceiling(view)
    assert totals.loc["MINUSMA", "uniformed_total"] == 1462
    assert not totals["component_reported"].any()
    assert not components.women_by_ugps_component(view)["reported"].any()


def test_fatalities_by_year_known_answer() -> None:
    table = pd.DataFrame(
        {
            "casualty_id": ["a", "b", "c", "d", "e"],
            "mission_id": ["MINUSMA", "MINUSMA", "UNMISS", "MINUSMA", "UNIFIL"],
            "personnel_type": ["Military", "Local", "Police", "Military", "Military"],
            "incident_type": [
                "Malicious Act",
                "Malicious Act",
                "Illness",
                "Malicious Act",
                "Malicious Act",
            ],
            "year": [2016, 2017, 2017, 2017, 2017],
        }
    )
    out = debate.fatalities_by_year(["MINUSMA", "UNMISS"], 2016, 2018, table)
    assert out.loc[2017].tolist() == [3, 2, 1]  # all causes, malicious, malicious uniformed
    assert out.loc[2018].tolist() == [0, 0, 0]
    assert debate.malicious_by_mission(["MINUSMA", "UNMISS"], 2017, table).to_dict() == {
        "MINUSMA": 2
    }


def test_the_bundled_fatality_records_are_the_un_series() -> None:
    table = debate.fatalities()
    assert len(table) == 4423 and table["casualty_id"].is_unique
    # 2017, all missions: the UN's records count 62 deaths by malicious acts.
    assert (table.loc[table["year"] == 2017, "incident_type"] == "Malicious Act").sum() == 62


def test_budget_facts_are_sourced_and_the_cut_is_computed() -> None:
    approved = finance.approved_budgets()
    assert approved.loc["2018/19", "approved_usd"] == 6.69e9
    assert approved["source"].str.len().min() > 40 and (approved["basis"] == "real").all()
    pressure = finance.budget_pressure()
    assert pressure.loc[0, "value"] == pytest.approx(-0.11e9)
    assert pressure.loc[1, "value"] == pytest.approx(-0.11 / 6.80)
    missing = pressure.loc[pressure["basis"] == "missing"]
    # Arrears and late reimbursement: no invented figure, the row says what is needed.
    assert len(missing) == 2 and missing["value"].isna().all()
    assert missing["source"].str.contains("needed").all()


def test_plan_against_approved(tiny_plan: Plan) -> None:
    budget = tiny_plan.statistics.cost_vs_budget()
    out = finance.plan_against_approved(budget, tiny_plan.view)
    cost = float(budget["cost_usd"].sum())
    assert out.loc["2018/19", "plan_cost_usd"] == pytest.approx(cost)
    assert out.loc["2018/19", "share_of_total"] == pytest.approx(cost / 6.69e9)


def test_so_what_is_computed_from_the_statistics(tiny_plan: Plan) -> None:
    gaps = tiny_plan.statistics.gaps()
    themes = debate.debate_themes(
        tiny_plan.view,
        assignments=tiny_plan.assignments,
        explanations=tiny_plan.explanations,
        smart_pledging=tiny_plan.statistics.capability_requirements(valued_only=True),
        gaps=gaps,
        plan_gender=tiny_plan.statistics.gender(),
    )
    what_ifs = findings.what_if_findings(
        pd.DataFrame(
            {"change": ["budget headroom +10 %", "strategic lift +50 %"], "gain": [0.0, 4.5]}
        )
    )
    assert what_ifs["change"].tolist() == ["strategic lift +50 %", "budget headroom +10 %"]
    out = findings.so_what(
        tiny_plan.statistics.headline(),
        gaps,
        finance.plan_against_approved(tiny_plan.statistics.cost_vs_budget(), tiny_plan.view),
        themes,
        what_ifs,
    )
    assert out["finding"].tolist() == ["critical_gap", "money", "safety"]
    first = out.loc[0, "values"]
    assert first["critical_share_closed"] == pytest.approx(20 / 60)
    assert first["budget_gains"] is False and first["best_what_if"] == "strategic lift +50 %"
    # Themes without data say what would be needed, and nothing else.
    unsupported = themes.loc[~themes["supported"]]
    assert {"obstruction", "training", "integrated", "women"} <= set(unsupported["theme"])
    assert (unsupported["needed"].str.len() > 40).all()


def test_contributor_page_known_answers(tiny_plan: Plan) -> None:
    view = tiny_plan.view
    rank = contributor_rank(view, "NLD")
    # Latest date: BGD 1,140, SEN 800, CHN 420, NLD 262.
    assert (rank["rank"], rank["contributors"], rank["personnel"]) == (4, 4, 262)
    assert rank["women_share"] == pytest.approx(30 / 262)
    page = contributor_view(
        view,
        "NLD",
        assignments=tiny_plan.assignments,
        explanations=tiny_plan.explanations,
        gaps=tiny_plan.statistics.gaps(),
        lights=traffic_lights(view),
    )
    pledge = page.pledges.set_index("pledge_id").loc["P1"]
    assert pledge["mission_id"] == "MINUSMA" and pledge["start"] == pd.Timestamp("2019-02-01")
    assert set(page.asked["unit_type_id"]) == {"UH"}
    with pytest.raises(KeyError, match="among those you may see"):
        contributor_view(
            view,
            "XXX",
            assignments=tiny_plan.assignments,
            explanations=tiny_plan.explanations,
            gaps=tiny_plan.statistics.gaps(),
            lights=traffic_lights(view),
        )


# --- the map's labels ----------------------------------------------------------------------


@settings(max_examples=8, deadline=None)
@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=3, max_value=14))
def test_placed_labels_never_overlap_when_they_fit(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    fig = new_figure(6.0, 4.0)
    ax = fig.add_subplot()
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 60)
    xs, ys = rng.uniform(20, 80, n), rng.uniform(15, 45, n)
    labels = place_labels(ax, list(xs), list(ys), [f"MISSION-{i}" for i in range(n)])
    assert len(labels) == n
    assert overlapping_pairs(labels) == 0


# --- French --------------------------------------------------------------------------------


def _template_messages() -> set[str]:
    ids: set[str] = set()
    for path in [
        TEMPLATES / "brief.html.j2",
        TEMPLATES / "macros.html.j2",
        *sorted((TEMPLATES / "sections").glob("*.j2")),
    ]:
        with path.open("rb") as f:
            for _, _, message, _ in babel_extract(
                f,
                ["_", "gettext", "ngettext"],
                [],
                {
                    "extensions": "jinja2.ext.i18n",
                    "trim_blocks": "true",
                    "lstrip_blocks": "true",
                    "trimmed": "true",
                },
            ):
                ids.add(message if isinstance(message, str) else message[0])
    return ids


def _chart_messages() -> set[str]:
    """The words of the charts: ``words("...")`` in the plotting modules (Babel's extractor)."""
    from babel.messages.extract import extract

    src = TEMPLATES.parents[1]
    ids: set[str] = set()
    for path in [
        *sorted((src / "plot").glob("*.py")),
        src / "protect" / "plot.py",
        src / "brief" / "robustness.py",
    ]:
        with path.open("rb") as f:
            for _, message, _, _ in extract("python", f, keywords={"words": None}):
                ids.add(message if isinstance(message, str) else message[0])
    return ids


def test_every_marked_message_has_a_french_translation() -> None:
    french = translations("fr")
    ids = _template_messages()
    assert len(ids) > 150
    assert sorted(m for m in ids if m not in french) == []  # type: ignore[operator]
    charts = _chart_messages()
    assert len(charts) > 40
    assert sorted(m for m in charts if m not in french) == []  # type: ignore[operator]


def test_french_number_formats() -> None:
    fr = localised_filters("fr")
    assert fr["num"](1234.5, 1) == "1\u202f234,5"
    assert fr["pct"](0.123) == "12,3\u00a0%"
    assert fr["usd"](3.4e6) == "3,4\u00a0M$" and fr["usd"](6.69e9) == "6,69\u00a0Md$"
    assert fr["month"]("2018-07-01") == "juil. 2018"


@pytest.fixture(scope="module")
def both_languages(
    tmp_path_factory: pytest.TempPathFactory, tiny_plan: Plan, options: BriefOptions
) -> dict[str, BriefFiles]:
    out = {}
    for lang in ("en", "fr"):
        opts = BriefOptions(
            contributions=options.contributions,
            generated=options.generated,
            contributor="NLD",
            lang=lang,
        )
        out[lang] = make_brief(
            tiny_plan.view, tmp_path_factory.mktemp(lang), plan=tiny_plan, options=opts, pdf=False
        )
    return out


def test_french_brief_states_the_same_figures(both_languages: dict[str, BriefFiles]) -> None:
    en = stat_cells(both_languages["en"].html.read_text("utf-8"))
    fr = stat_cells(both_languages["fr"].html.read_text("utf-8"))
    assert len(en) > 300
    assert en[["stat", "key", "value"]].equals(fr[["stat", "key", "value"]])
    html = both_languages["fr"].html.read_text("utf-8")
    assert '<html lang="fr">' in html
    for words in (
        "Méthodes et données",
        "Les finances vues par la Cinquième Commission",
        "En bref : trois constats pour le débat",
        "Les thèmes du débat",
    ):
        assert words in html


def test_the_french_brief_has_no_english_phrase_of_the_catalogue(
    both_languages: dict[str, BriefFiles],
) -> None:
    from .french_checks import english_left

    en, fr = (both_languages[lang].html.read_text("utf-8") for lang in ("en", "fr"))
    assert english_left(en, fr) == []
    # The same charts, in the same order, with the same number of texts drawn.
    assert en.count("data:image/svg+xml") == fr.count("data:image/svg+xml")


def test_contributor_page_figures_match(
    both_languages: dict[str, BriefFiles], tiny_plan: Plan
) -> None:
    for files in both_languages.values():
        cells = stat_cells(files.html.read_text("utf-8"))
        assert council_cells(cells, tiny_plan, contributor="NLD") > 50
    assert (both_languages["en"].tables / "contributor_pledges.csv").is_file()


# --- provenance on every chart and table ---------------------------------------------------


class _Blocks(HTMLParser):
    """Tables, figures, provenance labels and section ends, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[tuple[str, str]] = []
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table":
            self._depth += 1
            if self._depth == 1:
                self.items.append(("table", found.get("id") or ""))
        elif tag == "figure":
            self.items.append(("figure", ""))
        elif tag == "p" and "provenance" in (found.get("class") or ""):
            self.items.append(("provenance", found.get("data-weakest") or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._depth -= 1
        elif tag == "section":
            self.items.append(("end", ""))


#: Tables that are themselves the provenance (what is real, the sources) or the solver.
SELF_DESCRIBING = {"basis-table"}


def unlabelled(html: str) -> list[str]:
    """Tables and figures not followed by a provenance label within their section."""
    parser = _Blocks()
    parser.feed(html)
    missing, pending = [], []
    for kind, name in parser.items:
        if kind in ("table", "figure") and name not in SELF_DESCRIBING:
            pending.append(f"{kind}#{name}")
        elif kind == "provenance":
            pending = []
        elif kind == "end":
            missing += pending
            pending = []
    return missing


def test_every_chart_and_table_has_its_provenance(both_languages: dict[str, BriefFiles]) -> None:
    for files in both_languages.values():
        assert unlabelled(files.html.read_text("utf-8")) == []


# --- the command line ----------------------------------------------------------------------


def test_cli_contributor_and_language(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "brief",
            str(TINY),
            "--out",
            str(tmp_path),
            "--no-pdf",
            "--asks",
            "1",
            "--org",
            "UN-DPO",
            "--clearance",
            "confidential",
            "--contributor",
            "nld",
            "--lang",
            "fr",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    html = (tmp_path / "brief.html").read_text("utf-8")
    assert 'id="contributor"' in html and "Pays-Bas" in html and 'lang="fr"' in html
    assert json.loads(result.stdout)["html"].endswith("brief.html")


@pytest.mark.parametrize(
    ("flag", "value", "words"),
    [
        ("--lang", "de", "a brief can be written in en, fr"),
        ("--contributor", "XYZ", "no contributor with this id among those you may see"),
    ],
)
def test_cli_rejects_bad_language_and_contributor(
    tmp_path: Path, flag: str, value: str, words: str
) -> None:
    result = CliRunner().invoke(
        app, ["brief", str(TINY), "--out", str(tmp_path), "--no-pdf", flag, value]
    )
    assert result.exit_code == 2
    assert words in re.sub(r"\s+", " ", re.sub(r"[│╭╮╰╯─]", " ", result.output))


# --- the 2018 brief ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nld_fr_2018(brief_2018: BriefFiles, tmp_path_factory: pytest.TempPathFactory) -> BriefFiles:
    """The 2018 brief in French with the Netherlands' page, on the same plan."""
    assert brief_2018.plan is not None
    return make_brief(
        brief_2018.plan.view,
        tmp_path_factory.mktemp("nl-fr"),
        plan=brief_2018.plan,
        pdf=False,
        options=BriefOptions(contributor="NLD", lang="fr"),
    )


@pytest.mark.slow
def test_2018_every_new_figure_matches_in_both_languages(
    brief_2018: BriefFiles, nld_fr_2018: BriefFiles
) -> None:
    assert brief_2018.plan is not None
    en = stat_cells(brief_2018.html.read_text("utf-8"))
    fr = stat_cells(nld_fr_2018.html.read_text("utf-8"))
    assert council_cells(en, brief_2018.plan) > 300
    assert council_cells(fr, brief_2018.plan, contributor="NLD") > 300
    # The French brief states the same figures (besides the NLD page it adds).
    html = nld_fr_2018.html.read_text("utf-8")
    start = html.index('<section class="page" id="contributor">')
    without = html[:start] + html[html.index("</section>", start) :]
    shared = stat_cells(without)
    assert en[["stat", "key", "value"]].equals(shared[["stat", "key", "value"]])


@pytest.mark.slow
def test_2018_french_brief_has_no_english_phrase_of_the_catalogue(
    brief_2018: BriefFiles, nld_fr_2018: BriefFiles
) -> None:
    from .french_checks import english_left

    en = brief_2018.html.read_text("utf-8")
    fr = nld_fr_2018.html.read_text("utf-8")
    assert english_left(en, fr) == []


@pytest.mark.slow
def test_2018_provenance_labels_and_the_real_mission_table(brief_2018: BriefFiles) -> None:
    html = brief_2018.html.read_text("utf-8")
    assert unlabelled(html) == []
    # The mission table (real deployments, ceilings) is not stamped illustrative.
    after = html.split('id="mission-table"', 1)[1]
    label = re.search(
        r'<p class="provenance[^"]*" data-figure="strength" data-weakest="(\w+)"', after
    )
    assert label is not None and label.group(1) != "illustrative"
    # The page that uses the headline assumptions states them.
    coverage_page = html.split('id="coverage"', 1)[1].split("</section>", 1)[0]
    for name in ("lift moves per month", "priority weight critical"):
        assert name in coverage_page
    # Components: the 2018 deployments do not report them, and the brief says so.
    assert 'data-reported="false"' in html and "do not report the personnel component" in html


@pytest.mark.slow
def test_2018_map_shows_bases_and_named_contributors(brief_2018: BriefFiles) -> None:
    assert brief_2018.brief is not None
    bases = brief_2018.brief.tables["bases"]
    assert len(bases) > 40 and {"Gao", "Kidal", "Bentiu"} <= set(bases["location"])
    assert "map_bases" in brief_2018.brief.figures
    named = brief_2018.brief.tables["named_contributors"]
    assert "Ethiopia" in set(named["name"])
    html = brief_2018.html.read_text("utf-8")
    assert html.count("do not imply official endorsement or acceptance by the United Nations") >= 2


def test_gap_closing_costs_add_emplacement_and_repatriation(tiny_plan: Plan) -> None:
    from bluehelmet.scenario.core import Parameter

    view = tiny_plan.view
    costs = tiny_plan.statistics.gap_costs()
    bare = view.copy()
    for name in ("lift_move_usd", "travel_usd_per_person"):
        bare.parameters.pop(name, None)
    without = finance.gap_closing_costs(costs, tiny_plan.coverage, bare)
    assert without["move_usd"].isna().all()  # no rates in the scenario: not costed, not zero
    scenario = view.copy()
    scenario.parameters["lift_move_usd"] = Parameter(600_000.0, "assumed", "USD/move")
    scenario.parameters["travel_usd_per_person"] = Parameter(2_000.0, "assumed", "USD/person")
    out = finance.gap_closing_costs(costs, tiny_plan.coverage, scenario)
    units = view.unit_types.set_index("id")
    for row in out.itertuples():
        moves = float(units.loc[row.unit_type_id, "lift_moves"])
        one_way = (
            moves * 600_000.0
            if moves > 0
            else float(units.loc[row.unit_type_id, "personnel"]) * 2_000.0
        )
        assert row.move_usd == pytest.approx(2 * one_way * row.units_to_deploy)
        assert row.total_to_close_usd == pytest.approx(row.cost_to_close_usd + row.move_usd)
