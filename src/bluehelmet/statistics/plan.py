"""``plan.statistics``: the figures of a force plan, as DataFrames, in the style of PyPSA.

:class:`PlanStatistics` is the accessor a :class:`~bluehelmet.forcegen.result.Plan` hands out
(``p.statistics.coverage(groupby="mission_id")``). Each method calls the statistics function of
its concept (:mod:`~bluehelmet.statistics.coverage`, :mod:`~bluehelmet.statistics.money`,
:mod:`~bluehelmet.statistics.pledging`, :mod:`~bluehelmet.statistics.geography`) on the plan's
own tables and the view it was planned on; the brief, the plots and the CLI take their numbers
from here and never recompute them.
"""

from __future__ import annotations

from typing import Protocol

import pandas as pd

from bluehelmet.scenario.core import ScenarioView
from bluehelmet.statistics import coverage, geography, money, pledging

#: Keys :meth:`PlanStatistics.coverage` can group by.
COVERAGE_KEYS = ("mission_id", "unit_type_id", "unit_type", "capability", "critical_group", "month")

#: Keys :meth:`PlanStatistics.cost` can group by (columns of the plan's tours).
COST_KEYS = (
    "mission_id",
    "contributor_id",
    "unit_type_id",
    "pledge_id",
    "requirement_id",
    "priority",
    "pcrs_level",
)


class PlannedTables(Protocol):
    """What the statistics read from a plan (a :class:`~bluehelmet.forcegen.result.Plan`)."""

    @property
    def view(self) -> ScenarioView:
        """The scenario as the reader saw it when planning (``view.reader``: whose view)."""

    @property
    def assignments(self) -> pd.DataFrame:
        """The chosen tours."""

    @property
    def coverage(self) -> pd.DataFrame:
        """Mission x unit type x month: required and covered."""

    @property
    def costs(self) -> pd.DataFrame:
        """Mission x fiscal year: cost and headroom."""

    @property
    def gender(self) -> pd.DataFrame:
        """Category x year: women's share against the target."""

    @property
    def explanations(self) -> pd.DataFrame:
        """Per pledge: used or why not."""

    @property
    def capability_requirements(self) -> pd.DataFrame:
        """The capability requirements note."""

    @property
    def smart_pledges(self) -> pd.DataFrame:
        """Smart-pledge groups, one row per member."""

    @property
    def sensitivities(self) -> pd.DataFrame:
        """Value of more budget, lift, readiness."""


def planning_month(view: ScenarioView) -> pd.Timestamp:
    """The first month planned (the month of the ``planning_start`` parameter)."""
    start = view.param("planning_start")
    return pd.Timestamp(start.year, start.month, 1)


class PlanStatistics:
    """Statistics of one plan; every method returns a DataFrame (or a Series of headline figures).

    Parameters
    ----------
    plan
        The plan (anything with its tables and the reader's view it was planned on).
    """

    def __init__(self, plan: PlannedTables) -> None:
        self._plan = plan

    def __repr__(self) -> str:
        return "PlanStatistics: " + ", ".join(
            name for name in dir(self) if not name.startswith("_")
        )

    def coverage(self, groupby: str | list[str] | None = "mission_id") -> pd.DataFrame:
        """Unit-months required, covered and unmet, and the share covered, per group.

        Parameters
        ----------
        groupby
            One or more of :data:`COVERAGE_KEYS` (``"month"`` gives a monthly table); ``None``
            sums over everything (one row).

        Returns
        -------
        DataFrame
            The group keys and ``required_unit_months, covered_unit_months,
            unmet_unit_months, share_covered`` (NaN where nothing is required).
        """
        keys = [] if groupby is None else [groupby] if isinstance(groupby, str) else list(groupby)
        unknown = [k for k in keys if k not in COVERAGE_KEYS]
        if unknown:
            raise ValueError(f"cannot group coverage by {unknown}; use {', '.join(COVERAGE_KEYS)}")
        cov = coverage.with_catalogue(self._plan.coverage, self._plan.view)
        sums = (
            cov.assign(one=0)
            .groupby(keys or ["one"], dropna=False)[["required", "covered"]]
            .sum()
            .reset_index()
        )
        if not keys:
            sums = sums.drop(columns="one")
        out = sums.rename(
            columns={"required": "required_unit_months", "covered": "covered_unit_months"}
        )
        out["unmet_unit_months"] = out["required_unit_months"] - out["covered_unit_months"]
        out["share_covered"] = out["covered_unit_months"] / out["required_unit_months"].where(
            out["required_unit_months"] > 0
        )
        return out

    def cost(self, groupby: str | list[str] | None = "mission_id") -> pd.DataFrame:
        """Planned cost (USD, within the horizon) and units deployed, per group of tours.

        Parameters
        ----------
        groupby
            One or more of :data:`COST_KEYS`; ``None`` sums over every tour (one row).
        """
        keys = [] if groupby is None else [groupby] if isinstance(groupby, str) else list(groupby)
        unknown = [k for k in keys if k not in COST_KEYS]
        if unknown:
            raise ValueError(f"cannot group cost by {unknown}; use {', '.join(COST_KEYS)}")
        tours = self._plan.assignments.assign(one=0)
        out = tours.groupby(keys or ["one"])[["cost_usd", "units"]].sum().reset_index()
        return out.drop(columns="one") if not keys else out

    def coverage_by_month(self) -> pd.DataFrame:
        """Per mission and month: required, covered before and after the plan, share after."""
        return coverage.coverage_by_mission_month(self._plan.coverage, self._plan.view)

    def critical_coverage(self) -> pd.DataFrame:
        """Per critical capability group and month: required, covered before and after."""
        return coverage.critical_coverage_by_month(self._plan.coverage, self._plan.view)

    def gaps(self) -> pd.DataFrame:
        """Per mission and unit type: unit-months required, covered, unmet; critical first."""
        return coverage.gap_table(self._plan.coverage, self._plan.view)

    def headline(self) -> pd.Series:
        """Unit-months required, closed and left, overall and for critical capabilities."""
        return coverage.coverage_headline(self._plan.coverage, self._plan.view)

    def gap_costs(self) -> pd.DataFrame:
        """What closing each remaining gap would cost at catalogue rates."""
        view = self._plan.view
        return money.gap_costs(self.gaps(), view, planning_month(view))

    def cost_vs_budget(self) -> pd.DataFrame:
        """Per mission and fiscal year: planned cost against the budget headroom."""
        return money.cost_vs_budget(self._plan.costs, self._plan.view)

    def mission_costs(self) -> pd.DataFrame:
        """Per mission: planned cost and headroom over the fiscal years planned."""
        return money.mission_cost_totals(self.cost_vs_budget())

    def unit_costs(self) -> pd.DataFrame:
        """What each unit type costs per month at the start of planning."""
        view = self._plan.view
        return money.unit_monthly_cost(view, planning_month(view))

    def capability_requirements(self, valued_only: bool = False) -> pd.DataFrame:
        """The capability requirements note in rank order (ties share a rank).

        ``valued_only``: only the rows valued by one more unit (the brief's ask).
        """
        return pledging.capability_requirements_list(
            self._plan.capability_requirements, self._plan.view, valued_only
        )

    def smart_pledges(self) -> pd.DataFrame:
        """Smart-pledge groups: the contributors that can hold a long requirement in turn."""
        return pledging.smart_pledge_table(self._plan.smart_pledges, self._plan.view)

    def unused_pledges(self) -> pd.DataFrame:
        """Unused pledges counted by reason."""
        return pledging.unused_pledges_by_reason(self._plan.explanations)

    def gender(self) -> pd.DataFrame:
        """The plan's women's share per personnel category and year against the UGPS target."""
        g = self._plan.gender
        return g.loc[g["women_share"].notna()].reset_index(drop=True)

    def planned_flows(self) -> pd.DataFrame:
        """Units the plan sends per contributor and mission, with both end points."""
        return geography.planned_flows(self._plan.assignments, self._plan.view)

    def value_of_changes(self) -> pd.DataFrame:
        """Weighted unmet requirement-months gained by more budget, faster readiness, more lift."""
        return self._plan.sensitivities.copy()
