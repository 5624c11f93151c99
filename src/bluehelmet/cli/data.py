"""``bluehelmet data``: check and import the files users have (UN, Data Hub, UCDP, scenarios).

Exit codes of ``data check``: 0 clean, 1 problems found (repairs, rejects or warnings), 2 the
file cannot be read or has an unknown format.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from bluehelmet.cli.checks import out_folder, own_files, refuse_inside, refuse_overwrite
from bluehelmet.cli.common import (
    ClearanceOption,
    OrgOption,
    cli_errors,
    console,
    err_console,
    reader_context,
)
from bluehelmet.cli.output import JsonOption, print_json, records
from bluehelmet.errors import DataError, Problem

if TYPE_CHECKING:
    from bluehelmet.io.report import ImportReport, ImportResult
    from bluehelmet.model.access import AccessContext

app = typer.Typer(
    help="Check and import data files (UN contributions, Data Hub mission list, "
    "UCDP GED, contributions by year, scenario folders).",
    no_args_is_help=True,
)

SheetOption = typer.Option(
    None, "--sheet", show_default="the first sheet", help="Sheet of an Excel workbook to read."
)

#: Files bigger than this get a progress display.
PROGRESS_BYTES = 2_000_000
#: Rejects and warnings shown in the terminal; all of them go to the rejects file.
SHOWN = 25


@contextmanager
def _progress(label: str, path: Path) -> Iterator[None]:
    size = path.stat().st_size if path.is_file() else 0
    if size < PROGRESS_BYTES:
        yield
        return
    columns = (
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console, transient=True) as progress:
        progress.add_task(f"{label} {path.name} ({size / 1e6:,.0f} MB)", total=None)
        yield


def _run(path: Path, strict: bool, reader: Callable[..., ImportResult]) -> ImportResult:
    with _progress("Checking", path):
        return reader(path, strict=strict)


def show_report(report: ImportReport) -> None:
    """Print the row accounting, repairs by rule, rejects and warnings."""
    # every value from the input is escaped: '[/]' must not crash, '[link=...]' not be a link
    acc = Table(title=escape(f"{Path(report.file).name}: {report.format}"), show_header=True)
    for col in ("rows read", "accepted", "repaired", "rejected", "read = acc + rep + rej"):
        acc.add_column(col, justify="right")
    acc.add_row(
        f"{report.rows_read:,}",
        f"{report.accepted:,}",
        f"{report.repaired:,}",
        f"{report.rejected:,}",
        "yes" if report.balanced else "[red]NO[/]",
    )
    console.print(acc)
    rules = report.repairs_by_rule()
    if len(rules):
        table = Table(title="Repairs (by rule)", show_lines=False)
        for col in ("rule", "column", "count", "examples"):
            table.add_column(col, overflow="fold")
        for r in rules.to_dict("records"):
            table.add_row(
                escape(str(r["rule"])),
                escape(str(r["field"])),
                f"{int(r['count']):,}",
                escape(str(r["examples"])),
            )
        console.print(table)
    if len(report.rejects):
        table = Table(title=f"Rejected rows ({len(report.rejects):,})")
        cols = ["file", "line", "field", "value", "reason", "fix"]
        for col in cols:
            table.add_column("column" if col == "field" else col, overflow="fold")
        for row in report.rejects.head(SHOWN).to_dict("records"):
            file = str(row.get("file", report.file))
            table.add_row(
                *(
                    escape(str(v))
                    for v in (
                        Path(file).name,
                        row["line"],
                        row["field"],
                        row["value"],
                        row["reason"],
                        row["fix"],
                    )
                )
            )
        console.print(table)
        if len(report.rejects) > SHOWN:
            console.print(
                f"... and {len(report.rejects) - SHOWN:,} more rejected rows "
                "(write them all with --rejects FILE)"
            )
    if report.warnings:
        console.print(f"[bold]Warnings ({len(report.warnings)})[/]")
        for w in report.warnings[:SHOWN]:
            console.print(f"  - {_short(w)}", highlight=False, markup=False)
        if len(report.warnings) > SHOWN:
            console.print(f"  ... and {len(report.warnings) - SHOWN} more")


def _short(problem: Problem) -> str:
    text = str(problem)
    return text.split(", ", 1)[1] if text.startswith(problem.file + ", ") else text


def _is_scenario_workbook(path: Path) -> bool:
    """A workbook written by ``scenario export --format xlsx`` (it has a ``scenario`` sheet)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True)
    except Exception:  # noqa: BLE001 - unreadable workbooks are reported by the importer
        return False
    try:
        return "scenario" in book.sheetnames and "parameters" in book.sheetnames
    finally:
        book.close()


def report_json(report: ImportReport) -> dict[str, object]:
    """The row accounting, repairs, rejects and warnings of an import as JSON-safe data."""
    return {
        "file": report.file,
        "format": report.format,
        "rows_read": report.rows_read,
        "accepted": report.accepted,
        "repaired": report.repaired,
        "rejected": report.rejected,
        "balanced": report.balanced,
        "clean": report.clean,
        "repairs_by_rule": records(report.repairs_by_rule()),
        "rejects": records(report.rejects),
        "warnings": [str(w) for w in report.warnings],
    }


def _check_scenario(folder: Path, reader: AccessContext, json_output: bool = False) -> int:
    from bluehelmet.io.report import Repair
    from bluehelmet.scenario.io import load_view

    repairs: list[Repair] = []
    try:
        scenario = load_view(folder, reader, repairs)
    except DataError as exc:
        if json_output:
            print_json(
                {
                    "scenario": str(folder),
                    "valid": False,
                    "problems": [str(p) for p in exc.problems],
                }
            )
            return 1
        console.print(
            f"[bold red]{len(exc.problems)} problem(s)[/] in scenario {escape(str(folder))}:"
        )
        for p in exc.problems[:200]:
            console.print(f"  - {p}", highlight=False, markup=False)
        return 1
    counts = {name: len(t) for name, t in scenario.tables.items()}
    if json_output:
        print_json({"scenario": str(folder), "name": scenario.name, "valid": True, "rows": counts})
        return 0
    console.print(
        f"Scenario {scenario.name!r} in {folder}: no problem in the records you may "
        "see; they are: " + ", ".join(f"{n} {k}" for k, n in counts.items()),
        markup=False,
    )
    if repairs:
        console.print(
            f"{len(repairs)} value(s) repaired on reading (the files are unchanged; "
            "'bluehelmet scenario export' writes the repaired form):",
            markup=False,
        )
        by_rule: dict[tuple[str, str, str], list[str]] = {}
        for r in repairs:
            by_rule.setdefault((r.rule, Path(r.label).name, r.field), []).append(
                f"line {r.line}: {r.old!r} -> {r.new!r}"
            )
        for (rule, file, field), shown in by_rule.items():
            console.print(
                f"  - {rule}: {file}, column '{field}', {len(shown)} value(s), e.g. "
                + "; ".join(shown[:3]),
                highlight=False,
                markup=False,
            )
        return 1
    return 0


@app.command("check")
def check(
    file: Path = typer.Argument(
        ...,
        help="CSV file or Excel workbook (format detected from "
        "its header) or a scenario folder or workbook.",
    ),
    strict: bool = typer.Option(False, "--strict", help="Stop at the first problem."),
    rejects: Path | None = typer.Option(
        None,
        "--rejects",
        help="Write the rejected rows (with line, column, value, reason, fix) to this CSV.",
    ),
    sheet: str | None = SheetOption,
    org: str | None = OrgOption,
    clearance: str | None = ClearanceOption,
    json_output: bool = JsonOption,
) -> None:
    """Report what importing FILE would repair, reject and warn about (writes nothing else).

    For a scenario folder, the counts are of the records the reader (--org/--clearance) may see.
    """
    from bluehelmet.io.detect import detect_format
    from bluehelmet.io.excel import as_csv, is_workbook

    if rejects is not None:
        refuse_overwrite("--rejects", [rejects], [(file, "the file being checked"), *own_files()])
    with cli_errors(data_error_code=1):
        if file.is_dir() or (is_workbook(file) and _is_scenario_workbook(file)):
            raise typer.Exit(_check_scenario(file, reader_context(org, clearance), json_output))
        with as_csv(file, sheet) as source:
            fmt = detect_format(source.csv)
            result = source.result(_run(source.csv, strict, fmt.reader))
    if json_output:
        print_json(report_json(result.report))
    else:
        show_report(result.report)
    if rejects is not None:
        with cli_errors():
            result.report.write_rejects(rejects)
        if not json_output:
            console.print(f"Rejected rows written to {rejects}", markup=False)
    raise typer.Exit(0 if result.report.clean else 1)


@app.command("import")
def import_(
    file: Path = typer.Argument(..., help="CSV file or Excel workbook to import."),
    into: Path = typer.Option(
        ..., "--into", callback=out_folder, help="Scenario folder (created if missing)."
    ),
    strict: bool = typer.Option(False, "--strict", help="Stop at the first problem."),
    rejects: Path | None = typer.Option(
        None,
        "--rejects",
        show_default="FILE's name + .rejects.csv beside the scenario folder",
        help="CSV for the rejected rows (line, column, value, reason, fix).",
    ),
    sheet: str | None = SheetOption,
    json_output: bool = JsonOption,
) -> None:
    """Import FILE into a scenario folder, merging by record id; rejects go to a CSV beside it."""
    from bluehelmet.io.detect import detect_format
    from bluehelmet.io.excel import as_csv
    from bluehelmet.io.merge import import_into_scenario

    beside = into.parent if into.name not in ("", "..") else into.resolve().parent
    rejects_file = rejects or beside / f"{file.stem}.rejects.csv"
    refuse_overwrite("--rejects", [rejects_file], [(file, "the file being imported"), *own_files()])
    refuse_inside("--rejects", rejects_file, into, "the scenario folder")

    with cli_errors(data_error_code=1), as_csv(file, sheet) as source:
        fmt = detect_format(source.csv)
        if fmt.entity is None:
            hint = (
                "UCDP events are not a scenario table: import them with "
                "'bluehelmet intel import FILE'"
                if fmt.name.startswith("ucdp")
                else "this table is reference data, not a scenario table: check it with "
                "'bluehelmet data check', use it via bluehelmet.reference."
                "contributions_by_year()"
            )
            err_console.print(
                f"[bold red]error:[/] {escape(str(file))} is {fmt.description}; {hint}."
            )
            raise typer.Exit(2)
        result = source.result(_run(source.csv, strict, fmt.reader))
        if not json_output:
            show_report(result.report)
        merged = import_into_scenario(result.table, fmt.entity, into, file=str(file))
    written = None
    if len(result.report.rejects):
        with cli_errors():
            written = result.report.write_rejects(rejects_file)
    problems = len(result.report.rejects) + len(merged.conflicts)
    if json_output:
        print_json(
            {
                "import": report_json(result.report),
                "scenario": str(into),
                "created": merged.created,
                "added": merged.added,
                "unchanged": merged.unchanged,
                "conflicts": [str(p) for p in merged.conflicts],
                "brought_along": merged.brought_along,
                "rejects_file": None if written is None else str(written),
            }
        )
        raise typer.Exit(1 if problems else 0)
    if written is not None:
        console.print(f"Rejected rows written to {written}", markup=False)
    verb = "Created" if merged.created else "Updated"
    added = ", ".join(f"{n} {t}" for t, n in merged.added.items()) or "nothing"
    console.print(
        f"{verb} scenario {into}: added {added}; "
        f"{sum(merged.unchanged.values())} identical record(s) already there.",
        markup=False,
    )
    for table, ids in merged.brought_along.items():
        console.print(
            f"  {table} referenced but missing, added from reference data: "
            f"{', '.join(ids[:20])}{' ...' if len(ids) > 20 else ''}",
            markup=False,
        )
    for p in merged.conflicts[:SHOWN]:
        console.print(f"  [yellow]conflict:[/] {escape(p.reason)}", highlight=False)
    raise typer.Exit(1 if problems else 0)
