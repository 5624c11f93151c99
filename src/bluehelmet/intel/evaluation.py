"""Rolling-origin evaluation of the early warning against its baselines, and the calibration plot.

For each test year *Y* from ``first_test_year`` to the last year present: train on years before
*Y* (features from years before each training year, labels from years before *Y*), predict *Y*,
score. Every model and baseline is scored on the same universe of cells and the same labels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from bluehelmet.errors import OutputError
from bluehelmet.intel import early_warning as ew
from bluehelmet.intel.features import Panel, all_features, build_panel

#: Models in the order they are reported.
MODELS: tuple[str, ...] = (
    "model",
    "persistence",
    "persistence_count",
    "historical_mean",
    "kernel_density",
)
#: Scores that rank cells but are not probabilities: no Brier score, no calibration.
RANK_ONLY: tuple[str, ...] = ("persistence_count",)
METRICS: tuple[str, ...] = (
    "roc_auc",
    "pr_auc",
    "brier",
    "top1_cells",
    "top5_cells",
    "top1_deaths",
    "top5_deaths",
)
#: Probability bin edges of the reliability diagram (log-spaced: risks are mostly small).
CALIBRATION_EDGES: tuple[float, ...] = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 0.6, 1.0)


@dataclass
class Evaluation:
    """Result of :func:`evaluate`.

    Attributes
    ----------
    metrics
        One row per test year and model: ``year, model`` and :data:`METRICS`.
    predictions
        ``year, gid, label, civilian_deaths`` and one column per model (the scores).
    info
        The universe and data facts (cells, events, events outside the universe, years).
    """

    metrics: pd.DataFrame
    predictions: pd.DataFrame
    info: dict[str, Any] = field(default_factory=dict)

    def means(self) -> pd.DataFrame:
        """Mean of each metric over the test years, one row per model."""
        return self.metrics.groupby("model", sort=False)[list(METRICS)].mean()

    def to_json(self) -> dict[str, Any]:
        """Per test year the metrics of each model, plus their means and the universe facts."""
        years: dict[str, Any] = {}
        for row in self.metrics.to_dict("records"):
            years.setdefault(str(row["year"]), {})[str(row["model"])] = {
                m: _number(row[m]) for m in METRICS
            }
        mean = {
            str(m): {str(k): _number(v) for k, v in row.items()}
            for m, row in self.means().iterrows()
        }
        return {
            "target": "civilian deaths >= 1 in a PRIO-GRID cell in the year",
            "info": self.info,
            "years": years,
            "mean": mean,
        }


def _number(value: Any) -> float | None:
    """A metric for JSON: ``None`` (null) where it is undefined, e.g. Brier of a rank score."""
    number = float(value)
    return None if np.isnan(number) else number


def top_share(score: np.ndarray, weight: np.ndarray, share: float) -> float:
    """Share of ``weight`` in the top ``share`` of cells by ``score``.

    Ties at the cut are shared out as under a random order of the tied cells (their expected
    capture), so that a coarse score such as persistence is neither favoured nor penalised.
    """
    total = float(weight.sum())
    if total == 0:
        return float("nan")
    slots = share * len(score)
    order = np.argsort(-score, kind="stable")
    s, w = score[order], weight[order]
    cut = s[min(max(int(np.ceil(slots)), 1), len(s)) - 1]
    above = s > cut
    tied = s == cut
    tied_share = min((slots - above.sum()) / tied.sum(), 1.0)
    return float((w[above].sum() + tied_share * w[tied].sum()) / total)


def score(
    label: np.ndarray, deaths: np.ndarray, prob: np.ndarray, *, probability: bool = True
) -> dict[str, float]:
    """All :data:`METRICS` of one prediction (no Brier score unless it is a ``probability``)."""
    both = 0 < label.sum() < len(label)
    return {
        "roc_auc": float(roc_auc_score(label, prob)) if both else float("nan"),
        "pr_auc": float(average_precision_score(label, prob)) if both else float("nan"),
        "brier": float(brier_score_loss(label, prob)) if probability else float("nan"),
        "top1_cells": top_share(prob, label.astype(float), 0.01),
        "top5_cells": top_share(prob, label.astype(float), 0.05),
        "top1_deaths": top_share(prob, deaths, 0.01),
        "top5_deaths": top_share(prob, deaths, 0.05),
    }


def _predict_all(panel: Panel, feats: np.ndarray, year: int) -> dict[str, np.ndarray]:
    return {
        "model": ew.fit_predict_model(panel, feats, year),
        "persistence": ew.persistence(panel, year),
        "persistence_count": ew.persistence_count(panel, year),
        "historical_mean": ew.historical_mean(panel, year),
        "kernel_density": ew.kernel_density(panel, year),
    }


def evaluate(
    events: pd.DataFrame,
    first_test_year: int,
    *,
    cells: pd.DataFrame | None = None,
    last_test_year: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Evaluation:
    """Rolling-origin evaluation of the model and the baselines.

    Parameters
    ----------
    events
        UCDP-like events (``year, longitude, latitude, best, deaths_civilians``).
    first_test_year, last_test_year
        Test years (the last defaults to the last year in ``events``).
    cells
        The universe; defaults to all land cells (:func:`bluehelmet.intel.grid.land_cells`).
    progress
        Called with each test year once it is scored.
    """
    from bluehelmet.intel.grid import land_cells

    universe = land_cells() if cells is None else ew.cell_universe(cells)
    years = pd.to_numeric(events["year"], errors="coerce").dropna().astype(int)
    first, last = int(years.min()), int(years.max())
    last_test_year = last if last_test_year is None else last_test_year
    if not first + ew.MIN_HISTORY < first_test_year <= last_test_year <= last:
        raise ValueError(
            f"test years {first_test_year}-{last_test_year} must lie within "
            f"{first + ew.MIN_HISTORY + 1}-{last} for events of {first}-{last}"
        )
    panel = build_panel(events, universe, np.arange(first, last + 1))
    feats = all_features(panel)
    rows, preds = [], []
    for year in range(first_test_year, last_test_year + 1):
        label = panel.label(year)
        deaths = panel.civilian_deaths[:, panel.column(year)]
        scores = _predict_all(panel, feats, year)
        for name in MODELS:
            rows.append(
                {
                    "year": year,
                    "model": name,
                    **score(label, deaths, scores[name], probability=name not in RANK_ONLY),
                }
            )
        preds.append(
            pd.DataFrame(
                {
                    "year": year,
                    "gid": panel.cells["gid"].to_numpy(),
                    "label": label,
                    "civilian_deaths": deaths,
                    **scores,
                }
            )
        )
        if progress is not None:
            progress(year)
    info = {
        "universe": "PRIO-GRID 0.5 degree cells intersecting a Natural Earth 1:110m "
        "country polygon (Antarctica excluded)"
        if cells is None
        else "cells given",
        "cells": len(universe),
        "events": len(events),
        "events_outside_universe": panel.outside,
        "years": [first, last],
        "test_years": [first_test_year, last_test_year],
    }
    return Evaluation(pd.DataFrame(rows), pd.concat(preds, ignore_index=True), info)


def calibration_table(predictions: pd.DataFrame) -> pd.DataFrame:
    """Reliability table pooled over test years: per model and bin, mean forecast and frequency."""
    edges = np.asarray(CALIBRATION_EDGES)
    out = []
    for name in [m for m in MODELS if m not in RANK_ONLY]:
        prob = predictions[name].to_numpy()
        which = np.clip(np.searchsorted(edges, prob, side="right") - 1, 0, len(edges) - 2)
        frame = pd.DataFrame({"bin": which, "prob": prob, "label": predictions["label"]})
        grouped = frame.groupby("bin").agg(
            forecast=("prob", "mean"), observed=("label", "mean"), cells=("label", "size")
        )
        out.append(grouped.reset_index().assign(model=name))
    return pd.concat(out, ignore_index=True)


def plot_calibration(table: pd.DataFrame, path: str | Path) -> Path:
    """Save a black-and-white reliability diagram (log-log axes) of ``calibration_table``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    styles = {
        "model": ("o", "-"),
        "persistence": ("s", "--"),
        "historical_mean": ("^", ":"),
        "kernel_density": ("D", "-."),
    }
    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.plot([1e-4, 1], [1e-4, 1], color="0.6", linewidth=1, label="perfect calibration")
    for name in [m for m in MODELS if m not in RANK_ONLY]:
        rows = table[(table["model"] == name) & (table["cells"] >= 20)]
        marker, line = styles[name]
        ax.plot(
            rows["forecast"].clip(lower=1e-4),
            rows["observed"].clip(lower=1e-4),
            marker=marker,
            linestyle=line,
            color="black",
            markerfacecolor="white",
            label=name.replace("_", " "),
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("forecast probability (bin mean)")
    ax.set_ylabel("observed frequency of civilian deaths >= 1")
    ax.set_title("Reliability, pooled test years (bins with >= 20 cells)")
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    fig.tight_layout()
    from bluehelmet.io.write import atomic_file

    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        with atomic_file(out) as tmp:  # a kill leaves the old plot or the new one
            fig.savefig(tmp, dpi=120, format=out.suffix.lstrip(".").lower() or "png")
    except OSError as exc:
        raise OutputError(
            f"{out}: cannot be written ({exc.strerror or exc}); choose another path"
        ) from exc
    finally:
        plt.close(fig)
    return out
