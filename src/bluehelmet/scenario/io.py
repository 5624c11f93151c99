"""Read and write scenario folders: one CSV per entity plus ``scenario.toml``.

The format (documented field by field in ``docs/scenario-format.md``)::

    my-scenario/
        scenario.toml        # [scenario] metadata, [parameters] scalar parameters
        missions.csv         # one file per entity; a missing file is an empty table
        contributors.csv
        ...

CSV files are UTF-8, comma-separated, with one header line of the declared column names; dates are
``YYYY-MM-DD``, booleans ``true``/``false``, list fields semicolon-separated, missing values empty.
Writing then reading a valid scenario gives back exactly the same tables.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import tomli_w

from bluehelmet.errors import DataError, Problem, ScenarioNotFoundError, UnreadableFileError
from bluehelmet.io.report import Repair
from bluehelmet.model.access import AccessContext, NeedToKnow, release_lists
from bluehelmet.model.gate import highest_classification
from bluehelmet.model.marking import stamp
from bluehelmet.model.schema import ENTITY_ORDER, entity
from bluehelmet.model.validate import FIRST_DATA_LINE, check_references, coerce_table
from bluehelmet.scenario.core import Parameter, Scenario, ScenarioView, parse_parameter

TOML_NAME = "scenario.toml"


def bundled_scenarios() -> list[str]:
    """Names of the scenarios shipped with the package."""
    root = resources.files("bluehelmet.datasets").joinpath("scenarios")
    return sorted(p.name for p in root.iterdir() if p.is_dir() and (p / TOML_NAME).is_file())


def resolve_scenario_path(name_or_dir: str | Path) -> Path:
    """Folder of a scenario given as a bundled name (``2018``) or a path.

    Raises
    ------
    ScenarioNotFoundError
        If it is neither a folder with ``scenario.toml`` nor a bundled scenario.

    """
    path = Path(name_or_dir)
    if path.is_dir():
        if not (path / TOML_NAME).is_file():
            raise ScenarioNotFoundError(
                f"{path} has no {TOML_NAME}; a scenario folder needs one "
                "(see docs/scenario-format.md)"
            )
        return path
    bundled = resources.files("bluehelmet.datasets").joinpath("scenarios", str(name_or_dir))
    if bundled.is_dir():
        return Path(str(bundled))
    raise ScenarioNotFoundError(
        f"no scenario folder or bundled scenario named {str(name_or_dir)!r}; "
        f"bundled: {', '.join(bundled_scenarios()) or 'none'}"
    )


def read_text_csv(path: str | Path, *, empty_columns: list[str] | None = None) -> pd.DataFrame:
    """Read a CSV file of the project's conventions as text (values untouched, blanks ``""``).

    A UTF-8 byte-order mark is skipped; UTF-16/32 files with a byte-order mark are read too
    (see :mod:`bluehelmet.io.sniff`). Text cells that :func:`~bluehelmet.io.write.write_csv`
    protected against formula injection get their leading quote removed.

    Parameters
    ----------
    path
        The file.
    empty_columns
        Columns of the table an empty file stands for; without them an empty file is an error.

    Raises
    ------
    UnreadableFileError
        If the file is missing, a folder, binary (a spreadsheet, a zip ...), not decodable or
        not a CSV file.
    """
    from bluehelmet.io.sniff import sniff_text
    from bluehelmet.io.write import unneutralise

    path = Path(path)
    try:
        kind = sniff_text(path)
    except UnreadableFileError:
        if empty_columns is not None and path.is_file() and path.stat().st_size == 0:
            return pd.DataFrame(columns=empty_columns)
        raise
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=kind.encoding)
    except pd.errors.EmptyDataError as exc:
        if empty_columns is not None:
            return pd.DataFrame(columns=empty_columns)
        raise UnreadableFileError(f"{path}: the file is empty (no header line)") from exc
    except (OSError, UnicodeError, pd.errors.ParserError, ValueError) as exc:
        raise UnreadableFileError(
            f"{path}: cannot be read as a CSV file ({exc}); save it as "
            "UTF-8 CSV with one header line"
        ) from None
    table.columns = [str(c).replace("\ufeff", "").strip() for c in table.columns]
    if len(set(table.columns)) != len(table.columns):
        raise UnreadableFileError(
            f"{path}: the header repeats a column name; give each column once"
        )
    for col in table.columns:
        table[col] = unneutralise(table[col])
    return table


def read_table_file(
    path: Path, name: str, repairs: list[Repair] | None = None
) -> tuple[pd.DataFrame, list[Problem]]:
    """Read one entity CSV as the declared typed table, with the problems found.

    With ``repairs``, spreadsheet forms (day-first dates, decimal commas) are repaired and
    recorded there instead of being problems (see :func:`~bluehelmet.model.validate.coerce_table`).
    """
    raw = read_text_csv(path, empty_columns=entity(name).column_names)
    return coerce_table(name, raw, str(path), repairs=repairs)


def load_scenario(name_or_dir: str | Path) -> Scenario:
    """Load a scenario folder (or a bundled scenario by name), validated.

    This is the whole scenario, for its owner and for writers; readers get
    :func:`load_view`. Values a spreadsheet writes differently (``31/12/2018``, ``0,5``) and
    open end dates (``9999-12-31``) are repaired; :func:`read_scenario` also returns the repairs.

    Raises
    ------
    DataError
        Listing every problem (file, line, column, value, reason, fix) if any table is invalid.
    ScenarioNotFoundError
        If the scenario cannot be found.
    UnreadableFileError
        If a file of the folder cannot be read at all.

    An Excel workbook (``.xlsx``) is read by :func:`load_workbook`.
    """
    return read_scenario(name_or_dir)[0]


def read_scenario(name_or_dir: str | Path) -> tuple[Scenario, list[Repair]]:
    """Load a scenario like :func:`load_scenario` and return the repairs made as well."""
    if Path(name_or_dir).suffix.lower() == ".xlsx":
        return load_workbook(name_or_dir), []
    scenario, _, problems, repairs = _read_folder(name_or_dir)
    if problems:
        raise DataError(problems)
    return scenario, repairs


def load_workbook(path: str | Path) -> Scenario:
    """Load a scenario from an Excel workbook, validated exactly as a scenario folder.

    Raises
    ------
    DataError
        Listing every problem (workbook, sheet, row, column, value, reason, fix).
    UnreadableFileError
        If the file is not a readable workbook.
    """
    from bluehelmet.scenario.excel import relabel, workbook_to_folder

    with tempfile.TemporaryDirectory(prefix="bluehelmet-xlsx-") as tmp:
        names = workbook_to_folder(path, Path(tmp), TOML_NAME)
        try:
            return load_scenario(tmp)
        except DataError as exc:
            raise DataError([relabel(p, names) for p in exc.problems]) from None


def load_view(
    name_or_dir: str | Path, reader: AccessContext, repairs: list[Repair] | None = None
) -> ScenarioView:
    """Load a scenario as ``reader`` may see it (``load_scenario(...).view(reader)``).

    Problems are reported only where they concern the reader: in rows the reader may see or
    acts for the owner of, and in whole files. A problem in a row hidden from the reader is the
    owner's to fix; it is neither shown (it would quote a hidden value) nor in the view (the row
    is hidden anyway).

    With ``repairs``, the repairs made in rows the reader may see are appended to it (the
    others would quote hidden values).

    Raises
    ------
    DataError
        Listing the problems that concern the reader (for an Excel workbook: every problem).
    """
    if Path(name_or_dir).suffix.lower() == ".xlsx":
        return load_workbook(name_or_dir).view(reader)
    scenario, files, problems, found = _read_folder(name_or_dir)
    policy = NeedToKnow.of(reader)
    by_file = {f: name for name, f in files.items()}
    masks = {
        name: (policy.mask(t) | policy.owns(t)).to_numpy(bool)
        for name, t in scenario.tables.items()
    }
    shown = [
        p
        for p in problems
        if p.row is None
        or p.file not in by_file
        or p.row - FIRST_DATA_LINE >= len(masks[by_file[p.file]])
        or masks[by_file[p.file]][p.row - FIRST_DATA_LINE]
    ]
    if shown:
        raise DataError(shown)
    if repairs is not None:
        repairs.extend(
            r
            for r in found
            if r.label in by_file
            and 0 <= r.line - FIRST_DATA_LINE < len(masks[by_file[r.label]])
            and masks[by_file[r.label]][r.line - FIRST_DATA_LINE]
        )
    return scenario.view(reader)


def _read_folder(
    name_or_dir: str | Path,
) -> tuple[Scenario, dict[str, str], list[Problem], list[Repair]]:
    """The scenario as read (invalid values missing), its files, every problem and repair.

    A folder left without its final name by an interrupted write (see
    :mod:`bluehelmet.io.write`) is recovered first.
    """
    from bluehelmet.io.write import recover_folder

    if not Path(name_or_dir).exists():
        recover_folder(name_or_dir)
    folder = resolve_scenario_path(name_or_dir)
    meta, params = _read_toml(folder / TOML_NAME)
    tables: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    problems: list[Problem] = []
    repairs: list[Repair] = []
    for name in ENTITY_ORDER:
        path = folder / f"{name}.csv"
        if path.exists():
            if path.is_dir():
                raise UnreadableFileError(
                    f"{path} is a folder; it should be the {name} table (a CSV file)"
                )
            found_repairs: list[Repair] = []
            tables[name], found = read_table_file(path, name, found_repairs)
            repairs.extend(
                Repair(r.line, r.field, r.old, r.new, r.rule, str(path)) for r in found_repairs
            )
            problems.extend(found)
            files[name] = str(path)
    problems.extend(check_references(tables, files))
    scenario_name = str(meta.pop("name", folder.name))
    return Scenario(scenario_name, tables, params, meta), files, problems, repairs


def _read_toml(path: Path) -> tuple[dict[str, Any], dict[str, Parameter]]:
    doc = read_toml(path, "see docs/scenario-format.md")
    unknown_sections = set(doc) - {"scenario", "parameters"}
    if unknown_sections:
        raise DataError(
            Problem(
                str(path),
                None,
                None,
                ", ".join(sorted(unknown_sections)),
                "unknown section",
                "use only [scenario] and [parameters]",
            )
        )
    for section in ("scenario", "parameters"):
        if not isinstance(doc.get(section, {}), dict):
            raise DataError(
                Problem(
                    str(path),
                    None,
                    section,
                    repr(doc[section]),
                    f"[{section}] must be a table of keys",
                    f"write it as a [{section}] section",
                )
            )
    params: dict[str, Parameter] = {}
    problems: list[Problem] = []
    for key, raw in doc.get("parameters", {}).items():
        value, source = (
            (raw.get("value"), str(raw.get("source", "scenario")))
            if isinstance(raw, dict)
            else (raw, "scenario")
        )
        try:
            params[key] = Parameter(parse_parameter(key, value), source)
        except (ValueError, TypeError, OverflowError) as exc:
            problems.append(
                Problem(
                    str(path),
                    None,
                    f"parameters.{key}",
                    repr(value),
                    str(exc),
                    "see docs/scenario-format.md for the declared parameters",
                )
            )
    if problems:
        raise DataError(problems)
    return dict(doc.get("scenario", {})), params


def read_toml(path: Path, docs: str) -> dict[str, Any]:
    """Read a TOML file; every failure is an :class:`UnreadableFileError` naming line and column.

    Parameters
    ----------
    path
        The file.
    docs
        Where the format is documented, for the fix.
    """
    from bluehelmet.io.sniff import sniff_text

    if path.is_file() and path.stat().st_size == 0:
        return {}  # an empty TOML document is valid: every key takes its default
    kind = sniff_text(path)
    try:
        return tomllib.loads(path.read_text(kind.encoding))
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message ends with "(at line L, column C)"
        raise UnreadableFileError(f"{path}: not valid TOML: {exc}; {docs}") from None
    except (OSError, UnicodeError) as exc:
        raise UnreadableFileError(f"{path}: cannot be read as UTF-8 text ({exc})") from None


def _render(table: pd.DataFrame, name: str) -> pd.DataFrame:
    """Typed table to the text written in the file."""
    ent = entity(name)
    out = pd.DataFrame(index=table.index)
    for col in ent.columns:
        series = table[col.name] if col.name in table else pd.Series(pd.NA, index=table.index)
        if col.type == "date":  # formatted once per distinct date
            codes, uniques = pd.factorize(pd.to_datetime(series))
            formatted = pd.array(
                pd.Index(uniques).strftime("%Y-%m-%d").to_numpy(dtype=object), dtype="string"
            )
            text = pd.Series(formatted.take(codes, allow_fill=True), index=table.index)
        elif col.type == "boolean":
            text = series.astype("boolean").map({True: "true", False: "false"})
        elif col.type == "float":
            text = series.astype("float64").map(lambda v: "" if pd.isna(v) else repr(float(v)))
        elif col.type == "integer":
            text = series.astype("Int64").astype("string")
        elif col.type == "orgs":
            text = release_lists(series).map(";".join)
        else:
            text = series.astype("string")
        out[col.name] = text.astype("string").fillna("")
    return out


def save_scenario(scenario: Scenario, folder: str | Path) -> Path:
    """Write ``scenario`` to ``folder`` in the scenario format, atomically.

    The folder is written next to its final place and renamed into place (see
    :func:`bluehelmet.io.write.replace_folder`): a kill at any moment leaves the old folder or
    the new one, never a mixture. Text cells are protected against formula injection
    (:func:`bluehelmet.io.write.write_csv`); :func:`read_text_csv` undoes that on reading.

    To share a scenario, write a view (``scenario.view(reader)``): only what that reader may see
    is written. Writing a whole scenario is for its owner (e.g. ``data import --into``). Either
    way every file gets a marking sidecar (``x.csv.marking.json``) with the highest
    classification written.

    Returns
    -------
    Path
        The folder written.

    """
    from bluehelmet.io.write import replace_folder, write_csv

    out = Path(folder)
    meta = dict(scenario.meta)
    meta["name"] = scenario.name
    doc: dict[str, Any] = {"scenario": meta, "parameters": {}}
    for key, param in scenario.parameters.items():
        value = param.value
        doc["parameters"][key] = {"value": value, "source": param.source}
        if param.unit:
            doc["parameters"][key]["unit"] = param.unit
    text = tomli_w.dumps(doc)
    reader = scenario.reader if isinstance(scenario, ScenarioView) else None
    with replace_folder(out) as tmp:
        (tmp / TOML_NAME).write_text(text, "utf-8")
        for name in ENTITY_ORDER:
            write_csv(_render(scenario.tables[name], name), tmp / f"{name}.csv")
        stamp(
            tmp,
            highest_classification(scenario.tables),
            [TOML_NAME, *(f"{n}.csv" for n in ENTITY_ORDER)],
            reader=reader,
            source=f"scenario {scenario.name}",
        )
    return out


def describe_value(value: object) -> str:
    """Short text for a parameter value in tables and reports."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
