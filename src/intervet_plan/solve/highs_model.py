"""A HiGHS object (quiet, on a given number of threads) and the problem's arrays loaded into it:
what the HiGHS backend and the diagnosis share, and a check of a solution HiGHS hands back."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np

from intervet_plan.solve.arrays import Arrays, Rows
from intervet_plan.solve.levels import rounded

if TYPE_CHECKING:
    import highspy

PRIMAL_SIMPLEX = 4  # the value of the HiGHS option simplex_strategy for primal simplex
# nonzeros from which the relaxation is solved as large_lp_strategy says: measured at 289,000
# (scale 10, baseline targets: no gain), 683,000 (scale 10, country targets and a binding
# budget: the first relaxation 12 s instead of 40 s) and 2 million (scale 30: 17 s against 93 s)
LARGE_LP = 500_000
_scheduler_threads: int | None = None


def new_highs(threads: int = 1) -> highspy.Highs:
    """A quiet ``highspy.Highs`` running on ``threads`` threads (its constructor prints a
    banner on the C stdout). HiGHS keeps one thread scheduler per process, fixed by the first
    run: it is reset when a different thread count is asked for, else every later run fails."""
    import highspy

    global _scheduler_threads
    if _scheduler_threads is not None and _scheduler_threads != threads:
        highspy.Highs.resetGlobalScheduler(True)
    _scheduler_threads = threads

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            h = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", threads)
    return h


def load_into(
    h: highspy.Highs, arr: Arrays, lower: np.ndarray | None = None, relaxed: bool = False
) -> None:
    """Pass the columns (bounds, integrality unless ``relaxed``) and rows of ``arr`` to a
    Highs object."""
    import highspy

    n = arr.n
    h.addVars(n, arr.lower if lower is None else lower, arr.upper)
    ints = np.flatnonzero(arr.integer).astype(np.int32)
    if len(ints) and not relaxed:
        kind = np.full(len(ints), highspy.HighsVarType.kInteger.value, np.uint8)
        h.changeColsIntegrality(len(ints), ints, kind)
    rows = arr.rows
    if len(rows.lower):
        h.addRows(
            len(rows.lower),
            rows.lower,
            rows.upper,
            len(rows.index),
            rows.starts[:-1],
            rows.index,
            rows.value,
        )


def trustworthy(h: highspy.Highs, rows: Rows, c: np.ndarray, integer: np.ndarray) -> bool:
    """Does the solution HiGHS hands back match the objective value it reports, and satisfy
    every row of the model? (A cheap guard against a wrong solution after a warm start.)"""
    import highspy

    info = h.getInfo()
    feasible = highspy.SolutionStatus.kSolutionStatusFeasible
    if info.primal_solution_status != feasible:  # no solution: nothing to distrust
        return True
    x = rounded(np.array(h.getSolution().col_value), integer)
    reported = float(info.objective_function_value)
    if abs(float(c @ x) - reported) > 1e-6 * max(1.0, abs(reported)):
        return False
    return rows.satisfied(x)


@contextmanager
def large_lp_strategy(h: highspy.Highs, arr: Arrays, solved: int) -> Iterator[None]:
    """How a relaxation of at least :data:`LARGE_LP` nonzeros is solved, the relaxation having
    been ``solved`` times before (else as HiGHS chooses, the dual simplex from the basis in
    hand): the first, with no basis, by interior point and crossover; the next by primal
    simplex, because the crossover's vertex stays primal feasible under the next objective
    but is far from dual feasible (scale 30: the next level took 2 s by primal simplex, 77 s
    by dual simplex); the later ones by dual simplex again, the faster from a simplex basis
    (benchmarks/README.md, "Scale 30")."""
    if len(arr.rows.index) < LARGE_LP or solved > 1:
        yield
        return
    option, value = ("solver", "ipm") if solved == 0 else ("simplex_strategy", PRIMAL_SIMPLEX)
    _, before = h.getOptionValue(option)
    h.setOptionValue(option, value)
    try:
        yield
    finally:
        h.setOptionValue(option, before)


def run_held(
    h: highspy.Highs,
    held: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    integer: np.ndarray,
    start: np.ndarray | None = None,
    nodes: int | None = None,
) -> np.ndarray | None:
    """Run the MIP ``h`` with columns held at values, ``held`` = (columns, values, their
    lower and upper bounds to give back), from ``start`` and for at most ``nodes`` nodes (never
    more than its own node limit): its best plan, rounded, or None when it finds none."""
    import highspy

    cols, at, lower, upper = held
    h.changeColsBounds(len(cols), cols, at, at)
    _, max_nodes = h.getOptionValue("mip_max_nodes")
    if nodes is not None:
        h.setOptionValue("mip_max_nodes", min(nodes, max_nodes))
    if start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = start.tolist()
        sol.value_valid = True
        h.setSolution(sol)
    x = None
    try:
        h.run()
        info = h.getInfo()
        if info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible:
            x = rounded(np.array(h.getSolution().col_value), integer)
    finally:
        h.setOptionValue("mip_max_nodes", max_nodes)
        h.changeColsBounds(len(cols), cols, lower, upper)
    return x
