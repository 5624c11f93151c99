"""The one CSV writer: formula-safe, reversible, atomic; and safe output names."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from bluehelmet.io.write import (
    FORMULA_START,
    atomic_file,
    neutralise,
    safe_component,
    unneutralise,
    write_csv,
)

TEXT = st.text(alphabet=st.sampled_from(list("=+-@'\t\r\n,\"a1. [/]é")), max_size=8)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), TEXT), min_size=1, max_size=6))
def test_neutralise_is_safe_and_reversible(values: list[str | None]) -> None:
    series = pd.Series(values, dtype="string")
    safe = neutralise(series)
    for before, after in zip(series, safe, strict=True):
        if pd.isna(before):
            assert pd.isna(after)
            continue
        if after and after[0] in FORMULA_START:  # only plain numbers may start so
            float(after)
    pd.testing.assert_series_equal(unneutralise(safe).astype("string"), series, check_names=False)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.none(), TEXT), min_size=1, max_size=6))
def test_text_fast_path_matches_the_csv_module(tmp_path_factory, values) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("w")
    table = pd.DataFrame(
        {"a": pd.Series(values, dtype="string"), "b": pd.Series(values[::-1], dtype="string")}
    )
    path = write_csv(table, folder / "t.csv")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    expected = [
        ["" if pd.isna(v) else str(v) for v in row]
        for row in neutralise(table["a"])
        .to_frame()
        .join(neutralise(table["b"]))
        .itertuples(index=False)
    ]
    assert rows == [["a", "b"], *expected]


def test_numbers_stay_numbers(tmp_path: Path) -> None:
    table = pd.DataFrame(
        {"n": [-3.5, 2.0], "t": ["-3.5", "-x"], "i": pd.array([-1, 2], dtype="Int64")}
    )
    text = write_csv(table, tmp_path / "n.csv").read_text()
    assert text == "n,t,i\n-3.5,-3.5,-1\n2.0,'-x,2\n"


def test_atomic_file_leaves_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "x.csv"
    target.write_text("old")
    try:
        with atomic_file(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("killed")
    except RuntimeError:
        pass
    assert target.read_text() == "old" and list(tmp_path.iterdir()) == [target]


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40))
def test_safe_component_is_one_plain_name(name: str) -> None:
    slug = safe_component(name, "fallback")
    assert slug and "/" not in slug and "\\" not in slug and "." not in slug
    assert not slug.startswith((" ", "_")) and len(slug) <= 80
    assert safe_component(slug) == slug
