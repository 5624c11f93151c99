"""Hypothesis strategies that build valid scenarios from the data-model declarations."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import strategies as st

from bluehelmet.model.schema import ENTITY_ORDER, Column, entity
from bluehelmet.model.validate import empty_table
from bluehelmet.scenario.core import Scenario

# Text as users write it: letters, digits, punctuation incl. CSV-hostile commas and quotes,
# non-ASCII letters; no leading/trailing whitespace (stripped on read by design) and no
# semicolons inside list items.
_ALPHABET = st.characters(
    codec="utf-8",
    categories=("L", "N", "P", "Zs"),
    exclude_characters="\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029",
)
TEXT = st.text(_ALPHABET, min_size=1, max_size=12).map(str.strip).filter(bool)
TOKEN = TEXT.filter(lambda s: ";" not in s).map(str.strip).filter(bool)
DATES = st.dates(dt.date(1990, 1, 1), dt.date(2040, 12, 31))


def value_strategy(col: Column, refs: list[str]) -> st.SearchStrategy[object]:
    """A valid value of ``col`` (``refs``: ids it may reference)."""
    if col.references:  # an optional reference into an empty table can only be empty
        if not refs:
            return st.none()
        if col.type == "list":  # a list of ids
            return st.lists(st.sampled_from(refs), min_size=1, max_size=3, unique=True).map(
                ";".join
            )
        return st.sampled_from(refs)
    if col.allowed:
        values = [int(a) if col.type == "integer" else a for a in col.allowed]
        return st.sampled_from(values)
    if col.type == "string":
        return TEXT
    if col.type == "list":
        return st.lists(TOKEN, min_size=1, max_size=3).map(";".join)
    if col.type == "orgs":  # a tuple of organisation ids in memory
        return st.lists(TOKEN, max_size=3, unique=True).map(tuple)
    if col.type == "integer":
        lo = int(col.min) if col.min is not None else -(10**9)
        hi = int(col.max) if col.max is not None else 10**9
        return st.integers(lo, hi)
    if col.type == "float":
        return st.floats(
            col.min if col.min is not None else -1e12,
            col.max if col.max is not None else 1e12,
            allow_nan=False,
            allow_infinity=False,
        )
    if col.type == "boolean":
        return st.booleans()
    return DATES.map(pd.Timestamp)


@st.composite
def tables(
    draw: st.DrawFn, name: str, refs: dict[str, list[str]], max_rows: int = 4
) -> pd.DataFrame:
    """A valid table of entity ``name`` whose references point into ``refs``."""
    ent = entity(name)
    if any(c.references and not refs.get(c.references) for c in ent.columns if c.required):
        return empty_table(name)
    n = draw(st.integers(0, max_rows))
    ids = draw(st.lists(TOKEN, min_size=n, max_size=n, unique=True))
    data: dict[str, list[object]] = {"id": list(ids)}
    for col in ent.columns[1:]:
        strategy = value_strategy(col, refs.get(col.references or "", []))
        if not col.required and col.default is None:  # defaults fill missing values
            strategy = st.one_of(st.none(), strategy)
        data[col.name] = [draw(strategy) for _ in range(n)]
    out = empty_table(name)
    frame = pd.DataFrame(data)
    for col in ent.columns:
        out[col.name] = frame[col.name].astype(col.dtype) if n else out[col.name]
    return out.reset_index(drop=True) if n else out


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """A valid scenario: every table drawn in dependency order, references resolved."""
    built: dict[str, pd.DataFrame] = {}
    refs: dict[str, list[str]] = {}
    for name in ENTITY_ORDER:
        built[name] = draw(tables(name, refs))
        refs[name] = list(built[name]["id"])
    name = draw(TOKEN.filter(lambda s: s.isprintable()))
    meta = {"title": draw(TEXT), "reference_date": draw(DATES)}
    scenario = Scenario(name, built, meta=meta)
    scenario.set_param("horizon_months", draw(st.integers(1, 60)), "test")
    scenario.set_param("max_contributor_share", draw(st.floats(0, 1)), "assumed")
    return scenario
