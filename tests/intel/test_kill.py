"""Kill test: ``intel import`` killed (SIGKILL) at random moments leaves the old or the new store.

Each round imports a new file of ROWS reports in a child process and kills it after a random delay
(seeded) spread over the time one whole import takes, so kills land while the file is read,
validated or written. Most children are forked from the test process with bluehelmet already
imported (the kill then hits the import itself, not the interpreter's start); every 25th is a
fresh ``bluehelmet intel import`` interpreter. After every kill the store must open, pass its
integrity check and hold exactly the reports before the import or exactly those plus the whole
file. ``BLUEHELMET_KILLS`` overrides the number of kills (default 50, as issue 15 asks).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.process
import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bluehelmet.intel.store import DB_FILE, open_store
from tests.intel.helpers import HEADER

KILLS = int(os.environ.get("BLUEHELMET_KILLS", "50"))
ROWS = 10_000
CLI = "from bluehelmet.cli.main import app; app()"


def _chunk(folder: Path, k: int, rows: int = ROWS) -> Path:
    rng = np.random.default_rng(k)
    ids = pd.Series(np.arange(rows)).map(lambda i: f"c{k:03d}-{i:06d}")
    table = pd.DataFrame({
        "id": ids, "time": "2018-03-05", "time_precision": "day",
        "longitude": np.round(rng.uniform(-4, -2, rows), 3),
        "latitude": np.round(rng.uniform(14, 16, rows), 3), "place_name": "",
        "category": "attack_on_civilians", "fatalities": rng.integers(0, 4, rows),
        "civilian_deaths": 0, "source_type": "community_alert", "reliability": "F",
        "credibility": 3, "classification": "confidential", "owner": "MINUSMA",
        "releasable_to": "FRA", "source": "kill test (illustrative)",
        "reporter_contact": "+223 555 0" + ids.str[-3:],
    })
    path = folder / f"chunk{k:03d}.csv"
    path.write_text(HEADER + table.to_csv(index=False, header=False, lineterminator="\n"))
    return path


def _start(path: Path, store: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", CLI, "intel", "import", str(path), "--store",
                             str(store), "--org", "MINUSMA", "--clearance", "confidential"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _forked(path: Path, store: Path) -> multiprocessing.process.BaseProcess:
    def run() -> None:
        from bluehelmet.cli.main import app

        code = 0
        try:
            app(["intel", "import", str(path), "--store", str(store), "--org", "MINUSMA",
                 "--clearance", "confidential"], standalone_mode=False)
        except BaseException:  # noqa: BLE001 - the exit code is all the parent needs
            code = 1
        os._exit(code)

    child = multiprocessing.get_context("fork").Process(target=run)
    child.start()
    return child


def _state(store: Path) -> dict[str, int]:
    """Reports per chunk prefix, after opening the store and checking its integrity."""
    with open_store(store) as opened:
        opened.check()
    conn = sqlite3.connect(store / DB_FILE)
    try:
        rows = conn.execute("SELECT substr(id, 1, 4), count(*) FROM reports GROUP BY 1")
        return dict(rows.fetchall())
    finally:
        conn.close()


def test_killed_imports_leave_the_old_or_the_new_store(tmp_path: Path) -> None:
    store = tmp_path / "store"
    files = tmp_path / "files"
    files.mkdir()
    began = time.perf_counter()
    cli = _start(_chunk(files, 0, 1), store)
    assert cli.wait() == 0, cli.stderr.read() if cli.stderr else ""
    startup = time.perf_counter() - began
    began = time.perf_counter()
    first = _forked(_chunk(files, 1), store)
    first.join()
    whole = time.perf_counter() - began
    assert first.exitcode == 0
    expected = {"c000": 1, "c001": ROWS}
    assert _state(store) == expected
    rng = random.Random(15)
    outcomes = {"old": 0, "new": 0}
    mid_write = 0  # kills that left uncommitted pages in the WAL: the old state came back
    k = 2
    path = _chunk(files, k)
    for kill in range(KILLS):
        if kill % 25 == 24:  # a fresh interpreter: the whole command line
            process = _start(path, store)
            try:
                process.wait(timeout=startup + rng.uniform(0.0, 1.1 * whole))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        else:
            child = _forked(path, store)
            child.join(timeout=rng.uniform(0.0, 1.1 * whole))
            if child.is_alive():
                child.kill()  # SIGKILL
                child.join()
        wal = store / f"{DB_FILE}-wal"
        written = wal.exists() and wal.stat().st_size > 0
        state = _state(store)
        if state == expected:
            outcomes["old"] += 1
            mid_write += written
            continue
        assert state == {**expected, f"c{k:03d}": ROWS}, state  # never a third state
        outcomes["new"] += 1
        expected = state
        k += 1
        path = _chunk(files, k)
    assert outcomes["old"] + outcomes["new"] == KILLS
    assert mid_write >= 1 or KILLS < 10, "no kill landed while the store was being written"
    print(f"kills: {outcomes}, {mid_write} of them mid-write (one import: {whole:.1f} s, "
          f"interpreter start {startup:.1f} s)")
