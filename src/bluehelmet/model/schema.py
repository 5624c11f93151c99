"""The peacekeeping data model, read from its declaration as data.

Each entity (missions, contributors, unit types, deployments, pledges, requirements and the
parameter tables) is declared once, as a CSV file in ``bluehelmet/model/schema/`` with the columns
``attribute, type, unit, default, required, allowed, min, max, references, description``;
``_entities.csv`` lists the entities, the store each belongs to and what it holds.
The columns every record carries (id, classification, owner, releasable_to, basis, source) are
declared once in ``_common.csv``; ``_sensitivity.csv`` declares protected columns (shown only to
readers acting for the record's owner, never exported). Validation
(:mod:`bluehelmet.model.validate`), scenario file I/O (:mod:`bluehelmet.scenario.io`) and the
schema reference in ``docs/schema.md`` all follow from these declarations; nothing else lists the
columns.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources

from bluehelmet.model.access import Classification

#: Column types and the pandas dtype each is held in.
DTYPES: dict[str, str] = {
    "string": "string",
    "list": "string",  # semicolon-separated; see :func:`split_list`
    "orgs": "object",  # organisation ids: semicolon-separated in files, a tuple in memory
    "integer": "Int64",
    "float": "float64",
    "boolean": "boolean",
    "date": "datetime64[ns]",
}


@cache
def entity_index() -> dict[str, tuple[str, str]]:
    """Every declared entity: name -> (store, description), in declaration order.

    The store says where the records live: ``scenario`` tables make up a scenario folder; other
    stores (e.g. ``intel``) are kept by their own subpackage with the same file conventions.
    """
    return {r["entity"]: (r["store"], r["description"]) for r in _read_declaration("_entities.csv")}


def store_entities(store: str) -> tuple[str, ...]:
    """Names of the entities of ``store``, in declaration order."""
    return tuple(n for n, (s, _) in entity_index().items() if s == store)


@dataclass(frozen=True)
class Column:
    """One declared column of an entity table."""

    name: str
    type: str
    unit: str
    default: str | None
    required: bool
    allowed: tuple[str, ...]
    min: float | None
    max: float | None
    references: str | None
    description: str
    protected: bool = False

    @property
    def dtype(self) -> str:
        """The pandas dtype the column is held in."""
        return DTYPES[self.type]


@dataclass(frozen=True)
class Entity:
    """A declared entity table: its name, description and columns (common ones first)."""

    name: str
    description: str
    columns: tuple[Column, ...]

    @property
    def protected_columns(self) -> list[str]:
        """Columns shown only to readers acting for the owner, never exported.

        Declared in ``schema/_sensitivity.csv``.
        """
        return [c.name for c in self.columns if c.protected]

    @property
    def column_names(self) -> list[str]:
        """Column names in declaration order."""
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        """Return the declared column ``name``; raise ``KeyError`` if it is not declared."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")


@dataclass(frozen=True)
class ParameterSpec:
    """One declared scalar parameter of a scenario (held in ``scenario.toml``)."""

    name: str
    type: str
    unit: str
    default: str
    source: str
    description: str


def _read_declaration(filename: str) -> list[dict[str, str]]:
    text = resources.files("bluehelmet.model").joinpath("schema", filename).read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _allowed(text: str) -> tuple[str, ...]:
    """Allowed values of a declaration cell.

    ``@classification`` stands for the levels of the one classification order
    (:class:`bluehelmet.model.access.Classification`), so the order is written only there.
    """
    if text.strip() == "@classification":
        return Classification.labels()
    return tuple(a for a in text.split("|") if a)


def _float_or_none(text: str) -> float | None:
    return float(text) if text.strip() else None


def _column(row: dict[str, str]) -> Column:
    if row["type"] not in DTYPES:
        raise ValueError(f"schema declares unknown type {row['type']!r} for {row['attribute']}")
    return Column(
        name=row["attribute"],
        type=row["type"],
        unit=row["unit"],
        default=row["default"] or None,
        required=row["required"].strip().lower() == "true",
        allowed=_allowed(row["allowed"]),
        min=_float_or_none(row["min"]),
        max=_float_or_none(row["max"]),
        references=row["references"] or None,
        description=row["description"],
    )


@cache
def entity(name: str) -> Entity:
    """Return the declaration of entity ``name``.

    Raises
    ------
    KeyError
        If ``name`` is not a declared entity.

    """
    index = entity_index()
    if name not in index:
        raise KeyError(f"unknown entity {name!r}; known: {', '.join(index)}")
    protected = {
        r["attribute"]
        for r in _read_declaration("_sensitivity.csv")
        if r["entity"] == name and r["sensitivity"] == "protected"
    }
    common = [_column(r) for r in _read_declaration("_common.csv")]
    own = [
        replace(c, protected=c.name in protected)
        for c in (_column(r) for r in _read_declaration(f"{name}.csv"))
    ]
    # id first, then the entity's own columns, then the rest of the common record columns.
    return Entity(name, index[name][1], (common[0], *own, *common[1:]))


def entities() -> list[Entity]:
    """All declared entities, in declaration order."""
    return [entity(n) for n in entity_index()]


#: Entity tables of a scenario folder, in the order they are documented, validated and written.
ENTITY_ORDER: tuple[str, ...] = (
    "missions",
    "contributors",
    "unit_types",
    "deployments",
    "pledges",
    "requirements",
    "reimbursement_rates",
    "gender_targets",
    "budgets",
    "pcrs_lead_times",
    "units_in_place",
    "ceilings",
    "rotation_periods",
)


@cache
def parameter_specs() -> dict[str, ParameterSpec]:
    """The declared scalar scenario parameters, by name."""
    return {
        r["attribute"]: ParameterSpec(
            r["attribute"], r["type"], r["unit"], r["default"], r["source"], r["description"]
        )
        for r in _read_declaration("_parameters.csv")
    }


def split_list(value: object) -> list[str]:
    """Split a ``list`` column value (``"a;b"``) into its items; missing gives ``[]``."""
    if value is None or not isinstance(value, str):
        return []
    return [item.strip() for item in value.split(";") if item.strip()]
