from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from bluehelmet.cli.main import app
from bluehelmet.scenario.io import save_scenario

from .conftest import small, write_grid

runner = CliRunner()

GRID = """
name = "cli"
time_limit = 30
[[axis]]
name = "lift"
parameter = "lift_moves_per_month"
values = [1, 40]
[[axis]]
name = "gender"
parameter = "gender_mode"
values = ["soft", "hard"]
"""


def test_sweep_and_risk_commands(tmp_path: Path, dask_client: object) -> None:
    folder = save_scenario(small(), tmp_path / "scn")
    grid = write_grid(tmp_path / "g.toml", GRID)
    env = {"COLUMNS": "160"}
    res = runner.invoke(
        app,
        [
            "sweep",
            str(folder),
            "--grid",
            str(grid),
            "--out",
            str(tmp_path / "s1"),
            "--workers",
            "1",
        ],
        env=env,
    )
    assert res.exit_code == 0, res.output
    assert "4 variants" in res.output and "lift=40, gender=hard" in res.output
    assert (tmp_path / "s1" / "charts" / "sweep_gender.png").exists()
    for name in ("sweep.csv", "sweep.parquet", "charts/sweep_gender.png"):  # marked results
        assert (tmp_path / "s1" / f"{name}.marking.json").exists()
    address = dask_client.scheduler.address  # type: ignore[attr-defined]
    res = runner.invoke(
        app,
        ["sweep", str(folder), "--grid", str(grid), "--out", str(tmp_path / "s2")],
        env={**env, "BLUEHELMET_DASK_SCHEDULER": address},
    )
    assert res.exit_code == 0, res.output
    a, b = (pd.read_parquet(tmp_path / d / "sweep.parquet") for d in ("s1", "s2"))
    keep = a["figure"] != "solve_seconds"
    pd.testing.assert_frame_equal(
        a[keep].reset_index(drop=True), b[b["figure"] != "solve_seconds"].reset_index(drop=True)
    )

    res = runner.invoke(
        app,
        ["risk", str(folder), "--draws", "12", "--seed", "5", "--out", str(tmp_path / "r")],
        env=env,
    )
    assert res.exit_code == 0, res.output
    assert "Pledges whose failure costs most" in res.output
    for name in (
        "draws",
        "outcomes",
        "distribution",
        "critical_held",
        "criticality",
        "comparison",
        "model",
    ):
        assert (tmp_path / "r" / f"{name}.csv").exists()
    assert len(pd.read_parquet(tmp_path / "r" / "outcomes.parquet")) == 12
    assert (tmp_path / "r" / "summary.json.marking.json").exists()
    assert (tmp_path / "r" / "criticality.csv.marking.json").exists()


def test_bad_grid_exits_with_the_problem(tmp_path: Path) -> None:
    grid = write_grid(tmp_path / "g.toml", '[[axis]]\nname = "x"\nbudget_scale = [0]\n')
    res = runner.invoke(app, ["sweep", "2018", "--grid", str(grid), "--out", str(tmp_path / "s")])
    assert res.exit_code == 2
    assert "g.toml" in res.output and "budget_scale" in res.output


def test_a_reader_who_sees_nothing_to_plan_is_told(tmp_path: Path) -> None:
    res = runner.invoke(
        app,
        [
            "risk",
            "2018",
            "--draws",
            "2",
            "--out",
            str(tmp_path / "r"),
            "--org",
            "public",
            "--clearance",
            "unclassified",
        ],
    )
    assert res.exit_code == 2
    assert "may see no requirements" in res.output and "--org" in res.output
