"""``bluehelmet intel``: report store, fusion, hotspots and early-warning evaluation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import typer
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from bluehelmet.cli.checks import (
    LayerFormat,
    existing_store,
    inputs,
    out_file,
    out_folder,
    own_files,
    refuse_overwrite,
    store_files,
)
from bluehelmet.cli.common import ClearanceOption, OrgOption, cli_errors, console, reader_context
from bluehelmet.cli.output import JsonOption, err_console, print_json, progress, quiet, records

if TYPE_CHECKING:
    import pandas as pd

    from bluehelmet.intel.view import ReportView
    from bluehelmet.model.access import AccessContext, Classification

app = typer.Typer(
    help="Peacekeeping-intelligence: reports, incidents, hotspots, early warning.",
    no_args_is_help=True,
)

StoreOption = typer.Option(
    Path("intel-store"), "--store", help="Report store folder (holds reports.sqlite)."
)
#: Values of ``intel hotspots --value``.
VALUES = ("reports", "fatalities", "civilian_deaths")


#: ``--store`` of the commands that read the store: it must exist.
ReadStoreOption = typer.Option(
    Path("intel-store"),
    "--store",
    callback=existing_store,
    help="Report store folder (holds reports.sqlite).",
)
#: ``--format`` of the commands that write map layers.
FormatOption = typer.Option(
    "csv",
    "--format",
    help="Format of the layer written with --out: "
    "CSV, GeoJSON (RFC 7946: WGS84 longitude/latitude) or GeoPackage "
    "(EPSG:4326).",
)


def _choice(value: str, allowed: tuple[str, ...] | list[str], option: str) -> str:
    """``value`` if it is one of ``allowed``, else a usage error listing them (exit 2)."""
    if value not in allowed:
        raise typer.BadParameter(
            f"{value!r} is not one of: {', '.join(allowed)}", param_hint=option
        )
    return value


def _write_marked_layer(
    table: pd.DataFrame,
    path: Path,
    fmt: str,
    level: Classification,
    *,
    reader: AccessContext | None,
    inputs: int,
    generator: str,
    layer: str | None = None,
    cell_degrees: float | None = None,
) -> Path:
    """A derived layer with its marking: CSV (formula-safe) or GeoJSON/GeoPackage, + sidecar."""
    from bluehelmet.intel.marking import write_marked_csv, write_marking
    from bluehelmet.io.layers import write_layer

    if fmt == "csv":
        return write_marked_csv(
            table, path, level, reader=reader, inputs=inputs, generator=generator
        )
    marked = table if "classification" in table else table.assign(classification=level.label)
    out = write_layer(marked, path, fmt, layer=layer, cell_degrees=cell_degrees)
    return write_marking(out, level, reader=reader, inputs=inputs, generator=generator)


def _marked(path: Path, fmt: str = "csv") -> list[Path]:
    """The files a marked output at ``path`` becomes: the layer file and its sidecar."""
    from bluehelmet.intel.marking import MARKING_SUFFIX
    from bluehelmet.io.layers import with_suffix

    out = path if fmt == "csv" else with_suffix(path, fmt)
    return [out, out.with_name(out.name + MARKING_SUFFIX)]


def _kept(store: Path | None, events: list[Path]) -> list[tuple[Path, str]]:
    """What no output of a command reading ``store`` or ``events`` may overwrite."""
    kept = [*inputs(events, "an events file read by this command"), *own_files()]
    return kept if events else [*kept, *store_files(store or Path("intel-store"))]


@app.command("import")
def import_(
    file: Path,
    store: Path = StoreOption,
    rejects: Path | None = typer.Option(
        None,
        "--rejects",
        show_default="FILE's name + .rejects.csv beside it",
        help="CSV for the rejected rows, with line, column, value, reason and fix "
        "(mode 0600, with a .marking.json).",
    ),
    org: str | None = OrgOption,
    clearance: str | None = ClearanceOption,
) -> None:
    """Add reports from FILE (a report CSV or a UCDP GED file, full or subset) to the store.

    You may add reports owned by your organisation (--org) at or below your clearance; UCDP events
    are published data anyone may add. Exit 0 when every row was stored or already there, 1 when
    rows were rejected (written to the rejects file), 2 when the file or store cannot be used.
    """
    from bluehelmet.intel.importing import import_file
    from bluehelmet.intel.marking import write_marking, write_private
    from bluehelmet.io.csvsafe import neutralise_frame

    out = rejects or file.with_name(f"{file.stem}.rejects.csv")
    refuse_overwrite(
        "--rejects",
        [out],
        [(file, "the file being imported"), *store_files(store), *own_files()],
    )
    with cli_errors():
        writer = reader_context(org, clearance)
        outcome = import_file(file, store, writer)
    report = outcome.report
    console.print(
        f"{file}: {report.rows_read} row(s) read = {report.accepted} accepted + "
        f"{report.repaired} repaired + {report.rejected} rejected.",
        markup=False,
        highlight=False,
    )
    console.print(
        f"{outcome.added} report(s) added to {store}, {outcome.present} already there.",
        markup=False,
        highlight=False,
    )
    for warning in report.warnings:
        err_console.print(f"  warning: {warning}", markup=False, highlight=False)
    if report.rejected:
        for row in report.rejects.head(10).to_dict("records"):
            err_console.print(
                f"  rejected: {file}, line {row['line']}, column '{row['field']}'"
                f": value {str(row['value'])!r}: {row['reason']}. "
                f"Fix: {row['fix']}.",
                markup=False,
                highlight=False,
            )
        if report.rejected > 10:
            err_console.print(f"  ... and {report.rejected - 10} more", highlight=False)
        with cli_errors():
            write_private(
                out, neutralise_frame(report.rejects).to_csv(index=False, lineterminator="\n")
            )
            write_marking(
                out,
                _rejects_level(report.rejects),
                reader=writer,
                inputs=report.rows_read,
                generator="bluehelmet intel import (rejected rows)",
            )
        console.print(
            f"{report.rejected} rejected row(s) written to {out}", markup=False, highlight=False
        )
        raise typer.Exit(1)


def _rejects_level(rejects: pd.DataFrame) -> Classification:
    """The marking of a rejects file: the highest classification its rows claim.

    A row whose classification is missing or unknown may be anything: it counts as the highest
    level (deny by default). Rows of a published event file carry none: unclassified.
    """
    from bluehelmet.errors import AccessDeniedError
    from bluehelmet.model.access import Classification

    if "classification" not in rejects:
        return Classification.UNCLASSIFIED
    level = Classification.UNCLASSIFIED
    for label in rejects["classification"].astype("string").fillna("").unique():
        try:
            found = Classification.parse(str(label))
        except (AccessDeniedError, ValueError):
            found = max(Classification)
        level = max(level, found)
    return level


@app.command("reports")
def list_reports(
    store: Path = ReadStoreOption,
    limit: int = typer.Option(20, min=0, help="Rows shown."),
    org: str | None = OrgOption,
    clearance: str | None = ClearanceOption,
    json_output: bool = JsonOption,
) -> None:
    """List the reports you may see (the count too counts only those)."""
    from bluehelmet.intel.store import read_view

    with cli_errors():
        shown = read_view(store, reader_context(org, clearance)).reports
    if json_output:
        print_json({"visible": len(shown), "reports": records(shown.head(limit))})
        return
    table = Table("id", "time", "category", "source_type", "grade", "classification", "owner")
    for r in shown.head(limit).itertuples():
        table.add_row(
            *(
                escape(str(v))
                for v in (
                    r.id,
                    r.time,
                    r.category,
                    r.source_type,
                    f"{r.reliability}{r.credibility}",
                    r.classification,
                    r.owner,
                )
            )
        )
    console.print(table)
    console.print(f"{len(shown)} report(s) visible to you.")


@app.command("check")
def check(store: Path = StoreOption) -> None:
    """Check the store's integrity (SQLite integrity check, schema, row counts); exit 2 if not."""
    from bluehelmet.intel.store import open_store

    with cli_errors(), open_store(store) as opened:
        opened.check()
    console.print(f"The report store {store} is intact.", markup=False, highlight=False)


@app.command()
def export(
    store: Path = StoreOption,
    out: Path = typer.Option(..., "--out", help="CSV file to write."),
    since: str | None = typer.Option(None, help="First day, YYYY-MM-DD (inclusive)."),
    until: str | None = typer.Option(None, help="Last day, YYYY-MM-DD (inclusive)."),
    category: list[str] = typer.Option(
        [], "--category", show_default="all", help="Only this category (repeatable)."
    ),
    org: str | None = OrgOption,
    clearance: str | None = ClearanceOption,
) -> None:
    """Export the reports you may see to CSV (never the reporter contact), with its marking.

    Text cells starting with = + - @, a tab or a carriage return are prefixed with ' (OWASP CSV
    injection rule); the file's classification is on every row and in FILE.marking.json.
    """
    import pandas as pd

    from bluehelmet.intel.marking import write_marked_csv
    from bluehelmet.intel.reports import export_table, parse_times
    from bluehelmet.intel.store import read_view
    from bluehelmet.model.schema import entity

    allowed = list(entity("reports").column("category").allowed or [])
    for value in category:
        _choice(value, allowed, "--category")
    first, last = (_day(v, o) for v, o in ((since, "--since"), (until, "--until")))
    refuse_overwrite("--out", _marked(out), [*store_files(store), *own_files()])
    with cli_errors():
        reader = reader_context(org, clearance)
        view = read_view(store, reader)
    shown = view.reports
    times = parse_times(shown["time"])
    keep = pd.Series(True, index=shown.index)
    if first is not None:
        keep &= times.ge(first).fillna(False)
    if last is not None:
        keep &= times.lt(last + pd.Timedelta(days=1)).fillna(False)
    if category:
        keep &= shown["category"].isin(category).fillna(False)
    chosen = view.subset(keep)
    with cli_errors():
        write_marked_csv(
            export_table(chosen.reports),
            out,
            chosen.marking,
            reader=reader,
            inputs=len(chosen),
            generator="bluehelmet intel export",
        )
    console.print(
        f"{len(chosen)} report(s) written to {out} (classification {chosen.marking.label}).",
        markup=False,
        highlight=False,
    )


def _day(value: str | None, option: str) -> pd.Timestamp | None:
    import pandas as pd

    if value is None:
        return None
    day = pd.to_datetime(value, format="%Y-%m-%d", errors="coerce")
    if pd.isna(day):
        raise typer.BadParameter(f"{value!r} is not a date written YYYY-MM-DD", param_hint=option)
    return pd.Timestamp(day)


@app.command()
def fuse(
    store: Path = ReadStoreOption,
    distance_km: float = typer.Option(
        10.0, min=0.0, help="Largest distance between linked reports."
    ),
    gap_hours: float = typer.Option(48.0, min=0.0, help="Largest time gap between linked reports."),
    out: Path | None = typer.Option(
        None,
        callback=out_folder,
        show_default="the store",
        help="Folder for incidents and incident_links.csv.",
    ),
    layer_format: LayerFormat = FormatOption,
    org: str | None = OrgOption,
    clearance: str | None = ClearanceOption,
    json_output: bool = JsonOption,
) -> None:
    """Fuse the reports you may see into incidents; write incidents and their links.

    Both files carry the highest classification of the reports fused (column and sidecar).
    """
    from bluehelmet.intel.fusion import Rules
    from bluehelmet.intel.fusion import fuse as run
    from bluehelmet.intel.marking import write_marked_csv
    from bluehelmet.intel.store import read_view

    folder = out or store
    refuse_overwrite(
        "--out",
        [*_marked(folder / "incidents.csv", layer_format), *_marked(folder / "incident_links.csv")],
        _kept(store, []),
    )
    with cli_errors():
        reader = reader_context(org, clearance)
        with progress("fusing reports into incidents"):
            result = run(read_view(store, reader), Rules(distance_km, gap_hours))
    level = result.marking
    with cli_errors():
        incidents = _write_marked_layer(
            result.incidents,
            folder / "incidents.csv",
            layer_format,
            level,
            reader=reader,
            inputs=len(result.reports),
            generator="bluehelmet intel fuse",
            layer="incidents",
        )
        links = write_marked_csv(
            result.links,
            folder / "incident_links.csv",
            level,
            reader=reader,
            inputs=len(result.reports),
            generator="bluehelmet intel fuse",
        )
    if json_output:
        print_json(
            {
                "reports": len(result.reports),
                "incidents": len(result.incidents),
                "links": len(result.links),
                "classification": level.label,
                "files": [str(incidents), str(links)],
            }
        )
        return
    console.print(
        f"{len(result.reports)} report(s) -> {len(result.incidents)} incident(s), "
        f"{len(result.links)} link(s); written to {folder} "
        f"(classification {level.label}).",
        markup=False,
        highlight=False,
    )


@app.command()
def hotspots(
    store: Path | None = typer.Option(
        None,
        "--store",
        callback=existing_store,
        show_default="intel-store",
        help="Report store folder.",
    ),
    events: list[Path] = typer.Option([], "--events", help="UCDP GED file(s) instead of a store."),
    value: Literal["reports", "fatalities", "civilian_deaths"] = typer.Option(
        "reports", help="What is counted per cell."
    ),
    period: int | None = typer.Option(
        None, min=1900, max=2100, show_default="all", help="A year, e.g. 2012."
    ),
    fdr: bool = typer.Option(True, help="Benjamini-Hochberg false discovery control."),
    out: Path | None = typer.Option(
        None, callback=out_file, help="File for every cell's Gi* result, with its classification."
    ),
    layer_format: LayerFormat = FormatOption,
    org: str | None = OrgOption,
    clearance: str | None = ClearanceOption,
    json_output: bool = JsonOption,
) -> None:
    """Getis-Ord Gi* hotspots on the PRIO-GRID 0.5 degree grid."""
    from bluehelmet.intel.hotspots import hotspots as run

    if out is not None:
        refuse_overwrite("--out", _marked(out, layer_format), _kept(store, events))
    with cli_errors():
        reader = reader_context(org, clearance)
        with progress("reading reports") as update:
            inputs = _reports_or_events(store, events, reader)
            update("Getis-Ord Gi* on the PRIO-GRID cells")
            result = run(
                inputs, value=value, period=None if period is None else str(period), fdr=fdr
            )
    hot = result[result["hotspot"]].sort_values("z", ascending=False)
    level = inputs.marking
    written = None
    if out is not None:
        with cli_errors():
            written = _write_marked_layer(
                result,
                out,
                layer_format,
                level,
                reader=None if events else reader,
                inputs=len(inputs),
                generator="bluehelmet intel hotspots",
                layer="hotspots",
                cell_degrees=0.5,
            )
    if json_output:
        print_json(
            {
                "value": value,
                "period": period,
                "cells": len(result),
                "hotspot_cells": len(hot),
                "hotspots": records(hot),
                "file": None if written is None else str(written),
            }
        )
        return
    grid = Table("gid", "longitude", "latitude", value, "z", "p")
    for r in hot.head(15).itertuples():
        grid.add_row(
            str(r.gid),
            f"{r.longitude:.2f}",
            f"{r.latitude:.2f}",
            f"{r.value:g}",
            f"{r.z:.1f}",
            f"{r.p:.1e}",
        )
    console.print(grid)
    console.print(
        f"{len(hot)} hotspot cell(s) of {len(result)} in the study area "
        f"(classification {level.label})."
    )
    if written is not None:
        console.print(f"written to {written}", markup=False, highlight=False)


def _events(paths: list[Path]) -> pd.DataFrame:
    """The events of UCDP GED files, each refused by name first if it is no CSV text."""
    from bluehelmet.intel.importing import sniff
    from bluehelmet.io.ucdp import read_ucdp

    for path in paths:
        sniff(path)
    return read_ucdp(paths).table


def _reports_or_events(store: Path | None, events: list[Path], reader: AccessContext) -> ReportView:
    """The reports of the store ``reader`` may see, or UCDP events as reports (``--events``)."""
    from bluehelmet.intel import reports as rp
    from bluehelmet.intel.store import read_view
    from bluehelmet.intel.view import ReportTable

    if events:
        table = rp.events_to_reports(_events(events), events[0].name)
        return ReportTable(table, f"UCDP GED file {events[0].name}").view(reader)
    return read_view(store or Path("intel-store"), reader)


@app.command()
def trends(
    store: Path | None = typer.Option(
        None,
        "--store",
        callback=existing_store,
        show_default="intel-store",
        help="Report store folder.",
    ),
    events: list[Path] = typer.Option([], "--events", help="UCDP GED file(s) instead of a store."),
    mission: list[str] = typer.Option(
        [],
        "--mission",
        show_default="every mission with a host country",
        help="Mission id (repeatable).",
    ),
    out: Path | None = typer.Option(
        None, callback=out_file, help="CSV of the trends, with their classification."
    ),
    org: str | None = OrgOption,
    clearance: str | None = ClearanceOption,
    json_output: bool = JsonOption,
) -> None:
    """Yearly counts and quasi-Poisson trend of reports within each mission's host country."""
    from bluehelmet.intel.hotspots import mission_trends
    from bluehelmet.intel.marking import write_marked_csv
    from bluehelmet.reference import un_missions

    if out is not None:
        refuse_overwrite("--out", _marked(out), _kept(store, events))
    with cli_errors():
        reader = reader_context(org, clearance)
        missions = un_missions()
        unknown = sorted(set(mission) - set(missions["id"].astype(str)))
        if unknown:
            raise typer.BadParameter(
                f"unknown mission(s) {', '.join(unknown)}; use mission ids "
                "such as MINUSMA or MONUSCO",
                param_hint="--mission",
            )
        if mission:
            missions = missions[missions["id"].isin(mission)]
        with progress("reading reports") as update:
            inputs = _reports_or_events(store, events, reader)
            update("yearly counts and trends per mission")
            result = mission_trends(inputs, missions)
    if json_output:
        print_json(records(result))
        return
    table = Table("mission", "host", "years", "reports", "change/year", "z", "p")
    for r in result.to_dict("records"):
        table.add_row(
            str(r["mission"]),
            str(r["host_iso3"]),
            f"{r['first_year']}-{r['last_year']}",
            str(r["reports"]),
            f"{100 * float(r['change_per_year']):+.1f} %",
            f"{float(r['z']):.1f}",
            f"{float(r['p']):.3f}",
        )
    console.print(table)
    level = inputs.marking
    console.print(f"classification {level.label}")
    if out is not None:
        with cli_errors():
            write_marked_csv(
                result,
                out,
                level,
                reader=None if events else reader,
                inputs=len(inputs),
                generator="bluehelmet intel trends",
            )
        console.print(f"written to {out}", markup=False, highlight=False)


@app.command()
def evaluate(
    events: list[Path] = typer.Argument(..., help="UCDP GED CSV file(s)."),
    first_test_year: int = typer.Option(..., min=1900, max=2100, help="First year to forecast."),
    last_test_year: int | None = typer.Option(
        None, min=1900, max=2100, show_default="last year in the data", help="Last year."
    ),
    out: Path = typer.Option(Path("metrics.json"), callback=out_file, help="Metrics JSON file."),
    plot: Path | None = typer.Option(
        None, callback=out_file, help="Save the calibration plot (PNG, PDF or SVG by suffix)."
    ),
    json_output: bool = JsonOption,
) -> None:
    """Rolling-origin evaluation of the early warning against its baselines.

    The baselines are persistence, historical mean and kernel density.
    """
    from bluehelmet.intel import evaluation as ev
    from bluehelmet.intel.marking import write_marking, write_private
    from bluehelmet.model.access import Classification

    if plot is not None and plot.suffix.lower() not in (".png", ".pdf", ".svg"):
        raise typer.BadParameter(
            f"{plot}: give a file name ending in .png, .pdf or .svg", param_hint="--plot"
        )
    kept = _kept(None, events)
    refuse_overwrite("--out", _marked(out), kept)
    if plot is not None:
        refuse_overwrite("--plot", _marked(plot), [*kept, (out, "the metrics file (--out)")])
    with cli_errors():
        data = _events(events)
        last = int(data["year"].max()) if last_test_year is None else last_test_year
        with Progress(console=err_console, transient=True, disable=quiet()) as bar:
            task = bar.add_task("rolling origin", total=max(last - first_test_year + 1, 1))
            result = ev.evaluate(
                data,
                first_test_year,
                last_test_year=last_test_year,
                progress=lambda _year: bar.advance(task),
            )
    # UCDP event files are published: the metrics and the plot are unclassified, marked so
    level = Classification.UNCLASSIFIED
    with cli_errors():
        body = {**result.to_json(), "classification": level.label}
        written = [write_private(out, json.dumps(body, indent=2) + "\n")]
        if plot is not None:
            written.append(ev.plot_calibration(ev.calibration_table(result.predictions), plot))
        for path in written:
            write_marking(
                path, level, reader=None, inputs=len(data), generator="bluehelmet intel evaluate"
            )
    means = result.means()
    if json_output:
        print_json(
            {
                "means": {str(k): v for k, v in means.to_dict("index").items()},
                "metrics_file": str(out),
                "plot": None if plot is None else str(plot),
            }
        )
        return
    table = Table("model", *ev.METRICS)
    for name, row in means.iterrows():
        table.add_row(str(name), *(f"{row[m]:.4f}" for m in ev.METRICS))
    console.print(table)
    if plot is not None:
        console.print(f"calibration plot written to {plot}", markup=False)
    console.print(f"metrics written to {out}")


@app.command()
def risk(
    events: list[Path] = typer.Argument(..., help="UCDP GED CSV file(s)."),
    year: int = typer.Option(
        ..., min=1900, max=2100, help="Year to forecast (at most one after the data)."
    ),
    out: Path = typer.Option(
        Path("risk.csv"), callback=out_file, help="Layer file: gid, longitude, latitude, risk."
    ),
    layer_format: LayerFormat = FormatOption,
    json_output: bool = JsonOption,
) -> None:
    """Early-warning risk of civilian deaths per land cell for YEAR, trained on earlier years."""
    from bluehelmet.intel.early_warning import predict_risk
    from bluehelmet.model.access import Classification

    refuse_overwrite("--out", _marked(out, layer_format), _kept(None, events))
    with cli_errors():
        data = _events(events)
        with progress("training on past years and forecasting"):
            try:
                table = predict_risk(data, year)
            except ValueError as exc:
                raise typer.BadParameter(str(exc), param_hint="--year") from exc
    with cli_errors():
        written = _write_marked_layer(
            table,
            out,
            layer_format,
            Classification.UNCLASSIFIED,
            reader=None,
            inputs=len(data),
            generator="bluehelmet intel risk",
            layer="risk",
            cell_degrees=0.5,
        )
    top = table.nlargest(5, "risk")
    if json_output:
        print_json(
            {"year": year, "cells": len(table), "highest": records(top), "file": str(written)}
        )
        return
    console.print(
        f"{len(table)} cells; highest risks: "
        + ", ".join(
            f"gid {r.gid} ({r.longitude:.2f}, {r.latitude:.2f}) {r.risk:.2f}"
            for r in top.itertuples()
        )
    )
    console.print(f"written to {written}", markup=False)
