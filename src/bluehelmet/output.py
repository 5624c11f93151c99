"""One writer for every result folder (plan, brief tables, protection): CSV and JSON, atomically.

Everything is first written into a temporary folder beside the destination (same file system),
so that a kill at any moment leaves either the previous files or the new ones, never a half-
written CSV. Then the temporary folder is renamed to the destination if that does not exist yet
(one atomic step), or each file is moved over its old version (each move atomic) if it does:
a destination folder may hold other files (``--out .``), which are left alone.

Every file written gets its classification marking sidecar (``x.csv.marking.json``, see
:mod:`bluehelmet.model.marking`), written in the same temporary folder and moved with it, so a
result file never appears without its marking.

Each CSV goes through :func:`bluehelmet.io.write.write_csv`, the one CSV writer: text cells a
spreadsheet would run as formulas (``= + - @``, tab, CR) are prefixed with ``'``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from bluehelmet.io.write import write_csv
from bluehelmet.model.access import AccessContext, Classification
from bluehelmet.model.marking import marking_path, stamp


def write_folder(
    folder: str | Path,
    tables: Mapping[str, pd.DataFrame],
    documents: Mapping[str, object] | None = None,
    *,
    marking: Classification,
    reader: AccessContext | None = None,
    source: str = "",
) -> Path:
    """Write ``tables`` as ``<name>.csv`` and ``documents`` as ``<name>.json`` into ``folder``.

    Parameters
    ----------
    folder
        The destination (created with its parents if needed).
    tables
        File name (without ``.csv``) -> table. A table whose index is named is written with it.
    documents
        File name (without ``.json``) -> anything :func:`json.dumps` can write (dates and other
        objects as text).
    marking
        The highest classification among the records the files were derived from (a view's
        :attr:`~bluehelmet.scenario.core.ScenarioView.marking`); stamped on every file.
    reader, source
        Whom the files are for and what wrote them (recorded in the sidecars).

    Returns
    -------
    Path
        The destination folder.

    Raises
    ------
    NotADirectoryError
        If ``folder`` exists and is not a folder.
    """
    dest = Path(folder)
    if dest.exists() and not dest.is_dir():
        raise NotADirectoryError(f"{dest} is a file; give a folder to write the results into")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".partial", dir=dest.parent))
    tmp.chmod(0o755)  # mkdtemp's 0700 would otherwise become the result folder's mode
    try:
        for name, table in tables.items():
            named_index = table.index.name is not None or table.index.nlevels > 1
            write_csv(table, tmp / f"{name}.csv", index=named_index)
        for name, doc in (documents or {}).items():
            (tmp / f"{name}.json").write_text(
                json.dumps(doc, indent=2, default=str) + "\n", encoding="utf-8"
            )
        files = [*(f"{n}.csv" for n in tables), *(f"{n}.json" for n in documents or {})]
        stamp(tmp, marking, files, reader=reader, source=source)
        if not dest.exists():
            os.replace(tmp, dest)
            return dest
        for name in files:  # each file's sidecar first: a file never shows without its marking
            for path in (marking_path(tmp / name), tmp / name):
                os.replace(path, dest / path.name)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return dest
