"""Regenerate the generated parts of the docs (schema reference, CLI reference)."""

from __future__ import annotations

from pathlib import Path

from bluehelmet.cli.reference import cli_markdown
from bluehelmet.model.docs import schema_markdown

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    """Write docs/schema.md and docs/cli.md."""
    (ROOT / "docs" / "schema.md").write_text(schema_markdown(), "utf-8")
    (ROOT / "docs" / "cli.md").write_text(cli_markdown(), "utf-8")


if __name__ == "__main__":
    main()
