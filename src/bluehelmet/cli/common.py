"""Helpers shared by the CLI commands: the reader's access context, consoles, error exits."""

from __future__ import annotations

import getpass
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape

from bluehelmet.cli.output import console, err_console
from bluehelmet.errors import AccessDeniedError, BluehelmetError, DataError

if TYPE_CHECKING:
    from bluehelmet.model.access import AccessContext

__all__ = [
    "ClearanceOption",
    "OrgOption",
    "cli_errors",
    "console",
    "err_console",
    "field_option",
    "reader_context",
]

#: The reader when none is configured: deny by default (unclassified records only).
DEFAULT_ORG = "public"
DEFAULT_CLEARANCE = "unclassified"

OrgOption = typer.Option(
    None,
    "--org",
    envvar="BLUEHELMET_ORG",
    show_default=f"{DEFAULT_ORG}, who sees unclassified records only",
    help="Reader's organisation for need-to-know filtering, e.g. UN-DPO, MINUSMA, NLD.",
)


def field_option(defaults: Any, name: str, *aliases: str, **kwargs: Any) -> Any:
    """The typer option of field ``name`` of an options object (``defaults``, an instance).

    One declaration for every command that builds the object: the flag is the field's name
    (``time_limit`` -> ``--time-limit``; a boolean ``--x/--no-x``), the default the instance's
    value and the help the field's own documentation (``metadata["doc"]``). ``aliases`` are
    further flags; ``kwargs`` go to :func:`typer.Option` (``min``, ``max``, ...).
    """
    doc = {f.name: str(f.metadata.get("doc", "")) for f in fields(defaults)}
    if name not in doc:
        raise KeyError(f"{type(defaults).__name__} has no field {name!r}")
    value = getattr(defaults, name)
    flag = "--" + name.replace("_", "-")
    if isinstance(value, bool):
        flag = f"{flag}/--no-{flag[2:]}"
    kwargs.setdefault("help", doc[name])
    return typer.Option(value, flag, *aliases, **kwargs)


ClearanceOption = typer.Option(
    None,
    "--clearance",
    envvar="BLUEHELMET_CLEARANCE",
    show_default=DEFAULT_CLEARANCE,
    help="Reader's clearance: unclassified, confidential or strictly_confidential.",
)


def horizon_option() -> Any:
    """The ``--horizon`` flag of the commands that plan (``plan``, ``brief``)."""
    return typer.Option(
        None,
        "--horizon",
        min=1,
        max=120,
        show_default="the scenario's horizon_months",
        help="Months to plan.",
    )


def reader_context(org: str | None, clearance: str | None) -> AccessContext:
    """The reader from the options, else the environment, else the public reader.

    An organisation given but empty (``--org ""``) is an error, never a fallback; so are an
    unknown organisation or clearance, and a clearance for the public reader. If
    ``BLUEHELMET_AUDIT_LOG`` names a file, the audit lines of every view are appended to it.
    """
    from bluehelmet.model.access import AccessContext, Classification
    from bluehelmet.model.organisations import lookup

    organisation = org if org is not None else os.environ.get("BLUEHELMET_ORG", DEFAULT_ORG)
    level = (
        clearance
        if clearance is not None
        else os.environ.get("BLUEHELMET_CLEARANCE", DEFAULT_CLEARANCE)
    )
    try:
        if not organisation.strip():
            raise AccessDeniedError(
                "the reader's organisation is empty; give --org (e.g. "
                "UN-DPO) or leave it out to read as the public"
            )
        lookup(organisation.strip())
        reader = AccessContext(
            organisation.strip(),
            Classification.parse(level),
            user=os.environ.get("BLUEHELMET_USER") or _login(),
        )
        if reader.organisation == DEFAULT_ORG and reader.clearance > Classification.UNCLASSIFIED:
            raise AccessDeniedError("the public reader has no clearance; give --org too")
    except AccessDeniedError as exc:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(2) from exc
    _audit_to_file(os.environ.get("BLUEHELMET_AUDIT_LOG"))
    return reader


def _login() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def _audit_to_file(path: str | None) -> None:
    """Append audit lines to ``path`` (once per process); the library itself only logs."""
    if not path:
        return
    from bluehelmet.model.gate import AUDIT

    target = os.path.abspath(path)
    if any(getattr(h, "baseFilename", None) == target for h in AUDIT.handlers):
        return
    handler = logging.FileHandler(target, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    AUDIT.addHandler(handler)
    AUDIT.setLevel(logging.INFO)


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
