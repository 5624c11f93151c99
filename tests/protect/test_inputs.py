"""Bundled MINUSMA bases, the protect entities, risk layers and candidate sites."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bluehelmet.errors import DataError, UnreadableFileError
from bluehelmet.model.access import AccessContext, Classification
from bluehelmet.protect.geometry import haversine_km
from bluehelmet.protect.inputs import (
    area_cells,
    candidate_sites,
    clip_to_area,
    data_path,
    load_inputs,
    mission_area,
    read_risk,
)

PUBLIC = AccessContext.public()
GEOPKO = Path("/work/shared/data/reference-only/geopko_FrontMap_v.2.3.csv")


def test_bundled_minusma_2018_bases_and_assets_are_valid() -> None:
    bases, assets, held = load_inputs("MINUSMA", 2018, PUBLIC)
    assert len(bases) == 14
    assert set(bases.loc[bases["kind"] != "company_base", "name"]) == {
        "Bamako",
        "Gao",
        "Kidal",
        "Timbuktu (Tombouctou)",
    }
    assert set(bases["basis"]) == {"derived"}
    assert bases["source"].str.contains("Geo-PKO").all()
    assert set(assets.index) == {
        "infantry_company_road",
        "infantry_company_foot",
        "quick_reaction_force",
        "utility_helicopter",
        "utility_helicopter_day",
        "attack_helicopter",
        "attack_helicopter_day",
        "formed_police_unit",
    }
    assert assets.loc["utility_helicopter", "availability"] == pytest.approx(2 / 3, abs=0.001)
    assert held["base_id"].isin(bases["id"]).all()
    heli = held.loc[held["asset_type_id"] == "utility_helicopter"]
    assert set(heli["basis"]) == {"illustrative"}
    # Every base lies in Mali.
    area = mission_area("MLI")
    assert clip_to_area(bases, area)[1] == 0


@pytest.mark.skipif(not GEOPKO.is_file(), reason="Geo-PKO reference file not on this machine")
def test_bundled_positions_agree_with_geopko_within_5_km() -> None:
    geo = pd.read_csv(GEOPKO)
    geo = geo.loc[(geo["mission"] == "MINUSMA") & (geo["year"] == 2018)]
    bases, _, _ = load_inputs("MINUSMA", 2018, PUBLIC)
    assert len(geo["location"].unique()) == len(bases)
    d = haversine_km(
        bases["longitude"].to_numpy()[:, None],
        bases["latitude"].to_numpy()[:, None],
        geo["longitude"].to_numpy()[None, :],
        geo["latitude"].to_numpy()[None, :],
    )
    assert (d.min(axis=1) < 5).all()


def test_confidential_bases_are_hidden_from_readers_without_need_to_know(tmp_path: Path) -> None:
    bases = pd.read_csv(data_path("minusma_2018_bases.csv"), dtype=str, keep_default_na=False)
    bases.loc[bases["id"] == "minusma-ber", ["classification", "owner"]] = [
        "confidential",
        "MINUSMA",
    ]
    path = tmp_path / "bases.csv"
    bases.to_csv(path, index=False)
    public, _, _ = load_inputs("MINUSMA", 2018, PUBLIC, bases_file=path)
    mission = AccessContext("MINUSMA", Classification.CONFIDENTIAL)
    inside, _, _ = load_inputs("MINUSMA", 2018, mission, bases_file=path)
    assert "minusma-ber" not in set(public["id"]) and "minusma-ber" in set(inside["id"])


def test_bad_base_file_names_line_column_value_and_fix(tmp_path: Path) -> None:
    bases = pd.read_csv(data_path("minusma_2018_bases.csv"), dtype=str, keep_default_na=False)
    bases.loc[2, "latitude"] = "16,27"
    bases.loc[4, "kind"] = "fort"
    path = tmp_path / "bases.csv"
    bases.to_csv(path, index=False)
    with pytest.raises(DataError) as err:
        load_inputs("MINUSMA", 2018, PUBLIC, bases_file=path)
    text = str(err.value)
    assert "line 4, column 'latitude': value '16,27'" in text and "decimal point" in text
    assert "line 6, column 'kind': value 'fort'" in text and "tob_candidate" in text


def test_unknown_mission_without_bases_asks_for_a_file() -> None:
    with pytest.raises(DataError, match="--bases"):
        load_inputs("UNMISS", 2018, PUBLIC)


def test_risk_file_errors_are_precise(tmp_path: Path) -> None:
    path = tmp_path / "risk.csv"
    path.write_text("gid,risk\n152993,0.1\n152993,0.2\nabc,-1\n", "utf-8")
    with pytest.raises(DataError) as err:
        read_risk(path)
    text = str(err.value)
    assert "line 4, column 'risk': value '-1'" in text
    assert "line 4, column 'gid': value 'abc'" in text
    assert "line 3, column 'gid': value '152993': cell listed twice" in text
    path.write_text("cell,value\n1,2\n", "utf-8")
    with pytest.raises(DataError, match="'gid'.*no cell id column"):
        read_risk(path)
    with pytest.raises(UnreadableFileError):
        read_risk(tmp_path / "missing.csv")


def test_risk_file_with_gid_only_gets_cell_centres(tmp_path: Path) -> None:
    path = tmp_path / "risk.csv"
    path.write_text("gid,risk\n147945,0.5\n", "utf-8")  # Bamako's cell
    risk = read_risk(path)
    assert risk.loc[0, "longitude"] == pytest.approx(-7.75)
    assert risk.loc[0, "latitude"] == pytest.approx(12.75)


def test_area_cells_and_candidates() -> None:
    area = mission_area("MLI")
    cells = area_cells(area)
    assert 380 < len(cells) < 460  # Mali: about 1.24 million km2 of 0.5 degree cells
    cells = cells.rename(columns={"gid": "cell_id"}).assign(risk=np.linspace(0, 1, len(cells)))
    bases, _, _ = load_inputs("MINUSMA", 2018, PUBLIC)
    places = pd.DataFrame(
        {
            "name": ["Somewhere"],
            "longitude": [cells["longitude"].iloc[-1]],
            "latitude": [cells["latitude"].iloc[-1]],
            "source": ["test"],
        }
    )
    sites = candidate_sites(cells, bases, n=5, places=places)
    assert len(sites) == 5 and not sites["existing"].any()
    assert sites.loc[0, "name"] == "Somewhere"  # the highest-risk cell holds the named place
    d = haversine_km(
        sites["longitude"].to_numpy()[:, None],
        sites["latitude"].to_numpy()[:, None],
        bases["longitude"].to_numpy()[None, :],
        bases["latitude"].to_numpy()[None, :],
    )
    assert (d.min(axis=1) >= 30).all()


def test_weight_column_multiplies_the_risk(tmp_path: Path) -> None:
    path = tmp_path / "risk.csv"
    path.write_text("gid,risk,weight\n152993,0.1,2000\n152994,0.2,10\n", "utf-8")
    risk = read_risk(path)
    from bluehelmet.protect.problem import CoverageProblem

    sites = pd.DataFrame(
        {"site_id": ["a"], "name": ["a"], "longitude": [0.0], "latitude": [0.0], "existing": [True]}
    )
    problem = CoverageProblem(risk, sites, pd.DataFrame(), pd.DataFrame())
    assert list(problem.value) == pytest.approx([200.0, 2.0])


def test_a_risk_layer_entirely_outside_the_area_is_an_error() -> None:
    from bluehelmet.protect.planning import analyse_mission
    from bluehelmet.scenario.io import load_scenario

    risk = pd.DataFrame(
        {"cell_id": ["1"], "longitude": [-179.75], "latitude": [-89.75], "risk": [0.5]}
    )
    with pytest.raises(DataError, match="none of its 1 cells lies in the mission area"):
        analyse_mission(load_scenario("2018").view(PUBLIC), "MINUSMA", risk=risk)
