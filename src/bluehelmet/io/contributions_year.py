"""Importer for the contributions-by-year table (``"",Year,Country,Mission,Female,Male,Total``).

Uniformed personnel by contributing country x mission x year (the yearly average of the UN's
monthly figures). Output: one row per country x mission x year with ``iso3, country,
mission_id, year, women, men, total, padding, complete_year``.

Rules (see ``docs/importers.md``):

- country names become ISO3 codes through :func:`~bluehelmet.reference.countries.lookup_iso3`;
  a name found only in the alias table is recorded (rule ``iso3_via_alias``), unknown names are
  rejected (fix: add an alias);
- Female + Male != Total: Female and Male are kept and Total recomputed (rule
  ``total_recomputed``): the parts are what gender statistics use, and the differences are the
  rounding of yearly averages (never more than 1 in the bundled file);
- rows with all counts zero are *padding* (the table lists every country x mission): they are
  accepted and kept with ``padding = True`` so that nothing is lost, counted in a warning, and
  left out by :func:`bluehelmet.reference.contributions_by_year` unless asked for;
- incomplete periods: a year whose total is below ``threshold`` (75 %) of the median of its
  nearest complete neighbours (up to two on each side) is flagged, worst first, so that a flagged
  year never serves as a neighbour. Such years get ``complete_year = False`` and a warning; plot
  them as gaps, not as drops.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from bluehelmet.errors import Problem
from bluehelmet.io.common import combine_keys, duplicate_check, pair_codes, require_columns
from bluehelmet.io.ledger import Ledger
from bluehelmet.io.report import ImportResult
from bluehelmet.io.text import parse_count, read_raw, stripped
from bluehelmet.reference.countries import match_country

FORMAT = "contributions_by_year"
COLUMNS = ["year", "country", "mission", "female", "male", "total"]
#: A year is incomplete when its total is below this share of its neighbours' median.
THRESHOLD = 0.75
#: Neighbours considered on each side.
WINDOW = 2


def incomplete_years(
    totals: pd.Series, *, threshold: float = THRESHOLD, window: int = WINDOW
) -> pd.DataFrame:
    """Flag years whose total is far below that of their neighbours.

    Parameters
    ----------
    totals
        Total per year (index: year).
    threshold
        A year is incomplete when ``total < threshold * reference``.
    window
        Up to this many nearest complete years on each side form the reference (their median).

    Returns
    -------
    pandas.DataFrame
        Index year; columns ``total``, ``reference`` (median of the neighbours used),
        ``ratio`` and ``complete`` (bool).
    """
    years = sorted(int(str(y)) for y in totals.index)
    values = {int(str(y)): float(v) for y, v in totals.items()}
    flagged: set[int] = set()

    def reference(year: int) -> float:
        ok = [y for y in years if y not in flagged and y != year]
        before = [y for y in ok if y < year][-window:]
        after = [y for y in ok if y > year][:window]
        near = before + after
        return float(np.median([values[y] for y in near])) if near else float("nan")

    while True:  # flag the worst year first, so that it never serves as a neighbour
        refs = {y: reference(y) for y in years if y not in flagged}
        # a reference of 0 (all neighbours empty) says nothing about completeness
        ratios = {y: values[y] / r for y, r in refs.items() if np.isfinite(r) and r > 0}
        if not ratios:
            break
        worst = min(ratios, key=lambda y: ratios[y])
        if ratios[worst] >= threshold:
            break
        flagged.add(worst)
    refs = {y: reference(y) for y in years}
    out = pd.DataFrame(
        {
            "total": [values[y] for y in years],
            "reference": [refs[y] for y in years],
        },
        index=pd.Index(years, name="year"),
    )
    out["ratio"] = out["total"] / out["reference"].where(out["reference"] > 0)
    out["complete"] = [y not in flagged for y in years]
    return out


def read_contributions_by_year(path: Path | str, *, strict: bool = False) -> ImportResult:
    """Import a contributions-by-year table.

    Parameters
    ----------
    path
        The CSV file.
    strict
        Raise :class:`~bluehelmet.errors.DataError` at the first problem.

    Returns
    -------
    ImportResult
        ``table`` with ``iso3, country, mission_id, year, women, men, total, padding,
        complete_year``; ``report`` accounts for every row and warns about incomplete years.
    """
    path = Path(path)
    raw, bad_rows = read_raw(path)
    require_columns(str(path), raw, COLUMNS, "the table")
    ledger = Ledger(str(path), FORMAT, raw, strict=strict, bad_rows=bad_rows)
    text = {c: stripped(ledger, raw, c) for c in COLUMNS}
    country, mission = text["country"], text["mission"]
    rows, c_u, m_u = pair_codes(country, mission)
    ledger.set_labels(
        np.array(
            [f"{a}/{b}" for a, b in zip(country.uniques[c_u], mission.uniques[m_u], strict=True)],
            dtype=object,
        )[rows]
    )

    matches = [match_country(n) for n in country.uniques]
    codes_u = np.array([code or "" for code, _ in matches], dtype=object)
    via_alias = np.array([how == "alias" for _, how in matches], dtype=bool)
    iso3 = country.per_row(codes_u)
    known = iso3 != ""
    # the name is kept; a UN-style name resolved through the alias table is recorded
    ledger.repair(country.per_row(via_alias), "country", country, iso3, "iso3_via_alias")
    ledger.reject(
        ~known & (country.rows() != ""),
        "country",
        country,
        "country name not known",
        "add an alias: a row 'name,ISO3,source' in "
        "bluehelmet/datasets/reference/country_aliases.csv",
    )
    ledger.reject(
        country.rows() == "",
        "country",
        country,
        "country is missing",
        "give the contributing country's name",
    )
    ledger.reject(
        mission.rows() == "", "mission", mission, "mission is missing", "give the mission's acronym"
    )

    year, bad_year = parse_count(ledger, text["year"], "year")
    year_f = year.to_numpy("float64", na_value=np.nan)
    bad_year |= ~((year_f >= 1948) & (year_f <= 2100))
    ledger.reject(
        bad_year,
        "year",
        text["year"],
        "not a year between 1948 and 2100",
        "write the calendar year, e.g. 2018",
    )
    counts = {}
    for col in ("female", "male", "total"):
        counts[col], bad = parse_count(ledger, text[col], col)
        ledger.reject(
            bad,
            col,
            text[col],
            "not a whole number of persons (0 or more)",
            "write the number of persons, e.g. 12 (0 if none)",
        )
    women = counts["female"].to_numpy("float64", na_value=np.nan)
    men = counts["male"].to_numpy("float64", na_value=np.nan)
    total = counts["total"].to_numpy("float64", na_value=np.nan)
    wrong = np.isfinite(women + men + total) & (women + men != total)
    new_total = women + men
    ledger.repair(
        wrong,
        "total",
        text["total"],
        np.array([str(int(v)) if np.isfinite(v) else "" for v in new_total], dtype=object),
        "total_recomputed",
    )
    total = np.where(wrong, new_total, total)

    keys = combine_keys(rows, text["year"].codes)
    duplicate_check(ledger, keys, [women, men, total], "year, country and mission")

    table = pd.DataFrame(
        {
            "iso3": pd.Series(iso3, dtype="string").replace("", pd.NA),
            "country": country.series(),
            "mission_id": mission.series().str.upper(),
            "year": year,
            "women": pd.array(women, dtype="Int64"),
            "men": pd.array(men, dtype="Int64"),
            "total": pd.array(total, dtype="Int64"),
            "padding": (np.nan_to_num(total) == 0) & np.isfinite(total),
        }
    )
    alive = ~ledger.rejected_mask()
    _warn_padding(ledger, table, alive)
    table["complete_year"] = _flag_years(ledger, table, alive)
    return ledger.finish(table)


def _warn_padding(ledger: Ledger, table: pd.DataFrame, alive: np.ndarray) -> None:
    padding = int((table["padding"].to_numpy() & alive).sum())
    if padding:
        ledger.warn(
            Problem(
                ledger.file,
                None,
                "total",
                "0",
                f"{padding:,} of {int(alive.sum()):,} rows are zero padding (every country x "
                "mission x year is listed); they are kept as zero records with padding = True",
                "nothing to fix; leave them out of statistics that count records",
            )
        )


def _flag_years(ledger: Ledger, table: pd.DataFrame, alive: np.ndarray) -> np.ndarray:
    live = table[alive & table["year"].notna().to_numpy()]
    totals = live.groupby("year")["total"].sum().astype("float64")
    if len(totals) < 2:
        return np.ones(len(table), dtype=bool)
    check = incomplete_years(totals)
    for year, row in check[~check["complete"]].iterrows():
        ledger.warn(
            Problem(
                ledger.file,
                None,
                "year",
                str(year),
                f"incomplete period: the {year} total ({row['total']:,.0f}) is {row['ratio']:.0%} "
                f"of the median of its neighbouring complete years ({row['reference']:,.0f}); "
                "months are probably missing from the yearly average",
                "treat the year as incomplete (a gap, not a drop); get the monthly figures",
            )
        )
    complete_years = set(check.index[check["complete"]])
    return table["year"].isin(complete_years).to_numpy(dtype=bool, na_value=False)
