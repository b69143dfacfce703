"""What an LP relaxation proves about the integer problem, in exact terms.

For any row multipliers ``y`` (a dual solution of the relaxation, or anything else), the
Lagrangian bound

    max c.x  <=  sum_i max(y_i * L_i, y_i * U_i) + sum_j max(d_j * l_j, d_j * u_j),
    d = c - A^T y,

holds for every ``x`` with ``L <= A x <= U`` and ``l <= x <= u``. It needs no trust in the
solver's tolerances: a slightly infeasible dual only makes the bound weaker, and the bound is
recomputed here from the model's own rows. Two uses:

- the bound proves a plan optimal when the plan reaches it (``upper_bound``);
- every plan that keeps the level at ``b`` or better has ``|d_j| * |x_j - best_j| <=
  bound - b``, so integer columns whose reduced cost is larger than that slack are fixed at
  their best bound for all later levels (``reduced_cost_fixings``). This removes only plans
  that the level's bound row excludes anyway: the optimum of every later level is unchanged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from intervet_plan.solve.arrays import Rows


@dataclass
class Bound:
    """A proven upper bound on ``max c.x``: ``value`` plus at most ``margin`` of floating-point
    error, with the reduced costs ``d`` that prove it."""

    value: float
    d: np.ndarray
    margin: float


def upper_bound(
    rows: Rows, lower: np.ndarray, upper: np.ndarray, c: np.ndarray, y: np.ndarray
) -> Bound | None:
    """The Lagrangian bound on ``max c.x`` from multipliers ``y``, taking whichever sign of
    ``y`` proves more (solvers differ in their sign convention for maximisation); ``None``
    when no finite bound follows (a needed column or row side is infinite)."""
    best: Bound | None = None
    for sign in (1.0, -1.0):
        b = _bound(rows, lower, upper, c, sign * np.asarray(y, float))
        if b is not None and (best is None or b.value < best.value):
            best = b
    return best


def _bound(
    rows: Rows, lower: np.ndarray, upper: np.ndarray, c: np.ndarray, y: np.ndarray
) -> Bound | None:
    y = y.copy()
    # A multiplier may only price a row side that exists: y > 0 needs U, y < 0 needs L.
    y[(y > 0) & ~np.isfinite(rows.upper)] = 0.0
    y[(y < 0) & ~np.isfinite(rows.lower)] = 0.0
    with np.errstate(invalid="ignore"):
        row_terms = np.where(y > 0, y * rows.upper, np.where(y < 0, y * rows.lower, 0.0))
    d = c - rows.transpose_times(y, len(c))
    with np.errstate(invalid="ignore"):
        col_terms = np.where(d > 0, d * upper, np.where(d < 0, d * lower, 0.0))
    if not (np.all(np.isfinite(row_terms)) and np.all(np.isfinite(col_terms))):
        return None
    # The sum is exactly rounded (fsum); each term carries the error of the products and
    # sums that made it, a few hundred ulps of |c_j| + (|A|^T |y|)_j times its bound at most.
    magnitude = np.abs(c) + rows.transpose_times(y, len(c), absolute=True)
    at = np.where(d > 0, np.abs(upper), np.where(d < 0, np.abs(lower), 0.0))
    error = 1e-12 * (math.fsum((magnitude * at).tolist()) + math.fsum(np.abs(row_terms).tolist()))
    value = math.fsum(row_terms.tolist()) + math.fsum(col_terms.tolist())
    return Bound(value, d, error + 1e-12 * abs(value) + 1e-9)


def reduced_cost_fixings(
    bound: Bound, level: float, lower: np.ndarray, upper: np.ndarray, integer: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tightened integer column bounds for every plan with ``c.x >= level``.

    Returns (columns changed, their new lower bounds, their new upper bounds)."""
    d = bound.d
    slack = bound.value - level + bound.margin
    if slack < 0:  # no plan reaches the level: leave the bounds to the solver to report
        return np.array([], np.int32), np.array([]), np.array([])
    # an integer column's bounds are the integers inside them
    lower = np.where(integer, np.ceil(lower - 1e-9), lower)
    upper = np.where(integer, np.floor(upper + 1e-9), upper)
    finite = np.isfinite(lower) & np.isfinite(upper)
    with np.errstate(divide="ignore"):
        reach = np.floor(slack / np.abs(d))  # how far from its best bound a column may move
    cand = integer & finite & (d != 0) & (reach < upper - lower)
    j = np.flatnonzero(cand)
    lo, hi = lower[j].copy(), upper[j].copy()
    up = d[j] > 0  # best at the upper bound
    lo[up] = np.maximum(lo[up], hi[up] - reach[j][up])
    hi[~up] = np.minimum(hi[~up], lo[~up] + reach[j][~up])
    return j.astype(np.int32), lo, hi


def best_possible(bound: Bound, step: float | None) -> float:
    """The most any plan can reach: the bound with its rounding margin, and on a level whose
    values lie on a lattice of ``step``, the lattice point below it."""
    top = bound.value + bound.margin
    return math.floor(top / step + 1e-9) * step if step else top


def proves(value: float, bound: Bound, step: float | None, rel_gap: float) -> bool:
    """Does a plan of ``value`` reach the proven ``bound`` (maximisation)? On a lattice it
    must reach the lattice point below the bound; otherwise the solver's own gaps apply
    (absolute 1e-6, relative ``rel_gap``). A plan beyond the bound cannot be feasible: it
    proves nothing (a rounding gone wrong)."""
    top = best_possible(bound, step)
    if value > top + 1e-6 * max(1.0, abs(top)):
        return False
    if step:
        return value >= top - 1e-9 * max(1.0, abs(top))
    return top - bound.margin - value <= max(1e-6, rel_gap * max(1.0, abs(value)))
