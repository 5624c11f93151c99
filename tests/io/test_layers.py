"""Map layers: GeoJSON per RFC 7946 and GeoPackage in EPSG:4326, from the library and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from typer.testing import CliRunner

from bluehelmet.cli.main import app
from bluehelmet.io.layers import format_of, write_layer

ROOT = Path(__file__).resolve().parents[2]
UCDP = ROOT / "src" / "bluehelmet" / "datasets" / "reference" / "ucdp_ged201_subset_1995_2014.csv"
TABLE = pd.DataFrame(
    {
        "gid": [1, 2, 3],
        "longitude": [-3.0, 1.4, None],
        "latitude": [16.77, 18.44, None],
        "risk": [0.5, 0.25, 0.1],
        "when": pd.to_datetime(["2018-01-01", "2018-02-01", None]),
        "name": ["Timbuktu", None, "no coordinates"],
    }
)


def check_rfc7946(path: Path, rows: int) -> dict:  # type: ignore[type-arg]
    doc = json.loads(path.read_text("utf-8"))
    assert doc["type"] == "FeatureCollection" and "crs" not in doc  # RFC 7946 section 4
    assert len(doc["features"]) == rows
    for feature in doc["features"]:
        assert feature["type"] == "Feature" and set(feature) >= {"geometry", "properties"}
        geometry = feature["geometry"]
        if geometry is None:
            continue
        coords = geometry["coordinates"]
        flat = [coords] if geometry["type"] == "Point" else coords[0]
        for lon, lat in flat:
            assert -180 <= lon <= 180 and -90 <= lat <= 90
        if geometry["type"] == "Point":  # longitude first
            assert (coords[0], coords[1]) == (
                feature["properties"]["longitude"],
                feature["properties"]["latitude"],
            )
    return doc


def test_geojson_points_lon_lat_and_rows_without_coordinates_kept(tmp_path: Path) -> None:
    out = write_layer(TABLE, tmp_path / "layer", "geojson")
    assert out.suffix == ".geojson"
    doc = check_rfc7946(out, 3)
    assert doc["features"][2]["geometry"] is None
    assert doc["features"][0]["properties"]["name"] == "Timbuktu"
    assert pyogrio.read_info(out)["crs"] == "EPSG:4326"


def test_geopackage_states_epsg_4326_and_cells_are_squares(tmp_path: Path) -> None:
    out = write_layer(TABLE, tmp_path / "cells.gpkg", cell_degrees=0.5)
    info = pyogrio.read_info(out)
    assert info["crs"] == "EPSG:4326" and info["features"] == 3
    assert info["geometry_type"] == "Polygon"
    frame = pyogrio.read_dataframe(out)
    assert frame.geometry.iloc[0].bounds == pytest.approx((-3.25, 16.52, -2.75, 17.02))


def test_csv_is_unchanged_and_formats_come_from_the_suffix(tmp_path: Path) -> None:
    out = write_layer(TABLE, tmp_path / "t.csv")
    assert list(pd.read_csv(out).columns) == list(TABLE.columns)
    assert [format_of(p) for p in ("a.geojson", "a.gpkg", "a.csv", "a")] == [
        "geojson",
        "gpkg",
        "csv",
        "csv",
    ]
    with pytest.raises(ValueError, match="geojson"):
        format_of("a", "shp")


@pytest.mark.parametrize("suffix", ["geojson", "gpkg", "csv"])
def test_a_layer_replaces_the_old_one_whole_and_leaves_no_temporary_file(
    tmp_path: Path, suffix: str
) -> None:
    old = write_layer(TABLE, tmp_path / f"layer.{suffix}")
    table = TABLE.assign(name=["=HYPERLINK(1)", "b", "c"])
    new = write_layer(table.head(2), tmp_path / f"layer.{suffix}")
    assert new == old and sorted(p.name for p in tmp_path.iterdir()) == [f"layer.{suffix}"]
    frame = pd.read_csv(new) if suffix == "csv" else pyogrio.read_dataframe(new)
    assert len(frame) == 2
    if suffix == "csv":  # CSV layers go through the one formula-safe writer
        assert frame["name"].iloc[0] == "'=HYPERLINK(1)"


def test_intel_hotspots_geojson_from_the_cli(tmp_path: Path) -> None:
    events = pd.read_csv(UCDP)
    sahel = events[events["longitude"].between(-12, 5) & events["latitude"].between(10, 25)]
    assert len(sahel) > 50
    sahel.to_csv(tmp_path / "sahel.csv", index=False)  # the real events of Mali and around it
    out = tmp_path / "hotspots.geojson"
    result = CliRunner().invoke(
        app,
        [
            "intel",
            "hotspots",
            "--events",
            str(tmp_path / "sahel.csv"),
            "--value",
            "civilian_deaths",
            "--out",
            str(out),
            "--format",
            "geojson",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    doc = check_rfc7946(out, data["cells"])
    assert data["file"] == str(out)
    assert doc["features"][0]["geometry"]["type"] == "Polygon"  # PRIO-GRID cells
    hot = [f for f in doc["features"] if f["properties"]["hotspot"]]
    assert len(hot) == data["hotspot_cells"] > 0


def test_reports_layer_under_need_to_know_without_the_protected_field(tmp_path: Path) -> None:
    from bluehelmet.intel.reports import export_table, read_reports_file
    from bluehelmet.intel.store import open_store, read_view
    from bluehelmet.model.access import AccessContext, Classification

    table, problems = read_reports_file(ROOT / "examples" / "mali_reports.csv")
    assert problems == []
    with open_store(tmp_path / "store", create=True) as store:
        store.add(table, AccessContext("MINUSMA", Classification.CONFIDENTIAL))
    shown = read_view(
        tmp_path / "store", AccessContext("MINUSMA", Classification.CONFIDENTIAL)
    ).reports
    out = write_layer(export_table(shown), tmp_path / "reports.gpkg", layer="reports")
    frame = pyogrio.read_dataframe(out)
    assert len(frame) == 6 and "reporter_contact" not in frame.columns
    assert frame.crs.to_epsg() == 4326
    hidden = read_view(tmp_path / "store", AccessContext("FRA", Classification.CONFIDENTIAL))
    assert hidden.reports.empty and hidden.marking == Classification.UNCLASSIFIED
