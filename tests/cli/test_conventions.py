"""The conventions every command follows: version, -h, JSON, checked values, config, speed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bluehelmet.cli.main import app
from bluehelmet.forcegen.generate import random_scenario
from bluehelmet.scenario.io import save_scenario

ROOT = Path(__file__).resolve().parents[2]
UCDP = ROOT / "src" / "bluehelmet" / "datasets" / "reference" / "ucdp_ged201_subset_1995_2014.csv"
NO_CONFIG = {"BLUEHELMET_CONFIG": "/nonexistent/config.toml"}


def flat(text: str) -> str:
    """Output without Rich's box lines and wrapping."""
    return " ".join(text.replace("│", " ").split())


def run(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args), env={**NO_CONFIG, **(env or {})})


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.output.startswith("bluehelmet ") and result.output.strip()[-1].isdigit()


@pytest.mark.parametrize("path", [[], ["plan"], ["intel", "hotspots"], ["data", "check"]])
def test_h_is_help(path: list[str]) -> None:
    short, long = run(*path, "-h"), run(*path, "--help")
    assert short.exit_code == long.exit_code == 0
    assert short.output == long.output and "Usage:" in short.output


def test_completion_is_offered() -> None:
    assert "--install-completion" in run("--help").output


def test_importing_the_cli_loads_no_numerical_stack() -> None:
    code = (
        "import sys, bluehelmet.cli.main; "
        "print(sorted(m for m in ('pandas', 'matplotlib', 'highspy', 'weasyprint', "
        "'geopandas', 'scipy', 'sklearn') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["plan", "2018", "--out", "OUT", "--horizon", "0"], "--horizon"),
        (["intel", "hotspots", "--events", str(UCDP), "--value", "deaths"], "civilian_deaths"),
        (["intel", "hotspots", "--store", "no-such-store"], "no-such-store"),
        (["intel", "fuse", "--store", "no-such-store"], "no-such-store"),
        (["scenario", "export", "2018", "--to", "x", "--format", "ods"], "xlsx"),
    ],
)
def test_wrong_values_exit_2_naming_what_is_valid(
    args: list[str], message: str, tmp_path: Path
) -> None:
    args = [str(tmp_path / "out") if a == "OUT" else a for a in args]
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert message in flat(result.output)
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists() and not Path("no-such-store").exists()


def test_out_pointing_at_a_file_is_a_clear_error(tmp_path: Path) -> None:
    file = tmp_path / "a-file"
    file.write_text("x")
    for args in (
        ["plan", "2018", "--out", str(file)],
        ["brief", "2018", "--out", str(file)],
        ["protect", "MINUSMA", "--scenario", "2018", "--out", str(file)],
    ):
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "is a file, not a folder" in flat(result.output)


def test_plan_json_prints_the_summary(tmp_path: Path) -> None:
    save_scenario(
        random_scenario(n_missions=2, n_months=6, n_pledges=6, n_unit_types=2, seed=3),
        tmp_path / "scn",
    )
    result = run(
        "plan", str(tmp_path / "scn"), "--out", str(tmp_path / "p"), "--json", "--time-limit", "5"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["status"] == "optimal" and data["folder"] == str(tmp_path / "p")
    assert data == {
        **json.loads((tmp_path / "p" / "summary.json").read_text()),
        "folder": data["folder"],
    }


def test_scenario_show_and_list_json() -> None:
    show = run("scenario", "show", "2018", "--json")
    assert show.exit_code == 0, show.output
    data = json.loads(show.stdout)
    assert data["scenario"] == "2018"
    assert "MINUSMA" in {m["id"] if "id" in m else m.get("mission_id") for m in data["missions"]}
    assert json.loads(run("scenario", "list", "--json").stdout) == ["2018"]


def test_data_check_json(tmp_path: Path) -> None:
    result = run(
        "data", "check", str(ROOT / "examples" / "odp_contributionsbygender.csv"), "--json"
    )
    assert result.exit_code == 1  # repairs found
    data = json.loads(result.stdout)
    assert data["rows_read"] == 56 and data["balanced"] and data["repaired"] == 56


def test_piped_output_is_not_wrapped() -> None:
    """Run as a real process with stdout a pipe: long lines stay whole."""
    env = {k: v for k, v in __import__("os").environ.items() if k != "COLUMNS"}
    env.update(NO_CONFIG)
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from bluehelmet.cli.main import app; app()",
            "scenario",
            "show",
            "2018",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    line = next(x for x in out.stdout.splitlines() if "Illustrative data" in x)
    assert "Each row's 'basis'" in line  # the whole notice on one line


def test_config_file_gives_defaults_and_help_says_so(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    store = tmp_path / "store"
    config.write_text(f'org = "MINUSMA"\nclearance = "confidential"\nstore = "{store}"\n', "utf-8")
    env = {"BLUEHELMET_CONFIG": str(config)}
    help_text = flat(run("intel", "reports", "-h", env={**env, "COLUMNS": "250"}).output)
    assert "MINUSMA, from" in help_text and "config.toml" in help_text
    imported = run("intel", "import", str(ROOT / "examples" / "mali_reports.csv"), env=env)
    assert imported.exit_code == 0, imported.output
    assert (store / "reports.sqlite").is_file()
    shown = run("intel", "reports", "--json", env=env)  # org MINUSMA from the config file
    assert json.loads(shown.stdout)["visible"] == 6
    as_other = run("intel", "reports", "--json", "--org", "FRA", env=env)
    assert json.loads(as_other.stdout)["visible"] == 0
    shown_config = json.loads(run("config", "--json", env=env).stdout)
    assert shown_config["exists"] and shown_config["values"]["org"] == "MINUSMA"


def test_bad_config_file_is_a_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("organisation = 1\n", "utf-8")
    result = run("scenario", "list", env={"BLUEHELMET_CONFIG": str(config)})
    assert result.exit_code == 2
    assert "unknown key 'organisation'" in result.output and "org" in result.output


def test_quiet_and_verbose_set_the_log_level() -> None:
    import logging

    run("-q", "scenario", "list")
    assert logging.getLogger("bluehelmet").getEffectiveLevel() == logging.ERROR
    run("-vv", "scenario", "list")
    assert logging.getLogger("bluehelmet").getEffectiveLevel() == logging.DEBUG
    run("scenario", "list")
    assert logging.getLogger("bluehelmet").getEffectiveLevel() == logging.WARNING


def test_the_library_configures_no_logging() -> None:
    sources = (ROOT / "src" / "bluehelmet").rglob("*.py")
    offenders = [
        p
        for p in sources
        if "basicConfig" in p.read_text("utf-8")
        or ("addHandler" in p.read_text("utf-8") and p.parent.name != "cli")
    ]
    assert offenders == []
