"""Protection of civilians across the missions that have the mandate: risk, hotspots, reach.

For each mission of ``poc_mandates.csv`` in a view: the early-warning risk map (bundled for 2018,
``risk_2018.csv``, made by ``tools/protect_risk_2018.py`` from UCDP events of the years before),
the Gi* hotspots of civilian deaths in the last three years of events, and the covering model
(:mod:`bluehelmet.protect.model`) on the force in place (:mod:`bluehelmet.protect.force`): the
risk its bases reach within the response time today, at a later month without the plan (units
that leave are gone) and with the plan's units for the mission placed where they cover most.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from bluehelmet.intel.hotspots import gi_star
from bluehelmet.protect.force import (
    ForceInputs,
    additions_as_assets,
    asset_catalogue,
    detection_share,
    force_inputs,
    isr_detection,
    isr_sites,
    plan_additions,
    poc_mandates,
)
from bluehelmet.protect.geometry import mean_distance_in_cell_km
from bluehelmet.protect.inputs import (
    EVENT_FILES,
    area_cells,
    bundled_events,
    candidate_sites,
    data_path,
    mission_area,
)
from bluehelmet.protect.options import ProtectOptions
from bluehelmet.protect.problem import CoverageProblem, Reach
from bluehelmet.protect.solve import CoverageSolution, evaluate, optimise
from bluehelmet.scenario.core import ScenarioView

__all__ = [
    "EVENT_FILES",
    "MissionProtection",
    "analyse_mission_force",
    "bundled_events",
    "bundled_risk",
    "mission_hotspots",
    "mission_risk",
    "poc_missions",
]
#: The year the bundled risk layers forecast.
RISK_YEAR = 2018
#: Years of events summed for the hotspots (the last three before the forecast year).
HOTSPOT_YEARS = 3
#: A mission's area of operations: the host country's cells within this distance of one of its
#: places (assumed; keeps e.g. UNAMID to Darfur and UNISFA to Abyei, not all of Sudan).
AREA_KM = 200.0


def mission_risk(iso3: str, events: pd.DataFrame, year: int) -> tuple[pd.DataFrame, str]:
    """The early warning for ``year`` on the host country's cells (trained on 5 degrees around)."""
    from bluehelmet.protect.planning import risk_from_events

    return risk_from_events(events, area_cells(mission_area(iso3)), year)


@cache
def _risk_file() -> tuple[pd.DataFrame, dict[str, object]]:
    table = pd.read_csv(data_path("risk_2018.csv"), dtype={"mission_id": "string"})
    table["hotspot"] = table["hotspot"].astype(bool)
    meta = json.loads(data_path("risk_2018.json").read_text("utf-8"))
    return table, meta


def bundled_risk(mission_id: str) -> tuple[pd.DataFrame, dict[str, object]] | None:
    """The bundled 2018 risk layer of a mission and its metadata.

    Columns ``cell_id, longitude, latitude, risk`` and the cell's ``civilian_deaths`` over the
    hotspot years with their Gi* ``hotspot_z`` and ``hotspot`` flag.
    """
    table, meta = _risk_file()
    rows = table.loc[table["mission_id"] == mission_id]
    if rows.empty:
        return None
    return rows.drop(columns="mission_id").reset_index(drop=True), meta


def area_of_operations(
    cells: pd.DataFrame, sites: pd.DataFrame, km: float = AREA_KM
) -> pd.DataFrame:
    """The cells whose centre lies within ``km`` of one of the sites."""
    from bluehelmet.protect.geometry import pairs_within

    if sites.empty:
        return cells.iloc[0:0]
    near = pairs_within(
        cells["longitude"].to_numpy(float),
        cells["latitude"].to_numpy(float),
        sites["longitude"].to_numpy(float),
        sites["latitude"].to_numpy(float),
        km,
    )
    keep = np.diff(near.indptr) > 0
    return cells.loc[keep].reset_index(drop=True)


def mission_hotspots(
    cells: pd.DataFrame, events: pd.DataFrame, last_year: int, years: int = HOTSPOT_YEARS
) -> pd.DataFrame:
    """Gi* hotspots of civilian deaths in the area's cells over the ``years`` up to ``last_year``.

    Returns the cells of the area: ``cell_id, longitude, latitude, civilian_deaths, z, p,
    hotspot`` (Benjamini-Hochberg at 5 %, :func:`bluehelmet.intel.hotspots.gi_star`).
    """
    from bluehelmet.intel.grid import gid_of

    ev = events.loc[pd.to_numeric(events["year"]).between(last_year - years + 1, last_year)]
    gid = gid_of(ev["longitude"].to_numpy(float), ev["latitude"].to_numpy(float))
    deaths = (
        pd.Series(pd.to_numeric(ev["deaths_civilians"]).fillna(0).to_numpy(float), index=gid)
        .groupby(level=0)
        .sum()
    )
    area = cells["cell_id"].astype("int64").to_numpy()
    stats = gi_star(deaths, area, fdr=True)
    out = cells[["cell_id", "longitude", "latitude"]].copy()
    out["civilian_deaths"] = stats["value"].to_numpy()
    out["z"] = stats["z"].to_numpy()
    out["p"] = stats["p"].to_numpy()
    out["hotspot"] = stats["hotspot"].to_numpy(bool)
    return out


@dataclass
class MissionProtection:
    """The protection figures of one mission (see :func:`analyse_mission_force`)."""

    mission_id: str
    cells: pd.DataFrame
    inputs: ForceInputs
    later: ForceInputs
    today: CoverageSolution
    later_without: CoverageSolution
    later_with: CoverageSolution
    additions: dict[str, int]
    not_modelled: dict[str, int]
    hotspots: pd.DataFrame
    problem: CoverageProblem
    notes: list[str] = field(default_factory=list)
    #: Share of the risk within the watched radius of an ISR unit on the planning start
    #: (detection, not response: :func:`bluehelmet.protect.force.detection_share`).
    watched_today: float = 0.0


def _problem(
    cells: pd.DataFrame,
    inputs: ForceInputs,
    opts: ProtectOptions,
    extra: dict[str, int],
    catalogue: pd.DataFrame,
) -> CoverageProblem:
    existing = inputs.sites
    generated = candidate_sites(cells, existing, n=opts.candidates) if extra else existing.iloc[0:0]
    sites = pd.concat([existing, generated.assign(airfield=False)], ignore_index=True)
    sites["airfield"] = sites["airfield"].astype(bool)
    within = opts.within_cell_km
    if within is None:
        within = mean_distance_in_cell_km(float(cells["latitude"].mean()))
    return CoverageProblem(
        cells,
        sites,
        catalogue,
        inputs.fixed,
        extra,
        opts.response_minutes,
        opts.max_new_sites,
        within_cell_km=within,
    )


def analyse_mission_force(
    view: ScenarioView,
    mission_id: str,
    assignments: pd.DataFrame,
    later: pd.Timestamp,
    options: ProtectOptions | None = None,
    events: pd.DataFrame | None = None,
) -> MissionProtection | None:
    """Coverage of ``mission_id``'s risk by its force in place, today and at ``later``.

    ``today`` is the planning start; at ``later`` the units in place that have left are gone
    and the plan's units counting then (``assignments``, the plan's declared table) are added
    and placed by the optimiser. Returns ``None`` when no risk layer is bundled for the mission.
    """
    opts = options or ProtectOptions()
    found = bundled_risk(mission_id)
    if found is None:
        return None
    cells, meta = found
    start = pd.Timestamp(view.param("planning_start")).date()
    now = force_inputs(view, mission_id, start)
    then = force_inputs(view, mission_id, later.date())
    cells = area_of_operations(cells, pd.concat([now.sites, then.sites]))
    if cells.empty:
        return None
    catalogue = asset_catalogue(view.reader)
    today_problem = _problem(cells, now, opts, {}, catalogue)
    today = evaluate(today_problem, today_problem.fixed_counts(), method="today")
    without_problem = _problem(cells, then, opts, {}, catalogue)
    without = evaluate(without_problem, without_problem.fixed_counts(), method="today")
    units = plan_additions(assignments, mission_id, later)
    assets, other = additions_as_assets(units, catalogue)
    with_problem = _problem(cells, then, opts, assets, catalogue)
    with_plan = (
        optimise(
            with_problem,
            time_limit=opts.time_limit,
            threads=opts.threads,
            reach=Reach(with_problem),
        )
        if assets
        else without
    )
    if events is None:
        spots = cells[
            ["cell_id", "longitude", "latitude", "civilian_deaths", "hotspot_z", "hotspot"]
        ].rename(columns={"hotspot_z": "z"})
    else:
        spots = mission_hotspots(cells, events, int(str(meta["last_year"])))
    notes = list(dict.fromkeys(now.notes + then.notes))
    watched = detection_share(cells, isr_sites(now.units, now.sites))
    return MissionProtection(
        mission_id,
        cells,
        now,
        then,
        today,
        without,
        with_plan,
        units,
        other,
        spots,
        with_problem,
        notes,
        watched,
    )


def poc_missions(view: ScenarioView) -> pd.DataFrame:
    """The missions of the view with a protection mandate (``poc_mandates.csv``), in its order."""
    mandates = poc_mandates()
    return mandates.loc[mandates["mission_id"].isin(view.missions["id"])].reset_index(drop=True)


def force_summary(result: MissionProtection) -> dict[str, object]:
    """Counts of a mission's bases and responding assets today (for the brief's table)."""
    fixed = result.inputs.fixed.groupby("asset_type_id")["count"].sum()
    heli = [a for a in fixed.index if str(a).startswith("utility_helicopter")]
    night = int(fixed.get("utility_helicopter", 0))
    attack = [a for a in fixed.index if str(a).startswith("attack_helicopter")]
    units = result.inputs.units
    isr = units.loc[units["unit_type_id"].astype(str).isin(isr_detection().index), "count"]
    return {
        "bases": len(result.inputs.sites),
        "airfields": int(result.inputs.sites["airfield"].sum()),
        "companies": int(
            fixed.get("infantry_company_road", 0) + fixed.get("infantry_company_foot", 0)
        ),
        "qrf": int(fixed.get("quick_reaction_force", 0)),
        "helicopters": int(sum(int(fixed[a]) for a in heli)),
        "helicopters_night": night,
        "attack_helicopters": int(sum(int(fixed[a]) for a in attack)),
        "attack_helicopters_night": int(fixed.get("attack_helicopter", 0)),
        "fpus": int(fixed.get("formed_police_unit", 0)),
        "isr_units": int(isr.astype("int64").sum()),
    }


def share_reached(solution: CoverageSolution) -> float:
    """Share of the mission's risk its deployment covers (the model's expected coverage)."""
    return float(solution.share)


def high_risk_uncovered(solution: CoverageSolution, quantile: float = 0.9) -> int:
    """High-risk cells (at or above the ``quantile`` of risk) with expected coverage below 50 %."""
    cov = solution.coverage
    if cov.empty:
        return 0
    threshold = float(np.quantile(cov["risk"], quantile))
    high = (cov["risk"] >= threshold) & (cov["risk"] > 0)
    return int((high & (cov["coverage"] < 0.5)).sum())
