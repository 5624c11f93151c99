"""The PRIO-GRID 0.5 degree grid: cell ids, cell centres, neighbours and the land universe.

PRIO-GRID (Tollefsen, Strand & Buhaug 2012, codebook v2.0) numbers its 0.5 x 0.5 degree cells
from 1 in the south-west corner (longitude -180, latitude -90), row by row eastwards then
northwards: ``gid = row * 720 + col + 1`` with ``row = floor((lat + 90) / 0.5)`` and
``col = floor((lon + 180) / 0.5)``. For example the cell of Bamako (-8.0, 12.65) has row 205 and
col 344, so gid 147945; UCDP GED's ``priogrid_gid`` uses the same numbering.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely

#: Cell size in degrees.
CELL = 0.5
#: Number of columns (longitudes) and rows (latitudes) of the global grid.
NCOL = 720
NROW = 360
COUNTRIES_FILE = "naturalearth_lowres_countries.geojson"


def gid_of(longitude: np.ndarray | pd.Series, latitude: np.ndarray | pd.Series) -> np.ndarray:
    """PRIO-GRID cell id of each point (int64); -1 where a coordinate is missing or out of range.

    Points on the east edge (longitude 180) or the north pole fall in the last column or row.
    """
    lon = np.asarray(longitude, dtype="float64")
    lat = np.asarray(latitude, dtype="float64")
    ok = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
    col = np.clip(np.floor((np.where(ok, lon, 0) + 180) / CELL), 0, NCOL - 1).astype("int64")
    row = np.clip(np.floor((np.where(ok, lat, 0) + 90) / CELL), 0, NROW - 1).astype("int64")
    return np.where(ok, row * NCOL + col + 1, -1)


def row_col(gid: np.ndarray | pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Row and column (0-based) of each cell id."""
    g = np.asarray(gid, dtype="int64") - 1
    return g // NCOL, g % NCOL


def centre(gid: np.ndarray | pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude of each cell's centre."""
    row, col = row_col(gid)
    return col * CELL - 180 + CELL / 2, row * CELL - 90 + CELL / 2


def _default_countries_path() -> Path:
    # Imported here so that the grid works (e.g. in tests with explicit cells) without the bundle.
    from bluehelmet.reference.files import reference_path

    return Path(reference_path(COUNTRIES_FILE))


@cache
def _country_shapes(
    path: str, exclude_antarctica: bool
) -> tuple[tuple[str, ...], tuple[shapely.Geometry, ...]]:
    features = json.loads(Path(path).read_text("utf-8"))["features"]
    keep = [
        f
        for f in features
        if not (exclude_antarctica and f["properties"].get("continent") == "Antarctica")
    ]
    # Natural Earth 1:110m has a few self-touching rings; make_valid keeps predicates reliable.
    shapes = tuple(
        shapely.make_valid(shapely.from_geojson(json.dumps(f["geometry"]))) for f in keep
    )
    names = tuple(str(f["properties"].get("name")) for f in keep)
    return names, shapes


def land_cells(
    countries_geojson: str | Path | None = None, *, exclude_antarctica: bool = True
) -> pd.DataFrame:
    """The universe of cells: every cell that intersects a country polygon (land cells).

    Parameters
    ----------
    countries_geojson
        GeoJSON of country polygons; defaults to the bundled Natural Earth 1:110m countries.
    exclude_antarctica
        Leave out Antarctica (on by default: its thousands of cells never see conflict and would
        only inflate ROC-AUC).

    Returns
    -------
    DataFrame
        ``gid, longitude, latitude, country`` (cell centre; the country containing the centre, or
        for a coastal cell whose centre is at sea the first country it touches), sorted by gid.
    """
    path = str(countries_geojson or _default_countries_path())
    names, shapes = _country_shapes(path, exclude_antarctica)
    gids = np.arange(1, NROW * NCOL + 1, dtype="int64")
    lon, lat = centre(gids)
    half = CELL / 2
    by_centre = np.full(len(gids), None, dtype=object)
    by_touch = np.full(len(gids), None, dtype=object)
    for name, shape in zip(names, shapes, strict=True):
        x0, y0, x1, y1 = shapely.bounds(shape)
        near = np.flatnonzero(
            (lon >= x0 - half) & (lon <= x1 + half) & (lat >= y0 - half) & (lat <= y1 + half)
        )
        shapely.prepare(shape)
        boxes = shapely.box(lon[near] - half, lat[near] - half, lon[near] + half, lat[near] + half)
        touch = near[shapely.intersects(shape, boxes)]
        by_touch[touch[pd.isna(by_touch[touch])]] = name
        inside = touch[shapely.contains_xy(shape, lon[touch], lat[touch])]
        by_centre[inside[pd.isna(by_centre[inside])]] = name
    # A coastal cell takes the country containing its centre, else the first one it touches.
    country = np.where(pd.isna(by_centre), by_touch, by_centre)
    keep = ~pd.isna(country)
    return pd.DataFrame(
        {
            "gid": gids[keep],
            "longitude": lon[keep],
            "latitude": lat[keep],
            "country": pd.array(country[keep], dtype="string"),
        }
    )


def neighbour_matrix(
    gids: np.ndarray | pd.Series, *, order: int = 1, include_self: bool = False
) -> sp.csr_matrix:
    """Queen-contiguity weights among ``gids`` (binary, ``order`` rings), as a sparse matrix.

    Entry (i, j) is 1 when cell j lies within ``order`` rows and columns of cell i (columns wrap
    around at the date line). Cells outside ``gids`` are not neighbours of anything.
    """
    g = np.asarray(gids, dtype="int64")
    row, col = row_col(g)
    position = pd.Series(np.arange(len(g)), index=g)
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    for dr in range(-order, order + 1):
        for dc in range(-order, order + 1):
            if dr == 0 and dc == 0 and not include_self:
                continue
            r2 = row + dr
            c2 = (col + dc) % NCOL
            ok = (r2 >= 0) & (r2 < NROW)
            target = position.reindex(r2[ok] * NCOL + c2[ok] + 1).to_numpy()
            found = ~np.isnan(target)
            rows.append(np.flatnonzero(ok)[found])
            cols.append(target[found].astype("int64"))
    i = np.concatenate(rows)
    j = np.concatenate(cols)
    return sp.csr_matrix((np.ones(len(i)), (i, j)), shape=(len(g), len(g)))
