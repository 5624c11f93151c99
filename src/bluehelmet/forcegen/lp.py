"""The LP relaxation of the planner's model (on :func:`bluehelmet.highs.to_highs`).

Shared by the LP-rounding warm start (:mod:`~bluehelmet.forcegen.greedy`) and the what-if
re-solves.
"""

from __future__ import annotations

import highspy
import numpy as np

from bluehelmet.errors import SolverError
from bluehelmet.highs import to_highs
from bluehelmet.optimize.linear import LinearModel


def solve_relaxation(model: LinearModel, stage: str, time_limit: float | None = None) -> np.ndarray:
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
        raise SolverError(
            "the LP relaxation could not be solved: " + h.modelStatusToString(h.getModelStatus())
        )
    return np.asarray(h.getSolution().col_value)
