"""Protection planning's output tables, declared as data (``outputs.csv``).

See :mod:`bluehelmet.outputs` for the format. ``requirements.csv`` is not declared here: it is a
``requirements`` table in the scenario format, declared by the data model.
"""

from __future__ import annotations

from bluehelmet.outputs import DeclaredTables

#: The file each table is written to (without ``.csv``), in writing order.
FILE_NAMES: dict[str, str] = {
    name: name
    for name in (
        "deployment_today",
        "deployment_proposed",
        "coverage",
        "coverage_curve",
        "marginal",
        "recommended",
        "uncovered_high_risk",
        "sites",
    )
}

#: Protection planning's declared output tables.
OUTPUTS = DeclaredTables("bluehelmet.protect", FILE_NAMES)
