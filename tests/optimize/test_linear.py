"""The labelled layer writes the rows its formula says, as the same sparse blocks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bluehelmet.optimize.linear import INF, LinearModel


def _model() -> LinearModel:
    m = LinearModel()
    # Three tours: pledge 0 in months 0-1, pledge 0 in month 1, pledge 1 in month 0.
    m.add_variables("Tour", pd.DataFrame({"pledge": [0, 0, 1]}), 0.0, 5.0, integer=True)
    return m


def test_sum_by_groups_terms_into_rows_in_order_of_appearance() -> None:
    m = _model()
    k = np.array([0, 0, 1, 2])
    present = m.terms("Tour", k, pledge=np.array([0, 0, 0, 1]), month=np.array([0, 1, 1, 0]))
    cap = pd.Series([2.0, 1.0]).rename_axis("pledge")
    fam = m.add_constraint("Pledge-capacity", present.sum(by=["pledge", "month"]) <= cap)
    assert fam.labels.to_dict("list") == {"pledge": [0, 0, 1], "month": [0, 1, 0]}
    dense = m.matrix.toarray()
    assert dense.tolist() == [[1, 0, 0], [1, 1, 0], [0, 0, 1]]
    lo, hi = m.bounds()[3:]
    assert list(hi) == [2.0, 2.0, 1.0] and (lo == -INF).all()


def test_sum_over_given_rows_keeps_empty_rows_and_adds_terms() -> None:
    m = _model()
    m.add_variables("Short", pd.DataFrame({"month": [0, 1, 2]}), 0.0, 1.0)
    rows = pd.DataFrame({"month": [0, 1, 2]})
    tours = m.terms("Tour", np.array([0, 1]), month=np.array([1, 1]))
    con = (2.0 * tours + m.terms("Short")).sum(by=["month"], over=rows) >= np.array([1, 2, 3])
    m.add_constraint("Cover", con)
    assert m.matrix.toarray().tolist() == [[0, 0, 0, 1, 0, 0], [2, 2, 0, 0, 1, 0],
                                           [0, 0, 0, 0, 0, 1]]
    assert list(m.bounds()[3]) == [1.0, 2.0, 3.0]


def test_a_term_without_a_row_is_an_error() -> None:
    m = _model()
    tours = m.terms("Tour", np.array([0]), month=np.array([7]))
    with pytest.raises(ValueError, match="no row"):
        tours.sum(by=["month"], over=pd.DataFrame({"month": [0, 1]}))


def test_terms_with_different_labels_do_not_add() -> None:
    m = _model()
    with pytest.raises(ValueError, match="cannot add"):
        _ = m.terms("Tour", np.array([0]), month=np.array([0])) + m.terms("Tour")
