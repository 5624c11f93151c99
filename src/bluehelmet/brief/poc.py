"""The brief's protection-of-civilians section: context, tables and the map, from the statistics.

:func:`add_section` is called by :func:`bluehelmet.brief.assemble.collect`; it reads the plan's
declared ``assignments`` table and the view, computes the figures with
:func:`bluehelmet.statistics.protection.protection_by_mission`, draws the maps
(:func:`bluehelmet.protect.plot.poc_maps`) and puts everything under ``poc`` in the template
context (``templates/sections/poc.html.j2``). Every figure carries its provenance label.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from bluehelmet.forcegen.result import Plan
from bluehelmet.model.access import AccessContext
from bluehelmet.plot.labels import ENGLISH
from bluehelmet.plot.style import to_svg
from bluehelmet.protect.force import asset_catalogue, isr_detection, poc_mandates
from bluehelmet.protect.poc import AREA_KM
from bluehelmet.protect.problem import NIGHT_SHARE
from bluehelmet.statistics.protection import ProtectionFigures, protection_by_mission
from bluehelmet.statistics.provenance import figure_provenance

if TYPE_CHECKING:
    from bluehelmet.brief.charts import Charts

#: What each provenance label means, as printed under the tables.
BASIS_MEANING = {
    "real": "counted from real records",
    "derived": "computed from them by a documented rule",
    "assumed": "rests on an assumed parameter",
    "illustrative": "rests on illustrative rows (the 2018 pledges)",
}


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {str(k): (None if _missing(v) else v) for k, v in row.items()}
        for row in table.to_dict("records")
    ]


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def findings(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The section's findings, written from the table (mission and figure named in each)."""
    out: list[dict[str, Any]] = []
    if table.empty:
        return out
    low = table.sort_values(["covered_today", "mission_id"]).iloc[0]
    out.append(
        {
            "kind": "lowest",
            "mission_id": low["mission_id"],
            "value": float(low["covered_today"]),
            "stat": "poc.covered_today",
        }
    )
    moved = table.assign(delta=table["covered_later_without"] - table["covered_today"])
    moved = moved.loc[moved["delta"].abs() > 1e-9].sort_values("delta")
    if len(moved):
        row = moved.iloc[0]
        out.append(
            {
                "kind": "force_change",
                "mission_id": row["mission_id"],
                "value": float(row["covered_later_without"]),
                "before": float(row["covered_today"]),
                "stat": "poc.covered_later_without",
            }
        )
    gain = table.sort_values(["change_pp", "mission_id"], ascending=[False, True]).iloc[0]
    out.append(
        {
            "kind": "plan",
            "mission_id": gain["mission_id"],
            "value": float(gain["change_pp"]),
            "stat": "poc.change_pp",
            "any": bool(gain["change_pp"] > 1e-9),
        }
    )
    return out


def assumptions(reader: AccessContext) -> list[dict[str, Any]]:
    """The assumed parameters the section rests on (the asset catalogue ``reader`` may see).

    A day-only variant (``<id>_day``) is folded into its night-capable type when their other
    parameters agree: the row then reads "documented units; others by day" (``night`` is
    ``mixed``), which keeps the page's table to one row per responder.
    """
    catalogue = asset_catalogue(reader)
    shown = ["speed_kmh", "mobilisation_minutes", "patrol_km", "availability"]
    rows = []
    for asset, r in catalogue.iterrows():
        base = str(asset).removesuffix("_day")
        if base != asset and base in catalogue.index:
            same = catalogue.loc[[base, asset], shown].nunique(dropna=False).max() == 1
            if same:
                continue
        night = "yes" if bool(r["night_capable"]) else "no"
        twin = f"{asset}_day"
        if twin in catalogue.index and (
            catalogue.loc[[asset, twin], shown].nunique(dropna=False).max() == 1
        ):
            night = "mixed"
        rows.append(
            {
                "asset_type_id": str(asset),
                "name": str(r["name"]),
                "speed_kmh": float(r["speed_kmh"]),
                "mobilisation_minutes": float(r["mobilisation_minutes"]),
                "patrol_km": None if _missing(r["patrol_km"]) else float(r["patrol_km"]),
                "availability": float(r["availability"]),
                "night_capable": bool(r["night_capable"]),
                "night": night,
                "basis": str(r["basis"]),
            }
        )
    return rows


def context(figures: ProtectionFigures, reader: AccessContext) -> dict[str, Any]:
    """The ``poc`` entry of the template context."""
    table = figures.missions
    mandates = poc_mandates().set_index("mission_id")
    rows = _records(table)
    for row in rows:
        row["mandate"] = str(mandates.at[row["mission_id"], "text"])
    unplaced = {m: len(r.inputs.unplaced) for m, r in figures.results.items() if r.inputs.unplaced}
    # ISR units are not idle: they watch (the table's ISR column), so they are not listed here.
    watching = set(isr_detection().index)
    idle = {
        m: ", ".join(
            f"{n} {u}" for u, n in sorted(r.inputs.not_responding.items()) if u not in watching
        )
        for m, r in figures.results.items()
        if set(r.inputs.not_responding) - watching
    }
    return {
        "present": bool(len(rows)),
        "missions": rows,
        "basis": figures.basis,
        "basis_meaning": BASIS_MEANING,
        "later": figures.later,
        "risk_year": figures.risk_year,
        "risk_first_year": figures.risk_years[0],
        "risk_last_year": figures.risk_years[1],
        "hotspot_first_year": figures.hotspot_years[0],
        "hotspot_last_year": figures.hotspot_years[1],
        "response_minutes": figures.response_minutes,
        "area_km": AREA_KM,
        "night_share": NIGHT_SHARE,
        "findings": findings(table),
        "assumptions": assumptions(reader),
        "detection_radius": isr_detection()["radius_km"].astype("float64").to_dict(),
        "unplaced": unplaced,
        "not_responding": idle,
        "mandated": _records(figures.mandated),
    }


def provenance_labels(figures: ProtectionFigures, plan: Plan) -> dict[str, dict[str, object]]:
    """What the section's map and tables rest on (the brief's provenance line under each)."""
    view = plan.view
    events = f"UCDP GED 20.1 events {figures.risk_years[0]}-{figures.risk_years[1]}"
    model = "the covering model (bluehelmet.protect) on the force in place"
    used = view.pledges.loc[view.pledges["id"].isin(plan.assignments.get("pledge_id", []))]
    catalogue = {
        "asset catalogue: speeds, notice, patrol radius, readiness": "assumed",
        "units to assets (unit_assets.csv)": "assumed",
        "ISR watched radius (isr_detection.csv)": "assumed",
    }
    return {
        "map": figure_provenance(
            view,
            ("units_in_place",),
            {
                events: "real",
                "early-warning risk layer": "derived",
                "ICAO aerodromes (airportsdata)": "derived",
                **catalogue,
            },
            model,
        ),
        "risk": figure_provenance(
            view,
            (),
            {
                events: "real",
                "early-warning risk layer": "derived",
                "Security Council resolutions": "real",
            },
            "the early warning and Gi* hotspots",
        ),
        "reach": figure_provenance(
            view,
            ("units_in_place", "pledges"),
            {"ICAO aerodromes (airportsdata)": "derived", **catalogue},
            model,
            rows={"pledges": used},
        ),
        "assumptions": figure_provenance(view, (), catalogue, ""),
    }


def add_section(
    plan: Plan,
    ctx: dict[str, Any],
    tables: dict[str, pd.DataFrame],
    figures: dict[str, str],
    charts: Charts | None = None,
) -> None:
    """Compute the protection section of ``plan``'s brief into the brief's context and tables.

    ``charts`` draws the section's map in the brief's language (default: English).
    """
    from bluehelmet.protect.plot import poc_maps

    found = protection_by_mission(plan.view, plan.assignments)
    ctx["poc"] = context(found, plan.view.reader)
    ctx["poc"]["prov"] = provenance_labels(found, plan)
    # Only the map notes about these missions (e.g. Abyei for UNISFA) go under their map.
    ctx["poc"]["map_notes"] = [
        n for n in ctx.get("map_notes", []) if any(m in str(n) for m in found.results)
    ]
    tables["poc_missions"] = found.missions
    tables["poc_basis"] = pd.DataFrame(
        {"column": list(found.basis), "basis": list(found.basis.values())}
    )
    if found.results:
        if charts is None:
            figures["poc_maps"] = to_svg(
                poc_maps(found.results, found.response_minutes, words=ENGLISH)
            )
        else:
            figures["poc_maps"] = charts.svg(poc_maps, found.results, found.response_minutes)
