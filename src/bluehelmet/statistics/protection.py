"""Protection of civilians in the missions that have the mandate: one row per mission.

Every figure comes with its provenance label (:data:`BASES`, weakest input first): ``real``
(counted from real records), ``derived`` (computed from real records by a documented rule),
``assumed`` (rests on an assumed parameter, e.g. speeds) or ``illustrative`` (rests on
illustrative rows, e.g. the 2018 pledges). The brief's protection section prints these figures
and labels; its tests compare them with this module.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from bluehelmet.protect.options import ProtectOptions
from bluehelmet.protect.poc import (
    MissionProtection,
    analyse_mission_force,
    bundled_risk,
    force_summary,
    high_risk_uncovered,
    poc_missions,
)
from bluehelmet.scenario.core import ScenarioView

#: Provenance labels, from the strongest to the weakest.
BASES = ("real", "derived", "assumed", "illustrative")

#: The brief's response time (minutes): the default of ``bluehelmet protect``.
RESPONSE_MINUTES = 120.0


def weakest(*bases: str) -> str:
    """The weakest of the given provenance labels (``real`` if none)."""
    known = [b for b in bases if b in BASES]
    return max(known, key=BASES.index) if known else "real"


def _table_basis(table: pd.DataFrame) -> str:
    if table.empty or "basis" not in table:
        return "real"
    return weakest(*table["basis"].astype("string").dropna().unique())


@dataclass
class ProtectionFigures:
    """The protection figures of a view and a plan: the table, its labels and the analyses."""

    missions: pd.DataFrame
    basis: dict[str, str]
    results: dict[str, MissionProtection]
    later: pd.Timestamp
    risk_years: tuple[int, int]
    risk_year: int
    hotspot_years: tuple[int, int]
    response_minutes: float
    #: The view's missions with a protection mandate (with or without figures).
    mandated: pd.DataFrame


def later_month(view: ScenarioView) -> pd.Timestamp:
    """The month the plan's protection effect is measured: the last of the first budget year."""
    return pd.Timestamp(view.param("planning_start")).to_period("M").to_timestamp() + pd.DateOffset(
        months=11
    )


def protection_by_mission(
    view: ScenarioView, assignments: pd.DataFrame, options: ProtectOptions | None = None
) -> ProtectionFigures:
    """Risk, hotspots, forces and coverage of every mission with a protection mandate.

    Parameters
    ----------
    view
        The scenario as the reader sees it (its force in place, missions and pledges).
    assignments
        The plan's ``assignments`` table (declared in ``forcegen/outputs.csv``).
    options
        Response time and solver limits (default: 120 minutes, 3 new sites).

    Returns
    -------
    ProtectionFigures
        ``missions``: one row per mission with ``mission_id, resolution, cells, risk_expected``
        (expected number of cells with civilian deaths in the forecast year),
        ``hotspot_cells, civilian_deaths`` (hotspot years), ``bases, airfields, companies,
        qrf, helicopters, helicopters_night, attack_helicopters, attack_helicopters_night,
        fpus`` (formed police units), ``isr_units, watched_today`` (share of the risk within
        the watched radius of an ISR unit: detection, not reach), ``covered_today,
        covered_later_without,
        covered_later_with, change_pp`` (with the plan against without, percentage points),
        ``plan_units`` (units the plan adds that respond), ``plan_units_other``,
        ``high_risk_uncovered_today``; ``basis`` the label of each column.
    """
    opts = options or ProtectOptions(
        response_minutes=RESPONSE_MINUTES, time_limit=10.0, candidates=15
    )
    later = later_month(view)
    mandates = poc_missions(view)
    results: dict[str, MissionProtection] = {}
    rows = []
    meta: dict[str, object] = {}
    for rec in mandates.to_dict("records"):
        mission = str(rec["mission_id"])
        found = bundled_risk(mission)
        if found is None:
            continue
        meta = found[1]
        result = analyse_mission_force(view, mission, assignments, later, opts)
        if result is None:
            continue
        results[mission] = result
        force = force_summary(result)
        spots = result.hotspots
        rows.append(
            {
                "mission_id": mission,
                "resolution": rec["resolution"],
                "cells": len(result.cells),
                "risk_expected": float(result.cells["risk"].sum()),
                "hotspot_cells": int(spots["hotspot"].sum()),
                "civilian_deaths": float(spots["civilian_deaths"].sum()),
                **force,
                "watched_today": result.watched_today,
                "covered_today": result.today.share,
                "covered_later_without": result.later_without.share,
                "covered_later_with": result.later_with.share,
                "change_pp": 100 * (result.later_with.share - result.later_without.share),
                "plan_units": int(
                    sum(n for u, n in result.additions.items() if u not in result.not_modelled)
                ),
                "plan_units_other": int(sum(result.not_modelled.values())),
                "high_risk_uncovered_today": high_risk_uncovered(result.today),
            }
        )
    table = pd.DataFrame(
        rows,
        columns=[
            "mission_id",
            "resolution",
            "cells",
            "risk_expected",
            "hotspot_cells",
            "civilian_deaths",
            "bases",
            "airfields",
            "companies",
            "qrf",
            "helicopters",
            "helicopters_night",
            "attack_helicopters",
            "attack_helicopters_night",
            "fpus",
            "isr_units",
            "watched_today",
            "covered_today",
            "covered_later_without",
            "covered_later_with",
            "change_pp",
            "plan_units",
            "plan_units_other",
            "high_risk_uncovered_today",
        ],
    )
    units = view.units_in_place
    force_basis = _table_basis(units.loc[units["mission_id"].isin(table["mission_id"])])
    used = view.pledges.loc[view.pledges["id"].isin(assignments.get("pledge_id", []))]
    plan_basis = _table_basis(used)
    modelled = weakest(force_basis, "assumed")
    basis = {
        # Real events counted in the area of operations (a documented rule): derived.
        "cells": "derived",
        "risk_expected": "derived",
        "hotspot_cells": "derived",
        "civilian_deaths": "derived",
        "bases": weakest(force_basis, "derived"),
        "airfields": "derived",
        "companies": modelled,
        "qrf": modelled,
        "helicopters": modelled,
        "helicopters_night": modelled,
        "attack_helicopters": modelled,
        "attack_helicopters_night": modelled,
        "fpus": modelled,
        "isr_units": weakest(force_basis, "derived"),
        "watched_today": modelled,
        "covered_today": modelled,
        "covered_later_without": modelled,
        "covered_later_with": weakest(modelled, plan_basis),
        "change_pp": weakest(modelled, plan_basis),
        "plan_units": weakest(plan_basis, "derived"),
        "plan_units_other": weakest(plan_basis, "derived"),
        "high_risk_uncovered_today": modelled,
    }
    first = int(str(meta.get("first_year", 0))) if meta else 0
    last = int(str(meta.get("last_year", 0))) if meta else 0
    spot_years = meta.get("hotspot_years", [last - 2, last]) if meta else [0, 0]
    assert isinstance(spot_years, list)
    return ProtectionFigures(
        table,
        basis,
        results,
        later,
        (first, last),
        int(str(meta.get("target_year", 0))) if meta else 0,
        (int(spot_years[0]), int(spot_years[1])),
        opts.response_minutes,
        mandates,
    )
