"""The gazetteer that turns place names in reports into coordinates, with a precision.

Two bundled sources, searched in this order (case- and accent-insensitive, whole name):

1. the places of :func:`bluehelmet.reference.places.places`: Natural Earth populated places
   (capitals and large cities) plus the mission headquarters towns of ``places_supplement.csv``;
   precision :data:`CITY_KM`;
2. the place descriptions of the bundled UCDP GED subset (``where_coordinates``, e.g.
   "Chaharikar town") with their coordinates; a name used with coordinates more than
   :data:`UCDP_SPREAD_DEG` apart is ambiguous and left out; precision :data:`UCDP_KM`.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

#: Precision (km radius) of a place found among cities and mission HQ towns (assumed: the
#: extent of a large town).
CITY_KM = 10.0
#: Precision (km radius) of a place found among UCDP place descriptions (assumed).
UCDP_KM = 5.0
#: Largest spread (degrees) of the coordinates of one UCDP place name for it to be used.
UCDP_SPREAD_DEG = 0.1


def _key(names: pd.Series) -> pd.Series:
    from bluehelmet.reference.countries import normalise_name

    return names.astype("string").fillna("").map(normalise_name).astype("string")


@cache
def gazetteer() -> pd.DataFrame:
    """All names: ``key, name, longitude, latitude, precision_km, source`` (first source wins)."""
    from bluehelmet.reference import ucdp_events
    from bluehelmet.reference.places import places

    cities = places()
    cities = pd.DataFrame({"name": cities["name"], "longitude": cities["longitude"],
                           "latitude": cities["latitude"], "precision_km": CITY_KM,
                           "source": cities["source"]})
    events = ucdp_events()[["where_description", "longitude", "latitude"]].dropna()
    grouped = events.groupby("where_description")
    spread = (grouped["longitude"].agg(np.ptp) + grouped["latitude"].agg(np.ptp))
    keep = spread[spread <= UCDP_SPREAD_DEG].index
    ucdp = grouped[["longitude", "latitude"]].median().loc[keep].reset_index()
    ucdp = ucdp.rename(columns={"where_description": "name"}).assign(
        precision_km=UCDP_KM, source="UCDP GED 20.1 subset place descriptions")
    table = pd.concat([cities, ucdp], ignore_index=True)
    table.insert(0, "key", _key(table["name"]))
    return table.drop_duplicates("key", keep="first").reset_index(drop=True)


def resolve_places(reports: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Fill coordinates and precision of reports that give only a place name.

    Returns the table (a copy) and a mask of the reports still without coordinates.
    """
    out = reports.copy()
    missing = (out["longitude"].isna() & out["latitude"].isna()).to_numpy()
    if missing.any() and out["place_name"][missing].notna().any():
        found = gazetteer().set_index("key").reindex(_key(out["place_name"][missing]))
        for column, target in (("longitude", "longitude"), ("latitude", "latitude"),
                               ("precision_km", "place_precision_km")):
            values = out[target].to_numpy(dtype="float64", na_value=np.nan).copy()
            values[missing] = found[column].to_numpy(dtype="float64")
            out[target] = values
    unresolved = (out["longitude"].isna() | out["latitude"].isna()).to_numpy()
    return out, unresolved
