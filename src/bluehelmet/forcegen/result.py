"""A force plan: its view, its declared tables and a typed summary, with statistics and plots.

:class:`Plan` is what :func:`~bluehelmet.forcegen.api.plan` returns. Its tables are declared in
``outputs.csv`` (see :mod:`~bluehelmet.forcegen.outputs`) and checked when the plan is built;
``p.statistics`` and ``p.plot`` compute from them; ``p.write(folder)`` writes them all, with
``summary.json``, through the one result writer (:func:`bluehelmet.output.write_folder`), which
stamps every file with the view's marking (:mod:`bluehelmet.model.marking`).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd

from bluehelmet.forcegen import outputs
from bluehelmet.forcegen.options import PlanOptions
from bluehelmet.model.access import AccessContext
from bluehelmet.output import write_folder
from bluehelmet.plot.plan import PlanPlot
from bluehelmet.scenario.core import ScenarioView
from bluehelmet.statistics.plan import PlanStatistics

ILLUSTRATIVE_NOTICE = (
    "This plan uses illustrative (made-up or assumed) records; its numbers show "
    "the method, not the real situation."
)


@dataclass(frozen=True)
class StageSummary:
    """How one objective stage ended."""

    stage: str
    status: str
    objective: float
    #: Best bound known (``None``: no bound, e.g. the stage stopped before its root node).
    bound: float | None
    #: Relative optimality gap (``None`` when no bound is known).
    mip_gap: float | None
    seconds: float


@dataclass(frozen=True)
class ReaderSummary:
    """Whom a plan was made for (``summary.json``'s ``reader``)."""

    organisation: str
    #: The reader's clearance label (``unclassified`` ... ``strictly_confidential``).
    clearance: str


@dataclass(frozen=True)
class PlanSummary:
    """The headline numbers of a plan (written as ``summary.json`` by :meth:`to_dict`)."""

    scenario: str
    #: Highest classification label among the rows of the view planned on (the files' marking).
    marking: str
    #: Whose view was planned on.
    reader: ReaderSummary
    #: Weighted unmet requirement-months (the first objective stage).
    objective: float
    objective_name: str
    stages: tuple[StageSummary, ...]
    #: ``optimal`` when every stage is proven optimal, else the worst stage's status.
    status: str
    #: Gap of the first (coverage) stage.
    mip_gap: float | None
    mip_gap_all_stages: float | None
    solve_seconds: float
    build_seconds: float
    unmet_requirement_months: float
    weighted_unmet_requirement_months: float
    required_requirement_months: float
    total_cost_usd: float
    units_deployed: int
    #: Requirement-months the force in place covers (required = in place + planned + unmet).
    in_place_requirement_months: float
    #: Personnel-months: required (catalogue size per unit), of the whole force in place
    #: (every unit in place, required or not), of the planned tours, and unmet.
    required_person_months: float
    in_place_person_months: float
    planned_person_months: float
    unmet_person_months: float
    #: Aircraft-months (the catalogue's aircraft per unit), counted the same way.
    required_aircraft_months: float
    in_place_aircraft_months: float
    planned_aircraft_months: float
    unmet_aircraft_months: float
    #: Most units in place in any month of the horizon.
    units_in_place: int
    #: Mission x component x months where the force in place alone exceeds its ceiling.
    ceiling_excess_months: int
    pledges: int
    pledges_used: int
    candidate_tours: int
    #: The greedy plan's first-stage objective (the baseline the solver must beat).
    greedy_objective: float
    greedy_gap_to_optimum: float
    gender_mode: str
    missions_without_budget_rows: tuple[str, ...]
    #: First month planned, ``YYYY-MM``.
    horizon_start: str
    horizon_months: int
    uses_illustrative_data: bool
    notice: str
    #: What the wall-clock time limit cut short: objective stages not proven optimal
    #: (``stage cost``: its gap is in ``stages``) and what-ifs left incomplete
    #: (``capability_requirements``, ``sensitivities``). Empty: everything ran to the end.
    cut_by_time_limit: tuple[str, ...] = ()
    #: total_cost_usd split by the account that pays (``costs.csv`` ``account``): the
    #: peacekeeping accounts and the regular budget (UNTSO, UNMOGIP), kept apart.
    peacekeeping_cost_usd: float = 0.0
    regular_budget_cost_usd: float = 0.0
    #: Cost per account and budget period (``{"peacekeeping": {"2018/19": ...}, ...}``).
    cost_by_budget_period: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    #: What determines the tours (:func:`~bluehelmet.forcegen.fingerprint.plan_record`): the
    #: ``fingerprint``, the scenario's digest, the months planned and the solve options.
    plan_record: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlanSummary:
        """The summary of a ``summary.json`` (keys it does not declare are ignored)."""
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["stages"] = tuple(StageSummary(**dict(s)) for s in data.get("stages", []))
        values["reader"] = ReaderSummary(**dict(data["reader"]))
        for key in ("missions_without_budget_rows", "cut_by_time_limit"):
            values[key] = tuple(data.get(key, ()))
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready values (lists for tuples), in declaration order."""
        out = dataclasses.asdict(self)
        out["stages"] = [dict(s) for s in out["stages"]]
        out["reader"] = dict(out["reader"])
        out["missions_without_budget_rows"] = list(self.missions_without_budget_rows)
        out["cut_by_time_limit"] = list(self.cut_by_time_limit)
        out["cost_by_budget_period"] = {
            account: dict(periods) for account, periods in self.cost_by_budget_period.items()
        }
        out["plan_record"] = json.loads(json.dumps(self.plan_record, default=str))
        return out


@dataclass(frozen=True, repr=False, eq=False)
class Plan:
    """A force plan and the view it was planned on.

    Parameters
    ----------
    view
        The scenario as its reader saw it (after any overrides); ``p.reader`` is
        ``p.view.reader``.
    tables
        The output tables by name (see ``outputs.csv``); missing ones are empty. They are
        checked against the declaration and given its dtypes (months as timestamps).
    summary
        The headline numbers.
    options
        The options it was planned with.
    """

    view: ScenarioView
    tables: Mapping[str, pd.DataFrame]
    summary: PlanSummary
    options: PlanOptions = field(default_factory=PlanOptions)

    def __post_init__(self) -> None:
        unknown = set(self.tables) - set(outputs.FILE_NAMES)
        if unknown:
            raise outputs.OutputTableError(
                f"unknown plan tables {sorted(unknown)}; known: {', '.join(outputs.FILE_NAMES)}"
            )
        conformed = {
            name: outputs.conform(name, self.tables.get(name, outputs.empty(name)))
            for name in outputs.FILE_NAMES
        }
        object.__setattr__(self, "tables", MappingProxyType(conformed))

    @classmethod
    def from_tables(cls, view: ScenarioView, summary: PlanSummary, **tables: pd.DataFrame) -> Plan:
        """A plan built by hand: declared columns a table lacks are added as missing values.

        For tests and examples whose known answers need only some columns; the planner itself
        always builds every column.
        """
        filled = {name: outputs.conform(name, t, fill_missing=True) for name, t in tables.items()}
        return cls(view, filled, summary)

    @property
    def reader(self) -> AccessContext:
        """Whose view the plan was made on."""
        return self.view.reader

    def __repr__(self) -> str:
        s = self.summary
        rows = ", ".join(f"{name} {len(t)}" for name, t in self.tables.items() if len(t))
        return (
            f"Plan of scenario {s.scenario!r} for {self.reader.organisation} "
            f"({s.horizon_months} months from {s.horizon_start}): status {s.status}, "
            f"unmet {s.unmet_requirement_months:,.0f} of "
            f"{s.required_requirement_months:,.0f} requirement-months, cost "
            f"US${s.total_cost_usd / 1e6:,.1f} m\n  tables (rows): {rows}"
        )

    @property
    def assignments(self) -> pd.DataFrame:
        """One row per chosen tour (written as ``plan.csv``)."""
        return self.tables["assignments"]

    @property
    def coverage(self) -> pd.DataFrame:
        """Mission x unit type x month: units required, covered, short."""
        return self.tables["coverage"]

    @property
    def gaps(self) -> pd.DataFrame:
        """Per requirement: unit-months required and unmet, first month short."""
        return self.tables["gaps"]

    @property
    def costs(self) -> pd.DataFrame:
        """Mission x fiscal year: planned cost against budget headroom."""
        return self.tables["costs"]

    @property
    def gender(self) -> pd.DataFrame:
        """Personnel category x year: women's share of planned personnel against the target."""
        return self.tables["gender"]

    @property
    def explanations(self) -> pd.DataFrame:
        """One row per pledge: used or not, and why."""
        return self.tables["explanations"]

    @property
    def binding(self) -> pd.DataFrame:
        """Constraints with no slack left."""
        return self.tables["binding"]

    @property
    def capability_requirements(self) -> pd.DataFrame:
        """The capability requirements note: what the plan leaves open, as DPO issues it."""
        return self.tables["capability_requirements"]

    @property
    def smart_pledges(self) -> pd.DataFrame:
        """Groups of contributors that can hold a long requirement in succession."""
        return self.tables["smart_pledges"]

    @property
    def sensitivities(self) -> pd.DataFrame:
        """Value of more budget, faster readiness and more lift."""
        return self.tables["sensitivities"]

    @property
    def force_in_place(self) -> pd.DataFrame:
        """Mission x unit type x month: units and personnel in place."""
        return self.tables["force_in_place"]

    @property
    def ceilings(self) -> pd.DataFrame:
        """Mission x component x month: Council ceiling, personnel in place and planned."""
        return self.tables["ceilings"]

    @property
    def ceiling_excess(self) -> pd.DataFrame:
        """Where the force in place alone exceeds a Council ceiling."""
        return self.tables["ceiling_excess"]

    @property
    def statistics(self) -> PlanStatistics:
        """Statistics of this plan as DataFrames (``p.statistics.coverage()``)."""
        return PlanStatistics(self)

    @property
    def plot(self) -> PlanPlot:
        """Charts of this plan (``p.plot.coverage()``)."""
        return PlanPlot(self)

    def write(self, folder: str | Path) -> Path:
        """Write every table as CSV and ``summary.json`` into ``folder`` (atomically).

        Months are written ``YYYY-MM`` and dates ``YYYY-MM-DD``; file names are those of
        ``outputs.FILE_NAMES`` (the tours go to ``plan.csv``). Every file gets a marking sidecar
        (``plan.csv.marking.json``, see :mod:`bluehelmet.model.marking`) with the view's marking.
        """
        tables = {
            outputs.FILE_NAMES[name]: outputs.render(name, t) for name, t in self.tables.items()
        }
        return write_folder(
            folder,
            tables,
            {"summary": self.summary.to_dict()},
            marking=self.view.marking,
            reader=self.reader,
            source=f"plan of scenario {self.summary.scenario}",
        )


def read_plan(folder: str | Path, view: ScenarioView, options: PlanOptions) -> Plan:
    """The plan written to ``folder`` by :meth:`Plan.write`, checked against ``view``.

    Every table comes back with its declared types and exactly the values written (floats are
    written to round trip); empty text reads back as missing (CSV does not tell them apart).

    Parameters
    ----------
    folder
        A plan folder (``summary.json`` and the tables, as ``bluehelmet plan --out`` writes).
    view
        The scenario as the reader sees it, overrides applied: the plan must have been made on
        exactly this (same content, same reader).
    options
        The options the plan must have been made with (months planned and solve options).

    Raises
    ------
    DataError
        If the folder lacks ``summary.json`` or a table, was made for another reader, or its
        fingerprint (scenario, overrides, months, solve options) differs from what ``view`` and
        ``options`` give (:func:`~bluehelmet.forcegen.fingerprint.check_plan_record`).
    """
    from bluehelmet.errors import DataError, Problem
    from bluehelmet.forcegen.fingerprint import check_plan_record

    root = Path(folder)
    path = root / "summary.json"
    if not path.is_file():
        raise DataError(
            Problem(
                str(path),
                None,
                None,
                None,
                "no plan summary here",
                "give a folder written by bluehelmet plan --out DIR",
            )
        )
    data = json.loads(path.read_text(encoding="utf-8"))
    reader = data.get("reader") or {}
    who = (view.reader.organisation, view.reader.clearance.label)
    if (reader.get("organisation"), reader.get("clearance")) != who:
        raise DataError(
            Problem(
                str(path),
                None,
                "reader",
                f"{reader.get('organisation')} ({reader.get('clearance')})",
                f"the plan was made for another reader than {who[0]} ({who[1]})",
                "plan on the same reader's view (--org, --clearance)",
            )
        )
    check_plan_record(data.get("plan_record") or {}, view, options, str(path))
    tables = {}
    for name, file in outputs.FILE_NAMES.items():
        csv = root / f"{file}.csv"
        if not csv.is_file():
            raise DataError(
                Problem(str(csv), None, None, None, "missing from the plan folder", "plan again")
            )
        dtypes = {c: "string" for c, t in _declared_types(name).items() if t == "string"}
        tables[name] = pd.read_csv(csv, dtype=dtypes) if csv.stat().st_size > 1 else None
    present = {k: v for k, v in tables.items() if v is not None and len(v.columns)}
    return Plan(view, present, PlanSummary.from_dict(data), options)


def _declared_types(table: str) -> dict[str, str]:
    return {c.column: c.type for c in outputs.OUTPUTS.declarations[table]}


def compare_plans(plans: Mapping[str, Plan]) -> pd.DataFrame:
    """Side-by-side headline figures of named plans (one column per plan)."""
    keys = [
        "status",
        "mip_gap",
        "weighted_unmet_requirement_months",
        "unmet_requirement_months",
        "total_cost_usd",
        "units_deployed",
        "pledges_used",
        "solve_seconds",
    ]
    data = {name: [p.summary.to_dict()[k] for k in keys] for name, p in plans.items()}
    out = pd.DataFrame(data, index=keys)
    out.index.name = "figure"
    return out
