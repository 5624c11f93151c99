"""The gazetteer knows the missions' places, under every spelling users write."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from bluehelmet.cli.main import app
from bluehelmet.geodesy import haversine_km
from bluehelmet.intel.gazetteer import lookup, place_key, suggest
from bluehelmet.intel.reports import read_reports_file, validate_reports
from tests.intel.helpers import HEADER

ROOT = Path(__file__).resolve().parents[2]
MALI = ROOT / "examples" / "mali_reports.csv"
BASES = ROOT / "src" / "bluehelmet" / "datasets" / "protect" / "minusma_2018_bases.csv"


def _raw(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def test_keys_ignore_case_accents_hyphens_and_spaces() -> None:
    assert place_key("  MÉNAKA ") == place_key("menaka") == "menaka"
    assert place_key("Kaga-Bandoro") == place_key("kaga  bandoro")
    assert place_key("Aguel'hok") == place_key("Aguel hok")


@pytest.mark.parametrize(
    ("name", "lon", "lat"),
    [
        ("Gao", -0.04, 16.27),
        ("KIDAL", 1.41, 18.44),
        ("Tombouctou", -3.01, 16.77),
        ("Timbuktu", -3.01, 16.77),
        ("Ménaka", 2.40, 15.92),
        ("menaka", 2.40, 15.92),
        ("Mopti", -4.18, 14.48),
        ("Bentiu", 29.80, 9.26),
        ("Bangui", 18.55, 4.36),
        ("Goma", 29.23, -1.67),
        ("Al Fashir", 25.35, 13.63),
        ("Kaga Bandoro", 19.19, 6.99),
    ],
)
def test_mission_places_under_their_spellings(name: str, lon: float, lat: float) -> None:
    row = lookup(pd.Series([name])).iloc[0]
    assert row["longitude"] == pytest.approx(lon, abs=0.02)
    assert row["latitude"] == pytest.approx(lat, abs=0.02)
    assert row["precision_km"] == 10.0
    assert "GeoNames" in row["source"] or "bases" in row["source"]


def test_every_bundled_base_is_found_within_a_few_km() -> None:
    bases = pd.read_csv(BASES)
    names = bases["name"].str.replace(r"\s*\(.*\)", "", regex=True).str.split("/").str[-1]
    found = lookup(names)
    assert found["longitude"].notna().all(), list(names[found["longitude"].isna()])
    km = haversine_km(found["longitude"], found["latitude"], bases["longitude"], bases["latitude"])
    assert np.all(km < 10), dict(zip(names, km.round(1), strict=True))


def test_lookup_is_vectorised_and_keeps_the_index() -> None:
    names = pd.Series(["Gao", "Nowhere-on-earth", None, "gao"] * 500, index=range(10, 2010))
    found = lookup(names)
    assert list(found.index) == list(names.index)
    assert found["longitude"].notna().sum() == 1000


def test_a_reports_csv_from_mali_imports_every_row() -> None:
    table, problems = read_reports_file(MALI)
    assert problems == []
    assert len(table) == 6
    assert table["longitude"].notna().all() and table["latitude"].notna().all()
    # Tombouctou and TIMBUKTU are the same town
    same = table.set_index("place_name").loc[["Tombouctou", "TIMBUKTU"], "longitude"]
    assert same.nunique() == 1


def test_a_place_not_found_is_a_problem_with_suggestions_never_a_silent_drop() -> None:
    text = HEADER + (
        "t1,2018-03-06,day,,,Kidall,displacement,,,open_source,C,3,unclassified,UN,,press,\n"
    )
    table, problems = validate_reports(_raw(text), "mali.csv")
    assert len(table) == 1
    [problem] = problems
    assert (problem.file, problem.row, problem.field, problem.value) == (
        "mali.csv",
        2,
        "place_name",
        "Kidall",
    )
    assert "did you mean 'Kidal'" in problem.fix


def test_suggestions_are_close_names_or_none() -> None:
    assert any(place_key(s) == "kidal" for s in suggest("Kidall"))
    assert suggest("zzqqxx") == []


def test_cli_imports_the_mali_reports(tmp_path: Path) -> None:
    store = tmp_path / "store"
    # The reports are MINUSMA's (confidential): only MINUSMA, so cleared, may create them.
    result = CliRunner().invoke(
        app,
        [
            "intel",
            "import",
            str(MALI),
            "--store",
            str(store),
            "--org",
            "MINUSMA",
            "--clearance",
            "confidential",
        ],
    )
    assert result.exit_code == 0, result.output
    shown = CliRunner().invoke(
        app,
        [
            "intel",
            "reports",
            "--store",
            str(store),
            "--org",
            "MINUSMA",
            "--clearance",
            "confidential",
            "--json",
        ],
    )
    assert shown.exit_code == 0, shown.output
    import json

    data = json.loads(shown.stdout)
    assert data["visible"] == 6
    assert {r["place_name"] for r in data["reports"]} >= {"Gao", "Kidal", "Ménaka", "Mopti"}
