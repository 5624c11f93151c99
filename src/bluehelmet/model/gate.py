"""The gate: what a reader's view holds, and the audit line every view leaves.

:func:`gate` applies a :class:`~bluehelmet.model.access.NeedToKnow` predicate to a set of entity
tables in three steps:

1. **Need to know**: each table keeps the rows the predicate admits.
2. **Reference closure**: a record that refers (through a declared ``references`` column) to a
   record the reader cannot see is hidden too, repeated until nothing changes. A *list* of
   references (e.g. a pledge's ``excluded_missions``) keeps only the ids the reader may see; the
   record itself stays. A requirement of
   a hidden mission, a pledge of a hidden contributor, a deployment to a hidden mission: all
   hidden. No id-only stubs are made, so no hidden id reaches an analysis, an error message or
   a file, and a view always passes the reference checks.
3. **Protected columns** (``schema/_sensitivity.csv``) are blanked in rows whose owner the
   reader does not act for.

The audit line (logger ``bluehelmet.audit``, level INFO) says who read what and how many rows
of each table they saw; never which rows were hidden, nor how many.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping

import pandas as pd

from bluehelmet.model.access import AccessContext, Classification, NeedToKnow
from bluehelmet.model.schema import entity, entity_index, split_list

#: The audit logger; library code only logs, the application decides where lines go.
AUDIT = logging.getLogger("bluehelmet.audit")


def gate(tables: Mapping[str, pd.DataFrame], policy: NeedToKnow) -> dict[str, pd.DataFrame]:
    """The tables as ``policy``'s reader may see them (need to know, closure, protection).

    Tables of undeclared entities are returned unchanged only if they have no record columns;
    every declared entity is filtered. Indexes are reset to 0..n-1.
    """
    keep = {name: policy.mask(t).to_numpy(bool) for name, t in tables.items()}
    refs = _reference_columns(tables)
    changed = True
    while changed:
        changed = False
        for name, cols in refs.items():
            table = tables[name]
            for col, target in cols:
                known = set(tables[target]["id"].astype(object)[keep[target]].dropna())
                values = table[col].astype(object)
                dangling = (values.notna() & ~values.isin(known)).to_numpy(bool) & keep[name]
                if dangling.any():
                    keep[name] = keep[name] & ~dangling
                    changed = True
    out: dict[str, pd.DataFrame] = {}
    for name, table in tables.items():
        shown = table.loc[keep[name]].reset_index(drop=True)
        for col, target in _reference_lists(name, tables):
            known = set(tables[target]["id"].astype(object)[keep[target]].dropna())
            shown[col] = _only_known(shown[col], known)
        protected = entity(name).protected_columns if name in entity_index() else []
        if protected and len(shown):
            own = policy.owns(shown)
            for col in protected:
                if col in shown:
                    shown[col] = shown[col].where(own, pd.NA)
        out[name] = shown
    return out


def _reference_columns(tables: Mapping[str, pd.DataFrame]) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for name in tables:
        if name not in entity_index():
            continue
        cols = [
            (c.name, str(c.references))
            for c in entity(name).columns
            if c.references is not None
            and c.references in tables
            and c.name in tables[name]
            and c.type != "list"
        ]
        if cols:
            out[name] = cols
    return out


def _reference_lists(name: str, tables: Mapping[str, pd.DataFrame]) -> list[tuple[str, str]]:
    if name not in entity_index():
        return []
    return [
        (c.name, str(c.references))
        for c in entity(name).columns
        if c.references is not None
        and c.references in tables
        and c.type == "list"
        and c.name in tables[name]
    ]


def _only_known(values: pd.Series, known: set[object]) -> pd.Series:
    """``a;b;c`` lists with the ids not in ``known`` removed (an emptied list is missing)."""

    def keep(v: object) -> object:
        if not isinstance(v, str):
            return v
        items = [i for i in split_list(v) if i in known]
        return ";".join(items) if items else pd.NA

    return values.map(keep).astype(values.dtype)


def highest_classification(tables: Mapping[str, pd.DataFrame]) -> Classification:
    """The highest classification among the rows of ``tables`` (the marking of what they feed)."""
    labels: set[str] = set()
    for table in tables.values():
        if "classification" in table and len(table):
            labels.update(table["classification"].dropna().astype(str).unique())
    return max(
        (Classification.parse(label) for label in labels), default=Classification.UNCLASSIFIED
    )


def audit(reader: AccessContext, source: str, tables: Mapping[str, pd.DataFrame]) -> None:
    """Log one structured audit line for a view of ``source`` by ``reader``.

    The line is JSON (``event, user, organisation, clearance, source, rows``), and the same
    dictionary is attached to the log record as ``record.audit`` for structured handlers.
    """
    record = {
        "event": "view",
        "user": reader.user,
        "organisation": reader.organisation,
        "clearance": reader.clearance.label,
        "source": source,
        "rows": {name: len(t) for name, t in tables.items()},
    }
    AUDIT.info(json.dumps(record, sort_keys=True), extra={"audit": record})
