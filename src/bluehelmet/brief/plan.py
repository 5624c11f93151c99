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

from bluehelmet.model.access import AccessContext
from bluehelmet.scenario.core import Scenario

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


def _pick(table: pd.DataFrame | None, name: str, renames: dict[str, str]) -> pd.DataFrame:
    """Rename the planner's columns to the brief's; keep extra columns."""
    if table is None:
        return empty(name)
    return table.rename(columns={k: v for k, v in renames.items() if k in table.columns})


def plan_tables(result: Any) -> PlanTables:
    """Adapt a :mod:`bluehelmet.forcegen` plan result to :class:`PlanTables`."""
    tables = getattr(result, "tables", None) or {}

    def get(name: str) -> pd.DataFrame | None:
        value = tables.get(name) if isinstance(tables, dict) else None
        return value if value is not None else getattr(result, name, None)

    return PlanTables(
        coverage=_pick(get("coverage"), "coverage", {"units_required": "required",
                                                       "units_covered": "covered"}),
        assignments=_pick(get("assignments"), "assignments", {}),
        costs=_pick(get("costs"), "costs", {}),
        smart_pledging=_pick(get("smart_pledging"), "smart_pledging", {}),
        gender=_pick(get("gender"), "gender", {}),
        explanations=_pick(get("explanations"), "explanations", {}),
        summary=dict(getattr(result, "summary", {}) or {}),
    )


def run_plan(scenario: Scenario, reader: AccessContext, time_limit: float | None = None,
             overrides: list[Path] | None = None) -> tuple[Scenario, PlanTables]:
    """Apply ``overrides`` to ``scenario``, solve the force plan and adapt its tables.

    Returns
    -------
    tuple
        The scenario as planned (with the overrides) and the plan's tables.
    """
    from bluehelmet.forcegen import plan

    for path in overrides or []:
        from bluehelmet.forcegen.overrides import apply_override_file

        scenario = apply_override_file(scenario, path)
    kwargs: dict[str, Any] = {}
    if time_limit is not None:
        kwargs["time_limit"] = time_limit
    result = plan(scenario, reader, **kwargs)
    return scenario, plan_tables(result)
