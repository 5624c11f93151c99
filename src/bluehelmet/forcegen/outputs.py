"""The planner's output tables, declared as data like its inputs (``outputs.csv``).

See :mod:`bluehelmet.outputs` for the declaration format; ``docs/force-generation.md`` lists the
tables (generated from the same file).
"""

from __future__ import annotations

from bluehelmet.outputs import DeclaredTables, OutputTableError

#: The file each table is written to (without ``.csv``), in writing order.
FILE_NAMES: dict[str, str] = {
    "assignments": "plan",
    "coverage": "coverage",
    "gaps": "gaps",
    "costs": "costs",
    "gender": "gender",
    "explanations": "explanations",
    "binding": "binding",
    "capability_requirements": "capability_requirements",
    "smart_pledges": "smart_pledges",
    "sensitivities": "sensitivities",
    "force_in_place": "force_in_place",
    "ceilings": "ceilings",
    "ceiling_excess": "ceiling_excess",
}

#: The planner's declared output tables.
OUTPUTS = DeclaredTables("bluehelmet.forcegen", FILE_NAMES)

columns = OUTPUTS.columns
empty = OUTPUTS.empty
conform = OUTPUTS.conform
render = OUTPUTS.render
reference_markdown = OUTPUTS.reference_markdown

__all__ = [
    "FILE_NAMES",
    "OUTPUTS",
    "OutputTableError",
    "columns",
    "conform",
    "empty",
    "render",
    "reference_markdown",
]
