"""Run the objective levels in order (lexicographic optimum) and map the solver's own status
to a typed result.

One loop over the levels, here; each backend solves one level at a time: HiGHS through
highspy directly (``highs.py``: the relaxation proves most levels, the MIP runs where it does
not), CBC through PuLP (``cbc.py``, one solve per level).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from intervet_plan import progress
from intervet_plan.inputs.scenario import SolverSettings
from intervet_plan.model.build import LEVEL_SENSE, Goal, Model
from intervet_plan.model.lattice import level_step
from intervet_plan.solve.arrays import Arrays, to_arrays
from intervet_plan.solve.cbc import CbcBackend
from intervet_plan.solve.highs import HighsBackend
from intervet_plan.solve.levels import Backend, Level
from intervet_plan.solve.stopped import in_hand
from intervet_plan.solve.types import LevelReport, Method, SolveResult, Status

LOG_NOTE = """\
solver.log of intervet-plan: the HiGHS log of each objective level, in the scenario's order.
Each level's block opens with "==== level i of n: name (max or min) ====" and closes with a
"---- level i: ..." line: its status, its value, how it was proven and its seconds.

About HiGHS's warnings "Problem is badly scaled" and "excessively large bounds on
constraints": they come from the units of the model. The budget row adds each placement's
cost in EUR (hundreds to thousands per placement) over 0/1 placement variables, and its
right-hand side is the budget (millions of EUR), while the other rows count persons
(coefficients 1, or target shares such as 0.25). HiGHS warns when coefficients span that many
orders of magnitude, because rounding in its arithmetic could then matter. A level's plan
taken from the LP relaxation (closing line "the relaxation's plan", summary.json's
levels[].method "relaxation" or "completion") is rounded to whole placements and checked
against every row of the model (every hard rule, the budget, the targets and the rows that
hold the earlier levels) before it is kept; a plan that branch and bound returns after
starting from an earlier plan is checked against every row too, and the level is solved
again from scratch when it fails. To check a finished plan against every hard rule yourself:
intervet-plan check CASE allocation.csv --scenario SCENARIO.

"""


def solve(
    model: Model, settings: SolverSettings | None = None, log_path: Path | None = None
) -> SolveResult:
    """Optimise the scenario's objective levels in order (with its tolerances and, unless
    ``settings`` are given, its solver settings) and return the plan."""
    scenario = model.ctx.scenario
    return optimise(
        model, settings or scenario.solver, model.ctx.objective, scenario.tolerances, log_path
    )


def optimise(
    model: Model,
    settings: SolverSettings,
    order: Sequence[str],
    tolerances: Mapping[str, float],
    log_path: Path | None = None,
) -> SolveResult:
    """Optimise the levels ``order`` (names of ``model.levels``; none: placements) one after
    the other, each kept within its relative tolerance (a fraction of its value, 0 when not
    given) for the later ones. ``log_path`` receives the HiGHS log: :data:`LOG_NOTE` at its
    top, then each level's block after a marker line (:func:`marker`)."""
    started = time.perf_counter()
    if settings.name == "cbc":
        _ = model.problem  # CBC solves the PuLP problem: made now, so that it is flattened
    arr = to_arrays(model)
    backend: Backend
    log = None
    if settings.name == "cbc":
        backend = CbcBackend(model, arr, settings, started)
    else:
        if log_path is not None:
            log_path.write_text(LOG_NOTE, encoding="utf-8")  # HiGHS appends to it
            log = log_path
        backend = HighsBackend(model, arr, settings, log_path, started)
    reports, status, gap, message = run_levels(
        backend,
        model,
        arr,
        order or ("placements",),
        tolerances,
        log,
        time_limit_s=settings.time_limit_s,
        started=started,
    )
    return finish(
        model,
        arr,
        backend.plan,
        status=status,
        reports=reports,
        solver=backend.name,
        version=backend.version(),
        started=started,
        gap=gap,
        seed=settings.seed,
        message=message,
    )


def run_levels(
    backend: Backend,
    model: Model,
    arr: Arrays,
    order: Sequence[str],
    tolerances: Mapping[str, float],
    log_path: Path | None = None,
    label: str = "solving",
    time_limit_s: float | None = None,
    started: float | None = None,
) -> tuple[list[LevelReport], Status, float | None, str]:
    """Optimise the levels ``order`` on ``backend``, each held for the later ones, until the
    first level not proven optimal (a time or node limit) or ``time_limit_s`` (seconds from
    ``started``) runs out; every later level is then reported with the plan in hand
    (``solve.stopped``). Each level is a stage of the command's progress
    (``"<label> level 3 of 6: targets"``), and its block in ``log_path`` (the solver's log)
    starts with :func:`marker` and ends with :func:`outcome`. Returns the level reports, the
    run's status (``feasible`` when some level with a plan is not proven), its gap (the first
    unproven level's) and the solver's
    message."""
    reports: list[LevelReport] = []
    status, message = Status.OPTIMAL, ""
    gap: float | None = 0.0
    levels = [level_of(model, arr, name, tolerances) for name in order]

    def out_of_time() -> bool:
        if time_limit_s is None or started is None:
            return False
        return time.perf_counter() - started >= time_limit_s

    with progress.stages(len(order)) as begin:
        for i, level in enumerate(levels):
            if reports and backend.plan is not None and out_of_time():
                reports += [unreached(backend, lv, "time limit", False) for lv in levels[i:]]
                if any(r.status != Status.OPTIMAL for r in reports):
                    status, gap = Status.FEASIBLE, None
                break
            begin(f"{label} level {i + 1} of {len(order)}: {level.name}")
            _append(log_path, marker(i + 1, len(order), level))
            report, message = backend.solve_level(level)
            if report.status == Status.NO_PLAN and backend.plan is not None:
                value = float(level.c @ backend.plan + level.const)
                report = LevelReport(level.name, Status.FEASIBLE, value, None, None, report.time_s)
                report.limit = "time limit"
            _append(log_path, outcome(i + 1, report))
            reports.append(report)
            if report.status == Status.OPTIMAL:
                continue
            if backend.plan is None or report.status in (Status.INFEASIBLE, Status.ERROR):
                status, gap = report.status, backend.gap_after_failure
                break
            status, gap = Status.FEASIBLE, report.gap
            relax = not out_of_time()
            reports += [unreached(backend, lv, "not reached", relax) for lv in levels[i + 1 :]]
            break
    return reports, status, gap, message


def unreached(backend: Backend, level: Level, limit: str, relax: bool) -> LevelReport:
    """A level not started: the plan in hand's value, and, when ``relax`` (time is left), its
    relaxation's bound if that fits the time left."""
    assert backend.plan is not None
    if not level.c.any():  # a constant level needs no solve
        c = level.const
        return LevelReport(level.name, Status.OPTIMAL, c, c, 0.0, 0.0, Method.CONSTANT)
    top = backend.relaxation_top(level) if relax else None
    report = in_hand(level, backend.plan, top, Method.RELAXATION)
    report.limit = limit
    return report


def marker(i: int, n: int, level: Level) -> str:
    """The line that opens a level's block in solver.log.

    >>> import numpy as np
    >>> lv = Level("stability", np.zeros(1), 0.0, Goal.MINIMISE, 0.0, None)
    >>> marker(2, 6, lv)
    '==== level 2 of 6: stability (min) ===='
    """
    sense = "max" if level.sense == Goal.MAXIMISE else "min"
    return f"==== level {i} of {n}: {level.name} ({sense}) ===="


def outcome(i: int, report: LevelReport) -> str:
    """The line that closes a level's block in solver.log: status, value, how it was proven
    (summary.json's ``levels[].method``) and seconds."""
    v = report.value
    value = "no value" if v is None else f"value {v:,.6f}".rstrip("0").rstrip(".")
    how = {
        Method.CONSTANT: "constant: nothing to solve",
        Method.RELAXATION: "the relaxation's plan, checked against every row",
        Method.COMPLETION: "the relaxation's plan completed by a small MIP, checked against "
        "every row",
        Method.BRANCH_AND_BOUND: "branch and bound",
        Method.NONE: "not proven",
    }[report.method]
    return f"---- level {i}: {report.status.value}, {value} ({how}; {report.time_s:.2f} s) ----"


def _append(log_path: Path | None, line: str) -> None:
    """Append a line of our own to the solver's log (HiGHS writes it in append mode and
    flushes each line, so the lines stay in order)."""
    if log_path is not None:
        with log_path.open("a", encoding="utf-8") as f:
            f.write(line + "\n")


def level_of(model: Model, arr: Arrays, name: str, tolerances: Mapping[str, float]) -> Level:
    """The objective level ``name`` of ``model`` as a backend takes it."""
    c, const = arr.level(model, name)
    step = level_step(c, arr.integer)
    return Level(name, c, const, LEVEL_SENSE[name], tolerances.get(name, 0.0), step)


def finish(
    model: Model,
    arr: Arrays,
    x_all: np.ndarray | None,
    *,
    status: Status,
    reports: list[LevelReport],
    solver: str,
    version: str,
    started: float,
    gap: float | None,
    seed: int,
    message: str,
) -> SolveResult:
    """The typed result of a run (either solver): the plan's pairs, every level's value from
    the plan, the other columns' values; the plan is also kept by the model (and its PuLP
    variables).
    ``started`` is the run's ``time.perf_counter()`` at its start."""
    x = None
    values: dict[str, float] = {}
    aux: dict[str, float] = {}
    if x_all is not None:
        n_x = len(model.pairs)
        x = x_all[:n_x].round().astype(int)
        model.set_values(x_all[: len(model.matrix.names)])
        for v, val in zip(arr.cols or [], x_all, strict=False):
            v.varValue = float(val)  # an analyst's own columns too
        for level in model.objectives:
            c, const = arr.level(model, level)
            values[level] = float(c @ x_all + const)
        aux = {name: float(val) for name, val in zip(arr.names[n_x:], x_all[n_x:], strict=True)}
    return SolveResult(
        status,
        x,
        values,
        reports,
        solver,
        version,
        time.perf_counter() - started,
        gap,
        seed,
        message,
        aux,
    )
