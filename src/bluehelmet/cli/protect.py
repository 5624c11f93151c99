"""``bluehelmet protect``: where a mission's forces must stand to reach civilians in time."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from bluehelmet.cli.checks import LayerFormat, out_folder
from bluehelmet.cli.common import ClearanceOption, OrgOption, cli_errors, console, reader_context
from bluehelmet.cli.output import JsonOption, print_json, progress, records

Opt = typer.Option


def protect(
    mission: Annotated[str, typer.Argument(help="Mission id in the scenario, e.g. MINUSMA.")],
    scenario: Annotated[str, Opt("--scenario", help="Bundled scenario name or folder.")],
    out: Annotated[Path, Opt("--out", callback=out_folder,
                             help="Folder to write the results to.")],
    risk: Annotated[Path | None, Opt(
        "--risk", help="Risk layer CSV: gid (PRIO-GRID) or cell_id, longitude, latitude, risk "
        "[, weight]. Default: the early warning on the bundled UCDP events.")] = None,
    response_minutes: Annotated[float, Opt(
        "--response-minutes", min=1.0, help="A cell counts as covered if an asset can reach it "
        "within this time.")] = 120.0,
    bases: Annotated[Path | None, Opt(
        "--bases", help="Bases CSV (the bases entity; kind tob_candidate = candidate site). "
        "Default: the bundled bases of the mission.")] = None,
    base_assets: Annotated[Path | None, Opt(
        "--base-assets", help="Assets per base CSV (the base_assets entity).")] = None,
    asset_types: Annotated[Path | None, Opt(
        "--asset-types", help="Asset types CSV (speeds, ranges, availability).")] = None,
    max_new_sites: Annotated[int, Opt(
        "--max-new-sites", min=0, help="Temporary operating bases that may be opened.")] = 3,
    candidates: Annotated[int, Opt(
        "--candidates", min=0, help="Candidate sites generated in the highest-risk cells.")] = 30,
    max_units: Annotated[int, Opt("--max-units", min=0, help="Most units to recommend.")] = 3,
    min_gain: Annotated[float, Opt(
        "--min-gain", min=0.0, max=1.0, help="Recommend a unit only if it adds at least this "
        "share of the total risk.")] = 0.01,
    relocate: Annotated[bool, Opt("--relocate", help="Let today's assets move too.")] = False,
    time_limit: Annotated[float, Opt("--time-limit", min=0.1, help="Seconds per solve.")] = 30.0,
    within_cell_km: Annotated[float | None, Opt(
        "--within-cell-km", min=0.0, show_default="the mean distance from a place in a cell "
        "to its centre, ~21 km for 0.5 degree cells", help="Distance added to each cell-centre "
        "distance.")] = None,
    layer_format: Annotated[LayerFormat, Opt(
        "--format", help="Format of the map layers "
        "(coverage, sites, uncovered high-risk cells, bases): CSV, GeoJSON (RFC 7946, WGS84 "
        "lon/lat) or GeoPackage (EPSG:4326); the other tables are always CSV.")] = "csv",
    org: str | None = OrgOption,
    clearance: str | None = ClearanceOption,
    json_output: bool = JsonOption,
) -> None:
    """Plan protection coverage for MISSION and derive requirements for the force planner."""
    with cli_errors():
        from bluehelmet.io.write import write_csv
        from bluehelmet.model.marking import stamp
        from bluehelmet.protect.inputs import read_risk
        from bluehelmet.protect.planning import analyse_mission, coverage_table, write_outputs
        from bluehelmet.scenario.io import load_view

        reader = reader_context(org, clearance)
        with progress(f"{mission}: loading the scenario") as update:
            scen = load_view(scenario, reader)
            layer = read_risk(risk) if risk is not None else None
            analysis = analyse_mission(
                scen, mission, risk=layer,
                risk_note=f"risk layer {risk.name}" if risk is not None else "",
                bases_file=bases, assets_file=asset_types, base_assets_file=base_assets,
                response_minutes=response_minutes, max_new_sites=max_new_sites,
                candidates=candidates, max_units=max_units, min_gain_share=min_gain,
                relocate=relocate, time_limit=time_limit, within_cell_km=within_cell_km,
                progress=lambda step: update(f"{mission}: {step}"))
            update(f"{mission}: writing tables and the coverage map")
            files = write_outputs(analysis, out)
            if layer is None:
                coverage_table(analysis)[["cell_id", "longitude", "latitude", "risk"]].rename(
                    columns={"cell_id": "gid"}).pipe(write_csv, out / "risk.csv")
                stamp(out, analysis.marking, ["risk.csv"], reader=reader)
            if layer_format != "csv":
                from bluehelmet.protect.layers import write_layers

                layers = write_layers(analysis, out, layer_format)
                stamp(out, analysis.marking, layers, reader=reader)
                files += layers
    reqs = analysis.requirements
    if json_output:
        print_json({"mission": mission, "response_minutes": response_minutes,
                    "risk": analysis.risk_note, "summary": analysis.summary(),
                    "marginal": records(analysis.marginal), "requirements": records(reqs),
                    "notes": analysis.notes, "files": [str(f) for f in files]})
        return
    console.print(f"[bold]{mission}[/]: response within {response_minutes:g} min; risk: "
                  f"{escape(analysis.risk_note)}")
    console.print(f"today: {100 * analysis.today.share:.1f}% of the risk covered; with the "
                  f"recommended additions: {100 * analysis.proposed.share:.1f}% "
                  f"({analysis.proposed.status}, gap {100 * analysis.proposed.mip_gap:.2f}%)")
    table = Table(title="One more unit of each type adds")
    for col in ("asset type", "unit type", "assets", "risk covered +"):
        table.add_column(col, justify="left" if col in ("asset type", "unit type") else "right")
    for r in analysis.marginal.to_dict("records"):
        table.add_row(str(r["asset_type_id"]), str(r["unit_type_id"]),
                      str(r["assets_per_unit"]), f"{100 * float(r['gain_share']):.1f} pp")
    console.print(table)
    if reqs.empty:
        console.print("no unit adds enough coverage to become a requirement")
    for req in reqs.to_dict("records"):
        console.print(f"requirement: {req['count']} x {req['unit_type_id']} for "
                      f"{req['mission_id']} {req['start']:%Y-%m-%d}..{req['end']:%Y-%m-%d} "
                      f"({req['priority']})", markup=False)
    for note in analysis.notes:
        console.print(f"[yellow]note:[/] {escape(note)}")
    console.print(f"wrote {len(files)} files to {out} (requirements.csv can be added to a "
                  "scenario for bluehelmet plan)", markup=False)
