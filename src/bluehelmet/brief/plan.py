"""The force plan as the brief reads it: a few tables with fixed column names.

:class:`PlanTables` is the brief's contract with the force planner. :func:`plan_tables` fills it
from a :class:`bluehelmet.forcegen` plan result, so the rest of the brief does not change when the
planner's own tables gain columns; tests build :class:`PlanTables` by hand for cases with known
answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from bluehelmet.scenario.core import ScenarioView

#: Columns of each table of :class:`PlanTables`.
COLUMNS: dict[str, list[str]] = {
    "coverage": ["mission_id", "unit_type_id", "month", "required", "covered"],
    "assignments": ["pledge_id", "contributor_id", "mission_id", "unit_type_id", "start", "end",
                    "units"],
    "costs": ["mission_id", "fiscal_year", "cost_usd"],
    "smart_pledging": ["mission_id", "unit_type_id", "units", "needed_by", "value", "why"],
    "gender": ["personnel_category", "women_share", "target_share"],
    "explanations": ["pledge_id", "contributor_id", "unit_type_id", "reason"],
}


@dataclass
class PlanTables:
    """The plan tables the brief shows.

    Attributes
    ----------
    coverage
        Units required and covered per mission, unit type and month (month start dates).
    assignments
        The chosen tours: which pledge's units go to which mission, from ``start`` to ``end``.
    costs
        Cost of the plan per mission and UN fiscal year (``2018/19``).
    smart_pledging
        The units the UN should ask for: mission, unit type, how many, by when, the value of one
        more unit (weighted unit-months of gap it closes) and why, best first.
    gender
        The plan's women's share per personnel category against the UGPS target.
    explanations
        Why each unused pledge is not used.
    summary
        Solver figures: ``status``, ``mip_gap``, ``solve_seconds``, ``objective``,
        ``unmet_requirement_months``, ``total_cost_usd`` and any others the planner reports.
    """

    coverage: pd.DataFrame
    assignments: pd.DataFrame
    costs: pd.DataFrame
    smart_pledging: pd.DataFrame
    gender: pd.DataFrame
    explanations: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, columns in COLUMNS.items():
            table: pd.DataFrame = getattr(self, name)
            missing = [c for c in columns if c not in table.columns]
            if missing:
                raise ValueError(f"plan table {name!r} lacks columns {missing}; it has "
                                 f"{list(table.columns)}")


def empty(name: str) -> pd.DataFrame:
    """An empty plan table with the declared columns."""
    return pd.DataFrame(columns=COLUMNS[name])


def _month(values: pd.Series) -> pd.Series:
    """``YYYY-MM`` month labels (or dates) as month-start timestamps."""
    return pd.to_datetime(values.astype(str).str.slice(0, 7), format="%Y-%m")


def _first(table: pd.DataFrame, *names: str) -> pd.Series | None:
    for name in names:
        if name in table.columns:
            return table[name]
    return None


def plan_tables(result: Any) -> PlanTables:
    """Adapt a :class:`bluehelmet.forcegen.results.PlanResult` to :class:`PlanTables`.

    The planner writes months as ``YYYY-MM`` labels and gender shares per category and year;
    this turns them into the brief's columns and keeps the planner's other columns as they are.
    """
    cov = result.coverage.copy()
    cov["month"] = _month(_first(cov, "month", "month_start"))  # type: ignore[arg-type]
    asg = result.assignments.copy()
    asg["start"] = _month(_first(asg, "start", "start_month"))  # type: ignore[arg-type]
    asg["end"] = _month(_first(asg, "end", "end_month"))  # type: ignore[arg-type]
    gender = result.gender.rename(columns={"category": "personnel_category", "year": "period"})
    return PlanTables(
        coverage=cov, assignments=asg, costs=result.costs.copy(),
        smart_pledging=_smart(result.smart_pledging),
        gender=gender.loc[gender["women_share"].notna()].reset_index(drop=True)
        if "women_share" in gender else empty("gender"),
        explanations=_explanations(result.explanations),
        summary=dict(result.summary),
    )


def _smart(table: pd.DataFrame) -> pd.DataFrame:
    if table is None or table.empty:
        return empty("smart_pledging")
    out = table.rename(columns={"units_short_at_worst": "units", "first_month_short": "needed_by",
                                "value_one_more_unit": "value"})
    out["needed_by"] = _month(out["needed_by"])
    return out


def _explanations(table: pd.DataFrame) -> pd.DataFrame:
    if table is None or table.empty:
        return empty("explanations")
    out = table.copy()
    if "used" in out:
        out = out.loc[~out["used"].astype(bool)]
    if "reason" not in out and "why" in out:
        out = out.rename(columns={"why": "reason"})
    return out.reset_index(drop=True)


#: Solver time limit of the brief's plan (seconds): the planner's own default is 15 s; the brief
#: gives it 9 s so that the whole 2018 brief stays under 30 s on a 2-core machine (with 12 s it
#: took 30-31 s once every objective stage got a start and a bound). The brief prints the solver
#: status and optimality gap either way; ``--time-limit`` buys a tighter plan.
BRIEF_TIME_LIMIT = 9.0


def run_plan(view: ScenarioView, time_limit: float | None = None,
             overrides: list[Path] | None = None,
             max_asks: int = 8) -> tuple[ScenarioView, PlanTables]:
    """Apply ``overrides`` to the reader's ``view``, solve the force plan and adapt its tables.

    Overrides are applied to the view exactly as ``bluehelmet plan --override`` applies them
    (:func:`~bluehelmet.forcegen.scenarios.apply_overrides`).

    The planner's explanations and smart-pledging list are computed (the latter for the
    ``max_asks`` largest gaps, one re-solve each); its sensitivities (more budget, faster
    readiness, more lift: several more re-solves) are not, since the brief does not show them.

    Returns
    -------
    tuple
        The view as planned (with the overrides applied) and the plan's tables.
    """
    from bluehelmet.forcegen import apply_overrides, load_override, plan

    loaded = [load_override(path) for path in overrides or []]
    planned = apply_overrides(view, loaded) if loaded else view
    result = plan(planned, sensitivities=False, max_asks=max_asks,
                  time_limit=BRIEF_TIME_LIMIT if time_limit is None else time_limit)
    return planned, plan_tables(result)
