"""The store file: open, create (atomically), verify, upgrade, migrate an old CSV store."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from bluehelmet.errors import StoreError
from bluehelmet.intel.store import schema
from bluehelmet.intel.store.sqlite import DB_FILE, SQLiteReportStore
from bluehelmet.intel.view import ReportView
from bluehelmet.model.access import AccessContext

LEGACY_FILE = "reports.csv"
_SQLITE_HEADER = b"SQLite format 3\x00"
#: Page cache of a connection, in KiB (a bulk import touches many index pages; a cache this
#: large keeps SQLite from spilling half-built pages into the WAL mid-transaction).
CACHE_KIB = 65_536


def connect(path: Path, *, create: bool) -> sqlite3.Connection:
    """A connection to the store file ``path`` (autocommit; transactions are explicit)."""
    mode = "rwc" if create else "rw"
    conn = sqlite3.connect(
        f"{path.resolve().as_uri()}?mode={mode}",
        uri=True,
        isolation_level=None,
        check_same_thread=False,
    )
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    conn.execute("PRAGMA temp_store = MEMORY")
    return conn


def new_store(folder: Path) -> None:
    """Build an empty store in a temporary file (0600) and rename it into place."""
    for stale in folder.glob(f"{DB_FILE}.tmp-*"):
        stale.unlink(missing_ok=True)
    tmp = folder / f"{DB_FILE}.tmp-{os.getpid()}"
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    conn = connect(tmp, create=True)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION}")
        conn.execute("BEGIN")
        for statement in schema.statements():
            conn.execute(statement)
        conn.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [("schema_version", str(schema.SCHEMA_VERSION)), ("reports", "0")],
        )
        conn.execute("COMMIT")
    finally:
        conn.close()
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, folder / DB_FILE)


def _verify(path: Path, conn: sqlite3.Connection) -> None:
    """Check the application id, tables and version; upgrade a version 1 store in place."""
    try:
        app = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.Error as exc:
        raise StoreError(
            f"the report store {path} is damaged or not a bluehelmet store "
            f"({type(exc).__name__}); restore it from a backup"
        ) from exc
    if app != schema.APPLICATION_ID or not {"meta", "reports"} <= tables:
        raise StoreError(
            f"{path} is not a bluehelmet report store (no store schema); check "
            "--store, or restore the store from a backup"
        )
    if version == 1 and "releasable" in tables:
        _upgrade(path, conn)
    elif version != schema.SCHEMA_VERSION or schema.RELEASE_TABLE not in tables:
        raise StoreError(
            f"the report store {path} has schema version {version}; this "
            f"bluehelmet reads version {schema.SCHEMA_VERSION}"
        )


def _upgrade(path: Path, conn: sqlite3.Connection) -> None:
    """Upgrade a version 1 store to version 2 in one transaction (a kill leaves either)."""
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            if conn.execute("PRAGMA user_version").fetchone()[0] == 1:  # not done meanwhile
                for statement in schema.upgrade_statements():
                    conn.execute(statement)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        raise StoreError(
            f"the report store {path} (schema version 1) could not be upgraded "
            f"({type(exc).__name__}); check it with 'bluehelmet intel check' using "
            "the bluehelmet that wrote it, or restore it from a backup"
        ) from exc


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
    A schema version 1 store is upgraded to version 2 in one transaction.

    Raises
    ------
    StoreError
        If the store is missing (and ``create`` is false), damaged or not a bluehelmet store.
    """
    folder = Path(folder)
    path = folder / DB_FILE
    if not folder.exists():
        if not create:
            raise StoreError(
                f"no report store at {folder}: the folder does not exist (check "
                "--store; a store is created by 'bluehelmet intel import')"
            )
        folder.mkdir(parents=True, mode=0o700)
    if not folder.is_dir():
        raise StoreError(f"{folder} is a file, not a report store folder; check --store")
    legacy = folder / LEGACY_FILE
    if not path.exists():
        if legacy.is_file():
            _migrate(folder)
        elif create:
            new_store(folder)
        else:
            raise StoreError(
                f"{folder} holds no report store ({DB_FILE} is missing); check "
                "--store, or import reports into it first"
            )
    with open(path, "rb") as fh:
        head = fh.read(len(_SQLITE_HEADER))
    if head != _SQLITE_HEADER:
        raise StoreError(
            f"{path} is not a bluehelmet report store (empty, cut short or not "
            "SQLite); restore it from a backup"
        )
    try:
        conn = connect(path, create=False)
    except sqlite3.Error as exc:
        raise StoreError(
            f"the report store {path} cannot be opened ({type(exc).__name__}); "
            "check its permissions"
        ) from exc
    try:
        _verify(path, conn)
    except StoreError:
        conn.close()
        raise
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
        raise StoreError(
            f"the old CSV store {legacy} does not validate ({len(problems)} "
            "problem(s)), so it was not migrated; check it with 'bluehelmet data "
            "check' as the organisation that owns it, then import it"
        )
    staging = folder / ".migrating"
    staging.mkdir(mode=0o700, exist_ok=True)
    for stale in staging.iterdir():
        stale.unlink()
    new_store(staging)
    with SQLiteReportStore(folder, connect(staging / DB_FILE, create=False)) as store:
        store.add(table, None)  # already in the store: every owner's reports are kept
    os.replace(staging / DB_FILE, folder / DB_FILE)
    for stale in staging.iterdir():
        stale.unlink()
    staging.rmdir()
    _retire(legacy)


def read_view(folder: str | Path, reader: AccessContext) -> ReportView:
    """The reports of the store in ``folder`` that ``reader`` may see (opened and closed).

    Raises
    ------
    StoreError
        If the store is missing, damaged or not a bluehelmet store.
    """
    with open_store(folder) as store:
        return store.view(reader)
