"""Distances and reach: which cells each site can serve within the response time.

Distances are great-circle on a sphere of the mean Earth radius (:mod:`bluehelmet.geodesy`). A
ground asset's path is the great-circle distance times its route factor (road circuity and
terrain); an aircraft flies straight. The cell-site pairs within reach are found with a k-d tree
on unit vectors, so that only those pairs are ever built: the model's size grows with the pairs
in reach, not with cells x sites.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.spatial import cKDTree

from bluehelmet.geodesy import EARTH_RADIUS_KM, haversine_km, km_to_chord, unit_vectors

__all__ = [
    "EARTH_RADIUS_KM",
    "haversine_km",
    "mean_distance_in_cell_km",
    "pairs_within",
    "patrol_shares",
    "reach_km",
]

#: Points per cell side used to measure the share of a cell within a patrol radius.
PATROL_SAMPLES = 50


def reach_km(asset_types: pd.DataFrame, response_minutes: float) -> pd.Series:
    """Great-circle distance each asset type can cover within ``response_minutes``.

    ``(response - mobilisation) / 60 * speed / route_factor``, capped at ``range_km`` where given;
    0 when mobilisation alone takes longer than the response time.

    Parameters
    ----------
    asset_types
        Table indexed by asset type id with ``speed_kmh``, ``route_factor``,
        ``mobilisation_minutes`` and ``range_km``.
    response_minutes
        Time from the alert to arrival that counts as a response.

    """
    moving = (response_minutes - asset_types["mobilisation_minutes"].astype(float)).clip(lower=0)
    dist = moving / 60.0 * asset_types["speed_kmh"].astype(float)
    dist = dist / asset_types["route_factor"].astype(float)
    limit = asset_types["range_km"].astype(float).fillna(np.inf)
    return dist.clip(upper=limit).rename("reach_km")


def response_minutes_matrix(asset_row: pd.Series, distance_km: np.ndarray) -> np.ndarray:
    """Minutes from alert to arrival over ``distance_km`` (great circle) for one asset type."""
    return np.asarray(
        float(asset_row["mobilisation_minutes"])
        + distance_km * float(asset_row["route_factor"]) / float(asset_row["speed_kmh"]) * 60.0
    )


def pairs_within(
    cell_lon: np.ndarray,
    cell_lat: np.ndarray,
    site_lon: np.ndarray,
    site_lat: np.ndarray,
    max_km: float,
) -> sp.csr_matrix:
    """Sparse cells x sites matrix of great-circle distances, holding only pairs within ``max_km``.

    A stored zero would be lost in sparse form, so distances are stored as ``max(d, 1e-9)``.
    """
    n_cells, n_sites = len(cell_lon), len(site_lon)
    if n_cells == 0 or n_sites == 0 or max_km <= 0:
        return sp.csr_matrix((n_cells, n_sites))
    chord = km_to_chord(max_km)
    cells = cKDTree(unit_vectors(np.asarray(cell_lon, float), np.asarray(cell_lat, float)))
    sites = cKDTree(unit_vectors(np.asarray(site_lon, float), np.asarray(site_lat, float)))
    # A small slack on the chord keeps pairs at exactly max_km; the exact haversine decides.
    coo = cells.sparse_distance_matrix(sites, chord * (1 + 1e-9) + 1e-12, output_type="coo_matrix")
    rows, cols = coo.row, coo.col
    dist = haversine_km(
        np.asarray(cell_lon)[rows],
        np.asarray(cell_lat)[rows],
        np.asarray(site_lon)[cols],
        np.asarray(site_lat)[cols],
    )
    keep = dist <= max_km + 1e-9
    return sp.csr_matrix(
        (np.maximum(dist[keep], 1e-9), (rows[keep], cols[keep])), shape=(n_cells, n_sites)
    )


def mean_distance_in_cell_km(latitude: float, cell_degrees: float = 0.5) -> float:
    """Mean distance from a uniformly placed point in a grid cell to the cell's centre, in km.

    For a square of side s the mean distance to the centre is s (sqrt(2) + asinh(1)) / 6,
    about 0.383 s; the cell is taken as the square with the area of the cell at ``latitude``
    (0.5 degree cells at 16 N: about 21 km).
    """
    side_ns = np.radians(cell_degrees) * EARTH_RADIUS_KM
    side_ew = side_ns * np.cos(np.radians(latitude))
    side = float(np.sqrt(side_ns * side_ew))
    return side * (np.sqrt(2.0) + float(np.arcsinh(1.0))) / 6.0


def patrol_shares(
    cell_lon: np.ndarray,
    cell_lat: np.ndarray,
    site_lon: np.ndarray,
    site_lat: np.ndarray,
    radius_km: float,
    cell_degrees: float = 0.5,
    samples: int = PATROL_SAMPLES,
) -> sp.csr_matrix:
    """Sparse cells x sites matrix: the share of each square cell's area within ``radius_km``.

    The cell (``cell_degrees`` wide, centred on its centre) is sampled at the centres of a
    ``samples`` x ``samples`` grid of equal sub-cells, and the share is the fraction of those
    points within the radius of the site (on the plane tangent at the site). Only pairs whose
    centres are closer than the radius plus the cell's half-diagonal are measured.
    """
    n_cells, n_sites = len(cell_lon), len(site_lon)
    if n_cells == 0 or n_sites == 0 or radius_km <= 0:
        return sp.csr_matrix((n_cells, n_sites))
    cell_lat_arr = np.asarray(cell_lat, float)
    half = cell_degrees / 2
    corner = float(
        haversine_km(
            0.0, float(np.abs(cell_lat_arr).min()), half, float(np.abs(cell_lat_arr).min()) + half
        )
    )
    near = pairs_within(cell_lon, cell_lat, site_lon, site_lat, radius_km + corner).tocoo()
    if near.nnz == 0:
        return sp.csr_matrix((n_cells, n_sites))
    offsets = (np.arange(samples) + 0.5) / samples * cell_degrees - half
    dx, dy = np.meshgrid(offsets, offsets)
    px = np.asarray(cell_lon, float)[near.row][:, None] + dx.ravel()[None, :]
    py = cell_lat_arr[near.row][:, None] + dy.ravel()[None, :]
    # Within a patrol radius (tens of km) the plane tangent at the site is exact to well under
    # 0.1 %, and much cheaper than the haversine on every sample point.
    slat = np.asarray(site_lat, float)[near.col][:, None]
    km_per_deg = np.radians(1.0) * EARTH_RADIUS_KM
    dx = (
        (px - np.asarray(site_lon, float)[near.col][:, None])
        * km_per_deg
        * np.cos(np.radians(slat))
    )
    dy = (py - slat) * km_per_deg
    share = (dx * dx + dy * dy <= radius_km * radius_km).mean(axis=1)
    keep = share > 0
    return sp.csr_matrix((share[keep], (near.row[keep], near.col[keep])), shape=(n_cells, n_sites))
