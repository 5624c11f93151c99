"""Hotspots: reports aggregated on PRIO-GRID cells, Getis-Ord Gi* with significance, trends.

Every public function takes a :class:`~bluehelmet.intel.view.ReportView` (a store's
``view(reader)``): only reports the reader may see are ever counted.

Gi* (Getis & Ord 1992; Ord & Getis 1995) with binary queen-contiguity weights including the cell
itself, over a study area of cells ``S`` (n cells, values x)::

    Gi*_i = (sum_j w_ij x_j - xbar W_i) / (s sqrt((n sum_j w_ij^2 - W_i^2) / (n - 1)))

with ``W_i = sum_j w_ij``, ``xbar`` and ``s`` the mean and (population) standard deviation of x
over S. Gi* is a z-score; p-values are two-sided normal. Benjamini-Hochberg false discovery rate
control (:func:`scipy.stats.false_discovery_control`) is optional. Implemented with
``scipy.sparse`` (no extra dependency).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from bluehelmet.intel.grid import centre, gid_of, neighbour_matrix, row_col
from bluehelmet.intel.reports import parse_times
from bluehelmet.intel.view import ReportView

#: What a hotspot analysis can count per cell.
VALUES: tuple[str, ...] = ("reports", "fatalities", "civilian_deaths")


def aggregate(view: ReportView, *, period: str = "year") -> pd.DataFrame:
    """Reports of ``view`` per cell and period.

    Columns ``gid, period, reports, fatalities, civilian_deaths``.

    ``period`` is ``year``, ``month`` or ``all``. Reports without coordinates or time are not
    placed in any cell (they stay in the store; :func:`unplaced` counts them).
    """
    shown = view.reports
    times = parse_times(shown["time"])
    gid = gid_of(
        shown["longitude"].to_numpy("float64", na_value=np.nan),
        shown["latitude"].to_numpy("float64", na_value=np.nan),
    )
    ok = (gid > 0) & times.notna().to_numpy()
    if period == "year":
        label = times.dt.year.astype("Int64").astype("string")
    elif period == "month":
        label = times.dt.strftime("%Y-%m").astype("string")
    elif period == "all":
        label = pd.Series("all", index=shown.index, dtype="string")
    else:
        raise ValueError(f"unknown period {period!r}: use year, month or all")
    frame = pd.DataFrame(
        {
            "gid": gid[ok],
            "period": label[ok].to_numpy(),
            "fatalities": shown["fatalities"].astype("float64").fillna(0).to_numpy()[ok],
            "civilian_deaths": shown["civilian_deaths"].astype("float64").fillna(0).to_numpy()[ok],
        }
    )
    out = (
        frame.groupby(["gid", "period"])
        .agg(
            reports=("gid", "size"),
            fatalities=("fatalities", "sum"),
            civilian_deaths=("civilian_deaths", "sum"),
        )
        .reset_index()
    )
    return out.astype({"fatalities": "int64", "civilian_deaths": "int64"})


def unplaced(view: ReportView) -> int:
    """Number of reports of ``view`` that have no coordinates or no time."""
    shown = view.reports
    return int(
        (
            shown["longitude"].isna() | shown["latitude"].isna() | parse_times(shown["time"]).isna()
        ).sum()
    )


def study_area(gids: np.ndarray, margin: int = 2) -> np.ndarray:
    """All cells of the bounding rows/columns of ``gids`` plus ``margin`` cells on each side."""
    row, col = row_col(gids)
    rows = np.arange(max(row.min() - margin, 0), min(row.max() + margin, 359) + 1)
    cols = np.arange(max(col.min() - margin, 0), min(col.max() + margin, 719) + 1)
    return (rows[:, None] * 720 + cols[None, :] + 1).ravel()


def gi_star(
    values: pd.Series, cells: np.ndarray | None = None, *, fdr: bool = False, alpha: float = 0.05
) -> pd.DataFrame:
    """Getis-Ord Gi* of ``values`` (indexed by gid) over ``cells`` (default: :func:`study_area`).

    Cells of the study area without a value count as 0. Returns ``gid, longitude, latitude,
    value, z, p, significant, hotspot`` (``hotspot`` = significant and z > 0).
    """
    cells = study_area(values.index.to_numpy("int64")) if cells is None else np.asarray(cells)
    x = values.reindex(cells).fillna(0).to_numpy("float64")
    n = len(x)
    w = neighbour_matrix(cells, order=1, include_self=True)
    w_sum = np.asarray(w.sum(axis=1)).ravel()
    w_sq = np.asarray(w.multiply(w).sum(axis=1)).ravel()
    mean = x.mean()
    sd = np.sqrt(max((x**2).mean() - mean**2, 0.0))
    denom = sd * np.sqrt(np.maximum(n * w_sq - w_sum**2, 0) / max(n - 1, 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(denom > 0, (w @ x - mean * w_sum) / denom, 0.0)
    p = 2 * stats.norm.sf(np.abs(z))
    significant = _bh(p, alpha) if fdr else p <= alpha
    lon, lat = centre(cells)
    return pd.DataFrame(
        {
            "gid": cells,
            "longitude": lon,
            "latitude": lat,
            "value": x,
            "z": z,
            "p": p,
            "significant": significant,
            "hotspot": significant & (z > 0),
        }
    )


def _bh(p: np.ndarray, alpha: float) -> np.ndarray:
    """Benjamini-Hochberg: which p-values are discoveries at false discovery rate ``alpha``.

    The adjusted p-values come from :func:`scipy.stats.false_discovery_control`.
    """
    if len(p) == 0:
        return np.zeros(0, dtype=bool)
    return np.asarray(stats.false_discovery_control(p, method="bh") <= alpha)


def hotspots(
    view: ReportView,
    *,
    value: str = "reports",
    period: str | None = None,
    fdr: bool = True,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Gi* hotspots of the reports of ``view``, over all time or one period.

    ``value`` is ``reports``, ``fatalities`` or ``civilian_deaths``; ``period`` e.g. ``"2012"``
    (yearly periods) or ``None`` for all time. Only cells of the study area are returned.
    """
    if value not in VALUES:
        raise ValueError(f"unknown value {value!r}: use one of {', '.join(VALUES)}")
    agg = aggregate(view, period="all" if period is None else "year")
    if period is not None:
        agg = agg[agg["period"] == str(period)]
    if agg.empty:
        return gi_star(pd.Series(dtype="float64"), np.empty(0, "int64"))
    series = agg.groupby("gid")[value].sum().astype("float64")
    return gi_star(series, fdr=fdr, alpha=alpha)


def poisson_trend(years: np.ndarray, counts: np.ndarray) -> dict[str, float]:
    """Quasi-Poisson regression ``log E[count] = a + b (year - mean)`` by IRLS; slope, z and p.

    Returns ``change_per_year`` (exp(b) - 1), ``z`` and two-sided ``p`` (Wald test with the
    standard error scaled by the Pearson dispersion).
    """
    undefined = {"change_per_year": float("nan"), "z": float("nan"), "p": float("nan")}
    # A trend needs two years, and counts that are not all in one year (else the slope runs off).
    if len(years) < 2 or np.count_nonzero(counts) < 2:
        return undefined
    x = np.column_stack([np.ones(len(years)), years - years.mean()])
    y = counts.astype("float64")
    beta = np.array([np.log(max(y.mean(), 1e-9)), 0.0])
    for _ in range(50):
        mu = np.exp(x @ beta)
        step = np.linalg.solve(x.T @ (mu[:, None] * x), x.T @ (y - mu))
        beta += step
        if np.abs(step).max() < 1e-10:
            break
    mu = np.exp(x @ beta)
    # Quasi-Poisson: conflict counts are overdispersed, so the standard error is scaled by the
    # Pearson dispersion (at least 1) instead of trusting the Poisson variance.
    dispersion = max(float(((y - mu) ** 2 / mu).sum()) / max(len(y) - 2, 1), 1.0)
    cov = np.linalg.inv(x.T @ (mu[:, None] * x)) * dispersion
    z = float(beta[1] / np.sqrt(cov[1, 1]))
    return {
        "change_per_year": float(np.expm1(beta[1])),
        "z": z,
        "p": float(2 * stats.norm.sf(abs(z))),
    }


def mission_trends(view: ReportView, missions: pd.DataFrame) -> pd.DataFrame:
    """Yearly counts of ``view``'s reports and their Poisson trend in each mission's host country.

    ``missions`` needs ``id`` and ``host_iso3`` (e.g. :func:`bluehelmet.reference.un_missions`).
    A mission area is its host country's outline (Natural Earth 1:110m).
    """
    from bluehelmet.reference.countries import countries_at

    shown = view.reports
    years = parse_times(shown["time"]).dt.year
    iso = countries_at(
        shown["longitude"].to_numpy("float64", na_value=np.nan),
        shown["latitude"].to_numpy("float64", na_value=np.nan),
    )
    frame = pd.DataFrame({"iso3": iso, "year": years}).dropna()
    if frame.empty:
        return pd.DataFrame(
            columns=[
                "mission",
                "host_iso3",
                "first_year",
                "last_year",
                "reports",
                "change_per_year",
                "z",
                "p",
            ]
        )
    span = np.arange(int(frame["year"].min()), int(frame["year"].max()) + 1)
    rows = []
    for mission in missions.dropna(subset=["host_iso3"]).itertuples():
        own = frame[frame["iso3"] == mission.host_iso3]
        yearly = own.groupby("year").size().reindex(span, fill_value=0)
        trend = poisson_trend(span.astype(float), yearly.to_numpy())
        rows.append(
            {
                "mission": mission.id,
                "host_iso3": mission.host_iso3,
                "first_year": int(span[0]),
                "last_year": int(span[-1]),
                "reports": int(yearly.sum()),
                **trend,
            }
        )
    return pd.DataFrame(rows)
