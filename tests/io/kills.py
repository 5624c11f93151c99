"""The seeded-kill loop shared by every kill test and ``benchmarks/kill_import.py``.

``tests/io/test_kill.py`` and the benchmark interrupt a write of a scenario folder (the test: the
forked write step; the benchmark: the real ``bluehelmet data import --into`` command),
``tests/intel/test_kill.py`` an ``intel import`` into a report store, at seeded random moments;
each checks that the folder or store afterwards holds the state before the write or the state a
complete write gives, never a third. :func:`kill_rounds` is that loop; :func:`un_file` makes the
illustrative UN input files.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from tests.io.helpers import UN_HEADER

State = TypeVar("State")

#: The illustrative UN monthly rows: every country x mission x personnel type.
COUNTRIES = [
    ("BGD", "Bangladesh"),
    ("NPL", "Nepal"),
    ("FRA", "France"),
    ("SEN", "Senegal"),
    ("CHN", "China"),
    ("TCD", "Chad"),
]
MISSIONS = ["MINUSMA", "UNIFIL", "MONUSCO", "UNMISS"]
TYPES = ["Troops", "Staff Officer", "Experts on Mission", "Individual Police"]
_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


def un_file(folder: Path, month: int) -> Path:
    """Illustrative UN monthly rows for month number ``month`` after January 2000."""
    year, mon = 2000 + month // 12, month % 12 + 1
    last = 29 if mon == 2 and year % 4 == 0 else _DAYS[mon - 1]
    rows = [
        f"{iso},{name},{m},{t},{(i * 7 + month) % 13},{(i * 31 + month) % 400},"
        f"{last:02d}/{mon:02d}/{year}"
        for i, ((iso, name), m, t) in enumerate(
            (c, m, t) for c in COUNTRIES for m in MISSIONS for t in TYPES
        )
    ]
    path = folder / f"un_{month:03d}.csv"
    path.write_text("\n".join([UN_HEADER, *rows]) + "\n", "utf-8")
    return path


def kill_rounds(
    kills: int,
    seed: int,
    attempt: Callable[[int, random.Random], tuple[State, State]],
    observe: Callable[[], State],
    said: Callable[[int, str], None] | None = None,
) -> dict[str, int]:
    """Run ``kills`` seeded rounds of "write, kill, look"; count old and new states.

    Parameters
    ----------
    kills, seed
        Number of rounds and the seed of the one random generator all rounds draw from.
    attempt
        ``attempt(k, rng)`` starts round ``k``'s write, kills it at a moment drawn from ``rng``,
        and returns the two states allowed afterwards: (before the write, after a complete
        write).
    observe
        Reads the state now (recovering an interrupted swap first, as every reader does).
    said
        Called with the round and ``"old"``/``"new"`` after each round (progress output).

    Returns
    -------
    dict
        ``{"old": rounds that left the old state, "new": rounds that left the new one}``.

    Raises
    ------
    AssertionError
        At the first round that leaves a third state, naming the round.
    """
    rng = random.Random(seed)
    outcomes = {"old": 0, "new": 0}
    for k in range(kills):
        old, new = attempt(k, rng)
        now = observe()
        assert now in (old, new), f"kill {k}: the folder is in neither the old nor the new state"
        outcome = "old" if now == old else "new"
        outcomes[outcome] += 1
        if said is not None:
            said(k, outcome)
    return outcomes
