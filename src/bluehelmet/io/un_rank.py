"""Importer for the UN's contributor ranking (``un_contributions_rank_2021-01.csv``).

Columns: ``ISOCode3, M49_Code, Contributing_Country, Personnel_Contribution_Rank,
Female_Personnel, Male_Personnel, Total_Uniformed_Personnel, Last_Reporting_Date``. Each row
becomes a ``contributors`` record (id = ISO3, name, M49 code, region and a point from the country
table); the personnel figures are checked (Female + Male = Total, ranks in order) but are a
snapshot, not a scenario record: use the monthly file for deployments.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from bluehelmet.errors import Problem
from bluehelmet.io.common import entity_frame, require_columns, resolve_iso3
from bluehelmet.io.ledger import Ledger
from bluehelmet.io.report import ImportResult
from bluehelmet.io.text import parse_count, parse_dates, read_raw, stripped
from bluehelmet.reference.countries import countries

FORMAT = "un_contributor_rank"
COLUMNS = [
    "isocode3",
    "m49_code",
    "contributing_country",
    "personnel_contribution_rank",
    "female_personnel",
    "male_personnel",
    "total_uniformed_personnel",
    "last_reporting_date",
]


def read_un_rank(path: Path | str, *, strict: bool = False) -> ImportResult:
    """Import a UN contributor ranking as ``contributors`` records.

    Parameters
    ----------
    path
        The CSV file.
    strict
        Raise :class:`~bluehelmet.errors.DataError` at the first problem.
    """
    path = Path(path)
    raw, bad_rows = read_raw(path)
    require_columns(str(path), raw, COLUMNS, "the ranking")
    ledger = Ledger(str(path), FORMAT, raw, strict=strict, bad_rows=bad_rows)
    text = {c: stripped(ledger, raw, c) for c in COLUMNS}
    ledger.set_labels(text["contributing_country"].rows())
    iso3 = resolve_iso3(
        ledger, text["isocode3"], text["contributing_country"], "isocode3", "contributing_country"
    )
    m49, bad_m49 = parse_count(ledger, text["m49_code"], "m49_code")
    bad_m49 |= m49.to_numpy("float64", na_value=np.nan) > 999
    ledger.reject(
        bad_m49,
        "m49_code",
        text["m49_code"],
        "not a UN M49 code (0-999)",
        "give the country's three-digit M49 code",
    )
    counts = {}
    for col in (
        "personnel_contribution_rank",
        "female_personnel",
        "male_personnel",
        "total_uniformed_personnel",
    ):
        counts[col], bad = parse_count(ledger, text[col], col)
        ledger.reject(bad, col, text[col], "not a whole number (0 or more)", "write a number")
    women = counts["female_personnel"].to_numpy("float64", na_value=np.nan)
    men = counts["male_personnel"].to_numpy("float64", na_value=np.nan)
    total = counts["total_uniformed_personnel"].to_numpy("float64", na_value=np.nan)
    wrong = np.isfinite(women + men + total) & (women + men != total)
    ledger.repair(
        wrong,
        "total_uniformed_personnel",
        text["total_uniformed_personnel"],
        np.array([str(int(v)) if np.isfinite(v) else "" for v in women + men], dtype=object),
        "total_recomputed",
    )
    _, mix, bad_date = parse_dates(text["last_reporting_date"])
    ledger.reject(
        bad_date,
        "last_reporting_date",
        text["last_reporting_date"],
        "not a date",
        "write the date, e.g. 31-Jan-21 or 2021-01-31",
    )
    if len(mix) > 1:
        ledger.warn(
            Problem(
                str(path),
                None,
                "last_reporting_date",
                None,
                f"several date formats in one snapshot: {mix}",
                "a ranking is one reporting date; check the file",
            )
        )
    rank = counts["personnel_contribution_rank"].to_numpy("float64", na_value=np.nan)
    order = np.argsort(-np.nan_to_num(women + men, nan=-1), kind="stable")
    if np.any(np.diff(rank[order][np.isfinite(rank[order])]) < 0):
        ledger.warn(
            Problem(
                str(path),
                None,
                "personnel_contribution_rank",
                None,
                "the ranks do not follow the personnel totals",
                "recompute the ranks from the totals",
            )
        )

    ref = countries().set_index("iso3")
    codes = iso3.series()
    table = entity_frame(
        "contributors",
        {
            "id": codes,
            "name": text["contributing_country"].series(),
            "iso3": codes,
            "m49": m49,
            "region": codes.map(ref["region"]).astype("string"),
            "longitude": codes.map(ref["longitude"]).astype("float64"),
            "latitude": codes.map(ref["latitude"]).astype("float64"),
        },
        len(raw),
        source=f"UN Peacekeeping open data, contributions ranking ({path.name}); point inside "
        "the country from Natural Earth 1:110m (or the capital for small states)",
    )
    table["basis"] = pd.Series("derived", index=table.index, dtype="string")
    return ledger.finish(table)
