"""Distances on the Earth: the one great-circle formula and the one Earth radius of the package.

Every distance in bluehelmet (fusion of reports, protection coverage, strategic lift, the
gazetteer) is a great-circle distance on a sphere of the IUGG mean Earth radius
:data:`EARTH_RADIUS_KM` (R1 = (2a + b) / 3 of the WGS84 ellipsoid = 6371.0088 km). On the
ellipsoid the true distance differs by at most about 0.5 %, far below the precision of the
places and response times the package works with. Coordinates are WGS84 longitude and latitude
in degrees (EPSG:4326).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

#: Mean Earth radius in km (IUGG R1 for WGS84), used for every distance in the package.
EARTH_RADIUS_KM = 6371.0088

ArrayLike = npt.ArrayLike


def haversine_km(lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike) -> np.ndarray:
    """Great-circle distance in km between points given in degrees (numpy broadcasting).

    Parameters
    ----------
    lon1, lat1, lon2, lat2
        WGS84 longitudes and latitudes in degrees; scalars or arrays that broadcast together.

    Returns
    -------
    numpy.ndarray
        Distances in km on a sphere of radius :data:`EARTH_RADIUS_KM`.
    """
    x1, y1, x2, y2 = (np.radians(np.asarray(v, dtype="float64")) for v in (lon1, lat1, lon2, lat2))
    a = np.sin((y2 - y1) / 2) ** 2 + np.cos(y1) * np.cos(y2) * np.sin((x2 - x1) / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))))


def unit_vectors(lon: ArrayLike, lat: ArrayLike) -> np.ndarray:
    """Points in degrees as unit vectors on the sphere, shape ``(n, 3)``."""
    lam = np.radians(np.asarray(lon, dtype="float64"))
    phi = np.radians(np.asarray(lat, dtype="float64"))
    return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])


def sphere_km(lon: ArrayLike, lat: ArrayLike) -> np.ndarray:
    """Points in degrees as 3-D coordinates in km on the Earth sphere, shape ``(n, 3)``."""
    return EARTH_RADIUS_KM * unit_vectors(lon, lat)


def chord_to_km(chord: ArrayLike) -> np.ndarray:
    """Great-circle distance in km for a straight-line chord between unit vectors."""
    return np.asarray(
        2 * EARTH_RADIUS_KM * np.arcsin(np.clip(np.asarray(chord, dtype="float64") / 2, 0.0, 1.0))
    )


def km_to_chord(km: float) -> float:
    """The unit-sphere chord of a great-circle distance in km (at most the diameter, 2)."""
    return float(2.0 * np.sin(min(km / EARTH_RADIUS_KM, np.pi) / 2.0))
