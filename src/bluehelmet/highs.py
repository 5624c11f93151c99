"""HiGHS, the default solver of every optimisation model in bluehelmet (planner, protection)."""

from __future__ import annotations

import os

import highspy
import numpy as np

from bluehelmet.optimize.linear import LinearModel


class QuietHighs(highspy.Highs):
    """A HiGHS instance that logs nothing unless asked to.

    HiGHS prints its banner ("Running HiGHS ...") the first time any method other than setting an
    option is called while ``output_flag`` is on; highspy calls such a method
    (``enableCallbacks``) in its constructor. This class switches logging off by HiGHS's own
    options before that call, so nothing reaches the process's stdout. No file descriptor is
    touched: other threads' output (a web worker's, the CLI's progress display) goes on
    untouched. Callers that want a solver log switch ``output_flag`` back on.
    """

    def enableCallbacks(self) -> None:  # noqa: N802 (highspy's name)
        """Switch logging off, then enable highspy's callbacks (called by the constructor)."""
        self.setOptionValue("output_flag", False)
        self.setOptionValue("log_to_console", False)
        super().enableCallbacks()


#: Environment variable that sets HiGHS's thread count in this process (unset: HiGHS decides).
THREADS_ENV = "BLUEHELMET_HIGHS_THREADS"


def new_highs() -> highspy.Highs:
    """A silent HiGHS instance (see :class:`QuietHighs`).

    With :data:`THREADS_ENV` set (parallel runs of :mod:`bluehelmet.robust`), every solve gets that
    many threads: two solves on two cores beat one solve whose threads fight another's.
    """
    h = QuietHighs()
    threads = os.environ.get(THREADS_ENV, "")
    if threads:
        h.setOptionValue("threads", int(threads))
    return h


def to_highs(
    model: LinearModel,
    columns: np.ndarray | None = None,
    *,
    cost: np.ndarray | None = None,
    maximise: bool = False,
) -> highspy.Highs:
    """A silent HiGHS instance holding ``model``, the one way a model reaches the solver.

    Parameters
    ----------
    model
        The model (force generation or protection).
    columns
        Only these columns (indices), as an LP (the working set of
        :mod:`bluehelmet.forcegen.sifting`); their order is the instance's column order.
    cost
        Objective coefficients over the model's columns (default none: set per stage later).
    maximise
        Maximise the objective instead of minimising it.
    """
    a = model.matrix
    col_lo, col_hi, integer, row_lo, row_hi = model.bounds()
    c = np.zeros(model.n_cols) if cost is None else np.asarray(cost, float)
    if columns is not None:
        a, col_lo, col_hi, c = a[:, columns], col_lo[columns], col_hi[columns], c[columns]
        integer = np.zeros(a.shape[1], bool)  # the working set of an LP
    n = a.shape[1]
    h = new_highs()
    # The model passed as arrays (HiGHS's C-style call): setting a HighsLp's fields instead
    # copies every coefficient through Python, 4 s per 20 million at 100,000 pledges.
    status = h.passModel(
        n,
        model.n_rows,
        int(a.nnz),
        int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize),
        0.0,
        np.ascontiguousarray(c, dtype=np.float64),
        np.ascontiguousarray(col_lo, dtype=np.float64),
        np.ascontiguousarray(col_hi, dtype=np.float64),
        np.ascontiguousarray(row_lo, dtype=np.float64),
        np.ascontiguousarray(row_hi, dtype=np.float64),
        np.ascontiguousarray(a.indptr[:-1], dtype=np.int32),
        np.ascontiguousarray(a.indices, dtype=np.int32),
        np.ascontiguousarray(a.data, dtype=np.float64),
        np.ascontiguousarray(integer, dtype=np.int32),
    )
    if status == highspy.HighsStatus.kError:  # a warning (e.g. tiny coefficients) is no error
        raise ValueError("HiGHS refused the model (see its log with output_flag on)")
    return h
