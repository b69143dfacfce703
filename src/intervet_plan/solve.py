"""Run the objective levels in order (lexicographic optimum) and map the solver's own status
to a typed result.

HiGHS is driven through highspy directly: the PuLP problem (with any custom constraints an
analyst added) is passed once as sparse arrays; each level changes the objective, adds the
previous level's bound as a row and starts from the previous level's plan. CBC runs through
PuLP, one solve per level.
"""

from __future__ import annotations

import math
import os
import sys
import time
import warnings
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import numpy as np
import pulp

from .model import LEVEL_SENSE, MAXIMISE, Model
from .scenario import SolverSettings

LEVEL_ABS_TOL = 1e-6


class Status(StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"  # a time limit was hit with a plan in hand
    INFEASIBLE = "infeasible"
    NO_PLAN = "no_plan"  # a time limit was hit before any plan was found
    ERROR = "error"


@dataclass
class LevelReport:
    level: str
    status: Status
    value: float | None
    bound: float | None
    gap: float | None
    time_s: float


@dataclass
class SolveResult:
    status: Status
    x: np.ndarray | None  # 0/1 per candidate pair of the model
    values: dict[str, float]  # level -> value of the plan
    levels: list[LevelReport]
    solver: str
    version: str
    time_s: float
    gap: float | None
    seed: int
    message: str = ""
    aux: dict[str, float] = field(default_factory=dict)  # other variables by name


@dataclass
class _Arrays:
    """The PuLP problem as sparse arrays (rows in CSR form)."""

    cols: list[pulp.LpVariable]
    lower: np.ndarray
    upper: np.ndarray
    integer: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    starts: np.ndarray
    index: np.ndarray
    value: np.ndarray
    col_of: dict[str, int]

    def objective(self, expr: pulp.LpAffineExpression) -> tuple[np.ndarray, float]:
        c = np.zeros(len(self.cols))
        for v, a in expr.items():
            if v.name in self.col_of:  # PuLP adds a '__dummy' variable to empty objectives
                c[self.col_of[v.name]] += a
        return c, float(expr.constant)


def to_arrays(model: Model) -> _Arrays:
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
    return _Arrays(
        cols,
        lower,
        upper,
        integer,
        np.array(rlo, float),
        np.array(rhi, float),
        np.array(starts, np.int32),
        np.array(index, np.int32),
        np.array(value, float),
        col_of,
    )


def solve(
    model: Model, settings: SolverSettings | None = None, log_path: Path | None = None
) -> SolveResult:
    """Optimise the scenario's objective levels in order and return the plan."""
    settings = settings or model.ctx.scenario.solver
    if settings.name == "cbc":
        return _solve_cbc(model, settings)
    return _solve_highs(model, settings, log_path)


def _level_bound(value: float, sense: int, tol: float, integral: bool) -> float:
    slack = tol * abs(value)
    if sense == MAXIMISE:
        b = value - slack
        return math.ceil(b - 1e-6) if integral else b - LEVEL_ABS_TOL
    b = value + slack
    return math.floor(b + 1e-6) if integral else b + LEVEL_ABS_TOL


def _integral(c: np.ndarray, const: float, integer: np.ndarray) -> bool:
    used = c != 0
    return bool(
        np.all(integer[used])
        and np.all(np.equal(np.mod(c[used], 1), 0))
        and float(const).is_integer()
    )


def new_highs() -> object:
    """A quiet ``highspy.Highs``: its constructor prints a banner on the C stdout."""
    import highspy

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
    return h


def load_into(h: object, arr: _Arrays, lower: np.ndarray | None = None) -> None:
    """Pass the columns (bounds, integrality) and rows of ``arr`` to a Highs object."""
    import highspy

    n = len(arr.cols)
    h.addVars(n, arr.lower if lower is None else lower, arr.upper)  # type: ignore[attr-defined]
    ints = np.flatnonzero(arr.integer).astype(np.int32)
    if len(ints):
        kind = np.full(len(ints), highspy.HighsVarType.kInteger.value, np.uint8)
        h.changeColsIntegrality(len(ints), ints, kind)  # type: ignore[attr-defined]
    if len(arr.row_lower):
        h.addRows(  # type: ignore[attr-defined]
            len(arr.row_lower),
            arr.row_lower,
            arr.row_upper,
            len(arr.index),
            arr.starts[:-1],
            arr.index,
            arr.value,
        )


def _solve_highs(model: Model, settings: SolverSettings, log_path: Path | None) -> SolveResult:
    import highspy

    t0 = time.perf_counter()
    arr = to_arrays(model)
    h = new_highs()
    h.setOptionValue("output_flag", log_path is not None)
    if log_path is not None:
        h.setOptionValue("log_file", str(log_path))
        h.setOptionValue("log_to_console", False)
    h.setOptionValue("threads", int(settings.threads))
    h.setOptionValue("random_seed", int(settings.seed))
    h.setOptionValue("mip_rel_gap", float(settings.mip_gap))
    h.setOptionValue("mip_abs_gap", 1e-6)
    # The RENS and RINS sub-MIP heuristics spend most of the root node of the lower levels
    # when the budget binds (budget_cut: 78 s with them, 13 s without; same optimum).
    h.setOptionValue("mip_heuristic_run_rens", False)
    h.setOptionValue("mip_heuristic_run_rins", False)
    n = len(arr.cols)
    load_into(h, arr)

    objective = model.ctx.objective or ("placements",)
    tolerances = model.ctx.scenario.tolerances
    reports: list[LevelReport] = []
    x_all: np.ndarray | None = None
    status = Status.OPTIMAL
    gap: float | None = 0.0
    all_idx = np.arange(n, dtype=np.int32)
    message = ""
    for level in objective:
        c, const = arr.objective(model.levels[level])
        sense = LEVEL_SENSE[level]
        if x_all is not None and not c.any():  # a constant level (no re-plan, no soft target)
            reports.append(LevelReport(level, Status.OPTIMAL, const, const, 0.0, 0.0))
            continue
        h.changeColsCost(n, all_idx, c)
        h.changeObjectiveSense(
            highspy.ObjSense.kMaximize if sense == MAXIMISE else highspy.ObjSense.kMinimize
        )
        if settings.time_limit_s is not None:
            left = settings.time_limit_s - (time.perf_counter() - t0)
            h.setOptionValue("time_limit", max(left, 0.01))
        if x_all is not None:
            start = highspy.HighsSolution()
            start.col_value = x_all.tolist()
            start.value_valid = True
            h.setSolution(start)
        lt = time.perf_counter()
        h.run()
        if x_all is not None and not _trustworthy(h, arr, c, const):
            # HiGHS has returned the start solution instead of the optimum it reports (seen
            # with 1.16 when presolve reduces the model): solve this level again, cold.
            h.clearSolver()
            h.run()
        ms = h.getModelStatus()
        info = h.getInfo()
        has_plan = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
        elapsed = time.perf_counter() - lt
        if ms == highspy.HighsModelStatus.kModelEmpty:  # no candidate pair at all
            ok = bool(np.all(arr.row_lower <= 1e-9) and np.all(arr.row_upper >= -1e-9))
            if not ok:
                reports.append(LevelReport(level, Status.INFEASIBLE, None, None, None, 0.0))
                status = Status.INFEASIBLE
                break
            x_all = np.zeros(n)
            reports.append(LevelReport(level, Status.OPTIMAL, const, const, 0.0, 0.0))
            continue
        if ms == highspy.HighsModelStatus.kOptimal:
            lstatus = Status.OPTIMAL
        elif ms in (
            highspy.HighsModelStatus.kInfeasible,
            highspy.HighsModelStatus.kUnboundedOrInfeasible,
        ):
            lstatus = Status.INFEASIBLE
        elif has_plan:
            lstatus = Status.FEASIBLE
        elif ms in (
            highspy.HighsModelStatus.kTimeLimit,
            highspy.HighsModelStatus.kInterrupt,
            highspy.HighsModelStatus.kIterationLimit,
            highspy.HighsModelStatus.kSolutionLimit,
        ):
            lstatus = Status.NO_PLAN
        else:
            lstatus = Status.ERROR
            message = f"HiGHS ended with status {h.modelStatusToString(ms)}"
        if lstatus in (Status.INFEASIBLE, Status.ERROR) or (
            lstatus == Status.NO_PLAN and x_all is None
        ):
            reports.append(LevelReport(level, lstatus, None, None, None, elapsed))
            status = lstatus
            break
        if lstatus == Status.NO_PLAN:  # a later level ran out of time: keep the earlier plan
            reports.append(LevelReport(level, lstatus, None, None, None, elapsed))
            status, gap = Status.FEASIBLE, None
            break
        x_all = _rounded(np.array(h.getSolution().col_value), arr.integer)
        value = float(c @ x_all + const)
        level_gap = float(info.mip_gap) if lstatus == Status.FEASIBLE else 0.0
        reports.append(
            LevelReport(
                level,
                lstatus,
                value,
                float(info.mip_dual_bound) + const if math.isfinite(info.mip_dual_bound) else None,
                level_gap,
                elapsed,
            )
        )
        if lstatus == Status.FEASIBLE:
            status, gap = Status.FEASIBLE, level_gap
            break
        bound = _level_bound(
            value, sense, tolerances.get(level, 0.0), _integral(c, const, arr.integer)
        )
        used = np.flatnonzero(c).astype(np.int32)
        lo, hi = (bound - const, math.inf) if sense == MAXIMISE else (-math.inf, bound - const)
        h.addRow(lo, hi, len(used), used, c[used])
    return _finish(
        model, arr, x_all, status, reports, "highs", h.version(), t0, gap, settings.seed, message
    )


def _trustworthy(h: object, arr: _Arrays, c: np.ndarray, const: float) -> bool:
    """Does the solution HiGHS hands back match the objective value it reports, and satisfy
    every row of the model? (A cheap guard against a wrong solution after a warm start.)"""
    info = h.getInfo()  # type: ignore[attr-defined]
    if info.primal_solution_status != 2:  # no solution: nothing to distrust
        return True
    x = _rounded(np.array(h.getSolution().col_value), arr.integer)  # type: ignore[attr-defined]
    reported = float(info.objective_function_value)
    if abs(float(c @ x) - reported) > 1e-6 * max(1.0, abs(reported)):
        return False
    n_rows = len(arr.row_lower)
    row_of = np.repeat(np.arange(n_rows), np.diff(arr.starts))
    activity = np.bincount(row_of, weights=arr.value * x[arr.index], minlength=n_rows)
    tol = 1e-6 * np.maximum(1.0, np.abs(activity))
    return bool(np.all(activity >= arr.row_lower - tol) and np.all(activity <= arr.row_upper + tol))


def _rounded(values: np.ndarray, integer: np.ndarray) -> np.ndarray:
    out = values.copy()
    out[integer] = np.round(out[integer])
    return out


def _finish(
    model: Model,
    arr: _Arrays,
    x_all: np.ndarray | None,
    status: Status,
    reports: list[LevelReport],
    solver: str,
    version: str,
    t0: float,
    gap: float | None,
    seed: int,
    message: str,
) -> SolveResult:
    x = None
    values: dict[str, float] = {}
    aux: dict[str, float] = {}
    if x_all is not None:
        x = x_all[: len(model.x)].round().astype(int)
        for v, val in zip(arr.cols, x_all, strict=True):
            v.varValue = float(val)
        for level, expr in model.levels.items():
            c, const = arr.objective(expr)
            values[level] = float(c @ x_all + const)
        aux = {
            v.name: float(val)
            for v, val in zip(arr.cols[len(model.x) :], x_all[len(model.x) :], strict=True)
        }
    return SolveResult(
        status,
        x,
        values,
        reports,
        solver,
        version,
        time.perf_counter() - t0,
        gap,
        seed,
        message,
        aux,
    )


def _solve_cbc(model: Model, settings: SolverSettings) -> SolveResult:
    t0 = time.perf_counter()
    prob = model.problem.copy()  # level bounds go to the copy; the model stays as built
    arr = to_arrays(model)
    reports: list[LevelReport] = []
    status, gap, x_all = Status.OPTIMAL, 0.0, None
    message = ""
    for level in model.ctx.objective or ("placements",):
        expr, sense = model.levels[level], LEVEL_SENSE[level]
        prob.sense = pulp.LpMaximize if sense == MAXIMISE else pulp.LpMinimize
        prob.setObjective(expr)
        left = None
        if settings.time_limit_s is not None:
            left = max(settings.time_limit_s - (time.perf_counter() - t0), 1.0)
        solver = pulp.PULP_CBC_CMD(
            msg=False,
            timeLimit=left,
            gapRel=settings.mip_gap,
            threads=settings.threads,
            options=[f"randomCbcSeed {settings.seed + 1}"],
        )
        lt = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            prob.solve(solver)
        elapsed = time.perf_counter() - lt
        if prob.sol_status == pulp.LpSolutionOptimal:
            lstatus = Status.OPTIMAL
        elif prob.sol_status == pulp.LpSolutionIntegerFeasible:
            lstatus = Status.FEASIBLE
        elif prob.sol_status == pulp.LpSolutionInfeasible:
            lstatus = Status.INFEASIBLE
        elif prob.sol_status == pulp.LpSolutionNoSolutionFound:
            lstatus = Status.NO_PLAN
        else:
            lstatus = Status.ERROR
            message = f"CBC ended with status {pulp.LpStatus[prob.status]}"
        if lstatus not in (Status.OPTIMAL, Status.FEASIBLE):
            reports.append(LevelReport(level, lstatus, None, None, None, elapsed))
            status = Status.FEASIBLE if x_all is not None and lstatus == Status.NO_PLAN else lstatus
            gap = None
            break
        x_all = _rounded(np.array([v.varValue or 0.0 for v in arr.cols], float), arr.integer)
        c, const = arr.objective(expr)
        value = float(c @ x_all + const)
        reports.append(
            LevelReport(
                level, lstatus, value, None, 0.0 if lstatus == Status.OPTIMAL else None, elapsed
            )
        )
        if lstatus == Status.FEASIBLE:
            status, gap = Status.FEASIBLE, None
            break
        bound = _level_bound(
            value,
            sense,
            model.ctx.scenario.tolerances.get(level, 0.0),
            _integral(c, const, arr.integer),
        )
        name = f"level__{level}"
        prob.addConstraint(expr >= bound if sense == MAXIMISE else expr <= bound, name)
    return _finish(
        model, arr, x_all, status, reports, "cbc", _cbc_version(), t0, gap, settings.seed, message
    )


def _cbc_version() -> str:
    import re
    import subprocess

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        path = pulp.PULP_CBC_CMD().path
    try:
        out = subprocess.run([path, "-quit"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    m = re.search(r"Version:\s*(\S+)", out)
    return m.group(1) if m else "unknown"
