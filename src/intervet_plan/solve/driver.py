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

from intervet_plan.inputs.scenario import SolverSettings
from intervet_plan.model.build import LEVEL_SENSE, Model
from intervet_plan.model.lattice import level_step
from intervet_plan.solve.arrays import Arrays, to_arrays
from intervet_plan.solve.cbc import CbcBackend
from intervet_plan.solve.highs import HighsBackend
from intervet_plan.solve.levels import Backend, Level
from intervet_plan.solve.types import LevelReport, SolveResult, Status


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
    given) for the later ones. ``log_path`` receives the HiGHS log."""
    started = time.perf_counter()
    if settings.name == "cbc":
        _ = model.problem  # CBC solves the PuLP problem: made now, so that it is flattened
    arr = to_arrays(model)
    backend: Backend
    if settings.name == "cbc":
        backend = CbcBackend(model, arr, settings, started)
    else:
        backend = HighsBackend(model, arr, settings, log_path, started)
    reports, status, gap, message = run_levels(
        backend, model, arr, order or ("placements",), tolerances
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
) -> tuple[list[LevelReport], Status, float | None, str]:
    """Optimise the levels ``order`` on ``backend``, each held for the later ones; stop at
    the first level not proven optimal. Returns the level reports, the run's status, its gap
    and the solver's message."""
    reports: list[LevelReport] = []
    status, message = Status.OPTIMAL, ""
    gap: float | None = 0.0
    for name in order:
        report, message = backend.solve_level(level_of(model, arr, name, tolerances))
        reports.append(report)
        if report.status == Status.OPTIMAL:
            continue
        if report.status == Status.NO_PLAN and backend.plan is not None:
            status, gap = Status.FEASIBLE, None  # keep the earlier levels' plan
        elif report.status == Status.FEASIBLE:
            status, gap = Status.FEASIBLE, report.gap
        else:
            status, gap = report.status, backend.gap_after_failure
        break
    return reports, status, gap, message


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
