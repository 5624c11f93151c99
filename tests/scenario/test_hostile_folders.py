"""Scenario folders as people really have them: saved by spreadsheets, broken, or interrupted."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bluehelmet.cli.main import app
from bluehelmet.errors import DataError, UnreadableFileError
from bluehelmet.model.schema import ENTITY_ORDER, entity
from bluehelmet.scenario.io import load_scenario, read_scenario, resolve_scenario_path

BUNDLED = resolve_scenario_path("2018")


def _copy(tmp: Path) -> Path:
    folder = tmp / "s"
    shutil.copytree(BUNDLED, folder)
    return folder


def _rewrite(path: Path, cell) -> int:  # type: ignore[no-untyped-def]
    """Rewrite every cell of a CSV file with ``cell(column, value)``; count the changes."""
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8"), newline="")))
    changed = 0
    for row in rows[1:]:
        for i, value in enumerate(row):
            new = cell(rows[0][i], value)
            changed += new != value
            row[i] = new
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_text(out.getvalue(), "utf-8-sig")  # as a spreadsheet saves 'CSV UTF-8'
    return changed


def test_spreadsheet_saved_folder_loads_with_repairs(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    expected = 0
    for name in ENTITY_ORDER:
        floats = {c.name for c in entity(name).columns if c.type == "float"}

        def cell(column: str, value: str, floats: set[str] = floats) -> str:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                y, m, d = value.split("-")
                return f"{d}/{m}/{y}"  # day first, as a European spreadsheet writes
            if column in floats and re.fullmatch(r"-?\d+\.\d+", value):
                return value.replace(".", ",")  # decimal comma
            return value

        expected += _rewrite(folder / f"{name}.csv", cell)
    assert expected > 300
    scenario, repairs = read_scenario(folder)
    original = load_scenario(BUNDLED)
    for name in ENTITY_ORDER:
        pd.testing.assert_frame_equal(scenario.tables[name], original.tables[name], obj=name)
    assert len(repairs) == expected
    assert {r.rule for r in repairs} == {"day_first_date", "decimal_comma"}
    res = CliRunner().invoke(app, ["data", "check", str(folder)], env={"COLUMNS": "200"})
    assert res.exit_code == 1  # repairs found: 'data check' says so
    assert "day_first_date" in res.output and "problem(s)" not in res.output


def test_open_end_and_out_of_range_values(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    missions = folder / "missions.csv"
    _rewrite(missions, lambda c, v: "9999-12-31" if c == "end_date" else v)
    scenario, repairs = read_scenario(folder)
    assert scenario.missions["end_date"].isna().all()  # open-ended
    assert {r.rule for r in repairs} == {"open_end"}
    _rewrite(folder / "pledges.csv", lambda c, v: "9223372036854775808" if c == "count" else v)
    _rewrite(folder / "requirements.csv", lambda c, v: "9999-12-31" if c == "end" else v)
    with pytest.raises(DataError) as err:
        load_scenario(folder)
    reasons = {(p.field, p.reason) for p in err.value.problems}
    assert ("count", "out of range") in reasons and ("end", "out of range") in reasons


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('[scenario]\nname = "x"\ntitle = \n', "line 3, column"),
        ('[scenario]\nname = "x"\n[scenario]\n', "line 3, column"),
    ],
)
def test_toml_errors_give_line_and_column(tmp_path: Path, text: str, says: str) -> None:
    folder = _copy(tmp_path)
    (folder / "scenario.toml").write_text(text, "utf-8")
    with pytest.raises(UnreadableFileError, match=says):
        load_scenario(folder)
    res = CliRunner().invoke(app, ["scenario", "show", str(folder)])
    assert res.exit_code == 2 and says in " ".join(res.output.split())


@pytest.mark.parametrize(
    "toml",
    [
        "parameters = 5\n",
        "[parameters]\nhorizon_months = 1e999\n",
        "[parameters]\nplanning_start = 99999-01-01\n",
    ],
)
def test_bad_parameters_are_problems_not_tracebacks(tmp_path: Path, toml: str) -> None:
    folder = _copy(tmp_path)
    (folder / "scenario.toml").write_text(toml, "utf-8")
    res = CliRunner().invoke(app, ["data", "check", str(folder)])
    assert res.exit_code in (1, 2), res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception


@pytest.mark.parametrize("damage", ["utf16", "xlsx", "folder", "empty"])
def test_damaged_table_files(tmp_path: Path, damage: str) -> None:
    folder = _copy(tmp_path)
    path = folder / "pledges.csv"
    if damage == "utf16":  # read, with the same tables
        path.write_text(path.read_text("utf-8"), "utf-16")
        assert len(load_scenario(folder).pledges) == len(load_scenario(BUNDLED).pledges)
        return
    if damage == "xlsx":
        path.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    elif damage == "folder":
        path.unlink()
        path.mkdir()
    else:  # an empty file is an empty table (budgets: no other table refers to them)
        (folder / "budgets.csv").write_bytes(b"")
        assert load_scenario(folder).tables["budgets"].empty
        return
    with pytest.raises(UnreadableFileError, match="Excel|folder"):
        load_scenario(folder)


def test_interrupted_swap_is_recovered(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    # a kill between 'rename old aside' and 'rename new in' leaves this
    folder.rename(tmp_path / ".s.bh-new-0123abcd")
    assert len(load_scenario(folder).missions) == len(load_scenario(BUNDLED).missions)
    assert folder.is_dir()
