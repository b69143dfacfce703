"""The model as sparse arrays, once: its columns (bounds, integrality) and its rows
``lower <= A x <= upper`` in CSR form. Both backends and the bound proofs read these arrays;
HiGHS receives them as they are.

A model is built as arrays (``model/matrix.py``), and those are used as they are. Only when
its PuLP problem has been made (an analyst asked for ``model.problem``, and may have added
constraints or changed bounds there) is that problem flattened instead."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pulp

from intervet_plan.model.build import Model, Objective
from intervet_plan.model.matrix import Matrix, Rows

__all__ = ["Arrays", "Rows", "to_arrays"]


@dataclass
class Arrays(Matrix):
    """The model's columns (``names``, their bounds and integrality) and its ``rows``
    (``row_names``), as a :class:`~intervet_plan.model.matrix.Matrix`, with the levels when
    built from arrays. ``cols``: the PuLP variables, when flattened from the PuLP problem."""

    objectives: dict[str, Objective] | None = None  # the levels, when built from arrays
    cols: list[pulp.LpVariable] | None = None
    _col_of: dict[str, int] | None = field(default=None, repr=False)

    @property
    def n(self) -> int:
        return len(self.names)

    @property
    def col_of(self) -> dict[str, int]:
        """Column name -> index."""
        if self._col_of is None:
            self._col_of = {v: i for i, v in enumerate(self.names)}
        return self._col_of

    def objective(self, expr: pulp.LpAffineExpression) -> tuple[np.ndarray, float]:
        """An expression as (coefficient per column, constant)."""
        c = np.zeros(self.n)
        col_of = self.col_of
        for v, a in expr.items():
            if v.name in col_of:  # PuLP adds a '__dummy' variable to empty objectives
                c[col_of[v.name]] += a
        return c, float(expr.constant)

    def level(self, model: Model, name: str) -> tuple[np.ndarray, float]:
        """The objective level ``name`` of ``model`` as (coefficient per column, constant)."""
        if self.objectives is not None:
            o = self.objectives[name]
            return o.c.copy(), o.const
        return self.objective(model.levels[name])


def to_arrays(model: Model) -> Arrays:
    """The model's arrays; its PuLP problem flattened when it has been made."""
    if not model.materialised:
        m = model.matrix
        return Arrays(
            m.names,
            m.lower.copy(),
            m.upper.copy(),
            m.integer.copy(),
            Rows(m.rows.lower, m.rows.upper, m.rows.starts, m.rows.index, m.rows.value),
            m.row_names,
            model.objectives,
        )
    return flatten(model)


def flatten(model: Model) -> Arrays:
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
    starts, index, value, rlo, rhi, names = [0], [], [], [], [], []
    for c in prob.constraints():
        for v, a in c.items():
            if a:
                index.append(col_of[v.name])
                value.append(a)
        starts.append(len(index))
        lo, hi = c.getLb(), c.getUb()
        rlo.append(-inf if lo is None else lo)
        rhi.append(inf if hi is None else hi)
        names.append(c.name)
    rows = Rows(
        np.array(rlo, float),
        np.array(rhi, float),
        np.array(starts, np.int32),
        np.array(index, np.int32),
        np.array(value, float),
    )
    return Arrays(
        [v.name for v in cols], lower, upper, integer, rows, names, cols=cols, _col_of=col_of
    )
