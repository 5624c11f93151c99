"""The labelled layer writes the rows its formula says, as the same sparse blocks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
    assert m.matrix.toarray().tolist() == [
        [0, 0, 0, 1, 0, 0],
        [2, 2, 0, 0, 1, 0],
        [0, 0, 0, 0, 0, 1],
    ]
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


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 4),
            st.integers(0, 3),
            st.integers(0, 2),
            st.floats(-5, 5, allow_nan=False),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_a_labelled_sum_is_the_grouped_sum_of_its_terms(
    terms: list[tuple[int, int, int, float]],
) -> None:
    """Row (g, h) of the matrix holds, per column, the sum of the coefficients of its terms."""
    m = LinearModel()
    m.add_variables("X", pd.DataFrame({"i": range(5)}), 0.0, 1.0)
    col, g, h, coef = (np.array(v) for v in zip(*terms, strict=True))
    fam = m.add_constraint("Rows", m.terms("X", col, coef, g=g, h=h).sum(by=["g", "h"]) <= 1.0)
    dense = m.matrix.toarray()
    expected = (
        pd.DataFrame({"g": g, "h": h, "col": col, "v": coef}).groupby(["g", "h", "col"])["v"].sum()
    )
    for (gv, hv, c), v in expected.items():
        row = fam.labels.index[(fam.labels["g"] == gv) & (fam.labels["h"] == hv)][0]
        assert dense[row, c] == pytest.approx(v, abs=1e-9)
    assert len(fam.labels) == len({(a, b) for a, b in zip(g, h, strict=True)})
