"""Optional map layers from the peacekeeping-intelligence and protection analyses.

The brief works without them. When the ``bluehelmet.protect`` analysis is installed and asked
for, it is run for the chosen missions and its per-cell results become two layers: the cells of
highest early-warning risk (hotspots) and whether today's bases reach each cell within the
response time (coverage). The figures quoted in the brief's text come from the analysis' own
summary, not from here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from bluehelmet.brief.assemble import BriefOptions
from bluehelmet.scenario.core import ScenarioView

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


def ucdp_hotspots(view: ScenarioView, since: int = 2010, alpha: float = 0.05) -> BriefOptions:
    """Getis-Ord Gi* hotspots of civilian deaths in the bundled UCDP events, in the host countries.

    The events from ``since`` on that fall inside a mission's host country become unclassified
    reports (:func:`bluehelmet.intel.reports.events_to_reports`); their civilian deaths per
    PRIO-GRID cell are tested with Gi* (:func:`bluehelmet.intel.hotspots.hotspots`, false
    discovery rate ``alpha``); every significant hotspot cell is drawn (level ``Gi* hotspot``).
    About two seconds for the 2018 scenario.
    """
    from bluehelmet.intel.hotspots import hotspots
    from bluehelmet.intel.reports import events_to_reports
    from bluehelmet.intel.view import ReportTable
    from bluehelmet.reference import ucdp_events
    from bluehelmet.reference.countries import countries_at

    events = ucdp_events()
    hosts = set(view.missions["host_iso3"].dropna().astype(str))
    events = events.loc[events["year"] >= since]
    inside = [c in hosts for c in countries_at(events["longitude"], events["latitude"])]
    events = events.loc[inside].reset_index(drop=True)
    last = int(events["year"].max()) if len(events) else since
    source = "bundled UCDP GED 20.1 subset"
    cells = hotspots(
        ReportTable(events_to_reports(events, source), source).view(view.reader),
        value="civilian_deaths",
        fdr=True,
        alpha=alpha,
    )
    hot = cells.loc[cells["hotspot"]]
    table = pd.DataFrame(
        {
            "longitude": hot["longitude"].astype("float64"),
            "latitude": hot["latitude"].astype("float64"),
            "cell_size": 0.5,
            "level": "Gi* hotspot",
            "z": hot["z"],
            "value": hot["value"],
        }
    ).reset_index(drop=True)
    note = (
        f"Hotspots: Getis-Ord Gi* of civilian deaths per 0.5\u00b0 PRIO-GRID cell in the UCDP "
        f"GED events {since}-{last} inside the missions' host countries ({len(events):,} "
        f"events; bundled subset, CC BY 4.0), significant at a false discovery rate of "
        f"{100 * alpha:g}%: {len(table)} cells. The bundled events end in {last}, before "
        "the plan starts: read them as where violence against civilians concentrated, not as a "
        "forecast."
    )
    return BriefOptions(hotspots=table, intel_note=note)


def merge_layers(first: BriefOptions, second: BriefOptions) -> BriefOptions:
    """Both sets of layers and notes in one :class:`BriefOptions`.

    The layers (``hotspots``, ``protection``) are concatenated and their notes joined; every
    other option (the risk page, the contributor, the language...) is ``first``'s, or
    ``second``'s where ``first`` leaves it at its default, so ``--risk``, ``--hotspots`` and
    ``--protect`` combine in any order.
    """

    def cat(a: pd.DataFrame | None, b: pd.DataFrame | None) -> pd.DataFrame | None:
        parts = [t for t in (a, b) if t is not None and len(t)]
        return pd.concat(parts, ignore_index=True) if parts else None

    default = BriefOptions()
    kept = {
        f.name: getattr(second, f.name)
        if _is_default(getattr(first, f.name), getattr(default, f.name))
        else getattr(first, f.name)
        for f in dataclasses.fields(BriefOptions)
    }
    kept.update(
        hotspots=cat(first.hotspots, second.hotspots),
        protection=cat(first.protection, second.protection),
        intel_note=" ".join(n for n in (first.intel_note, second.intel_note) if n),
        protection_note=" ".join(n for n in (first.protection_note, second.protection_note) if n),
    )
    return BriefOptions(**kept)


def _is_default(value: object, default: object) -> bool:
    if value is None or default is None:
        return value is default
    if isinstance(value, pd.DataFrame) or isinstance(default, pd.DataFrame):
        return False
    return bool(value == default)


def protection_layers(
    view: ScenarioView, missions: Sequence[str], time_limit: float = 10.0
) -> BriefOptions:
    """Run the protection analysis for ``missions`` and turn it into map layers and notes.

    Each analysis re-runs the early warning and a covering model, which takes tens of seconds
    per mission; that is why the brief asks for it explicitly (``--protect MISSION``).
    """
    from bluehelmet.protect.options import ProtectOptions
    from bluehelmet.protect.planning import analyse_mission, coverage_table

    hotspots, covered, notes = [], [], []
    risk_notes: set[str] = set()
    for mission_id in missions:
        analysis = analyse_mission(
            view, mission_id, ProtectOptions(curve_units=1, max_units=1, time_limit=time_limit)
        )
        table = coverage_table(analysis)
        hotspots.append(risk_hotspots(table))
        covered.append(
            pd.DataFrame(
                {
                    "longitude": table["longitude"].astype("float64"),
                    "latitude": table["latitude"].astype("float64"),
                    "covered": table["coverage_today"].astype("float64") >= COVERED_FROM,
                }
            )
        )
        summary: dict[str, Any] = analysis.summary()
        risk_notes.add(str(summary["risk"]))
        notes.append(
            f"{mission_id}: today's bases reach {100 * float(summary['today_coverage_share']):.0f}%"
            f" of the expected risk within {float(summary['response_minutes']):g} minutes "
            f"({summary['existing_bases']} bases, {summary['cells']} cells); the protection "
            f"model's proposal reaches {100 * float(summary['proposed_coverage_share']):.0f}%; "
            f"{summary['uncovered_high_risk_cells_proposed']} high-risk cells stay out of reach."
        )
        notes.extend(str(n) for n in summary.get("notes", []) or [])
    return BriefOptions(
        hotspots=pd.concat(hotspots, ignore_index=True) if hotspots else None,
        protection=pd.concat(covered, ignore_index=True) if covered else None,
        intel_note="Risk: "
        + "; ".join(sorted(risk_notes))
        + (
            f". Hotspots: cells in the top {100 * (1 - WARM_QUANTILE):.0f}% (warm) and "
            f"{100 * (1 - HOT_QUANTILE):.0f}% (hot) of risk in the mission area."
            if risk_notes
            else ""
        ),
        protection_note=" ".join(notes),
    )
