"""The report store: one storage interface, an embedded SQLite implementation.

:class:`ReportStore` is what the command line and the library use; :class:`SQLiteReportStore`
implements it in one file, ``<store folder>/reports.sqlite``, in WAL mode. The platform's
PostgreSQL store implements the same four operations (add, read, count, check).

Promises (tested in ``tests/intel/test_store*.py``; see docs/reliability.md, "Report store"):

* **Atomic writes.** One import is one transaction: a kill at any moment leaves the store as it
  was before the import or as it is after it. A new store is built in a temporary file and renamed
  into place, so a store file always has its schema.
* **Damage is an error, never an empty store.** Opening checks the SQLite header, the application
  id, the schema version and the tables; :meth:`ReportStore.check` adds ``PRAGMA integrity_check``
  and the row counts. Messages name the store, never a stored value.
* **Reading costs what the reader can see.** Reports are indexed by classification level and by
  (owner, level, id), releasability is a join table; the need-to-know filter is one SQL condition
  (:func:`visible_sql`) that SQLite answers with index look-ups.
* **Need-to-know on writes.** A writer creates reports owned by their organisation at or below
  their clearance. A report's identity is (owner, classification, id): the only ids a writer can
  collide with are in that namespace, which the writer can read, so no answer reveals a hidden id.
* **Private files.** The folder is created 0700, the database 0600 (SQLite gives its WAL files the
  same mode); reporter contacts are sealed (:mod:`bluehelmet.intel.contact`).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from bluehelmet.errors import StoreError
from bluehelmet.intel import contact
from bluehelmet.model.access import AccessContext, Classification, NeedToKnow
from bluehelmet.model.schema import entity, split_list
from bluehelmet.model.validate import empty_table

DB_FILE = "reports.sqlite"
LEGACY_FILE = "reports.csv"
SCHEMA_VERSION = 1
#: ``PRAGMA application_id`` of a bluehelmet report store ("bhrs").
APPLICATION_ID = 0x62687273
_SQLITE_HEADER = b"SQLite format 3\x00"
_LEVELS = {c.label: int(c) for c in Classification}
#: Rows converted to Python values and inserted at a time (bounds the memory of big imports).
INSERT_CHUNK = 250_000
_SQL_TYPES = {"string": "TEXT", "list": "TEXT", "orgs": "TEXT", "float": "REAL",
              "integer": "INTEGER"}


def _columns() -> list[str]:
    return entity("reports").column_names


@dataclass
class AddResult:
    """What :meth:`ReportStore.add` did with each row of the table it was given.

    Attributes
    ----------
    added, present
        Rows stored now; rows identical to a report already stored (importing twice changes
        nothing).
    rejected
        Rows refused, as positions into the table given with ``field``, ``value``, ``reason``
        and ``fix`` columns.
    """

    added: int = 0
    present: int = 0
    rejected: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["position", "field", "value", "reason", "fix"]))


class ReportStore(Protocol):
    """The storage interface of intelligence reports (SQLite here, PostgreSQL on the platform)."""

    def add(self, table: pd.DataFrame, writer: AccessContext | None) -> AddResult:
        """Add validated reports in one transaction; ``writer=None`` only for published data."""
        ...

    def read(self, reader: AccessContext) -> pd.DataFrame:
        """The reports ``reader`` may see, in the order they were stored."""
        ...

    def count(self, reader: AccessContext) -> int:
        """How many reports ``reader`` may see."""
        ...

    def check(self) -> None:
        """Raise :class:`~bluehelmet.errors.StoreError` unless the store is intact."""
        ...


def visible_sql(reader: AccessContext) -> tuple[str, dict[str, object]]:
    """The need-to-know rule (:class:`bluehelmet.model.access.NeedToKnow`) as an SQL condition.

    The one place the rule is written in SQL for this store, over the alias ``r`` of ``reports``
    and the ``releasable`` join table: unclassified, or cleared for the level and acting for the
    owner or for an organisation the report is released to. Written as three OR-ed terms that
    each have an index (``level``, ``(owner, level, id)``, ``releasable``'s key), so SQLite reads
    only the visible rows. (The gate's :meth:`NeedToKnow.sql` renders the same rule for a store
    keyed by record id; this store joins releasability on its row number.)
    """
    policy = NeedToKnow.of(reader)
    names = [f"p{i}" for i in range(len(policy.principals))] or ["p0"]
    params: dict[str, object] = dict(zip(names, policy.principals or ("",), strict=True))
    params["clearance"] = len(policy.levels)
    orgs = ", ".join(f":{n}" for n in names)
    condition = ("(r.level = 0"
                 f" OR (r.owner IN ({orgs}) AND r.level BETWEEN 1 AND :clearance)"
                 " OR (r.level BETWEEN 1 AND :clearance AND r.seq IN"
                 f" (SELECT report FROM releasable WHERE organisation IN ({orgs}))))")
    return condition, params


def _schema() -> list[str]:
    ent = entity("reports")
    cols = []
    for col in ent.columns:
        if col.name == "reporter_contact":
            cols.append("reporter_contact BLOB")
        else:
            required = " NOT NULL" if col.name in ("id", "owner", "classification") else ""
            cols.append(f"{col.name} {_SQL_TYPES[col.type]}{required}")
    return [
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE reports (seq INTEGER PRIMARY KEY, "
        "level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 2), "
        + ", ".join(cols) + ", UNIQUE (owner, level, id))",
        "CREATE INDEX reports_by_level ON reports (level)",
        "CREATE TABLE releasable (organisation TEXT NOT NULL, "
        "report INTEGER NOT NULL REFERENCES reports (seq), "
        "PRIMARY KEY (organisation, report)) WITHOUT ROWID",
    ]


def _member(values: pd.Series, pool: pd.Series) -> np.ndarray:
    """``values.isin(pool)`` for text, in Arrow (pandas' version loops over ``pool`` in Python)."""
    found = pc.is_in(pa.array(values.astype(object), type=pa.string()),
                     value_set=pa.array(pool.astype(object), type=pa.string()))
    return np.asarray(found.fill_null(False), dtype=bool)


def _comparable(table: pd.DataFrame) -> pd.DataFrame:
    """Values as text for comparing reports (-0.0 as 0.0: SQLite stores no negative zero)."""
    floats = table.select_dtypes("float").columns
    return table.assign(**{c: table[c] + 0.0 for c in floats}).astype("string").fillna("")


def _python(values: pd.Series) -> list[Any]:
    """A column as a Python list with ``None`` for missing values (for the SQLite driver)."""
    if isinstance(values.dtype, pd.StringDtype) or values.dtype == object:
        return pd.array(values, dtype="string[pyarrow]")._pa_array.to_pylist()  # type: ignore
    if values.dtype.kind == "f":
        return values.to_numpy(dtype="float64").tolist()  # NaN is stored as NULL
    return list(values.astype(object).where(values.notna(), None).tolist())


def _release_text(values: pd.Series) -> pd.Series:
    """Releasability as ``a;b`` text (missing when empty), from tuples or text."""
    if values.dtype == object:
        values = values.map(lambda v: ";".join(v) if isinstance(v, tuple) else v)
    text = values.astype("string")
    return text.mask(text == "")


def _frame(rows: list[Any], columns: list[str]) -> pd.DataFrame:
    """Fetched rows as a table with the declared dtypes (releasability as tuples)."""
    raw = pd.DataFrame(rows, columns=columns)
    template = empty_table("reports")
    out = {}
    for c in columns:
        if c == "reporter_contact":
            out[c] = raw[c]
        elif entity("reports").column(c).type == "orgs":
            out[c] = pd.Series([tuple(split_list(v)) if isinstance(v, str) else ()
                                for v in raw[c]], dtype=object)
        else:
            out[c] = raw[c].astype(template[c].dtype)
    return pd.DataFrame(out, columns=columns)


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
        return StoreError(f"the report store {self.path} is damaged or unreadable "
                          f"({type(exc).__name__}); restore it from a backup, then check it with "
                          "'bluehelmet intel check'")

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
        columns = _columns()
        table = table[columns].reset_index(drop=True)
        level: np.ndarray = table["classification"].astype("string").map(_LEVELS).fillna(
            -1).astype("int64").to_numpy()
        owner = table["owner"].astype("string")
        result = AddResult()
        rejected: list[pd.DataFrame] = []
        ok: np.ndarray = level >= 0
        if writer is not None:
            allowed = ok & owner.eq(writer.organisation).fillna(False).to_numpy(bool) & (
                level <= int(writer.clearance))
            denied = ok & ~allowed
            rejected.append(_rejects(
                denied, "owner", owner + "/" + table["classification"].astype("string"),
                "you may only create reports owned by your organisation "
                f"({writer.organisation}) at or below your clearance "
                f"({writer.clearance.label})",
                "set owner to your organisation and a classification you hold, or import as "
                "a reader who has those rights (--org, --clearance)"))
            ok = allowed
        try:
            with self._transaction() as conn:
                stored = self._stored(conn, table.loc[ok])
                key = pd.DataFrame({"owner": owner, "level": level, "id": table["id"],
                                    "position": np.arange(len(table))})
                hit = key.loc[ok].merge(stored.assign(level=stored["classification"].map(
                    _LEVELS).astype("int64")), on=["owner", "level", "id"], how="inner")
                position = hit["position"].to_numpy(dtype="int64")
                compared = [c for c in columns if c != "reporter_contact"]
                new_text = _comparable(table.iloc[position][compared])
                old_text = _comparable(hit[compared])
                differs = (new_text.to_numpy() != old_text.to_numpy()).any(axis=1)
                conflict = np.zeros(len(table), dtype=bool)
                conflict[position[differs]] = True
                same = np.zeros(len(table), dtype=bool)
                same[position[~differs]] = True
                rejected.append(_rejects(
                    conflict, "id", table["id"],
                    "a different report with this id is already stored under the same owner "
                    "and classification; reports are never altered",
                    "give the new report its own id"))
                fresh = ok & ~conflict & ~same
                self._insert(conn, table.loc[fresh], level[fresh])
        except sqlite3.Error as exc:
            raise self._damaged(exc) from exc
        result.added, result.present = int(fresh.sum()), int(same.sum())
        result.rejected = pd.concat(rejected, ignore_index=True).sort_values(
            "position", kind="stable", ignore_index=True)
        return result

    def _stored(self, conn: sqlite3.Connection, table: pd.DataFrame) -> pd.DataFrame:
        """Stored reports in the namespaces ``table`` writes to whose ids ``table`` uses.

        The ids of each namespace (one owner and classification, which the writer can read) are
        read first; whole rows only for the ids that match.
        """
        frames = [_frame([], self._columns_read)]
        spaces = table[["owner", "classification"]].astype("string").drop_duplicates()
        for owner, label in spaces.itertuples(index=False):  # at most a few namespaces
            args = (str(owner), _LEVELS[str(label)])
            ids = pd.Series([r[0] for r in conn.execute(
                "SELECT id FROM reports WHERE owner = ? AND level = ?", args)], dtype="string")
            mine = (table["owner"].eq(owner) & table["classification"].eq(label)).fillna(False)
            wanted = ids[_member(ids, table.loc[mine.to_numpy(bool), "id"])]
            if len(wanted):
                rows = conn.execute(
                    f"SELECT {', '.join(self._columns_read)} FROM reports WHERE owner = ? AND "
                    "level = ? AND id IN (SELECT value FROM json_each(?))",
                    (*args, json.dumps(wanted.tolist()))).fetchall()
                frames.append(_frame(rows, self._columns_read))
        return pd.concat(frames, ignore_index=True)

    @property
    def _columns_read(self) -> list[str]:
        return [c for c in _columns() if c != "reporter_contact"]

    def _insert(self, conn: sqlite3.Connection, table: pd.DataFrame, level: np.ndarray) -> None:
        """Insert ``table`` (inside the caller's transaction), in chunks to bound memory."""
        if len(table) == 0:
            return
        first = conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM reports").fetchone()[0]
        key = contact.load_key(self.folder,
                               create=bool(table["reporter_contact"].notna().any()))
        columns = _columns()
        names = ", ".join(["seq", "level", *columns])
        marks = ", ".join("?" * (len(columns) + 2))
        for start in range(0, len(table), self.insert_chunk):
            part = table.iloc[start:start + self.insert_chunk]
            seq = np.arange(first + start, first + start + len(part), dtype="int64")
            values: list[list[Any]] = [seq.tolist(), level[start:start + len(part)].tolist()]
            for name in columns:
                values.append(contact.seal(part, key) if name == "reporter_contact"
                              else _python(_release_text(part[name]) if name == "releasable_to"
                                           else part[name]))
            conn.executemany(f"INSERT INTO reports ({names}) VALUES ({marks})",
                             zip(*values, strict=True))
            del values
            release = _release_text(part["releasable_to"]).str.split(";")
            pairs = pd.DataFrame({"report": seq, "organisation": release.to_numpy()}).explode(
                "organisation").dropna()
            pairs["organisation"] = pairs["organisation"].astype(str).str.strip()
            pairs = pairs[pairs["organisation"] != ""].drop_duplicates()
            conn.executemany("INSERT INTO releasable (organisation, report) VALUES (?, ?)",
                             zip(pairs["organisation"].tolist(), pairs["report"].tolist(),
                                 strict=True))
        conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + ? WHERE key = 'reports'",
                     (len(table),))

    # -- reading -------------------------------------------------------------------------------
    def read(self, reader: AccessContext) -> pd.DataFrame:
        """The reports ``reader`` may see, in the order they were stored.

        ``reporter_contact`` is opened only where :func:`~bluehelmet.intel.contact.entitled`;
        elsewhere it is missing. Where two visible reports share an id (different owners or
        classifications), their ids are shown as ``id@owner/classification``.
        """
        columns = _columns()
        condition, params = visible_sql(reader)
        try:
            rows = self._conn.execute(
                f"SELECT {', '.join(columns)} FROM reports r WHERE {condition} ORDER BY r.seq",
                params).fetchall()
        except sqlite3.Error as exc:
            raise self._damaged(exc) from exc
        out = _frame(rows, columns)
        show = contact.entitled(out, reader)
        key = contact.load_key(self.folder, create=False) if (
            show & out["reporter_contact"].notna().to_numpy(bool)).any() else None
        out["reporter_contact"] = contact.unseal(out["reporter_contact"], out, show, key)
        twice = out["id"].duplicated(keep=False).to_numpy(bool)
        if twice.any():
            qualified = out["id"] + "@" + out["owner"] + "/" + out["classification"]
            out["id"] = out["id"].where(~twice, qualified)
        return out

    def count(self, reader: AccessContext) -> int:
        """How many reports ``reader`` may see."""
        condition, params = visible_sql(reader)
        try:
            return int(self._conn.execute(
                f"SELECT count(*) FROM reports r WHERE {condition}", params).fetchone()[0])
        except sqlite3.Error as exc:
            raise self._damaged(exc) from exc

    def check(self) -> None:
        """Full check: ``PRAGMA integrity_check``, foreign keys, the stored row count."""
        try:
            result = self._conn.execute("PRAGMA integrity_check").fetchall()
            orphans = self._conn.execute("SELECT count(*) FROM releasable x WHERE NOT EXISTS "
                                         "(SELECT 1 FROM reports r WHERE r.seq = x.report)"
                                         ).fetchone()[0]
            count = self._conn.execute("SELECT count(*) FROM reports").fetchone()[0]
            stated = self._conn.execute("SELECT value FROM meta WHERE key = 'reports'"
                                        ).fetchone()
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
            raise StoreError(f"the report store {self.path} fails its integrity check ("
                             + "; ".join(problems) + "); restore it from a backup")


def _rejects(mask: np.ndarray, name: str, values: pd.Series, reason: str,
             fix: str) -> pd.DataFrame:
    where = np.flatnonzero(mask)
    return pd.DataFrame({"position": where, "field": name,
                         "value": values.astype("string").to_numpy(dtype=object)[where],
                         "reason": reason, "fix": fix})


def _connect(path: Path, *, create: bool) -> sqlite3.Connection:
    mode = "rwc" if create else "rw"
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True,
                           isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def _create(folder: Path) -> None:
    """Build an empty store in a temporary file (0600) and rename it into place."""
    for stale in folder.glob(f"{DB_FILE}.tmp-*"):
        stale.unlink(missing_ok=True)
    tmp = folder / f"{DB_FILE}.tmp-{os.getpid()}"
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    conn = _connect(tmp, create=True)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("BEGIN")
        for statement in _schema():
            conn.execute(statement)
        conn.executemany("INSERT INTO meta VALUES (?, ?)",
                         [("schema_version", str(SCHEMA_VERSION)), ("reports", "0")])
        conn.execute("COMMIT")
    finally:
        conn.close()
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, folder / DB_FILE)


def _verify(path: Path, conn: sqlite3.Connection) -> None:
    try:
        app = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.Error as exc:
        raise StoreError(f"the report store {path} is damaged or not a bluehelmet store "
                         f"({type(exc).__name__}); restore it from a backup") from exc
    if app != APPLICATION_ID or not {"meta", "reports", "releasable"} <= tables:
        raise StoreError(f"{path} is not a bluehelmet report store (no store schema); check "
                         "--store, or restore the store from a backup")
    if version != SCHEMA_VERSION:
        raise StoreError(f"the report store {path} has schema version {version}; this "
                         f"bluehelmet reads version {SCHEMA_VERSION}")


def open_store(folder: str | Path, *, create: bool = False) -> SQLiteReportStore:
    """Open the report store in ``folder``.

    Parameters
    ----------
    folder
        The store folder (``--store``).
    create
        Create the folder (0700) and an empty store when missing (for imports). Without it a
        missing folder or store is an error: reads never create anything.

    An old CSV store (``reports.csv`` without ``reports.sqlite``) is migrated once: its reports
    are copied into a new store and the CSV is kept, renamed ``reports.csv.migrated`` (0600).

    Raises
    ------
    StoreError
        If the store is missing (and ``create`` is false), damaged or not a bluehelmet store.
    """
    folder = Path(folder)
    path = folder / DB_FILE
    if not folder.exists():
        if not create:
            raise StoreError(f"no report store at {folder}: the folder does not exist (check "
                             "--store; a store is created by 'bluehelmet intel import')")
        folder.mkdir(parents=True, mode=0o700)
    if not folder.is_dir():
        raise StoreError(f"{folder} is a file, not a report store folder; check --store")
    legacy = folder / LEGACY_FILE
    if not path.exists():
        if legacy.is_file():
            _migrate(folder)
        elif create:
            _create(folder)
        else:
            raise StoreError(f"{folder} holds no report store ({DB_FILE} is missing); check "
                             "--store, or import reports into it first")
    with open(path, "rb") as fh:
        head = fh.read(len(_SQLITE_HEADER))
    if head != _SQLITE_HEADER:
        raise StoreError(f"{path} is not a bluehelmet report store (empty, cut short or not "
                         "SQLite); restore it from a backup")
    try:
        conn = _connect(path, create=False)
    except sqlite3.Error as exc:
        raise StoreError(f"the report store {path} cannot be opened ({type(exc).__name__}); "
                         "check its permissions") from exc
    _verify(path, conn)
    if legacy.is_file():  # a migration cut short after the store was renamed into place
        _retire(legacy)
    return SQLiteReportStore(folder, conn)


def _retire(legacy: Path) -> None:
    legacy.chmod(0o600)
    os.replace(legacy, legacy.with_name(LEGACY_FILE + ".migrated"))


def _migrate(folder: Path) -> None:
    """Copy an old ``reports.csv`` store into a new SQLite store, keeping the CSV."""
    from bluehelmet.intel.reports import read_reports_file

    legacy = folder / LEGACY_FILE
    table, problems = read_reports_file(legacy)
    if [p for p in problems if p.field != "place_name"]:
        raise StoreError(f"the old CSV store {legacy} does not validate ({len(problems)} "
                         "problem(s)), so it was not migrated; check it with 'bluehelmet data "
                         "check' as the organisation that owns it, then import it")
    staging = folder / ".migrating"
    staging.mkdir(mode=0o700, exist_ok=True)
    for stale in staging.iterdir():
        stale.unlink()
    _create(staging)
    with SQLiteReportStore(folder, _connect(staging / DB_FILE, create=False)) as store:
        store.add(table, None)  # already in the store: every owner's reports are kept
    os.replace(staging / DB_FILE, folder / DB_FILE)
    for stale in staging.iterdir():
        stale.unlink()
    staging.rmdir()
    _retire(legacy)


def read_store(folder: str | Path, reader: AccessContext) -> pd.DataFrame:
    """The reports of the store in ``folder`` that ``reader`` may see."""
    with open_store(folder) as store:
        return store.read(reader)


def reports(store: str | Path, reader: AccessContext) -> pd.DataFrame:
    """The reports of the store in folder ``store`` that ``reader`` may see.

    The store filters in its query (:func:`visible_sql`), the gate again
    (:func:`bluehelmet.intel.reports.for_reader`, which writes the audit line); a missing or
    damaged store raises :class:`~bluehelmet.errors.StoreError`. (It lives here, not in
    :mod:`bluehelmet.intel.reports`, because the store reads old CSV stores with that module:
    the two must not import each other.)
    """
    from bluehelmet.intel.reports import for_reader

    return for_reader(read_store(store, reader), reader, f"report store {store}")
