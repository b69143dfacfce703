"""The bound proofs and reduced-cost fixings of solve/bounds.py: a hand-worked example, then random
small integer programs checked by brute force over every 0/1 point, with the multipliers
HiGHS returns for the relaxation (either sense) and with arbitrary ones."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from intervet_plan.inputs.scenario import SolverSettings
from intervet_plan.model.build import Model, Objective
from intervet_plan.model.matrix import MatrixBuilder
from intervet_plan.solve.arrays import Rows
from intervet_plan.solve.bounds import (
    Bound,
    best_possible,
    proves,
    reduced_cost_fixings,
    upper_bound,
)
from intervet_plan.solve.driver import optimise
from intervet_plan.solve.highs_model import new_highs


def rows_of(a: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> Rows:
    starts, index, value = [0], [], []
    for r in a:
        nz = np.flatnonzero(r)
        index += nz.tolist()
        value += r[nz].tolist()
        starts.append(len(index))
    return Rows(
        lower.astype(float),
        upper.astype(float),
        np.array(starts, np.int32),
        np.array(index, np.int32),
        np.array(value, float),
    )


def test_hand_worked_bound_and_fixing():
    # max x1 + 2 x2 s.t. x1 + x2 <= 1.5, 0 <= x <= 1: LP optimum 2.5 with y = 1, d = (0, 1).
    rows = rows_of(np.array([[1.0, 1.0]]), np.array([-math.inf]), np.array([1.5]))
    lo, hi, c = np.zeros(2), np.ones(2), np.array([1.0, 2.0])
    b = upper_bound(rows, lo, hi, c, np.array([1.0]))
    assert b is not None
    assert b.value == pytest.approx(2.5)
    assert b.d.tolist() == [0.0, 1.0]
    # the sign of y does not matter: the one that proves more is taken
    assert upper_bound(rows, lo, hi, c, np.array([-1.0])).value == pytest.approx(2.5)
    # every 0/1 plan reaching 2 has x2 = 1; x1 (reduced cost 0) stays free
    cols, new_lo, new_hi = reduced_cost_fixings(b, 2.0, lo, hi, np.array([True, True]))
    assert cols.tolist() == [1] and new_lo.tolist() == [1.0] and new_hi.tolist() == [1.0]
    # a level of 1 leaves a slack of 1.5: nothing is fixed
    assert len(reduced_cost_fixings(b, 1.0, lo, hi, np.array([True, True]))[0]) == 0
    # continuous columns are never fixed
    assert len(reduced_cost_fixings(b, 2.0, lo, hi, np.array([False, False]))[0]) == 0


def test_fixings_keep_to_the_integers_inside_fractional_bounds():
    # integer x in [0, 2.5], d = 1, bound 2.5: every x >= 0.8 reaches level 0.8, x = 1 too
    b = Bound(2.5, np.array([1.0]), 1e-9)
    cols, lo, hi = reduced_cost_fixings(b, 0.8, np.zeros(1), np.array([2.5]), np.array([True]))
    assert cols.tolist() == [0] and lo.tolist() == [1.0] and hi.tolist() == [2.0]


def test_no_finite_bound_through_an_infinite_side():
    # max x s.t. x >= 0 as a row, x unbounded above: no multiplier bounds it
    rows = rows_of(np.array([[1.0]]), np.array([0.0]), np.array([math.inf]))
    assert upper_bound(rows, np.zeros(1), np.array([math.inf]), np.ones(1), np.zeros(1)) is None


def test_proves_uses_the_lattice_of_the_level():
    b = Bound(7.6, np.zeros(1), 1e-7)
    assert best_possible(b, step=1.0) == 7.0
    assert best_possible(b, step=0.25) == 7.5
    assert proves(7.0, b, step=1.0, rel_gap=0.0)
    assert not proves(6.0, b, step=1.0, rel_gap=0.0)
    assert proves(7.5, b, step=0.25, rel_gap=0.0)
    assert not proves(7.25, b, step=0.25, rel_gap=0.0)
    assert not proves(7.0, b, step=None, rel_gap=0.0)
    assert proves(7.0, b, step=None, rel_gap=0.1)
    assert proves(7.6 - 5e-7, b, step=None, rel_gap=0.0)


def relaxation_duals(rows: Rows, c: np.ndarray, lo: np.ndarray, hi: np.ndarray, maximise: bool):
    import highspy

    h = new_highs()
    n = len(c)
    h.addVars(n, lo, hi)
    h.addRows(
        len(rows.lower), rows.lower, rows.upper, len(rows.index), rows.starts[:-1], rows.index,
        rows.value,
    )  # fmt: skip
    h.changeColsCost(n, np.arange(n, dtype=np.int32), c if maximise else -c)
    h.changeObjectiveSense(highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return np.array(h.getSolution().row_dual)


@pytest.mark.parametrize("seed", range(60))
def test_bounds_and_fixings_hold_for_every_01_point(seed: int):
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(3, 9)), int(rng.integers(1, 5))
    a = rng.integers(-3, 4, size=(m, n)).astype(float)
    rhs = rng.integers(0, 6, size=m).astype(float)
    kind = rng.integers(0, 3, size=m)  # <=, >=, =
    lower = np.where(kind == 0, -math.inf, np.where(kind == 1, rhs - 2, rhs))
    upper = np.where(kind == 0, rhs, np.where(kind == 1, math.inf, rhs))
    rows = rows_of(a, lower, upper)
    c = rng.integers(-5, 8, size=n).astype(float)
    lo, hi = np.zeros(n), np.ones(n)
    fixed = rng.random(n) < 0.2
    lo[fixed] = hi[fixed] = rng.integers(0, 2, size=int(fixed.sum()))
    points = np.array(list(itertools.product((0.0, 1.0), repeat=n)))
    act = points @ a.T
    ok = np.all((act >= lower - 1e-9) & (act <= upper + 1e-9), axis=1)
    ok &= np.all((points >= lo) & (points <= hi), axis=1)
    feasible = points[ok]
    duals = [relaxation_duals(rows, c, lo, hi, True), rng.normal(size=m) * 3]
    for y in duals:
        if y is None:
            continue
        b = upper_bound(rows, lo, hi, c, y)
        assert b is not None  # every column and the rows' used sides are finite here
        if not len(feasible):
            continue
        values = feasible @ c
        best = values.max()
        assert best <= b.value + b.margin
        for level in (best, best - 1, best - 2.5):
            cols, new_lo, new_hi = reduced_cost_fixings(b, level, lo, hi, np.ones(n, bool))
            keep = feasible[values >= level - 1e-9]
            assert len(keep)
            # no plan that reaches the level is cut off
            assert np.all(keep[:, cols] >= new_lo - 1e-9) and np.all(keep[:, cols] <= new_hi + 1e-9)


def tiny_model(coef: float, cap: float) -> Model:
    """Two binaries, ``coef * x0 + x1 <= cap``, maximise x0 + x1 (a bare Model, no case)."""
    b = MatrixBuilder(2, ["x0", "x1"], np.zeros(2))
    b.row("budget", np.array([0, 1]), np.array([coef, 1.0]), -math.inf, cap)
    matrix, _ = b.finish()
    placements = {"placements": Objective(np.ones(2), 0.0)}
    return Model(None, pd.DataFrame(index=range(2)), matrix, [], placements, "placements")  # type: ignore[arg-type]


def solve_tiny(model: Model, settings: SolverSettings):
    return optimise(model, settings, order=("placements",), tolerances={})


@pytest.mark.parametrize("coef, cap", [(1e3, 1000.9995), (1e6, 1000000.5)])
def test_a_rounded_relaxation_must_meet_every_row(coef: float, cap: float):
    # The relaxation puts x0 at 1 - 5e-7, which rounds to 1; x0 = x1 = 1 breaks the row by
    # half a unit: the optimum is 1 (found by review).
    r = solve_tiny(tiny_model(coef, cap), SolverSettings())
    assert r.status == "optimal"
    assert r.values["placements"] == 1
    assert coef * r.x[0] + r.x[1] <= cap


def test_any_thread_count_after_another():
    # HiGHS fixes its thread scheduler at the first run of a process; a later solve on
    # another thread count must still run.
    for threads in (1, 2, 1):
        r = solve_tiny(tiny_model(1.0, 1.0), SolverSettings(threads=threads))
        assert r.status == "optimal" and r.values["placements"] == 1
