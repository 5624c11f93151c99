from pathlib import Path

import pandas as pd
import pytest

from bluehelmet.errors import DataError
from bluehelmet.io.un_monthly import read_un_monthly
from bluehelmet.model.schema import entity
from tests.io.helpers import HUB_HEADER, UN_HEADER, check_accounting, write


def test_clean_file_all_accepted(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "a.csv",
        UN_HEADER,
        "BGD,Bangladesh,MINUSMA,Troops,10,1200,31/01/2021",
        "NPL,Nepal,UNIFIL,Staff Officer,2,20,31/01/2021",
    )
    result = read_un_monthly(path)
    check_accounting(result, 2)
    assert result.report.clean
    table = result.table
    assert list(table.columns) == entity("deployments").column_names
    assert table.loc[0, "id"] == "MINUSMA-BGD-troops-2021-01-31"
    assert table.loc[1, "personnel_type"] == "staff_officers"
    assert table.loc[0, "women"] == 10 and table.loc[0, "men"] == 1200
    assert table["date"].iloc[0] == pd.Timestamp("2021-01-31")
    assert (table["basis"] == "real").all() and (table["classification"] == "unclassified").all()


@pytest.mark.parametrize("date", ["31/01/2021", "31-Jan-21", "2021-01-31", "31-Jan-2021"])
def test_each_date_format(tmp_path: Path, date: str) -> None:
    path = write(tmp_path, "a.csv", UN_HEADER, f"BGD,Bangladesh,MINUSMA,Troops,1,2,{date}")
    result = read_un_monthly(path)
    assert result.table["date"].iloc[0] == pd.Timestamp("2021-01-31")


def test_mixed_date_formats_warned(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "a.csv",
        UN_HEADER,
        "BGD,Bangladesh,MINUSMA,Troops,1,2,31/01/2021",
        "BGD,Bangladesh,MINUSMA,Troops,1,2,28-Feb-21",
    )
    result = read_un_monthly(path)
    assert len(result.table) == 2
    assert any("mixes date formats" in w.reason for w in result.report.warnings)


def test_trailing_spaces_and_case_variants_repaired(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "a.csv",
        UN_HEADER,
        "BGD,Bangladesh,MINUSMA ,Troops,1,2,31/01/2021",
        "npl,Nepal,unifil,TROOPS,1,2,31/01/2021",
        "NPL,Nepal,UNMISS,formed police unit,1,2,31/01/2021",
    )
    result = read_un_monthly(path)
    check_accounting(result, 3)
    rules = set(result.report.repair_table["rule"])
    assert {"strip_whitespace", "case_variant", "personnel_type_variant"} <= rules
    assert list(result.table["mission_id"]) == ["MINUSMA", "UNIFIL", "UNMISS"]
    assert list(result.table["contributor_id"]) == ["BGD", "NPL", "NPL"]
    assert list(result.table["personnel_type"]) == ["troops", "troops", "formed_police"]
    assert result.report.repaired == 3


def test_name_without_code_looked_up(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "a.csv",
        UN_HEADER,
        ",United Republic of Tanzania,MONUSCO,Troops,1,2,31/01/2021",
        ",Côte d’Ivoire,MINUSMA,Troops,1,2,31/01/2021",
        ",Atlantis,MINUSMA,Troops,1,2,31/01/2021",
    )
    result = read_un_monthly(path)
    check_accounting(result, 3)
    assert list(result.table["contributor_id"]) == ["TZA", "CIV"]
    reject = result.report.rejects.iloc[0]
    assert reject["line"] == 4 and reject["field"] == "contributing_country"
    assert "country_aliases.csv" in reject["fix"]


def test_code_contradicting_name_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", UN_HEADER, "FRA,Bangladesh,MINUSMA,Troops,1,2,31/01/2021")
    result = read_un_monthly(path)
    assert result.report.rejected == 1
    assert "does not match" in result.report.rejects["reason"].iloc[0]


def test_duplicates_rejected_not_lost(tmp_path: Path) -> None:
    row = "BGD,Bangladesh,MINUSMA,Troops,10,1200,31/01/2021"
    path = write(
        tmp_path, "a.csv", UN_HEADER, row, row, "BGD,Bangladesh,MINUSMA,Troops,11,1200,31/01/2021"
    )
    result = read_un_monthly(path)
    check_accounting(result, 3)
    reasons = list(result.report.rejects["reason"])
    assert reasons[0].startswith("duplicate") and "line 2" in reasons[0]
    assert reasons[1].startswith("conflicting duplicate")
    # the original text is kept in the rejects
    assert result.report.rejects["female_personnel"].tolist() == ["10", "11"]


@pytest.mark.parametrize(
    ("value", "ok"),
    [("12", True), ("12.0", True), ("abc", False), ("-3", False), ("", False), ("1.5", False)],
)
def test_counts(tmp_path: Path, value: str, ok: bool) -> None:
    path = write(
        tmp_path, "a.csv", UN_HEADER, f"BGD,Bangladesh,MINUSMA,Troops,{value},2,31/01/2021"
    )
    result = read_un_monthly(path)
    check_accounting(result, 1)
    assert (len(result.table) == 1) is ok
    if not ok:
        assert result.report.rejects["field"].iloc[0] == "female_personnel"


def test_bad_date_and_unknown_type_rejected(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "a.csv",
        UN_HEADER,
        "BGD,Bangladesh,MINUSMA,Troops,1,2,31/13/2021",
        "BGD,Bangladesh,MINUSMA,Pilots,1,2,31/01/2021",
        "BGD,Bangladesh,,Troops,1,2,31/01/2021",
    )
    result = read_un_monthly(path)
    check_accounting(result, 3)
    assert list(result.report.rejects["field"]) == [
        "last_reporting_date",
        "personnel_type",
        "mission_acronym",
    ]


def test_data_hub_variant_same_ids(tmp_path: Path) -> None:
    un = write(tmp_path, "un.csv", UN_HEADER, "BGD,Bangladesh,MINUSMA,Troops,1,2,31/01/2021")
    hub = write(tmp_path, "hub.csv", HUB_HEADER, "77,BGD,Bangladesh,MINUSMA,Troops,1,2,2021-01-31")
    a, b = read_un_monthly(un), read_un_monthly(hub)
    assert b.report.format.startswith("un_monthly")
    pd.testing.assert_frame_equal(a.table.drop(columns="source"), b.table.drop(columns="source"))


def test_bom_and_header_spaces(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    header = (
        " ISOCODE3 ,Contributing_Country,Mission_Acronym,Personnel_Type,Female_Personnel,"
        "Male_Personnel,Last_Reporting_Date "
    )
    path.write_text(
        "\ufeff" + header + "\nBGD,Bangladesh,MINUSMA,Troops,1,2,31/01/2021\n", encoding="utf-8"
    )
    assert len(read_un_monthly(path).table) == 1


def test_ragged_line_rejected_with_line_number(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "a.csv",
        UN_HEADER,
        "BGD,Bangladesh,MINUSMA,Troops,1,2,31/01/2021",
        "BGD,Bangladesh,MINUSMA,Troops,1,31/01/2021",
        "NPL,Nepal,UNIFIL,Troops,1,2,31/01/2021",
    )
    result = read_un_monthly(path)
    check_accounting(result, 3)
    assert result.report.rejects["line"].tolist() == [3]
    assert "fields" in result.report.rejects["reason"].iloc[0]


def test_strict_raises_at_first_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", UN_HEADER, "BGD,Bangladesh,MINUSMA ,Troops,1,2,31/01/2021")
    with pytest.raises(DataError) as info:
        read_un_monthly(path, strict=True)
    problem = info.value.problems[0]
    assert problem.row == 2 and problem.field == "mission_acronym"
    clean = write(tmp_path, "b.csv", UN_HEADER, "BGD,Bangladesh,MINUSMA,Troops,1,2,31/01/2021")
    assert read_un_monthly(clean, strict=True).report.clean


def test_missing_column_is_data_error(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", "ISOCode3,Contributing_Country", "BGD,Bangladesh")
    with pytest.raises(DataError):
        read_un_monthly(path)


def test_write_rejects(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", UN_HEADER, "BGD,Bangladesh,MINUSMA,Troops,x,2,31/01/2021")
    result = read_un_monthly(path)
    out = result.report.write_rejects(tmp_path / "a.rejects.csv")
    back = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert back.loc[0, "line"] == "2" and back.loc[0, "value"] == "x"
    assert back.loc[0, "mission_acronym"] == "MINUSMA"


def test_windows_1252_file_read_with_warning(tmp_path: Path) -> None:
    path = tmp_path / "cp.csv"
    path.write_bytes(
        (UN_HEADER + "\n,Côte d’Ivoire,MINUSMA,Troops,1,2,31/01/2021\n").encode("cp1252")
    )
    result = read_un_monthly(path)
    assert result.table["contributor_id"].tolist() == ["CIV"]
    assert any("Windows-1252" in w.reason for w in result.report.warnings)


def test_header_only_file(tmp_path: Path) -> None:
    result = read_un_monthly(write(tmp_path, "a.csv", UN_HEADER))
    check_accounting(result, 0)
    # nothing to import is said, not silently accepted
    assert [w.reason for w in result.report.warnings] == ["the file has a header but no data rows"]
