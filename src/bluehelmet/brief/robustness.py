"""The brief's robustness page, from the tables of a risk run (``bluehelmet risk --out DIR``).

The page only reads what :func:`bluehelmet.robust.risk.run_risk` wrote; it computes nothing
beyond choosing rows to show and drawing one chart from them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from bluehelmet.errors import DataError, Problem
from bluehelmet.plot.labels import ENGLISH, ChartWords
from bluehelmet.plot.style import new_figure

#: Files of a risk run the page reads.
RISK_FILES = ("comparison", "critical_held", "criticality", "model")


@dataclass
class RiskPage:
    """The tables of a risk run, as read from its folder."""

    folder: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)


def read_risk(folder: str | Path) -> RiskPage:
    """Read a risk run's tables.

    Raises
    ------
    DataError
        If a file is missing, naming it and the command that writes it.
    """
    path = Path(folder)
    missing = [f"{name}.csv" for name in RISK_FILES if not (path / f"{name}.csv").exists()]
    if not (path / "summary.json").exists():
        missing.append("summary.json")
    if missing:
        raise DataError(
            [
                Problem(
                    str(path / m),
                    None,
                    None,
                    None,
                    "risk run file not found",
                    "give the --out folder of 'bluehelmet risk SCENARIO --out DIR'",
                )
                for m in missing
            ]
        )
    tables = {name: pd.read_csv(path / f"{name}.csv") for name in RISK_FILES}
    summary = json.loads((path / "summary.json").read_text(encoding="utf-8"))
    return RiskPage(str(path), tables, summary)


def held_chart(critical: pd.DataFrame, words: ChartWords = ENGLISH) -> Figure:
    """Probability that each shown critical requirement is as planned, one bar per plan."""
    keys = list(dict.fromkeys(critical["requirement_id"]))
    plans = list(dict.fromkeys(critical["plan"]))
    fig = new_figure(height=0.28 * len(keys) + 1.0)
    ax = fig.add_subplot()
    height = 0.8 / max(len(plans), 1)
    for i, plan in enumerate(plans):
        rows = critical[critical["plan"] == plan].set_index("requirement_id").reindex(keys)
        ax.barh(
            np.arange(len(keys)) + i * height,
            rows["probability_as_planned"],
            height,
            label=plan,
            hatch="" if i == 0 else "//",
            edgecolor="black",
            linewidth=0.4,
            color="white" if i else "#5b92e5",
        )
    ax.set_yticks(np.arange(len(keys)) + height * (len(plans) - 1) / 2, keys, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel(words("probability the requirement is as planned"))
    if len(plans) > 1:
        ax.legend(fontsize=7, loc="lower right")
    return fig


def risk_context(
    page: RiskPage, top: int, words: ChartWords = ENGLISH
) -> tuple[dict[str, Any], dict[str, pd.DataFrame], dict[str, Figure]]:
    """Template context, CSV tables and charts of the robustness page."""
    t = page.tables
    held = t["critical_held"]
    nominal = held[held["plan"] == "nominal"].sort_values(
        ["probability_as_planned", "requirement_id"]
    )
    shown = list(nominal["requirement_id"].head(top))
    worst = held[held["requirement_id"].isin(shown)].copy()
    worst["order"] = worst["requirement_id"].map({k: i for i, k in enumerate(shown)})
    worst = worst.sort_values(["order", "plan"]).drop(columns="order")
    crit = t["criticality"]
    ranking = crit[crit["plan"] == "nominal"].head(top)
    context = {
        "folder": page.folder,
        "draws": page.summary.get("draws"),
        "seed": page.summary.get("seed"),
        "horizon_months": page.summary.get("horizon_months"),
        "plans": [c for c in t["comparison"].columns if c != "figure"],
        "comparison": t["comparison"].to_dict("records"),
        "critical": worst[worst["plan"] == "nominal"].to_dict("records"),
        "critical_count": int((held["plan"] == "nominal").sum()),
        "ranking": ranking.to_dict("records"),
        "model": t["model"][t["model"]["applies_to"] == "all"].to_dict("records"),
        "model_file": page.summary.get("model_file", ""),
    }
    tables = {f"risk_{name}": table for name, table in t.items()}
    figures = {"risk_held": held_chart(worst, words)} if len(worst) else {}
    return context, tables, figures
