"""Early warning: the probability that a cell sees civilian deaths next year, from the past only.

The target is "civilian deaths >= 1 in the cell during the year". The bundled 6-column UCDP subset
has no violence type, so this is *any* organised-violence event that killed civilians, not only
one-sided violence (UCDP type 3).

The model is a gradient-boosted tree classifier (scikit-learn ``HistGradientBoostingClassifier``,
log loss) on the features of :mod:`bluehelmet.intel.features`. Baselines, scored the same way:
persistence, historical mean and a Gaussian kernel density of past events.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.ndimage import gaussian_filter
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from bluehelmet.intel.features import FEATURE_NAMES, Panel, all_features, build_panel
from bluehelmet.intel.grid import NCOL, NROW, row_col
from bluehelmet.intel.view import ReportView

#: KDE bandwidths tried (standard deviation in 0.5 degree cells), chosen on training years only.
KDE_BANDWIDTHS: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0)
#: First history year from which a year's features are used for training (needs one past year).
MIN_HISTORY = 1
#: Share of "cold" training rows kept (cells with no event nearby, ever); kept rows are weighted
#: by its inverse so that the fitted probabilities stay calibrated.
COLD_SAMPLE = 0.05
#: A row is cold when it has no past event in the cell or its two rings and none within this many km
#: last year.
COLD_KM = 500.0


def make_model(seed: int = 0) -> HistGradientBoostingClassifier:
    """The early-warning classifier (hyper-parameters fixed before looking at test years)."""
    return HistGradientBoostingClassifier(
        learning_rate=0.05,
        max_iter=250,
        max_leaf_nodes=31,
        min_samples_leaf=200,
        l2_regularization=1.0,
        early_stopping=False,
        random_state=seed,
    )


def _training_rows(
    panel: Panel, feats: np.ndarray, target_year: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, labels and weights of the years with history before ``target_year``.

    Most land cells never see an event; keeping all of them would make training slow without
    teaching the model anything. A random share :data:`COLD_SAMPLE` of those "cold" rows is kept,
    weighted by ``1 / COLD_SAMPLE``; every other row is kept with weight 1.
    """
    ks = list(range(MIN_HISTORY, panel.column(target_year)))
    if not ks:
        raise ValueError(
            f"no training year before {target_year}: need at least "
            f"{MIN_HISTORY + 1} years of events before it"
        )
    x = np.concatenate([feats[k] for k in ks])
    y = np.concatenate([panel.label(int(panel.years[k])) for k in ks])
    names = list(FEATURE_NAMES)
    cold = (
        (x[:, names.index("decayed_count")] == 0)
        & (x[:, names.index("nbr2_decayed_civ_any")] == 0)
        & (x[:, names.index("log_km_to_event_lag1")] >= np.log1p(COLD_KM))
    )
    keep = ~cold | (np.random.default_rng(seed).random(len(x)) < COLD_SAMPLE)
    weight = np.where(cold, 1 / COLD_SAMPLE, 1.0)
    return x[keep], y[keep], weight[keep]


def fit_predict_model(
    panel: Panel, feats: np.ndarray, target_year: int, seed: int = 0
) -> np.ndarray:
    """Train on years before ``target_year`` and return each cell's probability for it."""
    x, y, w = _training_rows(panel, feats, target_year, seed)
    x_test = feats[panel.column(target_year)]
    if y.min() == y.max():
        # No variation to learn from: the training rate is the honest prediction.
        return np.full(len(x_test), float(y.mean()))
    # One OpenMP thread: on a shared, busy machine the default threads spin-wait for each other
    # and a fit took 20 times longer (measured: 271 s against 7 s for 100,000 rows).
    with threadpool_limits(limits=1):
        model = make_model(seed).fit(x, y, sample_weight=w)
        return np.asarray(model.predict_proba(x_test)[:, 1])


def persistence(panel: Panel, target_year: int) -> np.ndarray:
    """1 where the cell had civilian deaths in the year before ``target_year``, else 0."""
    k = target_year - int(panel.years[0]) - 1
    if k < 0:
        return np.zeros(len(panel.cells))
    return (panel.civilian_deaths[:, k] >= 1).astype("float64")


def persistence_count(panel: Panel, target_year: int) -> np.ndarray:
    """Last year's civilian deaths in the cell, as a ranking score (not a probability)."""
    k = target_year - int(panel.years[0]) - 1
    if k < 0:
        return np.zeros(len(panel.cells))
    return panel.civilian_deaths[:, k].astype("float64")


def historical_mean(panel: Panel, target_year: int) -> np.ndarray:
    """Share of the years before ``target_year`` in which the cell had civilian deaths."""
    k = target_year - int(panel.years[0])
    if k <= 0:
        return np.zeros(len(panel.cells))
    return (panel.civilian_deaths[:, :k] >= 1).mean(axis=1)


def _density(panel: Panel, last_column: int, bandwidth: float) -> np.ndarray:
    """Gaussian KDE (on the grid) of civilian-death events of the panel's columns < last_column."""
    grid = np.zeros((NROW, NCOL))
    row, col = row_col(panel.cells["gid"])
    events = (panel.civilian_deaths[:, :last_column] >= 1).sum(axis=1)
    np.add.at(grid, (row, col), events)
    smooth = gaussian_filter(grid, sigma=bandwidth, mode=("constant", "wrap"), truncate=4.0)
    return np.asarray(smooth[row, col])


def _platt(score: np.ndarray, label: np.ndarray) -> LogisticRegression | None:
    if label.min() == label.max():
        return None
    return LogisticRegression(C=1e6).fit(np.log1p(score * 1e3).reshape(-1, 1), label)


def kernel_density(panel: Panel, target_year: int) -> np.ndarray:
    """KDE baseline as a probability, bandwidth and calibration chosen on training years only.

    The bandwidth maximises the average precision of year ``target_year - 1`` from a KDE of the
    years before it; a logistic (Platt) map of that validation year turns densities into
    probabilities. The final density uses every year before ``target_year``.
    """
    from sklearn.metrics import average_precision_score

    k = min(target_year - int(panel.years[0]), len(panel.years))
    if k < 2:
        return historical_mean(panel, target_year)
    label = (panel.civilian_deaths[:, k - 1] >= 1).astype(int)
    best, best_ap = KDE_BANDWIDTHS[0], -1.0
    for h in KDE_BANDWIDTHS:
        ap = average_precision_score(label, _density(panel, k - 1, h)) if label.any() else 0.0
        if ap > best_ap:
            best, best_ap = h, ap
    calib = _platt(_density(panel, k - 1, best), label)
    score = _density(panel, k, best)
    if calib is None:
        return np.full(len(score), float(label.mean()))
    return np.asarray(calib.predict_proba(np.log1p(score * 1e3).reshape(-1, 1))[:, 1])


def predict_risk(
    events: pd.DataFrame, target_year: int, *, cells: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Probability that each cell has civilian deaths >= 1 in ``target_year``.

    Trained on years before ``target_year`` only (features of year *t* from years < *t*, labels
    of years < ``target_year``).

    Parameters
    ----------
    events
        UCDP-like events with ``year, longitude, latitude, best, deaths_civilians``.
    target_year
        Year to forecast: at most one year after the last year in ``events``.
    cells
        The cells to model and return (``gid`` and optionally ``longitude, latitude, country``).
        Defaults to all land cells (:func:`bluehelmet.intel.grid.land_cells`). The model is
        trained on these cells only, so pass a region wide enough to hold a few hundred events.

    Returns
    -------
    DataFrame
        ``gid, longitude, latitude`` (cell centre) and ``risk`` (probability), one row per cell.
    """
    from bluehelmet.intel.grid import centre, land_cells

    universe = cell_universe(cells) if cells is not None else land_cells()
    years = pd.to_numeric(events["year"], errors="coerce").dropna().astype(int)
    if years.empty:
        raise ValueError("no events with a year: the early warning needs past events")
    first, last = int(years.min()), int(years.max())
    if not first + MIN_HISTORY < target_year <= last + 1:
        raise ValueError(
            f"target_year {target_year} must be between {first + MIN_HISTORY + 1} "
            f"and {last + 1} (the events cover {first}-{last}); forecasts further "
            "ahead would treat the years without data as years without violence"
        )
    panel = build_panel(events, universe, np.arange(first, last + 2))
    feats = all_features(panel)
    risk = fit_predict_model(panel, feats, target_year)
    lon, lat = centre(panel.cells["gid"])
    return pd.DataFrame(
        {
            "gid": panel.cells["gid"].to_numpy("int64"),
            "longitude": lon,
            "latitude": lat,
            "risk": risk,
        }
    )


def risk_inputs(view: ReportView) -> pd.DataFrame:
    """Early-warning input events built from the reports of ``view`` (what its reader may see).

    Reports are first fused into incidents for the reader (so one event reported three times
    counts once, and nothing the reader may not see enters); each located incident becomes one
    event with ``year, longitude, latitude, best, deaths_civilians`` for :func:`predict_risk`.
    """
    from bluehelmet.intel.fusion import fuse

    incidents = fuse(view).incidents
    located = incidents.dropna(subset=["longitude", "latitude"])
    year = pd.to_numeric(located["first_time"].str.slice(0, 4), errors="coerce")
    return (
        pd.DataFrame(
            {
                "year": year.astype("Int64"),
                "longitude": located["longitude"].to_numpy(float),
                "latitude": located["latitude"].to_numpy(float),
                "best": located["fatalities"].fillna(0).to_numpy(),
                "deaths_civilians": located["civilian_deaths"].fillna(0).to_numpy(),
            }
        )
        .dropna(subset=["year"])
        .reset_index(drop=True)
    )


def cell_universe(cells: pd.DataFrame) -> pd.DataFrame:
    """Given cells as a universe: centres, and each cell's country (given, else land_cells')."""
    from bluehelmet.intel.grid import centre, land_cells

    gids = np.unique(cells["gid"].to_numpy("int64"))
    lon, lat = centre(gids)
    out = pd.DataFrame({"gid": gids, "longitude": lon, "latitude": lat})
    # The country-level features need a country per cell; cells at sea have none ("").
    source = cells if "country" in cells else land_cells()
    out["country"] = (
        source.drop_duplicates("gid")
        .set_index("gid")["country"]
        .reindex(gids)
        .astype("string")
        .fillna("")
        .to_numpy()
    )
    return out
