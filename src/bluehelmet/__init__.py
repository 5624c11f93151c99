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

``plan``, ``Plan``, ``PlanOptions`` and ``SolveOptions`` are loaded on first use, so that
``import bluehelmet`` (and the command line's ``--help``) stays fast.
"""

from typing import Any

from bluehelmet.model.access import AccessContext, Classification, NeedToKnow
from bluehelmet.scenario.core import Parameter, Scenario, ScenarioView
from bluehelmet.scenario.io import bundled_scenarios, load_scenario, load_view, save_scenario

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

#: Names loaded from :mod:`bluehelmet.forcegen` on first use.
LAZY = ("plan", "Plan", "PlanOptions", "SolveOptions")


def __getattr__(name: str) -> Any:
    """Load the planner's public names on first use (PEP 562)."""
    if name in LAZY:
        import bluehelmet.forcegen as forcegen

        return getattr(forcegen, name)
    raise AttributeError(f"module 'bluehelmet' has no attribute {name!r}")


__version__ = "0.1.0"
