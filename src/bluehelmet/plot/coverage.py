"""Coverage charts: units required and covered month by month, before and after the plan.

Encoding, the same in every panel and legible in grey: the requirement is a black step line;
what the plan covers is a blue area hatched ``//``; the gap left after the plan is the vermillion
area hatched ``xx`` between the two. Before the plan nothing of the requirement is covered, so the
whole area under the black line is the gap before; the share closed is written on each panel.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.dates import MonthLocator
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from bluehelmet.plot.labels import ENGLISH, ChartWords
from bluehelmet.plot.style import AFTER, FULL_WIDTH, GAP, REQUIRED, chart_style, new_figure


def _steps(months: pd.Series, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Step coordinates so that each month's value spans the whole month."""
    starts = pd.to_datetime(months).to_numpy()
    ends = (pd.to_datetime(months) + pd.offsets.MonthBegin(1)).to_numpy()
    x = np.empty(2 * len(starts), dtype="datetime64[ns]")
    x[0::2], x[1::2] = starts, ends
    return x, np.repeat(values, 2)


def _panel(
    ax: Axes, frame: pd.DataFrame, title: str, share: float | None, words: ChartWords
) -> None:
    frame = frame.sort_values("month")
    x, req = _steps(frame["month"], frame["required"].to_numpy(dtype=float))
    _, cov = _steps(frame["month"], frame["covered_after"].to_numpy(dtype=float))
    # Hatched areas stay vectors (SVG patterns): rasterising each of them made the SVG slower
    # to write and the PDF slower to draw (docs/briefing.md, measured).
    ax.fill_between(x, 0, cov, facecolor=AFTER + "8C", hatch="//", edgecolor=AFTER, linewidth=0)
    ax.fill_between(
        x,
        cov,
        req,
        where=req > cov + 1e-9,
        facecolor="white",
        hatch="xx",
        edgecolor=GAP,
        linewidth=0,
        interpolate=False,
    )
    ax.plot(x, req, color=REQUIRED, linewidth=1.2)
    if share is None:
        ax.set_title(title, fontsize=8)
    else:
        closed = (
            words("none required")
            if math.isnan(share)
            else words("{share} closed", share=words.pct(share))
        )
        ax.set_title(f"{title}\n{closed}", fontsize=8)
    top = max(float(frame["required"].max()) if len(frame) else 0.0, 1.0)
    ax.set_ylim(0, top * 1.15)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_locator(MonthLocator(bymonth=(1, 7)))
    ax.xaxis.set_major_formatter(words.month_formatter())
    ax.tick_params(axis="x", labelsize=6)


def _legend(fig: Figure, words: ChartWords) -> None:
    fig.legend(
        handles=[
            Line2D([], [], color=REQUIRED, linewidth=1.2, label=words("units required")),
            Patch(
                facecolor=AFTER + "8C",
                hatch="//",
                edgecolor=AFTER,
                label=words("covered by the plan"),
            ),
            Patch(facecolor="white", hatch="xx", edgecolor=GAP, label=words("gap after the plan")),
        ],
        loc="outside upper center",
        ncol=3,
    )


def small_multiples(
    table: pd.DataFrame,
    key: str,
    shares: pd.Series | None = None,
    titles: dict[str, str] | None = None,
    columns: int = 3,
    width: float = FULL_WIDTH,
    panel_height: float = 1.45,
    words: ChartWords = ENGLISH,
) -> Figure:
    """One coverage panel per value of ``key`` (a mission or a critical capability group).

    Parameters
    ----------
    table
        :func:`~bluehelmet.statistics.coverage.coverage_by_mission_month` (``key="mission_id"``)
        or :func:`~bluehelmet.statistics.coverage.critical_coverage_by_month` (``key="group"``).
    shares
        Optional share of the requirement closed over the horizon per key value
        (:func:`~bluehelmet.statistics.coverage.share_closed_by`), written on each panel;
        NaN reads "none required".
    titles
        Optional panel titles by key value.
    words
        The chart's words and number notation (default English).
    """
    keys = list(dict.fromkeys(table[key].astype(str)))
    rows = max(math.ceil(len(keys) / columns), 1)
    with chart_style():
        fig = new_figure(width, panel_height * rows + 0.5)
        axes = np.atleast_1d(fig.subplots(rows, columns, squeeze=False)).ravel()
        for ax, value in zip(axes, keys, strict=False):
            frame = table.loc[table[key].astype(str) == value]
            share = None if shares is None else float(shares.get(value, float("nan")))
            _panel(ax, frame, (titles or {}).get(value, words(value)), share, words)
            ax.set_ylabel(words("units"), fontsize=6)
        for ax in axes[len(keys) :]:
            ax.set_visible(False)
        _legend(fig, words)
        return fig
