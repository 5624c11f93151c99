"""Maps: missions, where their personnel come from, and (when given) risk hotspots and coverage.

Country outlines come from the bundled Natural Earth 1:110m file through
:mod:`bluehelmet.reference.countries`. The projection is equirectangular with the aspect corrected
for the mean latitude, which is enough at this scale and needs no projection library. Every layer
is a DataFrame from a statistics function; nothing is computed here but positions on the page.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.patches import Polygon as PolygonPatch
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from bluehelmet.plot.labels import ENGLISH, ChartWords, place_labels
from bluehelmet.plot.style import (
    AFTER,
    BEFORE,
    FULL_WIDTH,
    OKABE_ITO,
    chart_style,
    new_figure,
)

LAND = "#F2F2F2"
HOST = "#D9D9D9"
BORDER = "#A0A0A0"


def _polygons(geom: BaseGeometry) -> Iterable[Polygon]:
    if isinstance(geom, Polygon):
        yield geom
    elif isinstance(geom, MultiPolygon):
        yield from geom.geoms


def draw_outlines(
    ax: Axes,
    outlines: dict[str, BaseGeometry],
    highlight: set[str],
    bounds: tuple[float, float, float, float],
    rasterized: bool = True,
) -> None:
    """Draw country outlines; countries in ``highlight`` (hosts) get a darker, hatched fill.

    ``rasterized``: outlines as an image in vector output (small files for world maps);
    panels with few outlines are lighter as vectors.
    """
    west, south, east, north = bounds
    for iso3, geom in outlines.items():
        gx0, gy0, gx1, gy1 = geom.bounds
        if gx1 < west or gx0 > east or gy1 < south or gy0 > north:
            continue
        host = iso3 in highlight
        for poly in _polygons(geom):
            ax.add_patch(
                PolygonPatch(
                    np.asarray(poly.exterior.coords),
                    closed=True,
                    facecolor=HOST if host else LAND,
                    edgecolor=BORDER,
                    linewidth=0.6 if host else 0.3,
                    hatch="////" if host else None,
                    zorder=1,
                    rasterized=rasterized,
                )
            )


def _areas(missions: pd.DataFrame) -> set[str]:
    """ISO3 codes to hatch: a mission's ``areas`` (``;``-separated) where given, else its host."""
    column = "areas" if "areas" in missions else "host_iso3"
    return {
        code for value in missions[column].dropna().astype(str) for code in value.split(";") if code
    }


def _frame(
    ax: Axes, bounds: tuple[float, float, float, float], words: ChartWords = ENGLISH
) -> None:
    west, south, east, north = bounds
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(1 / max(np.cos(np.radians((south + north) / 2)), 0.2))
    ax.grid(visible=False)
    ax.tick_params(labelsize=6)
    ax.set_xlabel(words("longitude"), fontsize=6)
    ax.set_ylabel(words("latitude"), fontsize=6)


def _ends(table: pd.DataFrame, weight: str) -> np.ndarray:
    """Rows of (from_lon, from_lat, to_lon, to_lat, weight) as floats."""
    return table[["from_lon", "from_lat", "to_lon", "to_lat", weight]].to_numpy(dtype=float)


def padded_bounds(
    lons: Iterable[float], lats: Iterable[float], pad: float = 4.0
) -> tuple[float, float, float, float]:
    """Bounds (west, south, east, north) around the points, padded by ``pad`` degrees."""
    x = np.asarray(list(lons), dtype=float)
    y = np.asarray(list(lats), dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return (-180.0, -60.0, 180.0, 80.0)
    return (
        max(float(x[ok].min()) - pad, -180.0),
        max(float(y[ok].min()) - pad, -90.0),
        min(float(x[ok].max()) + pad, 180.0),
        min(float(y[ok].max()) + pad, 90.0),
    )


def deployment_map(
    missions: pd.DataFrame,
    flows: pd.DataFrame,
    planned: pd.DataFrame,
    outlines: dict[str, BaseGeometry],
    width: float = FULL_WIDTH,
    contributors: pd.DataFrame | None = None,
    bases: pd.DataFrame | None = None,
    words: ChartWords = ENGLISH,
) -> Figure:
    """Missions (sized by personnel), where their personnel come from, and the plan's new units.

    Parameters
    ----------
    missions
        One row per mission: ``mission_id, longitude, latitude, host_iso3, personnel``.
    flows
        Current deployments: ``from_lon, from_lat, to_lon, to_lat, personnel``.
    planned
        Units the plan deploys: ``from_lon, from_lat, to_lon, to_lat, units``.
    outlines
        Country outlines by ISO3 code.
    contributors
        Contributors to name on the world panel: ``name, longitude, latitude``, most
        important first.
    bases
        Bases of the units in place (``longitude, latitude, personnel``), drawn on the
        missions panel.
    words
        The chart's words (default English).
    """
    with chart_style():
        fig = new_figure(width, width * 0.86)
        world, zoom = fig.subplots(2, 1, height_ratios=[1, 1.15])
        lons = pd.concat(
            [
                missions["longitude"],
                flows.get("from_lon", pd.Series(dtype=float)),
                planned.get("from_lon", pd.Series(dtype=float)),
            ]
        )
        lats = pd.concat(
            [
                missions["latitude"],
                flows.get("from_lat", pd.Series(dtype=float)),
                planned.get("from_lat", pd.Series(dtype=float)),
            ]
        )
        _deployment_layers(
            world,
            missions,
            flows,
            planned,
            outlines,
            padded_bounds(lons, lats, pad=6.0),
            labels=False,
            words=words,
        )
        world.set_title(words("Where the personnel come from"), fontsize=8)
        # The second panel zooms on the missions themselves, where the world view crowds them.
        _deployment_layers(
            zoom,
            missions,
            flows,
            planned,
            outlines,
            padded_bounds(missions["longitude"], missions["latitude"], pad=5.0),
            labels=True,
            bases=bases,
            words=words,
        )
        zoom.set_title(words("The missions"), fontsize=8)
        freeze_layout(fig)
        column = "label" if "label" in missions else "mission_id"
        place_labels(
            zoom,
            missions["longitude"].astype(float).tolist(),
            missions["latitude"].astype(float).tolist(),
            [words(str(label)) for label in missions[column]],
            fontsize=7,
            weight="bold",
        )
        if contributors is not None and len(contributors):
            place_labels(
                world,
                contributors["longitude"].astype(float).tolist(),
                contributors["latitude"].astype(float).tolist(),
                [
                    words.country(str(iso3), str(name))
                    for iso3, name in zip(
                        contributors.get("contributor_id", contributors["name"]),
                        contributors["name"],
                        strict=True,
                    )
                ],
                fontsize=5.5,
            )
        world.legend(
            handles=[
                Line2D(
                    [],
                    [],
                    marker="o",
                    color="none",
                    markerfacecolor=OKABE_ITO["orange"],
                    markeredgecolor="black",
                    markersize=7,
                    label=words("mission HQ (size: personnel)"),
                ),
                Line2D(
                    [],
                    [],
                    marker="^",
                    color="none",
                    markerfacecolor="black",
                    markersize=5,
                    label=words("contributor"),
                ),
                Line2D(
                    [],
                    [],
                    color=BEFORE,
                    linewidth=1.5,
                    label=words("deployed today (width: personnel)"),
                ),
                Line2D(
                    [],
                    [],
                    color=AFTER,
                    linewidth=1.2,
                    linestyle="--",
                    label=words("unit deployed by the plan"),
                ),
                Patch(
                    facecolor=HOST,
                    edgecolor=BORDER,
                    hatch="////",
                    label=words("where the missions operate"),
                ),
                *(
                    [
                        Line2D(
                            [],
                            [],
                            marker="s",
                            color="none",
                            markerfacecolor=OKABE_ITO["bluish_green"],
                            markeredgecolor="black",
                            markersize=4,
                            label=words("base of units in place (size: personnel)"),
                        )
                    ]
                    if bases is not None and len(bases)
                    else []
                ),
            ],
            loc="lower left",
            fontsize=6,
            framealpha=0.9,
            frameon=True,
        )
        return fig


def freeze_layout(fig: Figure) -> None:
    """Run the figure's layout once and keep it, so labels placed afterwards stay where put."""
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
    for ax in fig.axes:
        ax.apply_aspect()
    fig.set_layout_engine("none")


def _deployment_layers(
    ax: Axes,
    missions: pd.DataFrame,
    flows: pd.DataFrame,
    planned: pd.DataFrame,
    outlines: dict[str, BaseGeometry],
    bounds: tuple[float, float, float, float],
    labels: bool,
    bases: pd.DataFrame | None = None,
    words: ChartWords = ENGLISH,
) -> None:
    draw_outlines(ax, outlines, _areas(missions), bounds)
    biggest = max(float(flows["personnel"].max()) if len(flows) else 1.0, 1.0)
    # One collection per layer: hundreds of separate lines make slow charts and heavy SVG.
    ends = _ends(flows, "personnel")
    ax.add_collection(
        LineCollection(
            list(ends[:, :4].reshape(-1, 2, 2)),
            colors=BEFORE,
            alpha=0.7,
            zorder=2,
            linewidths=0.3 + 2.2 * ends[:, 4] / biggest,
            capstyle="round",
        )
    )
    new = _ends(planned, "units")
    ax.add_collection(
        LineCollection(
            list(new[:, :4].reshape(-1, 2, 2)),
            colors=AFTER,
            linestyles="--",
            zorder=3,
            linewidths=0.6 + 0.4 * np.minimum(new[:, 4], 4.0),
        )
    )
    for x0, y0, x1, y1, _ in new:
        if not labels:
            ax.annotate(
                "",
                xy=(x1, y1),
                xytext=(x1 - 0.02 * (x1 - x0), y1 - 0.02 * (y1 - y0)),
                arrowprops={"arrowstyle": "-|>", "color": AFTER, "shrinkA": 0, "shrinkB": 4},
                zorder=3,
            )
    origins = pd.concat([flows[["from_lon", "from_lat"]], planned[["from_lon", "from_lat"]]])
    ax.scatter(
        origins["from_lon"],
        origins["from_lat"],
        marker="^",
        s=10,
        color="black",
        zorder=4,
        linewidths=0,
    )
    sizes = 20 + 300 * missions["personnel"].astype(float) / max(
        float(missions["personnel"].max()), 1.0
    )
    ax.scatter(
        missions["longitude"],
        missions["latitude"],
        s=sizes,
        facecolor=OKABE_ITO["orange"],
        edgecolor="black",
        linewidth=0.8,
        zorder=5,
    )
    if bases is not None and len(bases):
        ax.scatter(
            bases["longitude"],
            bases["latitude"],
            marker="s",
            s=4 + 40 * bases["personnel"].astype(float) / max(float(bases["personnel"].max()), 1.0),
            facecolor=OKABE_ITO["bluish_green"],
            edgecolor="black",
            linewidth=0.3,
            zorder=5,
        )
    _frame(ax, bounds, words)


def mission_area_map(
    missions: pd.DataFrame,
    outlines: dict[str, BaseGeometry],
    hotspots: pd.DataFrame | None = None,
    coverage: pd.DataFrame | None = None,
    width: float = FULL_WIDTH,
    words: ChartWords = ENGLISH,
) -> Figure:
    """Mission areas with risk hotspots (grid cells) and protection coverage, where given.

    Parameters
    ----------
    missions
        ``mission_id, longitude, latitude, host_iso3``.
    hotspots
        Optional cells: ``longitude, latitude`` (cell centres), ``cell_size`` (degrees) and
        ``level`` (``hot``, ``warm`` or another label), one row per significant cell.
    coverage
        Optional covered points or cells: ``longitude, latitude`` and ``covered`` (boolean).
    """
    with chart_style():
        fig = new_figure(width, width * 0.55)
        ax = fig.add_subplot()
        hosts = _areas(missions)
        layers = [t for t in (hotspots, coverage) if t is not None and len(t)]
        if layers:
            # Frame the layers (the mission areas analysed), not every mission in the world.
            points = pd.concat([t[["longitude", "latitude"]] for t in layers])
            bounds = padded_bounds(points["longitude"], points["latitude"], pad=2.0)
        else:
            xs: list[float] = list(missions["longitude"].astype(float))
            ys: list[float] = list(missions["latitude"].astype(float))
            for iso3 in hosts:
                if iso3 in outlines:
                    x0, y0, x1, y1 = outlines[iso3].bounds
                    xs += [x0, x1]
                    ys += [y0, y1]
            bounds = padded_bounds(xs, ys, pad=1.5)
        west, south, east, north = bounds
        missions = missions.loc[
            missions["longitude"].between(west, east) & missions["latitude"].between(south, north)
        ]
        draw_outlines(ax, outlines, set(), bounds)
        for iso3 in hosts:
            if iso3 in outlines:
                for poly in _polygons(outlines[iso3]):
                    ax.plot(*poly.exterior.xy, color="black", linewidth=0.8, zorder=3)
        handles: list[Line2D | Patch] = []
        if hotspots is not None and len(hotspots):
            styles = {
                "hot": (OKABE_ITO["vermillion"], "xxxx"),
                "warm": (OKABE_ITO["orange"], ".."),
                "Gi* hotspot": (OKABE_ITO["vermillion"], "xxxx"),
            }
            for level, group in hotspots.groupby("level"):
                colour, hatch = styles.get(str(level), (OKABE_ITO["yellow"], "//"))
                squares = group[["longitude", "latitude", "cell_size"]].to_numpy(dtype=float)
                for x, y, size in squares:
                    h = size / 2
                    ax.add_patch(
                        PolygonPatch(
                            [(x - h, y - h), (x + h, y - h), (x + h, y + h), (x - h, y + h)],
                            facecolor=colour,
                            hatch=hatch,
                            edgecolor="black",
                            linewidth=0.2,
                            zorder=2,
                        )
                    )
                handles.append(
                    Patch(
                        facecolor=colour,
                        hatch=hatch,
                        edgecolor="black",
                        label=words("risk hotspot: {level}", level=words(str(level))),
                    )
                )
        if coverage is not None and len(coverage):
            cov = coverage[coverage["covered"].astype(bool)]
            unc = coverage[~coverage["covered"].astype(bool)]
            ax.scatter(
                cov["longitude"],
                cov["latitude"],
                marker="o",
                s=8,
                facecolor=OKABE_ITO["bluish_green"],
                edgecolor="black",
                linewidth=0.3,
                zorder=4,
            )
            ax.scatter(
                unc["longitude"],
                unc["latitude"],
                marker="x",
                s=10,
                color="black",
                linewidth=0.6,
                zorder=4,
            )
            handles += [
                Line2D(
                    [],
                    [],
                    marker="o",
                    color="none",
                    markersize=4,
                    markerfacecolor=OKABE_ITO["bluish_green"],
                    markeredgecolor="black",
                    label=words("covered within response time"),
                ),
                Line2D(
                    [],
                    [],
                    marker="x",
                    color="black",
                    linestyle="none",
                    markersize=4,
                    label=words("not covered"),
                ),
            ]
        ax.scatter(
            missions["longitude"],
            missions["latitude"],
            marker="*",
            s=90,
            facecolor="white",
            edgecolor="black",
            zorder=5,
        )
        for row in missions.itertuples():
            ax.annotate(
                words(str(getattr(row, "label", row.mission_id))),
                (row.longitude, row.latitude),
                textcoords="offset points",
                xytext=(6, 4),
                fontsize=7,
                weight="bold",
                zorder=6,
            )
        handles.append(
            Line2D(
                [],
                [],
                marker="*",
                color="none",
                markerfacecolor="white",
                markeredgecolor="black",
                markersize=8,
                label=words("mission HQ"),
            )
        )
        _frame(ax, bounds, words)
        ax.legend(handles=handles, loc="lower left", fontsize=6, framealpha=0.9, frameon=True)
        return fig


def bases_map(
    bases: pd.DataFrame,
    missions: pd.DataFrame,
    outlines: dict[str, BaseGeometry],
    width: float = FULL_WIDTH,
    columns: int = 3,
    words: ChartWords = ENGLISH,
) -> Figure:
    """Where each mission's forces are: one panel per mission with its bases, named.

    Parameters
    ----------
    bases
        :func:`bluehelmet.statistics.geography.base_points`: ``mission_id, location,
        longitude, latitude, personnel``.
    missions
        Mission points (``mission_id, longitude, latitude``, optional ``label``, ``areas``).
    outlines
        Country outlines by ISO3 code.
    """
    ids = list(dict.fromkeys(bases["mission_id"].astype(str)))
    rows = max(1, -(-len(ids) // columns))
    with chart_style():
        fig = new_figure(width, width * 0.36 * rows)
        axes = np.atleast_1d(fig.subplots(rows, columns)).ravel()
        where = missions.set_index("mission_id")
        placed: list[tuple[Axes, pd.DataFrame]] = []
        for ax, mission in zip(axes, ids, strict=False):
            mine = bases.loc[bases["mission_id"].astype(str) == mission]
            bounds = padded_bounds(mine["longitude"], mine["latitude"], pad=1.0)
            areas = (
                set(str(where.loc[mission, "areas"]).split(";"))
                if ("areas" in where and mission in where.index)
                else set()
            )
            draw_outlines(ax, outlines, areas, bounds, rasterized=False)
            ax.scatter(
                mine["longitude"],
                mine["latitude"],
                marker="s",
                s=6
                + 60 * mine["personnel"].astype(float) / max(float(bases["personnel"].max()), 1.0),
                facecolor=OKABE_ITO["bluish_green"],
                edgecolor="black",
                linewidth=0.3,
                zorder=5,
            )
            label = (
                str(where.loc[mission, "label"])
                if ("label" in where and mission in where.index)
                else mission
            )
            ax.set_title(words(label), fontsize=7)
            _frame(ax, bounds)
            # No degree ticks: the place names locate each panel, and the ticks of a dozen
            # panels cost much of the drawing and of the PDF's SVG rendering.
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_xlabel("")
            ax.set_ylabel("")
            placed.append((ax, mine))
        for ax in axes[len(ids) :]:
            ax.set_visible(False)
        freeze_layout(fig)
        for ax, mine in placed:
            top = mine.sort_values("personnel", ascending=False)
            place_labels(
                ax,
                top["longitude"].astype(float).tolist(),
                top["latitude"].astype(float).tolist(),
                top["location"].astype(str).tolist(),
                fontsize=5,
            )
        return fig
