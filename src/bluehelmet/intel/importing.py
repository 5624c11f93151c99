"""``intel import``: read a report CSV or a UCDP GED file and add it to a report store.

Every row is accounted for: ``rows read = accepted + repaired + rejected``, where a row is
rejected by the file checks (:func:`bluehelmet.intel.reports.validate_reports`, the UCDP
importer) or by the store (no write rights for its owner and classification, or an id already used
for a different report in the writer's namespace). Rejected rows, with line, field, value, reason
and fix, go to a rejects file. A file that cannot be read at all (missing, a folder, empty, header
only, a spreadsheet, UTF-16/32 text, binary) is an :class:`~bluehelmet.errors.UnreadableFileError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from bluehelmet.errors import DataError, Problem, UnreadableFileError
from bluehelmet.io.ledger import Ledger
from bluehelmet.io.report import ImportReport, ImportResult
from bluehelmet.model.access import AccessContext

if TYPE_CHECKING:
    from bluehelmet.intel.store import ReportStore

FORMAT_REPORTS = "bluehelmet_reports"
#: Leading bytes of files that are not CSV text, with what they are.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x00\x00\xfe\xff", "UTF-32 (big-endian) text"),
    (b"\xff\xfe\x00\x00", "UTF-32 (little-endian) text"),
    (b"\xfe\xff", "UTF-16 (big-endian) text"),
    (b"\xff\xfe", "UTF-16 (little-endian) text"),
    (b"PK\x03\x04", "a zip archive (an Excel .xlsx workbook is one)"),
    (b"\xd0\xcf\x11\xe0", "an Excel 97-2003 workbook (.xls)"),
    (b"%PDF", "a PDF document"),
)


@dataclass
class ImportOutcome:
    """What one import did: the row accounting (after the store's checks) and the store counts."""

    report: ImportReport
    added: int
    present: int


def sniff(path: Path) -> None:
    """Refuse, by name, what is not a CSV text file in UTF-8 or Windows-1252.

    Raises
    ------
    UnreadableFileError
        Missing file, folder, empty file, spreadsheet, archive, UTF-16/32 or binary content.
    """
    if not path.exists():
        raise UnreadableFileError(f"{path}: no such file; check the path")
    if path.is_dir():
        raise UnreadableFileError(f"{path}: is a folder; give a CSV file")
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise UnreadableFileError(f"{path}: cannot be read ({exc.strerror})") from exc
    if not head.strip(b"\xef\xbb\xbf \r\n\t"):
        raise UnreadableFileError(
            f"{path}: the file is empty; a CSV file with a header line and report rows is needed"
        )
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise UnreadableFileError(
                f"{path}: is {what}, not CSV text; save it as 'CSV UTF-8' and import that file"
            )
    if b"\x00" in head:
        raise UnreadableFileError(
            f"{path}: contains NUL bytes (binary data, or UTF-16/32 text "
            "without a byte-order mark); save it as 'CSV UTF-8'"
        )


def _is_report_header(columns: pd.Index) -> bool:
    return "category" in columns and "time" in columns


def read_input(path: Path) -> tuple[ImportResult, bool]:
    """Read ``path`` as validated reports; return the result and whether it is published data.

    A report CSV (the store's columns) is checked with
    :func:`~bluehelmet.intel.reports.validate_reports`; any other file must be a UCDP GED file
    (full or subset), whose events become unclassified published reports.
    """
    from bluehelmet.intel import reports as rp
    from bluehelmet.io.text import read_raw

    sniff(path)
    raw, bad_rows = read_raw(path)
    if len(raw) == 0 and not bad_rows:
        raise UnreadableFileError(
            f"{path}: has a header line but no rows; add reports below the header"
        )
    if not _is_report_header(raw.columns):
        from bluehelmet.io.ucdp import read_ucdp

        events = read_ucdp(path)
        table = rp.events_to_reports(events.table, path.name)
        return ImportResult(table, events.report), True
    ledger = Ledger(str(path), FORMAT_REPORTS, raw, bad_rows=bad_rows)
    table, problems = rp.validate_reports(raw, str(path))
    whole = [p for p in problems if p.row == 1]
    if whole:
        raise DataError(whole)
    _reject_problems(ledger, problems, len(raw))
    return ledger.finish(table), False


def _reject_problems(ledger: Ledger, problems: list[Problem], n: int) -> None:
    """Hand row problems (line = position + 2) to the ledger, one call per column."""
    if not problems:
        return
    frame = pd.DataFrame(
        {
            "pos": [p.row - 2 for p in problems if p.row is not None],
            "field": [p.field or "" for p in problems if p.row is not None],
            "value": [p.value or "" for p in problems if p.row is not None],
            "reason": [p.reason for p in problems if p.row is not None],
            "fix": [p.fix for p in problems if p.row is not None],
        }
    )
    for (name,), group in frame.groupby(["field"], sort=False):
        group = group.drop_duplicates("pos")
        mask = np.zeros(n, dtype=bool)
        values, reasons, fixes = (np.full(n, "", dtype=object) for _ in range(3))
        pos = group["pos"].to_numpy(dtype="int64")
        mask[pos] = True
        values[pos], reasons[pos], fixes[pos] = (
            group[c].to_numpy(dtype=object) for c in ("value", "reason", "fix")
        )
        ledger.reject(mask, str(name), values, reasons, fixes)


def import_file(path: Path, store_folder: Path, writer: AccessContext) -> ImportOutcome:
    """Import ``path`` into the store in ``store_folder`` (created if missing) as ``writer``.

    Report CSVs are written under ``writer``'s rights; UCDP GED events are published,
    unclassified data that any reader may add.
    """
    from bluehelmet.intel.store import open_store

    result, published = read_input(path)
    with open_store(store_folder, create=True) as store:
        added = store.add(result.table, None if published else writer)
    return ImportOutcome(_account(result, added.rejected), added.added, added.present)


def _account(result: ImportResult, refused: pd.DataFrame) -> ImportReport:
    """The file's report with the rows the store refused moved to the rejected rows."""
    report = result.report
    if refused.empty:
        return report
    lines = np.arange(2, report.rows_read + 2, dtype="int64")
    kept = lines[~np.isin(lines, report.rejects["line"].to_numpy(dtype="int64"))]
    refused_lines = kept[refused["position"].to_numpy(dtype="int64")]
    rows = result.table.iloc[refused["position"].to_numpy(dtype="int64")].reset_index(drop=True)
    extra = pd.concat(
        [
            pd.DataFrame(
                {
                    "line": refused_lines,
                    "field": refused["field"],
                    "value": refused["value"],
                    "reason": refused["reason"],
                    "fix": refused["fix"],
                    "repairs": "",
                }
            ),
            rows.astype("string"),
        ],
        axis=1,
    )
    repaired_lines = set(report.repair_table["line"].astype("int64").tolist())
    was_repaired = int(np.isin(np.unique(refused_lines), list(repaired_lines)).sum())
    rejects = pd.concat([report.rejects, extra], ignore_index=True).sort_values(
        "line", kind="stable", ignore_index=True
    )
    n = int(len(np.unique(refused_lines)))
    repairs = report.repair_table[~report.repair_table["line"].isin(refused_lines)]
    return ImportReport(
        file=report.file,
        format=report.format,
        rows_read=report.rows_read,
        accepted=report.accepted - (n - was_repaired),
        repaired=report.repaired - was_repaired,
        rejected=report.rejected + n,
        repair_table=repairs.reset_index(drop=True),
        rejects=rejects,
        warnings=report.warnings,
    )


def add_to_store(
    result: ImportResult, published: bool, store: ReportStore, writer: AccessContext
) -> ImportOutcome:
    """Add what :func:`read_input` read to any :class:`~bluehelmet.intel.store.ReportStore`.

    The same accounting as :func:`import_file` (the platform imports through this with its
    PostgreSQL store): rows the store refuses move to the rejected rows.
    """
    added = store.add(result.table, None if published else writer)
    return ImportOutcome(_account(result, added.rejected), added.added, added.present)
