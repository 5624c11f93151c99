"""A small gazetteer: capitals and large cities with their country, for locating mission HQs.

Built from Natural Earth's populated places (243 cities, no country column) plus
``places_supplement.csv`` (mission HQ towns missing there, e.g. Naqoura, Abyei, Gaza). The country
of a Natural Earth place is the outline containing it; for coastal cities just outside the coarse
1:110m outline, the nearest outline within 0.5 degrees; for small-state capitals, the capital
named in ``countries_supplement.csv``.
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import pandas as pd
import shapely

from bluehelmet.geodesy import haversine_km
from bluehelmet.reference.countries import countries_at, natural_earth, normalise_name
from bluehelmet.reference.files import reference_path

_NEAREST_DEG = 0.5


@cache
def _places() -> pd.DataFrame:
    ne = pd.read_csv(reference_path("naturalearth_populated_places.csv"))
    ne["iso3"] = countries_at(ne["longitude"], ne["latitude"])
    ne["source"] = "Natural Earth populated places"
    supplement = pd.read_csv(reference_path("countries_supplement.csv"), keep_default_na=False)
    capitals = dict(zip(supplement["capital"], supplement["iso3"], strict=True))
    missing = ne["iso3"].isna()
    ne.loc[missing, "iso3"] = ne.loc[missing, "name"].map(capitals)
    still = ne["iso3"].isna()
    if still.any():
        frame, geoms = natural_earth()
        tree = shapely.STRtree(list(geoms))
        points = shapely.points(ne.loc[still, "longitude"], ne.loc[still, "latitude"])
        hit = tree.query_nearest(points, max_distance=_NEAREST_DEG, all_matches=False)
        codes = frame["iso3"].to_numpy()
        found = pd.Series(pd.NA, index=ne.index[still], dtype="object")
        found.iloc[hit[0]] = codes[hit[1]]
        ne.loc[still, "iso3"] = found
    extra = pd.read_csv(reference_path("places_supplement.csv"))
    # the supplement wins over Natural Earth for a place in both (Laayoune, Nicosia)
    ne = ne[~ne["name"].isin(extra["name"])]
    table = pd.concat([ne, extra], ignore_index=True)
    table["key"] = [normalise_name(str(n)) for n in table["name"]]
    return table.astype({"name": "string", "iso3": "string", "source": "string", "key": "string"})


def places() -> pd.DataFrame:
    """Return the gazetteer: ``name, longitude, latitude, iso3, source`` (a copy)."""
    return _places().drop(columns="key").copy()


def find_places(location: str) -> pd.DataFrame:
    """Places named in a location text, e.g. ``"Islamabad (Nov-Apr) and Srinagar (May-Oct)"``.

    The text is split at "and", "/", ";" and commas, parenthesised notes are dropped, and each
    part is matched case- and accent-insensitively against the gazetteer.

    Returns
    -------
    pandas.DataFrame
        Matching rows of :func:`places` (empty if none).
    """
    table = _places()
    text = re.sub(r"\([^)]*\)", " ", location or "")
    parts = [normalise_name(p) for p in re.split(r"\band\b|/|;|,", text) if p.strip()]
    hits = table[table["key"].isin(parts)]
    return hits.drop(columns="key").reset_index(drop=True)


def distance_km(lon1: object, lat1: object, lon2: object, lat2: object) -> np.ndarray:
    """Great-circle distance in km (:func:`bluehelmet.geodesy.haversine_km`)."""
    return haversine_km(lon1, lat1, lon2, lat2)  # type: ignore[arg-type]
