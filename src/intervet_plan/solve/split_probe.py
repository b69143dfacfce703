"""Proving a level through the organisational-support splits, without branch and bound.

When the budget binds, the relaxation prices organisational support at the chord of
``min(n, T)`` (the split's binary z fractional) and so promises more than any plan reaches:
at scale 10 with a budget of EUR 8 M it promises 5,446.47 placements where the optimum is
5,436. With the splits fixed at z = 1 (n >= T) as its plan implies, the relaxation promises
5,436.95, and a plan of 5,436 is optimal *among the plans with those splits at 1*. The other
plans have some split at z = 0 (n <= T); for each fixed split one probe, the relaxation with
that z at 0 and the others free, bounds them. Every plan falls in one of these cases, so the
largest of their bounds holds for all plans: when the plan reaches it, the level is proven.

A probe needs no optimum, only a bound below the plan's next lattice point: its dual simplex
(which keeps the basis dual feasible, so that the multipliers of every iteration give a
Lagrangian bound, ``bounds.upper_bound``) stops as soon as its objective passes that point
(HiGHS's ``objective_bound``), and the bound is recomputed here from its multipliers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from intervet_plan.solve.bounds import Bound, best_possible, upper_bound

if TYPE_CHECKING:
    import highspy

    from intervet_plan.solve.arrays import Rows

DUAL_SIMPLEX = 1  # the value of the HiGHS option simplex_strategy for the dual simplex


@dataclass
class SplitCase:
    """The relaxation with the splits ``cols`` (their z columns) fixed at 1, and its bound
    on the level in maximisation form."""

    cols: np.ndarray
    bound: Bound


def case_bound(
    rows: Rows,
    lower: np.ndarray,
    upper: np.ndarray,
    cols: np.ndarray,
    cmax: np.ndarray,
    y: np.ndarray,
) -> SplitCase | None:
    """The bound of the relaxation solved with the splits ``cols`` at 1, from its
    multipliers ``y``."""
    lo, hi = lower.copy(), upper.copy()
    lo[cols] = hi[cols] = 1.0
    b = upper_bound(rows, lo, hi, cmax, y)
    return None if b is None else SplitCase(cols, b)


def probe_split(
    lp: highspy.Highs,
    rows: Rows,
    lower: np.ndarray,
    upper: np.ndarray,
    z: int,
    cmax: np.ndarray,
    stop_at: float,
    enough: float,
    objective: tuple[np.ndarray, bool],
) -> Bound | None:
    """A bound on the level (maximisation form) over the plans with split ``z`` at 0: the
    relaxation with z's upper bound at 0, by dual simplex from the basis in hand, stopped
    once its objective falls to ``stop_at``. When the multipliers at that stop do not bound
    the level below ``enough`` (HiGHS's dual simplex may stop on its perturbed costs), the
    probe goes on to the optimum. ``lp`` holds the level's ``objective`` (its coefficients,
    and whether it maximises), given back with the bounds and options as they were."""
    import highspy

    one = np.array([z], np.int32)
    lp.changeColsBounds(1, one, np.array([lower[z]]), np.array([0.0]))
    _, strategy = lp.getOptionValue("simplex_strategy")
    _, objective_bound = lp.getOptionValue("objective_bound")
    lp.setOptionValue("simplex_strategy", DUAL_SIMPLEX)
    # HiGHS's dual simplex stops at objective_bound only when it minimises: the probe
    # minimises -cmax.x (the same problem, so the basis stays dual feasible), stopped when
    # its dual objective rises to -stop_at
    cost, maximise = objective
    columns = np.arange(len(cmax), dtype=np.int32)
    lp.changeColsCost(len(cmax), columns, -cmax)
    lp.changeObjectiveSense(highspy.ObjSense.kMinimize)
    lo, hi = lower.copy(), upper.copy()
    hi[z] = 0.0
    bound = None
    try:
        for stop in (-stop_at, objective_bound):
            lp.setOptionValue("objective_bound", stop)
            lp.run()
            status = lp.getModelStatus()
            sol = lp.getSolution()
            if status in (
                highspy.HighsModelStatus.kOptimal,
                highspy.HighsModelStatus.kObjectiveBound,
            ):
                if sol.dual_valid:
                    bound = upper_bound(rows, lo, hi, cmax, np.array(sol.row_dual))
            if status != highspy.HighsModelStatus.kObjectiveBound:
                break
            if bound is not None and bound.value + bound.margin < enough:
                break
    finally:
        lp.setOptionValue("objective_bound", objective_bound)
        lp.setOptionValue("simplex_strategy", strategy)
        lp.changeColsCost(len(cmax), columns, cost)
        lp.changeObjectiveSense(
            highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize
        )
        lp.changeColsBounds(1, one, np.array([lower[z]]), np.array([upper[z]]))
    return bound


def cases_top(case: SplitCase, probes: list[Bound], step: float | None) -> float:
    """The most any plan reaches: the largest of the cases' best possible values (the
    splits of ``case`` at 1, or one of them at 0 with its probe's bound)."""
    return max(best_possible(b, step) for b in [case.bound, *probes])


def fixed_at_one(
    case: SplitCase, probes: list[Bound], step: float | None, level_max: float
) -> bool:
    """Do the probes exclude z = 0 for every split of ``case`` from the plans that keep the
    level at ``level_max`` or better (maximisation form)? Those plans then all lie in the
    case, whose bound holds for them."""
    tol = 1e-9 * max(1.0, abs(level_max))
    return all(best_possible(b, step) < level_max - tol for b in probes)
