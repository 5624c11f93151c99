from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bluehelmet.robust.charts import sweep_charts
from bluehelmet.robust.executor import DaskExecutor, LocalPool
from bluehelmet.robust.grid import load_grid
from bluehelmet.robust.sweep import run_sweep
from bluehelmet.scenario.core import Scenario

from .conftest import READER, write_grid

GRID = """
name = "lift and withdrawals"
time_limit = 30
[[axis]]
name = "lift"
parameter = "lift_moves_per_month"
values = [1, 4, 40]  # 4: the scenario's own, so one variant is the base plan
[[axis]]
name = "out"
withdraw_contributors = [[], ["C000", "C001"]]
[[axis]]
name = "transit"
parameter = "transit_km_per_day"
values = [600.0, 0.0]
"""


def _solution(table: pd.DataFrame) -> pd.DataFrame:
    """The table without wall-clock figures (those differ between runs)."""
    return table[table["figure"] != "solve_seconds"].reset_index(drop=True)


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
def test_sweep_local_dask_resume_and_failures(
    tmp_path: Path, scenario: Scenario, dask_client: object
) -> None:
    grid = load_grid(write_grid(tmp_path / "g.toml", GRID))
    out = tmp_path / "local"
    first = run_sweep(scenario, READER, grid, out, LocalPool(2))
    table = first.table
    assert len(first.solved) == 12
    assert len(table) == 12 * 6 and set(table["figure"]) >= {
        "unmet_requirement_months",
        "total_cost_usd",
        "women_share",
    }
    assert (out / "sweep.parquet").exists() and (out / "sweep.csv").exists()
    pd.testing.assert_frame_equal(pd.read_parquet(out / "sweep.parquet"), table)

    # A transit speed of 0 km/day cannot be planned: those six variants fail with their error,
    # the six others are planned.
    per_variant = table.drop_duplicates("variant")
    failed = per_variant[per_variant["transit"] == 0.0]
    assert (failed["status"] == "error").all() and failed["error"].str.len().gt(0).all()
    ok = per_variant[per_variant["transit"] == 600.0]
    assert (ok["status"] == "optimal").all() and (ok["error"] == "").all()
    # lift=4, out=none, transit=600 are the scenario's own values: the base plan, not an error.
    assert "lift=4, out=none, transit=600.0" in set(ok["variant"])

    wide = table[table["transit"] == 600.0].pivot_table(
        index=["lift", "out"], columns="figure", values="value"
    )
    # Invariants: more lift never leaves more unmet; withdrawing contributors never helps.
    for out_value in ("none", "C000+C001"):
        unmet = wide.xs(out_value, level="out")["unmet_requirement_months"].to_numpy()
        assert (np.diff(unmet) <= 1e-9).all()
    gap = wide["weighted_unmet_requirement_months"].unstack("out")
    assert (gap["C000+C001"] >= gap["none"] - 1e-9).all()

    # Interrupted: two results lost. The re-run solves exactly those and gives the same table.
    lost = sorted((out / "variants").glob("*.json"))[:2]
    for f in lost:
        f.unlink()
    again = run_sweep(scenario, READER, grid, out, LocalPool(2))
    assert sorted(again.solved) == sorted(f.stem for f in lost)
    pd.testing.assert_frame_equal(_solution(again.table), _solution(table))

    # The same sweep on a Dask cluster gives the same table.
    on_dask = run_sweep(scenario, READER, grid, tmp_path / "dask", DaskExecutor(dask_client))
    assert len(on_dask.solved) == 12
    pd.testing.assert_frame_equal(_solution(on_dask.table), _solution(table))

    charts = sweep_charts(table, tmp_path / "charts")
    assert [p.name for p in charts] == ["sweep_lift.png", "sweep_out.png", "sweep_transit.png"]
    assert all(p.stat().st_size > 1000 for p in charts)


class _Shared:
    """Shared data that appends a line to ``log`` every time it is unpickled."""

    def __init__(self, log: str) -> None:
        self.log = log

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (_unpickled, (self.log,))


def _unpickled(log: str) -> _Shared:
    with open(log, "a", encoding="utf-8") as f:
        f.write("x\n")
    return _Shared(log)


def _task(shared: _Shared, payload: int) -> dict[str, int]:
    return {"payload": payload}


def test_shared_data_ships_once_per_worker_not_per_task(
    tmp_path: Path, dask_client: object
) -> None:
    from bluehelmet.robust.executor import run_tasks

    tasks = {f"t{i}": i for i in range(12)}
    for name, ex in (("local", LocalPool(2)), ("dask", DaskExecutor(dask_client))):
        log = tmp_path / f"{name}.log"
        log.touch()
        run = run_tasks(ex, _task, _Shared(str(log)), tasks, tmp_path / name)
        assert {k: r["payload"] for k, r in run.results.items()} == tasks
        copies = len(log.read_text(encoding="utf-8").splitlines())
        # At most one copy per worker (the in-process Dask workers of the test share memory).
        assert copies <= ex.workers < len(tasks)
        if name == "local":
            assert copies >= 1  # the pool's processes did receive it, once each
