"""Helpers shared by the CLI commands: the reader's access context, consoles, error exits."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from bluehelmet.errors import BluehelmetError, DataError
from bluehelmet.model.access import AccessContext, Classification

console = Console()
err_console = Console(stderr=True)

#: Defaults of the reader's access context when the CLI is used on one's own files.
DEFAULT_ORG = "UN-DPO"
DEFAULT_CLEARANCE = "confidential"

OrgOption = typer.Option(
    None, "--org", help="Reader's organisation for need-to-know filtering "
    f"[env BLUEHELMET_ORG, default {DEFAULT_ORG}]."
)
ClearanceOption = typer.Option(
    None, "--clearance", help="Reader's clearance: unclassified, confidential or "
    f"strictly_confidential [env BLUEHELMET_CLEARANCE, default {DEFAULT_CLEARANCE}]."
)


def reader_context(org: str | None, clearance: str | None) -> AccessContext:
    """The reader's access context from options, then environment, then defaults."""
    organisation = org or os.environ.get("BLUEHELMET_ORG", DEFAULT_ORG)
    level = clearance or os.environ.get("BLUEHELMET_CLEARANCE", DEFAULT_CLEARANCE)
    return AccessContext(organisation, Classification.parse(level))


@contextmanager
def cli_errors() -> Iterator[None]:
    """Turn bluehelmet errors into a readable message and exit code 2."""
    try:
        yield
    except DataError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False)
        raise typer.Exit(2) from exc
    except BluehelmetError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False)
        raise typer.Exit(2) from exc
