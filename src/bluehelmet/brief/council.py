"""What the Council debate needs beyond the plan.

Provenance per figure, strength by component, money as the Fifth Committee sees it, the
debate's themes, the "so what", a contributor's page. :func:`council_context` adds these to
the context :func:`bluehelmet.brief.assemble.collect`
builds; like it, it only calls statistics functions and draws charts from their results.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from bluehelmet.forcegen.result import Plan
from bluehelmet.scenario.core import ScenarioView
from bluehelmet.statistics import components, debate, finance, findings, provenance
from bluehelmet.statistics.contributor import contributor_view

#: What each chart and table of the brief is computed from: (scenario tables, external data
#: with their basis, how the figure's own numbers are obtained). Keys are the ``data-figure``
#: names of the template; a test checks that every figure and table of the page has one.
FIGURE_INPUTS: dict[str, tuple[tuple[str, ...], dict[str, str], str]] = {
    "summary": (
        (
            "requirements",
            "pledges",
            "units_in_place",
            "unit_types",
            "pcrs_lead_times",
            "budgets",
            "reimbursement_rates",
        ),
        {},
        "the force plan",
    ),
    "coverage": (
        (
            "requirements",
            "pledges",
            "units_in_place",
            "unit_types",
            "pcrs_lead_times",
            "rotation_periods",
        ),
        {},
        "the force plan",
    ),
    "pledging": (
        ("requirements", "pledges", "unit_types", "pcrs_lead_times"),
        {},
        "the force plan and its re-solves",
    ),
    "women": (("deployments", "gender_targets", "contributors"), {}, "shares of the figures"),
    "trend": (
        (),
        {"UN uniformed personnel by contributor and year, 2010-2021": "real"},
        "yearly shares",
    ),
    "plan_gender": (("pledges", "gender_targets"), {}, "the force plan"),
    "money": (
        ("budgets", "unit_types", "reimbursement_rates", "requirements", "pledges"),
        {},
        "the force plan's costs",
    ),
    "approved": ((), {"approved peacekeeping budgets (UN)": "real"}, "sums and differences"),
    "gap_costs": (
        ("requirements", "unit_types", "reimbursement_rates"),
        {},
        "unmet unit-months x unit cost",
    ),
    "strength": (("missions", "ceilings", "deployments"), {}, "sums per mission"),
    "components": (
        ("ceilings", "deployments", "units_in_place", "unit_types"),
        {},
        "sums per mission and component",
    ),
    "map": (
        ("missions", "contributors", "deployments", "units_in_place"),
        {},
        "positions and sums",
    ),
    "bases": (("units_in_place", "contributors", "unit_types"), {}, "sums per base"),
    "safety": ((), {"UN peacekeeper fatality records": "real"}, "counts per year"),
    "debate": (
        ("pledges", "contributors", "requirements"),
        {"UN peacekeeper fatality records": "real"},
        "the force plan and counts",
    ),
    "assumptions": (("pcrs_lead_times",), {"scenario parameters (assumed)": "assumed"}, ""),
}

#: Scenario parameters stated on the page that uses them (headline assumptions).
PAGE_PARAMETERS: dict[str, tuple[str, ...]] = {
    "coverage": (
        "priority_weight_critical",
        "priority_weight_high",
        "priority_weight_normal",
        "lift_moves_per_month",
        "handover_months",
        "transit_km_per_day",
        "loading_days",
    ),
    "money": ("msa_usd_per_person_month", "lift_move_usd", "travel_usd_per_person"),
}


def provenance_labels(view: ScenarioView) -> dict[str, dict[str, object]]:
    """The provenance label of every chart and table, by figure name (:data:`FIGURE_INPUTS`)."""
    return {
        name: provenance.figure_provenance(view, tables, external, computed)
        for name, (tables, external, computed) in FIGURE_INPUTS.items()
    }


def contributor_provenance(view: ScenarioView, contributor: str) -> dict[str, dict[str, object]]:
    """Provenance labels of a contributor's page: only that contributor's rows are counted."""

    def mine(name: str) -> pd.DataFrame:
        table = view.tables[name]
        return table.loc[table["contributor_id"].astype(str) == contributor]

    return {
        "contributor_deployed": provenance.figure_provenance(
            view,
            ("deployments",),
            computed="sums per mission",
            rows={"deployments": mine("deployments")},
        ),
        "contributor_pledges": provenance.figure_provenance(
            view, ("pledges",), computed="the force plan", rows={"pledges": mine("pledges")}
        ),
        "contributor_in_place": provenance.figure_provenance(
            view, ("units_in_place",), rows={"units_in_place": mine("units_in_place")}
        ),
    }


def page_parameters(view: ScenarioView) -> dict[str, list[dict[str, object]]]:
    """The headline assumptions each page states, with value, unit and source.

    The scenario parameters of :data:`PAGE_PARAMETERS`; on the coverage page also the PCRS lead
    times (``pcrs_lead_times``), on the money page the budget headroom as a share of the approved
    budget (median over the budget rows, with the rows' bases).
    """
    out: dict[str, list[dict[str, object]]] = {}
    for page, names in PAGE_PARAMETERS.items():
        out[page] = [
            {
                "parameter": n,
                "value": view.parameters[n].value,
                "unit": view.parameters[n].unit or "",
                "source": view.parameters[n].source or "",
            }
            for n in names
            if n in view.parameters
        ]
    lead = view.tables["pcrs_lead_times"]
    for level, months, basis in zip(
        lead["level"].astype(str),
        lead["lead_time_months"].astype("int64"),
        lead["basis"].astype(str),
        strict=True,
    ):
        out.setdefault("coverage", []).append(
            {
                "parameter": f"lead_time_{level}",
                "value": int(months),
                "unit": "months",
                "source": basis,
            }
        )
    budgets = view.tables["budgets"]
    approved = budgets["approved_usd"].astype("float64")
    share = (budgets["headroom_usd"].astype("float64") / approved.where(approved > 0)).dropna()
    if len(share):
        out.setdefault("money", []).append(
            {
                "parameter": "budget_headroom_share",
                "value": round(float(share.median()), 4),
                "unit": "of the approved budget (median)",
                "source": ";".join(sorted({str(b) for b in budgets["basis"].dropna()})),
            }
        )
    return out


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    shown = table.reset_index() if (table.index.name is not None) else table
    return [
        {str(k): (None if _missing(v) else v) for k, v in row.items()}
        for row in shown.to_dict("records")
    ]


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def council_context(
    plan: Plan,
    *,
    budget: pd.DataFrame,
    headline: pd.Series,
    gaps: pd.DataFrame,
    lights: pd.DataFrame,
    contributor: str | None = None,
    gap_costs: pd.DataFrame | None = None,
    ask: pd.DataFrame | None = None,
    plan_gender: pd.DataFrame | None = None,
) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    """The context and tables of the sections issue 11 adds.

    Parameters
    ----------
    plan
        The force plan (its view is what the brief shows).
    budget
        ``plan.statistics.cost_vs_budget()``.
    headline, gaps
        ``plan.statistics.headline()`` and ``.gaps()``.
    lights
        :func:`bluehelmet.statistics.gender.traffic_lights` of the view.
    contributor
        A contributor id for the per-contributor page, or None.
    gap_costs, ask, plan_gender
        ``plan.statistics.gap_costs()``, ``.capability_requirements(valued_only=True)`` and
        ``.gender()`` when the caller has them already (computed here otherwise): nothing is
        computed twice.

    Returns
    -------
    tuple
        The template context (a dict) and the tables to write as CSV.
    """
    view = plan.view
    tables: dict[str, pd.DataFrame] = {}
    by_component = components.strength_by_component(view)
    totals = components.mission_total_vs_ceiling(view)
    women_components = components.women_by_ugps_component(view)
    approved = finance.approved_budgets()
    pressure = finance.budget_pressure()
    money_by_year = finance.plan_against_approved(budget, view)
    stats = plan.statistics
    gap_costs = stats.gap_costs() if gap_costs is None else gap_costs
    ask = stats.capability_requirements(valued_only=True) if ask is None else ask
    plan_gender = stats.gender() if plan_gender is None else plan_gender
    closing = finance.gap_closing_costs(gap_costs, plan.coverage, view)
    themes = debate.debate_themes(
        view,
        assignments=plan.assignments,
        explanations=plan.explanations,
        smart_pledging=ask,
        gaps=gaps,
        plan_gender=plan_gender,
    )
    missions = view.missions["id"].astype(str).tolist()
    year = int(pd.Timestamp(view.param("planning_start")).year)
    safety = debate.fatalities_by_year(missions, year - 5, year)
    what_ifs = findings.what_if_findings(plan.sensitivities)
    so_what = findings.so_what(headline, gaps, money_by_year, themes, what_ifs)
    tables.update(
        strength_by_component=by_component,
        mission_total_vs_ceiling=totals,
        women_by_component=women_components,
        approved_budgets=approved,
        budget_pressure=pressure,
        plan_against_approved=money_by_year,
        gap_closing_costs=closing,
        fatalities_by_year=safety,
        what_ifs=what_ifs,
        debate_themes=themes.assign(values=themes["values"].astype(str)),
        findings=so_what.assign(values=so_what["values"].astype(str)),
    )
    context: dict[str, Any] = {
        "prov": provenance_labels(view),
        "page_parameters": page_parameters(view),
        "components": _records(by_component),
        "mission_totals": {
            str(k): v
            for k, v in zip(totals.index, _records(totals.reset_index(drop=True)), strict=True)
        },
        "women_components": _records(women_components),
        "approved": _records(approved),
        "pressure": _records(pressure),
        "money_by_year": _records(money_by_year),
        "closing": {f"{r['mission_id']}|{r['unit_type_id']}": r for r in _records(closing)},
        "closing_total": {
            "months_usd": float(closing["cost_to_close_usd"].sum()),
            "moves_usd": float(closing["move_usd"].sum(min_count=1)),
            "total_usd": float(closing["total_to_close_usd"].sum(min_count=1)),
        },
        "themes": {str(r["theme"]): r for r in _records(themes)},
        "theme_order": [t for t, _ in debate.THEMES],
        "safety_years": _records(safety),
        "what_ifs": _records(what_ifs),
        "findings": _records(so_what),
        "contributor": None,
    }
    if contributor is not None:
        page = contributor_view(
            view,
            contributor,
            assignments=plan.assignments,
            explanations=plan.explanations,
            gaps=gaps,
            lights=lights,
        )
        tables.update(page.tables)
        context["prov"].update(contributor_provenance(view, contributor))
        context["contributor"] = {
            "id": page.contributor_id,
            "name": page.name,
            "rank": page.rank,
            "deployed": _records(page.deployed),
            "in_place": _records(page.in_place),
            "pledges": _records(page.pledges),
            "asked": _records(page.asked.head(12)),
            "asked_count": len(page.asked),
            "women": _records(page.women),
        }
    return context, tables
