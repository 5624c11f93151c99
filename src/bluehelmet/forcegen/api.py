"""The public entry point: :func:`plan`, from a scenario view to a :class:`Plan`."""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pandas as pd

from bluehelmet.forcegen.explain import binding_constraints, explain_pledges
from bluehelmet.forcegen.fingerprint import plan_record
from bluehelmet.forcegen.formulation import COST_SCALE
from bluehelmet.forcegen.options import PlanOptions
from bluehelmet.forcegen.pipeline import Progress, Solved, solve_scenario
from bluehelmet.forcegen.requirements_note import requirements_note
from bluehelmet.forcegen.result import (
    ILLUSTRATIVE_NOTICE,
    Plan,
    PlanSummary,
    ReaderSummary,
    StageSummary,
)
from bluehelmet.forcegen.scenarios import Override, apply_overrides
from bluehelmet.forcegen.smart import smart_pledge_groups
from bluehelmet.forcegen.tables import (
    assignments_table,
    ceiling_excess_table,
    ceilings_table,
    costs_table,
    coverage_table,
    force_in_place_table,
    gaps_table,
    gender_table,
    tour_values,
)
from bluehelmet.forcegen.whatif import out_of_time, sensitivity_table, value_of_one_more_unit
from bluehelmet.scenario.core import ScenarioView


def plan(
    view: ScenarioView,
    options: PlanOptions | None = None,
    *,
    overrides: tuple[Override, ...] = (),
    progress: Progress | None = None,
) -> Plan:
    """Plan which pledged units deploy where and when, on the scenario as its reader sees it.

    Parameters
    ----------
    view
        The scenario as the reader may see it (``scenario.view(reader)``): only what the reader
        may see is planned on, and no hidden id reaches the result.
    options
        Horizon, explanation tables and solver options (:class:`PlanOptions`).
    overrides
        :class:`~bluehelmet.forcegen.scenarios.Override` objects applied in order to the view
        before planning (see :func:`~bluehelmet.forcegen.scenarios.apply_overrides`).
    progress
        Called when an objective stage starts and ends (the CLI shows it).

    Raises
    ------
    TypeError
        If ``view`` is not a :class:`~bluehelmet.scenario.core.ScenarioView` (a whole scenario is
        never planned on), or an override is not an :class:`Override` (nothing is silently
        ignored).

    Returns
    -------
    Plan
        The plan with its view (overrides applied), tables and summary.

    Examples
    --------
    >>> from bluehelmet import AccessContext, load_scenario, plan  # doctest: +SKIP
    >>> reader = AccessContext.public()  # doctest: +SKIP
    >>> p = plan(load_scenario("2018").view(reader))  # doctest: +SKIP
    >>> p.statistics.coverage(groupby="mission_id")  # doctest: +SKIP
    """
    t0 = time.perf_counter()
    opts = options or PlanOptions()
    if not isinstance(view, ScenarioView):
        raise TypeError(
            f"plan() plans on what one reader may see: pass scenario.view(reader), "
            f"not a {type(view).__name__}"
        )
    wrong = [o for o in overrides if not isinstance(o, Override)]
    if wrong:
        raise TypeError(
            f"overrides must be Override objects (load_override(path)), got "
            f"{type(wrong[0]).__name__}: {wrong[0]!r}"
        )
    if overrides:
        view = apply_overrides(view, list(overrides))
    solved = solve_scenario(view, opts.solve, horizon=opts.horizon, progress=progress)
    deadline = None if opts.solve.time_limit is None else t0 + opts.solve.time_limit
    d, model, x = solved.data, solved.model, solved.solution.x
    y = tour_values(model, x)
    tables = {
        "assignments": assignments_table(d, y),
        "coverage": coverage_table(d, y),
        "gaps": gaps_table(d, y),
        "costs": costs_table(d, y),
        "gender": gender_table(d, y),
        "force_in_place": force_in_place_table(d),
        "ceilings": ceilings_table(d, y),
        "ceiling_excess": ceiling_excess_table(d),
    }
    binding = binding_constraints(model, x, scale={"Budget-fiscal-year": COST_SCALE})
    # A budget binds when no unused unit fits in what is left of it (the knapsack rule).
    budget_keys = set(binding.loc[binding["constraint"] == "Budget-fiscal-year", "key"])
    costs = tables["costs"]
    costs["budget_binding"] = (
        costs["mission_id"].astype(str) + " " + costs["fiscal_year"].astype(str)
    ).isin(budget_keys)
    if opts.explain:
        tables["explanations"] = explain_pledges(d, solved.pairs, model, x)
        tables["binding"] = binding
    # Stages the wall-clock limit stopped (a node budget's stop is a stage status of its own).
    cut = [f"stage {s.stage}" for s in solved.solution.stages if s.status == "time_limit"]
    if opts.smart_pledging:
        note = requirements_note(view, d, solved.pairs, y)
        if len(note) and not opts.max_asks:
            note["value_one_more_unit_lp"] = np.nan
        elif len(note):
            asks = note[["mission_id", "unit_type_id"]].drop_duplicates().head(opts.max_asks)
            value = asks.assign(
                value_one_more_unit_lp=value_of_one_more_unit(
                    view, solved, opts.horizon, asks, deadline
                )
            )
            note = note.merge(value, on=["mission_id", "unit_type_id"], how="left")
            if value["value_one_more_unit_lp"].isna().any():
                cut.append("capability_requirements")  # values the time limit left no time for
        tables["capability_requirements"] = note
        tables["smart_pledges"] = smart_pledge_groups(d, solved.pairs, tables["assignments"])
    if opts.sensitivities:
        tables["sensitivities"] = sensitivity_table(view, solved, opts.horizon, deadline)
        if tables["sensitivities"].attrs.get("cut_by_time_limit") or out_of_time(deadline):
            cut.append("sensitivities")
    summary = dataclasses.replace(
        summarise(view, solved, tables),
        cut_by_time_limit=tuple(cut),
        plan_record=plan_record(view, opts),
    )
    return Plan(view, tables, summary, opts)


def summarise(view: ScenarioView, solved: Solved, tables: dict[str, pd.DataFrame]) -> PlanSummary:
    """The headline numbers of a run (``summary.json``)."""
    m, sol = solved.model, solved.solution
    stage = {s.stage: s for s in sol.stages}
    unmet = (
        stage["unmet"].objective if "unmet" in stage else float(m.objective_vector("unmet") @ sol.x)
    )
    greedy_unmet = float(m.objective_vector("unmet") @ solved.greedy)
    gaps, costs, asg = tables["gaps"], tables["costs"], tables["assignments"]
    missing_budget = costs[costs["headroom_usd"].isna()]
    cov, fip = tables["coverage"], tables["force_in_place"]
    # Person- and aircraft-months within the horizon (a tour committed past it counts to its end).
    last = asg["end"].where(asg["end"] <= solved.data.months[-1], solved.data.months[-1])
    months_present = (
        (last.dt.year - asg["start"].dt.year) * 12 + last.dt.month - asg["start"].dt.month + 1
    )
    return PlanSummary(
        scenario=view.name,
        marking=view.marking.label,
        reader=ReaderSummary(view.reader.organisation, view.reader.clearance.label),
        objective=unmet,
        objective_name="weighted unmet requirement-months (stage 1 of 4)",
        stages=tuple(
            StageSummary(
                s.stage, s.status, s.objective, finite(s.bound), finite(s.mip_gap), s.seconds
            )
            for s in sol.stages
        ),
        status=sol.status,
        mip_gap=finite(stage["unmet"].mip_gap) if "unmet" in stage else 0.0,
        mip_gap_all_stages=finite(sol.mip_gap),
        solve_seconds=sol.solve_seconds,
        build_seconds=solved.build_seconds,
        unmet_requirement_months=float(gaps["unmet_unit_months"].sum()),
        in_place_requirement_months=float(gaps["in_place_unit_months"].sum()),
        weighted_unmet_requirement_months=float(gaps["weighted_unmet"].sum()),
        required_requirement_months=float(gaps["required_unit_months"].sum()),
        total_cost_usd=float(asg["cost_usd"].sum()),
        peacekeeping_cost_usd=float(
            costs.loc[costs["account"] == "peacekeeping", "cost_usd"].sum()
        ),
        regular_budget_cost_usd=float(
            costs.loc[costs["account"] == "regular_budget", "cost_usd"].sum()
        ),
        cost_by_budget_period=cost_by_budget_period(costs),
        units_deployed=int(asg["units"].sum()),
        required_person_months=float(cov["required_personnel"].sum()),
        in_place_person_months=float(fip["personnel"].sum()),
        planned_person_months=float((asg["personnel"] * months_present).sum()),
        unmet_person_months=float(gaps["unmet_person_months"].sum()),
        required_aircraft_months=float(cov["required_aircraft"].sum()),
        in_place_aircraft_months=float(fip["aircraft"].sum()),
        planned_aircraft_months=float((asg["aircraft"] * months_present).sum()),
        unmet_aircraft_months=float(cov["short_aircraft"].sum()),
        units_in_place=int(fip.groupby("month")["units"].sum().max()) if len(fip) else 0,
        ceiling_excess_months=len(tables["ceiling_excess"]),
        pledges=len(solved.data.pledges),
        pledges_used=int((asg.groupby("pledge_id").size() > 0).sum()),
        candidate_tours=len(solved.data.candidates),
        greedy_objective=greedy_unmet,
        greedy_gap_to_optimum=(greedy_unmet - unmet) / max(unmet, 1e-9)
        if unmet
        else float(greedy_unmet > 0),
        gender_mode=str(view.param("gender_mode")),
        missions_without_budget_rows=tuple(sorted(set(missing_budget["mission_id"].astype(str)))),
        horizon_start=solved.data.months[0].strftime("%Y-%m"),
        horizon_months=solved.data.n_months,
        uses_illustrative_data=view.uses_illustrative_data,
        notice=ILLUSTRATIVE_NOTICE if view.uses_illustrative_data else "",
    )


def cost_by_budget_period(costs: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Planned cost per account and budget period (``costs.csv`` summed over missions)."""
    per = costs.groupby(["account", "fiscal_year"], as_index=False)["cost_usd"].sum()
    out: dict[str, dict[str, float]] = {}
    for account, period, value in zip(
        per["account"].astype(str), per["fiscal_year"].astype(str), per["cost_usd"], strict=True
    ):
        out.setdefault(account, {})[period] = float(value)
    return out


def finite(value: float) -> float | None:
    """JSON has no infinity: an unknown gap (no bound yet) is written as null."""
    return float(value) if np.isfinite(value) else None
