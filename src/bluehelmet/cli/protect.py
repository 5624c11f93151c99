"""``bluehelmet protect``: where a mission's forces must stand to reach civilians in time."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from bluehelmet.cli.checks import (
    LayerFormat,
    out_folder,
    refuse_overwrite,
    refuse_scenario_folder,
)
from bluehelmet.cli.common import ClearanceOption, OrgOption, cli_errors, console, reader_context
from bluehelmet.cli.output import JsonOption, print_json, progress, records
from bluehelmet.protect.options import ProtectOptions

Opt = typer.Option
DEFAULTS = ProtectOptions()
#: Tables and layers written into --out besides the declared protect tables (an input file
#: there must not be one); the declared ones are read from ``protect.outputs`` when the command
#: runs, so that importing the command line loads no pandas.
WRITTEN_BESIDES = ("requirements", "risk", "bases")
#: Each flag's help is its option's documentation.
DOC = {f.name: str(f.metadata["doc"]) for f in fields(ProtectOptions)}


def protect(
    mission: Annotated[str, typer.Argument(help="Mission id in the scenario, e.g. MINUSMA.")],
    scenario: Annotated[str, Opt("--scenario", help="Bundled scenario name or folder.")],
    out: Annotated[Path, Opt("--out", callback=out_folder, help="Folder to write the results to.")],
    risk: Annotated[
        Path | None,
        Opt(
            "--risk",
            help="Risk layer CSV: gid (PRIO-GRID) or cell_id, longitude, latitude, risk "
            "[, weight]. Default: the early warning on the bundled UCDP events.",
        ),
    ] = None,
    response_minutes: Annotated[
        float, Opt("--response-minutes", help=DOC["response_minutes"])
    ] = DEFAULTS.response_minutes,
    bases: Annotated[
        Path | None,
        Opt(
            "--bases",
            help="Bases CSV (the bases entity; kind tob_candidate = candidate site). "
            "Default: the bundled bases of the mission.",
        ),
    ] = None,
    base_assets: Annotated[
        Path | None, Opt("--base-assets", help="Assets per base CSV (the base_assets entity).")
    ] = None,
    asset_types: Annotated[
        Path | None, Opt("--asset-types", help="Asset types CSV (speeds, ranges, availability).")
    ] = None,
    max_new_sites: Annotated[
        int, Opt("--max-new-sites", help=DOC["max_new_sites"])
    ] = DEFAULTS.max_new_sites,
    candidates: Annotated[int, Opt("--candidates", help=DOC["candidates"])] = DEFAULTS.candidates,
    max_units: Annotated[int, Opt("--max-units", help=DOC["max_units"])] = DEFAULTS.max_units,
    curve_units: Annotated[
        int, Opt("--curve-units", help=DOC["curve_units"])
    ] = DEFAULTS.curve_units,
    min_gain_share: Annotated[
        float, Opt("--min-gain-share", "--min-gain", help=DOC["min_gain_share"])
    ] = DEFAULTS.min_gain_share,
    relocate: Annotated[bool, Opt("--relocate", help=DOC["relocate"])] = DEFAULTS.relocate,
    high_risk_quantile: Annotated[
        float, Opt("--high-risk-quantile", help=DOC["high_risk_quantile"])
    ] = DEFAULTS.high_risk_quantile,
    time_limit: Annotated[float, Opt("--time-limit", help=DOC["time_limit"])] = DEFAULTS.time_limit,
    threads: Annotated[int | None, Opt("--threads", help=DOC["threads"])] = DEFAULTS.threads,
    within_cell_km: Annotated[
        float | None, Opt("--within-cell-km", help=DOC["within_cell_km"])
    ] = DEFAULTS.within_cell_km,
    layer_format: Annotated[
        LayerFormat,
        Opt(
            "--format",
            help="Format of the map layers "
            "(coverage, sites, uncovered high-risk cells, bases): CSV, GeoJSON (RFC 7946, WGS84 "
            "lon/lat) or GeoPackage (EPSG:4326); the other tables are always CSV.",
        ),
    ] = "csv",
    org: str | None = OrgOption,
    clearance: str | None = ClearanceOption,
    json_output: bool = JsonOption,
) -> None:
    """Plan protection coverage for MISSION and derive requirements for the force planner."""
    from bluehelmet.protect.outputs import FILE_NAMES

    refuse_scenario_folder("--out", out, scenario)
    written = (*FILE_NAMES, *WRITTEN_BESIDES)
    given = {"--risk": risk, "--bases": bases, "--base-assets": base_assets}
    given["--asset-types"] = asset_types
    refuse_overwrite(
        "--out",
        [out / f"{name}{suffix}" for name in written for suffix in (".csv", ".geojson", ".gpkg")]
        + [out / "summary.json", out / "coverage_map.png"],
        [(path, f"an input file of this command ({flag})") for flag, path in given.items() if path],
    )
    with cli_errors():
        from bluehelmet.output import write_folder
        from bluehelmet.protect.inputs import read_risk
        from bluehelmet.protect.output import write_outputs
        from bluehelmet.protect.planning import analyse_mission, coverage_table
        from bluehelmet.scenario.io import load_view

        try:
            options = ProtectOptions(
                response_minutes=response_minutes,
                max_new_sites=max_new_sites,
                candidates=candidates,
                max_units=max_units,
                curve_units=curve_units,
                min_gain_share=min_gain_share,
                relocate=relocate,
                high_risk_quantile=high_risk_quantile,
                time_limit=time_limit,
                threads=threads,
                within_cell_km=within_cell_km,
            )
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc
        reader = reader_context(org, clearance)
        with progress(f"{mission}: loading the scenario") as update:
            scen = load_view(scenario, reader)
            layer = read_risk(risk) if risk is not None else None
            analysis = analyse_mission(
                scen,
                mission,
                options,
                risk=layer,
                risk_note=f"risk layer {risk.name}" if risk is not None else "",
                bases_file=bases,
                assets_file=asset_types,
                base_assets_file=base_assets,
                progress=lambda step: update(f"{mission}: {step}"),
            )
            update(f"{mission}: writing tables and the coverage map")
            files = write_outputs(analysis, out)
            if layer is None:
                risk_used = coverage_table(analysis)[["cell_id", "longitude", "latitude", "risk"]]
                write_folder(
                    out,
                    {"risk": risk_used.rename(columns={"cell_id": "gid"})},
                    marking=analysis.marking,
                    reader=reader,
                    source=f"risk layer of protection analysis {mission}",
                )
            if layer_format != "csv":
                from bluehelmet.model.marking import stamp
                from bluehelmet.protect.layers import write_layers

                layers = write_layers(analysis, out, layer_format)
                stamp(out, analysis.marking, layers, reader=reader)
                files += layers
    reqs = analysis.requirements
    if json_output:
        print_json(
            {
                "mission": mission,
                "response_minutes": response_minutes,
                "risk": analysis.risk_note,
                "summary": analysis.summary(),
                "marginal": records(analysis.marginal),
                "requirements": records(reqs),
                "notes": analysis.notes,
                "files": [str(f) for f in files],
            }
        )
        return
    console.print(
        f"[bold]{mission}[/]: response within {response_minutes:g} min; risk: "
        f"{escape(analysis.risk_note)}"
    )
    console.print(
        f"today: {100 * analysis.today.share:.1f}% of the risk covered; with the "
        f"recommended additions: {100 * analysis.proposed.share:.1f}% "
        f"({analysis.proposed.status}, gap {100 * analysis.proposed.mip_gap:.2f}%)"
    )
    table = Table(title="One more unit of each type adds")
    for col in ("asset type", "unit type", "assets", "risk covered +"):
        table.add_column(col, justify="left" if col in ("asset type", "unit type") else "right")
    for r in analysis.marginal.to_dict("records"):
        unit = r["unit_type_id"]
        table.add_row(
            str(r["asset_type_id"]),
            unit if isinstance(unit, str) and unit else "— (not requestable)",
            str(r["assets_per_unit"]),
            f"{100 * float(r['gain_share']):.1f} pp",
        )
    console.print(table)
    if reqs.empty:
        console.print("no unit adds enough coverage to become a requirement")
    for req in reqs.to_dict("records"):
        console.print(
            f"requirement: {req['count']} x {req['unit_type_id']} for "
            f"{req['mission_id']} {req['start']:%Y-%m-%d}..{req['end']:%Y-%m-%d} "
            f"({req['priority']})",
            markup=False,
        )
    for note in analysis.notes:
        console.print(f"[yellow]note:[/] {escape(note)}")
    console.print(
        f"wrote {len(files)} files to {out} (requirements.csv can be added to a "
        "scenario for bluehelmet plan)",
        markup=False,
    )
