"""A minimal sparse model container: named variable and constraint families, one CSC matrix.

linopy is pleasant but builds Python-level expressions; at 10,000 pledges the model has millions of
non-zeros, so the families are assembled here directly as coordinate (COO) blocks and passed to
HiGHS in one call. Each family keeps a label table (which pledge, requirement, month ...), so every
row and column of the matrix can be traced back to the data.
"""

from __future__ import annotations

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

    def add_variables(self, name: str, labels: pd.DataFrame, lower: np.ndarray | float,
                      upper: np.ndarray | float, integer: bool = False) -> Family:
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

    def add_constraints(self, name: str, labels: pd.DataFrame, rows: np.ndarray,
                        cols: np.ndarray, vals: np.ndarray, lower: np.ndarray | float,
                        upper: np.ndarray | float) -> Family:
        """Add one constraint per row of ``labels``; ``rows`` index into ``labels``."""
        n = len(labels)
        fam = Family(name, self.n_rows, labels.reset_index(drop=True))
        self.con_families[name] = fam
        self.row_lower.append(np.broadcast_to(np.asarray(lower, float), (n,)).copy())
        self.row_upper.append(np.broadcast_to(np.asarray(upper, float), (n,)).copy())
        self.entries.append((np.asarray(rows, np.int64) + self.n_rows, np.asarray(cols, np.int64),
                             np.asarray(vals, float)))
        self.n_rows += n
        self._matrix = None
        return fam

    def set_objective(self, stage: str, family: str, coefficients: np.ndarray) -> None:
        """Set the coefficients of variable ``family`` in objective ``stage``."""
        self.objectives.setdefault(stage, {})[family] = np.asarray(coefficients, float)

    def objective_vector(self, stage: str) -> np.ndarray:
        """Dense objective vector of ``stage`` over all columns."""
        c = np.zeros(self.n_cols)
        for fam_name, coef in self.objectives.get(stage, {}).items():
            fam = self.var_families[fam_name]
            c[fam.start:fam.stop] = coef
        return c

    @property
    def matrix(self) -> sp.csc_matrix:
        """The constraint matrix (CSC), assembled once."""
        if self._matrix is None:
            if self.entries:
                r = np.concatenate([e[0] for e in self.entries])
                c = np.concatenate([e[1] for e in self.entries])
                v = np.concatenate([e[2] for e in self.entries])
            else:
                r = c = np.zeros(0, np.int64)
                v = np.zeros(0)
            self._matrix = sp.csc_matrix((v, (r, c)), shape=(self.n_rows, self.n_cols))
            self._matrix.sum_duplicates()
        return self._matrix

    def bounds(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Column lower/upper, integrality, row lower/upper as flat arrays."""
        def cat(parts: list[np.ndarray], dtype: type = float) -> np.ndarray:
            return np.concatenate(parts) if parts else np.zeros(0, dtype)
        return (cat(self.col_lower), cat(self.col_upper), cat(self.col_integer, bool),
                cat(self.row_lower), cat(self.row_upper))

    def values(self, x: np.ndarray, family: str) -> np.ndarray:
        """The part of solution vector ``x`` belonging to variable ``family``."""
        fam = self.var_families[family]
        return x[fam.start:fam.stop]

    def constraint_table(self, name: str) -> pd.DataFrame:
        """Every coefficient of constraint family ``name``, with its row and column labels.

        One row per non-zero: ``constraint`` (the row's labels, ``key=value`` joined by ``;``),
        ``variable`` (``Family[labels]``), ``coefficient``, ``lower``, ``upper``; sorted. This is
        what the stored model files of the tests hold (``tests/forcegen/data/tiny_model``).
        """
        fam = self.con_families[name]
        block = sp.coo_matrix(self.matrix.tocsr()[fam.start:fam.stop])
        _, _, _, lo, hi = self.bounds()
        rows = label_strings(fam.labels)
        cols = np.empty(self.n_cols, dtype=object)
        for var in self.var_families.values():
            cols[var.start:var.stop] = [f"{var.name}[{s}]" for s in label_strings(var.labels)]
        out = pd.DataFrame({"constraint": rows[block.row], "variable": cols[block.col],
                            "coefficient": block.data, "lower": lo[fam.start + block.row],
                            "upper": hi[fam.start + block.row]})
        return out.sort_values(["constraint", "variable"]).reset_index(drop=True)

    def family_of_row(self) -> np.ndarray:
        """Name of the constraint family of every row."""
        out = np.empty(self.n_rows, dtype=object)
        for name, fam in self.con_families.items():
            out[fam.start:fam.stop] = name
        return out


def label_strings(labels: pd.DataFrame) -> np.ndarray:
    """Each row of a label table as ``key=value;key=value`` text."""
    if labels.empty:
        return np.zeros(len(labels), dtype=object)
    parts = [labels[c].astype(str).radd(f"{c}=") for c in labels.columns]
    text = parts[0]
    for part in parts[1:]:
        text = text + ";" + part
    return text.to_numpy(dtype=object)
