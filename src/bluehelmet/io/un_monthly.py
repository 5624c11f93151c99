"""Importer for the UN's monthly contributions file (``odp_contributionsbygender.csv``).

Two variants are read, recognised by their header (case-insensitive):

- the UN Peacekeeping open-data file: ``ISOCode3, Contributing_Country, Mission_Acronym,
  Personnel_Type, Female_Personnel, Male_Personnel, Last_Reporting_Date``;
- the Peace and Security Data Hub file: the same fields in lower case plus ``contribution_id``
  (not kept: the record id is built from the content so that both variants give the same ids).

Each row becomes one record of the ``deployments`` entity with id
``{mission}-{iso3}-{personnel_type}-{YYYY-MM-DD}``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from bluehelmet.errors import Problem
from bluehelmet.io.coded import Coded, arrow_strings
from bluehelmet.io.common import (
    combine_keys,
    duplicate_check,
    entity_frame,
    pair_codes,
    require_columns,
    resolve_iso3,
)
from bluehelmet.io.ledger import Ledger
from bluehelmet.io.report import ImportResult
from bluehelmet.io.text import parse_count, parse_dates, read_raw, stripped

FORMAT = "un_monthly"
COLUMNS = [
    "isocode3",
    "contributing_country",
    "mission_acronym",
    "personnel_type",
    "female_personnel",
    "male_personnel",
    "last_reporting_date",
]

#: The UN's labels and the deployments entity's personnel types.
PERSONNEL_TYPES = {
    "Troops": "troops",
    "Staff Officer": "staff_officers",
    "Experts on Mission": "experts_on_mission",
    "Formed Police Units": "formed_police",
    "Individual Police": "individual_police",
}
# Variants met in older UN files and hand-edited copies; matched case- and space-insensitively.
_VARIANTS = {
    "troops": "troops",
    "troop": "troops",
    "contingent troops": "troops",
    "staff officer": "staff_officers",
    "staff officers": "staff_officers",
    "experts on mission": "experts_on_mission",
    "expert on mission": "experts_on_mission",
    "military experts on mission": "experts_on_mission",
    "military observers": "experts_on_mission",
    "formed police units": "formed_police",
    "formed police unit": "formed_police",
    "formed police": "formed_police",
    "fpu": "formed_police",
    "individual police": "individual_police",
    "individual police officers": "individual_police",
    "ipo": "individual_police",
}
_ALLOWED_TEXT = ", ".join(PERSONNEL_TYPES)


def read_un_monthly(path: Path | str, *, strict: bool = False) -> ImportResult:
    """Import a UN monthly contributions file as ``deployments`` records.

    Parameters
    ----------
    path
        The CSV file.
    strict
        Raise :class:`~bluehelmet.errors.DataError` at the first problem instead of repairing
        or rejecting.

    Returns
    -------
    ImportResult
        ``table`` has the ``deployments`` columns; ``report`` accounts for every row.
    """
    path = Path(path)
    raw, bad_rows = read_raw(path)
    require_columns(str(path), raw, COLUMNS, "the UN monthly format")
    variant = "un_monthly (Data Hub)" if "contribution_id" in raw.columns else FORMAT
    ledger = Ledger(str(path), variant, raw, strict=strict, bad_rows=bad_rows)
    text = {c: stripped(ledger, raw, c) for c in COLUMNS}
    mission = _mission(ledger, text["mission_acronym"])
    ledger.set_labels(pair_label(mission, text["contributing_country"]))

    iso3 = resolve_iso3(
        ledger, text["isocode3"], text["contributing_country"], "isocode3", "contributing_country"
    )
    ptype = _personnel_type(ledger, text["personnel_type"])
    women, bad_w = parse_count(ledger, text["female_personnel"], "female_personnel")
    men, bad_m = parse_count(ledger, text["male_personnel"], "male_personnel")
    for column, bad in (("female_personnel", bad_w), ("male_personnel", bad_m)):
        ledger.reject(
            bad,
            column,
            text[column].rows(),
            "not a whole number of persons (0 or more)",
            "write the number of persons, e.g. 12 (0 if none)",
        )
    dates, mix, bad_date = parse_dates(text["last_reporting_date"])
    ledger.reject(
        bad_date | dates.isna().to_numpy(),
        "last_reporting_date",
        text["last_reporting_date"].rows(),
        "not a date between 1677 and 2262 (DD/MM/YYYY, DD-Mon-YY or YYYY-MM-DD)",
        "write the last day of the month reported, e.g. 31/01/2021",
    )
    if len(mix) > 1:
        shown = ", ".join(f"{n:,} rows {f}" for f, n in mix.items())
        ledger.warn(
            Problem(
                str(path),
                None,
                "last_reporting_date",
                None,
                f"the file mixes date formats ({shown}); all were read day-first",
                "check that no date was written month-first",
            )
        )

    date_text = text["last_reporting_date"].remap(_iso_dates(text["last_reporting_date"]))
    keys = _keys(mission, iso3, ptype, date_text)
    duplicate_check(
        ledger,
        keys,
        [women.to_numpy("float64", na_value=np.nan), men.to_numpy("float64", na_value=np.nan)],
        "mission, country, personnel type and date",
    )
    source = f"UN Peacekeeping open data, contributions by gender ({path.name})"

    def build(rows: np.ndarray) -> pd.DataFrame:
        return entity_frame(
            "deployments",
            {
                "id": _ids(
                    mission.subset(rows),
                    iso3.subset(rows),
                    ptype.subset(rows),
                    date_text.subset(rows),
                ),
                "mission_id": mission.subset(rows),
                "contributor_id": iso3.subset(rows),
                "personnel_type": ptype.subset(rows),
                "date": dates.to_numpy()[rows],
                "women": women.array[rows],
                "men": men.array[rows],
            },
            len(rows),
            source=source,
        )

    return ledger.finish(build)


def _iso_dates(text: Coded) -> np.ndarray:
    """ISO date text per distinct value of a date column (``""`` where unparseable)."""
    dates, _, _ = parse_dates(Coded(np.arange(len(text.uniques)), text.uniques))
    return dates.dt.strftime("%Y-%m-%d").fillna("").to_numpy(dtype=object)


def pair_label(a: Coded, b: Coded) -> np.ndarray:
    """``"a/b"`` per row, built once per distinct pair."""
    rows, ia, ib = pair_codes(a, b)
    labels = np.array(
        [f"{x}/{y}" for x, y in zip(a.uniques[ia], b.uniques[ib], strict=True)], dtype=object
    )
    return labels[rows]


def _keys(mission: Coded, iso3: Coded, ptype: Coded, date: Coded) -> np.ndarray:
    """Integer key per row: equal keys = same mission, country, personnel type and date."""
    return combine_keys(mission.codes, iso3.codes, ptype.codes, date.codes)


def _ids(mission: Coded, iso3: Coded, ptype: Coded, date: Coded) -> pd.Series:
    """Record ids ``{mission}-{iso3}-{type}-{date}``, joined in C by pyarrow."""
    ids = pc.binary_join_element_wise(
        mission.arrow(),
        iso3.arrow(),
        ptype.arrow(),
        date.arrow(),
        pa.scalar("-", pa.large_string()),
    )
    return arrow_strings(ids)


def _mission(ledger: Ledger, text: Coded) -> Coded:
    upper = np.array([v.upper() for v in text.uniques], dtype=object)
    change = (upper != text.uniques) & (text.uniques != "")
    if change.any():
        ledger.repair(
            text.per_row(change),
            "mission_acronym",
            text.rows(),
            text.per_row(upper),
            "case_variant",
        )
    ledger.reject(
        text.per_row(text.uniques == ""),
        "mission_acronym",
        text.rows(),
        "mission acronym is missing",
        "give the mission's acronym, e.g. MINUSMA",
    )
    return text.remap(upper)


def _personnel_type(ledger: Ledger, text: Coded) -> Coded:
    canonical = {v: k for k, v in PERSONNEL_TYPES.items()}
    exact = np.array([PERSONNEL_TYPES.get(v, "") for v in text.uniques], dtype=object)
    loose = np.array(
        [_VARIANTS.get(" ".join(v.replace("_", " ").split()).lower(), "") for v in text.uniques],
        dtype=object,
    )
    repaired = (exact == "") & (loose != "")
    if repaired.any():
        shown = np.array([canonical.get(v, "") for v in loose], dtype=object)
        ledger.repair(
            text.per_row(repaired),
            "personnel_type",
            text.rows(),
            text.per_row(shown),
            "personnel_type_variant",
        )
    ledger.reject(
        text.per_row((exact == "") & (loose == "")),
        "personnel_type",
        text.rows(),
        "not a UN personnel type",
        f"use one of: {_ALLOWED_TEXT}",
    )
    return text.remap(np.where(exact != "", exact, loose))
