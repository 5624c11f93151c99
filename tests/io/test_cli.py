from pathlib import Path

from typer.testing import CliRunner

from bluehelmet.cli.main import app
from bluehelmet.reference.files import reference_path
from tests.io.helpers import UN_HEADER, write

runner = CliRunner()


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), env={"COLUMNS": "250"})


def test_check_mission_list_reports_defects() -> None:
    result = run("data", "check", str(reference_path("un_psdh_missions.csv")))
    assert result.exit_code == 1, result.output
    out = result.output
    for text in (
        "MINUSMA: longitude and latitude swapped",
        "UNOSOM I",
        "UNEF",
        "UNAVEM I",
        "decimal_comma",
        "'NO' -> 'No'",
        "broken quoting",
        "DOMREP",
        "81",
        "aggregate",
        "MINUSMA is listed as running",
    ):
        assert text in out, text


def test_check_contributions_flags_incomplete_years() -> None:
    result = run("data", "check", str(reference_path("un_contributions_country_mission_year.csv")))
    assert result.exit_code == 1
    flagged = [line for line in result.output.splitlines() if "incomplete period" in line]
    for year in ("2010", "2017", "2021"):
        assert any(f"the {year} total" in line for line in flagged), year


def test_check_clean_file_exit_0_and_unreadable_exit_2(tmp_path: Path) -> None:
    clean = write(tmp_path, "a.csv", UN_HEADER, "BGD,Bangladesh,MINUSMA,Troops,1,2,31/01/2021")
    assert run("data", "check", str(clean)).exit_code == 0
    assert run("data", "check", str(tmp_path / "missing.csv")).exit_code == 2
    unknown = write(tmp_path, "b.csv", "x,y", "1,2")
    assert run("data", "check", str(unknown)).exit_code == 2
    binary = tmp_path / "c.csv"
    binary.write_bytes(b"\xff\xfe\x00\x01garbage")
    assert run("data", "check", str(binary)).exit_code == 2


def test_check_strict_and_rejects_file(tmp_path: Path) -> None:
    bad = write(tmp_path, "a.csv", UN_HEADER, "BGD,Bangladesh,MINUSMA ,Troops,x,2,31/01/2021")
    assert run("data", "check", str(bad), "--strict").exit_code == 1
    out = tmp_path / "r.csv"
    result = run("data", "check", str(bad), "--rejects", str(out))
    assert result.exit_code == 1 and out.is_file()
    assert "female_personnel" in out.read_text()


def test_check_scenario_folder() -> None:
    from bluehelmet.scenario.io import resolve_scenario_path

    assert run("data", "check", str(resolve_scenario_path("2018"))).exit_code == 0


def test_import_into_new_scenario(tmp_path: Path) -> None:
    src = write(
        tmp_path,
        "odp.csv",
        UN_HEADER,
        "BGD,Bangladesh,MINUSMA,Troops,1,2,31/01/2021",
        "BGD,Bangladesh,MINUSMA,Troops,x,2,28/02/2021",
    )
    folder = tmp_path / "scen"
    result = run("data", "import", str(src), "--into", str(folder))
    assert result.exit_code == 1, result.output  # one row rejected
    assert (folder / "scenario.toml").is_file()
    assert (tmp_path / "odp.rejects.csv").is_file()
    assert run("data", "check", str(folder)).exit_code == 0


def test_import_ucdp_points_to_intel(tmp_path: Path) -> None:
    result = run(
        "data",
        "import",
        str(reference_path("ucdp_ged201_subset_1995_2014.csv")),
        "--into",
        str(tmp_path / "s"),
    )
    assert result.exit_code == 2
    assert "intel import" in result.output
