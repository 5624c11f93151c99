"""Checks of option values that click cannot express as a type: caught before any work starts.

Each raises :class:`typer.BadParameter`, which click prints with the option's name and exits
with code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import typer


def out_folder(value: Path | None) -> Path | None:
    """``--out`` naming a folder to write into: it may be new, but must not be a file."""
    if value is not None and value.exists() and not value.is_dir():
        raise typer.BadParameter(
            f"{value} is a file, not a folder; give a folder name (it is created if missing)"
        )
    return value


def out_file(value: Path | None) -> Path | None:
    """``--out`` naming a file to write: it must not be an existing folder."""
    if value is not None and value.is_dir():
        raise typer.BadParameter(f"{value} is a folder; give a file name")
    return value


def existing_store(value: Path | None) -> Path | None:
    """``--store`` of a command that reads the store: the folder must exist."""
    if value is not None and not value.is_dir():
        what = "a file" if value.exists() else "not there"
        raise typer.BadParameter(
            f"report store {value} is {what}; create one with 'bluehelmet "
            "intel import FILE --store FOLDER' or give the right folder"
        )
    return value


#: File formats of map layers (``--format``): CSV, GeoJSON (RFC 7946) or GeoPackage.
LayerFormat = Literal["csv", "geojson", "gpkg"]
