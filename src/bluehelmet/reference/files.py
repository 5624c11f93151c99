"""Where the bundled reference files live.

The files are package data under ``bluehelmet/datasets/reference`` (see ``PROVENANCE.md`` there),
so they are found through :mod:`importlib.resources` whether the package is installed from a
wheel, a source tree or in editable mode.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_PACKAGE = "bluehelmet.datasets.reference"


def reference_path(filename: str) -> Path:
    """Return the path of a bundled reference file.

    Parameters
    ----------
    filename
        File name inside ``bluehelmet/datasets/reference`` (e.g. ``"un_psdh_missions.csv"``).

    Returns
    -------
    Path
        Absolute path of the file.

    Raises
    ------
    FileNotFoundError
        If no such file is bundled.

    """
    path = Path(str(resources.files(_PACKAGE).joinpath(filename)))
    if not path.is_file():
        raise FileNotFoundError(
            f"bundled reference file {filename!r} not found in {path.parent}; "
            "the package installation is incomplete - reinstall bluehelmet"
        )
    return path
