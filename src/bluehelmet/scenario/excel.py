"""Scenarios as Excel workbooks (``.xlsx``, via openpyxl), read with the same checks as folders.

A workbook holds one sheet per table, named as the CSV files of a scenario folder
(``missions``, ``pledges``, ...; a missing sheet is an empty table), with the declared column
names in row 1, plus two sheets for ``scenario.toml``: ``scenario`` (columns ``key``, ``value``)
and ``parameters`` (``key``, ``value``, ``unit``, ``source``).

Reading turns every cell into the text a CSV file would hold (dates ``YYYY-MM-DD``, whole numbers
without ``.0``, booleans ``true``/``false``) and hands the tables to the same loader as a folder:
the validation, repairs and error messages are those of the CSV files, and a problem names the
workbook, the sheet and the row (Excel's row number, the header being row 1).

Writing keeps numbers as numbers and dates as dates; a text value that a spreadsheet would take for
a formula (starting with ``=``) is stored as text, never as a formula.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import tomli_w

from bluehelmet.errors import Problem, UnreadableFileError
from bluehelmet.model.schema import ENTITY_ORDER, entity
from bluehelmet.model.validate import lists_as_text
from bluehelmet.scenario.core import Scenario

#: Sheets that hold ``scenario.toml``.
META_SHEET, PARAMS_SHEET = "scenario", "parameters"


def cell_text(value: Any) -> str:
    """The CSV text of one cell value as openpyxl reads it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _open(path: Path) -> Any:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError as exc:
        raise UnreadableFileError(f"{path}: no such file") from exc
    except (InvalidFileException, OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise UnreadableFileError(
            f"{path}: cannot be read as an Excel workbook (.xlsx): {exc}"
        ) from exc


def sheet_rows(path: str | Path, sheet: str | None = None) -> list[list[str]]:
    """The rows of one sheet (default: the first) as CSV text, trailing empty rows removed."""
    book = _open(Path(path))
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise UnreadableFileError(
                f"{path}: no sheet named {sheet!r}; sheets: {', '.join(book.sheetnames)}"
            )
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        rows = [[cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    finally:
        book.close()
    while rows and not any(rows[-1]):
        rows.pop()
    width = max((len(r) for r in rows), default=0)
    while width and not any(r[width - 1] for r in rows if len(r) >= width):
        width -= 1  # trailing empty columns
    return [(r + [""] * width)[:width] for r in rows]


def write_csv_rows(rows: list[list[str]], path: Path) -> Path:
    """Write text rows as a UTF-8 CSV file (for the loaders that read CSV)."""
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return path


def sheet_as_csv(path: str | Path, folder: Path, sheet: str | None = None) -> Path:
    """Write one sheet of a workbook as ``folder/<workbook stem>.csv``; returns that file."""
    return write_csv_rows(sheet_rows(path, sheet), folder / f"{Path(path).stem}.csv")


def relabel(problem: Problem, names: dict[str, str]) -> Problem:
    """``problem`` with a temporary CSV file name replaced by the workbook and sheet it holds."""
    return dataclasses.replace(problem, file=names.get(problem.file, problem.file))


def workbook_to_folder(path: str | Path, folder: Path, toml_name: str) -> dict[str, str]:
    """Write the workbook's sheets into ``folder`` as a scenario folder (``toml_name`` + CSVs).

    :func:`bluehelmet.scenario.io.load_scenario` reads ``.xlsx`` files through this, then
    validates the folder exactly as any scenario folder.

    Returns
    -------
    dict
        Written file -> where it came from in the workbook (for :func:`relabel`).

    Raises
    ------
    UnreadableFileError
        If the file is not a readable workbook.
    """
    path = Path(path)
    book = _open(path)
    sheets = list(book.sheetnames)
    book.close()
    names = {str(folder / toml_name): f"{path}, sheets {META_SHEET}/{PARAMS_SHEET}"}
    meta = _key_values(path, META_SHEET) if META_SHEET in sheets else {}
    meta.setdefault("name", path.stem)
    params = _parameters(path) if PARAMS_SHEET in sheets else {}
    (folder / toml_name).write_text(
        tomli_w.dumps({"scenario": meta, "parameters": params}), "utf-8"
    )
    for name in ENTITY_ORDER:
        if name in sheets:
            csv_path = write_csv_rows(sheet_rows(path, name), folder / f"{name}.csv")
            names[str(csv_path)] = f"{path}, sheet {name}"
    return names


def _key_values(path: Path, sheet: str) -> dict[str, Any]:
    rows = sheet_rows(path, sheet)
    return {r[0]: r[1] for r in rows[1:] if r and r[0]}


def _parameters(path: Path) -> dict[str, Any]:
    rows = sheet_rows(path, PARAMS_SHEET)
    if not rows:
        return {}
    header = rows[0]
    out: dict[str, Any] = {}
    for row in rows[1:]:
        rec = dict(zip(header, row, strict=False))
        if not rec.get("key"):
            continue
        entry: dict[str, Any] = {
            "value": rec.get("value", ""),
            "source": rec.get("source") or "scenario",
        }
        if rec.get("unit"):
            entry["unit"] = rec["unit"]
        out[rec["key"]] = entry
    return out


def save_workbook(scenario: Scenario, path: str | Path) -> Path:
    """Write ``scenario`` as an Excel workbook (one sheet per table); returns the file."""
    from openpyxl import Workbook

    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook()
    ws = book.active
    ws.title = META_SHEET
    ws.append(["key", "value"])
    for key, value in {**scenario.meta, "name": scenario.name}.items():
        _append(ws, [str(key), value if isinstance(value, int | float | str) else str(value)])
    ws = book.create_sheet(PARAMS_SHEET)
    ws.append(["key", "value", "unit", "source"])
    for key, param in scenario.parameters.items():
        _append(ws, [key, param.value, param.unit, param.source])
    for name in ENTITY_ORDER:
        ws = book.create_sheet(name)
        columns = entity(name).columns
        ws.append([c.name for c in columns])
        table = lists_as_text(scenario.tables[name])  # tuples of ids as "a;b", as in CSV
        values = {
            c.name: _cells(
                table[c.name] if c.name in table else pd.Series(pd.NA, index=table.index), c.type
            )
            for c in columns
        }
        for i in range(len(table)):
            _append(ws, [values[c.name][i] for c in columns])
    from bluehelmet.io.write import atomic_file

    with atomic_file(out) as tmp:  # a kill leaves the old workbook or the new one
        book.save(tmp)
    return out


def _cells(series: pd.Series, kind: str) -> list[Any]:
    """A typed column as Excel cell values (numbers, dates, text; missing = empty)."""
    out: list[Any] = []
    for v in series.tolist():
        if v is None or (not isinstance(v, tuple) and pd.isna(v)):
            out.append(None)
        elif kind == "date":
            out.append(pd.Timestamp(v).date())
        elif kind == "boolean":
            out.append("true" if bool(v) else "false")
        elif kind == "integer":
            out.append(int(v))
        elif kind == "float":
            out.append(float(v))
        else:
            out.append(str(v))
    return out


def _append(ws: Any, values: list[Any]) -> None:
    """Append a row; text starting with ``=`` stays text (never a formula)."""
    ws.append(values)
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"
