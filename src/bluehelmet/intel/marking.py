"""Classification markings of derived files (hotspots, trends, incidents, exports).

A derived file carries the highest classification of the reports it was computed from, in two
places that survive spreadsheets and scripts alike:

* a ``classification`` column on every row (rows that already carry their own classification,
  such as incidents or exported reports, keep it; every other row gets the file's level);
* a sidecar ``<file>.marking.json`` with the keys of :mod:`bluehelmet.model.marking`
  (``file, classification, reader_organisation, reader_clearance, generator``) plus
  ``derived_from_reports``.

Files are written to a temporary name and renamed into place (a kill leaves the old file or the
new one), mode 0600, with text cells neutralised against formula injection.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from bluehelmet.errors import OutputError
from bluehelmet.io.csvsafe import neutralise_frame
from bluehelmet.model.access import AccessContext, Classification
from bluehelmet.model.gate import highest_classification
from bluehelmet.model.validate import lists_as_text

MARKING_SUFFIX = ".marking.json"


def highest(table: pd.DataFrame) -> Classification:
    """The highest classification among ``table``'s rows (unclassified when there are none).

    The one classification order (:class:`~bluehelmet.model.access.Classification`, through
    :func:`bluehelmet.model.gate.highest_classification`); the rows of a
    :class:`~bluehelmet.intel.view.ReportView` passed the gate, so every label is known.
    """
    return highest_classification({"table": table})


def write_private(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically (temporary file, then rename), mode 0600; return it.

    Raises
    ------
    OutputError
        If the file cannot be written; the message names it.
    """
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(
            f"{path}: cannot be written ({exc.strerror or exc}); choose another path"
        ) from exc
    return path


def write_marked_csv(
    table: pd.DataFrame,
    path: str | Path,
    level: Classification,
    *,
    reader: AccessContext | None,
    inputs: int,
    generator: str,
) -> Path:
    """Write a derived table with its marking (column and sidecar); return the CSV path.

    Parameters
    ----------
    table
        The derived rows.
    path
        CSV file to write.
    level
        Highest classification of the inputs (see :func:`highest`).
    reader
        Whose view the file was derived from (``None`` for published event files).
    inputs
        Number of reports it was derived from.
    generator
        The command or function that made it.
    """
    out = Path(path)
    marked = lists_as_text(table)  # releasability as "a;b", as the importers read it back
    if "classification" not in marked:
        marked["classification"] = level.label
    body = neutralise_frame(marked).to_csv(index=False, date_format="%Y-%m-%d", lineterminator="\n")
    write_private(out, body)
    return write_marking(out, level, reader=reader, inputs=inputs, generator=generator)


def write_marking(
    out: Path, level: Classification, *, reader: AccessContext | None, inputs: int, generator: str
) -> Path:
    """Write the sidecar ``<file>.marking.json`` of a derived file ``out``; return ``out``.

    Used by :func:`write_marked_csv` and for map layers (GeoJSON, GeoPackage) whose rows carry
    the ``classification`` column themselves.
    """
    marking = {
        "file": out.name,
        "classification": level.label,
        "derived_from_reports": int(inputs),
        "reader_organisation": None if reader is None else reader.organisation,
        "reader_clearance": None if reader is None else reader.clearance.label,
        "generator": generator,
    }
    write_private(out.with_name(out.name + MARKING_SUFFIX), json.dumps(marking, indent=2) + "\n")
    return out
