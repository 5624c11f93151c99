"""The protection analysis of one mission, end to end, and its output files.

risk layer + bases + assets -> today's coverage -> coverage curves and marginal value of one more
unit -> recommended additions -> the optimised deployment with them -> requirements for the force
planner. Everything is a DataFrame; :func:`bluehelmet.protect.output.write_outputs` writes them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from bluehelmet.errors import DataError, Problem
from bluehelmet.model.access import AccessContext, Classification
from bluehelmet.model.gate import highest_classification
from bluehelmet.protect.analysis import coverage_curve, marginal_coverage, recommend
from bluehelmet.protect.geometry import haversine_km, mean_distance_in_cell_km
from bluehelmet.protect.inputs import (
    area_cells,
    bundled_events,
    candidate_sites,
    clip_to_area,
    load_inputs,
    mission_area,
    ucdp_places,
)
from bluehelmet.protect.options import ProtectOptions
from bluehelmet.protect.problem import CoverageProblem, Reach, check_problem
from bluehelmet.protect.requirements import requirements_from
from bluehelmet.protect.solve import CoverageSolution, today
from bluehelmet.scenario.core import ScenarioView


@dataclass
class ProtectionAnalysis:
    """Everything the protection analysis of one mission found (all tables are DataFrames)."""

    mission_id: str
    response_minutes: float
    risk_note: str
    area: BaseGeometry
    problem: CoverageProblem
    today: CoverageSolution
    proposed: CoverageSolution
    curve: pd.DataFrame
    marginal: pd.DataFrame
    recommended: pd.DataFrame
    requirements: pd.DataFrame
    uncovered: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    #: Highest classification of the records the analysis used or made (stamped on its files).
    marking: Classification = Classification.UNCLASSIFIED
    reader: AccessContext | None = None

    def summary(self) -> dict[str, object]:
        """Headline figures (what ``summary.json`` holds)."""
        return {
            "mission_id": self.mission_id,
            "response_minutes": self.response_minutes,
            "risk": self.risk_note,
            "cells": len(self.problem.cells),
            "within_cell_km": self.problem.within_cell_km,
            "sites": len(self.problem.sites),
            "existing_bases": int(self.problem.sites["existing"].sum()),
            "today_coverage_share": self.today.share,
            "proposed_coverage_share": self.proposed.share,
            "proposed_status": self.proposed.status,
            "proposed_mip_gap": self.proposed.mip_gap,
            "recommended_units": self.recommended[["asset_type_id", "unit_type_id"]]
            .astype(str)
            .value_counts()
            .rename("units")
            .reset_index()
            .to_dict("records"),
            "uncovered_high_risk_cells_today": int((self.uncovered["coverage_today"] < 0.5).sum()),
            "uncovered_high_risk_cells_proposed": int(
                (self.uncovered["coverage_proposed"] < 0.5).sum()
            ),
            "notes": self.notes,
        }


def risk_from_events(
    events: pd.DataFrame, cells: pd.DataFrame, year: int, *, margin_deg: float = 5.0
) -> tuple[pd.DataFrame, str]:
    """Early-warning risk for the area's cells, trained on the area and ``margin_deg`` around it.

    The forecast year is ``year``, or the year after the last event if the events end earlier
    (forecasts further ahead would treat years without data as peaceful). Returns the cells with
    ``risk`` and a note saying which year was forecast from which events.
    """
    from bluehelmet.intel.early_warning import predict_risk
    from bluehelmet.intel.grid import land_cells

    last = int(pd.to_numeric(events["year"], errors="coerce").max())
    target = min(year, last + 1)
    lc = land_cells()
    lon0, lon1 = cells["longitude"].min() - margin_deg, cells["longitude"].max() + margin_deg
    lat0, lat1 = cells["latitude"].min() - margin_deg, cells["latitude"].max() + margin_deg
    region = lc.loc[lc["longitude"].between(lon0, lon1) & lc["latitude"].between(lat0, lat1)]
    region = pd.concat([region[["gid"]], cells[["gid"]]]).drop_duplicates("gid")
    risk = predict_risk(events, target, cells=region)
    out = cells[["gid"]].merge(risk, on="gid", how="left")
    note = (
        f"early-warning probability of civilian deaths in {target}, trained on events "
        f"{int(pd.to_numeric(events['year']).min())}-{last}"
        + (
            f" (the events end in {last}: used as the best available proxy for {year})"
            if target < year
            else ""
        )
    )
    return out.rename(columns={"gid": "cell_id"}), note


def uncovered_high_risk(
    cells: pd.DataFrame,
    today_cov: pd.DataFrame,
    proposed: pd.DataFrame,
    sites: pd.DataFrame,
    quantile: float,
) -> pd.DataFrame:
    """High-risk cells (at or above ``quantile``) the proposed deployment leaves uncovered."""
    threshold = float(np.quantile(cells["risk"], quantile)) if len(cells) else 0.0
    high = (cells["risk"] >= threshold) & (cells["risk"] > 0)
    out = today_cov.loc[high, ["cell_id", "longitude", "latitude", "risk"]].copy()
    out["coverage_today"] = today_cov.loc[high, "coverage"]
    out["coverage_proposed"] = proposed.loc[high, "coverage"]
    existing = sites.loc[sites["existing"]]
    d = haversine_km(
        out["longitude"].to_numpy()[:, None],
        out["latitude"].to_numpy()[:, None],
        existing["longitude"].to_numpy()[None, :],
        existing["latitude"].to_numpy()[None, :],
    )
    nearest = d.argmin(axis=1) if len(existing) and len(out) else np.zeros(len(out), dtype=int)
    out["nearest_base"] = existing["name"].to_numpy()[nearest] if len(existing) else ""
    out["nearest_base_km"] = d[np.arange(len(out)), nearest] if len(existing) else np.nan
    out = out.loc[out["coverage_proposed"] < 0.5]
    return out.sort_values("risk", ascending=False).reset_index(drop=True)


def analyse_mission(
    view: ScenarioView,
    mission_id: str,
    options: ProtectOptions | None = None,
    *,
    risk: pd.DataFrame | None = None,
    risk_note: str = "user-given risk layer",
    events: pd.DataFrame | None = None,
    bases_file: str | Path | None = None,
    assets_file: str | Path | None = None,
    base_assets_file: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> ProtectionAnalysis:
    """Run the protection analysis of ``mission_id`` in ``view`` (a scenario as one reader sees it).

    Parameters
    ----------
    view, mission_id
        The scenario as the reader sees it (``scenario.view(reader)``) and the mission; the
        protection input files are filtered for the same reader.
    options
        Response time, sites, units, solver limits (:class:`ProtectOptions`).
    risk, risk_note
        Cells with ``cell_id`` (PRIO-GRID gid), ``longitude``, ``latitude``, ``risk``; if
        ``None``, the early warning is run on ``events`` (default: the bundled UCDP events);
        ``risk_note`` says where a given layer comes from.
    events
        Events for the early warning and for naming candidate sites (UCDP-like).
    bases_file, assets_file, base_assets_file
        The mission's bases, asset types and assets per base (default: the bundled files).
    progress
        Called with the name of each step as it starts (for a progress display).
    """
    opts = options or ProtectOptions()
    response_minutes, time_limit, threads = opts.response_minutes, opts.time_limit, opts.threads
    step = progress or (lambda _name: None)
    reader = view.reader
    missions = view.missions.set_index("id")
    if mission_id not in missions.index:
        raise DataError(
            Problem(
                "missions.csv",
                None,
                "id",
                mission_id,
                "no such mission in the scenario (or none you may see)",
                f"use one of {', '.join(missions.index.astype(str))}",
            )
        )
    iso3 = str(missions["host_iso3"].astype("string").get(mission_id))
    start = pd.Timestamp(view.param("planning_start")).date()
    months = int(view.param("horizon_months"))
    end = (pd.Timestamp(start) + pd.DateOffset(months=months) - pd.Timedelta(days=1)).date()
    area = mission_area(str(iso3))
    bases, assets, held = load_inputs(
        mission_id,
        start.year,
        reader,
        bases_file=bases_file,
        assets_file=assets_file,
        base_assets_file=base_assets_file,
    )
    notes: list[str] = []
    if events is None:
        events = bundled_events()
    if risk is None:
        step("early-warning risk layer from the UCDP events")
        risk, risk_note = risk_from_events(events, area_cells(area), start.year)
    cells, outside = clip_to_area(risk, area)
    if cells.empty:
        raise DataError(
            Problem(
                "risk layer",
                None,
                "longitude/latitude",
                None,
                f"none of its {outside} cells lies in the mission area ({iso3})",
                f"give cells inside {iso3} (PRIO-GRID gid or cell centres)",
            )
        )
    if outside:
        notes.append(
            f"{outside} cells of the risk layer lie outside the mission area "
            f"({iso3}) and were left out"
        )
    existing = pd.DataFrame(
        {
            "site_id": bases["id"],
            "name": bases["name"],
            "longitude": bases["longitude"],
            "latitude": bases["latitude"],
            "existing": bases["kind"] != "tob_candidate",
            "source": bases["source"],
        }
    )
    user_candidates = existing.loc[~existing["existing"]]
    existing = existing.loc[existing["existing"]]
    places = ucdp_places(events)
    generated = candidate_sites(cells, existing, n=opts.candidates, places=places)
    sites = pd.concat([existing, user_candidates, generated], ignore_index=True)
    sites = sites.drop_duplicates("site_id").reset_index(drop=True)
    fixed = pd.DataFrame(
        {
            "site_id": held["base_id"].astype(str),
            "asset_type_id": held["asset_type_id"].astype(str),
            "count": held["count"].astype(int),
        }
    )
    within_cell_km = opts.within_cell_km
    if within_cell_km is None:
        within_cell_km = mean_distance_in_cell_km(float(cells["latitude"].mean()))
    problem = CoverageProblem(
        cells,
        sites,
        assets,
        fixed,
        {},
        response_minutes,
        opts.max_new_sites,
        opts.relocate,
        within_cell_km=within_cell_km,
    )
    check_problem(problem)
    step("coverage today")
    reach = Reach(problem)
    now = today(problem, reach)
    step("coverage curve: one more unit of each type")
    curve = coverage_curve(
        problem, opts.curve_units, reach=reach, time_limit=time_limit, threads=threads
    )
    marginal = marginal_coverage(curve, problem)
    step("recommending units and temporary bases")
    steps, proposed = recommend(
        problem,
        max_units=opts.max_units,
        min_gain_share=opts.min_gain_share,
        reach=reach,
        time_limit=time_limit,
        threads=threads,
    )
    source = (
        f"bluehelmet protect: maximal expected covering analysis of {mission_id}, "
        f"response within {response_minutes:g} min, risk = {risk_note}; bases "
        f"{Path(str(bases_file)).name if bases_file else 'bundled'}"
    )
    reqs = requirements_from(
        steps, assets, mission_id, start, end, unit_types=view.unit_types, source=source
    )
    uncovered = uncovered_high_risk(
        cells, now.coverage, proposed.coverage, sites, opts.high_risk_quantile
    )
    illustrative = held["basis"].isin(["illustrative", "assumed"]).sum() if "basis" in held else 0
    if illustrative or assets["basis"].isin(["illustrative", "assumed"]).any():
        notes.append(
            "uses illustrative or assumed data: see the basis and source of the base "
            "assets and asset types"
        )
    marking = max(
        view.marking,
        highest_classification(
            {"bases": bases, "asset_types": assets, "base_assets": held, "requirements": reqs}
        ),
    )
    return ProtectionAnalysis(
        mission_id,
        response_minutes,
        risk_note,
        area,
        problem,
        now,
        proposed,
        curve,
        marginal,
        steps,
        reqs,
        uncovered,
        notes,
        marking=marking,
        reader=reader,
    )


def coverage_table(analysis: ProtectionAnalysis) -> pd.DataFrame:
    """Per cell: risk and coverage today and with the recommended additions."""
    t, p = analysis.today.coverage, analysis.proposed.coverage
    out = t[["cell_id", "longitude", "latitude", "risk", "value"]].copy()
    out["coverage_today"] = t["coverage"]
    out["covered_by_today"] = t["covered_by"]
    out["fastest_minutes_today"] = t["fastest_minutes"].replace(np.inf, np.nan)
    out["coverage_proposed"] = p["coverage"]
    out["covered_by_proposed"] = p["covered_by"]
    out["fastest_minutes_proposed"] = p["fastest_minutes"].replace(np.inf, np.nan)
    return out
