"""Fuzz ``intel import`` with mutated report files: no traceback, and every row accounted for.

The report CSV of the intel tests (and a real UCDP GED head, which ``intel import`` also takes) is
mutated at byte, cell, line and encoding level with the cells of the importers' fuzz test
(``tests/io/test_fuzz_files.py``: huge integers, far dates such as ``9999-12-31``, markup,
formulas, NUL, BOM ...), then imported into a fresh store in-process. Every run either raises one
of our own errors (with a message) or adds up: ``rows read = accepted + repaired + rejected``,
rows read = the records in the file, the store holds the rows accepted or repaired, and the rejects
file keeps every rejected row.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bluehelmet.errors import BluehelmetError
from bluehelmet.intel.importing import import_file
from bluehelmet.intel.store import open_store
from bluehelmet.model.access import AccessContext, Classification
from bluehelmet.reference.files import reference_path
from tests.intel.helpers import CASE
from tests.io.test_fuzz_files import NASTY_CELLS, _binary, _encoding, _reencode, records

WRITER = AccessContext("MINUSMA", Classification.CONFIDENTIAL)
REPORTS = (
    CASE + "m1,2018-03-06,day,,,Gao,ied,0,0,patrol,C,3,confidential,MINUSMA,FRA;AU,patrol log,\n"
).encode()
with reference_path("ucdp_ged201_subset_1995_2014.csv").open("rb") as _fh:
    UCDP = b"".join(_fh.readline() for _ in range(8))
CELLS = [*NASTY_CELLS, "strictly_confidential", "FRA", ";;", "-1", "2018-13-45", "9999"]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A report file (mostly) or a UCDP head with 1-4 mutations, cells the likeliest."""
    data = draw(st.sampled_from([REPORTS, REPORTS, REPORTS, UCDP]))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["cell", "cell", "cell", "byte", "line", "encode"]))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "cell":
            lines = data.split(b"\n")
            i = draw(st.integers(1, max(len(lines) - 2, 1)))
            cells = lines[i].split(b",")
            cells[draw(st.integers(0, len(cells) - 1))] = draw(st.sampled_from(CELLS)).encode()
            lines[i] = b",".join(cells)
            data = b"\n".join(lines)
        elif kind == "byte":
            data = data[:pos] + draw(_binary) + data[pos + 1 :]
        elif kind == "line":
            lines = data.split(b"\n")
            i = draw(st.integers(0, len(lines) - 1))
            lines[i : i + 1] = draw(st.sampled_from([[lines[i], lines[i]], []]))
            data = b"\n".join(lines)
        else:
            data = _reencode(data, draw(st.sampled_from(["utf-16", "utf-8-sig", "cp1252"])))
    return data


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated())
@example(REPORTS.replace(b"2018-03-07,day", b"9999-12-31,day"))  # crashed before (issue 15)
@example(REPORTS.replace(b",5,5,patrol", b",9223372036854775808,5,patrol"))
def test_mutated_report_files_never_crash_and_always_add_up(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.csv"
        path.write_bytes(data)
        store = Path(tmp) / "store"
        try:
            outcome = import_file(path, store, WRITER)
        except BluehelmetError as exc:
            assert str(exc).strip()  # a message, never an empty error
            return
        rep = outcome.report
        assert rep.balanced
        assert rep.rejected == len(rep.rejects)
        assert rep.rows_read == records(path, _encoding(path))
        assert outcome.added + outcome.present == rep.accepted + rep.repaired
        with open_store(store) as opened:
            opened.check()
            assert opened.count(WRITER) == outcome.added  # a fresh store: all of it is theirs
        if rep.rejected:
            written = rep.write_rejects(Path(tmp) / "rejects.csv")
            assert written.stat().st_size > 0
