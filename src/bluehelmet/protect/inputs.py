"""Inputs of protection planning: bases, asset types, today's assets, the area, risk and candidates.

Bases, asset types and base assets are entities of the data model (store ``protect``), read and
validated from CSV like scenario tables and filtered by the reader's need to know before use.
The mission area is the host country's Natural Earth outline; its cells are PRIO-GRID 0.5 degree
cells whose centre lies inside. A risk layer is any CSV of cells with a risk.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from bluehelmet.errors import DataError, Problem
from bluehelmet.model.access import AccessContext, NeedToKnow
from bluehelmet.model.gate import gate
from bluehelmet.model.validate import FIRST_DATA_LINE, check_references, coerce_table, empty_table
from bluehelmet.scenario.io import read_text_csv

#: PRIO-GRID cell size in degrees (see :mod:`bluehelmet.intel.grid`).
CELL = 0.5
#: The bundled UCDP GED 20.1 subsets, in year order (1995-2014, 2015-2017).
EVENT_FILES = ("ucdp_ged201_subset_1995_2014.csv", "ucdp_ged201_subset_2015_2017.csv")


@cache
def bundled_events() -> pd.DataFrame:
    """The bundled UCDP events of 1995-2017 (``year, longitude, latitude, ...``), read once."""
    from bluehelmet.io.ucdp import read_ucdp
    from bluehelmet.reference.files import reference_path

    return pd.concat([read_ucdp(reference_path(f)).table for f in EVENT_FILES], ignore_index=True)


def data_path(filename: str) -> Path:
    """Path of a file bundled in ``bluehelmet/datasets/protect``."""
    return Path(str(resources.files("bluehelmet.datasets").joinpath("protect", filename)))


def read_table(path: str | Path, entity: str, reader: AccessContext) -> pd.DataFrame:
    """Read a ``protect`` entity CSV, validated, keeping only the rows ``reader`` may see.

    Raises
    ------
    UnreadableFileError
        If the file is missing or not a UTF-8 CSV.
    DataError
        Naming file, line, column, value and fix for every invalid value.

    """
    return gate({entity: _read_all(path, entity)}, NeedToKnow.of(reader))[entity]


@cache
def _bundled_rows(filename: str, entity: str) -> pd.DataFrame:
    return _read_all(data_path(filename), entity)


def bundled_table(filename: str, entity: str, reader: AccessContext) -> pd.DataFrame:
    """A bundled ``protect`` entity file (validated once per process) as ``reader`` may see it."""
    return gate({entity: _bundled_rows(filename, entity).copy()}, NeedToKnow.of(reader))[entity]


def _read_all(path: str | Path, entity: str) -> pd.DataFrame:
    """Every row of a ``protect`` entity CSV, validated; callers must pass it through the gate."""
    path = Path(path)
    raw = read_text_csv(path)
    table, problems = coerce_table(entity, raw, str(path))
    if problems:
        raise DataError(problems)
    return table


def bundled_bases_file(mission_id: str, year: int) -> Path | None:
    """Return the bundled bases file of ``mission_id`` for ``year`` (or the latest before it)."""
    root = resources.files("bluehelmet.datasets").joinpath("protect")
    prefix = f"{mission_id.lower()}_"
    years = sorted(
        int(p.name[len(prefix) : len(prefix) + 4])
        for p in root.iterdir()
        if p.name.startswith(prefix) and p.name.endswith("_bases.csv")
    )
    usable = [y for y in years if y <= year] or years
    return data_path(f"{prefix}{usable[-1]}_bases.csv") if usable else None


def load_inputs(
    mission_id: str,
    year: int,
    reader: AccessContext,
    *,
    bases_file: str | Path | None = None,
    assets_file: str | Path | None = None,
    base_assets_file: str | Path | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Bases, asset types (indexed by id) and base assets of a mission, checked against each other.

    Without files, the bundled ones are used: ``<mission>_<year>_bases.csv`` and its
    ``_base_assets.csv``, and ``asset_types.csv``. With a bases file but no base-assets file, the
    mission has no assets today (only what is added counts).
    """
    if bases_file is None:
        bases_file = bundled_bases_file(mission_id, year)
        if bases_file is None:
            raise DataError(
                Problem(
                    "bases",
                    None,
                    "mission_id",
                    mission_id,
                    "no bases are bundled for this mission",
                    "give the mission's bases with --bases FILE (columns as in docs/protection.md)",
                )
            )
        if base_assets_file is None:
            base_assets_file = Path(str(bases_file).replace("_bases.csv", "_base_assets.csv"))
    files = {
        "bases": str(bases_file),
        "asset_types": str(assets_file or data_path("asset_types.csv")),
    }
    if base_assets_file is not None:
        files["base_assets"] = str(base_assets_file)
    raw = {name: _read_all(file, name) for name, file in files.items()}
    if "base_assets" not in raw:
        raw["base_assets"] = empty_table("base_assets")
    policy = NeedToKnow.of(reader)
    # Broken references are reported only for rows the reader may see (they quote nothing
    # hidden: the id they name exists nowhere); then the gate hides what hangs off hidden rows.
    problems = [p for p in check_references(raw, files) if _row_visible(p, raw, files, policy)]
    if problems:
        raise DataError(problems)
    shown = gate(raw, policy)
    all_bases, assets, held = shown["bases"], shown["asset_types"], shown["base_assets"]
    bases = all_bases.loc[all_bases["mission_id"] == mission_id].reset_index(drop=True)
    if bases.empty:
        raise DataError(
            Problem(
                str(bases_file),
                None,
                "mission_id",
                mission_id,
                "no base of this mission in the file (or none you may see)",
                "add the mission's bases, or check --org/--clearance",
            )
        )
    # Assets of other missions' bases in the same file are not this mission's.
    held = held.loc[held["base_id"].isin(bases["id"])].reset_index(drop=True)
    return bases, assets.set_index("id"), held


def _row_visible(
    problem: Problem, tables: dict[str, pd.DataFrame], files: dict[str, str], policy: NeedToKnow
) -> bool:
    name = next((n for n, f in files.items() if f == problem.file), None)
    if name is None or problem.row is None:
        return True
    return bool(policy.mask(tables[name]).iloc[problem.row - FIRST_DATA_LINE])


def area_cells(area: BaseGeometry) -> pd.DataFrame:
    """PRIO-GRID cells whose centre lies in ``area``: ``gid, longitude, latitude``."""
    x0, y0, x1, y1 = area.bounds
    cols = np.arange(np.floor((x0 + 180) / CELL), np.floor((x1 + 180) / CELL) + 1)
    rows = np.arange(np.floor((y0 + 90) / CELL), np.floor((y1 + 90) / CELL) + 1)
    cc, rr = np.meshgrid(cols, rows)
    lon = cc.ravel() * CELL - 180 + CELL / 2
    lat = rr.ravel() * CELL - 90 + CELL / 2
    inside = shapely.contains_xy(area, lon, lat)
    gid = (rr.ravel() * 720 + cc.ravel() + 1).astype(np.int64)
    return (
        pd.DataFrame({"gid": gid[inside], "longitude": lon[inside], "latitude": lat[inside]})
        .sort_values("gid")
        .reset_index(drop=True)
    )


def mission_area(iso3: str) -> BaseGeometry:
    """Return the host country's outline (Natural Earth 1:110m) as the mission area."""
    from bluehelmet.reference.countries import outline

    geom = outline(iso3)
    if geom is None:
        raise DataError(
            Problem(
                "missions",
                None,
                "host_iso3",
                iso3,
                "no Natural Earth outline for this country code",
                "give the mission's host_iso3 as an ISO 3166-1 alpha-3 code",
            )
        )
    return geom


def read_risk(path: str | Path) -> pd.DataFrame:
    """Read a risk layer CSV: ``gid`` or ``cell_id``, ``longitude``/``latitude``, ``risk``.

    ``longitude``/``latitude`` may be left out when ``gid`` (PRIO-GRID) is given: the cell centre
    is used. An optional ``weight`` column (e.g. population at risk) multiplies the risk.

    Returns
    -------
    DataFrame
        ``cell_id, longitude, latitude, risk`` (and ``weight`` if given).

    """
    path = Path(path)
    raw = read_text_csv(path)
    raw.columns = [c.strip().lower() for c in raw.columns]
    f = str(path)
    ident = "gid" if "gid" in raw else "cell_id" if "cell_id" in raw else None
    problems: list[Problem] = []
    if ident is None:
        problems.append(
            Problem(
                f,
                1,
                "gid",
                None,
                "no cell id column",
                "add a column 'gid' (PRIO-GRID cell id) or 'cell_id'",
            )
        )
    if "risk" not in raw:
        problems.append(
            Problem(
                f,
                1,
                "risk",
                None,
                "no risk column",
                "add a column 'risk' (e.g. the probability of violence "
                "against civilians in the cell)",
            )
        )
    has_xy = "longitude" in raw and "latitude" in raw
    if not has_xy and ident != "gid":
        problems.append(
            Problem(
                f,
                1,
                "longitude",
                None,
                "cell positions are missing",
                "add 'longitude' and 'latitude' columns, or use PRIO-GRID 'gid'",
            )
        )
    if problems:
        raise DataError(problems)
    assert ident is not None
    out = pd.DataFrame({"cell_id": raw[ident].str.strip()})
    numeric = ["risk", "weight"] + (["longitude", "latitude"] if has_xy else [])
    for col in [c for c in numeric if c in raw]:
        values = pd.to_numeric(raw[col].str.strip(), errors="coerce")
        limit = {"longitude": 180, "latitude": 90}.get(col)
        bad = values.isna() | (values < 0 if limit is None else values.abs() > limit)
        for i in map(int, np.flatnonzero(bad.to_numpy())):
            problems.append(
                Problem(
                    f,
                    i + 2,
                    col,
                    raw[col].iloc[i],
                    "not a valid number",
                    f"give a number >= 0 for {col}"
                    if limit is None
                    else f"give decimal degrees within +-{limit}",
                )
            )
        out[col] = values.astype(float)
    if ident == "gid":
        gid = pd.to_numeric(out["cell_id"], errors="coerce")
        wrong = ~gid.between(1, 720 * 360).to_numpy() | (gid % 1 != 0).to_numpy()
        for i in map(int, np.flatnonzero(wrong)):
            problems.append(
                Problem(
                    f,
                    i + 2,
                    "gid",
                    raw["gid"].iloc[i],
                    "not a PRIO-GRID cell id",
                    "give a whole number between 1 and 259200",
                )
            )
        if not has_xy and not problems:
            g = gid.to_numpy(np.int64) - 1
            out["longitude"] = (g % 720) * CELL - 180 + CELL / 2
            out["latitude"] = (g // 720) * CELL - 90 + CELL / 2
    dup = out["cell_id"].duplicated()
    for i in map(int, np.flatnonzero(dup.to_numpy())):
        problems.append(
            Problem(f, i + 2, ident, raw[ident].iloc[i], "cell listed twice", "give each cell once")
        )
    if out.empty:
        problems.append(Problem(f, None, None, None, "no cells", "give at least one cell"))
    if problems:
        raise DataError(problems)
    return out


def clip_to_area(cells: pd.DataFrame, area: BaseGeometry) -> tuple[pd.DataFrame, int]:
    """Cells whose centre lies in ``area``, and how many were outside (reported, not hidden)."""
    inside = shapely.contains_xy(
        area, cells["longitude"].to_numpy(float), cells["latitude"].to_numpy(float)
    )
    return cells.loc[inside].reset_index(drop=True), int((~inside).sum())


def candidate_sites(
    cells: pd.DataFrame,
    bases: pd.DataFrame,
    *,
    n: int,
    places: pd.DataFrame | None = None,
    min_km_from_base: float = 30.0,
) -> pd.DataFrame:
    """Candidate sites for temporary operating bases: the ``n`` highest-risk cells' best place.

    In each of the highest-risk cells not within ``min_km_from_base`` of an existing base, the site
    is the named place in ``places`` (``name, longitude, latitude``; e.g. UCDP-geocoded towns) that
    lies in the cell, else the cell centre.

    Returns
    -------
    DataFrame
        ``site_id, name, longitude, latitude, existing`` (False), ``source``.

    """
    from bluehelmet.protect.geometry import haversine_km

    if n <= 0 or cells.empty:
        return pd.DataFrame(
            columns=["site_id", "name", "longitude", "latitude", "existing", "source"]
        )
    lon = cells["longitude"].to_numpy(float)
    lat = cells["latitude"].to_numpy(float)
    near = np.zeros(len(cells), dtype=bool)
    for blon, blat in zip(
        bases["longitude"].to_numpy(float), bases["latitude"].to_numpy(float), strict=True
    ):
        near |= haversine_km(lon, lat, blon, blat) < min_km_from_base
    order = [i for i in np.argsort(-cells["risk"].to_numpy(float), kind="stable") if not near[i]]
    rows = []
    for i in order[:n]:
        cid = cells["cell_id"].iloc[i]
        name, plon, plat, src = f"cell {cid}", lon[i], lat[i], "centre of a high-risk cell"
        if places is not None and not places.empty:
            inside = places.loc[
                (places["longitude"] - lon[i]).abs().le(CELL / 2)
                & (places["latitude"] - lat[i]).abs().le(CELL / 2)
            ]
            if not inside.empty:
                best = inside.iloc[0]
                name, plon, plat = (
                    str(best["name"]),
                    float(best["longitude"]),
                    float(best["latitude"]),
                )
                src = f"named place in a high-risk cell ({best.get('source', 'gazetteer')})"
        rows.append(
            {
                "site_id": f"tob-{cid}",
                "name": name,
                "longitude": plon,
                "latitude": plat,
                "existing": False,
                "source": src,
            }
        )
    return pd.DataFrame(rows)


def ucdp_places(events: pd.DataFrame) -> pd.DataFrame:
    """Named towns and villages from UCDP's geocoding, most-reported first.

    Uses ``where_coordinates`` (or ``where_description``) names ending in ``town`` or ``village``.
    """
    col = "where_coordinates" if "where_coordinates" in events else "where_description"
    if col not in events:
        return pd.DataFrame(columns=["name", "longitude", "latitude", "source"])
    names = events[col].astype("string").str.strip()
    ok = names.str.match(r"^[^,()]+ (town|village)$").fillna(False).astype(bool)
    sub = events.loc[ok, ["longitude", "latitude"]].assign(
        name=names[ok].str.replace(r" (town|village)$", "", regex=True)
    )
    grouped = sub.groupby("name").agg(
        longitude=("longitude", "median"), latitude=("latitude", "median"), n=("name", "size")
    )
    out = grouped.sort_values("n", ascending=False).reset_index()
    out["source"] = "UCDP GED geocoded place name"
    return out[["name", "longitude", "latitude", "source"]]
