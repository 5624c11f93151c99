"""The :class:`Scenario`: one DataFrame per entity, plus parameters and metadata.

A scenario is what every analysis reads: the missions, contributors, unit catalogue, deployments,
pledges, requirements and parameter tables of the data model, each held as a pandas DataFrame with
exactly the declared columns, indexed by position, with the stable record id in column ``id``.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from bluehelmet.errors import Problem
from bluehelmet.model.access import AccessContext, Classification, NeedToKnow, release_lists
from bluehelmet.model.gate import audit, gate, highest_classification
from bluehelmet.model.schema import ENTITY_ORDER, parameter_specs
from bluehelmet.model.validate import (
    MAX_INTEGER,
    check_references,
    coerce_table,
    empty_table,
    lists_as_text,
)

ParameterValue = int | float | str | bool | dt.date


@dataclass
class Parameter:
    """A scalar scenario parameter: its value, unit and source ("assumed" if it is ours)."""

    value: ParameterValue
    source: str
    unit: str = ""


def default_parameters() -> dict[str, Parameter]:
    """Every declared parameter at its declared default, with the declared source."""
    out: dict[str, Parameter] = {}
    for name, spec in parameter_specs().items():
        out[name] = Parameter(parse_parameter(name, spec.default), spec.source, spec.unit)
    return out


def parse_parameter(name: str, value: object) -> ParameterValue:
    """Convert a parameter value read from TOML or the command line to its declared type.

    Raises
    ------
    ValueError
        If ``name`` is not declared or ``value`` does not fit its type.

    """
    specs = parameter_specs()
    if name not in specs:
        raise ValueError(f"unknown parameter {name!r}; known: {', '.join(sorted(specs))}")
    kind = specs[name].type
    if kind == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        return dt.date.fromisoformat(str(value))
    if kind == "integer":
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError(f"parameter {name} must be a whole number, got {value!r}")
        number = int(str(value)) if not isinstance(value, (int, float)) else int(value)
        if abs(number) > MAX_INTEGER:  # 2**63 and beyond would overflow every array
            raise ValueError(
                f"parameter {name} is out of range ({number}); give a whole "
                f"number of at most {MAX_INTEGER:,}"
            )
        return number
    if kind == "float":
        real = float(str(value)) if not isinstance(value, (int, float)) else float(value)
        if not math.isfinite(real):
            raise ValueError(f"parameter {name} must be a finite number, got {value!r}")
        return real
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in ("true", "1", "yes")
    return str(value)


@dataclass(repr=False)
class Scenario:
    """A peacekeeping scenario: entity tables, scalar parameters and metadata.

    Parameters
    ----------
    name
        Short name (e.g. ``2018``).
    tables
        One DataFrame per entity in :data:`~bluehelmet.model.schema.ENTITY_ORDER`; missing
        entities are filled with empty tables of the declared columns.
    parameters
        Scalar parameters; undeclared names are rejected, missing ones take their defaults.
    meta
        Free metadata (title, description, reference date, notes) kept in ``scenario.toml``.

    """

    name: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    parameters: dict[str, Parameter] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for entity_name in ENTITY_ORDER:
            if entity_name not in self.tables:
                self.tables[entity_name] = empty_table(entity_name)
        unknown = set(self.tables) - set(ENTITY_ORDER)
        if unknown:
            raise ValueError(f"unknown tables {sorted(unknown)}; known: {', '.join(ENTITY_ORDER)}")
        for table in self.tables.values():
            # Releasability is a tuple of organisation ids in memory, whoever built the table.
            if "releasable_to" in table and len(table):
                table["releasable_to"] = release_lists(table["releasable_to"])
        merged = default_parameters()
        for key, param in self.parameters.items():
            merged[key] = Parameter(
                parse_parameter(key, param.value), param.source, param.unit or merged[key].unit
            )
        self.parameters = merged

    # Typed accessors, one per entity, so that analysis code reads ``scenario.pledges``.
    @property
    def missions(self) -> pd.DataFrame:
        """Missions table."""
        return self.tables["missions"]

    @property
    def contributors(self) -> pd.DataFrame:
        """Contributors table."""
        return self.tables["contributors"]

    @property
    def unit_types(self) -> pd.DataFrame:
        """Unit-type catalogue."""
        return self.tables["unit_types"]

    @property
    def deployments(self) -> pd.DataFrame:
        """Current deployments table."""
        return self.tables["deployments"]

    @property
    def pledges(self) -> pd.DataFrame:
        """Pledge registry."""
        return self.tables["pledges"]

    @property
    def requirements(self) -> pd.DataFrame:
        """Requirements table."""
        return self.tables["requirements"]

    @property
    def units_in_place(self) -> pd.DataFrame:
        """The force in place: units deployed at the planning start, or announced."""
        return self.tables["units_in_place"]

    @property
    def ceilings(self) -> pd.DataFrame:
        """Security Council personnel ceilings per mission, component and period."""
        return self.tables["ceilings"]

    def open_pledges(self) -> pd.DataFrame:
        """Pledges that are still offers: those not moved to :attr:`units_in_place`.

        A pledge record that describes a unit already deployed (or announced) is listed in
        ``units_in_place`` with its id in ``pledge_id``. The planner reads this registry (the
        force in place is subtracted from the requirements instead).
        """
        moved = set(self.units_in_place["pledge_id"].dropna())
        return self.pledges.loc[~self.pledges["id"].isin(moved)].reset_index(drop=True)

    @property
    def reimbursement_rates(self) -> pd.DataFrame:
        """Reimbursement rates per person-month, by date in force."""
        return self.tables["reimbursement_rates"]

    @property
    def gender_targets(self) -> pd.DataFrame:
        """UGPS targets: women's share by personnel category and year."""
        return self.tables["gender_targets"]

    @property
    def budgets(self) -> pd.DataFrame:
        """Budget headroom for new units, by mission and fiscal year."""
        return self.tables["budgets"]

    @property
    def pcrs_lead_times(self) -> pd.DataFrame:
        """Lead time from UN request to readiness, by PCRS level."""
        return self.tables["pcrs_lead_times"]

    @property
    def rotation_periods(self) -> pd.DataFrame:
        """Months between personnel rotations of a unit type, per contributor or for any."""
        return self.tables["rotation_periods"]

    def __repr__(self) -> str:
        title = self.meta.get("title")
        rows = ", ".join(f"{name} {len(self.tables[name])}" for name in ENTITY_ORDER)
        return (
            f"Scenario {self.name!r}"
            + (f" ({title})" if title else "")
            + f"\n  tables (rows): {rows}\n  {len(self.parameters)} parameters; "
            "see .tables, .parameters, .meta"
        )

    def param(self, name: str) -> Any:
        """Value of parameter ``name``."""
        if name not in self.parameters:
            known = ", ".join(sorted(self.parameters))
            raise KeyError(f"unknown parameter {name!r}; known: {known}")
        return self.parameters[name].value

    def set_param(self, name: str, value: object, source: str = "user") -> None:
        """Set parameter ``name`` (converted to its declared type) with its source."""
        self.parameters[name] = Parameter(
            parse_parameter(name, value), source, parameter_specs()[name].unit
        )

    def copy(self) -> Scenario:
        """A deep copy (tables copied too)."""
        return Scenario(
            self.name,
            {k: v.copy() for k, v in self.tables.items()},
            copy.deepcopy(self.parameters),
            copy.deepcopy(self.meta),
        )

    def view(self, reader: AccessContext) -> ScenarioView:
        """The scenario as ``reader`` may see it: the only way to get what analyses accept.

        Every table is filtered by the reader's :class:`~bluehelmet.model.access.NeedToKnow`
        predicate, then closed under references (a record whose parent is hidden is hidden);
        protected columns are blanked where the reader does not act for the owner; one audit
        line is logged (logger ``bluehelmet.audit``). See ``docs/architecture.md``.
        """
        policy = NeedToKnow.of(reader)
        tables = gate(self.tables, policy)
        out = ScenarioView(
            self.name,
            tables,
            copy.deepcopy(self.parameters),
            copy.deepcopy(self.meta),
            reader=reader,
        )
        audit(reader, f"scenario {self.name}", tables)
        return out

    def validate(self) -> list[Problem]:
        """Problems with the tables as they are now (types, allowed values, ids, references)."""
        problems: list[Problem] = []
        for name in ENTITY_ORDER:
            as_text = lists_as_text(self.tables[name]).astype("string")
            _, found = coerce_table(name, _to_text(self.tables[name], as_text), f"{name}.csv")
            problems.extend(found)
        problems.extend(check_references(self.tables))
        return problems

    def illustrative_counts(self) -> pd.DataFrame:
        """Rows per table and basis (real, derived, illustrative, assumed).

        Every output that uses illustrative rows says so; this is where it learns how many.
        """
        rows = []
        for name in ENTITY_ORDER:
            counts = self.tables[name]["basis"].value_counts()
            for basis, n in counts.items():
                rows.append({"table": name, "basis": str(basis), "rows": int(n)})
        return pd.DataFrame(rows, columns=["table", "basis", "rows"])

    @property
    def uses_illustrative_data(self) -> bool:
        """True if any row of any table is illustrative or assumed."""
        return any(
            self.tables[n]["basis"].isin(["illustrative", "assumed"]).any() for n in ENTITY_ORDER
        )


def _to_text(table: pd.DataFrame, as_text: pd.DataFrame) -> pd.DataFrame:
    """Render typed columns back to the text the file format uses (for re-validation)."""
    out = as_text.copy()
    for col in table.columns:
        series = table[col]
        if pd.api.types.is_datetime64_any_dtype(series):
            out[col] = series.dt.strftime("%Y-%m-%d").astype("string")
        elif pd.api.types.is_bool_dtype(series):
            out[col] = series.map({True: "true", False: "false"}).astype("string")
    return out


@dataclass
class ScenarioView(Scenario):
    """A scenario as one reader may see it: what every analysis, statistic and writer accepts.

    Obtain it with :meth:`Scenario.view`; never construct it directly. It has the scenario's
    table accessors and parameters, plus the reader, the need-to-know policy applied and the
    :attr:`marking` (highest classification among its rows) that writers stamp on their files.
    Overrides applied to a view give a view (their rows are owned by the reader).
    """

    reader: AccessContext = field(default_factory=AccessContext.public)

    @property
    def policy(self) -> NeedToKnow:
        """The need-to-know predicate the view was filtered with."""
        return NeedToKnow.of(self.reader)

    @property
    def marking(self) -> Classification:
        """The highest classification among the rows the view holds."""
        return highest_classification(self.tables)

    def copy(self) -> ScenarioView:
        """A deep copy, still a view for the same reader."""
        return ScenarioView(
            self.name,
            {k: v.copy() for k, v in self.tables.items()},
            copy.deepcopy(self.parameters),
            copy.deepcopy(self.meta),
            reader=self.reader,
        )

    def view(self, reader: AccessContext) -> ScenarioView:
        """The view narrowed to ``reader`` (never wider than what it already holds)."""
        return super().view(reader)
