"""Sweep grids: named parameter changes whose every combination is one variant plan.

A grid file is TOML; every ``[[axis]]`` has a ``name`` and exactly one kind of change with a list
of values::

    name = "Lift and budget"
    time_limit = 30          # optional: seconds per solve (default: none, proven optimal)
    horizon = 12             # optional: months (default: the scenario's)

    [[axis]]
    name = "lift"
    parameter = "lift_moves_per_month"   # any scenario parameter (gender_mode, handover_months...)
    values = [8, 12, 16]

    [[axis]]
    name = "budget"
    budget_scale = [0.8, 1.0, 1.2]       # every budget row's headroom times the value

Other kinds: ``readiness_shift_months`` (added to every PCRS lead time; negative is faster),
``ceiling_scale`` (contributors' ``max_units``, where a contributor has one), ``withdraw_pledges``
and ``withdraw_contributors`` (lists of id lists; ``[]`` withdraws nothing) and ``override``
(override files as for ``bluehelmet plan --override``, relative to the grid file; ``""`` is the
base).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from bluehelmet.errors import DataError, Problem
from bluehelmet.forcegen.scenarios import Override, load_override
from bluehelmet.scenario.core import Scenario, parse_parameter
from bluehelmet.statistics.money import budget_headroom

#: Axis kinds and what their values are.
KINDS = {
    "parameter": "a scenario parameter; the values go in 'values'",
    "budget_scale": "numbers > 0 multiplying every budget's headroom_usd",
    "readiness_shift_months": "whole numbers of months added to every PCRS lead time",
    "ceiling_scale": "numbers >= 0 multiplying every contributor's max_units",
    "withdraw_pledges": "lists of pledge ids withdrawn",
    "withdraw_contributors": "lists of contributor ids whose pledges are all withdrawn",
    "override": 'override TOML files (relative to the grid file; "" = none)',
}

#: Seconds per solve when the grid does not say: none, every variant is proven optimal, so any
#: engine and any load give the same table (a plan cut by the clock depends on the load).
DEFAULT_TIME_LIMIT: float | None = None
#: Version of what an axis does, part of every variant key: results written when an axis meant
#: something else (before 2: ``budget_scale`` ignored rows without a stated headroom) are solved
#: again instead of being read back.
KEY_VERSION = 2


@dataclass(frozen=True)
class Axis:
    """One named parameter change and its values."""

    name: str
    kind: str
    values: tuple[Any, ...]
    parameter: str = ""

    def label(self, value: Any) -> Any:
        """The value as the sweep table shows it (numbers stay numbers)."""
        if self.kind in ("withdraw_pledges", "withdraw_contributors"):
            return "+".join(value) if value else "none"
        if self.kind == "override":
            return value.name if value is not None else "base"
        return value


@dataclass
class Grid:
    """A parsed grid file."""

    name: str
    axes: list[Axis]
    time_limit: float | None = DEFAULT_TIME_LIMIT
    horizon: int | None = None
    file: str = ""
    description: str = ""
    variants: list[dict[str, Any]] = field(default_factory=list)


def _problem(file: str, axis: str, fld: str, value: object, what: str, fix: str) -> Problem:
    return Problem(
        file,
        None,
        f"axis {axis}: {fld}" if axis else fld,
        None if value is None else str(value),
        what,
        fix,
    )


def _axis(raw: dict[str, Any], file: Path, problems: list[Problem]) -> Axis | None:
    name = str(raw.get("name", ""))
    kinds = [k for k in KINDS if k in raw]
    unknown = sorted(set(raw) - set(KINDS) - {"name", "values"})
    f = str(file)
    if not name:
        problems.append(
            _problem(
                f, "", "name", None, "an axis has no name", 'give every [[axis]] a name = "..."'
            )
        )
        return None
    if unknown or len(kinds) != 1:
        problems.append(
            _problem(
                f,
                name,
                "kind",
                ", ".join(unknown or kinds) or None,
                "an axis needs exactly one kind of change",
                f"use one of: {', '.join(KINDS)}",
            )
        )
        return None
    kind = kinds[0]
    values = raw.get("values") if kind == "parameter" else raw[kind]
    if not isinstance(values, list) or not values:
        problems.append(
            _problem(
                f,
                name,
                "values" if kind == "parameter" else kind,
                values,
                "no list of values",
                f"give a non-empty list: {KINDS[kind]}",
            )
        )
        return None
    out: list[Any] = []
    for v in values:
        try:
            out.append(_value(kind, raw, v, file))
        except (ValueError, TypeError, DataError) as exc:
            problems.append(_problem(f, name, kind, v, f"not a valid value ({exc})", KINDS[kind]))
    return Axis(name, kind, tuple(out), str(raw.get("parameter", "")))


def _value(kind: str, raw: dict[str, Any], v: Any, file: Path) -> Any:
    if kind == "parameter":
        return parse_parameter(str(raw["parameter"]), v)
    if kind in ("budget_scale", "ceiling_scale"):
        x = float(v)
        if not math.isfinite(x) or x < 0 or (kind == "budget_scale" and x == 0):
            raise ValueError("out of range")
        return x
    if kind == "readiness_shift_months":
        if isinstance(v, bool) or int(v) != v:
            raise ValueError("not a whole number")
        return int(v)
    if kind in ("withdraw_pledges", "withdraw_contributors"):
        if not isinstance(v, list):
            raise ValueError("not a list of ids")
        return tuple(sorted(str(i) for i in v))
    if not v:
        return None
    return load_override(file.parent / str(v))


def load_grid(path: str | Path) -> Grid:
    """Read and check a grid file; the variants are every combination of the axes' values.

    Raises
    ------
    DataError
        Naming the file, the axis, the field and the value that is wrong.
    """
    p = Path(path)
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DataError(
            [
                Problem(
                    str(p),
                    None,
                    None,
                    None,
                    f"cannot read the grid: {exc}",
                    "write valid TOML (see docs/robustness.md)",
                )
            ]
        ) from exc
    problems: list[Problem] = []
    axes = [a for a in (_axis(r, p, problems) for r in raw.get("axis", [])) if a is not None]
    if not raw.get("axis"):
        problems.append(
            _problem(
                str(p),
                "",
                "axis",
                None,
                "the grid has no [[axis]]",
                "add at least one [[axis]] with a name and values",
            )
        )
    names = [a.name for a in axes]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        problems.append(
            _problem(
                str(p), dup, "name", dup, "two axes have this name", "give every axis its own name"
            )
        )
    if problems:
        raise DataError(problems)
    limit = raw.get("time_limit", DEFAULT_TIME_LIMIT)
    grid = Grid(
        str(raw.get("name", p.stem)),
        axes,
        None if limit in (0, None) else float(limit),
        int(raw["horizon"]) if "horizon" in raw else None,
        str(p),
        str(raw.get("description", "")),
    )
    grid.variants = [
        dict(zip(names, combo, strict=True))
        for combo in itertools.product(*(a.values for a in axes))
    ]
    return grid


def check_ids(grid: Grid, view: Scenario) -> None:
    """Every withdrawn pledge or contributor exists in the reader's view of the scenario.

    Raises
    ------
    DataError
        Naming the grid file, the axis and the unknown id.
    """
    known = {
        "withdraw_pledges": set(view.pledges["id"].astype(str)),
        "withdraw_contributors": set(view.contributors["id"].astype(str)),
    }
    problems = [
        _problem(
            grid.file,
            a.name,
            a.kind,
            i,
            "no such id in the scenario (as you may see it)",
            f"use an id from {a.kind.split('_')[1]}.csv",
        )
        for a in grid.axes
        if a.kind in known
        for ids in a.values
        for i in ids
        if i not in known[a.kind]
    ]
    if problems:
        raise DataError(problems)


def variant_overrides(
    view: Scenario, axes: list[Axis], values: dict[str, Any]
) -> tuple[Override, ...]:
    """The overrides that turn ``view`` into the variant (override files first).

    Only what differs from ``view`` is changed: a parameter at the scenario's own value, a
    scale of 1 or a shift of 0 adds nothing, and a variant of the scenario's own values has no
    override at all (it is the base plan; an override that changes nothing is an error).
    ``budget_scale`` multiplies the headroom the planner uses: the row's ``headroom_usd`` where
    stated, else ``budget_headroom_share`` x ``approved_usd``
    (:func:`bluehelmet.statistics.money.budget_headroom`), written as the row's headroom.
    """
    out = [values[a.name] for a in axes if a.kind == "override" and values[a.name] is not None]
    params: dict[str, Any] = {}
    tables: dict[str, dict[str, list[dict[str, Any]]]] = {}
    withdrawn: set[str] = set()
    for a in axes:
        v = values[a.name]
        if a.kind == "parameter":
            if v != view.param(a.parameter):
                params[a.parameter] = v
        elif a.kind == "budget_scale":
            b = view.tables["budgets"]
            head = budget_headroom(b, float(view.param("budget_headroom_share")))
            tables.setdefault("budgets", {})["update"] = [
                {"id": str(i), "headroom_usd": float(h) * v}
                for i, h in zip(b["id"], head, strict=True)
                if pd.notna(h) and v != 1.0
            ]
        elif a.kind == "readiness_shift_months":
            lt = view.tables["pcrs_lead_times"]
            tables.setdefault("pcrs_lead_times", {})["update"] = [
                {"id": str(i), "lead_time_months": max(0, int(m) + v)}
                for i, m in zip(lt["id"], lt["lead_time_months"], strict=True)
                if max(0, int(m) + v) != int(m)
            ]
        elif a.kind == "ceiling_scale":
            c = view.contributors
            tables.setdefault("contributors", {})["update"] = [
                {"id": str(i), "max_units": int(math.floor(float(m) * v))}
                for i, m in zip(c["id"], c["max_units"], strict=True)
                if pd.notna(m) and int(math.floor(float(m) * v)) != int(m)
            ]
        elif a.kind == "withdraw_pledges":
            withdrawn |= set(v)
        elif a.kind == "withdraw_contributors":
            pl = view.pledges
            withdrawn |= set(pl.loc[pl["contributor_id"].astype(str).isin(v), "id"].astype(str))
    if withdrawn:
        tables.setdefault("pledges", {})["remove"] = [{"id": i} for i in sorted(withdrawn)]
    tables = {
        name: {action: rows for action, rows in actions.items() if rows}
        for name, actions in tables.items()
    }
    tables = {name: actions for name, actions in tables.items() if actions}
    if params or tables:
        label = ", ".join(f"{a.name}={a.label(values[a.name])}" for a in axes)
        out.append(Override(f"sweep: {label}", parameters=params, tables=tables))
    return tuple(out)


def scenario_fingerprint(view: Scenario) -> str:
    """A hash of every table and parameter of ``view`` (results of another scenario never mix)."""
    h = hashlib.sha256()
    for name in sorted(view.tables):
        h.update(name.encode())
        h.update(
            pd.util.hash_pandas_object(view.tables[name].astype("string"), index=False)
            .to_numpy()
            .tobytes()
        )
    for name, p in sorted(view.parameters.items()):
        h.update(f"{name}={p.value!r}".encode())
    return h.hexdigest()


def variant_key(fingerprint: str, grid: Grid, values: dict[str, Any]) -> str:
    """Stable key of one variant: the scenario, the solve settings and the changes."""

    def plain(v: Any) -> Any:
        if isinstance(v, Override):
            return {"name": v.name, "parameters": v.parameters, "tables": v.tables}
        return v

    text = json.dumps(
        {
            "scenario": fingerprint,
            "version": KEY_VERSION,
            "horizon": grid.horizon,
            "time_limit": grid.time_limit,
            "axes": {a.name: [a.kind, a.parameter] for a in grid.axes},
            "values": {k: plain(v) for k, v in sorted(values.items())},
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:20]
