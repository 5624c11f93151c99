from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from bluehelmet.cli.main import app
from bluehelmet.intel.reports import parse_times, validate_reports
from bluehelmet.intel.store import open_store, read_view
from bluehelmet.model.access import AccessContext, Classification
from tests.intel.helpers import CASE, HEADER

READER = AccessContext("MINUSMA", Classification.CONFIDENTIAL)


def _raw(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def test_times_parse_at_every_precision() -> None:
    parsed = parse_times(
        pd.Series(["2018", "2018-03", "2018-03-05", "2018-03-05T14:30Z", "5 March"])
    )
    assert list(parsed[:4].dt.strftime("%Y-%m-%d %H:%M")) == [
        "2018-01-01 00:00",
        "2018-03-01 00:00",
        "2018-03-05 00:00",
        "2018-03-05 14:30",
    ]
    assert pd.isna(parsed[4])


def test_place_name_resolved_from_gazetteer() -> None:
    text = HEADER + (
        "g1,2018-03-06,day,,,Bamako,displacement,,,open_source,C,3,unclassified,UN,,press,\n"
    )
    table, problems = validate_reports(_raw(text), "g.csv")
    assert problems == []
    row = table.iloc[0]
    assert abs(row["longitude"] + 8.0) < 0.1 and abs(row["latitude"] - 12.65) < 0.1
    assert row["place_precision_km"] == 10.0


def test_problems_name_file_line_column_value() -> None:
    text = HEADER + ("b1,5 March,day,,,Atlantis,massacre,,,rumour,Z,9,unclassified,UN,,x,\n")
    table, problems = validate_reports(_raw(text), "bad.csv")
    assert len(table) == 1  # never dropped
    found = {(p.row, p.field) for p in problems}
    assert {
        (2, "time"),
        (2, "place_name"),
        (2, "category"),
        (2, "source_type"),
        (2, "reliability"),
        (2, "credibility"),
    } <= found
    assert all(p.file == "bad.csv" for p in problems)


def test_import_is_idempotent_and_never_alters(tmp_path: Path) -> None:
    table, _ = validate_reports(_raw(CASE), "case.csv")
    mine = table[table["owner"] == "MINUSMA"].reset_index(drop=True)
    with open_store(tmp_path, create=True) as store:
        first = store.add(mine, READER)
        assert (first.added, first.present, len(first.rejected)) == (3, 0, 0)
        again = store.add(mine, READER)
        assert (again.added, again.present, len(again.rejected)) == (0, 3, 0)
        changed = mine.copy()
        changed.loc[0, "civilian_deaths"] = 50
        clash = store.add(changed, READER)
        assert (clash.added, clash.present) == (0, 2)
        assert clash.rejected["reason"].str.contains("never altered").all()
        assert clash.rejected["position"].tolist() == [0]
    assert read_view(tmp_path, READER).reports["civilian_deaths"].tolist() == [5, 7, 1]


def test_cli_import_report_file_and_ucdp(tmp_path: Path) -> None:
    case = tmp_path / "case.csv"
    case.write_text(CASE)
    ucdp = tmp_path / "ged.csv"
    ucdp.write_text(
        "year,longitude,latitude,where_coordinates,best,deaths_civilians\n"
        "2012,-3.0,15.0,Somewhere town,4,2\n"
    )
    store = tmp_path / "store"
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "intel",
            "import",
            str(case),
            "--store",
            str(store),
            "--org",
            "MINUSMA",
            "--clearance",
            "confidential",
        ],
    )
    assert result.exit_code == 1, result.output  # FRA's strictly confidential row is refused
    assert "3 accepted + 0 repaired + 1 rejected" in result.output
    result = runner.invoke(app, ["intel", "import", str(ucdp), "--store", str(store)])
    assert result.exit_code == 0, result.output
    shown = read_view(store, READER).reports
    assert len(shown) == 4
    event = shown[shown["source_type"] == "event_file"].iloc[0]
    assert (event["time_precision"], event["category"], event["owner"]) == (
        "year",
        "attack_on_civilians",
        "UCDP",
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "b1,2018,year,1,1,,massacre,,,patrol,A,1,unclassified,UN,,x,\n")
    result = runner.invoke(app, ["intel", "import", str(bad), "--store", str(store), "--org", "UN"])
    assert result.exit_code == 1 and "category" in result.output
    rejects = pd.read_csv(tmp_path / "bad.rejects.csv", dtype=str)
    assert rejects.loc[0, "field"] == "category" and rejects.loc[0, "line"] == "2"


GED_HEADER = (
    "id,relid,year,active_year,code_status,type_of_violence,conflict_dset_id,conflict_new_id,"
    "conflict_name,dyad_dset_id,dyad_new_id,dyad_name,side_a_dset_id,side_a_new_id,side_a,"
    "side_b_dset_id,side_b_new_id,side_b,number_of_sources,source_article,source_office,"
    "source_date,source_headline,source_original,where_prec,where_coordinates,"
    "where_description,adm_1,adm_2,latitude,longitude,geom_wkt,priogrid_gid,country,"
    "country_id,region,event_clarity,date_prec,date_start,date_end,deaths_a,deaths_b,"
    "deaths_civilians,deaths_unknown,best,high,low,gwnoa,gwnob"
)


def _ged_row(event_id: int, lon: float, lat: float, date: str, civilians: int) -> str:
    values = dict.fromkeys(GED_HEADER.split(","), "")
    values.update(
        {
            "id": str(event_id),
            "year": date[:4],
            "type_of_violence": "3",
            "where_description": "Ogossagou village",
            "latitude": str(lat),
            "longitude": str(lon),
            "country": "Mali",
            "date_start": date,
            "date_end": date,
            "deaths_civilians": str(civilians),
            "best": str(civilians),
        }
    )
    return ",".join(values.values())


def test_full_ged_events_fuse_with_a_patrol_report(tmp_path: Path) -> None:
    from bluehelmet.intel.fusion import fuse

    ged = tmp_path / "ged.csv"
    ged.write_text(
        "\n".join(
            [
                GED_HEADER,
                _ged_row(1, -3.9, 14.2, "2019-03-23", 157),
                _ged_row(2, -3.9, 14.2, "2019-06-01", 3),
            ]
        )
        + "\n"
    )
    patrol = tmp_path / "patrol.csv"
    patrol.write_text(
        HEADER + "p9,2019-03-24T08:00,hour,-3.91,14.21,,attack_on_civilians,"
        "150,150,patrol,B,2,unclassified,MINUSMA,,patrol log,\n"
    )
    store = tmp_path / "store"
    runner = CliRunner()
    for path in (ged, patrol):
        result = runner.invoke(
            app, ["intel", "import", str(path), "--store", str(store), "--org", "MINUSMA"]
        )
        assert result.exit_code == 0, result.output
    fused = fuse(read_view(store, READER))
    incidents = fused.incidents.set_index("id")
    assert incidents.loc["inc-ucdp-1", "report_ids"] == "ucdp-1;p9"
    assert incidents.loc["inc-ucdp-1", "civilian_deaths"] == 157
    assert "inc-ucdp-2" in incidents.index  # same village, ten weeks later: its own incident
