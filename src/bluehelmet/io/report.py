"""Row accounting for importers: what was read, accepted, repaired and rejected, and why.

Every importer works on a table of raw text (one row per data line) and records, column by
column and vectorised, which rows it repaired (old value, new value, rule) and which it rejected
(value, reason, fix). :class:`~bluehelmet.io.ledger.Ledger` collects those records; its
``finish`` turns them into an :class:`ImportReport` whose counts always satisfy
``rows_read == accepted + repaired + rejected``: a row is *rejected* if anything was rejected in
it, else *repaired* if anything was repaired in it, else *accepted*. Nothing is silently dropped:
rejected rows keep their original text in :attr:`ImportReport.rejects` and can be written to a
``.rejects.csv`` file.

In strict mode the first repair, reject or warning raises :class:`~bluehelmet.errors.DataError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from bluehelmet.errors import Problem

#: Columns of :attr:`ImportReport.repair_table`.
REPAIR_COLUMNS = ["line", "field", "old", "new", "rule", "label"]
#: Columns added in front of the original columns in :attr:`ImportReport.rejects`.
REJECT_COLUMNS = ["line", "field", "value", "reason", "fix"]


@dataclass(frozen=True)
class Repair:
    """One repaired value.

    Parameters
    ----------
    line
        1-based line in the file (the header is line 1).
    field
        Column repaired.
    old, new
        Value as read, value used.
    rule
        Name of the repair rule (see ``docs/importers.md``).
    label
        What the row is about, for people (a mission acronym, ``country/mission/year`` ...).
    """

    line: int
    field: str
    old: str
    new: str
    rule: str
    label: str = ""


@dataclass
class ImportReport:
    """What an import did with every row of one file.

    Attributes
    ----------
    file, format
        The file read and the format detected.
    rows_read, accepted, repaired, rejected
        Row counts; ``rows_read == accepted + repaired + rejected``.
    repair_table
        One row per repaired value (columns :data:`REPAIR_COLUMNS`), for rows that were kept.
    rejects
        One row per rejected input row: ``line, field, value, reason, fix`` (several problems in
        one row are joined with `` | ``), ``repairs`` (repairs that had been made in the row), then
        the original columns as read.
    warnings
        File-level findings that do not reject a row (incomplete periods, padding, facts the data
        contradicts).
    """

    file: str
    format: str
    rows_read: int = 0
    accepted: int = 0
    repaired: int = 0
    rejected: int = 0
    repair_table: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REPAIR_COLUMNS))
    rejects: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REJECT_COLUMNS))
    warnings: list[Problem] = field(default_factory=list)

    @property
    def repairs(self) -> list[Repair]:
        """The repairs as :class:`Repair` records (built on demand; prefer ``repair_table``)."""
        return [
            Repair(
                int(r["line"]),
                str(r["field"]),
                str(r["old"]),
                str(r["new"]),
                str(r["rule"]),
                str(r["label"]),
            )
            for r in self.repair_table.to_dict("records")
        ]

    @property
    def balanced(self) -> bool:
        """Whether the row accounting adds up (it always should)."""
        return self.rows_read == self.accepted + self.repaired + self.rejected

    @property
    def clean(self) -> bool:
        """True when nothing was repaired, rejected or warned about."""
        return self.repaired == 0 and self.rejected == 0 and not self.warnings

    def repairs_by_rule(self) -> pd.DataFrame:
        """Repairs grouped by rule and column: count and up to three example labels."""
        table = self.repair_table
        if table.empty:
            return pd.DataFrame(columns=["rule", "field", "count", "examples"])
        grouped = table.groupby(["rule", "field"], sort=True, observed=True)
        out = grouped.agg(
            count=("line", "size"),
            examples=("line", lambda s: _examples(table.loc[s.index])),
        )
        return out.reset_index().sort_values("count", ascending=False, ignore_index=True)

    def problems(self) -> list[Problem]:
        """Rejects and warnings as :class:`Problem` records (repairs are not problems)."""
        out = [
            Problem(
                str(r.get("file", self.file)),
                None if pd.isna(r["line"]) else int(r["line"]),
                str(r["field"]),
                str(r["value"]),
                str(r["reason"]),
                str(r["fix"]),
            )
            for r in self.rejects.to_dict("records")
        ]
        return out + list(self.warnings)

    def write_rejects(self, path: str | Path) -> Path:
        """Write :attr:`rejects` as CSV (UTF-8, formula-safe, atomic) and return the path.

        Raises
        ------
        OutputError
            If the file cannot be written (the message names it).
        """
        from bluehelmet.errors import OutputError
        from bluehelmet.io.write import write_csv

        out = Path(path)
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            return write_csv(self.rejects, out)
        except OSError as exc:
            raise OutputError(
                f"{out}: cannot be written ({exc.strerror or exc}); choose another path"
            ) from exc


def _examples(rows: pd.DataFrame, n: int = 3) -> str:
    shown = []
    for r in rows.head(n).to_dict("records"):
        who = f"{r['label']!s} " if r["label"] else ""
        shown.append(f"{who}(line {r['line']!s}): {str(r['old'])!r} -> {str(r['new'])!r}")
    return "; ".join(shown)


@dataclass
class ImportResult:
    """The imported table and the report of how it was obtained."""

    table: pd.DataFrame
    report: ImportReport


def merge_results(results: list[ImportResult], fmt: str) -> ImportResult:
    """Concatenate the results of several files into one (tables, counts, repairs, rejects).

    The repairs and rejects get a ``file`` column in front so that each line stays findable.
    """
    if len(results) == 1:
        return results[0]
    reports = [r.report for r in results]
    repair_tables = [r.repair_table.assign(file=r.file) for r in reports]
    reject_tables = [r.rejects.assign(file=r.file) for r in reports]
    repairs = pd.concat(repair_tables, ignore_index=True)
    rejects = pd.concat(reject_tables, ignore_index=True)
    report = ImportReport(
        file="; ".join(r.file for r in reports),
        format=fmt,
        rows_read=sum(r.rows_read for r in reports),
        accepted=sum(r.accepted for r in reports),
        repaired=sum(r.repaired for r in reports),
        rejected=sum(r.rejected for r in reports),
        repair_table=repairs[["file", *[c for c in repairs.columns if c != "file"]]],
        rejects=rejects[["file", *[c for c in rejects.columns if c != "file"]]],
        warnings=[w for r in reports for w in r.warnings],
    )
    table = pd.concat([r.table for r in results], ignore_index=True)
    return ImportResult(table, report)
