"""``bluehelmet intel``: report store, fusion, hotspots and early-warning evaluation."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import typer
from rich.progress import Progress
from rich.table import Table

from bluehelmet.cli.common import ClearanceOption, OrgOption, cli_errors, console, reader_context
from bluehelmet.errors import DataError
from bluehelmet.model.access import visible
from bluehelmet.model.gate import highest_classification
from bluehelmet.model.marking import stamp

app = typer.Typer(help="Peacekeeping-intelligence: reports, incidents, hotspots, early warning.",
                  no_args_is_help=True)

StoreOption = typer.Option(Path("intel-store"), "--store",
                           help="Report store folder (a folder of CSVs).")


def _is_report_file(path: Path) -> bool:
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
def list_reports(store: Path = StoreOption, limit: int = typer.Option(20, help="Rows shown."),
                 org: str | None = OrgOption, clearance: str | None = ClearanceOption) -> None:
    """List the reports you may see (the count too counts only those)."""
    from bluehelmet.intel.reports import reports

    with cli_errors():
        shown = reports(store, reader_context(org, clearance))
    table = Table("id", "time", "category", "source_type", "grade", "classification", "owner")
    for r in shown.head(limit).itertuples():
        table.add_row(str(r.id), str(r.time), str(r.category), str(r.source_type),
                      f"{r.reliability}{r.credibility}", str(r.classification), str(r.owner))
    console.print(table)
    console.print(f"{len(shown)} report(s) visible to you.")


@app.command()
def fuse(store: Path = StoreOption,
         distance_km: float = typer.Option(10.0, help="Largest distance between linked reports."),
         gap_hours: float = typer.Option(48.0, help="Largest time gap between linked reports."),
         out: Path | None = typer.Option(None, help="Folder for incidents.csv and "
                                         "incident_links.csv [default: the store]."),
         org: str | None = OrgOption, clearance: str | None = ClearanceOption) -> None:
    """Fuse the reports you may see into incidents; write incidents and their links."""
    from bluehelmet.intel.fusion import Rules, fuse_store
    from bluehelmet.intel.reports import write_csv

    reader = reader_context(org, clearance)
    with cli_errors():
        result = fuse_store(store, reader, Rules(distance_km, gap_hours))
    folder = out or store
    write_csv(result.incidents, folder / "incidents.csv")
    write_csv(result.links, folder / "incident_links.csv")
    stamp(folder, highest_classification({"reports": result.reports}),
          ["incidents.csv", "incident_links.csv"], reader=reader, source=f"reports in {store}")
    console.print(f"{len(result.reports)} report(s) -> {len(result.incidents)} incident(s), "
                  f"{len(result.links)} link(s); written to {folder}.")


@app.command()
def hotspots(store: Path | None = typer.Option(None, "--store", help="Report store folder."),
             events: list[Path] = typer.Option([], "--events", help="UCDP GED file(s) instead "
                                               "of a store."),
             value: str = typer.Option("reports", help="reports, fatalities or civilian_deaths."),
             period: str | None = typer.Option(None, help="A year, e.g. 2012 [default: all]."),
             fdr: bool = typer.Option(True, help="Benjamini-Hochberg false discovery control."),
             out: Path | None = typer.Option(None, help="CSV of every cell's Gi* result."),
             org: str | None = OrgOption, clearance: str | None = ClearanceOption) -> None:
    """Getis-Ord Gi* hotspots on the PRIO-GRID 0.5 degree grid."""
    from bluehelmet.intel import reports as rp
    from bluehelmet.intel.hotspots import hotspots as run

    reader = reader_context(org, clearance)
    with cli_errors():
        table = _reports_or_events(store, events)
        result = run(table, reader, value=value, period=period, fdr=fdr)
    hot = result[result["hotspot"]].sort_values("z", ascending=False)
    grid = Table("gid", "longitude", "latitude", value, "z", "p")
    for r in hot.head(15).itertuples():
        grid.add_row(str(r.gid), f"{r.longitude:.2f}", f"{r.latitude:.2f}", f"{r.value:g}",
                     f"{r.z:.1f}", f"{r.p:.1e}")
    console.print(grid)
    console.print(f"{len(hot)} hotspot cell(s) of {len(result)} in the study area.")
    if out is not None:
        rp.write_csv(result, out)
        marking = highest_classification({"reports": table.loc[visible(table, reader)]})
        stamp(out.parent, marking, [out.name], reader=reader, source="hotspots")
        console.print(f"written to {out}")


def _reports_or_events(store: Path | None, events: list[Path]) -> pd.DataFrame:
    from bluehelmet.intel import reports as rp

    if events:
        from bluehelmet.io.ucdp import read_ucdp

        return rp.events_to_reports(read_ucdp(events).table, events[0].name)
    return rp.load_all(store or Path("intel-store"))


@app.command()
def trends(store: Path | None = typer.Option(None, "--store", help="Report store folder."),
           events: list[Path] = typer.Option([], "--events", help="UCDP GED file(s) instead "
                                             "of a store."),
           mission: list[str] = typer.Option([], "--mission", help="Mission id (repeatable) "
                                             "[default: every mission with a host country]."),
           org: str | None = OrgOption, clearance: str | None = ClearanceOption) -> None:
    """Yearly counts and quasi-Poisson trend of reports within each mission's host country."""
    from bluehelmet.intel.hotspots import mission_trends
    from bluehelmet.reference import un_missions

    reader = reader_context(org, clearance)
    with cli_errors():
        missions = un_missions()
        if mission:
            missions = missions[missions["id"].isin(mission)]
        result = mission_trends(_reports_or_events(store, events), reader, missions)
    table = Table("mission", "host", "years", "reports", "change/year", "z", "p")
    for r in result.to_dict("records"):
        table.add_row(str(r["mission"]), str(r["host_iso3"]),
                      f"{r['first_year']}-{r['last_year']}", str(r["reports"]),
                      f"{100 * float(r['change_per_year']):+.1f} %", f"{float(r['z']):.1f}",
                      f"{float(r['p']):.3f}")
    console.print(table)


@app.command()
def evaluate(events: list[Path] = typer.Argument(..., help="UCDP GED CSV file(s)."),
             first_test_year: int = typer.Option(..., help="First year to forecast."),
             last_test_year: int | None = typer.Option(None, help="Last year [default: last "
                                                       "year in the data]."),
             out: Path = typer.Option(Path("metrics.json"), help="Metrics JSON file."),
             plot: Path | None = typer.Option(None, help="Save the calibration plot (PNG)."),
             ) -> None:
    """Rolling-origin evaluation of the early warning against its baselines.

    The baselines are persistence, historical mean and kernel density.
    """
    from bluehelmet.intel import evaluation as ev
    from bluehelmet.io.ucdp import read_ucdp

    with cli_errors():
        data = read_ucdp(events).table
        last = int(data["year"].max()) if last_test_year is None else last_test_year
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("rolling origin", total=max(last - first_test_year + 1, 1))
            result = ev.evaluate(data, first_test_year, last_test_year=last_test_year,
                                 progress=lambda _year: bar.advance(task))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result.to_json(), indent=2), "utf-8")
    means = result.means()
    table = Table("model", *ev.METRICS)
    for name, row in means.iterrows():
        table.add_row(str(name), *(f"{row[m]:.4f}" for m in ev.METRICS))
    console.print(table)
    if plot is not None:
        ev.plot_calibration(ev.calibration_table(result.predictions), plot)
        console.print(f"calibration plot written to {plot}")
    console.print(f"metrics written to {out}")


@app.command()
def risk(events: list[Path] = typer.Argument(..., help="UCDP GED CSV file(s)."),
         year: int = typer.Option(..., help="Year to forecast (at most one after the data)."),
         out: Path = typer.Option(Path("risk.csv"), help="CSV: gid, longitude, latitude, risk."),
         ) -> None:
    """Early-warning risk of civilian deaths per land cell for YEAR, trained on earlier years."""
    from bluehelmet.intel.early_warning import predict_risk
    from bluehelmet.intel.reports import write_csv
    from bluehelmet.io.ucdp import read_ucdp

    with cli_errors():
        data = read_ucdp(events).table
        with console.status("training on past years and forecasting"):
            try:
                table = predict_risk(data, year)
            except ValueError as exc:
                raise typer.BadParameter(str(exc), param_hint="--year") from exc
    write_csv(table, out)
    top = table.nlargest(5, "risk")
    console.print(f"{len(table)} cells; highest risks: " + ", ".join(
        f"gid {r.gid} ({r.longitude:.2f}, {r.latitude:.2f}) {r.risk:.2f}" for r in
        top.itertuples()))
    console.print(f"written to {out}")
