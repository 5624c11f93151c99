"""HiGHS prints nothing, and silencing it swallows no one else's output.

Run in a subprocess whose stdout and stderr are pipes, so that anything the C++ library writes to
file descriptors 1 or 2 is captured too (``capsys`` would only see Python's writes).
"""

from __future__ import annotations

import subprocess
import sys

SCRIPT = r"""
import threading
import numpy as np
import highspy
from bluehelmet.highs import new_highs

def solve_one():
    h = new_highs()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = 2, 1
    lp.col_cost_ = np.array([1.0, 2.0])
    lp.col_lower_, lp.col_upper_ = np.zeros(2), np.ones(2) * 5
    lp.row_lower_, lp.row_upper_ = np.array([1.0]), np.array([highspy.kHighsInf])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.array([0, 1, 2], dtype=np.int32)
    lp.a_matrix_.index_ = np.array([0, 0], dtype=np.int32)
    lp.a_matrix_.value_ = np.array([1.0, 1.0])
    h.passModel(lp)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal

def chatter():
    for i in range(200):
        print(f"other thread {i}", flush=True)

t = threading.Thread(target=chatter)
t.start()
for _ in range(20):
    solve_one()
t.join()
print("done", flush=True)
"""


def test_highs_prints_no_banner_and_other_threads_keep_their_output() -> None:
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, timeout=300
    )
    assert "HiGHS" not in run.stdout and "HiGHS" not in run.stderr
    lines = run.stdout.splitlines()
    assert [line for line in lines if line.startswith("other thread")] == [
        f"other thread {i}" for i in range(200)
    ]
    assert lines[-1] == "done" and run.stderr == ""
