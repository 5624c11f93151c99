"""Money charts: plan cost against budget headroom per mission, and the cost of each open gap."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from bluehelmet.plot.labels import ENGLISH, ChartWords
from bluehelmet.plot.style import COST, FULL_WIDTH, GAP, OKABE_ITO, chart_style, new_figure


def cost_budget_chart(
    totals: pd.DataFrame, width: float = FULL_WIDTH, words: ChartWords = ENGLISH
) -> Figure:
    """Plan cost per mission (filled, hatched) inside the budget headroom (outlined box).

    Parameters
    ----------
    totals
        :func:`~bluehelmet.statistics.money.mission_cost_totals` (``cost_usd, headroom_usd,
        headroom_used``).
    """
    with chart_style():
        fig = new_figure(width, 0.24 * max(len(totals), 1) + 0.9)
        ax = fig.add_subplot()
        y = np.arange(len(totals))
        headroom = totals["headroom_usd"].to_numpy(dtype=float) / 1e6
        cost = totals["cost_usd"].to_numpy(dtype=float) / 1e6
        ax.barh(
            y,
            np.nan_to_num(headroom),
            height=0.7,
            facecolor="white",
            edgecolor="black",
            linewidth=0.8,
            label=words("budget headroom for new units"),
        )
        ax.barh(
            y,
            cost,
            height=0.4,
            color=COST,
            hatch="///",
            edgecolor="black",
            linewidth=0.4,
            label=words("cost of the plan"),
        )
        used = totals["headroom_used"].to_numpy(dtype=float)
        for yi, (c, h, u) in enumerate(zip(cost, headroom, used, strict=True)):
            text = (
                words(
                    "{cost} of {headroom} ({share})",
                    cost=words.usd_m(c * 1e6),
                    headroom=words.usd_m(h * 1e6),
                    share=words.pct(u),
                )
                if np.isfinite(u)
                else words("{cost} (no budget)", cost=words.usd_m(c * 1e6))
            )
            ax.text(max(c, np.nan_to_num(h)) * 1.01 + 0.01, yi, text, va="center", fontsize=7)
        ax.set_yticks(y, totals.index.astype(str))
        ax.invert_yaxis()
        ax.set_xlabel(words("US$ million over the plan's fiscal years"))
        right = float(np.nanmax(np.r_[cost, np.nan_to_num(headroom), 1.0]))
        ax.set_xlim(0, right * 1.45)
        ax.grid(axis="y", visible=False)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
        return fig


def gap_cost_chart(
    costs: pd.DataFrame, top: int = 12, width: float = FULL_WIDTH, words: ChartWords = ENGLISH
) -> Figure:
    """Cost to close each open gap (mission x unit type), critical capabilities marked.

    Parameters
    ----------
    costs
        :func:`~bluehelmet.statistics.money.gap_costs`; the ``top`` most expensive are drawn.
    """
    shown = costs.sort_values("cost_to_close_usd", ascending=False).head(top)
    with chart_style():
        fig = new_figure(width, 0.28 * max(len(shown), 1) + 0.9)
        ax = fig.add_subplot()
        y = np.arange(len(shown))
        value = shown["cost_to_close_usd"].to_numpy(dtype=float) / 1e6
        critical = shown["critical_group"].notna().to_numpy()
        colours = np.where(critical, GAP, OKABE_ITO["sky_blue"])
        hatches = ["xx" if c else "" for c in critical]
        for yi, (v, colour, hatch) in enumerate(zip(value, colours, hatches, strict=True)):
            ax.barh(yi, v, color=colour, hatch=hatch, edgecolor="black", linewidth=0.4, height=0.6)
            ax.text(v * 1.01 + 0.01, yi, words.usd_m(v * 1e6), va="center", fontsize=7)
        labels = [
            f"{m} \u00b7 {words(u)}"
            for m, u in zip(shown["mission_id"], shown["unit_type"], strict=True)
        ]
        ax.set_yticks(y, labels)
        ax.invert_yaxis()
        ax.set_xlim(0, float(max(value.max(), 1e-6)) * 1.3 if len(value) else 1)
        ax.set_xlabel(words("US$ million to close the gap left after the plan"))
        ax.grid(axis="y", visible=False)
        ax.legend(
            handles=[
                Patch(
                    facecolor=GAP, hatch="xx", edgecolor="black", label=words("critical capability")
                ),
                Patch(facecolor=OKABE_ITO["sky_blue"], edgecolor="black", label=words("other")),
            ],
            loc="lower right",
        )
        return fig
