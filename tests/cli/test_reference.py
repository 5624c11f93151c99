import re
from pathlib import Path

from bluehelmet.cli.reference import cli_markdown, command_paths, help_text, options

ROOT = Path(__file__).resolve().parents[2]


def test_every_command_is_in_the_reference_and_the_reference_is_current():
    committed = (ROOT / "docs" / "cli.md").read_text("utf-8")
    for path in command_paths():
        assert f"## `{' '.join(['bluehelmet', *path])}`" in committed, path
    assert committed == cli_markdown(), "run: python tools/gen_docs.py"


def test_command_tree_has_the_documented_groups():
    paths = {" ".join(p) for p in command_paths()}
    assert {"scenario show", "scenario export"} <= paths


def test_every_option_is_documented_with_its_environment_variable():
    committed = (ROOT / "docs" / "cli.md").read_text("utf-8")
    sections = re.split(r"^## ", committed, flags=re.MULTILINE)
    for path in command_paths():
        title = "`" + " ".join(["bluehelmet", *path]) + "`"
        section = next(s for s in sections if s.startswith(title + "\n"))
        for opt in options(path):
            assert re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", section), (path, opt)
    plan = help_text(["plan"])
    assert "BLUEHELMET_ORG" in plan and "BLUEHELMET_CLEARANCE" in plan
    assert "UN-DPO" in plan and "[default: 0.0]" in plan and "-h" in plan
