"""Gather every number, table and chart of the brief from the library's statistics functions.

:func:`collect` is the only place where the brief meets the analyses: it calls the statistics
functions on the scenario (as the reader may see it) and on the plan's tables, draws the charts
from their results, and hands the template a context of DataFrames and plain values. The
template formats; it never computes. The same DataFrames are written beside the brief as CSV.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import pandas as pd
from shapely.geometry.base import BaseGeometry

from bluehelmet.brief.charts import Charts
from bluehelmet.brief.council import council_context
from bluehelmet.brief.i18n import chart_words
from bluehelmet.brief.poc import add_section as add_poc_section
from bluehelmet.brief.robustness import RiskPage, risk_context
from bluehelmet.forcegen.result import Plan
from bluehelmet.plot import coverage as coverage_plots
from bluehelmet.plot import gender as gender_plots
from bluehelmet.plot import maps
from bluehelmet.plot import money as money_plots
from bluehelmet.plot.style import to_svg
from bluehelmet.statistics import coverage, gender, geography, money, provenance, solver
from bluehelmet.statistics.plan import planning_month
from bluehelmet.statistics.scenario import (
    deployments_period,
    horizon_end,
    mission_strength,
    reference_date,
)

#: Planner summary figures shown in "Methods and data", in this order (others go to the CSV).
SOLVER_FACTS = (
    "solve_seconds",
    "build_seconds",
    "objective",
    "objective_name",
    "required_requirement_months",
    "unmet_requirement_months",
    "weighted_unmet_requirement_months",
    "total_cost_usd",
    "units_deployed",
    "pledges",
    "pledges_used",
    "candidate_tours",
    "greedy_objective",
    "greedy_gap_to_optimum",
    "gender_mode",
    "horizon_start",
    "horizon_months",
)


#: Rows of the gap table on the critical-capabilities page (all rows go to gaps.csv).
GAP_ROWS = 8

#: Rows of each table on the summary page.
SUMMARY_ROWS = 4


@dataclass
class BriefOptions:
    """What goes into a brief besides the scenario and its plan.

    Attributes
    ----------
    top_rows
        Rows shown in each ranked table of the PDF (all rows go to the CSV files).
    hotspots
        Optional risk hotspot cells (``longitude, latitude, cell_size, level``) from the
        peacekeeping-intelligence analysis, shown on the mission-area map.
    protection
        Optional protection coverage points (``longitude, latitude, covered``).
    intel_note, protection_note
        Optional text describing how the hotspots and the coverage were computed.
    contributions
        Contributions by year for the trend (default: the bundled real UN data).
    generated
        Date printed on the brief (default: today).
    risk
        Tables of a risk run (:func:`bluehelmet.brief.robustness.read_risk`): adds the
        robustness page.
    contributor
        A contributor id (e.g. ``NLD``): adds that contributor's page.
    lang
        Language of the brief: ``en`` or ``fr`` (:data:`bluehelmet.brief.i18n.LANGUAGES`).
    """

    top_rows: int = 10
    hotspots: pd.DataFrame | None = None
    protection: pd.DataFrame | None = None
    intel_note: str = ""
    protection_note: str = ""
    contributions: pd.DataFrame | None = None
    generated: dt.date | None = None
    risk: RiskPage | None = None
    contributor: str | None = None
    lang: str = "en"


@dataclass
class Brief:
    """A brief ready to render: the template context, its tables and its charts (SVG).

    ``seconds``: time spent drawing the charts (``charts``), the rest of :func:`collect` being
    the statistics.
    """

    context: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def country_outlines() -> dict[str, BaseGeometry]:
    """Outlines of every country with one in the bundled Natural Earth file, by ISO3 code."""
    from bluehelmet.reference.countries import countries, outline

    out: dict[str, BaseGeometry] = {}
    for iso3 in countries()["iso3"].astype(str):
        geom = outline(iso3)
        if geom is not None:
            out[iso3] = geom
    return out


def brief_sources() -> pd.DataFrame:
    """The reference data the brief itself uses, with source and licence."""
    with (
        resources.files("bluehelmet.brief").joinpath("sources.csv").open("r", encoding="utf-8") as f
    ):
        return pd.read_csv(f, dtype="string")


#: Organisations of the access model named as they were on a date: (until, name) pairs, the
#: first whose ``until`` is after the date applies. The UN management reform (GA res. 72/199)
#: replaced DPKO and DFS by DPO and DOS on 1 January 2019.
ORGANISATION_NAMES: dict[str, list[tuple[str | None, str]]] = {
    "UN-DPO": [
        (
            "2019-01-01",
            "the UN Department of Peacekeeping Operations (DPKO) and "
            "Department of Field Support (DFS)",
        ),
        (None, "the UN Department of Peace Operations (DPO)"),
    ],
    "UN-DOS": [
        ("2019-01-01", "the UN Department of Field Support (DFS)"),
        (None, "the UN Department of Operational Support (DOS)"),
    ],
}


def organisation_name(organisation: str, on: pd.Timestamp) -> str:
    """The reader's organisation named as it was on ``on`` (the scenario's reference date)."""
    for until, name in ORGANISATION_NAMES.get(organisation, []):
        if until is None or pd.Timestamp(on) < pd.Timestamp(until):
            return name
    return organisation


def map_practice() -> pd.DataFrame:
    """How UN maps place and name the missions in disputed or special areas (with sources)."""
    with (
        resources.files("bluehelmet.brief")
        .joinpath("map_practice.csv")
        .open("r", encoding="utf-8") as f
    ):
        return pd.read_csv(
            f,
            dtype={
                "mission_id": "string",
                "areas": "string",
                "label": "string",
                "note": "string",
                "source": "string",
            },
        )


def _records(table: pd.DataFrame, top: int | None = None) -> list[dict[str, Any]]:
    """Rows as dicts for the template (a named index becomes a column)."""
    shown = table if top is None else table.head(top)
    if shown.index.name is not None or isinstance(shown.index, pd.MultiIndex):
        shown = shown.reset_index()
    # Missing values become None so that templates can test them ("if g.critical_group").
    return [
        {str(k): (None if _is_missing(v) else v) for k, v in row.items()}
        for row in shown.to_dict("records")
    ]


def _is_missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def collect(plan: Plan, options: BriefOptions | None = None) -> Brief:
    """Compute every statistic and chart of the brief.

    Parameters
    ----------
    plan
        The force plan: its view (the scenario as the reader saw it, overrides applied) and
        reader (who the brief is for) are what the brief shows; its numbers come from
        ``plan.statistics``.
    options
        Optional layers (hotspots, protection coverage) and presentation choices.
    """
    opts = options or BriefOptions()
    view, reader, stats = plan.view, plan.reader, plan.statistics
    top = opts.top_rows
    charts = Charts(chart_words(opts.lang))
    tables: dict[str, pd.DataFrame] = {}
    figures: dict[str, str] = {}

    # Coverage before and after the plan.
    by_mission = stats.coverage_by_month()
    critical = stats.critical_coverage()
    gaps = stats.gaps()
    headline = stats.headline()
    tables.update(
        coverage_by_mission_month=by_mission, critical_coverage_by_month=critical, gaps=gaps
    )
    mission_share = coverage.share_closed_by(by_mission, "mission_id")
    critical_share = coverage.share_closed_by(critical, "group")
    tables.update(
        share_closed_by_mission=mission_share.to_frame(),
        share_closed_by_critical_group=critical_share.to_frame(),
    )
    figures["coverage_missions"] = charts.svg(
        coverage_plots.small_multiples, by_mission, "mission_id", mission_share
    )
    figures["coverage_critical"] = charts.svg(
        coverage_plots.small_multiples, critical, "group", critical_share
    )

    # The ask, and what the plan cannot do.
    ask = stats.capability_requirements(valued_only=True)
    unused = stats.unused_pledges()
    costs_of_gaps = stats.gap_costs()
    tables.update(
        capability_requirements=ask, unused_pledges_by_reason=unused, gap_costs=costs_of_gaps
    )

    # Money.
    budget = stats.cost_vs_budget()
    totals = stats.mission_costs()
    unit_costs = stats.unit_costs()
    tables.update(cost_vs_budget=budget, mission_cost_totals=totals, unit_monthly_cost=unit_costs)
    figures["cost_budget"] = charts.svg(money_plots.cost_budget_chart, totals)
    costliest = money.costliest_gaps(costs_of_gaps, top)
    tables["costliest_gaps"] = costliest
    if len(costliest):
        figures["gap_costs"] = charts.svg(money_plots.gap_cost_chart, costliest, top=top)

    # Women in peacekeeping.
    lights = gender.traffic_lights(view)
    light_counts = gender.traffic_light_counts(lights)
    trend = gender.women_share_trend(opts.contributions)
    tables.update(
        traffic_lights=lights,
        traffic_light_counts=light_counts,
        women_share_trend=trend,
        plan_gender=stats.gender(),
    )
    lit = (
        light_counts.loc[light_counts[gender.LIGHTS].sum(axis=1) > 0]
        if len(light_counts)
        else light_counts
    )
    if len(lit):
        figures["traffic_lights"] = charts.svg(gender_plots.traffic_light_chart, lit)
    figures["trend"] = charts.svg(gender_plots.trend_chart, trend)

    # Maps.
    practice = map_practice()
    points = geography.apply_map_practice(geography.mission_points(view), practice)
    map_notes = [str(n) for n in points["note"] if n]
    flows = geography.deployment_flows(view)
    planned = stats.planned_flows()
    # Lines end where the map draws the mission (UN map practice may move it off its HQ).
    where = points.set_index("mission_id")
    for table in (flows, planned):
        if len(table):
            table["to_lon"] = table["mission_id"].map(where["longitude"]).fillna(table["to_lon"])
            table["to_lat"] = table["mission_id"].map(where["latitude"]).fillna(table["to_lat"])
    outlines = country_outlines()
    bases = geography.base_points(view)
    named = geography.contributor_points(flows, view)
    tables.update(
        mission_points=points,
        deployment_flows=flows,
        planned_flows=planned,
        bases=bases,
        named_contributors=named,
    )
    figures["map_deployments"] = charts.svg(
        maps.deployment_map, points, flows, planned, outlines, contributors=named, bases=bases
    )
    if len(bases):
        figures["map_bases"] = charts.svg(maps.bases_map, bases, points, outlines)
    has_layers = (opts.hotspots is not None and len(opts.hotspots) > 0) or (
        opts.protection is not None and len(opts.protection) > 0
    )
    if has_layers:
        figures["map_areas"] = charts.svg(
            maps.mission_area_map, points, outlines, opts.hotspots, opts.protection
        )
        if opts.hotspots is not None:
            tables["hotspots"] = opts.hotspots
        if opts.protection is not None:
            tables["protection_coverage"] = opts.protection

    # Methods and data.
    basis = provenance.basis_by_table(view)
    tables.update(basis_by_table=basis, assumed_parameters=provenance.assumed_parameters(view))
    illustrative_rows = int(basis["not_real"].sum()) if len(basis) else 0
    strength = mission_strength(view)
    summary = plan.summary.to_dict()
    stages = solver.solver_stages(summary)
    source_summary = provenance.source_summary(view, limit=2)
    tables["scenario_sources"] = provenance.sources_by_table(view, limit=10**9)
    targets = (
        gender.ugps_targets(view, int(lights["year"].iloc[0]))
        if len(lights)
        else pd.DataFrame(columns=["personnel_category", "target_share", "basis"])
    )
    tables["solver_stages"] = stages
    context: dict[str, Any] = {
        "meta": {
            "title": str(view.meta.get("title", view.name)),
            "scenario": view.name,
            "description": str(view.meta.get("description", "")),
            "generated": (opts.generated or dt.date.today()).isoformat(),
            "reader": organisation_name(reader.organisation, reference_date(view)),
            "reference_date": reference_date(view),
            "horizon_end": horizon_end(view),
            "clearance": reader.clearance.label,
            "classification": provenance.highest_classification(view)
            .label.replace("_", " ")
            .upper(),
            "planning_start": planning_month(view),
            "horizon_months": int(view.param("horizon_months")),
            "missions": len(points),
        },
        "illustrative": {
            "uses": bool(illustrative_rows > 0),
            "rows": illustrative_rows,
            "total": int(basis["rows"].sum()) if len(basis) else 0,
            "tables": _records(basis.loc[basis["not_real"] > 0]),
        },
        "headline": headline.to_dict(),
        "total_cost_usd": float(budget["cost_usd"].sum()),
        "total_headroom_usd": float(budget["headroom_usd"].sum(min_count=1)),
        "solver": summary,
        "solver_stages": _records(stages),
        "solver_proven": solver.plan_proven(stages),
        "solver_facts": [(k, summary[k]) for k in SOLVER_FACTS if k in summary],
        "cost_totals": _records(totals),
        "fiscal_years": sorted(budget["fiscal_year"].dropna().astype(str).unique()),
        "budget_by_key": {f"{r['mission_id']}|{r['fiscal_year']}": r for r in _records(budget)},
        "single_category": bool(lights["personnel_category"].nunique() <= 1),
        "gaps_before": _records(
            gaps.sort_values(
                ["critical_group", "required_unit_months"],
                ascending=[True, False],
                na_position="last",
            ),
            top,
        ),
        "closed": _records(
            gaps.loc[gaps["covered_unit_months"] > 0].sort_values(
                "covered_unit_months", ascending=False
            ),
            top,
        ),
        "open_gaps": _records(costliest),
        "open_gaps_count": len(costs_of_gaps),
        "open_gaps_more": len(costs_of_gaps) - len(costliest),
        "summary_open": _records(costs_of_gaps, SUMMARY_ROWS),
        "summary_open_more": len(costs_of_gaps) - min(len(costs_of_gaps), SUMMARY_ROWS),
        "ask": _records(ask, top),
        "ask_all": _records(ask, 3 * top),
        "ask_count": len(ask),
        "gaps": _records(gaps, 2 * top),
        "gaps_count": len(gaps),
        "gap_rows": GAP_ROWS,
        "unused": _records(unused),
        "lights": _records(lights),
        "light_counts": _records(light_counts),
        "targets": _records(targets),
        "targets_by_category": {str(r["personnel_category"]): r for r in _records(targets)},
        "lit_categories": [str(c) for c in lit.index],
        "unlit_categories": [
            str(c)
            for c in light_counts.index
            if len(light_counts) and light_counts.loc[c, "none"] > 0
        ],
        "deployments_period": deployments_period(view),
        "trend": _records(trend),
        "plan_gender": _records(tables["plan_gender"]),
        "budget": _records(budget),
        "unit_costs": _records(unit_costs),
        "strength": _records(strength),
        "sources": _records(brief_sources()),
        "scenario_sources": _records(source_summary),
        "assumptions": _records(tables["assumed_parameters"]),
        "basis_rows": _records(basis),
        "category_labels": gender.CATEGORY_LABELS,
        "has_layers": has_layers,
        "map_notes": map_notes,
        "intel_note": opts.intel_note,
        "protection_note": opts.protection_note,
        "top_rows": top,
    }
    council, council_tables = council_context(
        plan,
        budget=budget,
        headline=headline,
        gaps=gaps,
        lights=lights,
        contributor=opts.contributor,
        gap_costs=costs_of_gaps,
        ask=ask,
        plan_gender=tables["plan_gender"],
    )
    tables.update(council_tables)
    context.update(council)
    context["bases"] = _records(bases)
    context["named_contributors"] = _records(named)
    context["lang"] = opts.lang
    context["risk"] = None
    if opts.risk is not None:
        context["risk"], risk_tables, risk_figures = risk_context(opts.risk, top, charts.words)
        tables.update(risk_tables)
        figures.update({name: to_svg(fig) for name, fig in risk_figures.items()})
    add_poc_section(
        plan, context, tables, figures, charts
    )  # protection of civilians (brief/poc.py)
    return Brief(context, tables, figures, {"charts": charts.seconds})
