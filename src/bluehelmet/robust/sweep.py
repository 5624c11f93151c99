"""Sweeps: plan every variant of a grid and gather one tidy table.

:func:`run_sweep` ships the reader's view of the scenario once per worker, plans each variant
(:func:`bluehelmet.robust.run.solve_variant`) through an :class:`~bluehelmet.robust.executor.
Executor`, keeps every variant's figures in ``variants/<key>.json`` as soon as it is solved
(a re-run solves only what is missing) and writes ``sweep.parquet`` and ``sweep.csv``: one row
per variant and figure.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from bluehelmet.io.write import neutralised_frame
from bluehelmet.model.access import AccessContext
from bluehelmet.robust.executor import Executor, run_tasks
from bluehelmet.robust.grid import (
    Axis,
    Grid,
    check_ids,
    scenario_fingerprint,
    variant_key,
    variant_overrides,
)
from bluehelmet.robust.run import FIGURES, reader_view, solve_variant
from bluehelmet.scenario.core import Scenario, ScenarioView

#: Columns of the sweep table after the axis columns.
TABLE_COLUMNS = ("status", "error", "figure", "value")


@dataclass
class SweepShared:
    """What every worker holds once: the reader's view and the solve settings."""

    view: ScenarioView
    axes: list[Axis]
    horizon: int | None
    time_limit: float | None


def sweep_task(shared: SweepShared, values: dict[str, Any]) -> dict[str, Any]:
    """Plan one variant; a failure is returned as the variant's ``error`` (the sweep goes on)."""
    try:
        overrides = variant_overrides(shared.view, shared.axes, values)
        figures = solve_variant(
            shared.view, overrides, horizon=shared.horizon, time_limit=shared.time_limit
        )
        return {**figures, "error": ""}
    except Exception as exc:
        last = traceback.extract_tb(exc.__traceback__)[-1]
        return {
            "status": "error",
            "error": f"{type(exc).__name__}: {exc} ({Path(last.filename).name}:{last.lineno})",
        }


@dataclass
class SweepResult:
    """The sweep table and which variants this call solved."""

    table: pd.DataFrame
    solved: list[str]
    folder: Path


def sweep_table(grid: Grid, keys: list[str], results: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """One row per variant and figure (tidy), variants in grid order."""
    rows = []
    for key, values in zip(keys, grid.variants, strict=True):
        res = results[key]
        base = {
            "variant": ", ".join(f"{a.name}={a.label(values[a.name])}" for a in grid.axes),
            "key": key,
            **{a.name: a.label(values[a.name]) for a in grid.axes},
            "status": str(res.get("status", "error")),
            "error": str(res.get("error", "")),
        }
        for fig in FIGURES:
            v = res.get(fig)
            rows.append({**base, "figure": fig, "value": float("nan") if v is None else float(v)})
    cols = ["variant", "key", *[a.name for a in grid.axes], *TABLE_COLUMNS]
    return pd.DataFrame(rows, columns=cols)


def run_sweep(
    scenario: Scenario,
    reader: AccessContext,
    grid: Grid,
    out: Path,
    executor: Executor,
    progress: Callable[[int, int], None] | None = None,
) -> SweepResult:
    """Plan every variant of ``grid`` and write the sweep table into ``out``.

    Raises
    ------
    DataError
        If the grid withdraws pledges or contributors the reader's view does not have.
    """
    view = reader_view(scenario, reader)
    check_ids(grid, view)
    fingerprint = scenario_fingerprint(view)
    keys = [variant_key(fingerprint, grid, v) for v in grid.variants]
    shared = SweepShared(view, grid.axes, grid.horizon, grid.time_limit)
    run = run_tasks(
        executor,
        sweep_task,
        shared,
        dict(zip(keys, grid.variants, strict=True)),
        out / "variants",
        progress,
    )
    table = sweep_table(grid, keys, run.results)
    out.mkdir(parents=True, exist_ok=True)
    write_table(table, out / "sweep")
    return SweepResult(table, run.computed, out)


def write_table(table: pd.DataFrame, stem: Path) -> None:
    """Write ``stem.parquet`` and ``stem.csv`` (each atomically, via a temporary name)."""
    for suffix in (".parquet", ".csv"):
        tmp = stem.with_name(f".{stem.name}{suffix}.tmp")
        if suffix == ".parquet":
            table.to_parquet(tmp, index=False)
        else:  # text cells a spreadsheet would run as formulas get a leading '
            neutralised_frame(table).to_csv(tmp, index=False)
        tmp.replace(stem.with_suffix(suffix))
