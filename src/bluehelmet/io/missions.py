"""Importer for the UN Peace and Security Data Hub mission list (``un_psdh_missions.csv``).

Columns: ``id, mission_acronym, mission_name, lead_department, mission_isactive, start_date,
end_date, mission_location, mission_longitude, mission_latitude, last_update``. Each row becomes
one ``missions`` record with the acronym as id. Repairs: surrounding spaces, decimal commas,
``NO``/``no`` -> ``No``, longitude and latitude swapped (detected with the HQ town's country
outline and position). Rejects: broken quoting, aggregate rows that repeat their parts
("UNOSOM (I & II)"), repeated acronyms, unreadable values. Warnings: empty dates, an active flag
contradicting the end date or a later known fact (MINUSMA closed in 2023).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from bluehelmet.errors import Problem
from bluehelmet.io.common import entity_frame, require_columns
from bluehelmet.io.ledger import Ledger
from bluehelmet.io.report import ImportResult
from bluehelmet.io.text import parse_dates, parse_float, read_raw, stripped
from bluehelmet.reference.countries import contains, countries, country_at, lookup_iso3
from bluehelmet.reference.files import reference_path
from bluehelmet.reference.places import distance_km, find_places

FORMAT = "un_psdh_missions"
REQUIRED = ["mission_acronym", "mission_name", "mission_longitude", "mission_latitude"]
OPTIONAL = ["lead_department", "mission_isactive", "start_date", "end_date", "mission_location"]
#: A swapped point must land this close to the named HQ town when the outline cannot decide.
NEAR_KM = 50.0
FAR_KM = 300.0
_ACTIVE = {"yes": "Yes", "no": "No", "y": "Yes", "n": "No", "true": "Yes", "false": "No"}
_MISSION_REGIONS = {"africa", "americas", "asia", "europe", "middle_east"}


def read_missions(path: Path | str, *, strict: bool = False) -> ImportResult:
    """Import a Data Hub mission list as ``missions`` records.

    Parameters
    ----------
    path
        The CSV file.
    strict
        Raise :class:`~bluehelmet.errors.DataError` at the first problem.

    Returns
    -------
    ImportResult
        ``table`` has the ``missions`` columns; ``report`` accounts for every row.
    """
    path = Path(path)
    raw, bad_rows = read_raw(path)
    require_columns(str(path), raw, REQUIRED, "the mission list")
    for col in OPTIONAL:
        if col not in raw.columns:
            raw[col] = ""
    ledger = Ledger(str(path), FORMAT, raw, strict=strict, bad_rows=bad_rows)
    coded = {c: stripped(ledger, raw, c) for c in REQUIRED + OPTIONAL}
    text = {c: pd.Series(v.rows(), dtype=object) for c, v in coded.items()}
    acronym = text["mission_acronym"]
    ledger.set_labels(acronym.to_numpy())
    ledger.reject(
        acronym == "",
        "mission_acronym",
        acronym,
        "mission acronym is missing",
        "give the mission's acronym, e.g. MINUSMA",
    )
    _broken_quotes(ledger, text)
    active = _active_flag(ledger, text["mission_isactive"])
    dates = {}
    for col in ("start_date", "end_date"):
        dates[col], _, bad = parse_dates(
            coded[col], open_end=ledger if col == "end_date" else None, column=col
        )
        ledger.reject(
            bad,
            col,
            text[col],
            "not a date (from 1677-09-22 to 2262-04-11)",
            "write the date as YYYY-MM-DD"
            + ("; leave it empty (or 9999-12-31) for no end date" if col == "end_date" else ""),
        )
    lon, bad_lon = parse_float(ledger, coded["mission_longitude"], "mission_longitude")
    lat, bad_lat = parse_float(ledger, coded["mission_latitude"], "mission_latitude")
    ledger.reject(
        bad_lon,
        "mission_longitude",
        text["mission_longitude"],
        "not a number",
        "write decimal degrees, e.g. -8.0",
    )
    ledger.reject(
        bad_lat,
        "mission_latitude",
        text["mission_latitude"],
        "not a number",
        "write decimal degrees, e.g. 12.65",
    )
    lon, lat, host = _locate(ledger, text, lon, lat)
    _aggregates_and_duplicates(ledger, acronym, text["mission_name"])
    _note_gaps(ledger, acronym, dates, lon, active)
    _known_facts(ledger, acronym, active, dates["end_date"])

    table_countries = countries().set_index("iso3")
    region = pd.Series(host, dtype="string").map(table_countries["region"]).astype("string")
    region = region.where(region.isin(_MISSION_REGIONS))
    language = pd.Series(host, dtype="string").map(_languages()).fillna("en")
    table = entity_frame(
        "missions",
        {
            "id": acronym,
            "name": text["mission_name"],
            "host_iso3": pd.Series(host),
            "region": region,
            "lead_department": text["lead_department"].replace("", "DPO"),
            "start_date": dates["start_date"],
            "end_date": dates["end_date"],
            "hq_location": text["mission_location"].replace("", None),
            "longitude": lon,
            "latitude": lat,
            "language": language,
        },
        len(raw),
        source=f"UN Peace and Security Data Hub, DPPADPOSS-PKO ({path.name})",
    )
    return ledger.finish(table)


def _broken_quotes(ledger: Ledger, text: dict[str, pd.Series]) -> None:
    for col, values in text.items():
        broken = values.str.contains('"', regex=False).fillna(False).to_numpy(dtype=bool)
        if not broken.any():
            continue
        cut = values.str.rstrip('"').str.strip().str.endswith((" the", " of", " in", " and"))
        reason = np.where(
            cut.to_numpy(dtype=bool),
            "broken quoting: the value starts with a stray quote and is cut off mid-sentence",
            "broken quoting: the value contains a stray quote character",
        )
        ledger.reject(
            broken,
            col,
            values,
            reason,
            'write the full value in one pair of double quotes ("..."); for DOMREP: '
            '"Mission of the Representative of the Secretary-General in the '
            'Dominican Republic"'
            if col == "mission_name"
            else "remove the stray quote or close it",
        )


def _active_flag(ledger: Ledger, values: pd.Series) -> pd.Series:
    canonical = values.str.lower().map(_ACTIVE)
    repaired = canonical.notna() & (canonical != values)
    ledger.repair(repaired, "mission_isactive", values, canonical, "case_variant")
    ledger.reject(
        canonical.isna() & (values != ""),
        "mission_isactive",
        values,
        "not Yes or No",
        "write Yes (the mission runs) or No (it has closed)",
    )
    return canonical.fillna("")


def _locate(
    ledger: Ledger, text: dict[str, pd.Series], lon: np.ndarray, lat: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Detect and repair swapped coordinates; derive the host country of each HQ."""
    lon, lat = lon.copy(), lat.copy()
    host = np.full(len(lon), None, dtype=object)
    swap = np.zeros(len(lon), dtype=bool)
    why = np.full(len(lon), "", dtype=object)
    for i, location in enumerate(text["mission_location"]):
        found = find_places(location) if location else pd.DataFrame()
        codes = [c for c in found["iso3"].dropna().unique()] if len(found) else []
        if codes:
            host[i] = codes[0]
        if not (np.isfinite(lon[i]) and np.isfinite(lat[i])) or not codes:
            continue
        inside = any(contains(c, lon[i], lat[i]) for c in codes)
        inside_swapped = any(contains(c, lat[i], lon[i]) for c in codes)
        d0 = float(distance_km(found["longitude"], found["latitude"], lon[i], lat[i]).min())
        d1 = float(distance_km(found["longitude"], found["latitude"], lat[i], lon[i]).min())
        if (not inside and inside_swapped) or (d1 <= NEAR_KM and d0 >= FAR_KM):
            swap[i] = True
            why[i] = (
                f"the point lies outside {'/'.join(codes)} ({location}) "
                f"{d0:,.0f} km from it, and {d1:,.0f} km from it once swapped"
            )
        elif not inside and d0 >= FAR_KM:
            ledger.warn(
                Problem(
                    ledger.file,
                    int(ledger.lines[i]),
                    "mission_longitude",
                    f"{lon[i]}, {lat[i]}",
                    f"{text['mission_acronym'][i]}: the HQ point lies outside "
                    f"{'/'.join(codes)} and {d0:,.0f} km from {location}",
                    "check the coordinates of the mission HQ",
                )
            )
    old_lon = text["mission_longitude"]
    old_lat = text["mission_latitude"]
    ledger.repair(
        swap, "mission_longitude", old_lon, pd.Series(lat).astype(str), "swapped_coordinates"
    )
    ledger.repair(
        swap, "mission_latitude", old_lat, pd.Series(lon).astype(str), "swapped_coordinates"
    )
    lon[swap], lat[swap] = lat[swap], lon[swap].copy()
    for k in np.flatnonzero(swap):
        ledger.warn(
            Problem(
                ledger.file,
                int(ledger.lines[k]),
                "mission_longitude",
                f"{old_lon[k]}, {old_lat[k]}",
                f"{text['mission_acronym'][k]}: longitude and latitude swapped "
                f"({why[k]}); repaired",
                "swap the two columns in the source",
            )
        )
    for k in np.flatnonzero(pd.isna(host)):
        if np.isfinite(lon[k]) and np.isfinite(lat[k]):
            host[k] = country_at(lon[k], lat[k])
        if host[k] is None:
            host[k] = _country_in_name(str(text["mission_name"][k]))
    return lon, lat, host


def _country_in_name(name: str) -> str | None:
    """ISO3 of the single country named in a mission's name, if exactly one is.

    Every run of up to six words is looked up; a match inside a longer match ("Congo" in
    "Democratic Republic of the Congo", "Sudan" in "South Sudan") does not count, nor one that
    continues a longer proper name ("Guinea" in "West New Guinea").
    """
    words = re.findall(r"[\w'’.]+|-", name)  # a hyphen is a word: "India-Pakistan" is two
    spans: list[tuple[int, int, str]] = []
    for n in range(6, 0, -1):
        for start in range(len(words) - n + 1):
            before = words[start - 1] if start else ""
            if before[:1].isupper() and before not in ("Nations", "UN"):
                continue
            code = lookup_iso3(" ".join(words[start : start + n]).replace(" - ", "-"))
            if code and not any(s <= start and start + n <= e for s, e, _ in spans):
                spans.append((start, start + n, code))
    found = {code for _, _, code in spans}
    return found.pop() if len(found) == 1 else None


def _aggregates_and_duplicates(ledger: Ledger, acronym: pd.Series, name: pd.Series) -> None:
    known = set(acronym)
    # "(I & II)" in the name: the row stands for the parts named in the parentheses
    numerals = name.str.extract(r"\(((?:[IVX]+\s*(?:&|and|,)\s*)+[IVX]+)\)\s*$")[0]
    parts = pd.Series(
        [
            [f"{a} {n}" for n in re.split(r"\s*(?:&|and|,)\s*", str(r))]
            if isinstance(r, str)
            else []
            for a, r in zip(acronym, numerals, strict=True)
        ],
        index=acronym.index,
    )
    is_aggregate = parts.map(lambda ps: len(ps) >= 2 and all(p in known for p in ps))
    reason = parts.map(
        lambda ps: (
            f"aggregate row: repeats {' and '.join(ps)}, which are "
            "listed separately (would count the mission twice)"
        )
    )
    ledger.reject(
        is_aggregate,
        "mission_acronym",
        acronym,
        reason,
        "keep the separate rows and delete the aggregate",
    )
    alive = ~ledger.rejected_mask()
    dup = acronym.where(alive).duplicated(keep="first") & acronym.where(alive).notna()
    ledger.reject(
        dup,
        "mission_acronym",
        acronym,
        "the acronym is used by an earlier row",
        "give each mission one row",
    )


def _note_gaps(
    ledger: Ledger,
    acronym: pd.Series,
    dates: dict[str, pd.Series],
    lon: np.ndarray,
    active: pd.Series,
) -> None:
    alive = ~ledger.rejected_mask()
    for col, missing in (
        ("start_date", dates["start_date"].isna().to_numpy()),
        ("end_date", dates["end_date"].isna().to_numpy() & (active == "No").to_numpy()),
        ("mission_longitude", ~np.isfinite(lon)),
    ):
        rows = np.flatnonzero(missing & alive)
        if len(rows) == 0:
            continue
        who = ", ".join(f"{acronym[i]} (line {ledger.lines[i]})" for i in rows)
        what = {
            "start_date": "start date is empty",
            "end_date": "end date is empty although the mission is not active",
            "mission_longitude": "HQ coordinates are empty",
        }[col]
        ledger.warn(
            Problem(
                ledger.file,
                None,
                col,
                None,
                f"{what} for {len(rows)} mission(s): {who}",
                "fill in from the mission's page on peacekeeping.un.org",
            )
        )
    flagged = (active == "Yes").to_numpy() & dates["end_date"].notna().to_numpy() & alive
    for i in np.flatnonzero(flagged):
        ledger.warn(
            Problem(
                ledger.file,
                int(ledger.lines[i]),
                "mission_isactive",
                "Yes",
                f"{acronym[i]} is flagged active but has an end date",
                "set mission_isactive to No or clear end_date",
            )
        )


def _known_facts(ledger: Ledger, acronym: pd.Series, active: pd.Series, end: pd.Series) -> None:
    facts = pd.read_csv(reference_path("mission_facts.csv"), dtype=str)
    for fact in facts.itertuples(index=False):
        if fact.field != "end_date":
            continue
        rows = np.flatnonzero((acronym == fact.acronym).to_numpy() & end.isna().to_numpy())
        for i in rows:
            ledger.warn(
                Problem(
                    ledger.file,
                    int(ledger.lines[i]),
                    "mission_isactive",
                    str(active[i]),
                    f"{fact.acronym} is listed as running (no end date) but closed on {fact.value} "
                    f"({fact.source})",
                    f"set end_date {fact.value} and mission_isactive No",
                )
            )


def _languages() -> dict[str, str]:
    table = pd.read_csv(reference_path("francophone_hosts.csv"), dtype=str)
    return dict(zip(table["iso3"], table["language"], strict=True))
