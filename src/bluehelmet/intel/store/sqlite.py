"""The SQLite report store: add (one transaction), view (the gate in SQL), count, check.

Open it with :func:`bluehelmet.intel.store.open_store`; the file, its creation and its upgrades
are in :mod:`bluehelmet.intel.store.files`, the schema in :mod:`bluehelmet.intel.store.schema`.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from bluehelmet.errors import StoreError
from bluehelmet.intel import contact
from bluehelmet.intel.store import schema
from bluehelmet.intel.store.interface import AddResult
from bluehelmet.intel.view import ReportView, admit
from bluehelmet.model.access import AccessContext, Classification

DB_FILE = "reports.sqlite"
#: Rows converted to Python values and inserted at a time (bounds the memory of big imports).
INSERT_CHUNK = 250_000
#: A bulk insert at least this large, and larger than the store, drops the indexes first and
#: rebuilds them after the rows (one sort instead of one B-tree insert per row), in the same
#: transaction.
REBUILD_AT = 100_000
#: Rows per ``INSERT`` statement in a bulk insert (times the columns: far below SQLite's limit of
#: 32,766 bound values).
ROWS_PER_STATEMENT = 50


class SQLiteReportStore:
    """A report store in ``<folder>/reports.sqlite``; open it with :func:`open_store`."""

    #: Rows inserted per statement (all in one transaction); tests set a small one per store.
    insert_chunk: int = INSERT_CHUNK

    def __init__(self, folder: Path, conn: sqlite3.Connection) -> None:
        self.folder = folder
        self.path = folder / DB_FILE
        self._conn = conn

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def __enter__(self) -> SQLiteReportStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _damaged(self, exc: sqlite3.Error) -> StoreError:
        return StoreError(
            f"the report store {self.path} is damaged or unreadable "
            f"({type(exc).__name__}); restore it from a backup, then check it with "
            "'bluehelmet intel check'"
        )

    # -- writing -------------------------------------------------------------------------------
    def add(self, table: pd.DataFrame, writer: AccessContext | None) -> AddResult:
        """Add validated reports (declared columns and dtypes) in one transaction.

        Parameters
        ----------
        table
            Reports as returned by :func:`bluehelmet.intel.reports.validate_reports`.
        writer
            Who writes: only reports owned by ``writer.organisation`` at or below
            ``writer.clearance`` are accepted. ``None`` for published, unclassified event data
            (UCDP GED), whose rows every reader can see anyway.
        """
        columns = schema.columns()
        table = table[columns].reset_index(drop=True)
        label = table["classification"].astype("string")
        owner = table["owner"].astype("string")
        rejected: list[pd.DataFrame] = []
        ok = label.isin(Classification.labels()).fillna(False).to_numpy(bool)
        if writer is not None:
            held = [c.label for c in Classification if c <= writer.clearance]
            allowed = (
                ok
                & owner.eq(writer.organisation).fillna(False).to_numpy(bool)
                & (label.isin(held).fillna(False).to_numpy(bool))
            )
            rejected.append(
                _rejects(
                    ok & ~allowed,
                    "owner",
                    owner + "/" + label,
                    "you may only create reports owned by your organisation "
                    f"({writer.organisation}) at or below your clearance "
                    f"({writer.clearance.label})",
                    "set owner to your organisation and a classification you hold, or import as "
                    "a reader who has those rights (--org, --clearance)",
                )
            )
            ok = allowed
        try:
            with self._transaction() as conn:
                key = pd.DataFrame(
                    {"owner": owner, "classification": label, "id": table["id"]}
                ).loc[ok]
                conflict, same = self._compare(conn, table, key)
                rejected.append(
                    _rejects(
                        conflict,
                        "id",
                        table["id"],
                        "a different report with this id is already stored under the same owner "
                        "and classification; reports are never altered",
                        "give the new report its own id",
                    )
                )
                fresh = ok & ~conflict & ~same
                self._insert(conn, table if fresh.all() else table.loc[fresh])
        except sqlite3.Error as exc:
            raise self._damaged(exc) from exc
        return AddResult(
            int(fresh.sum()),
            int(same.sum()),
            pd.concat(rejected, ignore_index=True).sort_values(
                "position", kind="stable", ignore_index=True
            ),
        )

    def _compare(
        self, conn: sqlite3.Connection, table: pd.DataFrame, key: pd.DataFrame
    ) -> tuple[np.ndarray, np.ndarray]:
        """Masks of ``table``'s rows that conflict with, or equal, a stored report.

        ``key`` holds owner, classification and id of the rows to write (index: positions).
        """
        conflict = np.zeros(len(table), dtype=bool)
        same = np.zeros(len(table), dtype=bool)
        stored = self._stored(conn, key)
        if stored.empty:  # the usual case: new ids only, nothing to compare
            return conflict, same
        hit = (
            key.assign(position=key.index.to_numpy())
            .astype({"owner": "string", "classification": "string", "id": "string"})
            .merge(
                stored.astype({"classification": "string"}),
                on=["owner", "classification", "id"],
                how="inner",
            )
        )
        position = hit["position"].to_numpy(dtype="int64")
        compared = schema.compared_columns()
        new_text = schema.comparable(table.iloc[position][compared])
        old_text = schema.comparable(hit[compared])
        differs = (new_text.to_numpy() != old_text.to_numpy()).any(axis=1)
        conflict[position[differs]] = True
        same[position[~differs]] = True
        return conflict, same

    def _stored(self, conn: sqlite3.Connection, key: pd.DataFrame) -> pd.DataFrame:
        """Stored reports in the namespaces ``key`` writes to whose ids ``key`` uses.

        Per namespace (one owner and classification, which the writer can read): when it holds
        fewer reports than the import names, its ids are read and matched in memory; else the
        import's ids are looked up in the index. Whole rows are read only for ids that match, so
        the cost follows the smaller of the two, not the size of the store.
        """
        names = schema.compared_columns()
        frames = [schema.frame([], names)]
        spaces = key[["owner", "classification"]].astype("string").drop_duplicates()
        for owner, label in spaces.itertuples(index=False):  # at most a few namespaces
            args = (str(owner), str(label))
            where = "WHERE owner = ? AND classification = ?"
            held = conn.execute(f"SELECT count(*) FROM reports {where}", args).fetchone()[0]
            if held == 0:
                continue
            mine = (key["owner"].eq(owner) & key["classification"].eq(label)).fillna(False)
            named = key.loc[mine.to_numpy(bool), "id"].drop_duplicates()
            if held < len(named):
                ids = pd.Series(
                    [r[0] for r in conn.execute(f"SELECT id FROM reports {where}", args)],
                    dtype="string",
                )
                named = ids[_member(ids, named)]
            if len(named):
                rows = conn.execute(
                    f"SELECT {', '.join(names)} FROM reports {where} "
                    "AND id IN (SELECT value FROM json_each(?))",
                    (*args, json.dumps(named.astype(str).tolist())),
                ).fetchall()
                frames.append(schema.frame(rows, names))
        return pd.concat(frames, ignore_index=True)

    def _insert(self, conn: sqlite3.Connection, table: pd.DataFrame) -> None:
        """Insert ``table`` (inside the caller's transaction), in chunks to bound memory.

        Each chunk's columns go from Arrow to the driver as Python lists (the least the
        standard library driver accepts); columns missing in every row of a chunk are left out
        of its ``INSERT`` (stored as NULL without binding a value per row). The next chunk is
        converted in a second thread while SQLite stores this one (SQLite releases the GIL
        while it steps), so on two cores conversion and storing overlap.
        """
        if len(table) == 0:
            return
        first, held = conn.execute(
            "SELECT coalesce(max(seq), 0) + 1, count(*) FROM reports"
        ).fetchone()
        rebuild = len(table) >= REBUILD_AT and len(table) > held
        if rebuild:
            for name in schema.INDEX_NAMES:
                conn.execute(f"DROP INDEX {name}")
        key = contact.load_key(self.folder, create=bool(table["reporter_contact"].notna().any()))
        starts = list(range(0, len(table), self.insert_chunk))

        def convert(start: int) -> tuple[dict[str, list[Any]], pd.DataFrame]:
            part = table.iloc[start : start + self.insert_chunk]
            seq = np.arange(first + start, first + start + len(part), dtype="int64")
            release = schema.release_text(part["releasable_to"])
            values: dict[str, list[Any]] = {"seq": seq.tolist()}
            for name in schema.columns():
                if name == "reporter_contact":
                    column = contact.seal(part, key)
                    if any(v is not None for v in column):
                        values[name] = column
                    continue
                arrow = _arrow(release if name == "releasable_to" else part[name])
                if arrow.null_count < len(arrow):
                    values[name] = arrow.to_pylist()
            return values, schema.release_pairs(release, seq)

        with ThreadPoolExecutor(max_workers=1) as converter:
            ready = converter.submit(convert, starts[0])
            for following in [*starts[1:], None]:
                values, pairs = ready.result()
                if following is not None:
                    ready = converter.submit(convert, following)
                _insert_rows(conn, "reports", list(values), list(values.values()))
                del values
                conn.executemany(
                    f"INSERT INTO {schema.RELEASE_TABLE} (organisation, record_id) VALUES (?, ?)",
                    zip(pairs["organisation"].tolist(), pairs["record_id"].tolist(), strict=True),
                )
        if rebuild:
            for statement in schema.INDEXES:
                conn.execute(statement)
        conn.execute(
            "UPDATE meta SET value = CAST(value AS INTEGER) + ? WHERE key = 'reports'",
            (len(table),),
        )

    # -- reading -------------------------------------------------------------------------------
    def view(self, reader: AccessContext) -> ReportView:
        """The reports ``reader`` may see, in the order they were stored: a :class:`ReportView`.

        The rows are selected in SQL by the one need-to-know predicate
        (:meth:`~bluehelmet.model.access.NeedToKnow.sql`, served by indexes, so a read costs
        what the reader can see), then pass the gate again in memory
        (:func:`~bluehelmet.intel.view.admit`, which writes the audit line).
        ``reporter_contact`` is opened only where :func:`~bluehelmet.intel.contact.entitled`.
        Where two visible reports share an id (different owners or classifications), their ids
        are shown as ``id@owner/classification``.
        """
        columns = schema.columns()
        sql = schema.visible(reader)
        try:
            rows = self._conn.execute(
                f"SELECT {', '.join(columns)} FROM reports r WHERE {sql.text} ORDER BY r.seq",
                sql.params,
            ).fetchall()
        except sqlite3.Error as exc:
            raise self._damaged(exc) from exc
        out = schema.frame(rows, columns)
        show = contact.entitled(out, reader)
        key = (
            contact.load_key(self.folder, create=False)
            if (show & out["reporter_contact"].notna().to_numpy(bool)).any()
            else None
        )
        out["reporter_contact"] = contact.unseal(out["reporter_contact"], out, show, key)
        twice = out["id"].duplicated(keep=False).to_numpy(bool)
        if twice.any():
            qualified = out["id"] + "@" + out["owner"] + "/" + out["classification"]
            out["id"] = out["id"].where(~twice, qualified)
        return admit(out, reader, f"report store {self.folder}")

    def count(self, reader: AccessContext) -> int:
        """How many reports ``reader`` may see (the same predicate as :meth:`view`)."""
        sql = schema.visible(reader)
        try:
            return int(
                self._conn.execute(
                    f"SELECT count(*) FROM reports r WHERE {sql.text}", sql.params
                ).fetchone()[0]
            )
        except sqlite3.Error as exc:
            raise self._damaged(exc) from exc

    def check(self) -> None:
        """Full check: ``PRAGMA integrity_check``, foreign keys, the stored row count."""
        try:
            result = self._conn.execute("PRAGMA integrity_check").fetchall()
            orphans = self._conn.execute(
                f"SELECT count(*) FROM {schema.RELEASE_TABLE} x WHERE NOT EXISTS "
                "(SELECT 1 FROM reports r WHERE r.seq = x.record_id)"
            ).fetchone()[0]
            count = self._conn.execute("SELECT count(*) FROM reports").fetchone()[0]
            stated = self._conn.execute("SELECT value FROM meta WHERE key = 'reports'").fetchone()
        except sqlite3.Error as exc:
            raise self._damaged(exc) from exc
        problems = []
        if result != [("ok",)]:
            problems.append(f"{len(result)} integrity problem(s)")
        if orphans:
            problems.append("releasability rows without their report")
        if stated is None or int(stated[0]) != count:
            problems.append("the number of reports differs from the number recorded")
        if problems:
            raise StoreError(
                f"the report store {self.path} fails its integrity check ("
                + "; ".join(problems)
                + "); restore it from a backup"
            )


def _member(values: pd.Series, pool: pd.Series) -> np.ndarray:
    """``values.isin(pool)`` for text, in Arrow (pandas' version loops over ``pool`` in Python)."""
    found = pc.is_in(
        pa.array(values.astype(object), type=pa.string()),
        value_set=pa.array(pool.astype(object), type=pa.string()),
    )
    return np.asarray(found.fill_null(False), dtype=bool)


def _insert_rows(
    conn: sqlite3.Connection, table: str, names: list[str], columns: list[list[Any]]
) -> None:
    """``INSERT`` the rows given as columns, :data:`ROWS_PER_STATEMENT` rows per statement.

    Several rows per ``VALUES`` clause spare the driver a statement run per row (about a tenth
    of a bulk insert); the values are the same Python objects either way.
    """
    n = len(columns[0]) if columns else 0
    row = "(" + ", ".join("?" * len(names)) + ")"
    head = f"INSERT INTO {table} ({', '.join(names)}) VALUES "
    whole = n - n % ROWS_PER_STATEMENT
    if whole:
        flat = itertools.chain.from_iterable(zip(*(c[:whole] for c in columns), strict=True))
        conn.executemany(
            head + ", ".join([row] * ROWS_PER_STATEMENT),
            zip(*[flat] * (ROWS_PER_STATEMENT * len(names)), strict=True),
        )
    if whole < n:
        conn.executemany(head + row, zip(*(c[whole:] for c in columns), strict=True))


def _arrow(values: pd.Series) -> pa.Array | pa.ChunkedArray:
    """A column as Arrow values with nulls for missing values (NaN included), no copy of text."""
    if values.dtype.kind == "f":
        numbers = values.to_numpy(dtype="float64")
        return pa.array(numbers, mask=np.isnan(numbers))
    return pa.array(values, from_pandas=True)


def _rejects(mask: np.ndarray, name: str, values: pd.Series, reason: str, fix: str) -> pd.DataFrame:
    where = np.flatnonzero(mask)
    return pd.DataFrame(
        {
            "position": where,
            "field": name,
            "value": values.iloc[where].astype("string").to_numpy(dtype=object),
            "reason": reason,
            "fix": fix,
        }
    )
