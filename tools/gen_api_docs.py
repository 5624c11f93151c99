"""Generate the Python API reference (``docs/api.md``) from the docstrings of the public API.

Run ``python tools/gen_api_docs.py`` after changing a public docstring or signature;
``--check`` exits 1 if the committed file is out of date (the tests run it).
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import inspect
import sys
from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parents[1] / "docs" / "api.md"

#: (module, names) of the public API, in reading order: data -> view -> plan -> results.
API: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "bluehelmet",
        ("load_scenario", "save_scenario", "bundled_scenarios", "AccessContext", "Classification"),
    ),
    ("bluehelmet.scenario.core", ("Scenario",)),
    (
        "bluehelmet.forcegen",
        (
            "plan",
            "PlanOptions",
            "SolveOptions",
            "Plan",
            "PlanSummary",
            "StageSummary",
            "compare_plans",
            "Override",
            "load_override",
            "apply_overrides",
        ),
    ),
    ("bluehelmet.statistics.plan", ("PlanStatistics",)),
    ("bluehelmet.plot.plan", ("PlanPlot",)),
    ("bluehelmet.outputs", ("DeclaredTables",)),
    (
        "bluehelmet.protect",
        ("analyse_mission", "ProtectOptions", "ProtectionAnalysis", "write_outputs"),
    ),
    ("bluehelmet.output", ("write_folder",)),
    ("bluehelmet.intel.view", ("ReportView", "ReportTable")),
)


def _doc(obj: Any) -> str:
    return inspect.cleandoc(obj.__doc__ or "").strip()


def _markdown(text: str) -> str:
    """A numpy-style docstring as Markdown: section underlines become bold section names."""
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if lines[i].strip() and nxt.strip() and set(nxt.strip()) == {"-"}:
            out += [f"**{lines[i].strip()}**", ""]
            i += 2
            continue
        out.append(lines[i])
        i += 1
    return "\n".join(out)


def _signature(name: str, obj: Any) -> str:
    try:
        return f"{name}{inspect.signature(obj)}"
    except (TypeError, ValueError):
        return name


def _members(cls: type) -> list[str]:
    out = []
    if dataclasses.is_dataclass(cls):
        for f in dataclasses.fields(cls):
            doc = f.metadata.get("doc", "")
            default = "" if f.default is dataclasses.MISSING else f" = `{f.default!r}`"
            out.append(f"- `{f.name}`{default}" + (f": {doc}" if doc else ""))
    for name, member in sorted(vars(cls).items()):
        if name.startswith("_") or name in getattr(cls, "__dataclass_fields__", {}):
            continue
        if isinstance(member, property):
            first = _doc(member).split("\n\n")[0].replace("\n", " ")
            out.append(f"- `.{name}` (property): {first}")
        elif callable(member) or isinstance(member, (classmethod, staticmethod)):
            func = member.__func__ if isinstance(member, (classmethod, staticmethod)) else member
            first = _doc(func).split("\n\n")[0].replace("\n", " ")
            out.append(f"- `.{_signature(name, func)}`: {first}")
    return out


def api_markdown() -> str:
    """The API reference as Markdown."""
    parts = [
        "# Python API reference",
        "",
        "Generated from the docstrings by `python tools/gen_api_docs.py`; do not edit by "
        "hand (a test checks it is current). A worked example: "
        "[notebooks/2018.ipynb](notebooks/2018.ipynb).",
    ]
    for module_name, names in API:
        module = importlib.import_module(module_name)
        parts += ["", f"## `{module_name}`", "", _doc(module).split("\n\n")[0]]
        for name in names:
            obj = getattr(module, name)
            kind = "class" if inspect.isclass(obj) else "function"
            parts += [
                "",
                f"### `{_signature(name, obj)}`" if kind == "function" else f"### class `{name}`",
                "",
                _markdown(_doc(obj)) or "(no docstring)",
            ]
            if kind == "class":
                members = _members(obj)
                if members:
                    parts += ["", *members]
    return "\n".join(parts) + "\n"


def main() -> int:
    """Write ``docs/api.md`` (or check it with ``--check``)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if docs/api.md is stale")
    args = parser.parse_args()
    text = api_markdown()
    if args.check:
        if DOC.read_text("utf-8") != text:
            print("docs/api.md is out of date: run python tools/gen_api_docs.py")
            return 1
        return 0
    DOC.write_text(text, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
