"""The coverage map: risk per cell, bases and which high-risk cells are covered, today and proposed.

Readable in black and white and by colour-blind readers: risk uses the ``cividis`` colour map
(luminance rises with risk), coverage is shown by hatching, and bases differ by marker shape.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from bluehelmet.protect.planning import ProtectionAnalysis
    from bluehelmet.protect.solve import CoverageSolution

#: Cell size in degrees (PRIO-GRID).
CELL = 0.5


def _outline(ax: Axes, area: object) -> None:
    geoms = getattr(area, "geoms", [area])
    for g in geoms:
        x, y = g.exterior.xy
        ax.plot(x, y, color="black", linewidth=1.0)


def _panel(ax: Axes, analysis: ProtectionAnalysis, sol: CoverageSolution, title: str,
           vmax: float) -> object:
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Rectangle

    cov = sol.coverage
    half = CELL / 2
    squares = [Rectangle((x - half, y - half), CELL, CELL)
               for x, y in zip(cov["longitude"], cov["latitude"], strict=True)]
    cells = PatchCollection(squares, cmap="cividis", edgecolor="none")
    cells.set_array(cov["risk"].to_numpy(float))
    cells.set_clim(0, vmax)
    ax.add_collection(cells)
    covered = cov["coverage"].to_numpy(float) >= 0.5
    hatch = PatchCollection([s for s, c in zip(squares, covered, strict=True) if c],
                            facecolor="none", edgecolor="white", hatch="///", linewidth=0.0)
    ax.add_collection(hatch)
    _outline(ax, analysis.area)
    sites = analysis.problem.sites.reset_index(drop=True)
    x = sol.x
    ids = list(analysis.problem.asset_types.index)
    heli = [i for i, a in enumerate(ids) if str(analysis.problem.asset_types.at[a, "mode"]) ==
            "air"] if "mode" in analysis.problem.asset_types else []
    has_any = x.sum(axis=0) > 0
    has_heli = x[heli].sum(axis=0) > 0 if heli else np.zeros(len(sites), dtype=bool)
    existing = sites["existing"].to_numpy(bool)
    styles = [
        (existing & ~has_heli, "^", "black", "white", "existing base"),
        (existing & has_heli, "*", "black", "white", "base with helicopters"),
        (~existing & has_any, "s", "white", "black", "new temporary operating base"),
    ]
    for mask, marker, face, edge, label in styles:
        if mask.any():
            ax.scatter(sites.loc[mask, "longitude"], sites.loc[mask, "latitude"], marker=marker,
                       s=120 if marker == "*" else 60, facecolor=face, edgecolor=edge,
                       linewidth=1.2, zorder=5, label=label)
    ax.set_title(f"{title}: {100 * sol.share:.0f}% of risk covered")
    ax.set_aspect("equal")
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    return cells


def coverage_map(analysis: ProtectionAnalysis, path: str | Path) -> Path:
    """Write a two-panel PNG map (today, with the recommended additions) to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    vmax = float(max(analysis.problem.cells["risk"].max(), 1e-9))
    fig, axes = plt.subplots(1, 2, figsize=(14, 6.5), constrained_layout=True)
    _panel(axes[0], analysis, analysis.today, "Today", vmax)
    mappable = _panel(axes[1], analysis, analysis.proposed, "With recommended additions", vmax)
    for ax in axes:
        x0, y0, x1, y1 = analysis.area.bounds
        ax.set_xlim(x0 - 0.5, x1 + 0.5)
        ax.set_ylim(y0 - 0.5, y1 + 0.5)
    handles, labels = [], []
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    from matplotlib.patches import Patch

    handles.append(Patch(facecolor="grey", edgecolor="white", hatch="///"))
    labels.append(f"covered within {analysis.response_minutes:g} min (expected >= 50%)")
    fig.legend(handles, labels, loc="outside lower center", ncol=len(handles), fontsize=9)
    fig.colorbar(mappable, ax=axes, shrink=0.7, label="risk (cell)")  # type: ignore[arg-type]
    import textwrap

    fig.suptitle("\n".join(textwrap.wrap(
        f"{analysis.mission_id}: protection coverage within {analysis.response_minutes:g} "
        f"minutes. Risk: {analysis.risk_note}", 110)), fontsize=10)
    out = Path(path)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
