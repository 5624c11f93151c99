"""Generate the CLI reference (``docs/cli.md``) from the real ``--help`` output of every command.

As in datasette, the reference is the help text itself, so it cannot drift: a test regenerates it
and fails when the committed file differs or a command is undocumented.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Any

import typer
from typer.testing import CliRunner

from bluehelmet.cli.main import app
from bluehelmet.forcegen.options import PlanOptions, SolveOptions
from bluehelmet.protect.options import ProtectOptions

#: Fixed terminal width so the text is the same on every machine.
WIDTH = 100


def command_paths() -> list[list[str]]:
    """Every command and command group, as argument paths (``[]`` is the top level)."""
    root = typer.main.get_command(app)
    paths: list[list[str]] = []

    def walk(cmd: Any, path: list[str]) -> None:
        # typer ships its own copy of click, so test for sub-commands, not for a click class.
        paths.append(path)
        for name in sorted(getattr(cmd, "commands", {})):
            walk(cmd.commands[name], [*path, name])

    walk(root, [])
    return paths


def help_text(path: list[str]) -> str:
    """The ``--help`` output of the command at ``path``."""
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": str(WIDTH),
                                                             "TERM": "dumb", "NO_COLOR": "1"},
                                terminal_width=WIDTH)
    if result.exit_code != 0:
        raise RuntimeError(f"bluehelmet {' '.join(path)} --help failed: {result.output}")
    return "\n".join(line.rstrip() for line in result.output.strip("\n").splitlines())


def cli_markdown() -> str:
    """The CLI reference as Markdown."""
    parts = [
        "# Command-line reference",
        "",
        "Generated from the commands' own `--help` by `python tools/gen_docs.py`; "
        "do not edit by hand (a test checks it is current).",
    ]
    for path in command_paths():
        title = " ".join(["bluehelmet", *path])
        parts += ["", f"## `{title}`", "", "```text", help_text(path), "```"]
    parts += ["", options_markdown()]
    return "\n".join(parts) + "\n"


#: The options objects and the command whose flags build them.
OPTIONS: tuple[tuple[str, type], ...] = (("plan", PlanOptions), ("plan", SolveOptions),
                                         ("protect", ProtectOptions))


def flag(name: str) -> str:
    """The command-line flag of an options field (``time_limit`` -> ``--time-limit``)."""
    return "--" + name.replace("_", "-")


def options_markdown() -> str:
    """Every field of the options objects with its flag, default and documentation."""
    parts = ["## Options objects", "",
             "The library takes these frozen dataclasses; the command builds them from one flag "
             "per field (a test checks that every field has its flag and its line here)."]
    for command, cls in OPTIONS:
        parts += ["", f"### `{cls.__module__}.{cls.__name__}` (`bluehelmet {command}`)", "",
                  "| field | flag | default | meaning |", "|---|---|---|---|"]
        for f in fields(cls):
            if "doc" not in f.metadata or is_dataclass(f.default):
                continue
            parts.append(f"| `{f.name}` | `{flag(f.name)}` | `{f.default!r}` | "
                         f"{f.metadata['doc']} |")
    return "\n".join(parts)
