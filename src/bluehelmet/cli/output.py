"""What the CLI prints and how: consoles, ``--json`` output, logging levels and progress.

Results go to standard output (as tables, or as JSON with ``--json``); progress, log messages and
errors go to standard error, so ``bluehelmet ... --json | jq`` always gets clean JSON. When
standard output is not a terminal (a pipe or a file) lines are not wrapped.
"""

from __future__ import annotations

import json
import logging
import math
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

import typer
from rich.console import Console

#: Width used when the output is not a terminal and COLUMNS is not set: wide enough that no line
#: or table of ours is wrapped.
PIPE_WIDTH = 400


def _console(stderr: bool) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    piped = not (hasattr(stream, "isatty") and stream.isatty())
    width = PIPE_WIDTH if piped and "COLUMNS" not in os.environ else None
    return Console(stderr=stderr, width=width, soft_wrap=piped)


console = _console(stderr=False)
err_console = _console(stderr=True)

JsonOption = typer.Option(
    False,
    "--json",
    help="Print the result as JSON on standard output "
    "(progress and messages go to standard error).",
)


def _clean(value: Any) -> Any:
    """Make ``value`` JSON-safe: NaN -> null, numpy and pandas scalars -> Python, dates -> ISO."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_clean(v) for v in value]
    if hasattr(value, "to_dict") and hasattr(value, "columns"):  # a DataFrame
        return records(value)
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # numpy scalar
        with suppress(ValueError, AttributeError):
            value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def records(frame: Any) -> list[dict[str, Any]]:
    """A DataFrame as JSON-safe records (missing values as null, dates as ISO strings)."""
    return list(
        json.loads(
            frame.to_json(
                orient="records", date_format="iso", force_ascii=False, default_handler=str
            )
        )
    )


def print_json(data: Any) -> None:
    """Write ``data`` as indented JSON to standard output."""
    sys.stdout.write(json.dumps(_clean(data), indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


#: Logging level for each ``--verbose`` count (``--quiet`` gives ERROR).
LEVELS = {0: logging.WARNING, 1: logging.INFO}


def setup_logging(verbose: int, quiet: bool) -> int:
    """Configure the standard library's logging for the CLI (the library never does).

    Returns the level chosen: ERROR with ``--quiet``, WARNING by default, INFO with ``-v`` and
    DEBUG with ``-vv``.
    """
    from rich.logging import RichHandler

    level = logging.ERROR if quiet else LEVELS.get(verbose, logging.DEBUG)
    handler = RichHandler(
        console=err_console, show_path=verbose > 1, markup=False, rich_tracebacks=False
    )
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_bluehelmet", False)]:
        root.removeHandler(old)
    # The handler's own level filters too: loggers with a level of their own (the audit trail
    # logs at INFO) would otherwise reach the terminal through it.
    handler.setLevel(level)
    handler._bluehelmet = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("bluehelmet").setLevel(level)
    return level


def quiet() -> bool:
    """Whether ``--quiet`` was given (progress displays are then not shown)."""
    return logging.getLogger("bluehelmet").getEffectiveLevel() >= logging.ERROR


@contextmanager
def progress(label: str) -> Iterator[Callable[[str], None]]:
    """A spinner with elapsed time on standard error; yields a function that relabels it.

    Nothing is drawn with ``--quiet`` or when standard error is not a terminal (Rich then
    stays silent), and each step is logged at INFO level for ``--verbose``.
    """
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    log = logging.getLogger("bluehelmet.cli")
    log.info(label)
    if quiet():
        yield log.info
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(text: str) -> None:
            log.info(text)
            bar.update(task, description=text)

        yield update
