"""HiGHS, the default solver of every optimisation model in bluehelmet (planner, protection)."""

from __future__ import annotations

import os
import sys

import highspy

#: Environment variable that sets HiGHS's thread count in this process (unset: HiGHS decides).
THREADS_ENV = "BLUEHELMET_HIGHS_THREADS"


def new_highs() -> highspy.Highs:
    """A silent HiGHS instance, with the banner HiGHS prints once per process kept off stdout.

    The banner would otherwise land in the middle of the CLI's output (or of anything a caller
    writes to stdout); the redirect is at file-descriptor level because HiGHS writes from C++.
    Solver logging is switched off too; callers that want a log switch ``output_flag`` back on.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        h = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
    h.setOptionValue("output_flag", False)
    threads = os.environ.get(THREADS_ENV, "")
    if threads:
        # Parallel runs (bluehelmet.robust) give every solve one thread: two solves on two
        # cores beat one solve whose threads fight another's for the same cores.
        h.setOptionValue("threads", int(threads))
    return h
