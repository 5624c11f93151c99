"""Import files given as Excel workbooks: one sheet read as the CSV file it stands for.

The importers read CSV. A workbook (``.xlsx``) is turned into that CSV (cell values as a CSV
would hold them, see :func:`bluehelmet.scenario.excel.cell_text`) in a temporary folder, the
usual format detection and importer run on it, and every file name in the report, the rejects
and the errors is put back to ``<workbook>, sheet <name>``. Row numbers are Excel's (header = 1),
which are also the CSV's line numbers: the same checks and the same messages as for a CSV file.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bluehelmet.errors import BluehelmetError, DataError, Problem
from bluehelmet.io.report import ImportResult

#: Suffixes read as Excel workbooks.
EXCEL_SUFFIXES = (".xlsx", ".xlsm")


def is_workbook(path: str | Path) -> bool:
    """Whether ``path`` names an Excel workbook (by suffix or by its zip signature)."""
    p = Path(path)
    if p.suffix.lower() in EXCEL_SUFFIXES:
        return True
    try:
        with p.open("rb") as f:
            return f.read(4) == b"PK\x03\x04" and _has_workbook_part(p)
    except OSError:
        return False


def _has_workbook_part(path: Path) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            return "xl/workbook.xml" in z.namelist()
    except zipfile.BadZipFile:
        return False


@dataclasses.dataclass(frozen=True)
class SheetFile:
    """The CSV file standing for one sheet, and the label that names it in messages."""

    csv: Path
    label: str

    def problem(self, p: Problem) -> Problem:
        """``p`` naming the workbook and sheet instead of the temporary CSV file."""
        return dataclasses.replace(p, file=self.label) if p.file == str(self.csv) else p

    def result(self, result: ImportResult) -> ImportResult:
        """``result`` with the workbook and sheet as its file everywhere."""
        report = result.report
        report.file = self.label
        report.warnings = [self.problem(w) for w in report.warnings]
        if "file" in report.rejects.columns:
            report.rejects["file"] = report.rejects["file"].replace(str(self.csv), self.label)
        return result


@contextmanager
def as_csv(path: str | Path, sheet: str | None = None) -> Iterator[SheetFile]:
    """The file to import: ``path`` itself, or a workbook's sheet written as a temporary CSV.

    Errors raised inside the block that name the temporary file are re-raised naming the
    workbook and sheet.
    """
    from bluehelmet.scenario.excel import sheet_as_csv, sheet_rows

    p = Path(path)
    if not is_workbook(p):
        yield SheetFile(p, str(p))
        return
    with tempfile.TemporaryDirectory(prefix="bluehelmet-xlsx-") as tmp:
        sheet_rows(p, sheet)  # raises a clear error for a missing sheet or a broken workbook
        csv = sheet_as_csv(p, Path(tmp), sheet)
        label = f"{p}, sheet {sheet}" if sheet else f"{p} (first sheet)"
        file = SheetFile(csv, label)
        try:
            yield file
        except DataError as exc:
            raise DataError([file.problem(q) for q in exc.problems]) from None
        except BluehelmetError as exc:
            raise type(exc)(str(exc).replace(str(csv), label)) from None
