"""The protection analysis's map layers as GeoJSON or GeoPackage (see :mod:`bluehelmet.io.layers`).

``coverage`` and ``uncovered_high_risk`` are the cells of the risk layer, as points at the cell
centres (a user's risk layer need not be a regular grid); ``sites`` are the existing bases, the
user's candidate sites and the generated candidates, and ``bases`` only the existing bases.
"""

from __future__ import annotations

from pathlib import Path

from bluehelmet.io.layers import write_layer
from bluehelmet.protect.planning import ProtectionAnalysis, coverage_table


def write_layers(analysis: ProtectionAnalysis, out: str | Path, fmt: str) -> list[Path]:
    """Write the map layers of ``analysis`` into folder ``out`` in format ``fmt``."""
    folder = Path(out)
    sites = analysis.problem.sites
    layers = {
        "coverage": coverage_table(analysis),
        "uncovered_high_risk": analysis.uncovered,
        "sites": sites,
        "bases": sites.loc[sites["existing"].astype(bool)],
    }
    return [write_layer(table, folder / name, fmt, layer=name) for name, table in layers.items()]
