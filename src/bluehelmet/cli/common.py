"""Helpers shared by the CLI commands: the reader's access context, consoles, error exits."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.markup import escape

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


#: Most problems listed on the terminal for one error (all of them are in the exception).
SHOWN_PROBLEMS = 25


@contextmanager
def cli_errors(data_error_code: int = 2) -> Iterator[None]:
    """Turn bluehelmet errors into readable messages and an exit code.

    Parameters
    ----------
    data_error_code
        Exit code for problems found in input data (:class:`DataError`, one line per problem);
        ``data check`` uses 1 ("problems found"), other commands 2. Any other bluehelmet error
        (unreadable file, unknown scenario, ...) exits with 2.
    """
    try:
        yield
    except DataError as exc:
        for problem in exc.problems[:SHOWN_PROBLEMS]:
            err_console.print(f"[bold red]problem:[/] {escape(str(problem))}", highlight=False)
        more = len(exc.problems) - SHOWN_PROBLEMS
        if more > 0:
            err_console.print(f"... and {more} more problem(s)", highlight=False)
        raise typer.Exit(data_error_code) from exc
    except BluehelmetError as exc:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(2) from exc
