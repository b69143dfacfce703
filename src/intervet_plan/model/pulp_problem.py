"""The PuLP problem of a model, made from its arrays when an analyst asks for it
(``model.problem``, ``model.x``, ``model.levels``, ``model.add_constraint``) or the CBC
backend needs it. The same names, the same constraint order and the same terms as the arrays,
so that flattening it again gives them back."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pulp

from intervet_plan.model.matrix import Matrix

if TYPE_CHECKING:
    from intervet_plan.model.build import Objective


@dataclass
class PulpProblem:
    """A PuLP problem with its variables in column order and its objective levels."""

    problem: pulp.LpProblem
    variables: list[pulp.LpVariable]
    levels: dict[str, pulp.LpAffineExpression]

    @classmethod
    def of(
        cls, name: str, m: Matrix, objectives: Mapping[str, Objective], first: str
    ) -> PulpProblem:
        prob = pulp.LpProblem(name, pulp.LpMaximize)
        cats = np.where(m.integer, pulp.LpInteger, pulp.LpContinuous)
        variables = [
            prob.add_variable(n, _finite(lo), _finite(hi), str(cat))
            for n, lo, hi, cat in zip(
                m.names, m.lower.tolist(), m.upper.tolist(), cats, strict=True
            )
        ]
        rows = m.rows
        starts, index, value = rows.starts.tolist(), rows.index.tolist(), rows.value.tolist()
        for r, rname in enumerate(m.row_names):
            s, e = starts[r], starts[r + 1]
            expr = pulp.LpAffineExpression(
                [(variables[j], a) for j, a in zip(index[s:e], value[s:e], strict=True)]
            )
            lo, hi = float(rows.lower[r]), float(rows.upper[r])
            if lo == hi:
                sense, rhs = pulp.LpConstraintEQ, lo
            elif math.isinf(lo):
                sense, rhs = pulp.LpConstraintLE, hi
            else:
                sense, rhs = pulp.LpConstraintGE, lo
            constraint = pulp.LpConstraint(expr, sense, rname)
            constraint.constant = -rhs  # its bound is -constant: rhs, signed zero kept
            prob.addConstraint(constraint, rname)
        levels = {
            k: pulp.LpAffineExpression(
                [(variables[j], float(o.c[j])) for j in np.flatnonzero(o.c)], constant=o.const
            )
            for k, o in objectives.items()
        }
        prob.setObjective(levels[first])
        return cls(prob, variables, levels)

    def set_values(self, x_all: np.ndarray) -> None:
        """Write a plan (one value per column) into the variables."""
        for v, val in zip(self.variables, x_all.tolist(), strict=False):
            v.varValue = float(val)


def _finite(b: float) -> float | None:
    return b if math.isfinite(b) else None
