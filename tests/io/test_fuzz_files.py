"""Fuzz the importers with mutated real files: bytes, cells, lines and encodings.

Every run either raises one of our own errors (a :class:`BluehelmetError` with a message) or
returns a report whose counts add up to the number of records in the file, and whose rejects
file keeps every rejected row.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bluehelmet.errors import BluehelmetError
from bluehelmet.io.detect import import_file
from bluehelmet.io.sniff import sniff_text
from bluehelmet.io.text import ENCODINGS
from bluehelmet.io.write import FORMULA_START
from bluehelmet.reference.files import reference_path

#: The bundled real files (see bluehelmet/datasets/reference/PROVENANCE.md), first lines only.
REAL = [
    "un_psdh_missions.csv",
    "ucdp_ged201_subset_1995_2014.csv",
    "un_contributions_country_mission_year.csv",
    "un_contributions_rank_2021-01.csv",
]
LINES = 12


def _head(name: str) -> bytes:
    with reference_path(name).open("rb") as fh:
        return b"".join(fh.readline() for _ in range(LINES))


HEADS = {name: _head(name) for name in REAL}

NASTY_CELLS = [
    "9223372036854775808",
    "18446744073709551616",
    "-9223372036854775809",
    "1e400",
    "9999-12-31",
    "31/12/9999",
    "0001-01-01",
    "[/]",
    "[link=http://x]y[/]",
    '=HYPERLINK("http://x")',
    "+1",
    "@SUM(A1)",
    "-",
    "",
    " ",
    '"',
    "NaN",
    "é",
    "\x00",
    "\ufeff",
    "31/12/2018",
    "1,5",
    "\r",
    "\t=1",
]

_binary = st.binary(min_size=1, max_size=4)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A real file's head with 1-5 mutations at byte, cell, line or encoding level."""
    data = HEADS[draw(st.sampled_from(REAL))]
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(
            st.sampled_from(
                [
                    "byte",
                    "insert",
                    "delete",
                    "cell",
                    "line_dup",
                    "line_drop",
                    "truncate",
                    "encode",
                    "prefix",
                ]
            )
        )
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "byte" and data:
            data = data[:pos] + draw(_binary) + data[pos + 1 :]
        elif kind == "insert":
            data = data[:pos] + draw(_binary) + data[pos:]
        elif kind == "delete":
            data = data[:pos] + data[pos + draw(st.integers(1, 20)) :]
        elif kind == "cell":
            data = _replace_cell(
                data, draw(st.integers(0, 10_000)), draw(st.sampled_from(NASTY_CELLS))
            )
        elif kind in ("line_dup", "line_drop"):
            lines = data.split(b"\n")
            i = draw(st.integers(0, len(lines) - 1))
            lines[i : i + 1] = [lines[i], lines[i]] if kind == "line_dup" else []
            data = b"\n".join(lines)
        elif kind == "truncate":
            data = data[:pos]
        elif kind == "encode":
            data = _reencode(
                data,
                draw(
                    st.sampled_from(
                        ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig", "cp1252"]
                    )
                ),
            )
        else:
            data = (
                draw(st.sampled_from([b"PK\x03\x04", b"\xef\xbb\xbf", b"\xff\xfe", b"\n", b"\x00"]))
                + data
            )
    return data


def _replace_cell(data: bytes, which: int, value: str) -> bytes:
    lines = data.split(b"\n")
    if len(lines) < 2:
        return data
    i = 1 + which % (len(lines) - 1)
    cells = lines[i].split(b",")
    cells[which % len(cells)] = value.encode("utf-8")
    lines[i] = b",".join(cells)
    return b"\n".join(lines)


def _reencode(data: bytes, encoding: str) -> bytes:
    try:
        return data.decode("utf-8").encode(encoding)
    except (UnicodeError, ValueError):
        return data


def records(path: Path, encoding: str) -> int:
    """Data records in the file as Python's csv module counts them (blank lines skipped)."""
    text = path.read_bytes().decode(encoding)
    rows = [r for r in csv.reader(io.StringIO(text, newline="")) if r]
    return max(len(rows) - 1, 0)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated())
def test_mutated_real_files_never_crash_and_always_add_up(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.csv"
        path.write_bytes(data)
        try:
            result = import_file(path)
        except BluehelmetError as exc:
            assert str(exc).strip()  # a message, never an empty error
            return
        rep = result.report
        assert rep.balanced
        assert rep.rejected == len(rep.rejects)
        assert len(result.table) == rep.accepted + rep.repaired
        assert rep.rows_read == records(path, _encoding(path))
        # the rejects file keeps every rejected row, and is formula-safe
        if rep.rejected:
            out = rep.write_rejects(Path(tmp) / "rejects.csv")
            with out.open(encoding="utf-8", newline="") as fh:
                written = list(csv.DictReader(fh))
            assert len(written) == rep.rejected
            for row in written:
                for value in row.values():
                    if value and value[0] in FORMULA_START:
                        assert _is_number(value), value


def _encoding(data_path: Path) -> str:
    """The encoding the importers read the file in (checked separately in test_sniff)."""
    return sniff_text(data_path, ENCODINGS).encoding


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True
