"""Named scenarios as overrides on a base scenario (plans compared by ``compare_plans``).

An override file is TOML::

    name = "NLD attack helicopters"
    description = "The Netherlands pledges 4 attack helicopter units at RDL from January 2019"

    [parameters]
    lift_moves_per_month = 16

    [[pledges.add]]
    id = "NLD-AH-2019"
    contributor_id = "NLD"
    unit_type_id = "attack_helicopter_unit"
    count = 4
    pcrs_level = "RDL"
    available_from = 2019-01-01
    rotation_months = 6
    basis = "illustrative"
    source = "what-if"

    [[pledges.remove]]
    id = "P00012"

Any scenario table takes ``add`` (rows; missing columns take their declared defaults),
``remove`` (by ``id``) and ``update`` (``id`` plus the fields to change).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from bluehelmet.errors import DataError, Problem, UnreadableFileError
from bluehelmet.model.access import Classification
from bluehelmet.model.schema import ENTITY_ORDER, entity
from bluehelmet.model.validate import coerce_table
from bluehelmet.scenario.core import ScenarioView, parse_parameter


@dataclass
class Override:
    """A named set of changes to a scenario.

    ``name`` is shown in tables; ``slug`` (from :func:`bluehelmet.io.write.safe_component`) is
    the folder the CLI writes the override's plan to, always a plain name inside ``--out``.
    """

    name: str
    description: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)
    file: str = ""
    slug: str = ""


#: Names an override may not take: the base plan's (its tables are written to ``--out`` itself).
RESERVED_NAMES = ("base",)


def load_override(path: str | Path) -> Override:
    """Read and check an override TOML file.

    Every value is checked here, so that applying the override cannot fail on a value: table
    rows go through the data model's validation (:func:`~bluehelmet.model.validate.coerce_table`),
    parameters through their declared types.

    Raises
    ------
    DataError
        If the file is not valid TOML (with line and column), names an unknown table, action,
        column or parameter, has a value of the wrong type or out of range, or is named ``base``.
    UnreadableFileError
        If the file is missing, a folder or not text.
    """
    from bluehelmet.io.write import safe_component
    from bluehelmet.scenario.io import read_toml

    p = Path(path)
    try:
        raw = read_toml(p, "see docs/force-generation.md")
    except UnreadableFileError as exc:
        raise DataError(
            [
                Problem(
                    str(p),
                    None,
                    None,
                    None,
                    str(exc).removeprefix(f"{p}: "),
                    "write valid TOML (see docs/force-generation.md)",
                )
            ]
        ) from None
    problems: list[Problem] = []
    tables: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for key, value in raw.items():
        if key in ("name", "description", "parameters"):
            continue
        if key not in ENTITY_ORDER or not isinstance(value, dict):
            problems.append(
                Problem(
                    str(p),
                    None,
                    key,
                    None,
                    "unknown table or key",
                    f"use one of: name, description, parameters, {', '.join(ENTITY_ORDER)}",
                )
            )
            continue
        for action, rows in value.items():
            if action not in ("add", "remove", "update"):
                problems.append(
                    Problem(
                        str(p),
                        None,
                        f"{key}.{action}",
                        None,
                        "unknown action",
                        "use add, remove or update",
                    )
                )
            elif not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                problems.append(
                    Problem(
                        str(p),
                        None,
                        f"{key}.{action}",
                        _short(rows),
                        "not a list of rows",
                        f"write each row as a [[{key}.{action}]] table",
                    )
                )
            else:
                tables.setdefault(key, {})[action] = list(rows)
                problems.extend(_check_rows(p, key, action, rows))
    params = raw.get("parameters", {})
    if not isinstance(params, dict):
        problems.append(
            Problem(
                str(p),
                None,
                "parameters",
                _short(params),
                "not a table of parameters",
                "write a [parameters] section",
            )
        )
        params = {}
    for pname, value in params.items():
        try:
            parse_parameter(pname, value)
        except (ValueError, TypeError, OverflowError) as exc:
            problems.append(
                Problem(
                    str(p),
                    None,
                    f"parameters.{pname}",
                    _short(value),
                    str(exc),
                    "see docs/scenario-format.md for the declared parameters",
                )
            )
    name = raw.get("name", p.stem)
    if not isinstance(name, str) or not name.strip():
        problems.append(
            Problem(str(p), None, "name", _short(name), "not a name", 'write name = "a short name"')
        )
        name = p.stem
    slug = safe_component(name, fallback=safe_component(p.stem, "override"))
    if name.strip().casefold() in RESERVED_NAMES or slug.casefold() in RESERVED_NAMES:
        problems.append(
            Problem(
                str(p),
                None,
                "name",
                name,
                "clashes with the base plan, whose tables are written to --out itself",
                "give the override another name",
            )
        )
    if problems:
        raise DataError(problems)
    return Override(name, str(raw.get("description", "")), dict(params), tables, str(p), slug)


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _check_rows(p: Path, table: str, action: str, rows: list[dict[str, Any]]) -> list[Problem]:
    """Problems in an override's rows, named ``table.action[i]`` (1-based) and column."""
    if action == "remove":
        return [
            Problem(
                str(p),
                None,
                f"{table}.remove[{i}]",
                _short(r),
                "a removed row needs only its id",
                'write id = "..."',
            )
            for i, r in enumerate(rows, 1)
            if set(r) != {"id"}
        ]
    ent = entity(table)
    problems = []
    for i, r in enumerate(rows, 1):
        unknown = sorted(set(r) - set(ent.column_names))
        if unknown:
            problems.append(
                Problem(
                    str(p),
                    None,
                    f"{table}.{action}[{i}]",
                    ", ".join(unknown),
                    f"not a column of {table}",
                    f"use columns of {table}: {', '.join(ent.column_names)}",
                )
            )
        if "id" not in r:
            problems.append(
                Problem(
                    str(p),
                    None,
                    f"{table}.{action}[{i}].id",
                    None,
                    "the row has no id",
                    "give the record's id",
                )
            )
    if problems:
        return problems
    _, found = _coerce(table, rows, str(p))
    given = {(i, c) for i, r in enumerate(rows) for c in r}
    out = []
    for f in found:
        index = None if f.row is None else f.row - 1
        if action == "update" and (index, f.field) not in given:
            continue  # an update gives only the columns it changes
        where = f"{table}.{action}" if index is None else f"{table}.{action}[{index + 1}]"
        out.append(Problem(str(p), None, f"{where}.{f.field}", f.value, f.reason, f.fix))
    return out


def _coerce(name: str, rows: list[dict[str, Any]], file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Override rows as a typed table, through the data model's validation (row i = line i+1)."""
    columns = sorted({c for r in rows for c in r}, key=entity(name).column_names.index)
    raw = pd.DataFrame(
        {c: pd.Series([_text(r.get(c)) for r in rows], dtype="string") for c in columns},
        index=range(len(rows)),
    )
    return coerce_table(name, raw, file, first_line=1)


def _text(value: object) -> str | None:
    """A TOML value as the text a scenario file would hold."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


def _rows_frame(name: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows of an (already checked) override as a typed table of entity ``name``."""
    return _coerce(name, rows, "override")[0]


#: Record columns an override may not change: access is decided by the record's owner.
ACCESS_COLUMNS = ("classification", "owner", "releasable_to")


def apply_overrides(base: ScenarioView, overrides: list[Override]) -> ScenarioView:
    """A copy of the view ``base`` with ``overrides`` applied in order, then validated.

    Overrides act on what the reader sees, never on the scenario behind it: an id to remove or
    update must be in the view, and the error for an id that is hidden is the same as for one
    that does not exist. Added rows are owned by the reader (``owner`` is the reader's
    organisation; ``classification`` defaults to ``unclassified`` and may not exceed the
    reader's clearance); access columns of existing rows cannot be updated.

    Raises
    ------
    DataError
        If an id is not in the view, an access rule is broken, an override changes nothing, or
        the result does not validate.
    """
    s = base.copy()
    for ov in overrides:
        before = s.copy()
        problems = _apply_one(s, ov)
        if problems:
            raise DataError(problems)
        if _same(before, s):
            raise DataError(
                Problem(
                    ov.file or ov.name,
                    None,
                    None,
                    None,
                    f"override {ov.name!r} changes nothing in the scenario",
                    "give parameters that differ from the scenario's, rows to "
                    "add, or ids to remove or update with new values",
                )
            )
        s.meta.setdefault("overrides", []).append(ov.name)
    problems = s.validate()
    if problems:
        raise DataError(problems)
    return s


def _apply_one(s: ScenarioView, ov: Override) -> list[Problem]:
    """Apply ``ov`` to ``s`` in place; return the problems instead of applying if any."""
    reader = s.reader
    problems: list[Problem] = []
    for name, value in ov.parameters.items():
        s.set_param(name, value, f"override {ov.name}")
    for table, actions in ov.tables.items():
        df = s.tables[table]
        ids = set(df["id"].astype(str))
        for action in ("remove", "update"):
            for r in actions.get(action, []):
                if str(r.get("id")) not in ids:
                    problems.append(
                        Problem(
                            ov.file,
                            None,
                            f"{table}.{action}.id",
                            str(r.get("id")),
                            "no record with this id among those you may see",
                            f"use an id from {table}.csv that your reader sees",
                        )
                    )
                bad = sorted(set(r) & set(ACCESS_COLUMNS))
                if action == "update" and bad:
                    problems.append(
                        Problem(
                            ov.file,
                            None,
                            f"{table}.update",
                            ", ".join(bad),
                            "an override cannot change who may read a record",
                            "leave classification, owner and releasable_to out",
                        )
                    )
        rows = []
        for r in actions.get("add", []):
            row = dict(r)
            owner = str(row.get("owner", reader.organisation))
            level = Classification.parse(str(row.get("classification", "unclassified")))
            if owner != reader.organisation or level > reader.clearance:
                problems.append(
                    Problem(
                        ov.file,
                        None,
                        f"{table}.add",
                        str(row.get("id")),
                        "rows an override adds are owned by the reader, at "
                        "most at the reader's clearance",
                        f"leave owner out (or write {reader.organisation!r}) and "
                        "use a classification up to "
                        f"{reader.clearance.label}",
                    )
                )
            row["owner"], row["classification"] = reader.organisation, level.label
            rows.append(row)
        if problems:
            continue
        drop = {str(r["id"]) for r in actions.get("remove", [])}
        df = df[~df["id"].astype(str).isin(drop)].reset_index(drop=True)
        for row in actions.get("update", []):
            pos = df.index[df["id"].astype(str) == str(row["id"])]
            for col, v in row.items():
                if col != "id":
                    df.loc[pos, col] = _rows_frame(table, [{col: v}])[col].iloc[0]
        if rows:
            df = pd.concat([df, _rows_frame(table, rows)], ignore_index=True)
        s.tables[table] = df
    return problems


def _same(a: ScenarioView, b: ScenarioView) -> bool:
    """True if the two views hold the same parameter values and tables."""
    if {k: p.value for k, p in a.parameters.items()} != {
        k: p.value for k, p in b.parameters.items()
    }:
        return False
    return all(
        len(a.tables[n]) == len(b.tables[n])
        and a.tables[n].astype(object).equals(b.tables[n].astype(object))
        for n in a.tables
    )
