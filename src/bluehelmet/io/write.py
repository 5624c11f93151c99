"""Writing files safely: one CSV writer, atomic files and atomic scenario folders.

**Formula safety.** :func:`write_csv` is the one CSV writer for data that came from input files.
A text cell that a spreadsheet would run as a formula - one beginning with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return - is written with a single quote in front (OWASP's rule for
CSV injection), so ``=HYPERLINK(...)`` is shown as text. Cells that are plain numbers (``-3.5``,
``+12``, ``-1e3``) stay as they are, and numeric columns are never touched. To keep the
encoding reversible, a text cell that already starts with quotes followed by one of those
characters gets one more quote; :func:`unneutralise` removes exactly one (the scenario loader
applies it, so that a scenario written and read again gives back the same tables).

**Atomic files.** :func:`atomic_file` writes to a temporary sibling and renames it into place
(``os.replace``, atomic on POSIX and Windows): a kill leaves the old file or the new one.

**Atomic folders.** :func:`replace_folder` writes a whole folder (a scenario) next to the target
and swaps it in:

1. remove leftovers of interrupted earlier writes (renamed to ``.NAME.bh-trash-*`` first, so a
   half-deleted leftover can never be taken for a complete one);
2. write everything into ``.NAME.bh-tmp-<random>``, flush and ``fsync`` it;
3. rename it to ``.NAME.bh-new-<random>`` (from here on it is known complete);
4. rename the existing ``NAME`` to ``.NAME.bh-old-<random>``;
5. rename ``.NAME.bh-new-*`` to ``NAME``;
6. delete ``.NAME.bh-old-*``.

A kill before 4 leaves the old folder in place; after 5 the new one. A kill between 4 and 5
leaves no ``NAME`` but a complete ``.NAME.bh-new-*`` (and the old folder aside):
:func:`recover_folder`, which the scenario loader and ``data import --into`` call first, renames
the new folder into place (or, had there been none, the old one back). Files in the old folder
that the new one does not write (notes, plans) are copied over. Two processes writing the same
folder at once are not supported.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: Characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_RISKY = re.compile(r"^'*[=+\-@\t\r]")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_QUOTED = re.compile(r"^'+[=+\-@\t\r]")


def neutralise(series: pd.Series) -> pd.Series:
    """Text cells a spreadsheet would run as formulas, with a ``'`` in front (numbers kept)."""
    if not (
        pd.api.types.is_object_dtype(series.dtype)
        or pd.api.types.is_string_dtype(series.dtype)
        or isinstance(series.dtype, pd.CategoricalDtype)
    ):
        return series
    text = series.astype("string")
    if not _may_start_with(text, [*FORMULA_START, "'"]):  # the common case: one cheap pass
        return series
    risky = text.str.contains(_RISKY, na=False) & ~text.str.fullmatch(_NUMBER, na=False)
    if not risky.any():
        return series
    return text.where(~risky, "'" + text)


def unneutralise(series: pd.Series) -> pd.Series:
    """Undo :func:`neutralise` on text read back (one leading quote removed where it added one)."""
    text = series.astype("string")
    if not text.str.startswith("'").fillna(False).any():
        return series
    quoted = text.str.contains(_QUOTED, na=False)
    if not quoted.any():
        return series
    return text.where(~quoted, text.str.slice(1))


def neutralised_frame(table: pd.DataFrame, *, index: bool = False) -> pd.DataFrame:
    """``table`` with every text column (and a text index) passed through :func:`neutralise`."""
    out = table.copy()
    for col in out.columns:
        out[col] = neutralise(out[col])
    if index and not isinstance(out.index, pd.MultiIndex):
        out.index = pd.Index(neutralise(out.index.to_series()).to_numpy(), name=out.index.name)
    out.columns = [_header(c) for c in out.columns]
    return out


def _header(name: object) -> object:
    if isinstance(name, str) and _RISKY.match(name) and not _NUMBER.match(name):
        return "'" + name
    return name


def write_csv(
    table: pd.DataFrame, path: str | Path, *, index: bool = False, **options: Any
) -> Path:
    """Write ``table`` as UTF-8 CSV, formula-safe and atomically (see the module docstring).

    Parameters
    ----------
    table
        The table; text cells starting with ``= + - @``, tab or CR are prefixed with ``'``.
    path
        The file to write (replaced atomically if it exists).
    index
        Whether to write the index (as :meth:`pandas.DataFrame.to_csv`).
    options
        Further :meth:`pandas.DataFrame.to_csv` options (``date_format``, ``float_format`` ...).

    Returns
    -------
    Path
        The path written.
    """
    path = Path(path)
    options.setdefault("lineterminator", "\n")
    safe = neutralised_frame(table, index=index)
    with atomic_file(path) as tmp:
        if not index and set(options) == {"lineterminator"} and _all_text(safe):
            _text_csv(safe, tmp, options["lineterminator"])
        else:
            safe.to_csv(tmp, index=index, **options)
    return path


def _all_text(table: pd.DataFrame) -> bool:
    return len(table.columns) > 0 and all(
        isinstance(c, str) and isinstance(table[c].dtype, pd.StringDtype) for c in table.columns
    )


def _text_csv(table: pd.DataFrame, path: Path, eol: str) -> None:
    """Write an all-text table as CSV in Arrow's compute kernels (no Python loop over rows).

    Same bytes as :meth:`pandas.DataFrame.to_csv` with minimal quoting: a value is quoted (its
    quotes doubled) when it holds a comma, a quote or a line break; missing values are empty.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    def cell(values: pa.ChunkedArray | pa.Array) -> pa.Array:
        values = pc.fill_null(values.cast(pa.large_string()), "")
        if not _may_hold(values, (b'"', b",", b"\r", b"\n")):  # memchr over the text bytes
            return values
        needs = pc.match_substring_regex(values, '[",\r\n]')
        if not pc.any(needs).as_py():  # most columns: nothing to quote
            return values
        quote, empty = pa.scalar('"', pa.large_string()), pa.scalar("", pa.large_string())
        quoted = pc.binary_join_element_wise(
            quote, pc.replace_substring(values, '"', '""'), quote, empty
        )
        return pc.if_else(needs, quoted, values)

    header = ",".join(str(cell(pa.array([c]))[0]) for c in table.columns) + eol
    columns = [
        cell(pa.array(table[c], type=pa.large_string(), from_pandas=True)) for c in table.columns
    ]
    with path.open("wb") as fh:
        fh.write(header.encode("utf-8"))
        if len(table):
            large = pa.large_string()
            # each line with its end of line (added to the last cell, so that no comma precedes
            # it); the array's data buffer is then the file body
            ends = pc.binary_join_element_wise(
                columns[-1], pa.scalar(eol, large), pa.scalar("", large)
            )
            lines = pc.binary_join_element_wise(*columns[:-1], ends, pa.scalar(",", large))
            for chunk in lines.chunks if isinstance(lines, pa.ChunkedArray) else [lines]:
                offsets = chunk.buffers()[1]
                first, last = (
                    int(x)
                    for x in pa.Array.from_buffers(
                        pa.int64(), len(chunk) + 1, [None, offsets], offset=chunk.offset
                    ).to_numpy()[[0, -1]]
                )
                fh.write(memoryview(chunk.buffers()[2])[first:last])


def _may_start_with(text: pd.Series, starts: list[str]) -> bool:
    """Whether a value of ``text`` may begin with one of the one-byte ``starts`` (vectorised).

    The first byte of every value is read from the Arrow offsets (no per-value slice); a
    non-Arrow column is checked with pandas.
    """
    import pyarrow as pa

    try:
        values = pa.chunked_array(pa.array(text, from_pandas=True))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return bool(text.str.slice(0, 1).isin(starts).any())
    wanted = np.array([ord(c) for c in starts], dtype=np.uint8)
    for chunk in values.chunks:
        if chunk.type not in (pa.string(), pa.large_string()) or chunk.buffers()[2] is None:
            continue
        width = np.int32 if chunk.type == pa.string() else np.int64
        window = slice(chunk.offset, chunk.offset + len(chunk) + 1)
        offsets: np.ndarray = np.frombuffer(chunk.buffers()[1], dtype=width)[window]
        octets = np.frombuffer(chunk.buffers()[2], dtype=np.uint8)
        begins = offsets[:-1][offsets[1:] > offsets[:-1]]  # non-empty values
        if np.isin(octets[begins], wanted).any():
            return True
    return False


def _may_hold(values: Any, needles: tuple[bytes, ...]) -> bool:
    """Whether any of ``needles`` occurs in the text bytes behind an Arrow string array.

    One comparison per byte of the whole data buffer (also bytes outside a slice: it may say yes
    when the answer is no, never the reverse), several times faster than a regular expression
    per value. UTF-8 never uses ASCII bytes inside a multi-byte character.
    """
    chunks = values.chunks if hasattr(values, "chunks") else [values]
    for chunk in chunks:
        data = chunk.buffers()[2]
        if data is None:
            continue
        octets = np.frombuffer(data, dtype=np.uint8)
        if any(bool((octets == ord(n)).any()) for n in needles):
            return True
    return False


@contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """Yield a temporary sibling of ``path`` to write; rename it onto ``path`` on success."""
    tmp = path.with_name(f".{path.name}.bh-tmp-{secrets.token_hex(4)}")
    try:
        yield tmp
        _fsync(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _siblings(folder: Path, kind: str) -> list[Path]:
    parent = folder.parent
    if not parent.is_dir():
        return []
    prefix = f".{folder.name}.bh-{kind}-"
    return sorted(
        (p for p in parent.iterdir() if p.name.startswith(prefix) and p.is_dir()),
        key=lambda p: p.stat().st_mtime,
    )


def recover_folder(folder: str | Path) -> bool:
    """Finish a folder swap a kill interrupted (see the module docstring).

    Returns
    -------
    bool
        True if a folder was renamed into place.
    """
    folder = Path(folder)
    if folder.exists():
        return False
    for kind in ("new", "old"):
        found = _siblings(folder, kind)
        if found:
            os.rename(found[-1], folder)
            return True
    return False


def _clear_leftovers(folder: Path) -> None:
    for kind in ("tmp", "new", "old", "trash"):
        for stale in _siblings(folder, kind):
            trash = (
                stale
                if kind == "trash"
                else stale.with_name(f".{folder.name}.bh-trash-{secrets.token_hex(4)}")
            )
            if stale != trash:
                os.rename(stale, trash)
            shutil.rmtree(trash, ignore_errors=True)


@contextmanager
def replace_folder(folder: str | Path) -> Iterator[Path]:
    """Yield an empty temporary folder; on success it replaces ``folder`` atomically.

    On an exception nothing changes (the temporary folder is removed).
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        from bluehelmet.errors import UnreadableFileError

        raise UnreadableFileError(f"{folder} is a file; give a folder to write the scenario to")
    folder.parent.mkdir(parents=True, exist_ok=True)
    recover_folder(folder)
    _clear_leftovers(folder)
    token = secrets.token_hex(4)
    tmp = folder.with_name(f".{folder.name}.bh-tmp-{token}")
    tmp.mkdir()
    try:
        yield tmp
        if folder.is_dir():  # keep what else the folder holds (notes, plans, other files)
            for item in folder.iterdir():
                if not (tmp / item.name).exists():
                    copy = shutil.copytree if item.is_dir() else shutil.copy2
                    copy(item, tmp / item.name)
        for item in tmp.iterdir():
            if item.is_file():
                _fsync(item)
        new = tmp.with_name(f".{folder.name}.bh-new-{token}")
        os.rename(tmp, new)
        old = None
        if folder.exists():
            old = folder.with_name(f".{folder.name}.bh-old-{token}")
            os.rename(folder, old)
        os.rename(new, folder)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def safe_component(name: str, fallback: str = "unnamed") -> str:
    """``name`` made safe as one file or folder name inside an output folder.

    Letters, digits, spaces, ``_`` and ``-`` are kept; every other character (path separators,
    dots, colons, control characters) becomes ``_``; leading and trailing spaces and ``_`` are
    removed and the result is cut to 80 characters. So ``../../etc`` becomes ``etc``, ``/tmp/x``
    becomes ``tmp_x`` and no result can leave the folder it is joined to, be hidden, or end in
    ``.csv``/``.json`` like the files written beside it. An empty result is ``fallback``.
    """
    text = unicodedata.normalize("NFKC", str(name))
    text = re.sub(r"[^\w \-]|[\x00-\x1f]", "_", text, flags=re.UNICODE)
    text = re.sub(r"_{2,}", "_", text).strip(" _")[:80].strip(" _")
    return text or (fallback if fallback == safe_component(fallback, "x") else "unnamed")


def confined(root: str | Path, name: str) -> Path:
    """``root / name`` after checking that it stays inside ``root``.

    Raises
    ------
    UnreadableFileError
        If ``name`` would leave ``root`` (use :func:`safe_component` first).
    """
    from bluehelmet.errors import UnreadableFileError

    base = Path(root).resolve()
    path = (base / name).resolve()
    if path.parent != base:
        raise UnreadableFileError(f"{name!r} is not a plain name inside {root}")
    return Path(root) / name
