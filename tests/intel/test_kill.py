"""Kill test: ``intel import`` killed (SIGKILL) at random moments leaves the old or the new store.

Each round imports a new file of ROWS reports in a child process and kills it after a random delay
(seeded). Most children are forked from the test process with bluehelmet already imported (the
kill then hits the import itself, not the interpreter's start): half of them are killed anywhere
in the import, half inside the store's write transaction (the child signals when its write
begins; the kill follows within the time a whole write takes). Every 25th is a fresh
``bluehelmet intel import`` interpreter. After every kill the store must open, pass its
integrity check and hold exactly the reports before the import or exactly those plus the whole
file. The rounds run through the loop shared with the scenario-folder kill tests
(``tests/io/kills.py``: ``kill_rounds``). ``BLUEHELMET_KILLS`` overrides the number of kills
(default 50, as issue 15 asks).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.process
import os
import random
import select
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from bluehelmet.intel.store import DB_FILE, open_store
from tests.intel.helpers import HEADER
from tests.io.kills import kill_rounds

KILLS = int(os.environ.get("BLUEHELMET_KILLS", "50"))
ROWS = 2_000  # rows per imported file: enough for kills inside the write (checked below)
CLI = "from bluehelmet.cli.main import app; app()"


def _chunk(folder: Path, k: int, rows: int = ROWS) -> Path:
    rng = np.random.default_rng(k)
    ids = pd.Series(np.arange(rows)).map(lambda i: f"c{k:03d}-{i:06d}")
    table = pd.DataFrame(
        {
            "id": ids,
            "time": "2018-03-05",
            "time_precision": "day",
            "longitude": np.round(rng.uniform(-4, -2, rows), 3),
            "latitude": np.round(rng.uniform(14, 16, rows), 3),
            "place_name": "",
            "category": "attack_on_civilians",
            "fatalities": rng.integers(0, 4, rows),
            "civilian_deaths": 0,
            "source_type": "community_alert",
            "reliability": "F",
            "credibility": 3,
            "classification": "confidential",
            "owner": "MINUSMA",
            "releasable_to": "FRA",
            "source": "kill test (illustrative)",
            "reporter_contact": "+223 555 0" + ids.str[-3:],
        }
    )
    path = folder / f"chunk{k:03d}.csv"
    path.write_text(HEADER + table.to_csv(index=False, header=False, lineterminator="\n"))
    return path


def _start(path: Path, store: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            CLI,
            "intel",
            "import",
            str(path),
            "--store",
            str(store),
            "--org",
            "MINUSMA",
            "--clearance",
            "confidential",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _forked(path: Path, store: Path) -> tuple[multiprocessing.process.BaseProcess, int]:
    """Fork an import; the returned pipe end gets a byte when the store's write begins.

    The byte is sent from inside the transaction (the store's insert step is wrapped in the
    child only), so a kill after it lands between BEGIN and the end of COMMIT.
    """
    read_end, write_end = os.pipe()

    def run() -> None:
        from bluehelmet.cli.main import app
        from bluehelmet.intel.store import SQLiteReportStore

        os.close(read_end)
        insert = SQLiteReportStore._insert

        def signalled(self: SQLiteReportStore, *args: object) -> None:
            os.write(write_end, b"w")
            insert(self, *args)  # type: ignore[arg-type]

        SQLiteReportStore._insert = signalled  # type: ignore[method-assign]
        code = 0
        try:
            app(
                [
                    "intel",
                    "import",
                    str(path),
                    "--store",
                    str(store),
                    "--org",
                    "MINUSMA",
                    "--clearance",
                    "confidential",
                ],
                standalone_mode=False,
            )
        except BaseException:  # noqa: BLE001 - the exit code is all the parent needs
            code = 1
        os._exit(code)

    child = multiprocessing.get_context("fork").Process(target=run)
    child.start()
    os.close(write_end)
    return child, read_end


def _writing(read_end: int, timeout: float) -> bool:
    """Wait until the child signals that its write began (False if it never did in time)."""
    ready, _, _ = select.select([read_end], [], [], timeout)
    return bool(ready) and os.read(read_end, 1) == b"w"


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


@dataclass
class _Progress:
    """Where the kill rounds are: the chunk to import next and the store expected before it."""

    k: int
    expected: dict[str, int]
    path: Path
    mid_write: int = 0  # kills that landed inside the store's write transaction


def test_killed_imports_leave_the_old_or_the_new_store(tmp_path: Path) -> None:
    store = tmp_path / "store"
    files = tmp_path / "files"
    files.mkdir()
    began = time.perf_counter()
    cli = _start(_chunk(files, 0, 1), store)
    assert cli.wait() == 0, cli.stderr.read() if cli.stderr else ""
    startup = time.perf_counter() - began
    began = time.perf_counter()
    first, signal = _forked(_chunk(files, 1), store)
    assert _writing(signal, 600)
    wrote = time.perf_counter()
    first.join()
    whole = time.perf_counter() - began
    write = time.perf_counter() - wrote
    os.close(signal)
    assert first.exitcode == 0
    expected = {"c000": 1, "c001": ROWS}
    assert _state(store) == expected
    now = _Progress(2, expected, _chunk(files, 2))

    def attempt(kill: int, rng: random.Random) -> tuple[dict[str, int], dict[str, int]]:
        """Import the next chunk and kill the import at a moment drawn from ``rng``."""
        if kill % 25 == 24:  # a fresh interpreter: the whole command line
            process = _start(now.path, store)
            try:
                process.wait(timeout=startup + rng.uniform(0.0, 1.1 * whole))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        else:
            child, signal = _forked(now.path, store)
            if kill % 2 == 0:  # anywhere in the import
                child.join(timeout=rng.uniform(0.0, 1.1 * whole))
            elif _writing(signal, 600):  # inside the write: after BEGIN, up to past COMMIT
                child.join(timeout=rng.uniform(0.0, 1.2 * write))
                now.mid_write += child.is_alive()
            os.close(signal)
            if child.is_alive():
                child.kill()  # SIGKILL
                child.join()
        return now.expected, {**now.expected, f"c{now.k:03d}": ROWS}

    def said(kill: int, outcome: str) -> None:
        """After a kill that left the new store, the next round imports the next chunk."""
        if outcome == "new":
            now.expected = {**now.expected, f"c{now.k:03d}": ROWS}
            now.k += 1
            now.path = _chunk(files, now.k)

    # the shared loop (tests/io/kills.py): a third state fails the round that left it
    outcomes = kill_rounds(KILLS, 15, attempt, lambda: _state(store), said)
    mid_write = now.mid_write
    assert outcomes["old"] + outcomes["new"] == KILLS
    assert mid_write >= KILLS // 10, "too few kills landed while the store was being written"
    print(
        f"kills: {outcomes}, {mid_write} inside the write transaction (one import: "
        f"{whole:.1f} s of which writing {write:.1f} s; interpreter start {startup:.1f} s)"
    )
