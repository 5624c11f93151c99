"""Countries: ISO codes, names, regions, outlines and point-in-country tests.

Built from the bundled Natural Earth 1:110m outlines (``naturalearth_lowres_countries.geojson``)
with three documented fixes:

- features whose ``iso_a3`` is ``-99`` (Kosovo) get their code from the alias table (``XKX``);
- Natural Earth's abbreviated names ("Dem. Rep. Congo") are replaced by full names from
  ``countries_supplement.csv`` (the abbreviations still resolve through :func:`lookup_iso3`);
- small states missing at 1:110m (Malta, Bahrain, Singapore, ...) are added from the same file,
  with their capital as the point and no outline.

Everything is loaded lazily on first use and cached; nothing happens at import time.
"""

from __future__ import annotations

import json
import unicodedata
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, shape
from shapely.geometry.base import BaseGeometry

from bluehelmet.reference.files import reference_path

COLUMNS = ["iso3", "name", "continent", "region", "longitude", "latitude", "pop_est"]

# Natural Earth puts these in "Asia"; UN peacekeeping groups them (and their missions) as the
# Middle East. Egypt stays in Africa, Turkey and Cyprus in Europe, as in UN regional usage.
_MIDDLE_EAST = frozenset(
    {
        "ISR",
        "PSE",
        "LBN",
        "SYR",
        "JOR",
        "IRQ",
        "IRN",
        "KWT",
        "SAU",
        "YEM",
        "OMN",
        "ARE",
        "QAT",
        "BHR",
    }
)
_EUROPE_OVERRIDE = frozenset({"TUR", "CYP", "CYN"})
_CONTINENT_REGION = {
    "Africa": "africa",
    "North America": "americas",
    "South America": "americas",
    "Europe": "europe",
    "Asia": "asia",
    "Oceania": "oceania",
}


def normalise_name(name: str) -> str:
    """Return the key used to compare country names.

    Case, surrounding and repeated whitespace, accents and the kind of apostrophe do not matter:
    ``"  Côte d’Ivoire "`` and ``"cote d'ivoire"`` give the same key.
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    for quote in ("\u2019", "\u2018", "`", "\u00b4"):
        text = text.replace(quote, "'")
    return " ".join(text.split()).casefold()


def _region(iso3: str, continent: str) -> Any:
    if iso3 in _MIDDLE_EAST:
        return "middle_east"
    if iso3 in _EUROPE_OVERRIDE:
        return "europe"
    return _CONTINENT_REGION.get(continent, pd.NA)


def _main_part(geom: BaseGeometry) -> BaseGeometry:
    # France's outline includes French Guiana and Norway's Svalbard; the representative point of
    # the whole multipolygon can land in an overseas part, so take the largest part.
    if isinstance(geom, MultiPolygon):
        return max(geom.geoms, key=lambda g: g.area)
    return geom


@cache
def country_aliases() -> pd.DataFrame:
    """Alternative country names and codes with their ISO3 code (``country_aliases.csv``)."""
    path = reference_path("country_aliases.csv")
    return pd.read_csv(path, dtype="string", keep_default_na=False)


@cache
def natural_earth() -> tuple[pd.DataFrame, tuple[BaseGeometry, ...]]:
    """The bundled Natural Earth countries: their attributes and outlines, in the same order."""
    with reference_path("naturalearth_lowres_countries.geojson").open(encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    aliases = country_aliases()
    alias_codes = {
        normalise_name(a): c for a, c in zip(aliases["alias"], aliases["iso3"], strict=True)
    }
    rows: list[dict[str, Any]] = []
    geoms: list[BaseGeometry] = []
    for feature in features:
        props = feature["properties"]
        iso3 = str(props["iso_a3"])
        if iso3 == "-99":
            iso3 = alias_codes.get(normalise_name(props["name"]), iso3)
        geom = shape(feature["geometry"])
        point = _main_part(geom).representative_point()
        rows.append(
            {
                "iso3": iso3,
                "ne_name": props["name"],
                "name": props["name"],
                "continent": props["continent"],
                "region": _region(iso3, props["continent"]),
                "longitude": point.x,
                "latitude": point.y,
                "pop_est": props.get("pop_est"),
            }
        )
        geoms.append(geom)
    return pd.DataFrame(rows), tuple(geoms)


@cache
def _countries() -> pd.DataFrame:
    ne, _ = natural_earth()
    table = ne.drop(columns="ne_name")
    supplement = pd.read_csv(reference_path("countries_supplement.csv"), keep_default_na=False)
    known = set(table["iso3"])
    renames = supplement[supplement["iso3"].isin(known)]
    table = table.set_index("iso3")
    table.loc[renames["iso3"], "name"] = renames["name"].to_numpy()
    table = table.reset_index()
    added = supplement[~supplement["iso3"].isin(known)].copy()
    added["pop_est"] = np.nan
    table = pd.concat([table, added[COLUMNS]], ignore_index=True)
    table = table.astype(
        {
            "iso3": "string",
            "name": "string",
            "continent": "string",
            "region": "string",
            "longitude": "float64",
            "latitude": "float64",
        }
    )
    table["pop_est"] = pd.to_numeric(table["pop_est"]).round().astype("Int64")
    return table[COLUMNS].sort_values("iso3", ignore_index=True)


def countries() -> pd.DataFrame:
    """Return the country table.

    Returns
    -------
    pandas.DataFrame
        One row per country with columns ``iso3``, ``name``, ``continent``, ``region`` (africa,
        americas, asia, europe, middle_east or oceania; NA for Antarctica and the French Southern
        Lands), ``longitude``/``latitude`` (a representative point inside the main part of the
        outline, or the capital for small states without an outline) and ``pop_est`` (Natural
        Earth's population estimate; NA for the added small states). A fresh copy on every call.

    """
    return _countries().copy()


@cache
def _name_index() -> tuple[dict[str, str], dict[str, str]]:
    ne, _ = natural_earth()
    table = _countries()
    names: dict[str, str] = {}
    for name, iso3 in zip(ne["ne_name"], ne["iso3"], strict=True):
        names[normalise_name(str(name))] = str(iso3)
    for name, iso3 in zip(table["name"], table["iso3"], strict=True):
        names[normalise_name(str(name))] = str(iso3)
    table_aliases = country_aliases()
    aliases = {
        normalise_name(a): str(c)
        for a, c in zip(table_aliases["alias"], table_aliases["iso3"], strict=True)
    }
    return names, aliases


def lookup_iso3(name: str) -> str | None:
    """Return the ISO 3166-1 alpha-3 code for a country name, or ``None``.

    The name is compared case-, space-, accent- and apostrophe-insensitively, first with the
    country names (Natural Earth's and the full ones), then with ``country_aliases.csv``
    (UN official names such as "United Republic of Tanzania", and common variants).

    Parameters
    ----------
    name
        Country name as written in a file.

    Returns
    -------
    str or None
        The ISO3 code, or ``None`` when the name is unknown (add it to ``country_aliases.csv``).

    """
    if not isinstance(name, str) or not name.strip():
        return None
    key = normalise_name(name)
    names, aliases = _name_index()
    return names.get(key) or aliases.get(key)


def match_country(name: str) -> tuple[str | None, str]:
    """Like :func:`lookup_iso3`, also saying how the name matched.

    Returns
    -------
    (iso3, how)
        ``how`` is ``"name"`` (a country name), ``"alias"`` (``country_aliases.csv``) or ``""``
        (unknown; ``iso3`` is ``None``).
    """
    if not isinstance(name, str) or not name.strip():
        return None, ""
    key = normalise_name(name)
    names, aliases = _name_index()
    if key in names:
        return names[key], "name"
    if key in aliases:
        return aliases[key], "alias"
    return None, ""


def country_name(iso3: str) -> str | None:
    """Return the (full) name of a country from its ISO3 code, or ``None`` if unknown."""
    table = _countries()
    hit = table.loc[table["iso3"] == str(iso3).strip().upper(), "name"]
    return None if hit.empty else str(hit.iloc[0])


@cache
def _outlines() -> dict[str, BaseGeometry]:
    ne, geoms = natural_earth()
    out: dict[str, BaseGeometry] = {}
    for iso3, geom in zip(ne["iso3"], geoms, strict=True):
        out[str(iso3)] = geom
    return out


def outline(iso3: str) -> BaseGeometry | None:
    """Return the 1:110m outline of a country, or ``None`` (unknown code or a small state)."""
    return _outlines().get(str(iso3).strip().upper())


@cache
def _prepared(iso3: str) -> BaseGeometry | None:
    geom = outline(iso3)
    if geom is None:
        return None
    # a private copy: preparing mutates the geometry object, and the outline is shared
    prepared = geom.buffer(0)
    shapely.prepare(prepared)
    return prepared


def contains(iso3: str, lon: float, lat: float) -> bool:
    """Return whether the point (lon, lat) lies in (or on the border of) the country's outline.

    Always ``False`` for countries without an outline and for NaN coordinates.
    """
    geom = _prepared(str(iso3).strip().upper())
    if geom is None or not (np.isfinite(lon) and np.isfinite(lat)):
        return False
    return bool(shapely.intersects_xy(geom, lon, lat))


@cache
def _tree() -> tuple[shapely.STRtree, np.ndarray]:
    ne, geoms = natural_earth()
    return shapely.STRtree(list(geoms)), ne["iso3"].astype(str).to_numpy()


def countries_at(lons: Any, lats: Any) -> np.ndarray:
    """Return the ISO3 code of the country containing each point (vectorised).

    Parameters
    ----------
    lons, lats
        Array-likes of equal length (degrees, WGS84).

    Returns
    -------
    numpy.ndarray
        Object array of ISO3 codes, ``None`` where the point is at sea, in a small state without
        an outline, or not finite.

    """
    x = np.asarray(lons, dtype="float64")
    y = np.asarray(lats, dtype="float64")
    result = np.full(x.shape, None, dtype=object)
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return result
    idx = np.flatnonzero(ok)
    tree, codes = _tree()
    points = shapely.points(x[idx], y[idx])
    point_idx, geom_idx = tree.query(points, predicate="intersects")
    # a point on a shared border hits two countries: keep the first hit, deterministically
    order = np.lexsort((geom_idx, point_idx))
    point_idx, geom_idx = point_idx[order], geom_idx[order]
    first = np.r_[True, point_idx[1:] != point_idx[:-1]] if len(point_idx) else point_idx
    result[idx[point_idx[first]]] = codes[geom_idx[first]]
    return result


def country_at(lon: float, lat: float) -> str | None:
    """Return the ISO3 code of the country containing (lon, lat), or ``None``."""
    hit = countries_at([lon], [lat])[0]
    return None if hit is None else str(hit)
