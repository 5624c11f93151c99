"""Regenerate the formulation and output-table sections of docs/force-generation.md.

The formulation comes from the define_* docstrings, the output tables from ``outputs.csv``.

Usage: ``python tools/gen_forcegen_math.py`` (rewrites the section between the markers);
``--check`` exits 1 if the document is out of date (the test suite runs this check).
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

from bluehelmet.forcegen.formulation import FORMULATION
from bluehelmet.forcegen.outputs import reference_markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "force-generation.md"
BEGIN = "<!-- BEGIN GENERATED FORMULATION (tools/gen_forcegen_math.py) -->"
END = "<!-- END GENERATED FORMULATION -->"
OUT_BEGIN = "<!-- BEGIN GENERATED OUTPUTS (tools/gen_forcegen_math.py) -->"
OUT_END = "<!-- END GENERATED OUTPUTS -->"


def formulation_markdown() -> str:
    """The formulation as Markdown: one subsection per define_* function, in model order."""
    parts = []
    for i, define in enumerate(FORMULATION, 1):
        doc = inspect.getdoc(define) or ""
        title, _, rest = doc.partition("\n")
        math = rest.split("Math\n----\n", 1)[-1].strip()
        parts.append(f"### {i}. {title.rstrip('.')}\n\n`{define.__name__}`\n\n{math}\n")
    return "\n".join(parts)


def replace_section(text: str, begin: str, end: str, body: str) -> str:
    """``text`` with the part between the ``begin`` and ``end`` markers replaced by ``body``."""
    head, _, rest = text.partition(begin)
    _, _, tail = rest.partition(end)
    return f"{head}{begin}\n\n{body}\n{end}{tail}"


def render(text: str) -> str:
    """``text`` with the generated sections: the formulation and the output tables."""
    text = replace_section(text, BEGIN, END, formulation_markdown())
    return replace_section(text, OUT_BEGIN, OUT_END, reference_markdown())


def main(argv: list[str]) -> int:
    """Rewrite (or with ``--check`` verify) the generated section."""
    text = DOC.read_text(encoding="utf-8")
    new = render(text)
    if "--check" in argv:
        if new != text:
            print(f"{DOC} is out of date: run python tools/gen_forcegen_math.py")
            return 1
        return 0
    DOC.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
