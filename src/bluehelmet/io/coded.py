"""Text columns as integer codes per row plus the distinct values.

Files users bring repeat a few values many times (a 1,000,000-row UN file has a few dozen
missions, 5 personnel types, a few hundred dates): work is done once per distinct value and
only integer codes are touched per row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa


@dataclass
class Coded:
    """A text column as integer codes per row and the distinct values."""

    codes: np.ndarray
    uniques: np.ndarray

    @classmethod
    def of(cls, values: pd.Series | np.ndarray) -> Coded:
        """Factorise a column of text (NA becomes ``""``)."""
        series = pd.Series(values) if not isinstance(values, pd.Series) else values
        codes, uniques = pd.factorize(series.fillna(""), use_na_sentinel=False)
        return cls(np.asarray(codes, dtype=np.intp), np.asarray(uniques, dtype=object))

    def rows(self) -> np.ndarray:
        """The value of each row (object array)."""
        return self.uniques[self.codes]

    def per_row(self, per_unique: np.ndarray) -> np.ndarray:
        """Spread an array computed per distinct value to the rows."""
        return np.asarray(per_unique)[self.codes]

    def map(self, func: Callable[[str], str]) -> Coded:
        """Apply ``func`` to each distinct value and re-factorise the result."""
        mapped = np.array([func(v) for v in self.uniques], dtype=object)
        return self.remap(mapped)

    def remap(self, new_uniques: np.ndarray) -> Coded:
        """Codes for new values given per old distinct value (re-factorised)."""
        codes, uniques = pd.factorize(
            pd.Series(new_uniques, dtype=object).fillna(""), use_na_sentinel=False
        )
        return Coded(
            np.asarray(codes, dtype=np.intp)[self.codes], np.asarray(uniques, dtype=object)
        )

    def subset(self, rows: np.ndarray) -> Coded:
        """The given rows only (same distinct values)."""
        return Coded(self.codes[rows], self.uniques)

    def arrow(self) -> pa.Array:
        """The rows as a pyarrow string array (decoded in C, no Python objects per row)."""
        # large_string: pyarrow's take is several times faster on it than on string
        return pa.array(self.uniques, type=pa.large_string()).take(pa.array(self.codes))

    def series(self) -> pd.Series:
        """The rows as a pandas ``string`` Series."""
        return arrow_strings(self.arrow())

    def categorical(self) -> pd.Categorical:
        """The rows as a pandas Categorical (cheap: shares the codes)."""
        return pd.Categorical.from_codes(
            self.codes, categories=pd.Index(self.uniques, dtype=object)
        )


def arrow_strings(values: pa.Array | pa.ChunkedArray) -> pd.Series:
    """A pyarrow string array as a pandas ``string`` Series, without copying to Python."""
    if isinstance(values, pa.DictionaryArray):
        values = values.cast(pa.large_string())
    chunked = values if isinstance(values, pa.ChunkedArray) else pa.chunked_array([values])
    return pd.Series(pd.arrays.ArrowStringArray(chunked.cast(pa.large_string())))


def constant_strings(value: str | None, n: int) -> pd.Series:
    """``n`` copies of ``value`` (NA if ``None``) as a pandas ``string`` Series, built in C."""
    if value is None:
        return arrow_strings(pa.nulls(n, pa.large_string()))
    data = value.encode("utf-8")
    offsets = np.arange(n + 1, dtype=np.int64) * len(data)
    array = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data * n))
    return arrow_strings(array)
