import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bluehelmet.errors import AccessDeniedError
from bluehelmet.model.access import AccessContext, Classification, visible

LEVELS = [c.label for c in Classification]


def filter_visible(t, reader):  # noqa: ANN001, ANN201
    return t.loc[visible(t, reader)]


def table(rows):
    return pd.DataFrame(rows, columns=["id", "classification", "owner", "releasable_to"]).astype(
        "string"
    )


def test_rule_on_hand_built_records():
    t = table(
        [
            ("a", "unclassified", "MINUSMA", None),
            ("b", "confidential", "MINUSMA", None),
            ("c", "confidential", "MINUSMA", "UN-DPO"),
            ("d", "strictly_confidential", "MINUSMA", "UN-DPO"),
        ]
    )
    public = AccessContext.public()
    dpo_conf = AccessContext("UN-DPO", Classification.CONFIDENTIAL)
    mission_top = AccessContext("MINUSMA", Classification.STRICTLY_CONFIDENTIAL)
    assert list(filter_visible(t, public)["id"]) == ["a"]
    assert list(filter_visible(t, dpo_conf)["id"]) == ["a", "c"]
    assert list(filter_visible(t, mission_top)["id"]) == ["a", "b", "c", "d"]


def test_unknown_classification_is_most_restrictive():
    t = table([("x", "secret-ish", "UN", None)])
    assert not visible(t, AccessContext("UN", Classification.CONFIDENTIAL)).any()


def test_parse_rejects_unknown_levels():
    assert Classification.parse("Strictly Confidential") is Classification.STRICTLY_CONFIDENTIAL
    with pytest.raises(AccessDeniedError):
        Classification.parse("top secret")


@given(
    st.lists(
        st.tuples(
            st.sampled_from(LEVELS),
            st.sampled_from(["A", "B", "C"]),
            st.sampled_from([None, "A", "B", "A;C"]),
        ),
        max_size=30,
    ),
    st.sampled_from(["A", "B", "C", "D"]),
    st.sampled_from(list(Classification)),
)
def test_visibility_is_monotone_in_clearance_and_never_shows_above_clearance(rows, org, level):
    t = table([(str(i), c, o, r) for i, (c, o, r) in enumerate(rows)])
    shown = filter_visible(t, AccessContext(org, level))
    for _, rec in shown.iterrows():
        rec_level = Classification.parse(rec["classification"])
        assert rec_level == Classification.UNCLASSIFIED or rec_level <= level
    if level < Classification.STRICTLY_CONFIDENTIAL:
        higher = filter_visible(t, AccessContext(org, Classification(level + 1)))
        assert set(shown["id"]) <= set(higher["id"])
