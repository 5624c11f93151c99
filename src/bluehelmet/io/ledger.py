"""The :class:`Ledger` importers write their repairs, rejects and warnings to, vectorised.

Checks pass boolean masks over all rows, so each check is one vectorised step; :meth:`finish`
derives the counts, so ``rows_read == accepted + repaired + rejected`` holds by construction.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from bluehelmet.errors import DataError, Problem
from bluehelmet.io.coded import Coded
from bluehelmet.io.report import REJECT_COLUMNS, ImportReport, ImportResult
from bluehelmet.model.validate import first_uses


class Ledger:
    """Collects repairs, rejects and warnings for one file, vectorised.

    Parameters
    ----------
    file, fmt
        File name and format name for the report.
    raw
        The rows as read (text); its index must be ``0..n-1``.
    first_line
        File line of ``raw``'s first row (2 after one header line).
    strict
        Raise :class:`DataError` at the first repair, reject or warning.
    bad_rows
        Rows the CSV reader could not split into the header's columns, as (line, text, number
        of fields); they are counted as read and rejected.
    """

    def __init__(
        self,
        file: str,
        fmt: str,
        raw: pd.DataFrame,
        *,
        first_line: int = 2,
        strict: bool = False,
        bad_rows: list[tuple[int, str, int]] | None = None,
    ) -> None:
        self.file = file
        self.fmt = fmt
        self.raw = raw
        self.strict = strict
        self.bad_rows = list(bad_rows or [])
        if self.bad_rows and strict:
            line, text, fields = self.bad_rows[0]
            raise DataError(
                Problem(
                    file,
                    line,
                    None,
                    text,
                    _bad_row_reason(fields, raw),
                    "quote values that contain commas; give every field",
                )
            )
        # the line of each good row: count the header and skip the lines of the bad rows
        total = len(raw) + len(self.bad_rows)
        all_lines = np.arange(total, dtype="int64") + first_line
        skip = np.array([b[0] for b in self.bad_rows], dtype="int64")
        self.lines = all_lines[~np.isin(all_lines, skip)][: len(raw)]
        self.labels: np.ndarray = np.full(len(raw), "", dtype=object)
        self._repairs: list[dict[str, object]] = []
        self._rejects: list[dict[str, object]] = []
        self._rejected = np.zeros(len(raw), dtype=bool)
        self.warnings: list[Problem] = []
        if raw.attrs.get("encoding", "utf-8") != "utf-8":
            label = raw.attrs.get("encoding_label") or "Windows-1252"
            self.warn(
                Problem(
                    file,
                    None,
                    None,
                    raw.attrs["encoding"],
                    f"the file is not UTF-8; it was read as {label}",
                    "save the file as UTF-8 (CSV UTF-8 in spreadsheet programs)",
                )
            )
        if total == 0:
            self.warn(
                Problem(
                    file,
                    None,
                    None,
                    None,
                    "the file has a header but no data rows",
                    "check that this is the file meant (nothing was imported)",
                )
            )

    def set_labels(self, labels: pd.Series | np.ndarray) -> None:
        """Name each row for people (e.g. by mission acronym) in repairs and rejects."""
        self.labels = _objects(labels)

    def repair(self, mask: Mask, field: str, old: Values, new: Values, rule: str) -> None:
        """Record that ``field`` was changed from ``old`` to ``new`` where ``mask`` is true."""
        idx = _where(mask)
        if len(idx) == 0:
            return
        old_v, new_v = _take(old, idx), _take(new, idx)
        if self.strict:
            raise DataError(
                Problem(
                    self.file,
                    int(self.lines[idx[0]]),
                    field,
                    str(old_v[0]),
                    f"needs repair '{rule}' (would become {str(new_v[0])!r})",
                    "correct the file, or import without --strict to repair it automatically",
                )
            )
        self._repairs.append({"row": idx, "field": field, "old": old_v, "new": new_v, "rule": rule})

    def reject(
        self, mask: Mask, field: str, value: Values, reason: str | Values, fix: str | Values
    ) -> None:
        """Record that the rows where ``mask`` is true are rejected because of ``field``."""
        idx = _where(mask)
        if len(idx) == 0:
            return
        values = _take(value, idx)
        reasons = (
            np.full(len(idx), reason, dtype=object)
            if isinstance(reason, str)
            else _take(reason, idx)
        )
        fixes = np.full(len(idx), fix, dtype=object) if isinstance(fix, str) else _take(fix, idx)
        if self.strict:
            raise DataError(
                Problem(
                    self.file,
                    int(self.lines[idx[0]]),
                    field,
                    str(values[0]),
                    str(reasons[0]),
                    str(fixes[0]),
                )
            )
        self._rejected[idx] = True
        self._rejects.append(
            {"row": idx, "field": field, "value": values, "reason": reasons, "fix": fixes}
        )

    def warn(self, problem: Problem) -> None:
        """Record a finding that does not reject a row."""
        if self.strict:
            raise DataError(problem)
        self.warnings.append(problem)

    def rejected_mask(self) -> np.ndarray:
        """Boolean array: rows rejected so far."""
        return self._rejected.copy()

    def finish(self, table: pd.DataFrame | Callable[[np.ndarray], pd.DataFrame]) -> ImportResult:
        """Build the result: the converted rows minus the rejected rows, and the report.

        Parameters
        ----------
        table
            The converted rows (same index as ``raw``), or a function that builds them for
            the given positions of the rows kept (cheaper for big files: rejected rows are
            never converted).
        """
        if callable(table):
            kept = table(np.flatnonzero(~self._rejected))
        elif not self._rejected.any():  # nothing rejected: no copy of every row
            kept = table.reset_index(drop=True)
        else:
            kept = table.loc[~self._rejected].reset_index(drop=True)
        repeated = self._reject_duplicate_ids(kept)
        if repeated.any():  # the first row with each id stays
            kept = kept.loc[~repeated].reset_index(drop=True)
        n = len(self.raw)
        rejected = self._rejected
        repairs = _stack(self._repairs, ["row", "field", "old", "new", "rule"])
        rejects = _stack(self._rejects, ["row", "field", "value", "reason", "fix"])
        on_rejected = rejected[repairs["row"].to_numpy(dtype="int64")]
        kept_repairs = repairs[~on_rejected]
        repaired = np.zeros(n, dtype=bool)
        repaired[kept_repairs["row"].to_numpy(dtype="int64")] = True
        repaired &= ~rejected
        report = ImportReport(
            file=self.file,
            format=self.fmt,
            rows_read=n + len(self.bad_rows),
            accepted=int(n - rejected.sum() - repaired.sum()),
            repaired=int(repaired.sum()),
            rejected=int(rejected.sum()) + len(self.bad_rows),
            repair_table=self._repair_table(kept_repairs),
            rejects=self._with_bad_rows(self._reject_table(rejects, repairs[on_rejected])),
            warnings=list(self.warnings),
        )
        return ImportResult(kept, report)

    def _reject_duplicate_ids(self, kept: pd.DataFrame) -> np.ndarray:
        """Reject kept rows whose record id an earlier kept row has (naming both lines).

        The importers' own checks compare rows by content; this last check guarantees that
        no two imported records share an id, so nothing is dropped later when merging by id.
        Returns the mask of the ``kept`` rows it rejected.
        """
        if "id" not in kept.columns or kept.empty:
            return np.zeros(len(kept), dtype=bool)
        ids = kept["id"]
        dup, first = first_uses(ids)
        if not dup.any():
            return dup
        positions = np.flatnonzero(~self._rejected)
        later = np.flatnonzero(dup)
        mask = np.zeros(len(self.raw), dtype=bool)
        mask[positions[later]] = True
        values = np.full(len(self.raw), "", dtype=object)
        values[positions[later]] = ids.iloc[later].astype(object).to_numpy()
        reasons = np.full(len(self.raw), "", dtype=object)
        reasons[positions[later]] = [
            f"duplicate id: line {int(self.lines[positions[f]])} gives the same record id"
            for f in first[later]
        ]
        self.reject(
            mask,
            "id",
            values,
            reasons,
            "keep one of the two lines (or correct the one that is wrong)",
        )
        return dup

    def _with_bad_rows(self, rejects: pd.DataFrame) -> pd.DataFrame:
        if not self.bad_rows:
            return rejects
        bad = pd.DataFrame(
            {
                "line": [b[0] for b in self.bad_rows],
                "field": "(row)",
                "value": [b[1] for b in self.bad_rows],
                "reason": [_bad_row_reason(b[2], self.raw) for b in self.bad_rows],
                "fix": "quote values that contain commas; give every field (empty if unknown)",
                "repairs": "",
            }
        )
        both = pd.concat([rejects, bad], ignore_index=True)
        return both.sort_values("line", kind="stable", ignore_index=True)

    def _repair_table(self, repairs: pd.DataFrame) -> pd.DataFrame:
        rows = repairs["row"].to_numpy(dtype="int64")
        out = pd.DataFrame(
            {
                "line": self.lines[rows],
                "field": repairs["field"].astype("category"),
                "old": repairs["old"],
                "new": repairs["new"],
                "rule": repairs["rule"].astype("category"),
                "label": self.labels[rows],
            }
        )
        return out.sort_values("line", kind="stable", ignore_index=True)

    def _reject_table(self, rejects: pd.DataFrame, repairs: pd.DataFrame) -> pd.DataFrame:
        if rejects.empty:
            return pd.DataFrame(columns=[*REJECT_COLUMNS, "repairs", *self.raw.columns])
        rows = rejects["row"].to_numpy(dtype="int64")
        out = pd.DataFrame()
        for col in ("field", "value", "reason", "fix"):
            uniq, joined = _join_by_row(rows, rejects[col], " | ")
            out[col] = joined
        out.insert(0, "line", self.lines[uniq])
        notes = pd.Series("", index=uniq, dtype="string")
        if len(repairs):
            text = {
                c: repairs[c].astype(object).astype("string")
                for c in ("field", "old", "new", "rule")
            }
            described = (
                text["field"]
                + ": "
                + text["old"]
                + " -> "
                + text["new"]
                + " ("
                + text["rule"]
                + ")"
            )
            with_notes, joined = _join_by_row(
                repairs["row"].to_numpy(dtype="int64"), described, "; "
            )
            notes.loc[with_notes] = joined.to_numpy()
        out["repairs"] = notes.to_numpy()
        original = self.raw.iloc[uniq].reset_index(drop=True)
        # original columns could clash with ours (a file with a 'line' column): prefix them
        original.columns = [c if c not in out.columns else f"original_{c}" for c in original]
        return pd.concat([out, original], axis=1)


def _join_by_row(rows: np.ndarray, texts: pd.Series, sep: str) -> tuple[np.ndarray, pd.Series]:
    """Join the texts of each row, vectorised: (sorted distinct rows, joined texts)."""
    order = np.argsort(rows, kind="stable")
    rows = rows[order]
    values = texts.astype("string").fillna("").iloc[order].reset_index(drop=True)
    uniq, start, counts = np.unique(rows, return_index=True, return_counts=True)
    rank = np.arange(len(rows)) - np.repeat(start, counts)
    out = values.iloc[start].reset_index(drop=True)
    # one pass per extra problem in a row (a handful at most), not one per row
    for k in range(1, int(counts.max()) if len(counts) else 0):
        sel = rank == k
        target = np.searchsorted(uniq, rows[sel])
        out.iloc[target] = (
            out.iloc[target].to_numpy(dtype=object) + sep + values[sel].to_numpy(dtype=object)
        )
    return uniq, out


Mask = pd.Series | np.ndarray
Values = pd.Series | np.ndarray | Coded


def _objects(values: Values) -> np.ndarray:
    if isinstance(values, pd.Series):
        return values.astype(object).where(values.notna(), "").to_numpy(dtype=object)
    return np.asarray(values, dtype=object)


def _where(mask: Mask) -> np.ndarray:
    values = mask.to_numpy(dtype=bool, na_value=False) if isinstance(mask, pd.Series) else mask
    return np.flatnonzero(np.asarray(values, dtype=bool))


def _take(values: Values, idx: np.ndarray) -> np.ndarray | pd.Categorical:
    if isinstance(values, Coded):
        # repeated values stay shared: a category per distinct value, a code per repair
        return pd.Categorical.from_codes(
            values.codes[idx], categories=pd.Index(values.uniques, dtype=object)
        )
    if isinstance(values, pd.Series):
        part = values.iloc[idx]
        return part.astype(object).where(part.notna(), "").to_numpy(dtype=object)
    part = np.asarray(values, dtype=object)[idx]
    return np.where(pd.isna(part), "", part)


def _bad_row_reason(fields: int, raw: pd.DataFrame) -> str:
    return f"the line has {fields} fields but the header has {len(raw.columns)}"


def _stack(parts: list[dict[str, object]], columns: list[str]) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame(
            {c: pd.Series(dtype="int64" if c == "row" else object) for c in columns}
        )
    out: dict[str, object] = {}
    for c in columns:
        pieces: list[object] = [part[c] for part in parts]
        if c == "row":
            out[c] = np.concatenate([np.asarray(p) for p in pieces])
            continue
        cats = []
        for piece, part in zip(pieces, parts, strict=True):
            n = len(part["row"])  # type: ignore[arg-type]
            if isinstance(piece, str):
                cats.append(
                    pd.Categorical.from_codes(
                        np.zeros(n, dtype=np.int8), categories=pd.Index([piece], dtype=object)
                    )
                )
            elif isinstance(piece, pd.Categorical):
                cats.append(piece)
            else:
                codes, uniques = pd.factorize(np.asarray(piece, dtype=object))
                cats.append(
                    pd.Categorical.from_codes(
                        codes, categories=pd.Index(np.asarray(uniques, dtype=object), dtype=object)
                    )
                )
        # categoricals keep a 1,000,000-row repair list small: one string per distinct value
        out[c] = union_categoricals(cats, ignore_order=True)
    return pd.DataFrame(out)
