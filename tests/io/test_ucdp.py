from pathlib import Path

import pytest

from bluehelmet.errors import DataError
from bluehelmet.io.ucdp import OUTPUT_COLUMNS, empty_events, read_ucdp
from bluehelmet.reference.files import reference_path
from tests.io.helpers import check_accounting, write

FULL = (
    "id,relid,year,active_year,code_status,type_of_violence,conflict_dset_id,conflict_new_id,"
    "conflict_name,dyad_dset_id,dyad_new_id,dyad_name,side_a_dset_id,side_a_new_id,side_a,"
    "side_b_dset_id,side_b_new_id,side_b,number_of_sources,source_article,source_office,"
    "source_date,source_headline,source_original,where_prec,where_coordinates,"
    "where_description,adm_1,adm_2,latitude,longitude,geom_wkt,priogrid_gid,country,"
    "country_id,region,event_clarity,date_prec,date_start,date_end,deaths_a,deaths_b,"
    "deaths_civilians,deaths_unknown,best,high,low,gwnoa,gwnob"
)
SUBSET = "year,longitude,latitude,where_coordinates,best,deaths_civilians"


def full_row(
    eid: str,
    violence: str,
    place: str,
    lat: str,
    lon: str,
    country: str,
    date: str,
    civ: str,
    best: str,
) -> str:
    return (
        f"{eid},X,2012,1,Clear,{violence},1,1,c,1,1,d,1,1,a,1,1,b,1,,,,,,1,{place},{place},,,"
        f"{lat},{lon},,1,{country},432,Africa,1,1,{date},{date},0,0,{civ},0,{best},1,1,1,"
    )


def test_full_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "ged.csv",
        FULL,
        full_row("1", "1", "Gao", "16.27", "-0.04", "Mali", "2012-02-01", "0", "3"),
        full_row("2", "3", "Timbuktu", "-3.0", "16.77", "Mali", "2012-04-01", "5", "5"),
        full_row("3", "3", "Kidal", '"18,44"', '"1,41"', "Mali", "2012-05-01", "1", "2"),
        full_row("4", "3", "Kidal", "18.44", "1.41", "Mali", "2012-05-01", "-2", "2"),
        full_row("5", "4", "Kidal", "18.44", "1.41", "Mali", "2012-05-01", "0", "2"),
        full_row("1", "1", "Gao", "16.27", "-0.04", "Mali", "2012-02-01", "0", "3"),
    )
    result = read_ucdp(path)
    check_accounting(result, 6)
    table = result.table
    assert list(table.columns) == OUTPUT_COLUMNS
    assert table.dtypes.astype(str).tolist() == empty_events().dtypes.astype(str).tolist()
    tim = table[table["event_id"] == "2"].iloc[0]
    assert (tim["longitude"], tim["latitude"]) == (-3.0, 16.77)
    kid = table[table["event_id"] == "3"].iloc[0]
    assert kid["latitude"] == pytest.approx(18.44)
    assert set(result.report.repair_table["rule"]) == {"swapped_coordinates", "decimal_comma"}
    assert result.report.rejects["field"].tolist() == ["deaths_civilians", "type_of_violence", "id"]


def test_subset_and_concatenation(tmp_path: Path) -> None:
    a = write(
        tmp_path,
        "a.csv",
        SUBSET,
        "1996,69.17,35.01,Chaharikar town,18,0",
        "1996,69.68,35.43,Panjsher valley,93,0",
    )
    b = write(tmp_path, "b.csv", SUBSET, "2001,200,35.43,Nowhere,1,0")
    result = read_ucdp([a, b])
    check_accounting(result, 3)
    table = result.table
    assert table["event_id"].str.startswith("sub-").all() and table["event_id"].is_unique
    assert table["country"].isna().all() and table["date_start"].isna().all()
    assert "file" in result.report.rejects.columns
    # ids are stable: same file and line give the same id
    assert read_ucdp(a).table["event_id"].tolist() == table["event_id"].tolist()[:2]


def test_same_event_in_two_files(tmp_path: Path) -> None:
    row = full_row("9", "1", "Gao", "16.27", "-0.04", "Mali", "2012-02-01", "0", "3")
    a = write(tmp_path, "a.csv", FULL, row)
    b = write(tmp_path, "b.csv", FULL, row)
    result = read_ucdp([a, b])
    check_accounting(result, 2)
    assert "earlier file" in result.report.rejects["reason"].iloc[0]


def test_not_ucdp(tmp_path: Path) -> None:
    with pytest.raises(DataError):
        read_ucdp(write(tmp_path, "x.csv", "a,b", "1,2"))


def test_bundled_subset() -> None:
    result = read_ucdp(reference_path("ucdp_ged201_subset_1995_2014.csv"))
    check_accounting(result, 41396)
    assert result.report.clean
    assert result.table["year"].between(1995, 2014).all()
