"""CSV cells made safe for spreadsheets (OWASP CSV injection).

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula by spreadsheet programs. OWASP's rule: prefix such a cell with a single quote, so it is
shown as text. Only text cells are touched; numbers (also numbers written as text, such as
``-3.5``) stay numbers.
"""

from __future__ import annotations

import re

import pandas as pd

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PATTERN = r"^[=+\-@\t\r]"
#: A plain number (``-3.5``, ``+1e3``) is left alone: spreadsheets read it as a number anyway.
_NUMBER = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"


def neutralise_csv_cell(value: str) -> str:
    """``value`` with a leading ``'`` if it would otherwise be read as a formula."""
    if value.startswith(FORMULA_STARTS) and not re.match(_NUMBER, value):
        return "'" + value
    return value


def neutralise_frame(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` whose text columns are neutralised cell by cell (vectorised)."""
    out = table.copy()
    for name in out.columns:
        col = out[name]
        if not (pd.api.types.is_string_dtype(col.dtype) or col.dtype == object):
            continue
        text = col.astype("string")
        risky = (
            (text.str.contains(_PATTERN, regex=True) & ~text.str.contains(_NUMBER, regex=True))
            .fillna(False)
            .astype(bool)
        )
        if risky.any():
            out[name] = text.where(~risky, "'" + text)
    return out
