"""Coerce raw text tables to the declared types and validate them against the data model.

Everything here is driven by the declarations in :mod:`bluehelmet.model.schema`. Problems are
returned as :class:`~bluehelmet.errors.Problem` records naming the file, line, column, value, the
reason and the fix; the caller decides whether to raise (strict) or to report them.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from bluehelmet.errors import Problem
from bluehelmet.model.schema import Column, Entity, entity, split_list

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}
#: Line of the first data row in a CSV file with one header line.
FIRST_DATA_LINE = 2


def _clean(values: pd.Series) -> np.ndarray:
    """Text values stripped, blanks as ``None`` (plain object array: cheap on small tables)."""
    out = values.astype(object).where(values.notna(), None).to_numpy()
    return np.array([None if v is None or not (t := str(v).strip()) else t for v in out],
                    dtype=object)


def _parse(col: Column, text: np.ndarray) -> tuple[pd.Series, np.ndarray]:
    """Parse stripped text to ``col``'s dtype; return (parsed, mask of unparseable values)."""
    present = np.array([v is not None for v in text], dtype=bool)
    if col.type == "orgs":
        lists = [tuple(split_list(v)) if v is not None else () for v in text]
        return pd.Series(lists, dtype=object), np.zeros(len(text), dtype=bool)
    if col.type in ("string", "list"):
        if col.type == "list":
            text = np.array([";".join(split_list(v)) or None if v is not None else None
                             for v in text], dtype=object)
        return pd.Series(pd.array(text, dtype="string")), np.zeros(len(text), dtype=bool)
    series = pd.Series(text, dtype=object)
    if col.type in ("integer", "float"):
        numbers = pd.to_numeric(series, errors="coerce").astype("float64").to_numpy(copy=True)
        bad = present & ~np.isfinite(numbers)  # unparseable, or inf/1e400: never a valid value
        numbers[~np.isfinite(numbers)] = np.nan
        if col.type == "integer":
            with np.errstate(invalid="ignore"):
                fractional = ~np.isnan(numbers) & (numbers != np.floor(numbers))
            bad |= fractional
            numbers[fractional] = np.nan
            return pd.Series(numbers).round().astype("Int64"), bad
        return pd.Series(numbers, dtype="float64"), bad
    if col.type == "boolean":
        parsed = [True if v is not None and v.lower() in _TRUE else
                  False if v is not None and v.lower() in _FALSE else None for v in text]
        result = pd.Series(pd.array(parsed, dtype="boolean"))
        return result, present & result.isna().to_numpy()
    # date: ISO 8601 calendar dates only in scenario files; importers accept more forms.
    dates = pd.to_datetime(series, format="%Y-%m-%d", errors="coerce").astype("datetime64[ns]")
    return dates, present & dates.isna().to_numpy()


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
) -> tuple[pd.DataFrame, list[Problem]]:
    """Turn a raw text table into entity ``name``'s declared columns and dtypes.

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

    Returns
    -------
    (table, problems)
        ``table`` has exactly the declared columns in declared order, defaults filled in, values
        that could not be parsed set to missing; ``problems`` lists every problem found. Rows are
        never dropped: ``len(table) == len(raw)``.

    """
    ent = entity(name)
    problems: list[Problem] = []
    lines = np.arange(len(raw)) + first_line
    for extra in [c for c in raw.columns if c not in ent.column_names]:
        problems.append(
            Problem(file, 1, str(extra), None, f"column is not part of the {name} table",
                    f"remove it or rename it to one of: {', '.join(ent.column_names)}")
        )
    out: dict[str, pd.Series] = {}
    for col in ent.columns:
        if col.name in raw.columns:
            text = _clean(raw[col.name])
        else:
            if col.required and col.default is None:
                problems.append(
                    Problem(file, 1, col.name, None, "required column is missing",
                            f"add a column '{col.name}': {col.description}")
                )
            text = np.full(len(raw), None, dtype=object)
        if col.default is not None:
            text = np.array([col.default if v is None else v for v in text], dtype=object)
        parsed, bad = _parse(col, text)
        for idx in np.flatnonzero(bad):
            problems.append(
                Problem(file, int(lines[idx]), col.name, str(text[idx]),
                        f"not {_expected(col)}", f"write {_expected(col)}")
            )
        problems.extend(_check_values(file, col, parsed, text, bad, lines))
        out[col.name] = parsed
    table = pd.DataFrame(out)
    problems.extend(_check_ids(file, table, lines))
    return table, problems


def _check_values(
    file: str, col: Column, parsed: pd.Series, text: np.ndarray, bad: np.ndarray,
    lines: np.ndarray
) -> list[Problem]:
    problems: list[Problem] = []
    missing = parsed.isna().to_numpy()
    if col.required:
        for idx in np.flatnonzero(missing & ~bad):
            problems.append(Problem(file, int(lines[idx]), col.name, None,
                                    "required value is missing", f"give {col.description}"))
    if col.allowed:
        allowed = set(col.allowed)
        for idx in np.flatnonzero(~missing):
            if str(parsed.iloc[idx]) not in allowed:
                problems.append(Problem(file, int(lines[idx]), col.name, str(text[idx]),
                                        "not an allowed value",
                                        f"use one of {', '.join(col.allowed)}"))
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
            problems.append(Problem(file, int(lines[idx]), col.name, str(text[idx]),
                                    "out of range", f"give a value {bounds}"))
    return problems


def _check_ids(file: str, table: pd.DataFrame, lines: np.ndarray) -> list[Problem]:
    problems: list[Problem] = []
    first: dict[str, int] = {}
    ids = table["id"]
    for idx, value in enumerate(ids.astype(object).where(ids.notna(), None).to_numpy()):
        if value is None:
            continue
        if value in first:
            problems.append(Problem(file, int(lines[idx]), "id", str(value),
                                    f"duplicate id (first used on line {first[value]})",
                                    "give every record its own id"))
        else:
            first[value] = int(lines[idx])
    return problems


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
                values = pd.Series([split_list(v) for v in values.astype(object)],
                                   index=values.index, dtype=object).explode()
            missing = (values.notna() & ~values.isin(known).fillna(False)).to_numpy(bool)
            rows = np.asarray(values.index)[missing]
            for i, value in zip(rows, values[missing], strict=True):
                problems.append(Problem(
                    files.get(name, f"{name}.csv"), int(i) + FIRST_DATA_LINE, col.name,
                    str(value), f"no record with this id in {col.references}",
                    f"use an id from {col.references}.csv or add that record there"))
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
