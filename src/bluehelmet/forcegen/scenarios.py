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
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from bluehelmet.errors import DataError, Problem
from bluehelmet.model.access import Classification, release_lists
from bluehelmet.model.schema import ENTITY_ORDER, entity
from bluehelmet.scenario.core import ScenarioView


@dataclass
class Override:
    """A named set of changes to a scenario."""

    name: str
    description: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)
    file: str = ""


def load_override(path: str | Path) -> Override:
    """Read an override TOML file.

    Raises
    ------
    DataError
        If the file is not valid TOML or names an unknown table or action.
    """
    p = Path(path)
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DataError([Problem(str(p), None, None, None, f"cannot read override: {exc}",
                                 "write valid TOML (see docs/force-generation.md)")]) from exc
    problems = []
    tables: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for key, value in raw.items():
        if key in ("name", "description", "parameters"):
            continue
        if key not in ENTITY_ORDER or not isinstance(value, dict):
            problems.append(Problem(str(p), None, key, None, "unknown table or key",
                                    f"use one of: name, description, parameters, "
                                    f"{', '.join(ENTITY_ORDER)}"))
            continue
        for action, rows in value.items():
            if action not in ("add", "remove", "update"):
                problems.append(Problem(str(p), None, f"{key}.{action}", None, "unknown action",
                                        "use add, remove or update"))
            else:
                tables.setdefault(key, {})[action] = list(rows)
    if problems:
        raise DataError(problems)
    return Override(str(raw.get("name", p.stem)), str(raw.get("description", "")),
                    dict(raw.get("parameters", {})), tables, str(p))


def _rows_frame(name: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    ent = entity(name)
    out = {}
    for col in ent.columns:
        values = [r.get(col.name, col.default if col.default not in (None, "") else None)
                  for r in rows]
        if col.dtype.startswith("datetime"):
            out[col.name] = pd.to_datetime(pd.Series([v.isoformat() if isinstance(v, dt.date)
                                                      else v for v in values], dtype="object"))
        elif col.dtype == "float64":
            out[col.name] = pd.to_numeric(pd.Series(values, dtype="object"))
        elif col.type == "orgs":
            out[col.name] = release_lists(pd.Series(values, dtype=object))
        elif col.dtype == "boolean":
            out[col.name] = pd.Series([None if v is None else str(v).lower() in ("true", "1")
                                       for v in values], dtype="boolean")
        else:
            out[col.name] = pd.Series([None if v is None else (int(v) if col.dtype == "Int64"
                                                               else str(v)) for v in values],
                                      dtype=col.dtype)
    return pd.DataFrame(out)


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
            raise DataError(Problem(ov.file or ov.name, None, None, None,
                                    f"override {ov.name!r} changes nothing in the scenario",
                                    "give parameters that differ from the scenario's, rows to "
                                    "add, or ids to remove or update with new values"))
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
                    problems.append(Problem(ov.file, None, f"{table}.{action}.id", str(r.get("id")),
                                            "no record with this id among those you may see",
                                            f"use an id from {table}.csv that your reader sees"))
                bad = sorted(set(r) & set(ACCESS_COLUMNS))
                if action == "update" and bad:
                    problems.append(Problem(ov.file, None, f"{table}.update", ", ".join(bad),
                                            "an override cannot change who may read a record",
                                            "leave classification, owner and releasable_to out"))
        rows = []
        for r in actions.get("add", []):
            row = dict(r)
            owner = str(row.get("owner", reader.organisation))
            level = Classification.parse(str(row.get("classification", "unclassified")))
            if owner != reader.organisation or level > reader.clearance:
                problems.append(Problem(ov.file, None, f"{table}.add", str(row.get("id")),
                                        "rows an override adds are owned by the reader, at "
                                        "most at the reader's clearance",
                                        f"leave owner out (or write {reader.organisation!r}) and "
                                        "use a classification up to "
                                        f"{reader.clearance.label}"))
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
    if {k: p.value for k, p in a.parameters.items()} != {k: p.value for k, p in
                                                           b.parameters.items()}:
        return False
    return all(len(a.tables[n]) == len(b.tables[n]) and a.tables[n].astype(object).equals(
        b.tables[n].astype(object)) for n in a.tables)

