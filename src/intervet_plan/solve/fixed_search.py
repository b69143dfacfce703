"""A level whose relaxation stays fractional (a binding budget: a knapsack), proven by MIPs
over the few columns its reduced costs leave free instead of one MIP over all of them.

The relaxation proves ``max c.x <= B`` with reduced costs ``d`` (``bounds.upper_bound``).
Every plan reaching ``t`` has ``|d_j| |x_j - best_j| <= B - t``, so the integer columns whose
reduced cost exceeds that slack can be fixed at their best bound for the plans reaching ``t``
(``bounds.reduced_cost_fixings``). The MIP over the remaining columns (the restricted MIP)
decides the level:

- its optimum ``w >= t`` is the level's optimum: every better plan reaches ``t``, so it lies
  inside the restricted MIP;
- when it has no plan reaching ``t``, no plan does: the level's optimum is below ``t``.

The targets ``t`` descend on the level's lattice from the point below ``B`` (a small slack,
most columns fixed, a quick MIP), one step, then three, seven, ... below it; once ``t`` is one
step above the best plan ``v`` in hand, a restricted MIP without a plan reaching ``t`` proves
``v`` optimal. Exact only with a zero relative gap and on a lattice; else the full MIP runs.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from intervet_plan.solve.bounds import Bound, best_possible, reduced_cost_fixings
from intervet_plan.solve.levels import Level
from intervet_plan.solve.types import LevelReport, Method, Status

if TYPE_CHECKING:
    from intervet_plan.solve.highs import HighsBackend

MAX_ROUNDS = 6  # restricted MIPs without a plan in hand before the full MIP takes over

Found = tuple[LevelReport, str, np.ndarray | None]


def search(
    b: HighsBackend, level: Level, cmax: np.ndarray, bound: Bound, start: np.ndarray | None
) -> tuple[Found | None, np.ndarray | None]:
    """Prove ``level`` (``cmax``: its coefficients in maximisation form) by restricted MIPs.
    Returns (the level's report, message and plan; or None when the full MIP must decide) and
    the best plan in hand (a start for the full MIP)."""
    step = level.step
    if not step or b.settings.mip_gap > 0:
        return None, start
    top = math.floor((bound.value + bound.margin) / step + 1e-9)  # in steps
    v = None if start is None else round(float(cmax @ start) / step)
    if v is not None and v >= top:
        return _proven(level, start), start
    k = 0
    while True:
        t = top - (2**k - 1)
        if v is not None:
            t = max(t, v + 1)
        cols, lo, hi = reduced_cost_fixings(
            bound, t * step - 1e-6 * max(1.0, abs(t * step)), b.lower, b.upper, b.arr.integer
        )
        b.set_bounds(cols, lo, hi, keep=False)
        inside = start is not None and bool(
            np.all(start[cols] >= lo - 1e-9) and np.all(start[cols] <= hi + 1e-9)
        )
        try:
            report, message, x = b.branch(
                level.name, level.c, level.const, start if inside else None
            )
        finally:
            b.set_bounds(cols, b.lower[cols], b.upper[cols], keep=False)
        if report.status == Status.OPTIMAL and x is not None:
            w = round(float(cmax @ x) / step)
            if w >= t:
                return _proven(level, x), x
            if v is None or w > v:
                v, start = w, x
        elif report.status != Status.INFEASIBLE:  # a time limit or an error
            return _stopped(level, report, message, x, best_possible(bound, step)), start
        if v is not None and t <= v + 1:
            assert start is not None
            return _proven(level, start), start
        k += 1
        if v is None and k >= MAX_ROUNDS:
            return None, start


def _proven(level: Level, x: np.ndarray) -> Found:
    value = float(level.c @ x + level.const)
    return (
        LevelReport(level.name, Status.OPTIMAL, value, value, 0.0, 0.0, Method.BRANCH_AND_BOUND),
        "",
        x,
    )


def _stopped(
    level: Level, report: LevelReport, message: str, x: np.ndarray | None, top: float
) -> Found:
    """A restricted MIP stopped early: its plan stands, the relaxation's bound is the one
    proven for the level (the restricted MIP's own bound holds only inside it)."""
    if report.status != Status.FEASIBLE or x is None:
        return report, message, x
    value = float(level.c @ x + level.const)
    bound = (top if level.sense > 0 else -top) + level.const
    gap = abs(bound - value) / max(1.0, abs(value))
    return LevelReport(level.name, report.status, value, bound, gap, 0.0), message, x
