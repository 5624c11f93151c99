"""Regenerate the generated parts of the docs (schema reference, CLI reference)."""

from __future__ import annotations

from pathlib import Path

from bluehelmet.model.docs import schema_markdown

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    """Write docs/schema.md."""
    (ROOT / "docs" / "schema.md").write_text(schema_markdown(), "utf-8")


if __name__ == "__main__":
    main()
