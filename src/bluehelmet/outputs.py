"""Result tables declared as data, like the inputs: one ``outputs.csv`` per analysis package.

Each row of a package's ``outputs.csv`` declares one column of one output table: its type, unit
and description. :class:`DeclaredTables` checks a table built by the analysis (or by hand, in a
test) against the declaration and gives it the declared dtypes (:meth:`~DeclaredTables.conform`),
turns it back into the text written to CSV (:meth:`~DeclaredTables.render`) and documents it
(:meth:`~DeclaredTables.reference_markdown`). The force planner
(``bluehelmet/forcegen/outputs.csv``) and protection planning (``bluehelmet/protect/outputs.csv``)
declare theirs.

Types: ``string``, ``integer``, ``float``, ``boolean``, ``month`` (a month-start timestamp, written
``YYYY-MM``) and ``date`` (written ``YYYY-MM-DD``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

import pandas as pd

DTYPES: dict[str, str] = {
    "string": "string",
    "integer": "int64",
    "float": "float64",
    "boolean": "bool",
    "month": "datetime64[ns]",
    "date": "datetime64[ns]",
}
TEXT_FORMATS = {"month": "%Y-%m", "date": "%Y-%m-%d"}
#: Dtypes of a column added as missing values (:func:`conform` with ``fill_missing``).
MISSING_DTYPES: dict[str, str] = {**DTYPES, "integer": "Int64", "boolean": "boolean"}


@dataclass(frozen=True)
class OutputColumn:
    """One declared column of an output table."""

    table: str
    column: str
    type: str
    unit: str
    description: str


class OutputTableError(ValueError):
    """A result table does not match its declaration in ``outputs.csv``."""


class DeclaredTables:
    """The output tables of one analysis package, as its ``outputs.csv`` declares them.

    Parameters
    ----------
    package
        The package holding ``outputs.csv`` (e.g. ``bluehelmet.forcegen``).
    file_names
        Table name -> file name (without ``.csv``), in writing order.
    """

    def __init__(self, package: str, file_names: dict[str, str]) -> None:
        self.package = package
        self.file_names = file_names

    @functools.cached_property
    def declarations(self) -> dict[str, tuple[OutputColumn, ...]]:
        """The declared columns of every output table, in order."""
        text = resources.files(self.package).joinpath("outputs.csv")
        with text.open("r", encoding="utf-8") as f:
            rows = pd.read_csv(f, dtype=str, keep_default_na=False)
        out: dict[str, list[OutputColumn]] = {}
        for record in rows.to_dict("records"):
            col = OutputColumn(
                *(str(record[k]) for k in ("table", "column", "type", "unit", "description"))
            )
            if col.type not in DTYPES:
                raise OutputTableError(
                    f"outputs.csv: column {col.table}.{col.column} has type "
                    f"{col.type!r}; use one of {', '.join(DTYPES)}"
                )
            out.setdefault(col.table, []).append(col)
        unknown = set(out) ^ set(self.file_names)
        if unknown:
            raise OutputTableError(
                f"{self.package}: outputs.csv and the file names disagree on "
                f"tables {sorted(unknown)}"
            )
        return {name: tuple(cols) for name, cols in out.items()}

    def columns(self, table: str) -> list[str]:
        """The declared column names of ``table``."""
        return [c.column for c in self.declarations[table]]

    def empty(self, table: str) -> pd.DataFrame:
        """An empty ``table`` with the declared columns and dtypes."""
        return pd.DataFrame(
            {c.column: pd.Series(dtype=DTYPES[c.type]) for c in self.declarations[table]}
        )

    def conform(
        self, table: str, frame: pd.DataFrame, *, fill_missing: bool = False
    ) -> pd.DataFrame:
        """``frame`` with exactly the declared columns of ``table``, in order, with declared dtypes.

        Parameters
        ----------
        table
            A table of ``outputs.csv`` (e.g. ``coverage``).
        frame
            The table as built.
        fill_missing
            Add missing declared columns as missing values (for plans built by hand, whose
            undeclared details do not matter); by default a missing column is an error.

        Raises
        ------
        OutputTableError
            If a column is missing, undeclared, or a value does not fit the declared type (the
            message names the table, column, row and value).
        """
        if table not in self.declarations:
            raise OutputTableError(
                f"unknown output table {table!r}; known: {', '.join(self.declarations)}"
            )
        if len(frame.columns) == 0 and len(frame) == 0:
            return self.empty(table)
        decl = self.declarations[table]
        names = [c.column for c in decl]
        extra = [c for c in frame.columns if c not in names]
        missing = [c for c in names if c not in frame.columns]
        if extra:
            raise OutputTableError(
                f"output table {table!r} has undeclared columns {extra}; "
                f"declare them in {self.package}/outputs.csv"
            )
        if missing and not fill_missing:
            raise OutputTableError(f"output table {table!r} lacks declared columns {missing}")
        out = pd.DataFrame(index=frame.index)
        for col in decl:
            values = (
                frame[col.column]
                if col.column in frame.columns
                else pd.Series(index=frame.index, dtype=MISSING_DTYPES[col.type])
            )
            out[col.column] = _cast(table, col, values)
        return out.reset_index(drop=True)

    def render(self, table: str, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` with months and dates as the text written to CSV (``YYYY-MM``, ISO dates)."""
        out = frame.copy()
        for col in self.declarations[table]:
            if col.type in TEXT_FORMATS and col.column in out:
                out[col.column] = out[col.column].dt.strftime(TEXT_FORMATS[col.type]).fillna("")
        return out

    def reference_markdown(self) -> str:
        """The declaration as Markdown tables (for ``docs/force-generation.md``)."""
        parts = []
        for table, cols in self.declarations.items():
            parts.append(
                f"**{table}** (`{self.file_names[table]}.csv`)\n\n"
                "| column | type | unit | description |\n|---|---|---|---|"
            )
            parts.extend(f"| `{c.column}` | {c.type} | {c.unit} | {c.description} |" for c in cols)
            parts.append("")
        return "\n".join(parts)


def _cast(table: str, col: OutputColumn, values: pd.Series) -> pd.Series:
    """``values`` as the declared type of ``col``, or an error naming the first bad row."""
    try:
        if col.type in TEXT_FORMATS:
            if pd.api.types.is_datetime64_any_dtype(values):
                return values.astype("datetime64[ns]")
            text = values.astype("string").mask(values.astype("string") == "")
            fmt = "%Y-%m" if text.dropna().str.len().eq(7).all() else "ISO8601"
            return pd.to_datetime(text, format=fmt).astype("datetime64[ns]")
        if col.type == "string":
            return values.astype("string")
        if col.type == "boolean":
            if values.isna().any():
                return values.astype("boolean")
            return values.astype(bool)
        if col.type == "integer":
            if values.isna().any():
                return values.astype("Int64")
            as_float = values.astype("float64")
            if not (as_float == as_float.round()).all():
                raise ValueError("not a whole number")
            return as_float.astype("int64")
        return values.astype("float64")
    except (TypeError, ValueError) as exc:
        bad = _first_bad(col, values)
        raise OutputTableError(
            f"output table {table!r}, column {col.column!r}, row {bad[0]}: "
            f"value {bad[1]!r} is not a {col.type} ({exc})"
        ) from None


def _first_bad(col: OutputColumn, values: pd.Series) -> tuple[object, object]:
    for i, v in values.items():
        try:
            if col.type in ("integer", "float"):
                float(v)
            elif col.type in TEXT_FORMATS:
                pd.Timestamp(v)
        except (TypeError, ValueError):
            return i, v
    return "?", "?"
