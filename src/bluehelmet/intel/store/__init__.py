"""The report store: one storage interface, an embedded SQLite implementation.

:class:`~bluehelmet.intel.store.interface.ReportStore` is what the command line and the library
use; :class:`~bluehelmet.intel.store.sqlite.SQLiteReportStore` implements it in one file,
``<store folder>/reports.sqlite``, in WAL mode. The platform's PostgreSQL store implements the
same four operations (add, view, count, check). Reading is :meth:`view(reader)
<bluehelmet.intel.store.sqlite.SQLiteReportStore.view>`, which returns the
:class:`~bluehelmet.intel.view.ReportView` every analysis accepts.

Modules: :mod:`~bluehelmet.intel.store.interface` (the protocol, :class:`AddResult`),
:mod:`~bluehelmet.intel.store.schema` (tables, indexes, the need-to-know condition),
:mod:`~bluehelmet.intel.store.sqlite` (add, view, count, check),
:mod:`~bluehelmet.intel.store.files` (open, create, upgrade, migrate).

Promises (tested in ``tests/intel/test_store*.py``; see docs/reliability.md, "Report store"):

* **Atomic writes.** One import is one transaction: a kill at any moment leaves the store as it
  was before the import or as it is after it. A new store is built in a temporary file and renamed
  into place, so a store file always has its schema.
* **Damage is an error, never an empty store.** Opening checks the SQLite header, the application
  id, the schema version and the tables; ``check()`` adds ``PRAGMA integrity_check`` and the row
  counts. Messages name the store, never a stored value.
* **Reading costs what the reader can see.** The need-to-know condition is the gate's own SQL
  rendering (:meth:`bluehelmet.model.access.NeedToKnow.sql`), three OR-ed terms each served by an
  index (classification; owner and classification; releasability), so SQLite reads only the
  visible rows.
* **Need-to-know on writes.** A writer creates reports owned by their organisation at or below
  their clearance. A report's identity is (owner, classification, id): the only ids a writer can
  collide with are in that namespace, which the writer can read, so no answer reveals a hidden id.
* **Private files.** The folder is created 0700, the database 0600 (SQLite gives its WAL files the
  same mode); reporter contacts are sealed (:mod:`bluehelmet.intel.contact`).
"""

from bluehelmet.intel.store.files import LEGACY_FILE, open_store, read_view
from bluehelmet.intel.store.interface import AddResult, ReportStore
from bluehelmet.intel.store.sqlite import DB_FILE, SQLiteReportStore

__all__ = [
    "DB_FILE",
    "LEGACY_FILE",
    "AddResult",
    "ReportStore",
    "SQLiteReportStore",
    "open_store",
    "read_view",
]
