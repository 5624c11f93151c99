"""Hand the protection analysis to the force planner: additions as ``requirements`` rows.

The recommended additional assets become rows of the ``requirements`` entity (mission x unit
type x count x period x priority, ``basis=derived``, ``source`` naming this analysis), which
:func:`apply_requirements` adds to (or puts in place of) a scenario's requirements so that
``bluehelmet plan`` plans for them.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from bluehelmet.errors import DataError, Problem
from bluehelmet.model.validate import check_references, coerce_table
from bluehelmet.scenario.core import Scenario


def requirements_from(
    steps: pd.DataFrame,
    asset_types: pd.DataFrame,
    mission_id: str,
    start: dt.date,
    end: dt.date,
    *,
    unit_types: pd.DataFrame | None = None,
    source: str,
    classification: str = "confidential",
    owner: str = "UN-DPO",
) -> pd.DataFrame:
    """Build requirement rows for the recommended additions.

    Parameters
    ----------
    steps
        Recommended additions (``asset_type_id, assets_added`` per step, see
        :func:`~bluehelmet.protect.analysis.recommend`).
    asset_types
        Asset types indexed by id, with ``unit_type_id`` and ``assets_per_unit``.
    mission_id, start, end
        Mission and period of the requirement.
    unit_types
        The scenario's unit catalogue: a unit type marked ``critical`` gives priority
        ``critical``, any other ``high`` (the analysis found it adds protection coverage).
    source
        The ``source`` written on every row (which analysis, which inputs).
    classification, owner
        Record classification and owner (a mission's force requirements are confidential by
        default, owned by the UN's Department of Peace Operations, as in the bundled scenario).

    Returns
    -------
    DataFrame
        The ``requirements`` table (declared columns and dtypes), one row per unit type.

    """
    if steps.empty:
        return coerce_table("requirements", pd.DataFrame(columns=["id"]), "requirements")[0]
    per_type = steps.groupby("asset_type_id")["assets_added"].sum()
    counts: dict[str, int] = {}
    problems: list[Problem] = []
    units = (
        asset_types["unit_type_id"]
        if "unit_type_id" in asset_types
        else pd.Series(pd.NA, index=asset_types.index)
    )
    for a, n_assets in per_type.items():
        unit = units.get(a)
        if unit is None or pd.isna(unit):
            problems.append(
                Problem(
                    "asset_types",
                    None,
                    "unit_type_id",
                    str(a),
                    "asset type has no unit type, so it cannot be requested",
                    "give the unit_types id that provides this asset",
                )
            )
            continue
        per_unit = int(asset_types["assets_per_unit"].astype(int).get(a, 1))
        counts[str(unit)] = counts.get(str(unit), 0) + math.ceil(int(n_assets) / per_unit)
    if problems:
        raise DataError(problems)
    critical: set[str] = set()
    if unit_types is not None and "critical" in unit_types:
        critical = set(unit_types.loc[unit_types["critical"].fillna(False).astype(bool), "id"])
    raw = pd.DataFrame(
        [
            {
                "id": f"protect-{mission_id.lower()}-{unit}",
                "mission_id": mission_id,
                "unit_type_id": unit,
                "count": str(n),
                "start": start.isoformat(),
                "end": end.isoformat(),
                "priority": "critical" if unit in critical else "high",
                "language": "",
                "classification": classification,
                "owner": owner,
                "releasable_to": "",
                "basis": "derived",
                "source": source,
            }
            for unit, n in counts.items()
        ]
    )
    table, found = coerce_table("requirements", raw, "requirements (protection analysis)")
    if found:
        raise DataError(found)
    return table


def apply_requirements(
    scenario: Scenario, reqs: pd.DataFrame, *, replace: bool = False
) -> Scenario:
    """Return a copy of ``scenario`` whose requirements include ``reqs``.

    Parameters
    ----------
    scenario
        The base scenario (not changed).
    reqs
        Rows of the ``requirements`` entity (e.g. from :func:`requirements_from`).
    replace
        If true, ``reqs`` replace all of the scenario's requirements; otherwise they are added,
        a row with an id already present replacing that row.

    Raises
    ------
    DataError
        If a row names a mission or unit type the scenario does not have.

    """
    out = scenario.copy()
    current = out.requirements
    if replace:
        merged = reqs.copy()
    else:
        kept = current.loc[~current["id"].isin(reqs["id"])]
        merged = pd.concat([kept, reqs], ignore_index=True) if not kept.empty else reqs.copy()
    out.tables["requirements"] = merged.reset_index(drop=True).astype(current.dtypes.to_dict())
    problems = check_references(
        {"missions": out.missions, "unit_types": out.unit_types, "requirements": out.requirements},
        {"requirements": "requirements (protection analysis)"},
    )
    if problems:
        raise DataError(problems)
    return out


def requirements_text(reqs: pd.DataFrame) -> pd.DataFrame:
    """``reqs`` as written in a scenario's ``requirements.csv`` (dates as YYYY-MM-DD)."""
    out = reqs.copy()
    for col in ("start", "end"):
        out[col] = pd.to_datetime(out[col]).dt.strftime("%Y-%m-%d")
    return out
