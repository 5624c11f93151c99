"""Protection planning: where a mission's forces must stand to reach civilians at risk in time.

A maximal expected covering location model (mixed-integer, HiGHS) places a mission's responding
assets (infantry companies, quick reaction forces, utility helicopters) at its bases and at new
temporary operating bases to cover as much of the cell risk from the early warning as possible
within a response time; the marginal value of one more unit of each type gives the requirements
that the force planner (``bluehelmet plan``) then tries to fill. See ``docs/protection.md``.

The names below are loaded on first use (PEP 562), so that the command line can read the option
defaults (:mod:`~bluehelmet.protect.options`) without loading the numerical stack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bluehelmet.lazy import lazy_getattr

if TYPE_CHECKING:
    from bluehelmet.protect.analysis import coverage_curve, marginal_coverage, recommend
    from bluehelmet.protect.options import ProtectOptions
    from bluehelmet.protect.output import write_outputs
    from bluehelmet.protect.planning import ProtectionAnalysis, analyse_mission
    from bluehelmet.protect.problem import CoverageProblem, expected_coverage
    from bluehelmet.protect.requirements import apply_requirements, requirements_from
    from bluehelmet.protect.solve import CoverageSolution, evaluate, greedy, optimise, today

#: Where each public name lives.
_LAZY = {
    **dict.fromkeys(
        ("coverage_curve", "marginal_coverage", "recommend"), "bluehelmet.protect.analysis"
    ),
    "ProtectOptions": "bluehelmet.protect.options",
    "write_outputs": "bluehelmet.protect.output",
    **dict.fromkeys(("ProtectionAnalysis", "analyse_mission"), "bluehelmet.protect.planning"),
    **dict.fromkeys(("CoverageProblem", "expected_coverage"), "bluehelmet.protect.problem"),
    **dict.fromkeys(("apply_requirements", "requirements_from"), "bluehelmet.protect.requirements"),
    **dict.fromkeys(
        ("CoverageSolution", "evaluate", "greedy", "optimise", "today"), "bluehelmet.protect.solve"
    ),
}


__getattr__ = lazy_getattr("bluehelmet.protect", _LAZY, globals())


__all__ = [
    "CoverageProblem",
    "CoverageSolution",
    "ProtectOptions",
    "ProtectionAnalysis",
    "analyse_mission",
    "apply_requirements",
    "coverage_curve",
    "evaluate",
    "expected_coverage",
    "greedy",
    "marginal_coverage",
    "optimise",
    "recommend",
    "requirements_from",
    "today",
    "write_outputs",
]
