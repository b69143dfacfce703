"""Run the objective levels in order (lexicographic optimum) and map the solver's own status
to a typed result.

HiGHS is driven through highspy directly (``highs.py``: the relaxation proves most levels,
the MIP runs where it does not). CBC runs through PuLP, one solve per level.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import numpy as np
import pulp

from intervet_plan.inputs.scenario import SolverSettings
from intervet_plan.model.build import LEVEL_SENSE, MAXIMISE, Model
from intervet_plan.solve.bounds import lattice_step

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
    # how the optimum was proven: "constant", "relaxation" (the LP relaxation's plan reached
    # its bound), "completion" (a few fractional columns completed by a small MIP) or
    # "branch-and-bound"
    method: str = "branch-and-bound"


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
class Arrays:
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


def to_arrays(model: Model) -> Arrays:
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
    return Arrays(
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
    from intervet_plan.solve.highs import solve_highs  # highs.py builds on the types above

    return solve_highs(model, settings, log_path)


def level_bound(value: float, const: float, sense: int, tol: float, step: float | None) -> float:
    """The bound row of a level reached at ``value`` (of ``c.x``, without the constant): the
    value relaxed by the level's relative tolerance, rounded outwards onto the level's lattice
    when it has one (else eased by LEVEL_ABS_TOL)."""
    slack = tol * abs(value + const)
    if sense == MAXIMISE:
        b = value - slack
        return math.ceil(b / step - 1e-6) * step if step else b - LEVEL_ABS_TOL
    b = value + slack
    return math.floor(b / step + 1e-6) * step if step else b + LEVEL_ABS_TOL


def level_step(c: np.ndarray, integer: np.ndarray) -> float | None:
    """The lattice of a level's values over integer plans: q when every column it prices is
    integer with a coefficient that is a multiple of q (1 for counts, priorities and points;
    a share's step for the targets level; the cent for costs); None otherwise."""
    used = c != 0
    if not used.any() or not np.all(integer[used]):
        return None
    return lattice_step(c[used])


def rounded(values: np.ndarray, integer: np.ndarray) -> np.ndarray:
    """A solver's column values with the integer columns rounded to whole numbers."""
    out = values.copy()
    out[integer] = np.round(out[integer])
    return out


def finish(
    model: Model,
    arr: Arrays,
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
    """The typed result of a run (either solver): the plan's pairs, every level's value from
    the plan, the other columns' values; the plan is also written back to the PuLP variables."""
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
        x_all = rounded(np.array([v.varValue or 0.0 for v in arr.cols], float), arr.integer)
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
        bound = const + level_bound(
            value - const,
            const,
            sense,
            model.ctx.scenario.tolerances.get(level, 0.0),
            level_step(c, arr.integer),
        )
        name = f"level__{level}"
        prob.addConstraint(expr >= bound if sense == MAXIMISE else expr <= bound, name)
    return finish(
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
