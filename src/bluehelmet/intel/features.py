"""Cell-year panel of events and the early-warning features, computed from the past only.

The features of cell *c* for year *t* use events of years strictly before *t*; nothing of year
*t* or later enters them. Because of that, the features of every year can be computed once and
shared by all the rolling-origin folds: a fold with test year *Y* trains on the rows of years
``t < Y`` (whose labels are years before *Y*) and predicts the rows of year *Y*.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.spatial import cKDTree

from bluehelmet.geodesy import chord_to_km, unit_vectors
from bluehelmet.intel.grid import centre, gid_of, neighbour_matrix

#: Yearly decay of the "decayed history" features (a half-life of about two years).
DECAY = 0.7
#: Cap, in years, of "years since" features for cells that never saw an event.
NEVER = 30.0
#: Cap, in km, of the distance to the nearest recent event.
FAR_KM = 3000.0

FEATURE_NAMES: tuple[str, ...] = (
    "civ_any_lag1",
    "log_count_lag1",
    "log_civ_lag1",
    "log_fatal_lag1",
    "decayed_count",
    "decayed_civ_any",
    "share_years_civ",
    "years_since_event",
    "years_since_civ",
    "nbr1_log_count_lag1",
    "nbr1_civ_any_lag1",
    "nbr1_decayed_civ_any",
    "nbr2_decayed_civ_any",
    "log_km_to_event_lag1",
    "log_km_to_civ_lag1",
    "country_log_civ_events_lag1",
    "country_decayed_civ_events",
    "history_years",
)


@dataclass(frozen=True)
class Panel:
    """Events aggregated to cells x years.

    Attributes
    ----------
    cells
        The universe: ``gid, longitude, latitude`` (cell centres) and optionally ``country``.
    years
        Consecutive years covered, ``years[k]`` is column *k* of the arrays.
    count, fatalities, civilian_deaths
        Events, best-estimate deaths and civilian deaths per cell (row) and year (column).
    outside
        Events whose cell is not in the universe (not counted anywhere; reported, not hidden).
    """

    cells: pd.DataFrame
    years: np.ndarray
    count: np.ndarray
    fatalities: np.ndarray
    civilian_deaths: np.ndarray
    outside: int

    def label(self, year: int) -> np.ndarray:
        """1 where a cell has civilian deaths >= 1 in ``year`` (the early-warning target)."""
        return (self.civilian_deaths[:, self.column(year)] >= 1).astype("int8")

    def column(self, year: int) -> int:
        """Array column of ``year``."""
        k = int(year) - int(self.years[0])
        if not 0 <= k < len(self.years):
            raise ValueError(f"year {year} outside the panel's {self.years[0]}-{self.years[-1]}")
        return k


def build_panel(
    events: pd.DataFrame, cells: pd.DataFrame, years: np.ndarray | None = None
) -> Panel:
    """Aggregate events (``year, longitude, latitude, best, deaths_civilians``) to cells x years.

    Missing ``best`` or ``deaths_civilians`` count as 0 deaths (the event still counts).
    """
    year = pd.to_numeric(events["year"], errors="coerce").to_numpy("float64")
    if years is None:
        years = np.arange(int(np.nanmin(year)), int(np.nanmax(year)) + 1)
    gid = gid_of(events["longitude"], events["latitude"])
    position = pd.Series(np.arange(len(cells)), index=cells["gid"].to_numpy("int64"))
    row = position.reindex(gid).to_numpy()
    col = year - years[0]
    inside = ~np.isnan(row) & (col >= 0) & (col < len(years))
    outside = int((np.isnan(row) & ~np.isnan(year)).sum())
    r = row[inside].astype("int64")
    c = col[inside].astype("int64")
    shape = (len(cells), len(years))

    def total(values: pd.Series | None) -> np.ndarray:
        weights = (
            np.ones(len(r))
            if values is None
            else pd.to_numeric(values, errors="coerce").fillna(0).to_numpy("float64")[inside]
        )
        out = np.zeros(shape)
        np.add.at(out, (r, c), weights)
        return out

    cells = cells.reset_index(drop=True)
    if "longitude" not in cells or "latitude" not in cells:
        lon, lat = centre(cells["gid"])
        cells = cells.assign(longitude=lon, latitude=lat)
    return Panel(
        cells,
        np.asarray(years),
        total(None),
        total(events["best"]),
        total(events["deaths_civilians"]),
        outside,
    )


def _km_to_nearest(points: np.ndarray, source: np.ndarray) -> np.ndarray:
    if not source.any():
        return np.full(len(points), FAR_KM)
    chord, _ = cKDTree(points[source]).query(points, k=1)
    km = chord_to_km(chord)
    return np.minimum(km, FAR_KM)


def all_features(panel: Panel) -> np.ndarray:
    """Features of every cell for every year of the panel, shape (years, cells, features).

    Row ``k`` holds the features for predicting year ``panel.years[k]``; they use only the
    columns ``< k`` of the panel (for ``k = 0`` there is no history and they are all "never").
    """
    n, n_years = panel.count.shape
    w1 = neighbour_matrix(panel.cells["gid"], order=1)
    w2 = neighbour_matrix(panel.cells["gid"], order=2)
    country = panel.cells["country"] if "country" in panel.cells else pd.Series([""] * n)
    codes, _ = pd.factorize(country.fillna("").astype(str))
    by_country = sp.csr_matrix((np.ones(n), (np.arange(n), codes)), shape=(n, codes.max() + 1))
    points = unit_vectors(panel.cells["longitude"].to_numpy(), panel.cells["latitude"].to_numpy())
    civ_any = (panel.civilian_deaths >= 1).astype("float64")
    out = np.zeros((n_years, n, len(FEATURE_NAMES)), dtype="float32")
    decayed_count = np.zeros(n)
    decayed_civ = np.zeros(n)
    decayed_country = np.zeros(by_country.shape[1])
    years_civ = np.zeros(n)
    since_event = np.full(n, NEVER)
    since_civ = np.full(n, NEVER)
    for k in range(n_years):
        if k > 0:
            # Roll the history forward by the year k-1, the most recent year before k.
            cnt, civ, fat = panel.count[:, k - 1], civ_any[:, k - 1], panel.fatalities[:, k - 1]
            civ_deaths = panel.civilian_deaths[:, k - 1]
            decayed_count = DECAY * decayed_count + cnt
            decayed_civ = DECAY * decayed_civ + civ
            country_civ = by_country.T @ civ
            decayed_country = DECAY * decayed_country + country_civ
            years_civ += civ
            since_event = np.where(cnt > 0, 1.0, np.minimum(since_event + 1, NEVER))
            since_civ = np.where(civ > 0, 1.0, np.minimum(since_civ + 1, NEVER))
        else:
            cnt = civ = fat = civ_deaths = np.zeros(n)
            country_civ = np.zeros(by_country.shape[1])
        out[k] = np.column_stack(
            [
                civ,
                np.log1p(cnt),
                np.log1p(civ_deaths),
                np.log1p(fat),
                np.log1p(decayed_count),
                decayed_civ,
                years_civ / max(k, 1),
                since_event,
                since_civ,
                np.log1p(w1 @ cnt),
                w1 @ civ,
                w1 @ decayed_civ,
                w2 @ decayed_civ,
                np.log1p(_km_to_nearest(points, cnt > 0)),
                np.log1p(_km_to_nearest(points, civ > 0)),
                np.log1p(by_country @ country_civ),
                by_country @ decayed_country,
                np.full(n, float(k)),
            ]
        )
    return out
