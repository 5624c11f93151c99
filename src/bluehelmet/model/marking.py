"""The classification marking every writer stamps on every file it writes.

Design: data files stay plain (no comment line in a CSV), so that our own readers and any
spreadsheet open them unchanged; each file ``x.csv`` gets a sidecar ``x.csv.marking.json``::

    {"file": "x.csv", "classification": "confidential", "reader_organisation": "UN-DPO",
     "reader_clearance": "confidential", "generator": "plan of scenario 2018"}

``classification`` is the highest classification of the records the file was derived from (a
view's :attr:`~bluehelmet.scenario.core.ScenarioView.marking`). The intel report store's derived
files use the same sidecar name and keys. HTML and PDF outputs also show the marking on the page,
JSON summaries carry a ``marking`` key.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from bluehelmet.model.access import AccessContext, Classification

MARKING_SUFFIX = ".marking.json"


def marking_path(path: str | Path) -> Path:
    """The sidecar of ``path``."""
    p = Path(path)
    return p.with_name(p.name + MARKING_SUFFIX)


def read_marking(path: str | Path) -> Classification | None:
    """The marking of the file ``path`` from its sidecar, or ``None`` if it has none."""
    side = marking_path(path)
    if not side.is_file():
        return None
    return Classification.parse(str(json.loads(side.read_text("utf-8"))["classification"]))


def stamp(
    folder: str | Path,
    marking: Classification,
    files: Iterable[str | Path],
    *,
    reader: AccessContext | None = None,
    source: str = "",
) -> list[Path]:
    """Write the marking sidecar of each of ``files`` (written into ``folder``).

    Parameters
    ----------
    folder
        The folder the files were written into (relative names are taken inside it).
    marking
        The highest classification among the rows the files were derived from.
    files
        The files written.
    reader, source
        Who the files were written for and what wrote them (for the people handling them).

    Returns
    -------
    list of Path
        The sidecars written.
    """
    out: list[Path] = []
    for f in files:
        path = Path(f) if Path(f).is_absolute() else Path(folder) / f
        doc = {
            "file": path.name,
            "classification": marking.label,
            "reader_organisation": None if reader is None else reader.organisation,
            "reader_clearance": None if reader is None else reader.clearance.label,
            "generator": source,
        }
        side = marking_path(path)
        tmp = side.with_name(f".{side.name}.tmp")
        tmp.write_text(json.dumps(doc, indent=2) + "\n", "utf-8")
        tmp.replace(side)
        out.append(side)
    return out
