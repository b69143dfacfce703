"""The objective levels on HiGHS, driven through highspy.

The PuLP problem (with any custom constraints an analyst added) is passed once as sparse
arrays to two HiGHS copies: the MIP, and its LP relaxation, whose simplex basis carries from
level to level. Each level:

1. solves the relaxation and computes from its duals a bound that holds for every plan
   (``bounds.upper_bound``);
2. rounds the relaxation's plan, or, when a few integer columns are fractional, completes it
   by a MIP over those columns with the others fixed (when that finds no plan, with only the
   0/1 columns fixed); a checked plan that reaches the bound is optimal, and the MIP is not
   run (allocation problems are nearly totally unimodular, so this is the common case); where
   the budget binds and the bound is the organisational-support split's, a plan may also be
   proven through the split's cases (``highs_splits``, ``split_probe``);
3. otherwise runs the MIP from the best plan in hand;
4. fixes, for every later level, the integer columns whose reduced cost exceeds the slack
   between the bound and the level's value (``bounds.reduced_cost_fixings``), and adds the
   level's bound as a row.

Before a level that prices organisational support (the cost level, or any level once the
relaxation finds the budget binding), an activity whose placements provably cannot fall
below the threshold gets its split fixed (z = 1, m = T), which closes the relaxation's gap on
the cost level and tightens it where the budget binds.

Relaxations of half a million nonzeros or more are solved as ``highs_model.large_lp_strategy``
says (interior point first, then primal simplex once).
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from intervet_plan.inputs.scenario import SolverSettings
from intervet_plan.model.build import Goal, Model
from intervet_plan.solve.arrays import Arrays
from intervet_plan.solve.bounds import (
    Bound,
    best_possible,
    reduced_cost_fixings,
    upper_bound,
)
from intervet_plan.solve.highs_frontier import FrontierOps
from intervet_plan.solve.highs_model import (
    large_lp_strategy,
    load_into,
    new_highs,
    run_held,
    trustworthy,
)
from intervet_plan.solve.highs_splits import SplitOps
from intervet_plan.solve.levels import Level, level_bound, rounded
from intervet_plan.solve.split_probe import SplitCase, case_bound, fixed_at_one
from intervet_plan.solve.stopped import in_hand, limit_of, stopped_report, to_max
from intervet_plan.solve.types import LevelReport, Method, Status

if TYPE_CHECKING:
    import highspy

MAX_COMPLETION = 2000  # fractional integer columns a completion MIP may take on
NEIGHBOURHOOD_NODES = 500  # nodes of the completion around the plan in hand


@dataclass
class _Relaxation:
    x: np.ndarray
    bound: Bound | None  # on the level's objective in maximisation form


class HighsBackend(FrontierOps, SplitOps):
    """One lexicographic run on HiGHS (see :class:`~intervet_plan.solve.levels.Backend`):
    the two HiGHS copies and the column bounds they share."""

    name: str = "highs"
    gap_after_failure: float | None = 0.0

    def __init__(
        self,
        model: Model,
        arr: Arrays,
        settings: SolverSettings,
        log_path: Path | None,
        started: float,
    ) -> None:
        self.t0 = started
        self.model, self.settings, self.arr = model, settings, arr
        self.n = arr.n
        self.all_idx = np.arange(self.n, dtype=np.int32)
        self.lower, self.upper = arr.lower.copy(), arr.upper.copy()
        self.rows = dataclasses.replace(arr.rows)  # the level rows are appended to this copy
        self.mip = self._highs(log_path)
        # The RENS and RINS sub-MIP heuristics spend most of the root node of the lower levels
        # when the budget binds (budget_cut: 78 s with them, 13 s without; same optimum).
        self.mip.setOptionValue("mip_heuristic_run_rens", False)
        self.mip.setOptionValue("mip_heuristic_run_rins", False)
        load_into(self.mip, arr)
        self.lp = self._highs(log_path)
        load_into(self.lp, arr, relaxed=True)
        self.x: np.ndarray | None = None  # the plan of the last level solved
        # rows that price organisational support (the budget), and whether the last
        # relaxation found one of them binding
        row_of = {name: i for i, name in enumerate(arr.row_names)}
        self.budget_rows = np.array(
            [row_of[r.name] for r in model.rows if r.org_support and r.name in row_of], int
        )
        self.budget_binds = False
        self.holding = False  # True while probing: a level's optimum binds no later level
        self.split_case: SplitCase | None = None  # the last completion's splits fixed at 1
        self.split_probes: list[Bound] | None = None  # and the probes that proved its level
        self.relaxations = 0  # how many times _relax has solved the relaxation

    def _highs(self, log_path: Path | None) -> highspy.Highs:
        h = new_highs(int(self.settings.threads))
        h.setOptionValue("output_flag", log_path is not None)
        if log_path is not None:  # both copies append to the same log
            h.setOptionValue("log_file", str(log_path))
            h.setOptionValue("log_to_console", False)
        h.setOptionValue("random_seed", int(self.settings.seed))
        h.setOptionValue("mip_rel_gap", float(self.settings.mip_gap))
        h.setOptionValue("mip_abs_gap", 1e-6)
        return h

    def _clock(self, h: highspy.Highs) -> None:
        if self.settings.time_limit_s is not None:
            left = self.settings.time_limit_s - (time.perf_counter() - self.t0)
            h.setOptionValue("time_limit", max(left, 0.01))

    def _objective(self, h: highspy.Highs, c: np.ndarray, sense: Goal) -> None:
        import highspy

        h.changeColsCost(self.n, self.all_idx, c)
        h.changeObjectiveSense(
            highspy.ObjSense.kMaximize if sense == Goal.MAXIMISE else highspy.ObjSense.kMinimize
        )

    def _set_bounds(
        self, cols: np.ndarray, lo: np.ndarray, hi: np.ndarray, keep: bool = True
    ) -> None:
        """Set column bounds in both copies and, unless only trying them (``keep=False``),
        in the bounds the proofs use."""
        if not len(cols):
            return
        if keep:
            self.lower[cols], self.upper[cols] = lo, hi
        for h in (self.mip, self.lp):
            h.changeColsBounds(len(cols), cols, lo, hi)

    @property
    def plan(self) -> np.ndarray | None:
        return self.x

    def version(self) -> str:
        return str(self.mip.version())

    def solve_level(self, level: Level) -> tuple[LevelReport, str]:
        if self.x is not None and not level.c.any():  # constant (no re-plan, no soft target)
            c = level.const
            return LevelReport(level.name, Status.OPTIMAL, c, c, 0.0, 0.0, Method.CONSTANT), ""
        lt = time.perf_counter()
        report, message = self._level(level)
        report.time_s = time.perf_counter() - lt
        return report, message

    def _level(self, level: Level) -> tuple[LevelReport, str]:
        """Solve one level; on an optimum, keep its plan, fix what it implies, add its row."""
        c, const, sense, step = level.c, level.const, level.sense, level.step
        cmax = c if sense == Goal.MAXIMISE else -c  # the level in maximisation form
        prices_split = any(c[self.arr.col_of[o.first]] for o in self.model.org_support)
        if prices_split or (self.x is not None and self.budget_binds):
            self._tighten_org_support()
        for h in (self.mip, self.lp):
            self._objective(h, c, sense)
        relaxation = self._relax(cmax)
        self.split_case, self.split_probes = None, None
        found = self._complete(relaxation.x, cmax) if relaxation is not None else None
        plan = found[0] if found is not None else None
        if found is not None and relaxation is not None and relaxation.bound is not None:
            plan, method = found
            best = self._proven_top(plan, cmax, relaxation.bound, level)
            if best is not None:
                self._accept(level, plan, relaxation)
                bound = (best if sense == Goal.MAXIMISE else -best) + const
                value = float(c @ plan + const)
                report = LevelReport(level.name, Status.OPTIMAL, value, bound, 0.0, 0.0, method)
                return report, ""
        start = plan
        if self.x is not None and (plan is None or cmax @ self.x > cmax @ plan):
            start = self.x
        report, message, x = self._branch(level.name, c, const, start)
        top = best_possible(relaxation.bound, step) if relaxation and relaxation.bound else None
        if report.status == Status.FEASIBLE and x is not None:  # stopped: bound it, maybe prove
            mip = None if report.bound is None else to_max(report.bound - const, sense)
            report = stopped_report(report, level, [mip, top], self.settings.mip_gap)
        elif report.status == Status.NO_PLAN and start is not None and self._meets_rows(start):
            x, report = start, in_hand(level, start, top, Method.BRANCH_AND_BOUND)
        if report.status == Status.OPTIMAL and x is not None:
            self._accept(level, x, relaxation)
        elif x is not None:
            self.x, report.limit = x, limit_of(self.mip)
        return report, message

    def _meets_rows(self, x: np.ndarray) -> bool:
        """Is ``x`` a plan of the rows and bounds as they stand (a frontier moves rows)?"""
        if np.any(x < self.lower - 1e-9) or np.any(x > self.upper + 1e-9):
            return False
        return bool(self.rows.satisfied(x, rel=1e-9, absolute=1e-6))

    def relaxation_top(self, level: Level) -> float | None:
        """A bound on ``max c.x`` of a level not started (its relaxation with the rows held so
        far, on its lattice) when the relaxation fits the time left; else None."""
        cmax = level.c if level.sense == Goal.MAXIMISE else -level.c
        self._objective(self.lp, level.c, level.sense)
        relaxation = self._relax(cmax)
        bound = relaxation.bound if relaxation is not None else None
        return None if bound is None else best_possible(bound, level.step)

    def _accept(self, level: Level, x: np.ndarray, relaxation: _Relaxation | None) -> None:
        self.x = x
        if self.holding:
            return
        c, sense = level.c, level.sense
        bound = level_bound(float(c @ x), level.const, sense, level.tolerance, level.step)
        level_max = bound if sense == Goal.MAXIMISE else -bound
        proof = relaxation.bound if relaxation is not None else None
        case, probes = self.split_case, self.split_probes
        if case is not None and probes and fixed_at_one(case, probes, level.step, level_max):
            # no plan kept at this level has a probed split at z = 0: fix them at 1, and the
            # case's bound holds for every plan
            ones = np.ones(len(case.cols))
            self._set_bounds(case.cols, ones, ones)
            proof = case.bound
        if proof is not None:
            cols, lo, hi = reduced_cost_fixings(
                proof, level_max, self.lower, self.upper, self.arr.integer
            )
            self._set_bounds(cols, lo, hi)
        used = np.flatnonzero(c).astype(np.int32)
        lo_row, hi_row = (bound, math.inf) if sense == Goal.MAXIMISE else (-math.inf, bound)
        for h in (self.mip, self.lp):
            h.addRow(lo_row, hi_row, len(used), used, c[used])
        self.rows.append(lo_row, hi_row, used, c[used])

    def _relax(self, cmax: np.ndarray) -> _Relaxation | None:
        """The LP relaxation's plan and the bound its duals prove; None unless optimal."""
        import highspy

        self._clock(self.lp)
        with large_lp_strategy(self.lp, self.arr, self.relaxations):
            self.lp.run()
        self.relaxations += 1
        if self.lp.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        sol = self.lp.getSolution()
        x = np.array(sol.col_value)
        y = np.array(sol.row_dual) if sol.dual_valid else None
        if y is not None and len(self.budget_rows):
            self.budget_binds = bool(np.any(np.abs(y[self.budget_rows]) > 1e-9))
        bound = upper_bound(self.rows, self.lower, self.upper, cmax, y) if y is not None else None
        return _Relaxation(x, bound)

    def _complete(self, x_lp: np.ndarray, cmax: np.ndarray) -> tuple[np.ndarray, Method] | None:
        """An integer plan from the relaxation's: rounded when every integer column is
        integral ("relaxation"), else a MIP over the fractional ones with the others fixed
        ("completion"). Checked against every bound and row; None when there is none."""
        import highspy

        ints = self.arr.integer
        splits = self._split_fixings(x_lp)
        if len(splits):
            # Fix each split as the relaxation's placements imply, and re-solve the
            # relaxation over the rest: its plan then prices organisational support exactly.
            self._set_bounds(splits, np.ones(len(splits)), np.ones(len(splits)), keep=False)
            self._clock(self.lp)
            self.lp.run()
            if self.lp.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                self._set_bounds(splits, self.lower[splits], self.upper[splits], keep=False)
                return None
            sol = self.lp.getSolution()
            x_lp = np.array(sol.col_value)
            if sol.dual_valid:
                y = np.array(sol.row_dual)
                self.split_case = case_bound(self.rows, self.lower, self.upper, splits, cmax, y)
            self._set_bounds(splits, self.lower[splits], self.upper[splits], keep=False)
        fractional = ints & (np.abs(x_lp - np.round(x_lp)) > 1e-6)
        k = int(fractional.sum())
        x: np.ndarray | None
        if k == 0:
            x = rounded(x_lp, ints)
        elif k > MAX_COMPLETION:
            return None
        else:
            free = ints & ~fractional & (self.upper > self.lower)
            # First the integral integer columns fixed; when that leaves no plan (the loads,
            # shortfalls and organisational-support counts of the relaxation's plan rarely fit
            # its rounded pairs when the budget binds), only the integral 0/1 columns.
            x = self._fixed_mip(x_lp, free)
            binary = free & (self.lower >= 0) & (self.upper <= 1)
            if x is None and binary.sum() < free.sum():
                x = self._fixed_mip(x_lp, binary)
            if x is None and self.x is not None and self._meets_rows(self.x):
                # the neighbourhood of the plan in hand: the 0/1 columns on which it and the
                # relaxation agree held, from that plan, for a few nodes (as RINS does)
                agree = binary & (np.round(x_lp) == self.x)
                x = self._fixed_mip(x_lp, agree, start=self.x, nodes=NEIGHBOURHOOD_NODES)
            if x is None:
                return None
        inside = np.all(x >= self.lower - 1e-9) and np.all(x <= self.upper + 1e-9)
        # rounded integer columns: rows hold to HiGHS's MIP feasibility tolerance, not relative
        if not (inside and self.rows.satisfied(x, rel=1e-9, absolute=1e-6)):
            return None
        return x, Method.RELAXATION if k == 0 else Method.COMPLETION

    def _fixed_mip(
        self,
        x_lp: np.ndarray,
        fix: np.ndarray,
        start: np.ndarray | None = None,
        nodes: int | None = None,
    ) -> np.ndarray | None:
        """The MIP with the columns ``fix`` held at the relaxation's rounded values (from
        ``start``, for at most ``nodes`` nodes): its best plan, or None when it finds none."""
        keep = np.flatnonzero(fix).astype(np.int32)
        at = np.clip(np.round(x_lp[keep]), self.lower[keep], self.upper[keep])
        self._clock(self.mip)
        held = (keep, at, self.lower[keep], self.upper[keep])
        return run_held(self.mip, held, self.arr.integer, start, nodes)

    def _branch(
        self, level: str, c: np.ndarray, const: float, start: np.ndarray | None
    ) -> tuple[LevelReport, str, np.ndarray | None]:
        """The MIP of one level, from ``start``: (report, message, plan)."""
        import highspy

        h, arr = self.mip, self.arr
        self._clock(h)
        if start is not None:
            sol = highspy.HighsSolution()
            sol.col_value = start.tolist()
            sol.value_valid = True
            h.setSolution(sol)
        h.run()
        if start is not None and not trustworthy(h, self.rows, c, arr.integer):
            # HiGHS has returned the start solution instead of the optimum it reports (seen
            # with 1.16 when presolve reduces the model): solve this level again, cold.
            h.clearSolver()
            self._clock(h)
            h.run()
        ms = h.getModelStatus()
        info = h.getInfo()
        has_plan = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
        mstat = highspy.HighsModelStatus
        if ms == mstat.kModelEmpty:  # no column at all
            ok = bool(np.all(arr.rows.lower <= 1e-9) and np.all(arr.rows.upper >= -1e-9))
            if not ok:
                return LevelReport(level, Status.INFEASIBLE, None, None, None, 0.0), "", None
            return LevelReport(level, Status.OPTIMAL, const, const, 0.0, 0.0), "", np.zeros(self.n)
        message = ""
        if ms == mstat.kOptimal:
            lstatus = Status.OPTIMAL
        elif ms in (mstat.kInfeasible, mstat.kUnboundedOrInfeasible):
            lstatus = Status.INFEASIBLE
        elif has_plan:
            lstatus = Status.FEASIBLE
        elif ms in (
            mstat.kTimeLimit,
            mstat.kInterrupt,
            mstat.kIterationLimit,
            mstat.kSolutionLimit,
        ):
            lstatus = Status.NO_PLAN
        else:
            lstatus = Status.ERROR
            message = f"HiGHS ended with status {h.modelStatusToString(ms)}"
        if lstatus not in (Status.OPTIMAL, Status.FEASIBLE):
            return LevelReport(level, lstatus, None, None, None, 0.0), message, None
        x = rounded(np.array(h.getSolution().col_value), arr.integer)
        dual = float(info.mip_dual_bound)
        report = LevelReport(
            level,
            lstatus,
            float(c @ x + const),
            dual + const if math.isfinite(dual) else None,
            float(info.mip_gap) if lstatus == Status.FEASIBLE else 0.0,
            0.0,
        )
        return report, message, x
