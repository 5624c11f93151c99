from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from bluehelmet.cli.main import app
from bluehelmet.intel import early_warning as ew
from bluehelmet.intel.evaluation import evaluate, top_share
from bluehelmet.intel.features import FEATURE_NAMES, all_features, build_panel
from bluehelmet.intel.grid import centre, gid_of
from bluehelmet.reference import ucdp_events


def _cells(lon0: float, lat0: float, n: int) -> pd.DataFrame:
    lon = lon0 + 0.5 * np.arange(n)
    gids = np.unique(gid_of(*np.meshgrid(lon, lat0 + 0.5 * np.arange(n))).ravel())
    return pd.DataFrame({"gid": gids})


def _events(rows: list[tuple[int, float, float, int]]) -> pd.DataFrame:
    year, lon, lat, civ = zip(*rows, strict=True)
    return pd.DataFrame(
        {"year": year, "longitude": lon, "latitude": lat, "best": civ, "deaths_civilians": civ}
    )


def test_prio_grid_ids() -> None:
    assert gid_of(np.array([-180.0]), np.array([-90.0]))[0] == 1
    assert gid_of(np.array([179.9]), np.array([89.9]))[0] == 259200
    assert gid_of(np.array([-8.0]), np.array([12.65]))[0] == 147945  # Bamako
    lon, lat = centre(np.array([147945]))
    assert (lon[0], lat[0]) == (-7.75, 12.75)


def test_features_use_the_past_only() -> None:
    cells = _cells(0.25, 0.25, 5)
    events = _events([(2000, 1.1, 1.1, 3), (2003, 1.1, 1.1, 2)])
    panel = build_panel(events, cells, np.arange(2000, 2005))
    feats = all_features(panel)
    k = int(np.flatnonzero(panel.cells["gid"] == gid_of(np.array([1.1]), np.array([1.1]))[0])[0])
    civ = FEATURE_NAMES.index("civ_any_lag1")
    # Year 2000's features know nothing of 2000; 2001's see it; 2003's do not see 2003.
    assert feats[0, k, civ] == 0 and feats[1, k, civ] == 1 and feats[3, k, civ] == 0
    changed = _events([(2000, 1.1, 1.1, 3), (2003, 1.1, 1.1, 2), (2004, 1.1, 1.1, 9)])
    again = all_features(build_panel(changed, cells, np.arange(2000, 2005)))
    assert np.array_equal(again[:5], feats[:5])  # a future event changes no feature


def test_predict_risk_contract_and_no_future() -> None:
    cells = _cells(0.25, 0.25, 10)
    rng = np.random.default_rng(1)
    rows = [
        (int(y), float(x), float(z), int(c))
        for y, x, z, c in zip(
            rng.integers(2000, 2010, 400),
            rng.uniform(0.3, 3, 400),
            rng.uniform(0.3, 3, 400),
            rng.integers(0, 3, 400),
            strict=True,
        )
    ]
    events = _events(rows)
    risk = ew.predict_risk(events, 2008, cells=cells)
    assert list(risk.columns) == ["gid", "longitude", "latitude", "risk"]
    assert len(risk) == len(cells) and risk["risk"].between(0, 1).all()
    future = pd.concat([events, _events([(2009, 5.0, 5.0, 99)] * 50)])
    again = ew.predict_risk(future[future["year"] != 2008], 2008, cells=cells)
    assert np.allclose(
        again["risk"], ew.predict_risk(events[events["year"] != 2008], 2008, cells=cells)["risk"]
    )
    with pytest.raises(ValueError, match="target_year"):
        ew.predict_risk(events, 2015, cells=cells)


def test_top_share_splits_ties() -> None:
    score = np.array([1.0, 1.0, 1.0, 1.0, 0.0] * 20)
    label = np.array([1.0, 0.0, 0.0, 0.0, 0.0] * 20)
    # top 1 % = 1 cell out of 80 tied ones: expected capture 1/80 of 20 positives = 1/20 share
    assert np.isclose(top_share(score, label, 0.01), (1 / 80 * 20) / 20)


def test_baselines() -> None:
    cells = _cells(0.25, 0.25, 3)
    events = _events([(2000, 0.3, 0.3, 1), (2001, 0.3, 0.3, 1), (2002, 0.8, 0.3, 1)])
    panel = build_panel(events, cells, np.arange(2000, 2004))
    k = int(np.flatnonzero(panel.cells["gid"] == gid_of(np.array([0.3]), np.array([0.3]))[0])[0])
    assert ew.persistence(panel, 2002)[k] == 1 and ew.persistence(panel, 2003)[k] == 0
    assert np.isclose(ew.historical_mean(panel, 2003)[k], 2 / 3)


def test_real_data_model_beats_persistence_on_reduced_years() -> None:
    events = ucdp_events()
    # West and central Africa only, one test year, to keep the test fast.
    box = events[events["longitude"].between(-18, 30) & events["latitude"].between(-12, 20)]
    from bluehelmet.intel.grid import land_cells

    cells = land_cells()
    cells = cells[cells["longitude"].between(-18, 30) & cells["latitude"].between(-12, 20)]
    result = evaluate(box, 2013, last_test_year=2013, cells=cells)
    means = result.means().to_dict("index")
    assert means["model"]["pr_auc"] > means["persistence"]["pr_auc"]
    assert means["model"]["brier"] < means["persistence"]["brier"]
    assert set(result.to_json()["years"]) == {"2013"}


def test_cli_evaluate(tmp_path: Path) -> None:
    cells = tmp_path / "events.csv"
    rng = np.random.default_rng(2)
    n = 300
    pd.DataFrame(
        {
            "year": rng.integers(2000, 2008, n),
            "longitude": rng.uniform(0, 3, n),
            "latitude": rng.uniform(0, 3, n),
            "where_coordinates": "somewhere",
            "best": rng.integers(1, 4, n),
            "deaths_civilians": rng.integers(0, 2, n),
        }
    ).to_csv(cells, index=False)
    out = tmp_path / "metrics.json"
    result = CliRunner().invoke(
        app,
        [
            "intel",
            "evaluate",
            str(cells),
            "--first-test-year",
            "2006",
            "--out",
            str(out),
            "--plot",
            str(tmp_path / "cal.png"),
        ],
    )
    assert result.exit_code == 0, result.output
    metrics = json.loads(out.read_text())
    assert set(metrics["years"]) == {"2006", "2007"}
    assert set(metrics["mean"]) == {
        "model",
        "persistence",
        "persistence_count",
        "historical_mean",
        "kernel_density",
    }
    assert metrics["mean"]["persistence_count"]["brier"] is None
    assert (tmp_path / "cal.png").stat().st_size > 1000
    # derived files: marked (published events: unclassified), private, written atomically
    assert metrics["classification"] == "unclassified"
    for name in ("metrics.json", "cal.png"):
        side = json.loads((tmp_path / f"{name}.marking.json").read_text())
        assert side["classification"] == "unclassified" and side["file"] == name
    assert out.stat().st_mode & 0o077 == 0
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_cli_risk(tmp_path: Path) -> None:
    out = tmp_path / "risk.csv"
    runner = CliRunner()
    from bluehelmet.reference.files import reference_path

    # The bundled subset's West African events only, to keep the test short.
    events = pd.read_csv(reference_path("ucdp_ged201_subset_1995_2014.csv"))
    events = events[events["longitude"].between(-18, 16) & events["latitude"].between(4, 25)]
    subset = str(tmp_path / "west_africa.csv")
    events.to_csv(subset, index=False)
    bad = runner.invoke(app, ["intel", "risk", subset, "--year", "2018", "--out", str(out)])
    assert bad.exit_code != 0 and "2015" in bad.output
    good = runner.invoke(app, ["intel", "risk", subset, "--year", "2015", "--out", str(out)])
    assert good.exit_code == 0, good.output
    table = pd.read_csv(out)
    assert list(table.columns) == ["gid", "longitude", "latitude", "risk", "classification"]
    assert set(table["classification"]) == {"unclassified"}
    assert len(table) == 66760 and table["risk"].between(0, 1).all()
