"""``plan.plot``: the charts of a force plan, drawn from its statistics.

:class:`PlanPlot` is the accessor a :class:`~bluehelmet.forcegen.result.Plan` hands out
(``p.plot.coverage()``). Each method takes its numbers from
:class:`~bluehelmet.statistics.plan.PlanStatistics` and returns a Matplotlib figure.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from bluehelmet.plot import coverage as coverage_plots
from bluehelmet.plot import money as money_plots
from bluehelmet.statistics.coverage import share_closed_by
from bluehelmet.statistics.plan import PlannedTables, PlanStatistics


class PlanPlot:
    """Charts of one plan.

    Parameters
    ----------
    plan
        The plan (anything with its tables, its view and its reader).
    """

    def __init__(self, plan: PlannedTables) -> None:
        self._stats = PlanStatistics(plan)

    def coverage(self, by: str = "mission_id") -> Figure:
        """Units required and covered month by month, one panel per mission or group.

        ``by="mission_id"``: one panel per mission; ``by="group"``: per critical capability.
        """
        if by == "mission_id":
            table = self._stats.coverage_by_month()
        elif by == "group":
            table = self._stats.critical_coverage()
        else:
            raise ValueError(f"cannot plot coverage by {by!r}; use 'mission_id' or 'group'")
        return coverage_plots.small_multiples(table, by, share_closed_by(table, by))

    def costs(self) -> Figure:
        """Plan cost per mission inside its budget headroom."""
        return money_plots.cost_budget_chart(self._stats.mission_costs())

    def gap_costs(self, top: int = 12) -> Figure:
        """What closing each of the ``top`` costliest remaining gaps would cost."""
        return money_plots.gap_cost_chart(self._stats.gap_costs(), top=top)
