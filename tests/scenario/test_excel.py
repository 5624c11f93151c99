"""Scenarios and import files as Excel workbooks: the same checks and messages as CSV."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from bluehelmet.cli.main import app
from bluehelmet.errors import DataError
from bluehelmet.scenario.excel import save_workbook
from bluehelmet.scenario.io import load_scenario, load_workbook

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "odp_contributionsbygender.csv"
NO_CONFIG = {"BLUEHELMET_CONFIG": "/nonexistent/config.toml"}


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_workbook(load_scenario("2018"), tmp_path_factory.mktemp("x") / "s.xlsx")


def test_round_trip_gives_the_same_tables(workbook: Path) -> None:
    base, back = load_scenario("2018"), load_scenario(workbook)
    for name, table in base.tables.items():
        pd.testing.assert_frame_equal(table, back.tables[name], check_dtype=True, obj=name)
    assert base.parameters == back.parameters
    book = openpyxl.load_workbook(workbook, read_only=True)
    assert {"scenario", "parameters", "missions", "pledges"} <= set(book.sheetnames)
    first = next(book["deployments"].iter_rows(min_row=2, max_row=2, values_only=True))
    assert any(isinstance(v, int) for v in first)  # numbers stay numbers


def test_a_bad_cell_names_workbook_sheet_row_and_column(workbook: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(workbook)
    sheet = book["pledges"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=4, column=header.index("count") + 1, value="many")
    bad = tmp_path / "bad.xlsx"
    book.save(bad)
    with pytest.raises(DataError) as err:
        load_workbook(bad)
    [problem] = [p for p in err.value.problems if p.field == "count"]
    assert problem.file == f"{bad}, sheet pledges" and problem.row == 4
    assert problem.value == "many"


def test_formula_like_text_is_stored_as_text(tmp_path: Path) -> None:
    scenario = load_scenario("2018")
    missions = scenario.tables["missions"].copy()
    missions.loc[0, "name"] = '=HYPERLINK("http://x")'
    scenario.tables["missions"] = missions
    out = save_workbook(scenario, tmp_path / "f.xlsx")
    cell = openpyxl.load_workbook(out)["missions"]["B2"]
    assert cell.data_type == "s" and cell.value.startswith("=")
    assert load_scenario(out).missions.loc[0, "name"] == missions.loc[0, "name"]


def _sample_workbook(tmp_path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "contributions"
    table = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    sheet.append(list(table.columns))
    for row in table.itertuples(index=False):
        sheet.append([int(v) if v.isdigit() else v for v in row])
    sheet.cell(row=5, column=5, value="lots")  # Female_Personnel of row 5
    path = tmp_path / "contributions.xlsx"
    book.save(path)
    return path


def test_data_check_reads_an_excel_import_file_like_its_csv(tmp_path: Path) -> None:
    xlsx = _sample_workbook(tmp_path)
    result = CliRunner().invoke(app, ["data", "check", str(xlsx), "--json"], env=NO_CONFIG)
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["format"] == "un_monthly" and data["rows_read"] == 56
    assert data["file"] == f"{xlsx} (first sheet)"
    [reject] = data["rejects"]
    assert reject["line"] == 5 and reject["value"] == "lots"
    # the same file as CSV gives the same reject on the same line
    csv = tmp_path / "same.csv"
    table = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    table.iloc[3, 4] = "lots"
    table.to_csv(csv, index=False)
    as_csv = json.loads(
        CliRunner().invoke(app, ["data", "check", str(csv), "--json"], env=NO_CONFIG).stdout
    )
    assert [(r["line"], r["reason"]) for r in as_csv["rejects"]] == [
        (reject["line"], reject["reason"])
    ]


def test_scenario_export_xlsx_and_check_it(tmp_path: Path) -> None:
    out = tmp_path / "my-2018.xlsx"
    runner = CliRunner()
    assert (
        runner.invoke(
            app, ["scenario", "export", "2018", "--format", "xlsx", "--to", str(out)], env=NO_CONFIG
        ).exit_code
        == 0
    )
    result = runner.invoke(app, ["data", "check", str(out)], env=NO_CONFIG)
    assert result.exit_code == 0, result.output
    assert "no problem" in result.output


def test_not_a_workbook_is_a_clear_error(tmp_path: Path) -> None:
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a zip")
    result = CliRunner().invoke(app, ["data", "check", str(fake)], env=NO_CONFIG)
    assert result.exit_code == 2
    assert "cannot be read as an Excel workbook" in " ".join(result.output.split())
