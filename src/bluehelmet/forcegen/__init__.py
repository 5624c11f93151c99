"""Force generation: an optimal, explained allocation of pledged units to mission requirements.

Use :func:`plan` on a scenario view; it returns a :class:`Plan` holding the view, the output
tables declared in ``outputs.csv``, a typed :class:`PlanSummary`, ``.statistics`` and ``.plot``
accessors and ``.write(folder)``. :class:`PlanOptions` and :class:`SolveOptions` say what is
computed and how. The model is the ordered list
:data:`~bluehelmet.forcegen.formulation.FORMULATION`.

The names below are loaded on first use (PEP 562), so that the command line can read the option
defaults (:mod:`~bluehelmet.forcegen.options`) without loading the numerical stack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bluehelmet.lazy import lazy_getattr

if TYPE_CHECKING:
    from bluehelmet.forcegen.api import plan
    from bluehelmet.forcegen.generate import random_scenario
    from bluehelmet.forcegen.options import PlanOptions, SolveOptions
    from bluehelmet.forcegen.result import Plan, PlanSummary, StageSummary, compare_plans
    from bluehelmet.forcegen.scenarios import Override, apply_overrides, load_override

#: Where each public name lives.
_LAZY = {
    "plan": "bluehelmet.forcegen.api",
    "random_scenario": "bluehelmet.forcegen.generate",
    "PlanOptions": "bluehelmet.forcegen.options",
    "SolveOptions": "bluehelmet.forcegen.options",
    "Plan": "bluehelmet.forcegen.result",
    "PlanSummary": "bluehelmet.forcegen.result",
    "StageSummary": "bluehelmet.forcegen.result",
    "compare_plans": "bluehelmet.forcegen.result",
    "Override": "bluehelmet.forcegen.scenarios",
    "apply_overrides": "bluehelmet.forcegen.scenarios",
    "load_override": "bluehelmet.forcegen.scenarios",
}


__getattr__ = lazy_getattr("bluehelmet.forcegen", _LAZY, globals())


__all__ = [
    "Override",
    "Plan",
    "PlanOptions",
    "PlanSummary",
    "SolveOptions",
    "StageSummary",
    "apply_overrides",
    "compare_plans",
    "load_override",
    "plan",
    "random_scenario",
]
