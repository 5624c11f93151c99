"""The vectorised model-building steps give what their row-by-row definitions give."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from bluehelmet.forcegen.data import PlanningData, add_months, caveat_ok, prepare
from bluehelmet.forcegen.formulation import build_model, tiebreak_weights
from bluehelmet.forcegen.generate import random_scenario
from bluehelmet.forcegen.generate_mixed import mixed_scenario
from bluehelmet.forcegen.greedy import MIN_USEFUL_SHARE, greedy_plan, settle_shortfalls
from bluehelmet.model.schema import split_list
from bluehelmet.optimize.linear import LinearModel


def test_add_months_follows_dateoffset_month_ends() -> None:
    dates = pd.Series(pd.to_datetime(["2018-01-31", "2019-12-15", None, "2020-02-29"]))
    got = add_months(dates, np.array([1, 3, 2, 12]))
    want = ["2018-02-28", "2020-03-15", None, "2021-02-28"]
    assert list(got) == list(pd.to_datetime(pd.Series(want)))


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.dates(pd.Timestamp(1990, 1, 1).date(), pd.Timestamp(2040, 1, 1).date()),
            st.integers(0, 30),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_add_months_is_dateoffset_row_by_row(rows: list[tuple[object, int]]) -> None:
    dates = pd.Series(pd.to_datetime([d for d, _ in rows]))
    months = np.array([m for _, m in rows])
    want = [d + pd.DateOffset(months=int(m)) for d, m in zip(dates, months, strict=True)]
    assert list(add_months(dates, months)) == want


_ITEMS = st.sampled_from(["", "M1", "M2", "fr", "en", "africa"])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.lists(_ITEMS, max_size=3).map(";".join), _ITEMS, _ITEMS, _ITEMS),
        min_size=1,
        max_size=25,
    )
)
def test_caveat_masks_are_membership_row_by_row(rows: list[tuple[str, str, str, str]]) -> None:
    lists = [r[0] for r in rows]
    cand = pd.DataFrame(
        {
            "excluded_missions": lists,
            "mission_id": [r[1] for r in rows],
            "excluded_regions": lists,
            "region": [r[2] for r in rows],
            "languages": lists,
            "language_needed": [r[3] for r in rows],
        }
    )
    mission_ok, region_ok, lang_ok = caveat_ok(cand)

    def contains(lst: str, item: str) -> bool:
        return item != "" and item in split_list(lst)

    assert list(mission_ok) == [not contains(r[0], r[1]) for r in rows]
    assert list(region_ok) == [not contains(r[0], r[2]) for r in rows]
    assert list(lang_ok) == [r[3] == "" or contains(r[0], r[3]) for r in rows]


def test_tiebreak_weights_hash_the_tour_identity() -> None:
    d, _ = prepare(mixed_scenario(80, n_missions=8, n_months=12, n_unit_types=6, seed=3))
    w = tiebreak_weights(d)
    assert len(w) == len(d.candidates) > 0
    assert ((w >= 1.0) & (w < 2.0)).all()
    origin = d.months[0]
    for k in (0, len(w) // 2, len(w) - 1):
        c = d.candidates.iloc[k]
        first = (origin + pd.DateOffset(months=int(c["start"]))).strftime("%Y-%m")
        last = (origin + pd.DateOffset(months=int(c["end"]))).strftime("%Y-%m")
        text = (
            f"{d.pledges['id'].iloc[int(c['pledge'])]}|{d.requirements['id'].iloc[int(c['req'])]}"
            f"|{first}|{last}"
        )
        digest = hashlib.sha256(text.encode()).digest()
        assert w[k] == 1.0 + int.from_bytes(digest[:8], "big") / 2.0**64


def test_ready_dates_follow_the_pledge_rule() -> None:
    s = random_scenario(n_missions=3, n_months=12, n_pledges=40, n_unit_types=4, seed=7)
    d, _ = prepare(s)
    pl = s.open_pledges().reset_index(drop=True)
    leads = s.tables["pcrs_lead_times"].set_index("level")["lead_time_months"]
    origin = d.months[0]
    for i in range(len(pl)):
        offered = pd.Timestamp(pl["available_from"].iloc[i])
        lead = int(leads[pl["pcrs_level"].iloc[i]])
        want = max(offered, origin) + pd.DateOffset(months=lead)
        assert pd.Timestamp(d.pledges["ready_base"].iloc[i]) == want


def _plain_greedy(model: LinearModel, d: PlanningData) -> np.ndarray:
    """The greedy rule tour by tour, with no screening (the reference)."""
    a = model.matrix
    _, col_hi, _, row_lo, row_hi = model.bounds()
    tours, cover = model.var_families["Tour-start"], model.con_families["Requirement-cover"]
    is_cover = np.zeros(model.n_rows, bool)
    is_cover[cover.start : cover.stop] = True
    low_rows = np.zeros(model.n_rows, bool)
    gender = model.con_families.get("Gender-target")
    if gender is not None and str(d.params["gender_mode"]) == "hard":
        low_rows[gender.start : gender.stop] = True
    x = np.zeros(model.n_cols)
    act = a @ x
    need = np.where(is_cover, row_lo - act, 0.0)
    cand = d.candidates
    weight = d.requirements["weight"].to_numpy()[cand["req"].to_numpy()]
    months = (np.minimum(cand["end"], d.n_months - 1) - cand["credit_from"] + 1).to_numpy()
    per_month = cand["cost"].to_numpy() / np.maximum(months, 1)
    order = np.lexsort((per_month, cand["credit_from"].to_numpy(), cand["req"].to_numpy(), -weight))
    for k in order:
        j = tours.start + k
        rows = a.indices[a.indptr[j] : a.indptr[j + 1]]
        vals = a.data[a.indptr[j] : a.indptr[j + 1]]
        cov = is_cover[rows]
        while x[j] < col_hi[j]:
            opened = int((need[rows[cov]] > 0.5).sum())
            new = act[rows[~cov]] + vals[~cov]
            low = low_rows[rows[~cov]]
            if (
                opened == 0
                or opened < MIN_USEFUL_SHARE * cov.sum()
                or (new > row_hi[rows[~cov]] + 1e-9).any()
                or (new[low] < row_lo[rows[~cov]][low] - 1e-9).any()
            ):
                break
            act[rows[~cov]] = new
            need[rows[cov]] -= vals[cov]
            x[j] += 1
    return settle_shortfalls(model, x)


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 10_000), st.booleans(), st.booleans())
def test_screened_greedy_is_the_plain_greedy(seed: int, mixed: bool, hard: bool) -> None:
    s = (
        mixed_scenario(150, n_missions=8, n_months=12, n_unit_types=6, seed=seed)
        if mixed
        else random_scenario(n_missions=4, n_months=12, n_pledges=150, n_unit_types=5, seed=seed)
    )
    if hard:
        s.set_param("gender_mode", "hard", "test")
    d, _ = prepare(s)
    m = build_model(d)
    assert np.array_equal(greedy_plan(m, d), _plain_greedy(m, d))
