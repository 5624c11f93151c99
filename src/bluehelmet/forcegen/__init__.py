"""Force generation: an optimal, explained allocation of pledged units to mission requirements.

Use :func:`plan` (a :class:`~bluehelmet.Scenario` and the reader's access context) and
:func:`write_plan`; :mod:`bluehelmet.forcegen.statistics` holds the figures reports consume.
The model is the ordered list :data:`~bluehelmet.forcegen.formulation.FORMULATION`.
"""

from bluehelmet.forcegen.api import plan
from bluehelmet.forcegen.generate import random_scenario
from bluehelmet.forcegen.results import PlanResult, write_plan
from bluehelmet.forcegen.scenarios import Override, apply_overrides, compare_plans, load_override

__all__ = ["Override", "PlanResult", "apply_overrides", "compare_plans", "load_override", "plan",
           "random_scenario", "write_plan"]
