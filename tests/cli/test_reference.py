from pathlib import Path

from bluehelmet.cli.reference import cli_markdown, command_paths

ROOT = Path(__file__).resolve().parents[2]


def test_every_command_is_in_the_reference_and_the_reference_is_current():
    committed = (ROOT / "docs" / "cli.md").read_text("utf-8")
    for path in command_paths():
        assert f"## `{' '.join(['bluehelmet', *path])}`" in committed, path
    assert committed == cli_markdown(), "run: python tools/gen_docs.py"


def test_command_tree_has_the_documented_groups():
    paths = {" ".join(p) for p in command_paths()}
    assert {"scenario show", "scenario export"} <= paths
