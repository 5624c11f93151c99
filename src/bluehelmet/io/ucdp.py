"""Importer for UCDP Georeferenced Event Dataset (GED) files: the full 49 columns or the subset.

The output contract (kept exactly; the intelligence module codes against it):

=====================  ================  ==================================================
column                 dtype             meaning
=====================  ================  ==================================================
``event_id``           string            GED ``id``; for the subset a stable hash of file
                                         name and line (``sub-<12 hex>``)
``year``               Int64             year of the event
``date_start``         datetime64[ns]    first day of the event (NaT in the subset)
``longitude``          float64           WGS84
``latitude``           float64           WGS84
``where_description``  string            place (the subset calls it ``where_coordinates``)
``country``            string            GED country name (NA in the subset)
``type_of_violence``   Int64             1 state-based, 2 non-state, 3 one-sided (NA in subset)
``best``               Int64             best estimate of deaths
``deaths_civilians``   Int64             civilian deaths
=====================  ================  ==================================================

Checks: coordinates parse (decimal commas repaired) and lie in range; where a country is
given, longitude and latitude swapped are detected with the outline and repaired; counts are
whole and not negative; dates parse; repeated GED ids (also across files) are rejected.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from bluehelmet.errors import DataError, Problem
from bluehelmet.io.coded import Coded
from bluehelmet.io.ledger import Ledger
from bluehelmet.io.report import ImportResult, merge_results
from bluehelmet.io.text import parse_count, parse_dates, parse_float, read_raw, stripped
from bluehelmet.reference.countries import countries_at, lookup_iso3

FORMAT_FULL = "ucdp_ged"
FORMAT_SUBSET = "ucdp_ged_subset"
SUBSET_COLUMNS = ["year", "longitude", "latitude", "where_coordinates", "best", "deaths_civilians"]
FULL_COLUMNS = [
    "id",
    "year",
    "type_of_violence",
    "where_description",
    "latitude",
    "longitude",
    "country",
    "date_start",
    "best",
    "deaths_civilians",
]
OUTPUT_COLUMNS = [
    "event_id",
    "year",
    "date_start",
    "longitude",
    "latitude",
    "where_description",
    "country",
    "type_of_violence",
    "best",
    "deaths_civilians",
]


def empty_events() -> pd.DataFrame:
    """An empty events table with the output columns and dtypes."""
    return pd.DataFrame(
        {
            "event_id": pd.Series(dtype="string"),
            "year": pd.Series(dtype="Int64"),
            "date_start": pd.Series(dtype="datetime64[ns]"),
            "longitude": pd.Series(dtype="float64"),
            "latitude": pd.Series(dtype="float64"),
            "where_description": pd.Series(dtype="string"),
            "country": pd.Series(dtype="string"),
            "type_of_violence": pd.Series(dtype="Int64"),
            "best": pd.Series(dtype="Int64"),
            "deaths_civilians": pd.Series(dtype="Int64"),
        }
    )


def read_ucdp(paths: list[Path] | Path, *, strict: bool = False) -> ImportResult:
    """Import one or several UCDP GED files (full or subset; they may be mixed).

    Parameters
    ----------
    paths
        A file or a list of files; their events are concatenated.
    strict
        Raise :class:`~bluehelmet.errors.DataError` at the first problem.

    Returns
    -------
    ImportResult
        ``table`` with the columns of :data:`OUTPUT_COLUMNS`; ``report`` accounts for every row
        of every file (a ``file`` column says which, when there are several).
    """
    files = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    if not files:
        raise ValueError("read_ucdp needs at least one file")
    seen: set[str] = set()
    results = []
    for path in files:
        result = _read_one(path, strict=strict, seen=seen)
        seen.update(result.table["event_id"].dropna().astype(str))
        results.append(result)
    return merge_results(results, results[0].report.format)


def _read_one(path: Path, *, strict: bool, seen: set[str]) -> ImportResult:
    raw, bad_rows = read_raw(path)
    full = all(c in raw.columns for c in FULL_COLUMNS)
    if not full and not all(c in raw.columns for c in SUBSET_COLUMNS):
        raise DataError(
            Problem(
                str(path),
                1,
                None,
                ", ".join(raw.columns),
                "not a UCDP GED file",
                f"give GED's columns ({', '.join(FULL_COLUMNS)}, ...) or the "
                f"subset's ({', '.join(SUBSET_COLUMNS)})",
            )
        )
    ledger = Ledger(
        str(path), FORMAT_FULL if full else FORMAT_SUBSET, raw, strict=strict, bad_rows=bad_rows
    )
    n = len(raw)
    place = "where_description" if full else "where_coordinates"
    used = FULL_COLUMNS if full else SUBSET_COLUMNS
    text = {c: stripped(ledger, raw, c) for c in used}
    ledger.set_labels(text[place].rows())
    lon, bad_lon = parse_float(ledger, text["longitude"], "longitude")
    lat, bad_lat = parse_float(ledger, text["latitude"], "latitude")
    for col, bad, values in (("longitude", bad_lon, lon), ("latitude", bad_lat, lat)):
        ledger.reject(
            bad | ~np.isfinite(values),
            col,
            text[col],
            "not a number",
            "write decimal degrees (WGS84)",
        )
    if full:
        lon, lat = _swapped(ledger, text, lon, lat)
    out_of_range = np.isfinite(lon) & np.isfinite(lat) & ((np.abs(lon) > 180) | (np.abs(lat) > 90))
    ledger.reject(
        out_of_range,
        "latitude",
        text["latitude"],
        "coordinates out of range (longitude -180..180, latitude -90..90)",
        "check the coordinates; longitude and latitude may be swapped",
    )
    year, bad_year = parse_count(ledger, text["year"], "year")
    ledger.reject(bad_year, "year", text["year"], "not a year", "write the year, e.g. 2012")
    counts = {}
    for col in ("best", "deaths_civilians"):
        counts[col], bad = parse_count(ledger, text[col], col)
        ledger.reject(
            bad,
            col,
            text[col],
            "not a whole number of deaths (0 or more)",
            "write the number of deaths, 0 if none",
        )
    if full:
        event_id = text["id"].series()
        ledger.reject(
            text["id"].rows() == "", "id", text["id"], "event id is missing", "give GED's event id"
        )
        date, _, bad_date = parse_dates(text["date_start"])
        ledger.reject(
            bad_date, "date_start", text["date_start"], "not a date", "write the date as YYYY-MM-DD"
        )
        violence, bad_v = parse_count(ledger, text["type_of_violence"], "type_of_violence")
        bad_v |= ~violence.isin([1, 2, 3]).to_numpy(dtype=bool, na_value=False)
        ledger.reject(
            bad_v,
            "type_of_violence",
            text["type_of_violence"],
            "not 1, 2 or 3",
            "1 = state-based, 2 = non-state, 3 = one-sided violence",
        )
        country = text["country"].series().replace("", pd.NA)
        dup = (event_id.duplicated(keep="first") & (event_id != "")).to_numpy(dtype=bool)
        ledger.reject(
            dup & ~ledger.rejected_mask(),
            "id",
            text["id"],
            "the event id is used by an earlier row",
            "delete the repeated event",
        )
        earlier = event_id.isin(seen).to_numpy(dtype=bool) & ~ledger.rejected_mask()
        ledger.reject(
            earlier,
            "id",
            text["id"],
            "the event id was read from an earlier file",
            "import each event once",
        )
    else:
        names = [f"{path.name}:{line}" for line in ledger.lines]
        event_id = pd.Series(
            ["sub-" + hashlib.blake2b(k.encode(), digest_size=6).hexdigest() for k in names],
            dtype="string",
        )
        date = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
        violence = pd.Series(pd.NA, index=range(n), dtype="Int64")
        country = pd.Series(pd.NA, index=range(n), dtype="string")
    table = pd.DataFrame(
        {
            "event_id": event_id.astype("string"),
            "year": year,
            "date_start": date.astype("datetime64[ns]"),
            "longitude": lon,
            "latitude": lat,
            "where_description": text[place].series(),
            "country": country.astype("string"),
            "type_of_violence": violence.astype("Int64"),
            "best": counts["best"],
            "deaths_civilians": counts["deaths_civilians"],
        }
    )
    return ledger.finish(table)


def _swapped(
    ledger: Ledger, text: dict[str, Coded], lon: np.ndarray, lat: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Swap coordinates where the point is outside the given country but inside once swapped."""
    country = text["country"]
    codes_u = np.array(
        [lookup_iso3(str(c).split("(")[0]) or lookup_iso3(str(c)) or "" for c in country.uniques],
        dtype=object,
    )
    iso = country.per_row(codes_u)
    finite = np.isfinite(lon) & np.isfinite(lat) & (iso != "")
    here = np.full(len(lon), None, dtype=object)
    here[finite] = countries_at(lon[finite], lat[finite])
    outside = finite & (here != iso)
    there = np.full(len(lon), None, dtype=object)
    there[outside] = countries_at(lat[outside], lon[outside])
    swap = outside & (there == iso)
    if swap.any():
        ledger.repair(swap, "longitude", text["longitude"], lat.astype(str), "swapped_coordinates")
        ledger.repair(swap, "latitude", text["latitude"], lon.astype(str), "swapped_coordinates")
        lon, lat = np.where(swap, lat, lon), np.where(swap, lon, lat)
    return lon, lat
