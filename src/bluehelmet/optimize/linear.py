"""A sparse model builder whose constraints read like their formula.

linopy is pleasant but builds Python-level expressions; at 10,000 pledges the planner's model has
millions of non-zeros, so the families are assembled here directly as coordinate (COO) blocks and
passed to HiGHS in one call. Each family keeps a label table (which pledge, requirement, month
...), so every row and column of the matrix can be traced back to the data.

On top, a thin labelled layer in the style of linopy: :meth:`LinearModel.terms` gives the
columns of a variable family as :class:`Terms` labelled by pandas columns, and a constraint is
written as its formula, e.g. for "no pledge has more units present in a month than it offers"::

    present = m.terms("Tour-start", k, pledge=pledge_of[k], month=t)
    m.add_constraint("Pledge-capacity", present.sum(by=["pledge", "month"]) <= count_by_pledge)

The layer only groups arrays (no Python loop per term) and assembles the same COO blocks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

INF = float("inf")


@dataclass
class Family:
    """A named block of variables or constraints with its labels (one row per member)."""

    name: str
    start: int
    labels: pd.DataFrame

    @property
    def stop(self) -> int:
        """One past the last index of the family."""
        return self.start + len(self.labels)


@dataclass
class LinearModel:
    """Variables, constraints (``lower <= A x <= upper``) and named objective vectors."""

    var_families: dict[str, Family] = field(default_factory=dict)
    con_families: dict[str, Family] = field(default_factory=dict)
    col_lower: list[np.ndarray] = field(default_factory=list)
    col_upper: list[np.ndarray] = field(default_factory=list)
    col_integer: list[np.ndarray] = field(default_factory=list)
    row_lower: list[np.ndarray] = field(default_factory=list)
    row_upper: list[np.ndarray] = field(default_factory=list)
    entries: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)
    objectives: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    n_cols: int = 0
    n_rows: int = 0
    _matrix: sp.csc_matrix | None = None
    #: The matrix of the coefficients assembled so far (entries holds those added since).
    _assembled: sp.csc_matrix | None = None

    def add_variables(
        self,
        name: str,
        labels: pd.DataFrame,
        lower: np.ndarray | float,
        upper: np.ndarray | float,
        integer: bool = False,
    ) -> Family:
        """Add one variable per row of ``labels``; return the family (its column range)."""
        n = len(labels)
        fam = Family(name, self.n_cols, labels.reset_index(drop=True))
        self.var_families[name] = fam
        self.col_lower.append(np.broadcast_to(np.asarray(lower, float), (n,)).copy())
        self.col_upper.append(np.broadcast_to(np.asarray(upper, float), (n,)).copy())
        self.col_integer.append(np.full(n, integer))
        self.n_cols += n
        self._matrix = None
        return fam

    def add_constraints(
        self,
        name: str,
        labels: pd.DataFrame,
        rows: np.ndarray,
        cols: np.ndarray,
        vals: np.ndarray,
        lower: np.ndarray | float,
        upper: np.ndarray | float,
    ) -> Family:
        """Add one constraint per row of ``labels``; ``rows`` index into ``labels``."""
        n = len(labels)
        fam = Family(name, self.n_rows, labels.reset_index(drop=True))
        self.con_families[name] = fam
        self.row_lower.append(np.broadcast_to(np.asarray(lower, float), (n,)).copy())
        self.row_upper.append(np.broadcast_to(np.asarray(upper, float), (n,)).copy())
        # 32-bit positions where they fit (every model so far): a third less memory for the
        # tens of millions of coefficients of a 100,000-pledge model.
        index = np.int32 if max(self.n_rows + n, self.n_cols) < 2**31 else np.int64
        self.entries.append(
            (
                (np.asarray(rows, np.int64) + self.n_rows).astype(index),
                np.asarray(cols).astype(index),
                np.asarray(vals, float),
            )
        )
        self.n_rows += n
        self._matrix = None
        return fam

    def set_objective(self, stage: str, family: str, coefficients: np.ndarray) -> None:
        """Set the coefficients of variable ``family`` in objective ``stage``."""
        self.objectives.setdefault(stage, {})[family] = np.asarray(coefficients, float)

    def terms(
        self,
        family: str,
        members: np.ndarray | None = None,
        coefficients: np.ndarray | float = 1.0,
        **labels: np.ndarray | pd.Categorical,
    ) -> Terms:
        """Labelled terms over variable ``family``: one term per entry of ``members``.

        Parameters
        ----------
        family
            A variable family.
        members
            Positions within the family (repeats allowed: one term each); default all.
        coefficients
            Coefficient of each term (broadcast).
        **labels
            One array per label column, aligned with ``members``; default the family's labels.
            A ``pd.Categorical`` is kept as it is (tens of millions of text labels group far
            faster by their codes); the rows' labels come out as plain values.
        """
        fam = self.var_families[family]
        idx = np.arange(len(fam.labels)) if members is None else np.asarray(members, np.int64)
        frame = (
            pd.DataFrame(
                {
                    k: v if isinstance(v, pd.Categorical) else np.asarray(v)
                    for k, v in labels.items()
                }
            )
            if labels
            else fam.labels.iloc[idx].reset_index(drop=True)
        )
        if len(frame) != len(idx):
            raise ValueError(f"{family}: {len(idx)} terms but {len(frame)} label rows")
        coefs = np.broadcast_to(np.asarray(coefficients, float), (len(idx),)).copy()
        return Terms(frame, fam.start + idx, coefs)

    def add_constraint(self, name: str, constraint: Constraint) -> Family:
        """Add constraint family ``name`` written as a formula (see :class:`Terms`)."""
        lhs = constraint.lhs
        return self.add_constraints(
            name,
            lhs.keys,
            lhs.rows,
            lhs.terms.cols,
            lhs.terms.coefs,
            constraint.lower,
            constraint.upper,
        )

    def objective_vector(self, stage: str) -> np.ndarray:
        """Dense objective vector of ``stage`` over all columns."""
        c = np.zeros(self.n_cols)
        for fam_name, coef in self.objectives.get(stage, {}).items():
            fam = self.var_families[fam_name]
            c[fam.start : fam.stop] = coef
        return c

    @property
    def matrix(self) -> sp.csc_matrix:
        """The constraint matrix (CSC), assembled once (and again after rows or columns are added).

        The coefficients are moved into the matrix, not copied: once assembled, the families'
        coordinate blocks are dropped (they would double the memory of a large model).
        """
        if self._matrix is None:
            parts = list(self.entries)
            if self._assembled is not None:
                done = self._assembled.tocoo()
                parts.insert(0, (done.row, done.col, done.data))
            self.entries = []
            self._assembled = None
            if parts:
                r = np.concatenate([e[0] for e in parts])
                c = np.concatenate([e[1] for e in parts])
                v = np.concatenate([e[2] for e in parts])
            else:
                r = c = np.zeros(0, np.int32)
                v = np.zeros(0)
            del parts
            matrix = sp.csc_matrix((v, (r, c)), shape=(self.n_rows, self.n_cols))
            del r, c, v
            matrix.sum_duplicates()
            self._matrix = self._assembled = matrix
        return self._matrix

    def bounds(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Column lower/upper, integrality, row lower/upper as flat arrays."""

        def cat(parts: list[np.ndarray], dtype: type = float) -> np.ndarray:
            return np.concatenate(parts) if parts else np.zeros(0, dtype)

        return (
            cat(self.col_lower),
            cat(self.col_upper),
            cat(self.col_integer, bool),
            cat(self.row_lower),
            cat(self.row_upper),
        )

    def values(self, x: np.ndarray, family: str) -> np.ndarray:
        """The part of solution vector ``x`` belonging to variable ``family``."""
        fam = self.var_families[family]
        return x[fam.start : fam.stop]

    def constraint_table(self, name: str) -> pd.DataFrame:
        """Every coefficient of constraint family ``name``, with its row and column labels.

        One row per non-zero: ``constraint`` (the row's labels, ``key=value`` joined by ``;``),
        ``variable`` (``Family[labels]``), ``coefficient``, ``lower``, ``upper``; sorted. This is
        what the stored model files of the tests hold (``tests/forcegen/data/tiny_model``).
        """
        fam = self.con_families[name]
        block = sp.coo_matrix(self.matrix.tocsr()[fam.start : fam.stop])
        _, _, _, lo, hi = self.bounds()
        rows = label_strings(fam.labels)
        cols = np.empty(self.n_cols, dtype=object)
        for var in self.var_families.values():
            cols[var.start : var.stop] = [f"{var.name}[{s}]" for s in label_strings(var.labels)]
        out = pd.DataFrame(
            {
                "constraint": rows[block.row],
                "variable": cols[block.col],
                "coefficient": block.data,
                "lower": lo[fam.start + block.row],
                "upper": hi[fam.start + block.row],
            }
        )
        return out.sort_values(["constraint", "variable"]).reset_index(drop=True)

    def family_of_row(self) -> np.ndarray:
        """Name of the constraint family of every row."""
        out = np.empty(self.n_rows, dtype=object)
        for name, fam in self.con_families.items():
            out[fam.start : fam.stop] = name
        return out


def group_rows(keys: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """Row number of each key and the table of distinct keys (in order of first appearance)."""
    keys = keys.reset_index(drop=True)
    if len(keys) == 0:
        return np.zeros(0, np.int64), keys
    whole = integer_codes(keys)
    if whole is not None:
        # Integer labels: one mixed-radix integer per key, factorised once.
        codes = pd.factorize(whole[0])[0]
    else:
        # Column by column: factorise, combine with the codes so far, factorise again (codes
        # in order of first appearance, small enough never to overflow). Tens of millions of
        # terms with text labels group in seconds this way, where a groupby takes minutes.
        codes = np.zeros(len(keys), np.int64)
        for column in keys.columns:
            part, uniques = pd.factorize(keys[column], use_na_sentinel=False)
            codes = pd.factorize(codes * max(len(uniques), 1) + part)[0]
    # Codes number the keys in order of first appearance: a key appears first where its code
    # exceeds every code before it (one pass, no sort).
    codes = np.asarray(codes, np.int64)
    seen = np.maximum.accumulate(codes)
    first = np.flatnonzero(np.r_[True, codes[1:] > seen[:-1]])
    distinct = keys.iloc[first].reset_index(drop=True)
    for column in distinct.columns:
        # Labels given as categoricals (to group fast) are plain values in the row table.
        if isinstance(distinct[column].dtype, pd.CategoricalDtype):
            distinct[column] = distinct[column].to_numpy()
    return codes, distinct


@dataclass(frozen=True)
class Terms:
    """Linear terms labelled by a table: term ``i`` is ``coefs[i] * x[cols[i]]``.

    Terms add (``a + b``: all terms of both, with the same label columns), scale
    (``2.0 * a``, ``-a``), filter (``a.where(mask)``) and sum into one row per label key
    (:meth:`sum`), which compares with a right-hand side into a :class:`Constraint`.
    """

    labels: pd.DataFrame
    cols: np.ndarray
    coefs: np.ndarray

    def __add__(self, other: Terms) -> Terms:
        if list(self.labels.columns) != list(other.labels.columns):
            raise ValueError(
                f"cannot add terms labelled {list(self.labels.columns)} and "
                f"{list(other.labels.columns)}"
            )
        return Terms(
            pd.concat([self.labels, other.labels], ignore_index=True),
            np.concatenate([self.cols, other.cols]),
            np.concatenate([self.coefs, other.coefs]),
        )

    def __sub__(self, other: Terms) -> Terms:
        return self + (-other)

    def __neg__(self) -> Terms:
        return Terms(self.labels, self.cols, -self.coefs)

    def __mul__(self, factor: float | np.ndarray) -> Terms:
        return Terms(self.labels, self.cols, self.coefs * np.asarray(factor, float))

    __rmul__ = __mul__

    def where(self, mask: np.ndarray) -> Terms:
        """Only the terms where ``mask`` is true."""
        keep = np.asarray(mask, bool)
        return Terms(
            self.labels.loc[keep].reset_index(drop=True), self.cols[keep], self.coefs[keep]
        )

    def sum(self, by: Sequence[str], over: pd.DataFrame | None = None) -> LinearSum:
        """One row per distinct value of the ``by`` labels: the sum of its terms.

        Parameters
        ----------
        by
            Label columns that name a row.
        over
            The rows, in order (a table with the ``by`` columns), when they are known beforehand
            (e.g. a row for every requirement-month, with or without terms); by default the
            distinct keys of the terms in order of first appearance.

        Raises
        ------
        ValueError
            If a term's key is not a row of ``over``.
        """
        keys = self.labels[list(by)]
        if over is None:
            rows, distinct = group_rows(keys)
            return LinearSum(distinct, rows, self)
        table = over[list(by)].reset_index(drop=True)
        codes = integer_codes(table, keys)
        if codes is not None:
            # Integer labels (requirement, month: tens of millions of terms at scale): one
            # integer per key and a hash lookup, the same rows as the MultiIndex lookup below.
            rows = lookup(codes[0], codes[1])
        else:
            rows = pd.MultiIndex.from_frame(table).get_indexer(pd.MultiIndex.from_frame(keys))
        if (rows < 0).any():
            bad = keys.iloc[int(np.flatnonzero(rows < 0)[0])].to_dict()
            raise ValueError(f"a term labelled {bad} has no row in the given rows")
        return LinearSum(table, rows.astype(np.int64), self)


def lookup(table: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Position in ``table`` (distinct non-negative integers) of each of ``keys``; -1 if absent.

    A dense array indexed by the code when the codes are few enough (requirement x month: a
    few thousand), else a hash lookup.
    """
    span = int(max(table.max(initial=-1), keys.max(initial=-1))) + 1
    if span > 8 * (len(table) + len(keys)) + 1024 or len(np.unique(table)) < len(table):
        return np.asarray(pd.Index(table).get_indexer(keys))
    where = np.full(span, -1, dtype=np.int64)
    where[table] = np.arange(len(table))
    return where[keys]


def integer_codes(*frames: pd.DataFrame) -> list[np.ndarray] | None:
    """One integer per row of each frame (same columns), equal iff the rows are equal.

    Mixed-radix over the columns' ranges in all frames; ``None`` when a column is not integer or
    the codes would not fit in 62 bits. A categorical column of a single frame counts by its
    codes (equal codes, equal values).
    """
    codes = [np.zeros(len(f), np.int64) for f in frames]
    span = 1
    for column in frames[0].columns:
        series = [f[column] for f in frames]
        if len(frames) == 1 and isinstance(series[0].dtype, pd.CategoricalDtype):
            values = [np.asarray(series[0].cat.codes)]
        elif all(pd.api.types.is_integer_dtype(x.dtype) for x in series):
            values = [x.to_numpy() for x in series]
        else:
            return None
        lo = min(int(v.min(initial=0)) for v in values)
        hi = max(int(v.max(initial=0)) for v in values)
        width = hi - lo + 1
        if span * width >= 2**62:
            return None
        for code, v in zip(codes, values, strict=True):
            code += (v.astype(np.int64) - lo) * span
        span *= width
    return codes


Rhs = float | np.ndarray | pd.Series | Callable[[pd.DataFrame], np.ndarray]


@dataclass(frozen=True)
class LinearSum:
    """Sums of terms, one per row of ``keys``; ``rows[i]`` is the row of term ``i``."""

    keys: pd.DataFrame
    rows: np.ndarray
    terms: Terms

    def __le__(self, rhs: Rhs) -> Constraint:
        return Constraint(self, -INF, self.align(rhs))

    def __ge__(self, rhs: Rhs) -> Constraint:
        return Constraint(self, self.align(rhs), INF)

    def align(self, rhs: Rhs) -> np.ndarray:
        """The right-hand side per row.

        A number applies to every row, an array is already one value per row, a Series is looked
        up by the row's label named like its index, a function maps the row labels to values.
        """
        n = len(self.keys)
        if isinstance(rhs, pd.Series):
            if rhs.index.name not in self.keys.columns:
                raise ValueError(
                    f"right-hand side indexed by {rhs.index.name!r}; rows are "
                    f"labelled {list(self.keys.columns)}"
                )
            values = self.keys[rhs.index.name].map(rhs).to_numpy(dtype=float)
        elif callable(rhs):
            values = np.asarray(rhs(self.keys), float)
        else:
            values = np.asarray(rhs, float)
        return np.broadcast_to(values, (n,)).copy()


@dataclass(frozen=True)
class Constraint:
    """``lower <= lhs <= upper``, row by row."""

    lhs: LinearSum
    lower: np.ndarray | float
    upper: np.ndarray | float


def label_strings(labels: pd.DataFrame) -> np.ndarray:
    """Each row of a label table as ``key=value;key=value`` text."""
    if labels.empty:
        return np.zeros(len(labels), dtype=object)
    parts = [labels[c].astype(str).radd(f"{c}=") for c in labels.columns]
    text = parts[0]
    for part in parts[1:]:
        text = text + ";" + part
    return text.to_numpy(dtype=object)
