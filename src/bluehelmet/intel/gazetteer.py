"""The gazetteer that turns place names in reports into coordinates, with a precision.

Four bundled sources, searched in this order (the first source that knows a name wins):

1. the missions' bases and towns (``mission_places.csv``) with their alternate spellings
   (Tombouctou/Timbuktu, Ménaka/Menaka, El Fasher/Al Fashir, ...); precision :data:`CITY_KM`;
2. the places of :func:`bluehelmet.reference.places.places`: Natural Earth populated places
   (capitals and large cities) plus the mission headquarters towns of ``places_supplement.csv``;
   precision :data:`CITY_KM`;
3. the GeoNames populated places of 5,000 people or more in the missions' host countries
   (``geonames_host_places.csv.gz``, CC BY 4.0) with their Latin-script alternate names; a name
   shared by several places goes to the most populous; precision :data:`CITY_KM`;
4. the place descriptions of the bundled UCDP GED subset (``where_coordinates``, e.g.
   "Chaharikar town") with their coordinates; a name used with coordinates more than
   :data:`UCDP_SPREAD_DEG` apart is ambiguous and left out; precision :data:`UCDP_KM`.

Names are compared by :func:`place_key`: case, accents, hyphens, apostrophes and repeated spaces do
not matter ("MENAKA", "Ménaka" and "menaka" are one name). Look-ups are vectorised: the unique
names of a table are normalised once and joined to the gazetteer. A name that is not found gets
the nearest known names as suggestions (:func:`suggest`), so that the report is rejected with a
fix instead of being dropped.
"""

from __future__ import annotations

import difflib
import re
from functools import cache

import numpy as np
import pandas as pd

#: Precision (km radius) of a place found among cities, towns and bases (assumed: the extent of
#: a town).
CITY_KM = 10.0
#: Precision (km radius) of a place found among UCDP place descriptions (assumed).
UCDP_KM = 5.0
#: Largest spread (degrees) of the coordinates of one UCDP place name for it to be used.
UCDP_SPREAD_DEG = 0.1
#: Most names suggested for a place that is not found, and how close they must be (difflib ratio).
SUGGESTIONS, SUGGEST_CUTOFF = 3, 0.75

_SEPARATORS = re.compile(r"[-'\u2019\u2018`.]+")


def place_key(name: str) -> str:
    """The key names are compared by: no case, accents, hyphens, apostrophes or extra spaces."""
    from bluehelmet.reference.countries import normalise_name

    return " ".join(_SEPARATORS.sub(" ", normalise_name(name)).split())


def _keys(names: pd.Series) -> pd.Series:
    """Keys of a column of names, each distinct name normalised once."""
    text = names.astype("string")
    unique = text.dropna().unique()
    mapping = {name: place_key(str(name)) for name in unique}
    return text.map(mapping).astype("string")


def _expand(table: pd.DataFrame, alternates: str) -> pd.DataFrame:
    """One row per name: the place's name, then each of its ``;``-separated alternate names."""
    names = table["name"].astype(str) + ";" + table[alternates].fillna("").astype(str)
    long = (
        table.drop(columns=[alternates, "name"])
        .assign(name_as_written=names.str.split(";"))
        .explode("name_as_written")
    )
    long = long[long["name_as_written"].str.strip() != ""]
    long["name"] = table.loc[long.index, "name"]
    return long.reset_index(drop=True)


def _mission_places() -> pd.DataFrame:
    from bluehelmet.reference.files import reference_path

    table = pd.read_csv(reference_path("mission_places.csv"), keep_default_na=False)
    out = _expand(table, "alternate_names")
    return out.assign(precision_km=CITY_KM, source="mission places: " + out["source"])


def _geonames() -> pd.DataFrame:
    from bluehelmet.reference.files import reference_path

    table = pd.read_csv(reference_path("geonames_host_places.csv.gz"), keep_default_na=False)
    table = table.sort_values("population", ascending=False, kind="stable")
    out = _expand(table, "alternate_names")
    return out.assign(
        precision_km=CITY_KM, source="GeoNames " + out["geonameid"].astype(str) + " (CC BY 4.0)"
    )


def _ucdp() -> pd.DataFrame:
    from bluehelmet.reference import ucdp_events

    events = ucdp_events()[["where_description", "longitude", "latitude"]].dropna()
    grouped = events.groupby("where_description", sort=False)
    # max - min per group, vectorised (np.ptp per group was the 14 s of the old version)
    low, high = grouped[["longitude", "latitude"]].min(), grouped[["longitude", "latitude"]].max()
    spread = (high - low).sum(axis=1)
    ucdp = grouped[["longitude", "latitude"]].median().loc[spread <= UCDP_SPREAD_DEG]
    ucdp = ucdp.reset_index().rename(columns={"where_description": "name"})
    return ucdp.assign(
        name_as_written=ucdp["name"],
        precision_km=UCDP_KM,
        source="UCDP GED 20.1 subset place descriptions",
    )


@cache
def _table() -> pd.DataFrame:
    from bluehelmet.reference.places import places

    cities = places()
    cities = cities.assign(name_as_written=cities["name"], precision_km=CITY_KM)
    columns = ["name", "name_as_written", "longitude", "latitude", "precision_km", "source"]
    table = pd.concat(
        [frame[columns] for frame in (_mission_places(), cities, _geonames(), _ucdp())],
        ignore_index=True,
    )
    table.insert(0, "key", _keys(table["name_as_written"]))
    table = table[table["key"].str.len() > 0]
    return table.drop_duplicates("key", keep="first").reset_index(drop=True)


def gazetteer() -> pd.DataFrame:
    """All names: ``key, name, name_as_written, longitude, latitude, precision_km, source``.

    ``name`` is the place's main name, ``name_as_written`` the spelling the key comes from.
    """
    return _table().copy()


def lookup(names: pd.Series) -> pd.DataFrame:
    """The gazetteer entry of each name (vectorised), indexed like ``names``.

    Columns ``name, longitude, latitude, precision_km, source``; missing where not found.
    """
    table = _table().set_index("key")[["name", "longitude", "latitude", "precision_km", "source"]]
    found = table.reindex(_keys(names).to_numpy())
    found.index = names.index
    return found


@cache
def _suggestion_index() -> tuple[dict[str, list[str]], dict[str, str]]:
    table = _table()
    keys = table["key"].tolist()
    by_initial: dict[str, list[str]] = {}
    for key in keys:
        by_initial.setdefault(key[0], []).append(key)
    return by_initial, dict(zip(keys, table["name_as_written"].astype(str), strict=True))


def suggest(name: str, n: int = SUGGESTIONS) -> list[str]:
    """The known names closest to ``name`` (at most ``n``; none if nothing is close).

    Names with the same initial are searched first (a misspelling rarely changes the first
    letter, and it keeps a look-up in milliseconds), then all names.
    """
    by_initial, spelled = _suggestion_index()
    key = place_key(name)
    if not key:
        return []
    close = difflib.get_close_matches(key, by_initial.get(key[0], []), n=n, cutoff=SUGGEST_CUTOFF)
    if not close:
        everything = [k for keys in by_initial.values() for k in keys]
        close = difflib.get_close_matches(key, everything, n=n, cutoff=SUGGEST_CUTOFF)
    return [spelled[k] for k in close]


def resolve_places(reports: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Fill coordinates and precision of reports that give only a place name.

    Returns the table (a copy) and a mask of the reports still without coordinates.
    """
    out = reports.copy()
    missing = (out["longitude"].isna() & out["latitude"].isna()).to_numpy()
    if missing.any() and out["place_name"][missing].notna().any():
        found = lookup(out["place_name"][missing])
        for column, target in (
            ("longitude", "longitude"),
            ("latitude", "latitude"),
            ("precision_km", "place_precision_km"),
        ):
            values = out[target].to_numpy(dtype="float64", na_value=np.nan).copy()
            values[missing] = found[column].to_numpy(dtype="float64")
            out[target] = values
    unresolved = (out["longitude"].isna() | out["latitude"].isna()).to_numpy()
    return out, unresolved
