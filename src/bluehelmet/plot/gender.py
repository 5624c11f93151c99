"""Charts of women in peacekeeping, drawn from :mod:`bluehelmet.statistics.gender` tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from bluehelmet.plot.labels import ENGLISH, ChartWords
from bluehelmet.plot.style import (
    AFTER,
    BEFORE,
    FULL_WIDTH,
    TRAFFIC_LIGHTS,
    chart_style,
    new_figure,
)
from bluehelmet.statistics.gender import CATEGORY_LABELS, LIGHTS


def traffic_light_chart(
    counts: pd.DataFrame, width: float = FULL_WIDTH, words: ChartWords = ENGLISH
) -> Figure:
    """Contributors per UGPS category by traffic light, as stacked bars with counts written in.

    Parameters
    ----------
    counts
        The table of :func:`~bluehelmet.statistics.gender.traffic_light_counts`.
    """
    with chart_style():
        fig = new_figure(width, 0.45 * max(len(counts), 1) + 1.0)
        ax = fig.add_subplot()
        labels = [words(CATEGORY_LABELS.get(str(c), str(c))) for c in counts.index]
        y = np.arange(len(counts))
        left = np.zeros(len(counts))
        for light in LIGHTS:
            style = TRAFFIC_LIGHTS[light]
            values = counts[light].to_numpy(dtype=float) if light in counts else np.zeros(len(y))
            ax.barh(
                y,
                values,
                left=left,
                color=style["colour"],
                hatch=style["hatch"],
                edgecolor="black",
                linewidth=0.5,
                height=0.6,
                label=f"{style['symbol']} {words(light)}: {words(style['text'])}",
            )
            for yi, (start, value) in enumerate(zip(left, values, strict=True)):
                if value > 0:
                    # Count on a white box so it stays legible over the hatching.
                    ax.text(
                        start + value / 2,
                        yi,
                        words.num(value),
                        ha="center",
                        va="center",
                        fontsize=7,
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"},
                    )
            left += values
        ax.set_yticks(y, labels)
        ax.invert_yaxis()
        ax.set_xlabel(words("contributors"))
        ax.grid(axis="y", visible=False)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3)
        return fig


def trend_chart(
    trend: pd.DataFrame, width: float = FULL_WIDTH, words: ChartWords = ENGLISH
) -> Figure:
    """Women's share of UN uniformed personnel per year, and total strength, 2010-2021.

    Years with incomplete source data are drawn hollow and hatched and labelled "incomplete";
    the share line joins only complete years, so a gap in the data is not read as a real drop.

    Parameters
    ----------
    trend
        The table of :func:`~bluehelmet.statistics.gender.women_share_trend`.
    """
    with chart_style():
        fig = new_figure(width, 2.6)
        ax_share, ax_total = fig.subplots(1, 2, width_ratios=[3, 2])
        years = trend.index.to_numpy(dtype=int)
        complete = trend["complete_year"].to_numpy(dtype=bool)
        share = 100 * trend["women_share"].to_numpy(dtype=float)
        ax_share.plot(
            years[complete],
            share[complete],
            color=AFTER,
            marker="o",
            linestyle="-",
            markersize=4,
            label=words("complete year"),
        )
        ax_share.plot(
            years[~complete],
            share[~complete],
            linestyle="none",
            marker="o",
            markersize=5,
            markerfacecolor="white",
            markeredgecolor="black",
            label=words("incomplete year (partial data)"),
        )
        for yr, value, ok in zip(years, share, complete, strict=True):
            if not ok:
                ax_share.annotate(
                    words("incomplete"),
                    (yr, value),
                    textcoords="offset points",
                    xytext=(0, 7),
                    ha="center",
                    fontsize=6,
                )
        if complete.any():
            last = int(np.flatnonzero(complete)[-1])
            ax_share.annotate(
                words.pct(share[last] / 100, 1),
                (years[last], share[last]),
                textcoords="offset points",
                xytext=(4, -10),
                fontsize=7,
            )
        ax_share.set_ylabel(words("women, % of uniformed personnel"))
        ax_share.set_ylim(0, max(np.nanmax(share) * 1.3, 1) if len(share) else 1)
        ax_share.set_xticks(years, [str(y)[2:] if i else str(y) for i, y in enumerate(years)])
        ax_share.legend(loc="lower right")
        ax_share.set_title(words("Women's share"))
        total = trend["total"].to_numpy(dtype=float) / 1000
        ax_total.bar(
            years[complete], total[complete], color=BEFORE, edgecolor="black", linewidth=0.4
        )
        ax_total.bar(
            years[~complete],
            total[~complete],
            color="white",
            edgecolor="black",
            hatch="///",
            linewidth=0.4,
        )
        ax_total.set_ylabel(words("personnel, thousands"))
        ax_total.set_xticks(years[::2], [str(y)[2:] for y in years[::2]])
        ax_total.set_title(words("Uniformed personnel"))
        ax_total.legend(
            handles=[
                Patch(facecolor=BEFORE, edgecolor="black", label=words("complete")),
                Patch(facecolor="white", edgecolor="black", hatch="///", label=words("incomplete")),
            ],
            loc="upper center",
            bbox_to_anchor=(0.5, -0.14),
            ncol=2,
        )
        return fig
