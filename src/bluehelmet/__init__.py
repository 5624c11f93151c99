"""bluehelmet: open-source decision support for UN peacekeeping operations.

The library is organised by data flow: :mod:`bluehelmet.model` (the data model, declared as data,
and access control), :mod:`bluehelmet.scenario` (scenarios and their file format),
:mod:`bluehelmet.io` (importers for the files users have), then the analyses over a scenario
(force generation, peacekeeping-intelligence, protection planning) and the outputs that consume
their statistics (plots, briefings). The CLI in :mod:`bluehelmet.cli` is a thin shell over it.
"""

from bluehelmet.model.access import AccessContext, Classification, NeedToKnow
from bluehelmet.scenario.core import Parameter, Scenario, ScenarioView
from bluehelmet.scenario.io import bundled_scenarios, load_scenario, load_view, save_scenario

__all__ = [
    "AccessContext",
    "Classification",
    "NeedToKnow",
    "Parameter",
    "Scenario",
    "ScenarioView",
    "bundled_scenarios",
    "load_scenario",
    "load_view",
    "save_scenario",
]
__version__ = "0.1.0"
