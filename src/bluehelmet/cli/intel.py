"""``bluehelmet intel``: report store, fusion, hotspots and early-warning evaluation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import typer
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from bluehelmet.cli.checks import LayerFormat, existing_store, out_file, out_folder
from bluehelmet.cli.common import ClearanceOption, OrgOption, cli_errors, console, reader_context
from bluehelmet.cli.output import JsonOption, err_console, print_json, progress, quiet, records
from bluehelmet.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

app = typer.Typer(help="Peacekeeping-intelligence: reports, incidents, hotspots, early warning.",
                  no_args_is_help=True)

StoreOption = typer.Option(Path("intel-store"), "--store",
                           help="Report store folder (a folder of CSVs).")


#: ``--store`` of the commands that read the store: it must exist.
ReadStoreOption = typer.Option(Path("intel-store"), "--store", callback=existing_store,
                               help="Report store folder (a folder of CSVs).")
#: ``--format`` of the commands that write map layers.
FormatOption = typer.Option("csv", "--format", help="Format of the layer written with --out: "
                            "CSV, GeoJSON (RFC 7946: WGS84 longitude/latitude) or GeoPackage "
                            "(EPSG:4326).")


def _is_report_file(path: Path) -> bool:
    import pandas as pd

    header = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns
    return "category" in header and "time" in header


@app.command("import")
def import_(file: Path, store: Path = StoreOption) -> None:
    """Add reports from FILE (a report CSV or a UCDP GED file, full or subset) to the store."""
    from bluehelmet.intel import reports as rp

    with cli_errors():
        if _is_report_file(file):
            table, problems = rp.read_reports_file(file)
            if problems:
                raise DataError(problems)
        else:
            from bluehelmet.io.ucdp import read_ucdp

            result = read_ucdp(file)
            table = rp.events_to_reports(result.table, file.name)
        added, present = rp.add_reports(store, table, str(file))
    console.print(f"{added} report(s) added to {store}, {present} already there.")


@app.command("reports")
def list_reports(store: Path = ReadStoreOption,
                 limit: int = typer.Option(20, min=0, help="Rows shown."),
                 org: str | None = OrgOption, clearance: str | None = ClearanceOption,
                 json_output: bool = JsonOption) -> None:
    """List the reports you may see (the count too counts only those)."""
    from bluehelmet.intel.reports import reports

    with cli_errors():
        shown = reports(store, reader_context(org, clearance))
    if json_output:
        print_json({"visible": len(shown), "reports": records(shown.head(limit))})
        return
    table = Table("id", "time", "category", "source_type", "grade", "classification", "owner")
    for r in shown.head(limit).itertuples():
        table.add_row(*(escape(str(v)) for v in (r.id, r.time, r.category, r.source_type,
                                                  f"{r.reliability}{r.credibility}",
                                                  r.classification, r.owner)))
    console.print(table)
    console.print(f"{len(shown)} report(s) visible to you.")


@app.command()
def fuse(store: Path = ReadStoreOption,
         distance_km: float = typer.Option(10.0, min=0.0, help="Largest distance between "
                                           "linked reports."),
         gap_hours: float = typer.Option(48.0, min=0.0, help="Largest time gap between linked "
                                         "reports."),
         out: Path | None = typer.Option(None, callback=out_folder, show_default="the store",
                                         help="Folder for incidents and incident_links.csv."),
         layer_format: LayerFormat = FormatOption,
         org: str | None = OrgOption, clearance: str | None = ClearanceOption,
         json_output: bool = JsonOption) -> None:
    """Fuse the reports you may see into incidents; write incidents and their links."""
    from bluehelmet.intel.fusion import Rules, fuse_store
    from bluehelmet.intel.reports import write_csv
    from bluehelmet.io.layers import write_layer
    from bluehelmet.model.gate import highest_classification
    from bluehelmet.model.marking import stamp

    reader = reader_context(org, clearance)
    with cli_errors(), progress("fusing reports into incidents"):
        result = fuse_store(store, reader, Rules(distance_km, gap_hours))
    folder = out or store
    incidents = write_layer(result.incidents, folder / "incidents.csv", layer_format)
    write_csv(result.links, folder / "incident_links.csv")
    stamp(folder, highest_classification({"reports": result.reports}),
          [incidents.name, "incident_links.csv"], reader=reader, source=f"reports in {store}")
    if json_output:
        print_json({"reports": len(result.reports), "incidents": len(result.incidents),
                    "links": len(result.links), "files": [str(incidents),
                                                          str(folder / "incident_links.csv")]})
        return
    console.print(f"{len(result.reports)} report(s) -> {len(result.incidents)} incident(s), "
                  f"{len(result.links)} link(s); written to {folder}.", markup=False)


@app.command()
def hotspots(store: Path | None = typer.Option(None, "--store", callback=existing_store,
                                                 show_default="intel-store",
                                                 help="Report store folder."),
             events: list[Path] = typer.Option([], "--events", help="UCDP GED file(s) instead "
                                               "of a store."),
             value: Literal["reports", "fatalities", "civilian_deaths"] = typer.Option(
                 "reports", help="What is counted per cell."),
             period: int | None = typer.Option(None, min=1900, max=2100, show_default="all",
                                               help="A year, e.g. 2012."),
             fdr: bool = typer.Option(True, help="Benjamini-Hochberg false discovery control."),
             out: Path | None = typer.Option(None, callback=out_file,
                                             help="File for every cell's Gi* result."),
             layer_format: LayerFormat = FormatOption,
             org: str | None = OrgOption, clearance: str | None = ClearanceOption,
             json_output: bool = JsonOption) -> None:
    """Getis-Ord Gi* hotspots on the PRIO-GRID 0.5 degree grid."""
    from bluehelmet.intel.hotspots import hotspots as run
    from bluehelmet.io.layers import write_layer
    from bluehelmet.model.access import visible
    from bluehelmet.model.gate import highest_classification
    from bluehelmet.model.marking import stamp

    reader = reader_context(org, clearance)
    with cli_errors(), progress("reading reports") as update:
        table = _reports_or_events(store, events)
        update("Getis-Ord Gi* on the PRIO-GRID cells")
        result = run(table, reader, value=value,
                     period=None if period is None else str(period), fdr=fdr)
    hot = result[result["hotspot"]].sort_values("z", ascending=False)
    written = None if out is None else write_layer(result, out, layer_format, layer="hotspots",
                                                   cell_degrees=0.5)
    if written is not None:
        marking = highest_classification({"reports": table.loc[visible(table, reader)]})
        stamp(written.parent, marking, [written.name], reader=reader, source="hotspots")
    if json_output:
        print_json({"value": value, "period": period, "cells": len(result),
                    "hotspot_cells": len(hot), "hotspots": records(hot),
                    "file": None if written is None else str(written)})
        return
    grid = Table("gid", "longitude", "latitude", value, "z", "p")
    for r in hot.head(15).itertuples():
        grid.add_row(str(r.gid), f"{r.longitude:.2f}", f"{r.latitude:.2f}", f"{r.value:g}",
                     f"{r.z:.1f}", f"{r.p:.1e}")
    console.print(grid)
    console.print(f"{len(hot)} hotspot cell(s) of {len(result)} in the study area.")
    if written is not None:
        console.print(f"written to {written}", markup=False)


def _reports_or_events(store: Path | None, events: list[Path]) -> pd.DataFrame:
    """The reports of the store, or UCDP events as reports if ``--events`` is given."""
    from bluehelmet.intel import reports as rp

    if events:
        from bluehelmet.io.ucdp import read_ucdp

        return rp.events_to_reports(read_ucdp(events).table, events[0].name)
    folder = existing_store(store or Path("intel-store"))
    assert folder is not None
    return rp.load_all(folder)


@app.command()
def trends(store: Path | None = typer.Option(None, "--store", callback=existing_store,
                                               show_default="intel-store",
                                               help="Report store folder."),
           events: list[Path] = typer.Option([], "--events", help="UCDP GED file(s) instead "
                                             "of a store."),
           mission: list[str] = typer.Option([], "--mission", help="Mission id (repeatable) "
                                             "(default: every mission with a host country)."),
           org: str | None = OrgOption, clearance: str | None = ClearanceOption,
           json_output: bool = JsonOption) -> None:
    """Yearly counts and quasi-Poisson trend of reports within each mission's host country."""
    from bluehelmet.intel.hotspots import mission_trends
    from bluehelmet.reference import un_missions

    reader = reader_context(org, clearance)
    with cli_errors():
        missions = un_missions()
        if mission:
            missions = missions[missions["id"].isin(mission)]
        with progress("reading reports") as update:
            reports = _reports_or_events(store, events)
            update("yearly counts and trends per mission")
            result = mission_trends(reports, reader, missions)
    if json_output:
        print_json(records(result))
        return
    table = Table("mission", "host", "years", "reports", "change/year", "z", "p")
    for r in result.to_dict("records"):
        table.add_row(str(r["mission"]), str(r["host_iso3"]),
                      f"{r['first_year']}-{r['last_year']}", str(r["reports"]),
                      f"{100 * float(r['change_per_year']):+.1f} %", f"{float(r['z']):.1f}",
                      f"{float(r['p']):.3f}")
    console.print(table)


@app.command()
def evaluate(events: list[Path] = typer.Argument(..., help="UCDP GED CSV file(s)."),
             first_test_year: int = typer.Option(..., min=1900, max=2100,
                                                 help="First year to forecast."),
             last_test_year: int | None = typer.Option(None, min=1900, max=2100,
                                                       show_default="last year in the data",
                                                       help="Last year."),
             out: Path = typer.Option(Path("metrics.json"), callback=out_file,
                                      help="Metrics JSON file."),
             plot: Path | None = typer.Option(None, callback=out_file,
                                              help="Save the calibration plot (PNG)."),
             json_output: bool = JsonOption,
             ) -> None:
    """Rolling-origin evaluation of the early warning against its baselines.

    The baselines are persistence, historical mean and kernel density.
    """
    from bluehelmet.intel import evaluation as ev
    from bluehelmet.io.ucdp import read_ucdp

    with cli_errors():
        data = read_ucdp(events).table
        last = int(data["year"].max()) if last_test_year is None else last_test_year
        with Progress(console=err_console, transient=True, disable=quiet()) as bar:
            task = bar.add_task("rolling origin", total=max(last - first_test_year + 1, 1))
            result = ev.evaluate(data, first_test_year, last_test_year=last_test_year,
                                 progress=lambda _year: bar.advance(task))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result.to_json(), indent=2), "utf-8")
    means = result.means()
    if plot is not None:
        ev.plot_calibration(ev.calibration_table(result.predictions), plot)
    if json_output:
        print_json({"means": {str(k): v for k, v in means.to_dict("index").items()},
                    "metrics_file": str(out), "plot": None if plot is None else str(plot)})
        return
    table = Table("model", *ev.METRICS)
    for name, row in means.iterrows():
        table.add_row(str(name), *(f"{row[m]:.4f}" for m in ev.METRICS))
    console.print(table)
    if plot is not None:
        console.print(f"calibration plot written to {plot}", markup=False)
    console.print(f"metrics written to {out}")


@app.command()
def risk(events: list[Path] = typer.Argument(..., help="UCDP GED CSV file(s)."),
         year: int = typer.Option(..., min=1900, max=2100,
                                  help="Year to forecast (at most one after the data)."),
         out: Path = typer.Option(Path("risk.csv"), callback=out_file,
                                  help="Layer file: gid, longitude, latitude, risk."),
         layer_format: LayerFormat = FormatOption,
         json_output: bool = JsonOption,
         ) -> None:
    """Early-warning risk of civilian deaths per land cell for YEAR, trained on earlier years."""
    from bluehelmet.intel.early_warning import predict_risk
    from bluehelmet.io.layers import write_layer
    from bluehelmet.io.ucdp import read_ucdp

    with cli_errors():
        data = read_ucdp(events).table
        with progress("training on past years and forecasting"):
            try:
                table = predict_risk(data, year)
            except ValueError as exc:
                raise typer.BadParameter(str(exc), param_hint="--year") from exc
    written = write_layer(table, out, layer_format, layer="risk", cell_degrees=0.5)
    top = table.nlargest(5, "risk")
    if json_output:
        print_json({"year": year, "cells": len(table), "highest": records(top),
                    "file": str(written)})
        return
    console.print(f"{len(table)} cells; highest risks: " + ", ".join(
        f"gid {r.gid} ({r.longitude:.2f}, {r.latitude:.2f}) {r.risk:.2f}" for r in
        top.itertuples()))
    console.print(f"written to {written}", markup=False)
