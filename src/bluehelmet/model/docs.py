"""Generate the schema reference (``docs/schema.md``) from the data-model declarations.

The reference is part of the declaration-driven design: a test regenerates it and fails if the
committed file differs, so the docs cannot fall out of step with the model.
"""

from __future__ import annotations

from bluehelmet.model.schema import Column, entities, entity_index, parameter_specs


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _allowed(col: Column) -> str:
    parts = []
    if col.allowed:
        parts.append(" / ".join(f"`{a}`" for a in col.allowed))
    if col.min is not None:
        parts.append(f">= {col.min:g}")
    if col.max is not None:
        parts.append(f"<= {col.max:g}")
    if col.references:
        parts.append(f"id in `{col.references}`")
    return ", ".join(parts)


def schema_markdown() -> str:
    """The schema reference as Markdown: every entity, column and scenario parameter."""
    lines = [
        "# Data model reference",
        "",
        "Generated from `src/bluehelmet/model/schema/*.csv` by `python tools/gen_docs.py`; "
        "do not edit by hand (a test checks it is current).",
        "",
        "Types: `string` text; `list` semicolon-separated text items; `orgs` organisation ids "
        "(see `docs/architecture.md`), semicolon-separated in files, a tuple in memory; "
        "`integer` whole number; "
        "`float` number with a decimal point; `boolean` `true`/`false`; `date` `YYYY-MM-DD`. "
        "Empty cells are missing values; a missing value takes the column's default. "
        "Columns marked **protected** (declared in `schema/_sensitivity.csv`) are shown only to "
        "readers acting for the record's owner and are never exported.",
        "",
        "| entity | store | holds |",
        "|---|---|---|",
    ]
    for name, (store, description) in entity_index().items():
        lines.append(f"| [`{name}`](#{name.replace('_', '-')}) | {store} | {_cell(description)} |")
    for ent in entities():
        lines += [
            "",
            f"## {ent.name}",
            "",
            f"{ent.description} File: `{ent.name}.csv`.",
            "",
            "| column | type | unit | default | required | allowed | description |",
            "|---|---|---|---|---|---|---|",
        ]
        for col in ent.columns:
            lines.append(
                f"| `{col.name}` | {col.type} | {col.unit} | {_cell(col.default or '')} | "
                f"{'yes' if col.required else ''} | {_cell(_allowed(col))} | "
                f"{'**protected** ' if col.protected else ''}{_cell(col.description)} |"
            )
    lines += [
        "",
        "## Scenario parameters (`scenario.toml`, section `[parameters]`)",
        "",
        'Each parameter is written `name = {value = ..., source = "..."}` '
        "(or just `name = value`, source then `scenario`). "
        "A source of `assumed` marks a number that is ours, not a fact.",
        "",
        "| parameter | type | unit | default | default's source | description |",
        "|---|---|---|---|---|---|",
    ]
    for spec in parameter_specs().values():
        lines.append(
            f"| `{spec.name}` | {spec.type} | {spec.unit} | {spec.default} | {spec.source} | "
            f"{_cell(spec.description)} |"
        )
    return "\n".join(lines) + "\n"
