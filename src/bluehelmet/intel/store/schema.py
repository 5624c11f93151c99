"""The report store's SQLite schema and the conversions between its rows and report tables.

Schema version 2 (version 1 stores are upgraded on open, :func:`upgrade_statements`):

* ``reports``: ``seq`` (the row key, in storing order) and the declared report columns
  (``model/schema/reports.csv``; ``reporter_contact`` sealed as a BLOB). A report's identity is
  ``(owner, classification, id)``: the one index, ``reports_identity``, is unique on
  ``(classification, owner, id)`` (classification first, so that it also serves the public term
  of the need-to-know condition).
* ``report_release (organisation, record_id)``: releasability, one row per report and
  organisation released to (``record_id`` is the report's ``seq``).
* ``meta``: schema version and the number of reports (checked by ``intel check``).

The need-to-know condition is :meth:`bluehelmet.model.access.NeedToKnow.sql` over the alias
``r`` with ``release_table=RELEASE_TABLE`` and ``key="seq"`` (:func:`visible`): its three terms
are served by ``reports_identity`` (``classification = ...``; ``classification IN ... AND owner
IN ...``) and by the primary key of ``report_release`` (the released reports' ``seq``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from bluehelmet.model.access import SQL, AccessContext, Classification, NeedToKnow
from bluehelmet.model.schema import entity, split_list
from bluehelmet.model.validate import empty_table

SCHEMA_VERSION = 2
#: ``PRAGMA application_id`` of a bluehelmet report store ("bhrs").
APPLICATION_ID = 0x62687273
RELEASE_TABLE = "report_release"
#: Indexes built after the table (dropped and rebuilt around a bulk insert, same transaction).
INDEXES: tuple[str, ...] = (
    "CREATE UNIQUE INDEX reports_identity ON reports (classification, owner, id)",
)
INDEX_NAMES: tuple[str, ...] = ("reports_identity",)
_SQL_TYPES = {
    "string": "TEXT",
    "list": "TEXT",
    "orgs": "TEXT",
    "float": "REAL",
    "integer": "INTEGER",
}


def columns() -> list[str]:
    """The report columns, in declared order."""
    return entity("reports").column_names


def compared_columns() -> list[str]:
    """The columns that decide whether two reports are the same (all but the sealed contact)."""
    return [c for c in columns() if c != "reporter_contact"]


def visible(reader: AccessContext) -> SQL:
    """The need-to-know condition of ``reader`` over ``reports r`` (the one predicate)."""
    return NeedToKnow.of(reader).sql("r", release_table=RELEASE_TABLE, key="seq")


def reports_table(name: str = "reports") -> str:
    """``CREATE TABLE`` of the reports table (named ``name``)."""
    # OR-ed equalities, not ``IN (...)``: SQLite builds the ephemeral table of an IN list once
    # per statement run, i.e. once per inserted row (2 us a row, a fifth of a bulk insert)
    labels = " OR ".join(f"classification = '{label}'" for label in Classification.labels())
    cols = []
    for col in entity("reports").columns:
        if col.name == "reporter_contact":
            cols.append("reporter_contact BLOB")
        elif col.name == "classification":
            cols.append(f"classification TEXT NOT NULL CHECK ({labels})")
        else:
            required = " NOT NULL" if col.name in ("id", "owner") else ""
            cols.append(f"{col.name} {_SQL_TYPES[col.type]}{required}")
    return f"CREATE TABLE {name} (seq INTEGER PRIMARY KEY, " + ", ".join(cols) + ")"


RELEASE_DDL = (
    f"CREATE TABLE {RELEASE_TABLE} (organisation TEXT NOT NULL, record_id INTEGER "
    "NOT NULL REFERENCES reports (seq), PRIMARY KEY (organisation, record_id)) "
    "WITHOUT ROWID"
)


def statements() -> list[str]:
    """The statements that create an empty store (schema version :data:`SCHEMA_VERSION`)."""
    return [
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        reports_table(),
        *INDEXES,
        RELEASE_DDL,
    ]


def upgrade_statements() -> list[str]:
    """Statements that turn a version 1 store into version 2 (run in one transaction).

    Version 1 kept an integer ``level`` beside ``classification`` and ``releasable (organisation,
    report)``; version 2 is queried by the gate's own SQL rendering, on ``classification``.
    """
    names = ", ".join(["seq", *columns()])
    return [
        reports_table("reports_v2"),
        f"INSERT INTO reports_v2 ({names}) SELECT {names} FROM reports ORDER BY seq",
        RELEASE_DDL,
        f"INSERT INTO {RELEASE_TABLE} (organisation, record_id) "
        "SELECT organisation, report FROM releasable",
        "DROP TABLE releasable",
        "DROP TABLE reports",
        "ALTER TABLE reports_v2 RENAME TO reports",
        *INDEXES,
        f"UPDATE meta SET value = '{SCHEMA_VERSION}' WHERE key = 'schema_version'",
        f"PRAGMA user_version = {SCHEMA_VERSION}",
    ]


def release_text(values: pd.Series) -> pd.Series:
    """Releasability as ``a;b`` text (missing when empty), from tuples or text."""
    if values.dtype == object:  # tuples: join each distinct list once (lists repeat a lot)
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        joined = np.array(
            [";".join(v) if isinstance(v, tuple) else v for v in uniques] + [None], dtype=object
        )
        values = pd.Series(joined[codes], index=values.index, dtype=object)
    text = values.astype("string")
    return text.mask(text == "")


def release_pairs(release: pd.Series, seq: Any) -> pd.DataFrame:
    """Rows of ``report_release`` (``organisation, record_id``) for reports numbered ``seq``."""
    lists = pc.split_pattern(pa.array(release_text(release), type=pa.large_string()), ";")
    items = pc.utf8_trim_whitespace(pc.list_flatten(lists))
    owner = np.asarray(seq, dtype="int64")[pc.list_parent_indices(lists).to_numpy()]
    keep = pc.fill_null(pc.not_equal(items, ""), False).to_numpy(zero_copy_only=False)
    pairs = pd.DataFrame(
        {
            "record_id": owner[keep],
            "organisation": items.filter(pa.array(keep)).to_numpy(zero_copy_only=False),
        }
    )
    return pairs.drop_duplicates(ignore_index=True)


def comparable(table: pd.DataFrame) -> pd.DataFrame:
    """Values as text for comparing reports (-0.0 as 0.0: SQLite stores no negative zero)."""
    floats = table.select_dtypes("float").columns
    return table.assign(**{c: table[c] + 0.0 for c in floats}).astype("string").fillna("")


def frame(rows: list[Any], names: list[str]) -> pd.DataFrame:
    """Fetched rows as a table with the declared dtypes (releasability as tuples)."""
    raw = pd.DataFrame(rows, columns=names)
    template = empty_table("reports")
    out = {}
    for c in names:
        if c == "reporter_contact":
            out[c] = raw[c]
        elif entity("reports").column(c).type == "orgs":
            out[c] = pd.Series(
                [tuple(split_list(v)) if isinstance(v, str) else () for v in raw[c]], dtype=object
            )
        else:
            out[c] = raw[c].astype(template[c].dtype)
    return pd.DataFrame(out, columns=names)
