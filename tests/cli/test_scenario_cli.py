from pathlib import Path

from typer.testing import CliRunner

from bluehelmet.cli.main import app
from bluehelmet.model.access import Classification
from bluehelmet.model.marking import read_marking
from bluehelmet.scenario.io import load_scenario

runner = CliRunner()


def test_show_bundled_scenario_lists_missions_pledges_and_illustrative_notice():
    result = runner.invoke(app, ["scenario", "show", "2018"], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    for text in (
        "MINUSMA",
        "MONUSCO",
        "women %",
        "PCRS",
        "Illustrative data",
        "Force in place",
        "units and personnel in place per mission",
    ):
        assert text in result.output


def test_show_as_public_reader_hides_confidential_pledges():
    result = runner.invoke(
        app,
        ["scenario", "show", "2018", "--org", "public", "--clearance", "unclassified"],
        env={"COLUMNS": "160"},
    )
    assert result.exit_code == 0, result.output
    scenario = load_scenario("2018")
    public = scenario.pledges["classification"].eq("unclassified").sum()
    assert f"in {public} pledges" in result.output


def test_export_then_show_the_copy(tmp_path: Path):
    out = tmp_path / "copy"
    result = runner.invoke(
        app,
        [
            "scenario",
            "export",
            "2018",
            "--to",
            str(out),
            "--org",
            "UN-DPO",
            "--clearance",
            "confidential",
        ],
    )
    assert result.exit_code == 0, result.output
    assert (out / "scenario.toml").is_file()
    assert load_scenario(out).pledges.equals(load_scenario("2018").pledges)
    assert read_marking(out / "missions.csv") == Classification.CONFIDENTIAL
    assert runner.invoke(app, ["scenario", "show", str(out)]).exit_code == 0


def test_export_without_a_reader_writes_only_unclassified_rows(tmp_path: Path):
    full = load_scenario("2018")
    for args in ([], ["--org", "MINUSMA", "--clearance", "unclassified"]):
        out = tmp_path / ("x" + "-".join(args))
        result = runner.invoke(
            app,
            ["scenario", "export", "2018", "--to", str(out), *args],
            env={"BLUEHELMET_ORG": None, "BLUEHELMET_CLEARANCE": None},
        )
        assert result.exit_code == 0, result.output
        for csv in out.glob("*.csv"):
            assert "confidential" not in csv.read_text("utf-8"), csv.name
        copy = load_scenario(out)
        assert len(copy.pledges) == full.pledges["classification"].eq("unclassified").sum()
        assert copy.requirements.empty
        assert read_marking(out / "pledges.csv") == Classification.UNCLASSIFIED


def test_empty_or_unknown_org_is_an_error_not_a_privileged_reader():
    for org in ("", " ", "NOT-AN-ORG"):
        result = runner.invoke(app, ["scenario", "show", "2018", "--org", org])
        assert result.exit_code == 2, (org, result.output)
        assert "PCRS" not in result.output
    result = runner.invoke(app, ["scenario", "show", "2018"], env={"BLUEHELMET_ORG": ""})
    assert result.exit_code == 2


def test_unknown_scenario_is_a_clear_error_with_exit_2():
    result = runner.invoke(app, ["scenario", "show", "no-such-scenario"])
    assert result.exit_code == 2
    assert "bundled" in result.output


def test_audit_lines_go_to_the_configured_file(tmp_path: Path):
    import json
    import logging

    log = tmp_path / "audit.log"
    audit = logging.getLogger("bluehelmet.audit")
    before = list(audit.handlers)
    try:
        result = runner.invoke(
            app,
            ["scenario", "show", "2018"],
            env={
                "BLUEHELMET_AUDIT_LOG": str(log),
                "BLUEHELMET_ORG": None,
                "BLUEHELMET_USER": "analyst-1",
            },
        )
        assert result.exit_code == 0, result.output
    finally:
        for handler in set(audit.handlers) - set(before):
            handler.close()
            audit.removeHandler(handler)
    [line] = log.read_text("utf-8").splitlines()
    record = json.loads(line.split(" ", 2)[2])
    assert record["organisation"] == "public" and record["user"] == "analyst-1"
    assert record["rows"]["requirements"] == 0  # confidential: not visible, not counted
