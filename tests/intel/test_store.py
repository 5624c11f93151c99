"""The SQLite report store: need to know in SQL, write rights, no id oracle, damage, secrecy."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bluehelmet.cli.main import app
from bluehelmet.errors import StoreError
from bluehelmet.intel import contact
from bluehelmet.intel.store import DB_FILE, open_store, read_view
from bluehelmet.intel.store.schema import visible as visible_sql
from bluehelmet.model.access import AccessContext, Classification, visible
from tests.intel.helpers import CASE, HEADER, fill_store
from tests.intel.helpers import reports as case

MINUSMA = AccessContext("MINUSMA", Classification.CONFIDENTIAL)
CONTACT = "+223 555 0101"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_are_private_and_the_key_lives_outside(
    tmp_path: Path, _private_key_folder: Path
) -> None:
    store = fill_store(tmp_path / "store", case())
    assert _mode(store) == 0o700
    assert _mode(store / DB_FILE) == 0o600
    for extra in store.glob(DB_FILE + "-*"):  # WAL files, when present
        assert _mode(extra) == 0o600
    key = _private_key_folder / "bluehelmet" / "store.key"
    assert _mode(key) == 0o600 and not key.is_relative_to(store)


def test_contact_is_encrypted_at_rest_and_shown_only_to_its_owner(tmp_path: Path) -> None:
    store = fill_store(tmp_path / "store", case())
    raw = b"".join(p.read_bytes() for p in store.iterdir())
    assert CONTACT.encode() not in raw and b"555 0101" not in raw

    def contact_of(reader: AccessContext) -> object:
        shown = read_view(store, reader).reports.set_index("id")
        return shown.loc["v1", "reporter_contact"] if "v1" in shown.index else "hidden"

    assert contact_of(MINUSMA) == CONTACT
    assert (
        pd.isna(contact_of(AccessContext("MINUSMA", Classification.STRICTLY_CONFIDENTIAL))) is False
    )
    assert contact_of(AccessContext("MINUSMA", Classification.UNCLASSIFIED)) == "hidden"
    released = case()
    released["releasable_to"] = pd.array(["UN-DPO"] * len(released), dtype="string")
    other = fill_store(tmp_path / "released", released)
    shown = read_view(other, AccessContext("UN-DPO", Classification.CONFIDENTIAL)).reports
    assert "v1" in set(shown["id"]) and shown["reporter_contact"].isna().all()


def test_wrong_key_is_an_error_naming_no_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = fill_store(tmp_path / "store", case())
    monkeypatch.setenv(contact.KEY_ENV, "A" * 43 + "=")
    with pytest.raises(StoreError, match="does not open") as err:
        read_view(store, MINUSMA)
    assert "v1" not in str(err.value)


def test_key_file_inside_the_store_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(contact.KEY_FILE_ENV, str(tmp_path / "store" / "k.key"))
    with pytest.raises(StoreError, match="inside the store"):
        fill_store(tmp_path / "store", case())


def test_writers_create_only_their_own_records_at_their_clearance(tmp_path: Path) -> None:
    table = case()
    with open_store(tmp_path / "store", create=True) as store:
        store.insert_chunk = 2  # several chunks, one commit
        result = store.add(table, MINUSMA)
        assert result.added == 3 and result.rejected["position"].tolist() == [3]
        assert "your organisation (MINUSMA)" in result.rejected.loc[0, "reason"]
        low = store.add(table.iloc[[1]], AccessContext("MINUSMA", Classification.UNCLASSIFIED))
        assert low.added == 0 and len(low.rejected) == 1
        shown = store.view(MINUSMA).reports
        assert shown["id"].tolist() == ["p1", "v1", "x1"]
        assert shown["reporter_contact"].tolist()[1] == CONTACT
        store.check()


def test_stored_reports_are_found_from_either_side(tmp_path: Path) -> None:
    """Same report: already there; same id, other values: a conflict; whichever side is larger.

    A namespace holding more reports than the import names is searched by the import's ids in
    the index; a smaller one is read whole and matched in memory. Both give the same answer.
    """
    table = case().iloc[:3]  # p1, v1, x1: MINUSMA's
    changed = table.assign(fatalities=table["fatalities"] + 1)
    with open_store(tmp_path / "store", create=True) as store:
        assert store.add(table, MINUSMA).added == 3
        for rows in ([0], [0, 1, 2]):  # fewer ids than stored, then as many
            again = store.add(pd.concat([table.iloc[rows], changed.iloc[rows]]), MINUSMA)
            assert again.added == 0 and again.present == len(rows)
            assert again.rejected["field"].tolist() == ["id"] * len(rows)
        more = case().iloc[[0]].assign(id="p2")
        bigger = store.add(pd.concat([changed, more, table.iloc[[1]]]), MINUSMA)
        assert (bigger.added, bigger.present, len(bigger.rejected)) == (1, 1, 3)
        store.check()


def test_a_hidden_id_is_never_revealed(tmp_path: Path) -> None:
    """Importing an id a writer cannot see behaves exactly like importing a fresh id."""
    hidden = case()  # s1 is FRA's, strictly confidential; v1 is MINUSMA's, confidential
    folder = fill_store(tmp_path / "store", hidden)
    probe = case(
        HEADER
        + "\n".join(
            [
                "s1,2019-01-01,day,-3.0,15.0,,other,,,patrol,B,2,unclassified,MINUSMA,,probe,",
                "v1,2019-01-01,day,-3.0,15.0,,other,,,patrol,B,2,unclassified,MINUSMA,,probe,",
                "zz,2019-01-01,day,-3.0,15.0,,other,,,patrol,B,2,unclassified,MINUSMA,,probe,",
            ]
        )
        + "\n"
    )
    writer = AccessContext("MINUSMA", Classification.UNCLASSIFIED)
    with open_store(folder) as store:
        result = store.add(probe, writer)
    assert (result.added, result.present, len(result.rejected)) == (3, 0, 0)
    # the owner at full clearance sees both v1s, told apart by owner and classification
    both = read_view(folder, AccessContext("MINUSMA", Classification.STRICTLY_CONFIDENTIAL)).reports
    assert {"v1@MINUSMA/confidential", "v1@MINUSMA/unclassified", "s1"} <= set(both["id"])
    assert set(read_view(folder, writer).reports["id"]) >= {"v1", "s1", "zz"}


@settings(max_examples=30, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["A", "B", "C"]),
            st.integers(0, 2),
            st.sampled_from(["", "A", "B", "A;C", "C; B"]),
        ),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from(["A", "B", "C", "D"]),
    st.integers(0, 2),
)
def test_sql_filter_agrees_with_the_library_rule(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, int, str]], org: str, level: int
) -> None:
    labels = [c.label for c in Classification]
    lines = [
        f"r{i},2019-01-01,day,-3.0,15.0,,other,,,patrol,B,2,{labels[lvl]},{owner},"
        f'"{rel}",generated,'
        for i, (owner, lvl, rel) in enumerate(rows)
    ]
    table = case(HEADER + "\n".join(lines) + "\n")
    folder = fill_store(tmp_path_factory.mktemp("store"), table)
    reader = AccessContext(org, Classification(level))
    expected = table.loc[visible(table, reader), "id"].tolist()
    with open_store(folder) as store:
        assert sorted(store.view(reader).reports["id"]) == sorted(expected)  # stored owner by owner
        assert store.count(reader) == len(expected)


def test_visibility_query_uses_indexes_only(tmp_path: Path) -> None:
    folder = fill_store(tmp_path / "store", case())
    sql = visible_sql(MINUSMA)
    conn = sqlite3.connect(folder / DB_FILE)
    plan = " ".join(
        str(r[3])
        for r in conn.execute(
            f"EXPLAIN QUERY PLAN SELECT id FROM reports r WHERE {sql.text}", sql.params
        )
    )
    conn.close()
    assert "MULTI-INDEX OR" in plan and "SCAN r" not in plan


@pytest.mark.parametrize("damage", ["empty", "cut", "garbage", "other_sqlite", "pages"])
def test_a_damaged_store_is_an_error_never_an_empty_store(tmp_path: Path, damage: str) -> None:
    folder = fill_store(tmp_path / "store", case())
    db = folder / DB_FILE
    with open_store(folder) as store:  # fold the WAL into the file first
        store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = db.read_bytes()
    if damage == "empty":
        db.write_bytes(b"")
    elif damage == "cut":
        db.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        db.write_bytes(b"id,owner\nx,FRA\n")
    elif damage == "other_sqlite":
        db.unlink()
        sqlite3.connect(db).execute("CREATE TABLE reports (id TEXT)").connection.close()
    else:  # overwrite every page after the first with noise
        db.write_bytes(data[:4096] + bytes(range(256)) * ((len(data) - 4096) // 256))
    runner = CliRunner()
    for command in (
        ["intel", "reports"],
        ["intel", "check"],
        ["intel", "export", "--out", str(tmp_path / "x.csv")],
    ):
        result = runner.invoke(
            app,
            [*command, "--store", str(folder), "--org", "public", "--clearance", "unclassified"],
        )
        assert result.exit_code == 2, (command, result.output)
        assert "report(s)" not in result.output and "Traceback" not in result.output
        for secret in ("s1", "FRA", "555", "partner"):
            assert secret not in result.output.replace(str(folder), "")


def test_reads_never_create_a_store(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = tmp_path / "mistyped"
    for command in (
        ["reports"],
        ["fuse"],
        ["hotspots"],
        ["trends"],
        ["check"],
        ["export", "--out", str(tmp_path / "e.csv")],
    ):
        result = runner.invoke(app, ["intel", *command, "--store", str(missing)])
        assert result.exit_code == 2, (command, result.output)
        said = " ".join(result.output.split())
        assert "does not exist" in said or "not there" in said, said
        assert not missing.exists()
    (tmp_path / "empty").mkdir()
    result = runner.invoke(app, ["intel", "reports", "--store", str(tmp_path / "empty")])
    assert result.exit_code == 2 and "holds no report store" in " ".join(result.output.split())


def test_an_old_csv_store_is_migrated_once_and_kept(tmp_path: Path) -> None:
    folder = tmp_path / "old"
    folder.mkdir()
    (folder / "reports.csv").write_text(CASE)
    shown = read_view(folder, MINUSMA).reports
    assert shown["id"].tolist() == ["p1", "v1", "x1"]
    assert shown.set_index("id").loc["v1", "reporter_contact"] == CONTACT
    assert not (folder / "reports.csv").exists()
    kept = folder / "reports.csv.migrated"
    assert kept.read_text() == CASE and _mode(kept) == 0o600
    assert read_view(folder, AccessContext("FRA", Classification.STRICTLY_CONFIDENTIAL)).reports[
        "id"
    ].tolist() == ["p1", "x1", "s1"]


def _downgrade_to_version_1(db: Path) -> None:
    """Rewrite a store in the schema version 1 layout (integer level, ``releasable``)."""
    from bluehelmet.intel.store.schema import columns

    names = ", ".join(columns())
    conn = sqlite3.connect(db, isolation_level=None)
    conn.executescript(f"""
        BEGIN;
        CREATE TABLE old (seq INTEGER PRIMARY KEY, level INTEGER NOT NULL, {names},
                          UNIQUE (owner, level, id));
        INSERT INTO old SELECT seq, CASE classification WHEN 'unclassified' THEN 0
            WHEN 'confidential' THEN 1 ELSE 2 END, {names} FROM reports;
        CREATE TABLE releasable (organisation TEXT NOT NULL, report INTEGER NOT NULL,
                                 PRIMARY KEY (organisation, report)) WITHOUT ROWID;
        INSERT INTO releasable SELECT organisation, record_id FROM report_release;
        DROP TABLE report_release; DROP TABLE reports;
        ALTER TABLE old RENAME TO reports;
        CREATE INDEX reports_by_level ON reports (level);
        UPDATE meta SET value = '1' WHERE key = 'schema_version';
        PRAGMA user_version = 1;
        COMMIT;""")
    conn.close()


def test_a_version_1_store_is_upgraded_in_place_and_reads_the_same(tmp_path: Path) -> None:
    released = case()
    released["releasable_to"] = pd.Series([(), ("FRA",), (), ("MINUSMA", "UN-DPO")], dtype=object)
    folder = fill_store(tmp_path / "store", released)
    readers = [
        MINUSMA,
        AccessContext("FRA", Classification.CONFIDENTIAL),
        AccessContext("UN-DPO", Classification.STRICTLY_CONFIDENTIAL),
    ]
    before = [read_view(folder, r).reports for r in readers]
    _downgrade_to_version_1(folder / DB_FILE)
    after = [read_view(folder, r).reports for r in readers]  # the first open upgrades
    for old, new in zip(before, after, strict=True):
        pd.testing.assert_frame_equal(old, new)
    assert [len(t) for t in after] == [3, 3, 3]  # p1, x1 and one released report each
    conn = sqlite3.connect(folder / DB_FILE)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    conn.close()
    with open_store(folder) as store:
        store.check()


def test_every_view_leaves_one_audit_line_counting_only_what_it_shows(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from bluehelmet.intel.view import ReportTable

    folder = fill_store(tmp_path / "store", case())
    with caplog.at_level("INFO", logger="bluehelmet.audit"):
        seen = read_view(folder, MINUSMA)
        events = ReportTable(case(), "UCDP GED test").view(AccessContext.public())
    lines = [r.audit for r in caplog.records if r.name == "bluehelmet.audit"]  # type: ignore[attr-defined]
    assert [(a["source"], a["rows"], a["organisation"]) for a in lines] == [
        (f"report store {folder}", {"reports": 3}, "MINUSMA"),
        ("UCDP GED test", {"reports": 2}, "public"),
    ]
    assert len(seen) == 3 and seen.marking == Classification.CONFIDENTIAL
    assert len(events) == 2 and events.marking == Classification.UNCLASSIFIED
    assert "s1" not in caplog.text and "FRA" not in caplog.text
