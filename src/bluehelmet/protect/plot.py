"""Coverage maps: risk per cell, bases and the cells covered (one mission, or the PoC missions).

Readable in black and white and by colour-blind readers: risk uses the ``cividis`` colour map
(luminance rises with risk), coverage is shown by hatching, and bases differ by marker shape.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from bluehelmet.plot.labels import ChartWords
    from bluehelmet.protect.planning import ProtectionAnalysis
    from bluehelmet.protect.poc import MissionProtection
    from bluehelmet.protect.solve import CoverageSolution

#: Cell size in degrees (PRIO-GRID).
CELL = 0.5


def _outline(ax: Axes, area: object) -> None:
    geoms = getattr(area, "geoms", [area])
    for g in geoms:
        x, y = g.exterior.xy
        ax.plot(x, y, color="black", linewidth=1.0)


def _panel(
    ax: Axes, analysis: ProtectionAnalysis, sol: CoverageSolution, title: str, vmax: float
) -> object:
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Rectangle

    cov = sol.coverage
    half = CELL / 2
    squares = [
        Rectangle((x - half, y - half), CELL, CELL)
        for x, y in zip(cov["longitude"], cov["latitude"], strict=True)
    ]
    cells = PatchCollection(squares, cmap="cividis", edgecolor="none")
    cells.set_array(cov["risk"].to_numpy(float))
    cells.set_clim(0, vmax)
    ax.add_collection(cells)
    covered = cov["coverage"].to_numpy(float) >= 0.5
    hatch = PatchCollection(
        [s for s, c in zip(squares, covered, strict=True) if c],
        facecolor="none",
        edgecolor="white",
        hatch="///",
        linewidth=0.0,
    )
    ax.add_collection(hatch)
    _outline(ax, analysis.area)
    sites = analysis.problem.sites.reset_index(drop=True)
    x = sol.x
    ids = list(analysis.problem.asset_types.index)
    heli = (
        [i for i, a in enumerate(ids) if str(analysis.problem.asset_types.at[a, "mode"]) == "air"]
        if "mode" in analysis.problem.asset_types
        else []
    )
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
            ax.scatter(
                sites.loc[mask, "longitude"],
                sites.loc[mask, "latitude"],
                marker=marker,
                s=120 if marker == "*" else 60,
                facecolor=face,
                edgecolor=edge,
                linewidth=1.2,
                zorder=5,
                label=label,
            )
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

    fig.suptitle(
        "\n".join(
            textwrap.wrap(
                f"{analysis.mission_id}: protection coverage within {analysis.response_minutes:g} "
                f"minutes. Risk: {analysis.risk_note}",
                110,
            )
        ),
        fontsize=10,
    )
    from bluehelmet.io.write import atomic_file

    out = Path(path)
    with atomic_file(out) as tmp:  # a kill leaves the old map or the new one
        fig.savefig(tmp, dpi=110, format=out.suffix.lstrip(".") or "png")
    plt.close(fig)
    return out


def _label_places(
    ax: Axes, sites: pd.DataFrame, counts: dict[str, int], limit: int, min_deg: float
) -> None:
    """Name the bases holding most assets, skipping any too close to one already named."""
    table = sites.copy()
    table["assets"] = table["site_id"].map(counts).fillna(0)
    table = table.sort_values(["assets", "name"], ascending=[False, True])
    placed: list[tuple[float, float]] = []
    for name, x, y in zip(
        table["name"].astype(str),
        table["longitude"].to_numpy(float),
        table["latitude"].to_numpy(float),
        strict=True,
    ):
        if any(abs(x - px) < min_deg * 2.5 and abs(y - py) < min_deg for px, py in placed):
            continue
        ax.annotate(
            name,
            (float(x), float(y)),
            xytext=(3, 3),
            textcoords="offset points",
            fontsize=5.5,
            zorder=7,
            bbox={
                "boxstyle": "round,pad=0.1",
                "facecolor": "white",
                "alpha": 0.7,
                "edgecolor": "none",
            },
        )
        placed.append((float(x), float(y)))
        if len(placed) >= limit:
            break


def poc_panel(
    ax: Axes,
    result: MissionProtection,
    vmax: float,
    area: object | None = None,
    labels: int = 8,
    words: ChartWords | None = None,
) -> object:
    """One mission: risk per cell, hotspots outlined, covered cells hatched, bases named."""
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Rectangle

    cov = result.today.coverage
    half = CELL / 2
    squares = [
        Rectangle((x - half, y - half), CELL, CELL)
        for x, y in zip(cov["longitude"], cov["latitude"], strict=True)
    ]
    # The cell layers are drawn as one raster image inside the SVG (hundreds of hatched squares
    # as vectors made the seven-panel map slow to write and heavy to embed).
    cells = PatchCollection(squares, cmap="cividis", edgecolor="none", rasterized=True)
    cells.set_array(cov["risk"].to_numpy(float))
    cells.set_clim(0, vmax)
    ax.add_collection(cells)
    covered = cov["coverage"].to_numpy(float) >= 0.5
    ax.add_collection(
        PatchCollection(
            [s for s, c in zip(squares, covered, strict=True) if c],
            facecolor="none",
            edgecolor="white",
            hatch="///",
            linewidth=0.0,
            rasterized=True,
        )
    )
    hot = result.hotspots.set_index("cell_id")["hotspot"].reindex(cov["cell_id"]).fillna(False)
    ax.add_collection(
        PatchCollection(
            [s for s, h in zip(squares, hot.to_numpy(bool), strict=True) if h],
            facecolor="none",
            edgecolor="#D55E00",
            linewidth=1.1,
        )
    )
    if area is not None:
        _outline(ax, area)
    sites = result.inputs.sites
    air = sites["airfield"].to_numpy(bool)
    ax.scatter(
        sites.loc[~air, "longitude"],
        sites.loc[~air, "latitude"],
        marker="^",
        s=18,
        facecolor="black",
        edgecolor="white",
        linewidth=0.5,
        zorder=6,
    )
    ax.scatter(
        sites.loc[air, "longitude"],
        sites.loc[air, "latitude"],
        marker="P",
        s=30,
        facecolor="white",
        edgecolor="black",
        linewidth=0.7,
        zorder=6,
    )
    counts = {
        str(k): int(v) for k, v in result.inputs.fixed.groupby("site_id")["count"].sum().items()
    }
    x0, x1 = float(cov["longitude"].min()) - 1, float(cov["longitude"].max()) + 1
    y0, y1 = float(cov["latitude"].min()) - 1, float(cov["latitude"].max()) + 1
    _label_places(ax, sites, counts, labels, min_deg=max(0.25, (y1 - y0) / 18))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    from bluehelmet.plot.labels import ENGLISH

    words = words or ENGLISH
    ax.set_title(
        words(
            "{mission}: {share} of the risk reached today",
            mission=result.mission_id,
            share=words.pct(result.today.share),
        ),
        fontsize=7,
    )
    # No degree ticks: the place names locate the panel, and ticks cost most of the drawing.
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    return cells


def poc_maps(
    results: dict[str, MissionProtection],
    response_minutes: float,
    width: float = 6.8,
    words: ChartWords | None = None,
) -> Figure:
    """Small multiples, one panel per mission (see :func:`poc_panel`), with one legend.

    ``words``: the chart's words and number notation (default English).
    """
    import math

    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from bluehelmet.plot.labels import ENGLISH
    from bluehelmet.plot.style import chart_style, new_figure

    words = words or ENGLISH
    missions = list(results)
    cols = 2 if len(missions) > 1 else 1
    rows = max(1, math.ceil(len(missions) / cols))
    # A full A4 page: the panels are as large as the page allows.
    vmax = max([float(r.today.coverage["risk"].max()) for r in results.values()] + [1e-9])
    with chart_style():
        fig = new_figure(width, min(9.6, 2.3 * rows + 0.5))
        axes = fig.subplots(rows, cols, squeeze=False).ravel()
        mappable = None
        for ax, mission in zip(axes, missions, strict=False):
            mappable = poc_panel(ax, results[mission], vmax, words=words)
        for ax in axes[len(missions) :]:
            ax.set_visible(False)
        fig.legend(
            handles=[
                Line2D(
                    [],
                    [],
                    marker="^",
                    color="none",
                    markerfacecolor="black",
                    markersize=5,
                    label=words("base (force in place)"),
                ),
                Line2D(
                    [],
                    [],
                    marker="P",
                    color="none",
                    markerfacecolor="white",
                    markeredgecolor="black",
                    markersize=6,
                    label=words("base with an airfield"),
                ),
                Patch(
                    facecolor="grey",
                    edgecolor="white",
                    hatch="///",
                    label=words(
                        "reached within {minutes} min (expected >= 50%)",
                        minutes=words.num(response_minutes),
                    ),
                ),
                Patch(
                    facecolor="none",
                    edgecolor="#D55E00",
                    linewidth=1.1,
                    label=words("hotspot of civilian deaths"),
                ),
            ],
            loc="outside lower center",
            ncol=4,
            fontsize=6,
            frameon=False,
        )
        if mappable is not None:
            fig.colorbar(
                mappable,  # type: ignore[arg-type]
                ax=list(axes[: len(missions)]),
                shrink=0.6,
                label=words("probability of civilian deaths in the cell"),
            )
        return fig
