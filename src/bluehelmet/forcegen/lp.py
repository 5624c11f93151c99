"""The planner's model as a HiGHS instance, and its LP relaxation.

Shared by the lexicographic solve (:mod:`~bluehelmet.forcegen.solve`), the LP-rounding warm
start (:mod:`~bluehelmet.forcegen.greedy`), sifting and the what-if re-solves.
"""

from __future__ import annotations

import highspy
import numpy as np

from bluehelmet.errors import SolverError
from bluehelmet.highs import new_highs
from bluehelmet.optimize.linear import LinearModel


def to_highs(model: LinearModel, columns: np.ndarray | None = None) -> highspy.Highs:
    """A silent HiGHS instance holding ``model`` (no objective set).

    With ``columns`` (indices), only those columns, as an LP (the working set of
    :mod:`bluehelmet.forcegen.sifting`); their order is the instance's column order.
    """
    a = model.matrix
    col_lo, col_hi, integer, row_lo, row_hi = model.bounds()
    if columns is not None:
        a, col_lo, col_hi = a[:, columns], col_lo[columns], col_hi[columns]
    n = a.shape[1]
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, model.n_rows
    lp.col_cost_ = np.zeros(n)
    lp.col_lower_, lp.col_upper_ = col_lo, col_hi
    lp.row_lower_, lp.row_upper_ = row_lo, row_hi
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data
    if columns is None:
        lp.integrality_ = [highspy.HighsVarType.kInteger if i
                           else highspy.HighsVarType.kContinuous for i in integer]
    h = new_highs()
    h.setOptionValue("output_flag", False)
    h.passModel(lp)
    return h


def solve_relaxation(model: LinearModel, stage: str,
                     time_limit: float | None = None) -> np.ndarray:
    """Column values of the LP relaxation of ``model`` for objective ``stage`` (dual simplex).

    Raises
    ------
    SolverError
        If the LP is not solved to optimality (e.g. within ``time_limit`` seconds).
    """
    h = to_highs(model)
    c = model.objective_vector(stage)
    h.changeColsCost(model.n_cols, np.arange(model.n_cols, dtype=np.int32), c)
    h.setOptionValue("solve_relaxation", True)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise SolverError("the LP relaxation could not be solved: "
                          + h.modelStatusToString(h.getModelStatus()))
    return np.asarray(h.getSolution().col_value)
