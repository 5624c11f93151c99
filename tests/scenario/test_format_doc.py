"""The worked example in docs/scenario-format.md is a valid scenario, as a user would type it."""

import re
from pathlib import Path

from bluehelmet.scenario.io import load_scenario

DOC = Path(__file__).resolve().parents[2] / "docs" / "scenario-format.md"


def test_worked_example_in_the_docs_loads(tmp_path: Path):
    text = DOC.read_text("utf-8")
    blocks = re.findall(r"`(\w+\.csv)`[^\n]*\n\n```csv\n(.*?)```", text, re.S)
    assert len(blocks) == 5
    for name, body in blocks:
        (tmp_path / name).write_text(body, "utf-8")
    toml = re.search(r"```toml\n(.*?)```", text, re.S)
    assert toml
    (tmp_path / "scenario.toml").write_text(toml.group(1), "utf-8")
    scenario = load_scenario(tmp_path)
    assert scenario.name == "mali-2019"
    assert scenario.param("horizon_months") == 18
    assert scenario.parameters["max_contributor_share"].source.startswith("DPO")
    assert list(scenario.pledges["id"]) == ["NLD-UH-2019"]
    assert scenario.contributors.set_index("id").loc["AU", "kind"] == "regional_organisation"
