"""``intel import`` never crashes: every unusable input is a clear error naming the file."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bluehelmet.cli.main import app
from bluehelmet.intel.store import read_view
from bluehelmet.model.access import AccessContext, Classification
from tests.intel.helpers import CASE, HEADER

WRITER = ["--org", "MINUSMA", "--clearance", "confidential"]
ROW = "p1,2018-03-05,day,-3.0,15.0,,attack_on_civilians,5,5,patrol,B,2,unclassified,MINUSMA,,log,\n"


def _flat(text: str) -> str:
    return " ".join(text.split())


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    return buffer.getvalue()


BAD_FILES: dict[str, tuple[bytes | None, str]] = {
    "empty.csv": (b"", "empty"),
    "blank.csv": (b"\n\n  \n", "empty"),
    "header_only.csv": (HEADER.encode(), "no rows"),
    "utf16.csv": ((HEADER + ROW).encode("utf-16"), "UTF-16"),
    "utf16be.csv": (b"\xfe\xff" + (HEADER + ROW).encode("utf-16-be"), "UTF-16"),
    "utf32.csv": ((HEADER + ROW).encode("utf-32"), "UTF-32"),
    "utf16_nobom.csv": ((HEADER + ROW).encode("utf-16-le"), "NUL bytes"),
    "book.xlsx": (_xlsx(), "zip archive"),
    "old.xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "Excel 97"),
    "missing.csv": (None, "no such file"),
    "folder": (None, "is a folder"),
    "not_ged.csv": (b"a,b\n1,2\n", "not a UCDP GED file"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_unusable_files_are_clear_errors(tmp_path: Path, name: str) -> None:
    content, expected = BAD_FILES[name]
    path = tmp_path / name
    if name == "folder":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    result = CliRunner().invoke(
        app, ["intel", "import", str(path), "--store", str(tmp_path / "store"), *WRITER]
    )
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    text = _flat(result.output)
    assert expected in text and name in text


def test_windows_1252_is_read_with_a_warning_and_broken_bytes_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "cp1252.csv"
    path.write_bytes((HEADER + ROW.replace("log", "journal télé")).encode("cp1252"))
    result = CliRunner().invoke(
        app, ["intel", "import", str(path), "--store", str(tmp_path / "store"), *WRITER]
    )
    assert result.exit_code == 0, result.output
    shown = read_view(
        tmp_path / "store", AccessContext("MINUSMA", Classification.CONFIDENTIAL)
    ).reports
    assert shown.loc[0, "source"] == "journal télé"
    broken = tmp_path / "broken.csv"
    broken.write_bytes((HEADER + ROW).encode() + b"\x81\x8d\x8f\x90\x9d\n")
    result = CliRunner().invoke(
        app, ["intel", "import", str(broken), "--store", str(tmp_path / "store"), *WRITER]
    )
    assert result.exit_code in (1, 2) and "broken.csv" in _flat(result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_rejected_rows_are_counted_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text(
        CASE + "b1,5 March,day,,,Atlantis,massacre,,,patrol,A,1,unclassified,"
        "MINUSMA,,x,\n" + "only,three,fields\n"
    )
    result = CliRunner().invoke(
        app, ["intel", "import", str(path), "--store", str(tmp_path / "store"), *WRITER]
    )
    assert result.exit_code == 1, result.output
    assert "6 row(s) read = 3 accepted + 0 repaired + 3 rejected" in _flat(result.output)
    rejects = pd.read_csv(tmp_path / "mixed.rejects.csv", dtype=str)
    assert sorted(rejects["line"].astype(int)) == [5, 6, 7]
    assert set(rejects.loc[rejects["line"] == "6", "field"].str.split(" | ").sum()) >= {
        "time",
        "category",
    }


def test_a_ucdp_file_with_bad_rows_exits_1_and_counts_add_up(tmp_path: Path) -> None:
    path = tmp_path / "ged.csv"
    path.write_text(
        "year,longitude,latitude,where_coordinates,best,deaths_civilians\n"
        "2012,-3.0,15.0,Somewhere,4,2\n2012,abc,15.0,Elsewhere,4,2\n"
        "2013,-2.0,14.0,Third,-1,0\n"
    )
    result = CliRunner().invoke(
        app,
        [
            "intel",
            "import",
            str(path),
            "--store",
            str(tmp_path / "store"),
            "--rejects",
            str(tmp_path / "r.csv"),
        ],
    )
    assert result.exit_code == 1, result.output
    assert "3 row(s) read = 1 accepted + 0 repaired + 2 rejected" in _flat(result.output)
    assert len(pd.read_csv(tmp_path / "r.csv")) == 2


@pytest.mark.parametrize(
    ("args", "valid"),
    [
        (["intel", "reports", "--clearance", "secret"], "strictly_confidential"),
        (["intel", "hotspots", "--value", "deaths"], "civilian_deaths"),
        (["intel", "hotspots", "--period", "last year"], "integer"),
        (["intel", "export", "--out", "x.csv", "--category", "riot"], "attack_on_civilians"),
        (["intel", "export", "--out", "x.csv", "--since", "5 March"], "YYYY-MM-DD"),
        (["intel", "trends", "--mission", "NOPE"], "MINUSMA"),
        (["intel", "import", "x.csv", "--clearance", "top"], "unclassified"),
    ],
)
def test_bad_option_values_list_the_valid_ones(tmp_path: Path, args: list[str], valid: str) -> None:
    result = CliRunner().invoke(app, [*args, "--store", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert valid in _flat(result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_derived_files_carry_their_classification(tmp_path: Path) -> None:
    case = tmp_path / "case.csv"
    case.write_text(CASE.replace("patrol log", '=HYPERLINK("x")'))
    store = tmp_path / "store"
    runner = CliRunner()
    runner.invoke(app, ["intel", "import", str(case), "--store", str(store), *WRITER])
    outputs = {
        "export": ["intel", "export", "--out", str(tmp_path / "e.csv")],
        "hotspots": ["intel", "hotspots", "--out", str(tmp_path / "h.csv")],
        "trends": ["intel", "trends", "--mission", "MINUSMA", "--out", str(tmp_path / "t.csv")],
        "fuse": ["intel", "fuse", "--out", str(tmp_path / "fused")],
    }
    for name, args in outputs.items():
        for clearance, level in (
            ("unclassified", "unclassified"),
            ("confidential", "confidential"),
        ):
            result = runner.invoke(
                app, [*args, "--store", str(store), "--org", "MINUSMA", "--clearance", clearance]
            )
            assert result.exit_code == 0, (name, result.output)
            files = (
                [tmp_path / "fused" / "incidents.csv", tmp_path / "fused" / "incident_links.csv"]
                if name == "fuse"
                else [Path(args[-1])]
            )
            for file in files:
                table = pd.read_csv(file, dtype=str)
                marking = json.loads(file.with_name(file.name + ".marking.json").read_text())
                assert marking["classification"] == level, (name, clearance)
                assert "classification" in table.columns
                if name == "export":
                    assert "reporter_contact" not in table.columns
                    assert '\'=HYPERLINK("x")' in set(table["source"])
                    assert not table["source"].str.startswith("=").any()
                    assert table["longitude"].str.startswith("-").all()  # numbers untouched
                elif name != "fuse":
                    assert set(table["classification"]) == {level}


def test_export_filters_by_time_and_category(tmp_path: Path) -> None:
    case = tmp_path / "case.csv"
    case.write_text(CASE)
    store = tmp_path / "store"
    runner = CliRunner()
    runner.invoke(app, ["intel", "import", str(case), "--store", str(store), *WRITER])
    out = tmp_path / "e.csv"
    result = runner.invoke(
        app,
        [
            "intel",
            "export",
            "--store",
            str(store),
            "--out",
            str(out),
            "--since",
            "2018-03-05",
            "--until",
            "2018-03-05",
            "--category",
            "attack_on_civilians",
            *WRITER,
        ],
    )
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out)["id"].tolist() == ["p1", "v1"]


def test_times_outside_what_a_timestamp_holds_are_rejected_rows(tmp_path: Path) -> None:
    """``9999-12-31`` (a spreadsheet's "no end") or year 1 as a report time: a reject, no crash."""
    rows = [
        ROW.replace("p1,2018-03-05", f"t{i},{time}")
        for i, time in enumerate(["9999-12-31", "0001-01-01", "2262-04-12T10:00", "9999"])
    ]
    case = tmp_path / "times.csv"
    case.write_text(HEADER + "".join(rows) + ROW)
    result = CliRunner().invoke(
        app, ["intel", "import", str(case), "--store", str(tmp_path / "s"), *WRITER]
    )
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "5 row(s) read = 1 accepted + 0 repaired + 4 rejected" in _flat(result.output)
    rejects = pd.read_csv(tmp_path / "times.rejects.csv", dtype=str)
    assert rejects["line"].tolist() == ["2", "3", "4", "5"]
    assert set(rejects["field"]) == {"time"}
    assert rejects["reason"].str.contains("1677-09-22 to 2262-04-11").all()


def test_exported_releasability_reads_back(tmp_path: Path) -> None:
    """An export writes releasability as ``a;b`` (not a Python tuple) and imports again."""
    case = tmp_path / "case.csv"
    case.write_text(
        HEADER
        + ROW.replace(",MINUSMA,,", ",MINUSMA,FRA;AU,")
        + ROW.replace("p1,", "p2,").replace("unclassified", "confidential")
    )
    store = tmp_path / "store"
    runner = CliRunner()
    assert runner.invoke(app, ["intel", "import", str(case), "--store", str(store), *WRITER])
    out = tmp_path / "e.csv"
    result = runner.invoke(
        app, ["intel", "export", "--store", str(store), "--out", str(out), *WRITER]
    )
    assert result.exit_code == 0, result.output
    exported = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert exported["releasable_to"].tolist() == ["FRA;AU", ""]
    again = runner.invoke(
        app, ["intel", "import", str(out), "--store", str(tmp_path / "copy"), *WRITER]
    )
    assert again.exit_code == 0, again.output
    reader = AccessContext("AU", Classification.CONFIDENTIAL)
    assert read_view(tmp_path / "copy", reader).reports["id"].tolist() == ["p1"]


def test_unwritable_outputs_are_clear_errors(tmp_path: Path) -> None:
    case = tmp_path / "case.csv"
    case.write_text(CASE)
    store = tmp_path / "store"
    runner = CliRunner()
    runner.invoke(app, ["intel", "import", str(case), "--store", str(store), *WRITER])
    for args in (
        ["export", "--out", str(tmp_path)],
        ["hotspots", "--out", str(tmp_path)],
        ["import", str(case), "--rejects", str(tmp_path)],
    ):
        result = runner.invoke(app, ["intel", *args, "--store", str(store), *WRITER])
        assert result.exit_code == 2, (args, result.output)
        # Either check names the problem: the option's own check ("is a folder") or the writer.
        assert "cannot be written" in _flat(result.output) or "is a folder" in _flat(
            result.output
        ), result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_event_file_commands_refuse_unusable_files(tmp_path: Path) -> None:
    empty = tmp_path / "events.csv"
    empty.write_bytes(b"")
    book = tmp_path / "events.xlsx"
    book.write_bytes(_xlsx())
    runner = CliRunner()
    for args in (
        ["risk", str(empty), "--year", "2015"],
        ["evaluate", str(book), "--first-test-year", "2008"],
        ["hotspots", "--events", str(book)],
        ["trends", "--events", str(empty)],
    ):
        result = runner.invoke(app, ["intel", *args])
        assert result.exit_code == 2, (args, result.output)
        assert "events." in _flat(result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit)
