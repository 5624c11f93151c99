"""``bluehelmet protect`` end to end on the bundled 2018 scenario with a small risk layer."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
from typer.testing import CliRunner

from bluehelmet.cli.main import app
from bluehelmet.protect import apply_requirements
from bluehelmet.protect.geometry import haversine_km
from bluehelmet.protect.inputs import area_cells, mission_area
from bluehelmet.scenario.io import load_scenario


def _risk_file(tmp_path: Path) -> Path:
    """Synthetic risk peaking between Timbuktu and Mopti (central Mali), plus one cell abroad."""
    cells = area_cells(mission_area("MLI"))
    d = haversine_km(cells["longitude"].to_numpy(), cells["latitude"].to_numpy(), -3.5, 15.5)
    cells["risk"] = np.round(np.exp(-d / 150), 4)
    abroad = pd.DataFrame({"gid": [1], "longitude": [-179.75], "latitude": [-89.75], "risk": [1]})
    path = tmp_path / "risk.csv"
    pd.concat([cells, abroad]).to_csv(path, index=False)
    return path


def test_protect_cli_writes_everything_and_requirements_fit_the_scenario(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        [
            "protect",
            "MINUSMA",
            "--scenario",
            "2018",
            "--risk",
            str(_risk_file(tmp_path)),
            "--response-minutes",
            "90",
            "--out",
            str(out),
            "--max-units",
            "1",
            "--candidates",
            "8",
            "--min-gain",
            "0.001",
            "--format",
            "gpkg",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "today:" in result.output and "requirement:" in result.output
    assert "1 cells of the risk layer lie outside the mission area" in " ".join(
        result.output.split()
    )
    for name in (
        "deployment_today.csv",
        "deployment_proposed.csv",
        "coverage.csv",
        "coverage_curve.csv",
        "marginal.csv",
        "recommended.csv",
        "requirements.csv",
        "uncovered_high_risk.csv",
        "sites.csv",
        "summary.json",
        "coverage_map.png",
    ):
        assert (out / name).is_file(), name
    for layer in ("coverage", "sites", "bases", "uncovered_high_risk"):  # map layers for GIS
        info = pyogrio.read_info(out / f"{layer}.gpkg")
        assert info["crs"] == "EPSG:4326" and info["geometry_type"] == "Point", layer
    assert pyogrio.read_info(out / "coverage.gpkg")["features"] == len(
        pd.read_csv(out / "coverage.csv")
    )
    summary = json.loads((out / "summary.json").read_text())
    assert summary["proposed_coverage_share"] >= summary["today_coverage_share"]
    assert 0 < summary["today_coverage_share"] < 1
    coverage = pd.read_csv(out / "coverage.csv")
    assert (coverage["coverage_proposed"] >= coverage["coverage_today"] - 1e-9).all()
    # requirements.csv is in the scenario format: it loads and extends the 2018 scenario.
    from bluehelmet.scenario.io import read_table_file

    reqs, problems = read_table_file(out / "requirements.csv", "requirements")
    assert problems == [] and len(reqs) == 1
    assert reqs.loc[0, "mission_id"] == "MINUSMA" and reqs.loc[0, "basis"] == "derived"
    assert "bluehelmet protect" in reqs.loc[0, "source"]
    scenario = apply_requirements(load_scenario("2018"), reqs)
    assert scenario.validate() == []


def test_protect_cli_bad_risk_file_exits_2_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "risk.csv"
    path.write_text("gid,risk\n152993,high\n", "utf-8")
    result = CliRunner().invoke(
        app,
        [
            "protect",
            "MINUSMA",
            "--scenario",
            "2018",
            "--risk",
            str(path),
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "line 2, column 'risk': value 'high'" in text


def test_protect_cli_unknown_mission(tmp_path: Path) -> None:
    path = tmp_path / "risk.csv"
    path.write_text("gid,risk\n152993,0.1\n", "utf-8")
    result = CliRunner().invoke(
        app,
        [
            "protect",
            "NOPE",
            "--scenario",
            "2018",
            "--risk",
            str(path),
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert result.exit_code == 2 and "no such mission" in " ".join(result.output.split())
