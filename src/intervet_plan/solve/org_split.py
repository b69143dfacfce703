"""The organisational-support splits (m = min(n, T), made exact by a binary z) on the HiGHS
backend: which splits a relaxed plan implies, and which every plan implies.

Before a level that prices organisational support (the cost level, or any level once the
relaxation finds the budget binding), an activity whose placements provably cannot fall
below the threshold gets its split fixed (z = 1, m = T), which closes the relaxation's gap on
the cost level and tightens it where the budget binds.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from intervet_plan.model.build import Goal, OrgSupport
from intervet_plan.solve.bounds import upper_bound
from intervet_plan.solve.highs_model import PRIMAL_SIMPLEX

if TYPE_CHECKING:
    from intervet_plan.solve.highs import HighsBackend


def split_fixings(b: HighsBackend, x: np.ndarray) -> np.ndarray:
    """The free ``past`` binaries (z) of the splits that are fractional in ``x`` and whose
    placements in ``x`` reach the threshold (z = 1 is then the consistent value)."""
    col = b.arr.col_of
    out = []
    for o in b.model.org_support:
        z = col[o.past.name]
        if b.lower[z] == b.upper[z] or abs(x[z] - round(x[z])) <= 1e-6:
            continue
        if x[o.pairs].sum() >= o.threshold - 1e-6:
            out.append(z)
    return np.array(out, np.int32)


def tighten_org_support(b: HighsBackend) -> None:
    """Fix the split of each activity whose placements provably reach the threshold:
    minimise its placements on the relaxation and bound that minimum from the duals."""
    # The basis stays primal feasible when only the objective changes: primal simplex
    # takes a fifth of the dual's time here (scale 10: 5 s against 26 s).
    _, strategy = b.lp.getOptionValue("simplex_strategy")
    b.lp.setOptionValue("simplex_strategy", PRIMAL_SIMPLEX)
    try:
        for o in b.model.org_support:
            _tighten_split(b, o)
    finally:
        b.lp.setOptionValue("simplex_strategy", strategy)


def _tighten_split(b: HighsBackend, o: OrgSupport) -> None:
    import highspy

    col = b.arr.col_of
    z, m = col[o.past.name], col[o.first.name]
    if b.lower[z] == b.upper[z]:
        return
    c = np.zeros(b.n)
    c[o.pairs] = -1.0  # maximise -n
    b.objective(b.lp, c, Goal.MAXIMISE)
    b.clock(b.lp)
    b.lp.run()
    if b.lp.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return
    sol = b.lp.getSolution()
    if not sol.dual_valid:
        return
    bound = upper_bound(b.rows, b.lower, b.upper, c, np.array(sol.row_dual))
    if bound is None:
        return
    fewest = math.ceil(-(bound.value + bound.margin) - 1e-9)  # n >= fewest for every plan
    if fewest >= o.threshold:
        t = float(o.threshold)
        cols = np.array([z, m], np.int32)
        b.set_bounds(cols, np.array([1.0, t]), np.array([1.0, t]))
