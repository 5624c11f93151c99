"""Kill the real ``bluehelmet data import --into`` 50 times at random moments.

Each round starts the command as a subprocess importing one month of an illustrative UN monthly
file (every country x mission x personnel type of a small list) into a scenario folder, and sends
SIGKILL after a seeded random delay between 0 and 1.2 times the measured length of a full run
(reading, merging and writing included; measured again every 10 kills, as the machine's load
changes). The folder must then load cleanly and hold the state
before the import or the state a complete import gives (compared by record ids per table).

The loop is the test's (:func:`tests.io.kills.kill_rounds`, with the same input files).

Usage::

    python benchmarks/kill_import.py [--kills 50] [--seed 20260605]
"""

from __future__ import annotations

import argparse
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bluehelmet.io.merge import import_into_scenario  # noqa: E402
from bluehelmet.io.un_monthly import read_un_monthly  # noqa: E402
from bluehelmet.scenario.io import load_scenario  # noqa: E402
from tests.io.kills import kill_rounds, un_file  # noqa: E402

COMMAND = [sys.executable, "-c", "from bluehelmet.cli.main import app; app()"]


def state(folder: Path) -> dict[str, tuple[str, ...]]:
    """Record ids per table (loading the folder, which finishes an interrupted swap)."""
    scenario = load_scenario(folder)
    return {name: tuple(sorted(t["id"].astype(str))) for name, t in scenario.tables.items()}


def run(file: Path, folder: Path, delay: float | None) -> float:
    """Run the command; kill it after ``delay`` s (None: wait). Returns the seconds it ran."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [*COMMAND, "data", "import", str(file), "--into", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if delay is None:
        proc.wait()
    else:
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--seed", type=int, default=20260605)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data, folder, expected = Path(tmp) / "files", Path(tmp) / "s", Path(tmp) / "expected"
        data.mkdir()
        run(un_file(data, 1), folder, None)
        shutil.copytree(folder, expected)
        length = run(un_file(data, 2), expected, None)
        lengths = [length]

        def attempt(k: int, rng: random.Random) -> tuple[object, object]:
            nonlocal length
            if k and k % 10 == 0:  # the machine's load changes: measure a full run again
                shutil.rmtree(expected)
                shutil.copytree(folder, expected)
                length = run(un_file(data, 1000 + k), expected, None)
                lengths.append(length)
            file = un_file(data, 3 + k)
            before = state(folder)
            shutil.rmtree(expected)
            shutil.copytree(folder, expected)
            # the complete import's result, computed in this process (the same library code)
            import_into_scenario(
                read_un_monthly(file).table, "deployments", expected, file=str(file)
            )
            run(file, folder, rng.uniform(0, 1.2 * length))
            return before, state(expected)

        outcomes = kill_rounds(
            args.kills,
            args.seed,
            attempt,
            lambda: state(folder),
            lambda k, what: print(f"kill {k + 1}: {what} state", flush=True),
        )
    print(
        f"{args.kills} kills of 'bluehelmet data import --into' (a full run took "
        f"{min(lengths):.1f}-{max(lengths):.1f} s here): the folder loaded every time; "
        f"old state {outcomes['old']}, new state {outcomes['new']}, anything else 0"
    )


if __name__ == "__main__":
    main()
