"""Every kind of unreadable input gets one clear error (exit code 2), never a traceback."""

from __future__ import annotations

import codecs
import re
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bluehelmet.cli.main import app
from bluehelmet.errors import UnreadableFileError
from bluehelmet.io.detect import import_file
from bluehelmet.io.sniff import sniff_text
from bluehelmet.io.un_monthly import read_un_monthly
from tests.io.helpers import MISSIONS_HEADER, UN_HEADER, check_accounting, write

ROW = "BGD,Bangladesh,MINUSMA,Troops,1,2,31/01/2021"
runner = CliRunner()


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), env={"COLUMNS": "250"})


def _put(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _xlsx(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    return path


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda d: d / "missing.csv", "no such file"),
        (lambda d: (d / "folder.csv").mkdir() or d / "folder.csv", "is a folder"),
        (lambda d: _put(d / "e.csv", b""), "empty (0 bytes)"),
        (lambda d: _xlsx(d / "book.xlsx"), "Excel workbook"),
        (
            lambda d: _put(d / "old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64),
            "old Excel",
        ),
        (lambda d: _put(d / "b.csv", b"abc\x00\x01\x02\xff" * 10), "binary file"),
        (lambda d: _put(d / "bom.csv", codecs.BOM_UTF8), "only a byte-order mark"),
        (lambda d: _put(d / "blank.csv", b"\n\nx\n"), "first line is empty"),
    ],
)
def test_unreadable_inputs_exit_2_with_a_message(tmp_path: Path, make, says) -> None:  # type: ignore[no-untyped-def]
    path = make(tmp_path)
    with pytest.raises(UnreadableFileError, match=re.escape(says)):
        import_file(path)
    for command in ("check", "import"):
        args = ["data", command, str(path)] + (
            ["--into", str(tmp_path / "s")] if command == "import" else []
        )
        res = run(*args)
        assert res.exit_code == 2, res.output
        assert res.exception is None or isinstance(res.exception, SystemExit)
        if not (command == "check" and path.is_dir()):  # a folder is checked as a scenario
            assert says in " ".join(res.output.split())
        assert "PK\x03\x04" not in res.output  # binary bytes are never printed as a header


def test_undecodable_bytes_name_offset_and_line(tmp_path: Path) -> None:
    # 0x81 is undefined in Windows-1252 and invalid in UTF-8: no encoding reads it
    path = tmp_path / "bad.csv"
    path.write_bytes(f"{UN_HEADER}\n{ROW}\n".encode() + b"BGD,Bangl\x81desh\n")
    offset = path.read_bytes().index(b"\x81")
    with pytest.raises(UnreadableFileError, match=rf"byte {offset} \(line 3, value 0x81\)"):
        import_file(path)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-8-sig", "utf-16-le"])
def test_utf16_and_utf32_are_detected_and_read(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "u.csv"
    path.write_bytes(f"{UN_HEADER}\n{ROW}\n".encode(encoding))
    result = read_un_monthly(path)
    check_accounting(result, 1)
    assert result.table["contributor_id"].tolist() == ["BGD"]
    kind = sniff_text(path)
    if encoding != "utf-8-sig":
        assert any("UTF-" in w.reason for w in result.report.warnings), kind


def test_header_only_and_duplicate_header(tmp_path: Path) -> None:
    result = import_file(write(tmp_path, "h.csv", UN_HEADER))
    assert result.report.rows_read == 0 and result.report.warnings
    dup = write(tmp_path, "d.csv", UN_HEADER + ",isocode3", ROW + ",BGD")
    with pytest.raises(UnreadableFileError, match="repeats the column name"):
        import_file(dup)


def test_huge_counts_and_far_dates_are_rejected_rows_not_crashes(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "a.csv",
        UN_HEADER,
        "BGD,Bangladesh,MINUSMA,Troops,9223372036854775808,3,31/01/2021",
        "BGD,Bangladesh,MINUSMA,Troops,1,1" + "0" * 40 + ",28/02/2021",
        "BGD,Bangladesh,MINUSMA,Troops,1,3,9999-12-31",
        "BGD,Bangladesh,MINUSMA,Troops,1,3,01/01/1500",
        ROW,
    )
    result = read_un_monthly(path)
    check_accounting(result, 5)
    assert result.report.rejected == 4
    reasons = result.report.rejects.set_index("line")["reason"]
    assert "too large" in reasons[2] and "too large" in reasons[3]
    assert "1677 and 2262" in reasons[4] and "1677 and 2262" in reasons[5]


def test_open_end_date_in_mission_list_is_a_value(tmp_path: Path) -> None:
    from bluehelmet.io.missions import read_missions

    path = write(
        tmp_path,
        "m.csv",
        MISSIONS_HEADER,
        "1,MINUSMA,Mission in Mali,DPO,Yes,2013-04-25,9999-12-31,Bamako,-8.0,12.65,2024-02-19",
    )
    result = read_missions(path)
    check_accounting(result, 1)
    assert result.table["end_date"].isna().all()  # open-ended: NaT
    rules = result.report.repair_table.set_index("field")["rule"]
    assert rules["end_date"] == "open_end"


def test_duplicate_ids_across_date_spellings_name_both_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "a.csv",
        UN_HEADER,
        ROW,
        "BGD,Bangladesh,MINUSMA,Troops,1,2,2021-01-31",
        "BGD,Bangladesh,MINUSMA,Troops,5,2,31-Jan-21",
    )
    result = read_un_monthly(path)
    check_accounting(result, 3)
    assert result.report.rejected == 2
    assert all("line 2" in r for r in result.report.rejects["reason"])
    res = run("data", "import", str(path), "--into", str(tmp_path / "s"))
    assert res.exit_code == 1, res.output
    rejects = (tmp_path / "a.rejects.csv").read_text()
    assert rejects.count("\n") == 3  # header + both rejected rows, kept


def test_markup_in_values_is_printed_as_text(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "a.csv",
        UN_HEADER,
        "BGD,Bangladesh,[/],Troops,[link=http://evil.example]x[/link],2,31/01/2021",
        "BGD,Bangladesh,MINUSMA,[bold]T[/],1,2,31/01/2021",
    )
    res = run("data", "check", str(path))
    assert res.exit_code == 1, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    out = " ".join(res.output.split())
    assert "[link=http://evil.example]x[/link]" in out
    assert "[bold]T[/]" in out


def test_formula_cells_in_rejects_are_neutralised(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "a.csv",
        UN_HEADER,
        'BGD,Bangladesh,MINUSMA,=HYPERLINK("http://x"),-3,2,31/01/2021',
        "BGD,Bangladesh,MINUSMA,Troops,@SUM(A1),-3.5,28/02/2021",
    )
    out = tmp_path / "r.csv"
    res = run("data", "check", str(path), "--rejects", str(out))
    assert res.exit_code == 1
    text = out.read_text()
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text
    assert ",-3," in text and ",-3.5," in text  # numbers stay numbers
