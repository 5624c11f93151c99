"""Pieces shared by the importers: record metadata columns, ISO3 resolution, duplicate checks."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray

from bluehelmet.errors import DataError, Problem
from bluehelmet.io.coded import Coded, constant_strings
from bluehelmet.io.ledger import Ledger
from bluehelmet.model.access import release_lists
from bluehelmet.model.schema import entity
from bluehelmet.reference.countries import countries, lookup_iso3


def require_columns(path: str, raw: pd.DataFrame, required: list[str], what: str) -> None:
    """Raise :class:`DataError` naming every required column missing from ``raw``.

    Parameters
    ----------
    path
        File name for the report.
    raw
        The table as read (header normalised).
    required
        Columns the format needs.
    what
        The format in words, for the fix (e.g. ``"the UN monthly format"``).
    """
    missing = [c for c in required if c not in raw.columns]
    if missing:
        raise DataError(
            [
                Problem(
                    path,
                    1,
                    c,
                    None,
                    "required column is missing",
                    f"{what} needs the columns {', '.join(required)}",
                )
                for c in missing
            ]
        )


@cache
def known_iso3() -> frozenset[str]:
    """ISO3 codes bluehelmet knows: the country table plus every code in the alias table."""
    from bluehelmet.reference.countries import country_aliases

    codes = frozenset(countries()["iso3"].astype(str))
    return codes | frozenset(country_aliases()["iso3"].astype(str))


def entity_frame(name: str, columns: dict[str, object], n: int, *, source: str) -> pd.DataFrame:
    """Assemble rows of entity ``name`` with its declared columns, dtypes and record metadata.

    Parameters
    ----------
    name
        Entity name (e.g. ``"deployments"``).
    columns
        Values for some declared columns: :class:`Coded`, Series or arrays of length ``n``, or
        scalars. Missing columns take the record defaults (unclassified, owner UN, basis real)
        or the declared default.
    n
        Number of rows.
    source
        Value of the ``source`` column.
    """
    defaults: dict[str, object] = {
        "classification": "unclassified",
        "owner": "UN",
        "basis": "real",
        "source": source,
    }
    out: dict[str, pd.Series] = {}
    for col in entity(name).columns:
        value = columns.get(col.name, defaults.get(col.name, col.default))
        if col.type == "orgs":
            many = isinstance(value, (pd.Series, np.ndarray, list))
            series = release_lists(pd.Series(value if many else [value] * n, dtype=object))
        elif col.type in ("string", "list"):
            if isinstance(value, Coded):
                series = value.series()
            elif isinstance(value, (pd.Series, np.ndarray)):
                series = pd.Series(value).astype("string")
            else:
                series = constant_strings(None if value is None else str(value), n)
        else:
            if isinstance(value, Coded):
                value = value.rows()
            arraylike = (pd.Series, np.ndarray, ExtensionArray)
            raw = value if isinstance(value, arraylike) else [value] * n
            series = pd.Series(raw).reset_index(drop=True)
            if col.type == "date":
                series = pd.to_datetime(series).astype("datetime64[ns]")
            elif col.type in ("integer", "float"):
                if not pd.api.types.is_numeric_dtype(series.dtype):
                    series = pd.to_numeric(series)
                series = series.astype("Int64" if col.type == "integer" else "float64")
            else:
                series = series.astype("boolean")
        out[col.name] = series.reset_index(drop=True)
    return pd.DataFrame(out, index=pd.RangeIndex(n))


def pair_codes(a: Coded, b: Coded) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Codes of the distinct (a, b) pairs: (row codes, a's code per pair, b's code per pair)."""
    combined = a.codes.astype(np.int64) * max(len(b.uniques), 1) + b.codes
    codes, uniques = pd.factorize(combined)
    uniques = np.asarray(uniques, dtype=np.int64)
    return (
        np.asarray(codes, dtype=np.intp),
        uniques // max(len(b.uniques), 1),
        uniques % max(len(b.uniques), 1),
    )


def combine_keys(*codes: np.ndarray) -> np.ndarray:
    """One integer key per row from several integer code arrays (equal keys = equal tuples)."""
    key = np.zeros(len(codes[0]), dtype=np.int64)
    for part in codes:
        part = np.asarray(part, dtype=np.int64)
        radix = int(part.max(initial=-1)) + 1
        key = np.asarray(pd.factorize(key * max(radix, 1) + part)[0], dtype=np.int64)
    return key


def resolve_iso3(
    ledger: Ledger, iso: Coded, names: Coded, iso_field: str, name_field: str
) -> Coded:
    """ISO3 codes from a code column and a country-name column, repairing and rejecting.

    Worked out once per distinct (code, name) pair:

    - a lower-case code is upper-cased (rule ``case_variant``);
    - a missing code is looked up from the country name (rule ``iso3_from_name``);
    - an unknown code, an unknown name without code, or a code that contradicts the name is
      rejected with the fix.
    """
    rows, a, b = pair_codes(iso, names)
    code_u = iso.uniques[a]
    name_u = names.uniques[b]
    upper_u = np.array([c.upper() for c in code_u], dtype=object)
    looked = {n: lookup_iso3(n) for n in set(name_u)}
    by_name_u = np.array([looked[n] or "" for n in name_u], dtype=object)
    missing_u = upper_u == ""
    found_u = missing_u & (by_name_u != "")
    final_u = np.where(found_u, by_name_u, upper_u)
    known = known_iso3()
    unknown_u = ~missing_u & np.array([c not in known for c in upper_u], dtype=bool)
    clash_u = ~missing_u & ~unknown_u & (by_name_u != "") & (by_name_u != upper_u)
    per_row = {
        k: v[rows]
        for k, v in (("code", code_u), ("upper", upper_u), ("by_name", by_name_u), ("name", name_u))
    }
    case_u = (upper_u != code_u) & ~missing_u
    ledger.repair(case_u[rows], iso_field, per_row["code"], per_row["upper"], "case_variant")
    ledger.repair(found_u[rows], iso_field, per_row["code"], per_row["by_name"], "iso3_from_name")
    ledger.reject(
        (missing_u & ~found_u)[rows],
        name_field,
        per_row["name"],
        "no ISO3 code and the country name is not known",
        "give the ISO3 code, or add the name to country_aliases.csv (alias,iso3,source)",
    )
    ledger.reject(
        unknown_u[rows],
        iso_field,
        per_row["code"],
        "not a known ISO 3166-1 alpha-3 code",
        "use the country's ISO3 code (e.g. BGD for Bangladesh)",
    )
    clash_reason = np.array(
        [f"the ISO3 code does not match the country name (which is {n})" for n in by_name_u],
        dtype=object,
    )
    ledger.reject(
        clash_u[rows],
        iso_field,
        per_row["code"],
        clash_reason[rows],
        "correct the code or the country name so that they agree",
    )
    return Coded(rows, final_u).remap(final_u)


def duplicate_check(ledger: Ledger, keys: np.ndarray, content: list[np.ndarray], what: str) -> None:
    """Reject rows repeating an earlier row's key (exact duplicates and conflicting ones).

    Only rows not rejected yet are compared. The first occurrence is kept; later ones are
    rejected naming the line of the first.

    Parameters
    ----------
    keys
        Integer key per row (equal keys = same record), e.g. from :func:`pair_codes`.
    content
        Numeric arrays (float, NaN for missing) that must agree for two rows with one key to
        be plain duplicates.
    what
        Words for the key in messages (e.g. "mission, country, personnel type and date").
    """
    alive = ~ledger.rejected_mask()
    frame = pd.DataFrame({"key": keys})
    frame = frame[alive]
    dup = frame["key"].duplicated(keep="first")
    if not dup.any():
        return
    first_pos = frame.groupby("key", sort=False).cumcount()  # 0 for the first occurrence
    first_index = frame.index.to_series().groupby(frame["key"].to_numpy()).transform("first")
    later = frame.index[(first_pos > 0).to_numpy()]
    firsts = first_index.loc[later].to_numpy()
    same = np.ones(len(later), dtype=bool)
    for values in content:
        arr = np.asarray(values, dtype="float64")
        a, b = arr[later], arr[firsts]
        same &= (a == b) | (np.isnan(a) & np.isnan(b))
    n = len(ledger.lines)
    reason = np.full(n, "", dtype=object)
    first_lines = ledger.lines[firsts]
    reason[later] = np.where(
        same,
        np.array(
            [f"duplicate: same {what} and numbers as line {ln}" for ln in first_lines], dtype=object
        ),
        np.array(
            [
                f"conflicting duplicate: same {what} as line {ln} but different numbers"
                for ln in first_lines
            ],
            dtype=object,
        ),
    )
    exact = np.zeros(n, dtype=bool)
    exact[later[same]] = True
    conflict = np.zeros(n, dtype=bool)
    conflict[later[~same]] = True
    # the whole row is the offending value: the reject keeps the original columns
    blank = np.full(n, "", dtype=object)
    ledger.reject(exact, "(row)", blank, reason, "delete the repeated row")
    ledger.reject(conflict, "(row)", blank, reason, "keep the correct one of the rows")
