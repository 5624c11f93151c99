"""bluehelmet: open-source decision support for UN peacekeeping operations.

The library is organised by data flow: :mod:`bluehelmet.model` (the data model, declared as data,
and access control), :mod:`bluehelmet.scenario` (scenarios and their file format),
:mod:`bluehelmet.io` (importers for the files users have), then the analyses over a scenario
(force generation, peacekeeping-intelligence, protection planning) and the outputs that consume
their statistics (plots, briefings). The CLI in :mod:`bluehelmet.cli` is a thin shell over it.

In a notebook::

    import bluehelmet as bh
    s = bh.load_scenario("2018")
    reader = bh.AccessContext("UN-DPO", bh.Classification.CONFIDENTIAL)
    p = bh.plan(s.view(reader), bh.PlanOptions(horizon=12))  # only what reader may see
    p.statistics.coverage(groupby="mission_id")

Every public name (``plan``, ``Plan``, ``PlanOptions`` and ``SolveOptions`` too) is loaded on
first use, so that ``import bluehelmet`` (and the command line's ``--help``) stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bluehelmet.lazy import lazy_getattr

if TYPE_CHECKING:
    from bluehelmet.forcegen import Plan, PlanOptions, SolveOptions, plan
    from bluehelmet.model.access import AccessContext, Classification, NeedToKnow
    from bluehelmet.scenario.core import Parameter, Scenario, ScenarioView
    from bluehelmet.scenario.io import (
        bundled_scenarios,
        load_scenario,
        load_view,
        save_scenario,
    )

#: Where each public name lives; imported on first use, so that ``import bluehelmet`` (and the
#: command line's ``--help``) does not load pandas and the rest of the numerical stack.
_LAZY = {
    "AccessContext": "bluehelmet.model.access",
    "Classification": "bluehelmet.model.access",
    "NeedToKnow": "bluehelmet.model.access",
    "Parameter": "bluehelmet.scenario.core",
    "Scenario": "bluehelmet.scenario.core",
    "ScenarioView": "bluehelmet.scenario.core",
    "bundled_scenarios": "bluehelmet.scenario.io",
    "load_scenario": "bluehelmet.scenario.io",
    "load_view": "bluehelmet.scenario.io",
    "save_scenario": "bluehelmet.scenario.io",
    "plan": "bluehelmet.forcegen",
    "Plan": "bluehelmet.forcegen",
    "PlanOptions": "bluehelmet.forcegen",
    "SolveOptions": "bluehelmet.forcegen",
}


__getattr__ = lazy_getattr("bluehelmet", _LAZY, globals())


__all__ = [
    "AccessContext",
    "Classification",
    "NeedToKnow",
    "Parameter",
    "Plan",
    "PlanOptions",
    "Scenario",
    "ScenarioView",
    "SolveOptions",
    "bundled_scenarios",
    "load_scenario",
    "load_view",
    "plan",
    "save_scenario",
]

__version__ = "0.1.0"
