"""Coerce raw text tables to the declared types and validate them against the data model.

Everything here is driven by the declarations in :mod:`bluehelmet.model.schema`. Problems are
returned as :class:`~bluehelmet.errors.Problem` records naming the file, line, column, value, the
reason and the fix; the caller decides whether to raise (strict) or to report them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from bluehelmet.errors import Problem
from bluehelmet.io.report import Repair
from bluehelmet.model.schema import Column, Entity, entity, split_list

_TRUE = ("true", "1", "yes")
_FALSE = ("false", "0", "no")
#: Line of the first data row in a CSV file with one header line.
FIRST_DATA_LINE = 2
#: Largest magnitude of an integer column: integers are held as float64 while parsing, exact up
#: to 2**53; larger values (2**63 and beyond included) are "out of range" problems, not crashes.
MAX_INTEGER = 2**53 - 1
#: The dates pandas can hold (nanosecond timestamps).
DATE_RANGE = "1677-09-22 to 2262-04-11"


#: Date formats the UN and UCDP files use, tried in this order (day first: UN files never use
#: month-first dates, so ``01/02/2021`` is 1 February).
DATE_FORMATS: tuple[tuple[str, str], ...] = (
    ("%Y-%m-%d", "YYYY-MM-DD"),
    ("%d/%m/%Y", "DD/MM/YYYY"),
    ("%d-%b-%y", "DD-Mon-YY"),
    ("%d-%b-%Y", "DD-Mon-YYYY"),
    ("%Y-%m-%d %H:%M:%S", "YYYY-MM-DD hh:mm:ss"),
    ("%Y-%m-%dT%H:%M:%S", "YYYY-MM-DDThh:mm:ss"),
    ("%d.%m.%Y", "DD.MM.YYYY"),
)


def open_end_column(col: Column) -> bool:
    """Whether a date far in the future (``9999-12-31``) means "no end date" in ``col``.

    True for optional end dates (``missions.end_date``, ``pledges.available_until``,
    ``units_in_place.until``, ``ceilings.valid_to``): spreadsheets and databases write an open
    end as ``9999-12-31``, which is read as missing (NaT), the model's own way to say
    "open-ended", and recorded as an ``open_end`` repair.
    """
    return (
        col.type == "date"
        and not col.required
        and col.name.endswith(("end_date", "until", "valid_to"))
    )


def _clean(values: pd.Series) -> pd.Series:
    """Text values stripped, blanks as NA (``string`` dtype), vectorised."""
    text = values.astype("string").str.strip()
    return text.mask(text == "")


def to_datetime_ns(text: pd.Series, fmt: str) -> tuple[pd.Series, np.ndarray]:
    """Parse ``text`` with ``fmt`` to ``datetime64[ns]``, never raising on out-of-range dates.

    Returns
    -------
    (dates, late)
        The dates (NaT where unparseable or outside 1677-09-22..2262-04-11) and the mask of
        real dates after 2262-04-11 (e.g. ``9999-12-31``, an open end).
    """
    parsed = pd.to_datetime(text, format=fmt, errors="coerce")
    if parsed.dtype == "datetime64[ns]":
        return parsed, np.zeros(len(parsed), dtype=bool)
    late = (parsed > pd.Timestamp.max).to_numpy(dtype=bool)
    outside = late | (parsed < pd.Timestamp.min).to_numpy(dtype=bool)
    return parsed.mask(outside).astype("datetime64[ns]"), late


#: A number as written in a data file (what :func:`parse_numbers` reads); RE2 syntax, ASCII digits.
NUMBER_PATTERN = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"


def parse_numbers(text: pd.Series) -> np.ndarray:
    """``float64`` per value: NaN where missing or not a plain decimal number, vectorised.

    Arrow's kernels (a pattern match, then a correctly rounded cast) and no Python object per
    value; ``inf``, ``nan``, hexadecimal and digit groupings are not numbers, and a value too
    large for a float (``1e400``) becomes infinite (never valid in a column).
    """
    values = pa.array(text.astype("string"), type=pa.large_string())
    plain = pc.match_substring_regex(values, NUMBER_PATTERN)
    numbers = pc.cast(pc.if_else(plain, values, None), pa.float64())
    return np.asarray(numbers.to_numpy(zero_copy_only=False), dtype="float64").copy()


class _Parsed:
    """One column parsed: values, unparseable mask, and repairs (mask, new text, rule)."""

    def __init__(self, values: pd.Series, bad: np.ndarray) -> None:
        self.values = values
        self.bad = bad
        self.out_of_range = np.zeros(len(bad), dtype=bool)
        self.repairs: list[tuple[np.ndarray, pd.Series, str]] = []


def _parse(col: Column, text: pd.Series, repair: bool) -> _Parsed:
    """Parse stripped text (NA = missing) to ``col``'s dtype, vectorised."""
    present = text.notna().to_numpy(dtype=bool)
    n = len(text)
    if col.type == "orgs":  # tuples of organisation ids, split once per distinct value
        codes, uniques = pd.factorize(text)
        lists = np.empty(len(uniques) + 1, dtype=object)
        lists[:] = [tuple(split_list(v)) for v in uniques] + [()]
        return _Parsed(pd.Series(lists[codes], dtype=object), np.zeros(n, dtype=bool))
    if col.type in ("string", "list"):
        if col.type == "list":
            codes, uniques = pd.factorize(text)  # one split per distinct value
            joined = pd.array([";".join(split_list(v)) or pd.NA for v in uniques], dtype="string")
            text = pd.Series(joined.take(codes, allow_fill=True) if n else joined[:0])
        return _Parsed(text.astype("string").reset_index(drop=True), np.zeros(n, dtype=bool))
    if col.type in ("integer", "float"):
        fixed, comma = text, np.zeros(n, dtype=bool)
        if repair and col.type == "float":
            comma = text.str.fullmatch(r"[+-]?\d+,\d+").fillna(False).to_numpy(dtype=bool)
            fixed = text.where(~comma, text.str.replace(",", ".", regex=False))
        numbers = parse_numbers(fixed)
        finite = np.isfinite(numbers)
        bad = present & ~finite  # unparseable, or inf/1e400: never a valid value
        with np.errstate(invalid="ignore"):
            huge = finite & (np.abs(numbers) > MAX_INTEGER) & (col.type == "integer")
            fractional = finite & (numbers != np.floor(numbers)) & (col.type == "integer")
        bad |= fractional
        numbers[bad | huge] = np.nan
        out = _Parsed(pd.Series(numbers, dtype="float64"), bad)
        out.out_of_range = huge
        if col.type == "integer":
            out.values = out.values.round().astype("Int64")
        repaired = comma & np.isfinite(numbers)
        if repaired.any():
            out.repairs.append((repaired, fixed, "decimal_comma"))
        return out
    if col.type == "boolean":
        lower = text.str.lower()
        result = pd.Series(pd.NA, index=text.index, dtype="boolean")
        result[lower.isin(_TRUE).fillna(False).to_numpy(dtype=bool)] = True
        result[lower.isin(_FALSE).fillna(False).to_numpy(dtype=bool)] = False
        result = result.reset_index(drop=True)
        return _Parsed(result, present & result.isna().to_numpy())
    return _parse_date(col, text, present, repair)


def _parse_date(col: Column, text: pd.Series, present: np.ndarray, repair: bool) -> _Parsed:
    """ISO dates; day-first spreadsheet dates (repaired) and far-future open ends."""
    dates, _ = to_datetime_ns(text, "%Y-%m-%d")
    out = _Parsed(dates.reset_index(drop=True), present & dates.isna().to_numpy())
    if not out.bad.any():
        return out
    todo = pd.Series(text.to_numpy()[out.bad], dtype="string")
    iso = todo.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False).to_numpy(dtype=bool)
    year = pd.to_numeric(todo.str.slice(0, 4), errors="coerce").to_numpy(dtype="float64")
    outside = iso & ((year >= 2262) | (year <= 1677)) & _valid_calendar(todo)
    where = np.flatnonzero(out.bad)
    if open_end_column(col):
        open_end = np.zeros(len(out.bad), dtype=bool)
        open_end[where[outside & (year >= 2262)]] = True
        out.bad &= ~open_end
        outside &= year <= 1677
        if open_end.any():
            out.repairs.append(
                (open_end, pd.Series("", index=range(len(open_end)), dtype="string"), "open_end")
            )
    out.out_of_range[where[outside]] = True
    out.bad[where[outside]] = False
    if repair and out.bad.any():
        rest = np.flatnonzero(out.bad)
        values = pd.Series(text.to_numpy()[rest], dtype="string")
        found = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
        for fmt, _ in DATE_FORMATS[1:]:
            todo_mask = found.isna()
            if not todo_mask.any():
                break
            found[todo_mask] = to_datetime_ns(values[todo_mask], fmt)[0]
        hit = found.notna().to_numpy()
        if hit.any():
            rows = rest[hit]
            out.values.iloc[rows] = found[hit].to_numpy()
            out.bad[rows] = False
            mask = np.zeros(len(out.bad), dtype=bool)
            mask[rows] = True
            new = pd.Series("", index=range(len(mask)), dtype="string")
            new.iloc[rows] = found[hit].dt.strftime("%Y-%m-%d").to_numpy()
            out.repairs.append((mask, new, "day_first_date"))
    return out


def _valid_calendar(text: pd.Series) -> np.ndarray:
    """Whether each ``YYYY-MM-DD`` text is a real calendar date (any year 1-9999)."""

    def ok(value: object) -> bool:
        try:
            dt.date.fromisoformat(str(value))
        except ValueError:
            return False
        return True

    uniques, codes = np.unique(text.fillna("").to_numpy(dtype=object), return_inverse=True)
    return np.array([ok(u) for u in uniques], dtype=bool)[codes]


def _expected(col: Column) -> str:
    return {
        "string": "text",
        "list": "semicolon-separated text items",
        "orgs": "semicolon-separated organisation ids",
        "integer": "a whole number",
        "float": "a number with a decimal point (not a comma)",
        "boolean": "true or false",
        "date": "a date written YYYY-MM-DD",
    }[col.type]


def coerce_table(
    name: str,
    raw: pd.DataFrame,
    file: str,
    *,
    first_line: int = FIRST_DATA_LINE,
    repairs: list[Repair] | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Turn a raw text table into entity ``name``'s declared columns and dtypes, vectorised.

    Parameters
    ----------
    name
        Entity name (see :data:`bluehelmet.model.schema.ENTITY_ORDER`).
    raw
        Table as read, values as text (missing values as ``""`` or NA).
    file
        File name used in problem reports.
    first_line
        File line number of ``raw``'s first row (2 for a CSV with one header line).
    repairs
        If given, values a spreadsheet writes differently are repaired and recorded here
        (day-first dates ``31/12/2018``, decimal commas ``0,5``) instead of being problems.
        An open end date (``9999-12-31`` in an optional end-date column) is always read as
        "no end date" (NaT) and recorded here when given.

    Returns
    -------
    (table, problems)
        ``table`` has exactly the declared columns in declared order, defaults filled in, values
        that could not be parsed set to missing; ``problems`` lists every problem found. Rows are
        never dropped: ``len(table) == len(raw)``.

    """
    ent = entity(name)
    problems: list[Problem] = []
    raw = raw.reset_index(drop=True)
    lines = np.arange(len(raw)) + first_line
    for extra in [c for c in raw.columns if c not in ent.column_names]:
        problems.append(
            Problem(
                file,
                1,
                str(extra),
                None,
                f"column is not part of the {name} table",
                f"remove it or rename it to one of: {', '.join(ent.column_names)}",
            )
        )
    out: dict[str, pd.Series] = {}
    for col in ent.columns:
        if col.name in raw.columns:
            text = _clean(raw[col.name])
        else:
            if col.required and col.default is None:
                problems.append(
                    Problem(
                        file,
                        1,
                        col.name,
                        None,
                        "required column is missing",
                        f"add a column '{col.name}': {col.description}",
                    )
                )
            text = pd.Series(pd.NA, index=raw.index, dtype="string")
        if col.default is not None:
            text = text.fillna(col.default)
        parsed = _parse(col, text, repair=repairs is not None)
        shown = _Shown(text)  # text of a value only where a problem quotes it
        for idx in np.flatnonzero(parsed.bad):
            problems.append(
                Problem(
                    file,
                    int(lines[idx]),
                    col.name,
                    str(shown[idx]),
                    f"not {_expected(col)}",
                    f"write {_expected(col)}",
                )
            )
        for idx in np.flatnonzero(parsed.out_of_range):
            problems.append(
                Problem(
                    file,
                    int(lines[idx]),
                    col.name,
                    str(shown[idx]),
                    "out of range",
                    "give a date from " + DATE_RANGE + " (an open end: leave it empty)"
                    if col.type == "date"
                    else f"give a whole number of at most {MAX_INTEGER:,}",
                )
            )
        for mask, new, rule in parsed.repairs:
            if repairs is not None:
                rows = np.flatnonzero(mask)
                old_text = text.iloc[rows].fillna("").to_numpy(dtype=object)
                new_text = new.iloc[rows].fillna("").to_numpy(dtype=object)
                repairs.extend(
                    Repair(int(lines[i]), col.name, str(o), str(n), rule)
                    for i, o, n in zip(rows, old_text, new_text, strict=True)
                )
        problems.extend(
            _check_values(file, col, parsed.values, shown, parsed.bad | parsed.out_of_range, lines)
        )
        out[col.name] = parsed.values.reset_index(drop=True)
    table = pd.DataFrame(out)
    problems.extend(_check_ids(file, table, lines))
    return table, problems


def _check_values(
    file: str,
    col: Column,
    parsed: pd.Series,
    text: np.ndarray | _Shown,
    bad: np.ndarray,
    lines: np.ndarray,
) -> list[Problem]:
    problems: list[Problem] = []
    missing = parsed.isna().to_numpy()
    if col.required:
        for idx in np.flatnonzero(missing & ~bad):
            problems.append(
                Problem(
                    file,
                    int(lines[idx]),
                    col.name,
                    None,
                    "required value is missing",
                    f"give {col.description}",
                )
            )
    if col.allowed:
        wrong = ~missing & ~parsed.astype("string").isin(col.allowed).to_numpy(dtype=bool)
        for idx in np.flatnonzero(wrong):
            problems.append(
                Problem(
                    file,
                    int(lines[idx]),
                    col.name,
                    str(text[idx]),
                    "not an allowed value",
                    f"use one of {', '.join(col.allowed)}",
                )
            )
    if col.type in ("integer", "float") and (col.min is not None or col.max is not None):
        numbers = parsed.astype("float64").to_numpy()
        with np.errstate(invalid="ignore"):
            low = numbers < col.min if col.min is not None else np.zeros(len(numbers), bool)
            high = numbers > col.max if col.max is not None else np.zeros(len(numbers), bool)
        if col.min is not None and col.max is not None:
            bounds = f"between {col.min:g} and {col.max:g}"
        else:
            bounds = f"at least {col.min:g}" if col.min is not None else f"at most {col.max:g}"
        for idx in np.flatnonzero(low | high):
            problems.append(
                Problem(
                    file,
                    int(lines[idx]),
                    col.name,
                    str(text[idx]),
                    "out of range",
                    f"give a value {bounds}",
                )
            )
    return problems


def first_uses(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Repeated values: (mask of every later use, position of each value's first use).

    Missing values are never repeats. One hash pass in Arrow (``dictionary_encode`` numbers the
    distinct values in order of first appearance, so a row repeats a value exactly when its code
    is not larger than every code before it); the positions are only built when there are
    repeats, and are ``-1`` for rows that are not repeats.
    """
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype=bool), np.zeros(0, dtype=np.int64)
    encoded = pc.dictionary_encode(pa.array(values.astype("string"), type=pa.large_string()))
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    present = n - encoded.null_count
    if len(encoded.dictionary) == present:  # the usual case: every value used once
        return np.zeros(n, dtype=bool), np.full(n, -1, dtype=np.int64)
    codes = pc.fill_null(encoded.indices, -1).to_numpy().astype(np.int64)
    seen = np.maximum.accumulate(np.concatenate([[-1], codes[:-1]]))
    repeat = (codes >= 0) & (codes <= seen)
    first_of = np.zeros(len(encoded.dictionary), dtype=np.int64)
    firsts = np.flatnonzero((codes >= 0) & ~repeat)
    first_of[codes[firsts]] = firsts
    first = np.full(n, -1, dtype=np.int64)
    first[repeat] = first_of[codes[repeat]]
    return repeat, first


def _check_ids(file: str, table: pd.DataFrame, lines: np.ndarray) -> list[Problem]:
    """Every later use of an id names the line of its first use (vectorised)."""
    ids = table["id"]
    dup, first = first_uses(ids)
    if not dup.any():
        return []
    rows = np.flatnonzero(dup)
    values = ids.iloc[rows].astype(object).to_numpy()
    return [
        Problem(
            file,
            int(lines[i]),
            "id",
            str(value),
            f"duplicate id (first used on line {lines[first[i]]})",
            "give every record its own id",
        )
        for i, value in zip(rows, values, strict=True)
    ]


def check_typed(
    name: str, table: pd.DataFrame, file: str, *, first_line: int = FIRST_DATA_LINE
) -> list[Problem]:
    """Validate a table that is already typed (e.g. an importer's output), without text.

    Checks what :func:`coerce_table` checks after parsing - declared columns and dtypes,
    required values, allowed values, bounds, unique ids - directly on the typed columns, so
    checking 1,000,000 imported rows costs a few vectorised passes.
    """
    ent = entity(name)
    problems: list[Problem] = []
    table = table.reset_index(drop=True)
    lines = np.arange(len(table)) + first_line
    for col in ent.columns:
        if col.name not in table.columns:
            problems.append(
                Problem(
                    file,
                    1,
                    col.name,
                    None,
                    "required column is missing",
                    f"add a column '{col.name}': {col.description}",
                )
            )
            continue
        values = table[col.name]
        if str(values.dtype) != col.dtype and not (
            col.dtype == "string" and pd.api.types.is_string_dtype(values.dtype)
        ):
            problems.append(
                Problem(
                    file,
                    1,
                    col.name,
                    str(values.dtype),
                    f"held as {values.dtype}, not {col.dtype}",
                    f"convert the column to {_expected(col)}",
                )
            )
            continue
        shown = _Shown(values)
        problems.extend(
            _check_values(file, col, values, shown, np.zeros(len(values), dtype=bool), lines)
        )
    if "id" in table.columns:
        problems.extend(_check_ids(file, table, lines))
    return problems


class _Shown:
    """Values as text, converted only where a problem needs one (``shown[i]``)."""

    def __init__(self, values: pd.Series) -> None:
        self.values = values

    def __getitem__(self, i: int | np.integer) -> str:
        value = self.values.iloc[int(i)]
        return "" if pd.isna(value) else str(value)


def check_references(
    tables: Mapping[str, pd.DataFrame], files: Mapping[str, str] | None = None
) -> list[Problem]:
    """Check that every reference column points at an existing record.

    Parameters
    ----------
    tables
        Entity tables by name, as returned by :func:`coerce_table`.
    files
        File name of each table for the problem reports (defaults to ``<name>.csv``).

    """
    files = files or {}
    problems: list[Problem] = []
    for name, table in tables.items():
        ent: Entity = entity(name)
        for col in ent.columns:
            if col.references is None or col.references not in tables:
                continue
            known = set(tables[col.references]["id"].dropna())
            values = table[col.name]
            if col.type == "list":  # each item of the list is an id
                values = pd.Series(
                    [split_list(v) for v in values.astype(object)], index=values.index, dtype=object
                ).explode()
            missing = (values.notna() & ~values.isin(known).fillna(False)).to_numpy(bool)
            rows = np.asarray(values.index)[missing]
            for i, value in zip(rows, values[missing], strict=True):
                problems.append(
                    Problem(
                        files.get(name, f"{name}.csv"),
                        int(i) + FIRST_DATA_LINE,
                        col.name,
                        str(value),
                        f"no record with this id in {col.references}",
                        f"use an id from {col.references}.csv or add that record there",
                    )
                )
    return problems


def lists_as_text(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` with tuple (``orgs``) cells written as ``a;b`` (for CSV writers)."""
    out = table.copy()
    for col in out.columns:
        if out[col].dtype == object and out[col].map(lambda v: isinstance(v, tuple)).any():
            out[col] = out[col].map(lambda v: ";".join(v) if isinstance(v, tuple) else v)
    return out


def empty_table(name: str) -> pd.DataFrame:
    """An empty table with entity ``name``'s declared columns and dtypes."""
    ent = entity(name)
    return pd.DataFrame({c.name: pd.Series(dtype=c.dtype) for c in ent.columns})
