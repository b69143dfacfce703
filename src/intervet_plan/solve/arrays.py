"""The PuLP problem as sparse arrays, once: its columns (bounds, integrality) and its rows
``lower <= A x <= upper`` in CSR form. Both backends and the bound proofs read these arrays;
HiGHS receives them as they are."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pulp

from intervet_plan.model.build import Model


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
class Arrays:
    """The PuLP problem's columns (``cols``, their bounds and integrality) and its ``rows``."""

    cols: list[pulp.LpVariable]
    lower: np.ndarray
    upper: np.ndarray
    integer: np.ndarray
    rows: Rows
    col_of: dict[str, int]

    def objective(self, expr: pulp.LpAffineExpression) -> tuple[np.ndarray, float]:
        """An expression as (coefficient per column, constant)."""
        c = np.zeros(len(self.cols))
        for v, a in expr.items():
            if v.name in self.col_of:  # PuLP adds a '__dummy' variable to empty objectives
                c[self.col_of[v.name]] += a
        return c, float(expr.constant)


def to_arrays(model: Model) -> Arrays:
    """Flatten the PuLP problem: model columns first (x in pair order), then any other."""
    prob = model.problem
    cols: list[pulp.LpVariable] = list(model.x)
    col_of = {v.name: i for i, v in enumerate(cols)}
    for v in prob.variables():
        if v.name not in col_of:
            col_of[v.name] = len(cols)
            cols.append(v)
    for expr in model.levels.values():
        for v in expr:
            if v.name not in col_of:
                col_of[v.name] = len(cols)
                cols.append(v)
    inf = math.inf
    lower = np.array([-inf if v.lowBound is None else v.lowBound for v in cols], float)
    upper = np.array([inf if v.upBound is None else v.upBound for v in cols], float)
    integer = np.array([v.cat == pulp.LpInteger for v in cols], bool)
    starts, index, value, rlo, rhi = [0], [], [], [], []
    for c in prob.constraints():
        for v, a in c.items():
            if a:
                index.append(col_of[v.name])
                value.append(a)
        starts.append(len(index))
        lo, hi = c.getLb(), c.getUb()
        rlo.append(-inf if lo is None else lo)
        rhi.append(inf if hi is None else hi)
    rows = Rows(
        np.array(rlo, float),
        np.array(rhi, float),
        np.array(starts, np.int32),
        np.array(index, np.int32),
        np.array(value, float),
    )
    return Arrays(cols, lower, upper, integer, rows, col_of)
