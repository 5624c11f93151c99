from pathlib import Path

from typer.testing import CliRunner

from bluehelmet.cli.main import app
from bluehelmet.scenario.io import load_scenario

runner = CliRunner()


def test_show_bundled_scenario_lists_missions_pledges_and_illustrative_notice():
    result = runner.invoke(app, ["scenario", "show", "2018"], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    for text in ("MINUSMA", "MONUSCO", "women %", "PCRS", "Illustrative data", "Force in place",
                 "units and personnel in place per mission"):
        assert text in result.output


def test_show_as_public_reader_hides_confidential_pledges():
    result = runner.invoke(app, ["scenario", "show", "2018", "--org", "public",
                                 "--clearance", "unclassified"], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    scenario = load_scenario("2018")
    public = scenario.pledges["classification"].eq("unclassified").sum()
    assert f"in {public} pledges" in result.output


def test_export_then_show_the_copy(tmp_path: Path):
    out = tmp_path / "copy"
    result = runner.invoke(app, ["scenario", "export", "2018", "--to", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "scenario.toml").is_file()
    assert load_scenario(out).pledges.equals(load_scenario("2018").pledges)
    assert runner.invoke(app, ["scenario", "show", str(out)]).exit_code == 0


def test_unknown_scenario_is_a_clear_error_with_exit_2():
    result = runner.invoke(app, ["scenario", "show", "no-such-scenario"])
    assert result.exit_code == 2
    assert "bundled" in result.output
