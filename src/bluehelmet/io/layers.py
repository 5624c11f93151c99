"""Map layers out: CSV, GeoJSON (RFC 7946) and GeoPackage, for QGIS, ArcGIS and web maps.

Every map layer bluehelmet writes (reports, incidents, hotspots, risk, bases, coverage, sites) is
a table with ``longitude`` and ``latitude`` columns in WGS84 degrees. This module turns such a
table into a GeoDataFrame (geopandas) and writes it with pyogrio (GDAL):

- **GeoJSON** follows RFC 7946: coordinates are WGS84 longitude, latitude (in that order;
  ``OGC:CRS84``, which QGIS reads as EPSG:4326), written with GDAL's ``RFC7946=YES`` option, so
  the file carries no ``crs`` member (RFC 7946 section 4 removed it) and polygons follow the
  right-hand rule.
- **GeoPackage** (OGC GeoPackage 1.2, one layer per file) records its CRS, EPSG:4326.
- **CSV** keeps the longitude and latitude columns and nothing else changes.

Grid layers (PRIO-GRID cells of 0.5 degrees: hotspots, risk, coverage) can be written as cell
squares instead of points (``cell_degrees``). Rows without coordinates are kept, with an empty
geometry (GeoJSON ``null``), so nothing is dropped on the way.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import geopandas as gpd

#: The formats :func:`write_layer` writes.
LayerFormat = Literal["csv", "geojson", "gpkg"]
FORMATS: tuple[str, ...] = ("csv", "geojson", "gpkg")
#: File suffix of each format.
SUFFIX = {"csv": ".csv", "geojson": ".geojson", "gpkg": ".gpkg"}
#: The coordinate reference system of every layer: WGS84 longitude/latitude.
CRS = "EPSG:4326"


def format_of(path: str | Path, given: str | None = None) -> str:
    """The layer format: ``given`` if any, else from the file suffix, else CSV."""
    if given is not None:
        if given not in FORMATS:
            raise ValueError(f"unknown layer format {given!r}: use one of {', '.join(FORMATS)}")
        return given
    suffix = Path(path).suffix.lower()
    return {".geojson": "geojson", ".json": "geojson", ".gpkg": "gpkg"}.get(suffix, "csv")


def with_suffix(path: str | Path, fmt: str) -> Path:
    """``path`` with the suffix of ``fmt`` (unless it already has it)."""
    p = Path(path)
    return p if p.suffix.lower() == SUFFIX[fmt] else p.with_suffix(SUFFIX[fmt])


def to_geodataframe(
    table: pd.DataFrame,
    *,
    lon: str = "longitude",
    lat: str = "latitude",
    cell_degrees: float | None = None,
) -> gpd.GeoDataFrame:
    """``table`` as a GeoDataFrame in EPSG:4326: points, or squares of ``cell_degrees``.

    Rows without coordinates get an empty (``None``) geometry.
    """
    import geopandas as gpd
    import shapely

    x = pd.to_numeric(table[lon], errors="coerce").to_numpy("float64")
    y = pd.to_numeric(table[lat], errors="coerce").to_numpy("float64")
    ok = np.isfinite(x) & np.isfinite(y)
    geometry = np.full(len(table), None, dtype=object)
    if cell_degrees is None:
        geometry[ok] = shapely.points(x[ok], y[ok])
    else:
        h = cell_degrees / 2
        geometry[ok] = shapely.box(x[ok] - h, y[ok] - h, x[ok] + h, y[ok] + h)
    frame = table.reset_index(drop=True).copy()
    for column in frame.columns:
        if frame[column].dtype == object:  # mixed Python objects: GDAL needs one type
            frame[column] = (
                frame[column]
                .map(lambda v: None if v is None or v is pd.NA else str(v))
                .astype("string")
            )
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=CRS), crs=CRS)


def write_layer(
    table: pd.DataFrame,
    path: str | Path,
    fmt: str | None = None,
    *,
    layer: str | None = None,
    cell_degrees: float | None = None,
) -> Path:
    """Write a map layer as CSV, GeoJSON or GeoPackage; returns the file written.

    Parameters
    ----------
    table
        Rows with ``longitude`` and ``latitude`` (WGS84 degrees).
    path
        The file; for GeoJSON and GeoPackage its suffix is set to ``.geojson``/``.gpkg``.
    fmt
        ``csv``, ``geojson`` or ``gpkg``; default: from the suffix of ``path``, else CSV.
    layer
        Layer name inside a GeoPackage (default: the file's stem).
    cell_degrees
        Write squares of this size centred on the coordinates (grid cells) instead of points.
    """
    from bluehelmet.io.write import atomic_file, write_csv

    fmt = format_of(path, fmt)
    out = Path(path) if fmt == "csv" else with_suffix(path, fmt)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        return write_csv(table, out, date_format="%Y-%m-%d")
    frame = to_geodataframe(table, cell_degrees=cell_degrees)
    # GDAL writes a new file under a temporary name with the layer's suffix (it picks the
    # driver's behaviour from it), renamed over the old layer: a kill leaves one or the other
    with atomic_file(out) as tmp:
        tmp = tmp.with_name(tmp.name + out.suffix)
        try:
            if fmt == "geojson":
                frame.to_file(
                    tmp, driver="GeoJSON", engine="pyogrio", layer_options={"RFC7946": "YES"}
                )
            else:
                frame.to_file(tmp, driver="GPKG", engine="pyogrio", layer=layer or out.stem)
            os.replace(tmp, tmp.with_suffix(""))
        finally:
            tmp.unlink(missing_ok=True)
    return out
