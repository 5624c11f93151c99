"""Force generation: an optimal, explained allocation of pledged units to mission requirements.

Use :func:`plan` on a scenario view; it returns a :class:`Plan` holding the view, the output
tables declared in ``outputs.csv``, a typed :class:`PlanSummary`, ``.statistics`` and ``.plot``
accessors and ``.write(folder)``. :class:`PlanOptions` and :class:`SolveOptions` say what is
computed and how. The model is the ordered list
:data:`~bluehelmet.forcegen.formulation.FORMULATION`.
"""

from bluehelmet.forcegen.api import plan
from bluehelmet.forcegen.generate import random_scenario
from bluehelmet.forcegen.options import PlanOptions, SolveOptions
from bluehelmet.forcegen.result import Plan, PlanSummary, StageSummary, compare_plans
from bluehelmet.forcegen.scenarios import Override, apply_overrides, load_override

__all__ = ["Override", "Plan", "PlanOptions", "PlanSummary", "SolveOptions", "StageSummary",
           "apply_overrides", "compare_plans", "load_override", "plan", "random_scenario"]
