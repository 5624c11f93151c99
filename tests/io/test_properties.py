"""Any corruption of a valid file is repaired with a record or rejected with a message."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bluehelmet.errors import DataError, UnreadableFileError
from bluehelmet.io.contributions_year import read_contributions_by_year
from bluehelmet.io.missions import read_missions
from bluehelmet.io.un_monthly import read_un_monthly
from tests.io.helpers import MISSIONS_HEADER, UN_HEADER, YEAR_HEADER, check_accounting

COUNTRIES = [
    ("BGD", "Bangladesh"),
    ("NPL", "Nepal"),
    ("TZA", "United Republic of Tanzania"),
    ("CIV", "Côte d’Ivoire"),
    ("FRA", "France"),
]
MISSIONS = ["MINUSMA", "UNIFIL", "MONUSCO", "UNMISS"]
TYPES = [
    "Troops",
    "Staff Officer",
    "Experts on Mission",
    "Formed Police Units",
    "Individual Police",
]
JUNK = st.sampled_from(
    [
        "",
        " ",
        "abc",
        "-5",
        "1,5",
        "12.0",
        "NA",
        "n/a",
        '"',
        "99999999999",
        "31/02/2021",
        "2021-13-01",
        "TROOPS",
        "bgd",
        "  MINUSMA  ",
        "é",
        "0",
        "Republic of Korea",
        "nan",
        "None",
        "1e3",
        "\t",
    ]
)


@st.composite
def un_rows(draw: st.DrawFn) -> list[list[str]]:
    n = draw(st.integers(1, 12))
    keys = draw(
        st.lists(
            st.tuples(st.integers(0, 4), st.integers(0, 3), st.integers(0, 4), st.integers(1, 12)),
            min_size=n,
            max_size=n,
            unique=True,
        )
    )
    rows = []
    for c, m, t, month in keys:
        iso, name = COUNTRIES[c]
        rows.append(
            [
                iso,
                name,
                MISSIONS[m],
                TYPES[t],
                str(draw(st.integers(0, 50))),
                str(draw(st.integers(0, 900))),
                f"28/{month:02d}/2020",
            ]
        )
    return rows


@st.composite
def corrupted(draw: st.DrawFn, rows: list[list[str]]) -> list[str]:
    """Apply 1-4 corruptions: junk cell, swapped columns, whitespace, case, deleted cell,
    duplicated row."""
    rows = [list(r) for r in rows]
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["junk", "swap", "space", "case", "delete", "dup"]))
        i = draw(st.integers(0, len(rows) - 1))
        j = draw(st.integers(0, len(rows[i]) - 1))
        if kind == "junk":
            rows[i][j] = draw(JUNK)
        elif kind == "swap" and len(rows[i]) > 1:
            k = draw(st.integers(0, len(rows[i]) - 1))
            rows[i][j], rows[i][k] = rows[i][k], rows[i][j]
        elif kind == "space":
            rows[i][j] = f" {rows[i][j]}  "
        elif kind == "case":
            rows[i][j] = rows[i][j].swapcase()
        elif kind == "delete":
            del rows[i][j]
        else:
            rows.insert(i, list(rows[i]))
    return [",".join(_quote(v) for v in r) for r in rows]


def _quote(value: str) -> str:
    if any(ch in value for ch in ',"\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _run(reader, header: str, lines: list[str]) -> None:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f.csv"
        path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
        try:
            result = reader(path)
        except (DataError, UnreadableFileError) as exc:  # a clear error is allowed, a crash not
            assert str(exc)
            return
        check_accounting(result, len(lines))
        if result.report.repaired:
            assert len(result.report.repair_table) >= result.report.repaired


SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@SETTINGS
@given(data=st.data())
def test_un_monthly_corruption_never_lost(data: st.DataObject) -> None:
    rows = data.draw(un_rows())
    _run(read_un_monthly, UN_HEADER, data.draw(corrupted(rows)))


@SETTINGS
@given(rows=un_rows())
def test_un_monthly_valid_file_clean(rows: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f.csv"
        path.write_text(
            "\n".join([UN_HEADER] + [",".join(r) for r in rows]) + "\n", encoding="utf-8"
        )
        result = read_un_monthly(path)
        assert result.report.clean and len(result.table) == len(rows)


@st.composite
def year_rows(draw: st.DrawFn) -> list[list[str]]:
    n = draw(st.integers(1, 10))
    keys = draw(
        st.lists(
            st.tuples(st.integers(0, 4), st.integers(0, 3), st.integers(2010, 2021)),
            min_size=n,
            max_size=n,
            unique=True,
        )
    )
    rows = []
    for i, (c, m, y) in enumerate(keys):
        f, mm = draw(st.integers(0, 30)), draw(st.integers(0, 500))
        rows.append(
            [str(i + 1), str(y), COUNTRIES[c][1], MISSIONS[m], str(f), str(mm), str(f + mm)]
        )
    return rows


@SETTINGS
@given(data=st.data())
def test_contributions_year_corruption_never_lost(data: st.DataObject) -> None:
    rows = data.draw(year_rows())
    _run(read_contributions_by_year, YEAR_HEADER, data.draw(corrupted(rows)))


MISSION_ROWS = [
    [
        "69",
        "MINUSMA",
        "United Nations Mission in Mali",
        "DPO",
        "Yes",
        "2013-04-25",
        "",
        "Bamako",
        "-8,0000",
        "12,6500",
        "2024-02-19",
    ],
    [
        "70",
        "MINUSCA",
        "United Nations Mission in the Central African Republic",
        "DPO",
        "Yes",
        "2014-04-10",
        "",
        "Bangui",
        "18.5833",
        "4.3667",
        "2024-02-19",
    ],
    [
        "30",
        "UNMIL",
        "United Nations Mission in Liberia",
        "DPO",
        "No",
        "2003-09-01",
        "2018-03-01",
        "Monrovia",
        "-10.8014",
        "6.3133",
        "2024-02-19",
    ],
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_missions_corruption_never_lost(data: st.DataObject) -> None:
    _run(read_missions, MISSIONS_HEADER, data.draw(corrupted(MISSION_ROWS)))


UCDP_ROWS = [
    ["1996", "69.1741", "35.0159", "Chaharikar town", "18", "0"],
    ["1996", "69.6825", "35.432777", "Panjsher valley", "93", "0"],
    ["2012", "-0.04", "16.27", "Gao", "3", "1"],
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_ucdp_subset_corruption_never_lost(data: st.DataObject) -> None:
    from bluehelmet.io.ucdp import SUBSET_COLUMNS, read_ucdp

    _run(read_ucdp, ",".join(SUBSET_COLUMNS), data.draw(corrupted(UCDP_ROWS)))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    st.lists(
        st.one_of(st.none(), st.sampled_from(["a", "b", "c", "", " a", "é", "a\x00"])), max_size=30
    )
)
def test_first_uses_agrees_with_pandas(values: list[str | None]) -> None:
    """The Arrow duplicate check the importers use = pandas' ``duplicated`` and first positions."""
    import numpy as np
    import pandas as pd

    from bluehelmet.model.validate import first_uses

    series = pd.Series(values, dtype="string")
    repeat, first = first_uses(series)
    assert repeat.tolist() == (series.duplicated() & series.notna()).tolist()
    for i in np.flatnonzero(repeat):
        assert first[i] == values.index(values[i])
    assert (first[~repeat] == -1).all()
