"""Values from input files are printed as text: never as terminal markup or links."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from bluehelmet.cli.main import app
from bluehelmet.scenario.io import resolve_scenario_path


def test_scenario_show_prints_markup_in_values_as_text(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    shutil.copytree(resolve_scenario_path("2018"), folder)
    path = folder / "unit_types.csv"
    text = path.read_text("utf-8")
    first = text.splitlines()[1].split(",")[1]  # the first unit type's name
    path.write_text(
        text.replace(f",{first},", ",[/][link=http://evil.example]x[/link],", 1), "utf-8"
    )
    res = CliRunner().invoke(app, ["scenario", "show", str(folder)], env={"COLUMNS": "300"})
    assert res.exit_code == 0, res.output
    assert "[link=http://evil.example]x[/link]" in " ".join(res.output.split())
