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
    # No user config file (its defaults would show) and no reader variables: the same text on
    # every machine.
    env = {
        "COLUMNS": str(WIDTH),
        "TERM": "dumb",
        "NO_COLOR": "1",
        "BLUEHELMET_CONFIG": "/nonexistent/bluehelmet-config.toml",
        "BLUEHELMET_ORG": None,
        "BLUEHELMET_CLEARANCE": None,
    }
    result = CliRunner().invoke(app, [*path, "--help"], env=env, terminal_width=WIDTH)
    if result.exit_code != 0:
        raise RuntimeError(f"bluehelmet {' '.join(path)} --help failed: {result.output}")
    return "\n".join(line.rstrip() for line in result.output.strip("\n").splitlines())


def options(path: list[str]) -> list[str]:
    """The option names (long and short) of the command at ``path``."""
    cmd: Any = typer.main.get_command(app)
    for name in path:
        cmd = cmd.commands[name]
    return [
        opt for param in cmd.params for opt in getattr(param, "opts", []) if opt.startswith("-")
    ]


def cli_markdown() -> str:
    """The CLI reference as Markdown."""
    parts = [
        "# Command-line reference",
        "",
        "Generated from the commands' own `--help` by `python tools/gen_docs.py`; "
        "do not edit by hand (a test checks it is current).",
        "",
        "Every command takes `-h`/`--help`; `bluehelmet --version` prints the version and "
        "`bluehelmet --install-completion` installs shell completion (bash, zsh, fish, "
        "PowerShell). Options marked `[env var: ...]` can be set in the environment; `--org`, "
        "`--clearance`, `--store` and the `--out` of plan, brief and protect can have defaults in "
        "a config file (`bluehelmet config` shows it). Results go to standard output (`--json` "
        "for machine-readable output), progress and log messages (`-q`, `-v`, `-vv`) to "
        "standard error. Exit codes: 0 success, 1 problems found in the data (`data check`, "
        "`data import`), 2 a wrong option or input that cannot be used.",
    ]
    for path in command_paths():
        title = " ".join(["bluehelmet", *path])
        parts += ["", f"## `{title}`", "", "```text", help_text(path), "```"]
        tables = options_markdown(" ".join(path))
        if tables:
            # In the command's own section: the help table may shorten long flag names.
            parts += ["", tables]
    return "\n".join(parts) + "\n"


#: The options objects and the command whose flags build them.
OPTIONS: tuple[tuple[str, type], ...] = (
    ("plan", PlanOptions),
    ("plan", SolveOptions),
    ("protect", ProtectOptions),
)


def flag(name: str) -> str:
    """The command-line flag of an options field (``time_limit`` -> ``--time-limit``)."""
    return "--" + name.replace("_", "-")


def options_markdown(command: str) -> str:
    """Every field of ``command``'s options objects with its flag, default and documentation.

    Empty for a command that builds no options object.
    """
    objects = [cls for name, cls in OPTIONS if name == command]
    if not objects:
        return ""
    parts = [
        "The library takes these frozen dataclasses; the command builds them from one flag "
        "per field (a test checks that every field has its flag and its line here)."
    ]
    for cls in objects:
        parts += [
            "",
            f"### Options object `{cls.__module__}.{cls.__name__}`",
            "",
            "| field | flag | default | meaning |",
            "|---|---|---|---|",
        ]
        for f in fields(cls):
            if "doc" not in f.metadata or is_dataclass(f.default):
                continue
            parts.append(
                f"| `{f.name}` | `{flag(f.name)}` | `{f.default!r}` | {f.metadata['doc']} |"
            )
    return "\n".join(parts)
