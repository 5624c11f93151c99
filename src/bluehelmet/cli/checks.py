"""Checks of option values that click cannot express as a type: caught before any work starts.

Each raises :class:`typer.BadParameter`, which click prints with the option's name and exits
with code 2.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
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


def same_file(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` name the same file (or folder).

    :func:`os.path.samefile` where both exist (hard links, symbolic links, ``..`` and case on
    case-insensitive file systems are all seen through), else the resolved paths compared.
    """
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def refuse_overwrite(
    option: str, targets: Iterable[Path], keep: Iterable[tuple[Path, str]]
) -> None:
    """Refuse (exit 2) an output that would overwrite one of the files a command works from.

    Parameters
    ----------
    option
        The option that names the output (``--out``, ``--rejects``), for the message.
    targets
        Every file the command would write for that option (the file, its marking sidecar).
    keep
        ``(path, what it is)`` of each file that must survive: the input file, the report
        store's files, the store key, a scenario table.

    Raises
    ------
    typer.BadParameter
        Naming the option, the path, what it is and what would be right.
    """
    kept = list(keep)
    for target in targets:
        if target.is_dir():
            raise typer.BadParameter(f"{target} is a folder; give a file name", param_hint=option)
        for path, what in kept:
            if same_file(target, path):
                raise typer.BadParameter(
                    f"{target} is {what}; writing there would overwrite it. Give a new file "
                    f"name (e.g. {_sibling(target)})",
                    param_hint=option,
                )


def refuse_inside(option: str, target: Path, folder: Path, what: str) -> None:
    """Refuse (exit 2) an output ``target`` that is ``folder`` itself or lies inside it."""
    there = target.resolve()
    base = folder.resolve()
    if same_file(target, folder) or there.is_relative_to(base):
        raise typer.BadParameter(
            f"{target} is inside {what} {folder}, which this command replaces or reads; "
            f"write it outside (e.g. {folder.parent / target.name})",
            param_hint=option,
        )


def refuse_scenario_folder(option: str, out: Path, scenario: str | Path) -> None:
    """Refuse (exit 2) a results folder ``out`` that is the scenario folder read.

    Results have names of scenario tables (``ceilings.csv``, ``requirements.csv``): written into
    the scenario folder they would replace its tables. A bundled scenario (``2018``) is
    compared by its folder in the installed package.
    """
    source = scenario_source(scenario)
    if source is not None and same_file(out, source):
        raise typer.BadParameter(
            f"{out} is the scenario folder read; results written into it would replace "
            f"its tables (e.g. ceilings.csv, requirements.csv). Give another folder "
            f"(e.g. {source.parent / (source.name + '-results')})",
            param_hint=option,
        )


def scenario_source(scenario: str | Path) -> Path | None:
    """Where a scenario given by name, folder or workbook is read from (``None``: not found).

    A folder first, else the bundled scenario's folder in the installed package; a workbook
    (``.xlsx``) is its file.
    """
    from bluehelmet.errors import BluehelmetError
    from bluehelmet.scenario.io import resolve_scenario_path

    if Path(scenario).suffix.lower() == ".xlsx":
        return Path(scenario)
    try:
        return resolve_scenario_path(scenario)
    except BluehelmetError:
        return None  # the command says so itself


def store_files(store: Path) -> list[tuple[Path, str]]:
    """The files of the report store in ``store`` and its key: what no output may replace."""
    from bluehelmet.intel.contact import KEY_FILE_ENV, key_file
    from bluehelmet.intel.store import LEGACY_FILE
    from bluehelmet.intel.store.sqlite import DB_FILE

    names = [DB_FILE, *(DB_FILE + s for s in ("-wal", "-shm", "-journal"))]
    names += [LEGACY_FILE, LEGACY_FILE + ".migrated"]
    kept = [(store / name, f"a file of the report store {store}") for name in names]
    kept.append((key_file(), f"the report store's key (${KEY_FILE_ENV})"))
    return kept


def own_files() -> list[tuple[Path, str]]:
    """Files of bluehelmet itself no output may replace: the audit log and the config file."""
    from bluehelmet.cli.config import ENV, config_path

    kept = [(config_path(), f"the bluehelmet config file (${ENV})")]
    if os.environ.get("BLUEHELMET_AUDIT_LOG"):
        kept.append(
            (Path(os.environ["BLUEHELMET_AUDIT_LOG"]), "the audit log ($BLUEHELMET_AUDIT_LOG)")
        )
    return kept


def inputs(
    paths: Iterable[Path], what: str = "an input file of this command"
) -> list[tuple[Path, str]]:
    """``(path, what)`` for each input file, to pass to :func:`refuse_overwrite`."""
    return [(p, what) for p in paths]


def _sibling(path: Path) -> Path:
    return path.with_name(f"{path.stem}-out{path.suffix}")
