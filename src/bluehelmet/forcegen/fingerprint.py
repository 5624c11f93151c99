"""What a plan was made from: a fingerprint of the scenario, its overrides and the solve options.

A plan folder (``bluehelmet plan --out DIR``) records in ``summary.json`` the fingerprint of
what determines its tours: the scenario as its reader saw it with the overrides applied (every
table's content and every parameter's value), the months planned, the solve options and the
package version. ``bluehelmet brief --plan DIR`` reuses such a folder only when the brief would
have made the same plan: :func:`check_plan_record` compares the record with the brief's own and
names every part that differs.

Which tables are written (``explain``, ``sensitivities``, ...) is not part of the fingerprint:
those options do not change the tours.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from importlib.metadata import version
from typing import Any

from bluehelmet.errors import DataError, Problem
from bluehelmet.forcegen.options import PlanOptions
from bluehelmet.scenario.core import Scenario


def scenario_digest(view: Scenario) -> str:
    """SHA-256 of a scenario's content: every table as CSV text and every parameter's value.

    Row and column order count (they decide the order of candidate tours); parameter sources
    and the scenario's notes do not (they do not change the plan), nor ``horizon_months``,
    which :func:`plan_record` replaces by the months actually planned.
    """
    h = hashlib.sha256()
    for name in sorted(view.tables):
        table = view.tables[name]
        h.update(f"table {name} {list(map(str, table.columns))}\n".encode())
        h.update(table.to_csv(index=False, lineterminator="\n").encode())
    for name in sorted(view.parameters):
        if name == "horizon_months":
            continue  # the months actually planned are recorded beside (plan_record)
        h.update(f"parameter {name}={view.parameters[name].value!r}\n".encode())
    return h.hexdigest()


def plan_record(view: Scenario, options: PlanOptions) -> dict[str, Any]:
    """What determines a plan's tours, as JSON-ready values, with its ``fingerprint``.

    ``horizon_months`` is the months actually planned (``options.horizon`` or the scenario's
    ``horizon_months``); ``solve`` every field of :class:`SolveOptions`.
    """
    horizon = options.horizon or int(view.param("horizon_months"))
    record: dict[str, Any] = {
        "scenario_digest": scenario_digest(view),
        "horizon_months": int(horizon),
        "solve": dataclasses.asdict(options.solve),
        "version": version("bluehelmet"),
    }
    text = json.dumps(record, sort_keys=True, default=str)
    return {"fingerprint": hashlib.sha256(text.encode()).hexdigest(), **record}


def check_plan_record(
    recorded: Mapping[str, Any], view: Scenario, options: PlanOptions, file: str
) -> None:
    """Raise unless a plan recorded as ``recorded`` is the plan ``options`` would make on ``view``.

    Raises
    ------
    DataError
        Naming ``file`` (the plan's ``summary.json``), each part that differs (the scenario or
        its overrides, the months planned, a solve option, the version), both values and what
        to do.
    """
    expected = plan_record(view, options)
    if recorded.get("fingerprint") == expected["fingerprint"]:
        return
    fix = (
        "plan again with the same scenario, overrides and options (bluehelmet plan ... --out "
        "DIR), or brief without --plan"
    )
    problems = []
    if recorded.get("scenario_digest") != expected["scenario_digest"]:
        problems.append(
            Problem(
                file,
                None,
                "plan_record.scenario_digest",
                str(recorded.get("scenario_digest")),
                "the plan was made from other scenario data than the brief's (another "
                "scenario, other overrides, or another reader's view)",
                fix,
            )
        )
    for key in ("horizon_months", "version"):
        if recorded.get(key) != expected[key]:
            problems.append(
                Problem(
                    file,
                    None,
                    f"plan_record.{key}",
                    str(recorded.get(key)),
                    f"the brief would use {expected[key]!r}",
                    fix,
                )
            )
    solve = recorded.get("solve")
    solve = solve if isinstance(solve, Mapping) else {}
    for key, value in expected["solve"].items():
        if solve.get(key) != value:
            problems.append(
                Problem(
                    file,
                    None,
                    f"plan_record.solve.{key}",
                    str(solve.get(key)),
                    f"the brief solves with {key} = {value!r}",
                    fix,
                )
            )
    if not problems:
        problems.append(
            Problem(
                file,
                None,
                "plan_record.fingerprint",
                str(recorded.get("fingerprint")),
                f"the fingerprint differs from the brief's ({expected['fingerprint']})",
                fix,
            )
        )
    raise DataError(problems)
