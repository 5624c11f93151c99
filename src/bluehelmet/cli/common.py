"""Helpers shared by the CLI commands: the reader's access context, consoles, error exits."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from bluehelmet.cli.output import console, err_console
from bluehelmet.errors import BluehelmetError, DataError

if TYPE_CHECKING:
    from bluehelmet.model.access import AccessContext

__all__ = ["ClearanceOption", "OrgOption", "cli_errors", "console", "err_console",
           "reader_context"]

#: Defaults of the reader's access context when the CLI is used on one's own files.
DEFAULT_ORG = "UN-DPO"
DEFAULT_CLEARANCE = "confidential"

OrgOption = typer.Option(
    None, "--org", envvar="BLUEHELMET_ORG", show_default=DEFAULT_ORG,
    help="Reader's organisation for need-to-know filtering."
)
ClearanceOption = typer.Option(
    None, "--clearance", envvar="BLUEHELMET_CLEARANCE", show_default=DEFAULT_CLEARANCE,
    help="Reader's clearance: unclassified, confidential or strictly_confidential."
)


def reader_context(org: str | None, clearance: str | None) -> AccessContext:
    """The reader's access context from options, then environment, then defaults."""
    from bluehelmet.model.access import AccessContext, Classification

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
