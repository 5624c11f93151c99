"""Reading raw CSV text and parsing it vectorised, recording each repair in a :class:`Ledger`.

Columns are handled as :class:`Coded` values: integer codes per row plus the distinct texts.
Values that occur many times (dates, mission acronyms, personnel types in a 1,000,000-row UN
file) are therefore stripped, parsed and checked once per distinct value, and only the codes are
touched per row.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from bluehelmet.errors import UnreadableFileError
from bluehelmet.io.coded import Coded
from bluehelmet.io.ledger import Ledger
from bluehelmet.io.sniff import sniff_text
from bluehelmet.model.validate import DATE_FORMATS, to_datetime_ns


def header_key(name: str) -> str:
    """Canonical column name for matching: no BOM, no surrounding spaces, lower case."""
    return name.replace("\ufeff", "").strip().lower()


#: Encodings tried in turn: UTF-8 (the standard), then Windows-1252, which is what spreadsheet
#: programs on Windows write and what a UN file re-saved in Excel usually is.
ENCODINGS = ("utf-8", "cp1252")


def read_header(path: Path, encoding: str | None = None) -> list[str]:
    """Return the first line's column names as written (a byte-order mark removed).

    Raises
    ------
    UnreadableFileError
        If the file is missing, a folder, empty, binary (an Excel workbook, a zip archive ...),
        not decodable, or has no header line.
    """
    if encoding is None:
        encoding = sniff_text(path, ENCODINGS).encoding
    try:
        with path.open(encoding=encoding, newline="") as fh:
            row = next(csv.reader(fh), None)
    except UnicodeError as exc:
        raise UnreadableFileError(
            f"{path}: the header line cannot be decoded as {encoding} "
            f"({exc}); save the file as UTF-8"
        ) from None
    except (OSError, csv.Error) as exc:
        raise UnreadableFileError(f"{path}: cannot be read as CSV text ({exc})") from exc
    if not row or not any(h.replace("\ufeff", "").strip() for h in row):
        raise UnreadableFileError(
            f"{path}: the first line is empty; a CSV file starts with a "
            "header line naming its columns"
        )
    return [h.replace("\ufeff", "") for h in row]


def read_raw(path: Path) -> tuple[pd.DataFrame, list[tuple[int, str, int]]]:
    """Read a CSV file as text: every value a string (``""`` when empty), columns canonical.

    Column names are canonicalised with :func:`header_key`; values are kept exactly as written
    (surrounding spaces included) so that importers can record what they change.

    Returns
    -------
    (raw, bad_rows)
        The table, and the lines that do not have the header's number of fields as
        ``(line, text, number of fields)``; those lines are not in ``raw``. The encoding used
        is in ``raw.attrs["encoding"]`` (``"utf-8"``, ``"cp1252"`` or, for a file with a
        UTF-16/32 byte-order mark, that encoding; see :mod:`bluehelmet.io.sniff`).

    Raises
    ------
    UnreadableFileError
        If the file is missing, binary, in no known encoding or not parseable as CSV.
    """
    kind = sniff_text(path, ENCODINGS)
    raw, bad = _read_raw(path, kind.encoding)
    raw.attrs["encoding"] = "utf-8" if kind.encoding == "utf-8-sig" else kind.encoding
    raw.attrs["encoding_label"] = kind.label
    return raw, bad


def _read_raw(path: Path, encoding: str) -> tuple[pd.DataFrame, list[tuple[int, str, int]]]:
    header = read_header(path, encoding)
    names = [header_key(h) for h in header]
    if len(set(names)) != len(names):
        repeated = sorted({n for n in names if names.count(n) > 1})
        raise UnreadableFileError(
            f"{path}: the header repeats the column name(s) "
            f"{', '.join(map(repr, repeated))}; give each column once"
        )
    bad: list[tuple[int | None, str, int]] = []
    # pyarrow reads UTF-8 (and skips its BOM) natively; other encodings are transcoded
    arrow_encoding = "utf8" if encoding in ("utf-8", "utf-8-sig") else encoding

    def on_bad(row: pacsv.InvalidRow) -> str:
        bad.append((row.number, row.text, row.actual_columns))
        return "skip"

    def read() -> pa.Table:
        # one thread: the threaded reader costs about twice the CPU time for the same table and
        # cannot tell the line numbers of bad rows (it needed a second, ordered read then)
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(use_threads=False, encoding=arrow_encoding),
            parse_options=pacsv.ParseOptions(invalid_row_handler=on_bad, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )

    try:
        table = read()
    except (pa.ArrowInvalid, UnicodeError) as exc:
        raise UnreadableFileError(
            f"{path}: cannot be read as a CSV file in {encoding} ({exc}); save it as UTF-8 CSV"
        ) from None
    except OSError as exc:
        raise UnreadableFileError(f"{path}: cannot be read ({exc})") from exc
    # self_destruct: free each Arrow column once converted (halves the peak on big files)
    raw = table.rename_columns(names).to_pandas(
        types_mapper={pa.string(): pd.StringDtype()}.get, self_destruct=True, split_blocks=True
    )
    del table
    rows = [(int(n) if n is not None else 0, text, fields) for n, text, fields in bad]
    return raw.reset_index(drop=True), rows


def stripped(ledger: Ledger, raw: pd.DataFrame, column: str) -> Coded:
    """Column ``column`` with surrounding whitespace removed, each removal recorded."""
    coded = Coded.of(raw[column])
    clean = np.array([v.strip() for v in coded.uniques], dtype=object)
    changed = coded.per_row(clean != coded.uniques)
    if changed.any():
        ledger.repair(changed, column, coded, coded.remap(clean), "strip_whitespace")
    return coded.remap(clean)


def parse_float(ledger: Ledger, text: Coded, column: str) -> tuple[np.ndarray, np.ndarray]:
    """Parse numbers, repairing decimal commas (``"15,9833"`` -> 15.9833).

    Returns
    -------
    (values, bad)
        Float values per row (NaN when empty or unparseable) and the mask of non-empty text
        that is not a number.
    """
    series = pd.Series(text.uniques, dtype="string")
    comma = series.str.fullmatch(r"[+-]?\d+,\d+").fillna(False).to_numpy(dtype=bool)
    fixed = series.where(~comma, series.str.replace(",", ".", regex=False))
    parsed = pd.to_numeric(fixed.mask(fixed.str.strip() == ""), errors="coerce")
    values_u = parsed.astype("float64").to_numpy()
    repaired_u = comma & np.isfinite(values_u)
    if repaired_u.any():
        shown = np.array([repr(float(v)) if np.isfinite(v) else "" for v in values_u], dtype=object)
        ledger.repair(
            text.per_row(repaired_u), column, text.rows(), text.per_row(shown), "decimal_comma"
        )
    bad_u = (series.str.strip() != "").to_numpy(dtype=bool) & ~np.isfinite(values_u)
    return text.per_row(values_u), text.per_row(bad_u)


#: Largest count of persons accepted: more than the world's population is an error in the file,
#: and 2**63 or more would not even fit a 64-bit integer.
MAX_COUNT = 10**10


def parse_count(ledger: Ledger, text: Coded, column: str) -> tuple[pd.Series, np.ndarray]:
    """Parse whole non-negative counts; ``"12.0"`` is repaired to 12, anything else is bad.

    Returns
    -------
    (values, bad)
        ``Int64`` counts per row (NA where bad) and the mask of values that are not counts
        (an empty value is bad: a count must be given).
    """
    series = pd.Series(text.uniques, dtype="string")
    numbers = np.asarray(pd.to_numeric(series.astype(object), errors="coerce"), dtype="float64")
    with np.errstate(invalid="ignore"):
        whole = np.isfinite(numbers) & (numbers == np.floor(numbers)) & (numbers >= 0)
        too_large = whole & (numbers > MAX_COUNT)
    whole &= ~too_large
    if too_large.any():
        ledger.reject(
            text.per_row(too_large),
            column,
            text.rows(),
            f"too large for a count of persons (more than {MAX_COUNT:,})",
            "check the value: it is probably a typing or export error",
        )
    plain = series.str.fullmatch(r"\d+").fillna(False).to_numpy(dtype=bool)
    needs = whole & ~plain
    if needs.any():
        shown = np.array(
            [str(int(v)) if ok else "" for v, ok in zip(numbers, whole, strict=True)], dtype=object
        )
        ledger.repair(text.per_row(needs), column, text.rows(), text.per_row(shown), "whole_number")
    values = pd.array(np.where(whole, numbers, np.nan)[text.codes], dtype="Int64")
    return pd.Series(values), text.per_row(~whole & ~too_large)


def parse_dates(
    text: Coded,
    formats: Sequence[tuple[str, str]] = DATE_FORMATS,
    *,
    open_end: Ledger | None = None,
    column: str = "",
) -> tuple[pd.Series, dict[str, int], np.ndarray]:
    """Parse dates trying each explicit format in turn, once per distinct value.

    Dates outside what pandas holds (1677-09-22 to 2262-04-11) never crash: they are bad
    values, except that with ``open_end`` (the ledger of an optional end-date ``column``) a date
    after 2262 such as ``9999-12-31`` means "no end date": it becomes NaT and is recorded as an
    ``open_end`` repair.

    Returns
    -------
    (dates, format_counts, bad)
        ``datetime64[ns]`` per row (NaT when empty or unparseable), how many rows were read
        with each format, and the mask of non-empty unparseable or out-of-range values.
    """
    values = pd.Series(text.uniques, dtype="string").str.strip()
    dates = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    late = np.zeros(len(values), dtype=bool)
    counts = np.bincount(text.codes, minlength=len(values))
    names = np.full(len(values), "", dtype=object)
    for fmt, name in formats:
        todo = (dates.isna() & (values != "")).to_numpy(dtype=bool) & ~late
        if not todo.any():
            break
        parsed, after = to_datetime_ns(values[todo], fmt)
        late[np.flatnonzero(todo)[after]] = True
        hit = parsed.notna().to_numpy(dtype=bool)
        where = parsed.index[hit]
        dates.loc[where] = parsed[hit]
        names[where] = name
    bad_u = (values != "").to_numpy(dtype=bool) & dates.isna().to_numpy()
    if open_end is not None and late.any():
        open_end.repair(
            text.per_row(late),
            column,
            text.rows(),
            np.full(len(text.codes), "", dtype=object),
            "open_end",
        )
        bad_u &= ~late
    out = pd.Series(dates.to_numpy()[text.codes], dtype="datetime64[ns]")
    mix: dict[str, int] = {}
    for name, count in zip(names, counts, strict=True):
        if name:
            mix[name] = mix.get(name, 0) + int(count)
    return out, mix, text.per_row(bad_u)
