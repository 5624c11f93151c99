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
from bluehelmet.model.schema import ENTITY_ORDER, entity
from bluehelmet.scenario.core import Scenario


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
        elif col.dtype == "boolean":
            out[col.name] = pd.Series([None if v is None else str(v).lower() in ("true", "1")
                                       for v in values], dtype="boolean")
        else:
            out[col.name] = pd.Series([None if v is None else (int(v) if col.dtype == "Int64"
                                                               else str(v)) for v in values],
                                      dtype=col.dtype)
    return pd.DataFrame(out)


def apply_overrides(base: Scenario, overrides: list[Override]) -> Scenario:
    """A copy of ``base`` with ``overrides`` applied in order, then validated.

    Raises
    ------
    DataError
        If a removed or updated id does not exist, or the result does not validate.
    """
    s = base.copy()
    for ov in overrides:
        for name, value in ov.parameters.items():
            s.set_param(name, value, f"override {ov.name}")
        for table, actions in ov.tables.items():
            df = s.tables[table]
            ids = set(df["id"].astype(str))
            missing = [str(r.get("id")) for a in ("remove", "update") for r in actions.get(a, [])
                       if str(r.get("id")) not in ids]
            if missing:
                raise DataError([Problem(ov.file, None, f"{table}.id", i, "no such record",
                                         f"use an id from {table}.csv") for i in missing])
            drop = {str(r["id"]) for r in actions.get("remove", [])}
            df = df[~df["id"].astype(str).isin(drop)].reset_index(drop=True)
            for row in actions.get("update", []):
                pos = df.index[df["id"].astype(str) == str(row["id"])]
                for col, v in row.items():
                    if col != "id":
                        df.loc[pos, col] = _rows_frame(table, [{col: v}])[col].iloc[0]
            if actions.get("add"):
                df = pd.concat([df, _rows_frame(table, actions["add"])], ignore_index=True)
            s.tables[table] = df
        s.meta.setdefault("overrides", []).append(ov.name)
    problems = s.validate()
    if problems:
        raise DataError(problems)
    return s
