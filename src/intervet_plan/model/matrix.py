"""The model as sparse arrays: named columns (bounds, integrality) and named rows
``lower <= A x <= upper`` in CSR form, built directly from the rule rows without a PuLP
object. The PuLP problem is made from these arrays only when it is asked for
(``model/pulp_problem.py``).

Column order: the pair variables first (in pair order), then every other column sorted by
name; row order: the order in which rows are added. Within a row, terms keep the order in
which they were first added (a repeated column adds to its first term) and zero terms are
left out: the arrays are those that flattening the PuLP problem gave.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Rows:
    """Rows ``lower <= A x <= upper`` in CSR form (``starts``, ``index``, ``value``)."""

    lower: np.ndarray
    upper: np.ndarray
    starts: np.ndarray
    index: np.ndarray
    value: np.ndarray

    def append(self, lower: float, upper: float, index: np.ndarray, value: np.ndarray) -> None:
        """Add one row (an objective level's bound). The arrays are replaced, never written
        into: a copy made with :func:`dataclasses.replace` keeps the rows it had."""
        self.lower = np.append(self.lower, lower)
        self.upper = np.append(self.upper, upper)
        self.index = np.concatenate([self.index, index.astype(self.index.dtype)])
        self.value = np.concatenate([self.value, value.astype(float)])
        self.starts = np.append(self.starts, len(self.index)).astype(self.starts.dtype)

    def transpose_times(self, y: np.ndarray, n_cols: int, absolute: bool = False) -> np.ndarray:
        """``A^T y`` (``|A|^T |y|`` with ``absolute``)."""
        row_of = np.repeat(np.arange(len(self.lower)), np.diff(self.starts))
        w = np.abs(self.value * y[row_of]) if absolute else self.value * y[row_of]
        return np.bincount(self.index, weights=w, minlength=n_cols)

    def activity(self, x: np.ndarray) -> np.ndarray:
        """``A x``."""
        row_of = np.repeat(np.arange(len(self.lower)), np.diff(self.starts))
        return np.bincount(row_of, weights=self.value * x[self.index], minlength=len(self.lower))

    def satisfied(self, x: np.ndarray, rel: float = 1e-6, absolute: float = 0.0) -> bool:
        """Does ``x`` meet every row, within ``absolute + rel * max(1, |activity|)``?"""
        a = self.activity(x)
        slack = absolute + rel * np.maximum(1.0, np.abs(a))
        return bool(np.all(a >= self.lower - slack) and np.all(a <= self.upper + slack))


@dataclass
class Matrix:
    """Named columns and named rows of a model, as arrays."""

    names: list[str]
    lower: np.ndarray
    upper: np.ndarray
    integer: np.ndarray
    rows: Rows
    row_names: list[str]


def merged(idx: np.ndarray, coef: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Terms ``(idx, coef)`` with each column once, in the order of its first term (a
    repeated column's coefficients added in order), zero coefficients left out."""
    if len(idx) and len(np.unique(idx)) != len(idx):
        u, first, inv = np.unique(idx, return_index=True, return_inverse=True)
        sums = np.zeros(len(u))
        np.add.at(sums, inv, coef)
        order = np.argsort(first, kind="stable")
        idx, coef = u[order], sums[order]
    keep = coef != 0
    return idx[keep], coef[keep]


@dataclass
class MatrixBuilder:
    """Collects columns and rows. Pair columns are ``0 .. n_pairs - 1``; every other column
    gets a provisional index ``n_pairs + k`` (k in order of creation) until :meth:`finish`
    sorts them by name."""

    n_pairs: int
    pair_names: list[str]
    pair_lower: np.ndarray
    names: list[str] = field(default_factory=list)
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    integer: list[bool] = field(default_factory=list)
    row_lower: list[float] = field(default_factory=list)
    row_upper: list[float] = field(default_factory=list)
    row_names: list[str] = field(default_factory=list)
    parts_index: list[np.ndarray] = field(default_factory=list)
    parts_value: list[np.ndarray] = field(default_factory=list)

    def column(self, name: str, lower: float, upper: float | None, integer: bool) -> int:
        """A new column (``upper`` None: no upper bound); its provisional index."""
        self.names.append(name)
        self.lower.append(float(lower))
        self.upper.append(math.inf if upper is None else float(upper))
        self.integer.append(integer)
        return self.n_pairs + len(self.names) - 1

    def row(
        self,
        name: str,
        idx: np.ndarray,
        coef: np.ndarray,
        lower: float,
        upper: float,
        merge: bool = False,
    ) -> None:
        """A new row ``lower <= sum(coef * x[idx]) <= upper`` without its zero terms; with
        ``merge``, a column given more than once is merged as PuLP merges it."""
        i, c = np.asarray(idx, np.int64), np.asarray(coef, float)
        if merge:
            i, c = merged(i, c)
        else:
            keep = c != 0
            i, c = i[keep], c[keep]
        self.parts_index.append(i)
        self.parts_value.append(c)
        self.row_lower.append(lower)
        self.row_upper.append(upper)
        self.row_names.append(name)

    def finish(self) -> tuple[Matrix, np.ndarray]:
        """The matrix, and the final index of each provisional one (an array to index with
        a provisional index)."""
        n = self.n_pairs
        order = sorted(range(len(self.names)), key=self.names.__getitem__)
        final = np.arange(n + len(self.names))
        final[n + np.array(order, np.int64)] = n + np.arange(len(order))
        others = np.array(order, np.int64)
        lengths = np.array([len(p) for p in self.parts_index], np.int64)
        starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
        index = (
            final[np.concatenate(self.parts_index)].astype(np.int32)
            if self.parts_index
            else np.zeros(0, np.int32)
        )
        value = np.concatenate(self.parts_value) if self.parts_value else np.zeros(0)
        rows = Rows(
            np.array(self.row_lower, float),
            np.array(self.row_upper, float),
            starts,
            index,
            value,
        )
        pair_upper = np.ones(n)
        m = Matrix(
            self.pair_names + [self.names[k] for k in order],
            np.concatenate([self.pair_lower, np.array(self.lower, float)[others]]),
            np.concatenate([pair_upper, np.array(self.upper, float)[others]]),
            np.concatenate([np.ones(n, bool), np.array(self.integer, bool)[others]]),
            rows,
            self.row_names,
        )
        return m, final
