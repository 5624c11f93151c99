"""Kill the scenario write of ``data import --into`` at random points: old or new state.

``data import --into`` reads the file, merges it into the scenario in memory, and writes the
folder with :func:`~bluehelmet.scenario.io.save_scenario`; only that write changes anything on
disk. Each round forks a child that writes one of two scenarios over the other and SIGKILLs it
before a seeded random one of its file-system steps (renames, replaces, fsyncs, deletions: every
step of the write can be hit, however busy the machine), or, every fifth round, after a seeded
random delay. The folder is then recovered and must hold, byte for byte, the old or the new
state, and load.
``benchmarks/kill_import.py`` kills the real command line (reading included) the same way; both
use the one loop, :func:`tests.io.kills.kill_rounds`.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import sys
import time
from pathlib import Path

import pytest

from bluehelmet.io.merge import import_into_scenario
from bluehelmet.io.un_monthly import read_un_monthly
from bluehelmet.io.write import recover_folder
from bluehelmet.scenario.core import Scenario
from bluehelmet.scenario.io import load_scenario, save_scenario
from tests.io.kills import kill_rounds, un_file

KILLS = 50
SEED = 20260605


def fingerprint(folder: Path) -> str:
    """Hash of every file's name and bytes in the folder."""
    digest = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


#: The file-system steps of a write, where a kill is placed (before the n-th step).
STEPS = ("rename", "replace", "rmtree", "_fsync")


def _counting(kill_at: int | None) -> list[int]:
    """Patch the write's file-system steps to count them (and SIGKILL at step ``kill_at``)."""
    import shutil as shutil_module

    import bluehelmet.io.write as w

    count = [0]

    def wrap(func):  # type: ignore[no-untyped-def]
        def step(*args, **kwargs):  # type: ignore[no-untyped-def]
            if count[0] == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
            count[0] += 1
            return func(*args, **kwargs)

        return step

    w.os.rename = wrap(os.rename)  # type: ignore[attr-defined]
    w.os.replace = wrap(os.replace)  # type: ignore[attr-defined]
    w.shutil.rmtree = wrap(shutil_module.rmtree)  # type: ignore[attr-defined]
    w._fsync = wrap(w._fsync)  # type: ignore[attr-defined]
    return count


def killed_save(
    scenario: Scenario, folder: Path, kill_at: int | None, delay: float | None = None
) -> int:
    """Save in a forked child, SIGKILLed before its ``kill_at``-th file-system step, or after
    ``delay`` seconds; returns the child's exit status, or the number of steps if neither."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            count = _counting(kill_at)
            save_scenario(scenario, folder)
            code = min(count[0], 250) if kill_at is None and delay is None else 0
        except BaseException:
            code = 255
        os._exit(code)
    if delay is not None:
        time.sleep(delay)
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


@pytest.mark.skipif(
    not hasattr(os, "fork") or sys.platform == "darwin",
    reason="forks to start the killed writes cheaply",
)
def test_fifty_random_kills_leave_old_or_new_state(tmp_path: Path) -> None:
    data = tmp_path / "files"
    data.mkdir()
    states = []
    for month, name in ((1, "a"), (2, "b")):  # two real import results: before and after
        folder = tmp_path / name
        if states:
            save_scenario(load_scenario(states[-1]), folder)
        file = un_file(data, month)
        import_into_scenario(read_un_monthly(file).table, "deployments", folder, file=str(file))
        states.append(folder)
    scenarios = [load_scenario(f) for f in states]
    prints = [fingerprint(f) for f in states]
    assert prints[0] != prints[1]
    target = tmp_path / "scenario"
    save_scenario(scenarios[0], target)
    steps = killed_save(scenarios[1], target, None)  # a full write: count its steps
    assert 10 < steps < 250 and fingerprint(target) == prints[1]
    start = time.perf_counter()
    killed_save(scenarios[0], target, steps + 1)
    length = time.perf_counter() - start
    current = [0]

    def attempt(k: int, rng: random.Random) -> tuple[str, str]:
        other = 1 - current[0]
        if k % 5 == 4:  # every fifth kill at a random moment instead of a random step
            killed_save(scenarios[other], target, None, rng.uniform(0, 1.2 * length))
        else:
            killed_save(scenarios[other], target, rng.randrange(steps + 1))
        return prints[current[0]], prints[other]

    def observe() -> str:
        recover_folder(target)
        return fingerprint(target)

    def after(k: int, outcome: str) -> None:
        current[0] = prints.index(fingerprint(target))
        if k % 10 == 9:
            load_scenario(target)  # loads cleanly (the states above are loadable ones)

    outcomes = kill_rounds(KILLS, SEED, attempt, observe, after)
    # the kills must have landed on both sides of the swap, or the test proved little
    assert outcomes["old"] > 0 and outcomes["new"] > 0, outcomes
