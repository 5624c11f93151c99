"""The classification marking every writer stamps on what it writes.

Design: CSV files stay plain (no comment line), so that our own readers and any spreadsheet
open them unchanged; the marking of every file written into a folder is in a sidecar,
``MARKING.txt``, in that folder. Its first line is the marking in capitals (``UNCLASSIFIED``,
``CONFIDENTIAL``, ``STRICTLY_CONFIDENTIAL``): the highest classification of the records the files
were derived from. Later lines say who read, from what, and which files the marking covers.
Writing more files into the same folder raises the marking if needed and never lowers it.
HTML and PDF outputs also carry the marking on the page, JSON outputs as a ``marking`` key.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bluehelmet.model.access import AccessContext, Classification

MARKING_FILE = "MARKING.txt"


def read_marking(folder: str | Path) -> tuple[Classification, list[str]] | None:
    """The marking and file list of ``folder``'s ``MARKING.txt``, or ``None`` if there is none."""
    path = Path(folder) / MARKING_FILE
    if not path.is_file():
        return None
    lines = path.read_text("utf-8").splitlines()
    marking = Classification.parse(lines[0]) if lines else Classification.STRICTLY_CONFIDENTIAL
    files: list[str] = []
    for line in lines:
        if line.startswith("files: "):
            files = [f for f in line.removeprefix("files: ").split(", ") if f]
    return marking, files


def stamp(folder: str | Path, marking: Classification, files: Iterable[str | Path], *,
          reader: AccessContext | None = None, source: str = "", replace: bool = False) -> Path:
    """Write (or raise) the marking of ``files`` written into ``folder``.

    Parameters
    ----------
    folder
        The folder the files were written into.
    marking
        The highest classification among the rows the files were derived from.
    files
        The files written (names or paths inside ``folder``).
    reader, source
        Who the files were written for and from what (for the people handling them).
    replace
        The files listed are all the folder holds (a rewritten folder): do not merge with an
        earlier marking.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    names = [Path(f).relative_to(out).as_posix() if Path(f).is_absolute() and
             Path(f).is_relative_to(out) else Path(f).as_posix() for f in files]
    previous = None if replace else read_marking(out)
    if previous is not None:
        marking = max(marking, previous[0])
        names = previous[1] + [n for n in names if n not in previous[1]]
    lines = [marking.label.upper(),
             "bluehelmet marking: the highest classification of the records the files below "
             "were derived from; handle each of them at this classification.",
             ]
    if reader is not None:
        lines.append(f"reader: {reader.organisation} ({reader.clearance.label})")
    if source:
        lines.append(f"source: {source}")
    lines.append("files: " + ", ".join(sorted(set(names), key=names.index)))
    path = out / MARKING_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", "utf-8")
    tmp.replace(path)
    return path
