"""Intelligence reports: validation, conversion of event files, reading under need to know.

Reports are kept in a report store (:mod:`bluehelmet.intel.store`, one SQLite file in the store
folder); ``incidents.csv`` and ``incident_links.csv`` are written beside it by fusion.

Reports are validated against their declaration (``model/schema/reports.csv``) with
:func:`~bluehelmet.model.validate.coerce_table`. Analyses read reports only through a
:class:`~bluehelmet.intel.view.ReportView` (a store's ``view(reader)``, or
:class:`~bluehelmet.intel.view.ReportTable` for reports in memory), which keeps only what the
reader may see and blanks the protected ``reporter_contact`` unless the reader is entitled to it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from bluehelmet.errors import DataError, Problem, UnreadableFileError
from bluehelmet.intel.gazetteer import resolve_places, suggest
from bluehelmet.model.schema import entity
from bluehelmet.model.validate import (
    FIRST_DATA_LINE,
    coerce_table,
    to_datetime_ns,
)

REPORTS_FILE = "reports.csv"
#: Column that never leaves the record's owner (declared in ``model/schema/_sensitivity.csv``).
PROTECTED = entity("reports").protected_columns[0]
#: Length of one unit of each time precision, in hours (months and years: not linked by time).
PRECISION_HOURS: dict[str, float] = {
    "minute": 1 / 60,
    "hour": 1.0,
    "day": 24.0,
    "month": 24.0 * 31,
    "year": 24.0 * 366,
}
_TIME_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y-%m", "%Y")


def parse_times(text: pd.Series) -> pd.Series:
    """Parse ISO 8601 report times to ``datetime64[ns]``; NaT where none of the forms fits.

    Accepted: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD[THH:MM[:SS]]``, with an optional ``Z``, from
    1677-09-22 to 2262-04-11 (what a nanosecond timestamp holds); a time outside that range
    (``9999-12-31``, ``0001-01-01``) is NaT too, never an error.
    """
    codes, uniques = pd.factorize(text.astype("string"))  # times repeat: parse each once
    clean = pd.Series(uniques, dtype="string").str.strip().str.removesuffix("Z")
    parsed = pd.Series(pd.NaT, index=clean.index, dtype="datetime64[ns]")
    for fmt in _TIME_FORMATS:
        todo = parsed.isna() & clean.notna()
        if not todo.any():
            break
        parsed[todo] = to_datetime_ns(clean[todo], fmt)[0].to_numpy()
    values = np.append(parsed.to_numpy(), np.datetime64("NaT", "ns"))  # code -1: missing
    return pd.Series(values[codes], index=text.index, dtype="datetime64[ns]")


def validate_reports(raw: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Coerce raw report text to the declared table, check times, resolve place names.

    Rows are never dropped: a report whose place cannot be found keeps empty coordinates and the
    problem is returned.
    """
    table, problems = coerce_table("reports", raw, file)
    times = parse_times(table["time"])
    lines = np.arange(len(table)) + FIRST_DATA_LINE
    for i in np.flatnonzero(table["time"].notna().to_numpy() & times.isna().to_numpy()):
        problems.append(
            Problem(
                file,
                int(lines[i]),
                "time",
                str(table["time"].iloc[i]),
                "not an ISO 8601 time from 1677-09-22 to 2262-04-11",
                "write YYYY-MM-DD, YYYY-MM-DDTHH:MM (UTC) or YYYY",
            )
        )
    one = table["longitude"].isna() != table["latitude"].isna()
    for i in np.flatnonzero(one.to_numpy()):
        problems.append(
            Problem(
                file,
                int(lines[i]),
                "longitude",
                None,
                "only one of longitude and latitude is given",
                "give both coordinates, or neither and a place_name",
            )
        )
    table, unresolved = resolve_places(table)
    for i in np.flatnonzero(unresolved):
        name = table["place_name"].iloc[i]
        near = suggest(str(name)) if pd.notna(name) else []
        problems.append(
            Problem(
                file,
                int(lines[i]),
                "place_name",
                None if pd.isna(name) else str(name),
                "no coordinates and the place is not in the gazetteer"
                if pd.notna(name)
                else "neither coordinates nor a place name",
                (
                    f"did you mean {' or '.join(repr(n) for n in near)}? Else give "
                    if near
                    else "give "
                )
                + "longitude and latitude, or a place name from "
                "docs/intelligence.md#gazetteer",
            )
        )
    return table, problems


def read_reports_file(path: str | Path) -> tuple[pd.DataFrame, list[Problem]]:
    """Read a report CSV (the store's columns) as a validated table and its problems."""
    file = Path(path)
    try:
        raw = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raw = pd.DataFrame(columns=entity("reports").column_names)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise UnreadableFileError(f"{file}: cannot be read as a UTF-8 CSV file ({exc})") from exc
    return validate_reports(raw, str(file))


def export_table(table: pd.DataFrame) -> pd.DataFrame:
    """A report table made safe to write out: the protected column is removed altogether."""
    return table.drop(columns=[PROTECTED], errors="ignore")


def events_to_reports(events: pd.DataFrame, source: str) -> pd.DataFrame:
    """Turn UCDP events (``bluehelmet.io.ucdp`` contract) into unclassified report records.

    Event files are graded B2 (usually reliable source, probably true: UCDP codes from several
    published sources; an assumption, see docs). Events that killed civilians or are one-sided
    violence become ``attack_on_civilians``; the rest ``other``.
    """
    n = len(events)
    dated = events["date_start"].notna()
    time = events["date_start"].dt.strftime("%Y-%m-%d").astype("string")
    time = time.where(dated, events["year"].astype("string"))
    civ = events["deaths_civilians"].fillna(0).gt(0) | events["type_of_violence"].eq(3).fillna(
        False
    )
    raw = pd.DataFrame(
        {
            "id": "ucdp-" + events["event_id"].astype("string"),
            "time": time,
            "time_precision": np.where(dated, "day", "year"),
            "longitude": events["longitude"].astype("string"),
            "latitude": events["latitude"].astype("string"),
            "place_name": events["where_description"].astype("string"),
            "category": np.where(civ, "attack_on_civilians", "other"),
            "fatalities": events["best"].astype("string"),
            "civilian_deaths": events["deaths_civilians"].astype("string"),
            "source_type": "event_file",
            "reliability": "B",
            "credibility": "2",
            "classification": "unclassified",
            "owner": "UCDP",
            "basis": "real",
            "source": f"UCDP GED ({source})",
        },
        index=range(n),
    ).fillna("")
    table, problems = coerce_table("reports", raw, source)
    if problems:
        raise DataError(problems)
    return table
