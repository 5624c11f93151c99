"""Optional map layers from the peacekeeping-intelligence and protection analyses.

The brief works without them. When the ``bluehelmet.protect`` analysis is installed and asked
for, it is run for the chosen missions and its per-cell results become two layers: the cells of
highest early-warning risk (hotspots) and whether today's bases reach each cell within the
response time (coverage). The figures quoted in the brief's text come from the analysis' own
summary, not from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from bluehelmet.brief.assemble import BriefOptions
from bluehelmet.model.access import AccessContext
from bluehelmet.scenario.core import Scenario

#: Cells at or above these risk quantiles (within a mission area) are drawn as hotspots.
HOT_QUANTILE = 0.95
WARM_QUANTILE = 0.90
#: Coverage (probability an asset reaches the cell in time) from which a cell counts as covered.
COVERED_FROM = 0.5


def risk_hotspots(cells: pd.DataFrame, cell_size: float = 0.5) -> pd.DataFrame:
    """The highest-risk cells of a risk layer, labelled ``hot`` (top 5 %) or ``warm`` (top 10 %).

    Parameters
    ----------
    cells
        ``longitude, latitude, risk`` per grid cell (cell centres).

    Returns
    -------
    DataFrame
        ``longitude, latitude, cell_size, level, risk`` for the cells above the warm quantile
        (and with a positive risk).
    """
    risk = cells["risk"].astype("float64")
    if risk.empty:
        return pd.DataFrame(columns=["longitude", "latitude", "cell_size", "level", "risk"])
    hot, warm = float(np.quantile(risk, HOT_QUANTILE)), float(np.quantile(risk, WARM_QUANTILE))
    keep = (risk >= warm) & (risk > 0)
    out = cells.loc[keep, ["longitude", "latitude"]].astype("float64").copy()
    out["cell_size"] = cell_size
    out["level"] = np.where(risk[keep] >= hot, "hot", "warm")
    out["risk"] = risk[keep]
    return out.reset_index(drop=True)


def protection_layers(scenario: Scenario, reader: AccessContext, missions: Sequence[str],
                      time_limit: float = 10.0) -> BriefOptions:
    """Run the protection analysis for ``missions`` and turn it into map layers and notes.

    Each analysis re-runs the early warning and a covering model, which takes tens of seconds
    per mission; that is why the brief asks for it explicitly (``--protect MISSION``).
    """
    from bluehelmet.protect.planning import analyse_mission, coverage_table

    hotspots, covered, notes = [], [], []
    risk_notes: set[str] = set()
    for mission_id in missions:
        analysis = analyse_mission(scenario, mission_id, reader, curve_units=1, max_units=1,
                                   time_limit=time_limit)
        table = coverage_table(analysis)
        hotspots.append(risk_hotspots(table))
        covered.append(pd.DataFrame({
            "longitude": table["longitude"].astype("float64"),
            "latitude": table["latitude"].astype("float64"),
            "covered": table["coverage_today"].astype("float64") >= COVERED_FROM}))
        summary: dict[str, Any] = analysis.summary()
        risk_notes.add(str(summary["risk"]))
        notes.append(
            f"{mission_id}: today's bases reach {100 * float(summary['today_coverage_share']):.0f}%"
            f" of the expected risk within {float(summary['response_minutes']):g} minutes "
            f"({summary['existing_bases']} bases, {summary['cells']} cells); the protection "
            f"model's proposal reaches {100 * float(summary['proposed_coverage_share']):.0f}%; "
            f"{summary['uncovered_high_risk_cells_proposed']} high-risk cells stay out of reach.")
        notes.extend(str(n) for n in summary.get("notes", []) or [])
    return BriefOptions(
        hotspots=pd.concat(hotspots, ignore_index=True) if hotspots else None,
        protection=pd.concat(covered, ignore_index=True) if covered else None,
        intel_note="Risk: " + "; ".join(sorted(risk_notes)) + (
            f". Hotspots: cells in the top {100 * (1 - WARM_QUANTILE):.0f}% (warm) and "
            f"{100 * (1 - HOT_QUANTILE):.0f}% (hot) of risk in the mission area." if risk_notes
            else ""),
        protection_note=" ".join(notes))
