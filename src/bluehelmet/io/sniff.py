"""What kind of file is this? Checks made before any CSV parser sees a file.

Every input path (importers, scenario folders, override files) goes through :func:`sniff_text`
first, so that a missing file, a folder, an empty file, an Excel workbook, a zip archive or a
binary file gets one clear error naming the file and the fix, instead of a parser's traceback or
binary bytes printed as "the header". The text encoding is decided here too:

- a byte-order mark decides: UTF-8, UTF-16 (LE/BE) and UTF-32 (LE/BE) with a BOM are read;
- without a BOM, a file whose first bytes alternate with NUL bytes is UTF-16 without a BOM and
  is read as such (``utf-16-le``/``utf-16-be``); any other NUL byte means a binary file;
- otherwise the caller's encodings are tried (UTF-8, then Windows-1252 for importers); bytes that
  none of them decodes are an error naming the byte offset and the line.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from bluehelmet.errors import UnreadableFileError

#: Byte-order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one).
BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32 (little-endian)"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32 (big-endian)"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 with a byte-order mark"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 (little-endian)"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 (big-endian)"),
)

#: Magic numbers of files people give instead of CSV, and what to do about them.
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "an Excel workbook (.xlsx), OpenDocument spreadsheet or zip archive"),
    (b"PK\x05\x06", "an empty zip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel workbook (.xls)"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x89PNG", "a PNG image"),
)

#: Bytes looked at to decide the kind of file.
HEAD_BYTES = 4096


@dataclass(frozen=True)
class TextKind:
    """How to decode a text file.

    Attributes
    ----------
    encoding
        Python codec name to open the file with (BOM-consuming where a BOM is present).
    label
        The encoding in words, for messages.
    bom
        Whether the file starts with a byte-order mark.
    """

    encoding: str
    label: str
    bom: bool


def sniff_text(path: Path | str, encodings: tuple[str, ...] = ("utf-8",)) -> TextKind:
    """Check that ``path`` is a non-empty text file and decide its encoding.

    Parameters
    ----------
    path
        The file.
    encodings
        Encodings to try, in order, when the file has no byte-order mark.

    Raises
    ------
    UnreadableFileError
        If the file is missing, a folder, empty, a spreadsheet, archive or other binary file, or
        text in none of ``encodings`` (naming the first undecodable byte's offset and line).
    """
    path = Path(path)
    if path.is_dir():
        raise UnreadableFileError(f"{path} is a folder, not a file; give the CSV file inside it")
    try:
        with path.open("rb") as fh:
            head = fh.read(HEAD_BYTES)
    except FileNotFoundError:
        raise UnreadableFileError(f"{path}: no such file; check the path") from None
    except OSError as exc:
        raise UnreadableFileError(f"{path}: cannot be opened ({exc.strerror or exc})") from None
    if not head:
        raise UnreadableFileError(
            f"{path}: the file is empty (0 bytes); a CSV file starts "
            "with a header line naming its columns"
        )
    for magic, what in MAGIC:
        if head.startswith(magic):
            raise UnreadableFileError(
                f"{path}: this is {what}, not a CSV text file; export it as CSV (in a "
                "spreadsheet program: Save As, 'CSV UTF-8 (comma delimited)') and give that file"
            )
    for bom, encoding, label in BOMS:
        if head.startswith(bom):
            if len(head) == len(bom):
                raise UnreadableFileError(
                    f"{path}: the file holds only a byte-order mark "
                    f"({label}); it has no header line"
                )
            return TextKind(encoding, label, True)
    if b"\x00" in head:
        return _nul_kind(path, head)
    return TextKind(_decodable(path, encodings), "", False)


def _nul_kind(path: Path, head: bytes) -> TextKind:
    """UTF-16 without a BOM (ASCII text with every other byte NUL), or a binary file."""
    even, odd = head[0::2], head[1::2]
    if odd and odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return TextKind("utf-16-le", "UTF-16 (little-endian, no byte-order mark)", False)
    if even and even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return TextKind("utf-16-be", "UTF-16 (big-endian, no byte-order mark)", False)
    offset = head.index(b"\x00")
    line = head.count(b"\n", 0, offset) + 1
    raise UnreadableFileError(
        f"{path}: byte {offset} (line {line}) is a NUL byte: this "
        "is a binary file, not CSV text; give the CSV file (UTF-8 text)"
    )


def _decodable(path: Path, encodings: tuple[str, ...]) -> str:
    """The first of ``encodings`` the whole file decodes in, read in blocks."""
    first_error: UnicodeDecodeError | None = None
    for encoding in encodings:
        decoder = codecs.getincrementaldecoder(encoding)()
        offset = 0
        try:
            with path.open("rb") as fh:
                while block := fh.read(1 << 22):
                    decoder.decode(block)
                    offset += len(block)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError as exc:
            if first_error is None:
                first_error = UnicodeDecodeError(
                    exc.encoding, exc.object, exc.start, exc.end, exc.reason
                )
                first_error.start = offset + exc.start
    assert first_error is not None
    raise UnreadableFileError(_undecodable_message(path, encodings, first_error.start))


def _undecodable_message(path: Path, encodings: tuple[str, ...], offset: int) -> str:
    with path.open("rb") as fh:
        before = fh.read(offset)
        bad = fh.read(1)
    line = before.count(b"\n") + 1
    names = " or ".join({"utf-8": "UTF-8", "cp1252": "Windows-1252"}.get(e, e) for e in encodings)
    return (
        f"{path}: byte {offset} (line {line}, value 0x{bad.hex()}) cannot be decoded as "
        f"{names}; save the file as UTF-8 (in a spreadsheet program: 'CSV UTF-8')"
    )
