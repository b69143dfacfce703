"""The frontier between two adjacent objective levels A and B (SPEC 8.2).

With every level before A held at its optimum, for each value v of A from its optimum towards
the value A takes when B is optimised first, the best value of B among the plans whose A is at
least as good as v. The model is built and loaded once (HiGHS): the levels before A are solved
and held once, as rows; each point then moves one bound row on A and re-optimises B,
warm-started from the previous point's plan (:meth:`HighsBackend.probe`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from intervet_plan import progress
from intervet_plan.errors import InfeasibleError, InputError, IntervetError, NoPlanError, Problem
from intervet_plan.inputs.scenario import SolverSettings
from intervet_plan.model.build import Goal, Model
from intervet_plan.solve.arrays import to_arrays
from intervet_plan.solve.driver import level_of, run_levels
from intervet_plan.solve.highs import HighsBackend
from intervet_plan.solve.levels import Level
from intervet_plan.solve.types import Status

DEFAULT_POINTS = 10
TOL = 1e-6


@dataclass(frozen=True)
class Point:
    """One point of a frontier: the bound ``a`` on level A, the best ``b`` of level B under
    it (None when no plan was found in time) and whether ``b`` is proven optimal."""

    a: float
    b: float | None
    status: Status


@dataclass
class Frontier:
    """A walked frontier: the two levels and their senses, the points (the first is the
    scenario's own plan), where the walk aims: (A, B) when B is optimised first, and the
    lattice step of A's values (None when A has none)."""

    a: str
    b: str
    a_sense: Goal
    b_sense: Goal
    points: list[Point]
    end: tuple[float, float]
    time_s: float
    a_step: float | None = None

    @property
    def proven(self) -> bool:
        return all(p.status == Status.OPTIMAL for p in self.points)


def between_levels(
    order: Sequence[str], between: str | Sequence[str], constant: Sequence[str] = ()
) -> tuple[str, str]:
    """The levels A, B of ``--between A,B``, checked against the objective order: both known,
    A before B, adjacent (apart from ``constant`` levels, which price nothing: stability
    outside a re-plan). InputError (exit 2) otherwise."""
    names = [s.strip() for s in between.split(",")] if isinstance(between, str) else between
    names = list(names)
    shown = ", ".join(order)

    def refuse(message: str) -> InputError:
        return InputError(Problem("--between", None, None, message), "arguments")

    if len(names) != 2 or not all(names):
        raise refuse(f"give two objective levels as A,B (e.g. placements,targets), not {between!r}")
    a, b = names
    for name in (a, b):
        if name not in order:
            raise refuse(
                f"'{name}' is not an objective level of this scenario; its levels in order "
                f"are: {shown}"
            )
    if a == b:
        raise refuse(f"give two different levels, not '{a}' twice")
    ia, ib = order.index(a), order.index(b)
    if ib < ia:
        raise refuse(
            f"'{a}' must come before '{b}' in the scenario's objective order ({shown}); "
            f"give --between {b},{a}"
        )
    middle_levels = [n for n in order[ia + 1 : ib] if n not in constant]
    if middle_levels:
        middle = ", ".join(middle_levels)
        verb = "lies" if len(middle_levels) == 1 else "lie"
        raise refuse(
            f"'{a}' and '{b}' are not adjacent in the scenario's objective order ({shown}): "
            f"{middle} {verb} between them; choose two neighbouring levels"
        )
    return a, b


def _values(start: float, end: float, step: float | None, n: int) -> list[float]:
    """Up to ``n`` values of A from ``start`` to ``end`` (both included), evenly spaced and on
    A's lattice (every lattice value when fewer than ``n`` exist)."""
    if abs(end - start) <= TOL or n <= 1:
        return [start]
    if step:
        k = round(abs(end - start) / step)
        ks = range(k + 1) if k + 1 <= n else sorted({round(i * k / (n - 1)) for i in range(n)})
        sign = 1.0 if end > start else -1.0
        return [start + sign * j * step for j in ks]
    return [start + i * (end - start) / (n - 1) for i in range(n)]


def _at_least(value: float, target: float, sense: Goal) -> bool:
    """Is ``value`` at least as good as ``target`` for a level of ``sense``?"""
    slack = TOL * max(1.0, abs(target))
    return value >= target - slack if sense == Goal.MAXIMISE else value <= target + slack


def _bounds(level: Level, v: float) -> tuple[float, float]:
    """The row ``c x`` bounds saying "level at least as good as ``v``"."""
    slack = TOL * max(1.0, abs(v))
    if level.sense == Goal.MAXIMISE:
        return v - level.const - slack, math.inf
    return -math.inf, v - level.const + slack


def _probe(backend: HighsBackend, level: Level) -> tuple[float | None, Status]:
    report, message = backend.probe(level)
    if report.status == Status.INFEASIBLE:
        raise InfeasibleError(
            "the scenario is infeasible: run it (intervet-plan run) to see its diagnosis"
        )
    if report.status == Status.ERROR:
        raise IntervetError(message or "the solver failed")
    return report.value, report.status


def frontier(
    model: Model,
    settings: SolverSettings,
    order: Sequence[str],
    tolerances: Mapping[str, float],
    between: str | Sequence[str],
    points: int = DEFAULT_POINTS,
) -> Frontier:
    """Walk the frontier between the adjacent levels ``between`` = (A, B) of ``order`` with
    up to ``points`` points (SPEC 8.2). Always on HiGHS; ``settings.time_limit_s`` bounds the
    whole walk (points past it are marked ``feasible``, or left out when no plan is found)."""
    started = time.perf_counter()
    arr = to_arrays(model)
    constant = [n for n in order if not arr.level(model, n)[0].any()]
    a, b = between_levels(order, between, constant)
    if points < 1:
        raise InputError(Problem("--points", None, None, "give at least 1 point"), "arguments")
    backend = HighsBackend(model, arr, replace(settings, name="highs"), None, started)
    prefix = list(order[: order.index(a)])
    label = f"{a}/{b} frontier:"
    _, status, _, message = run_levels(
        backend, model, arr, prefix, tolerances, label=f"{label} holding"
    )
    if status == Status.INFEASIBLE:
        raise InfeasibleError(
            "the scenario is infeasible: run it (intervet-plan run) to see its diagnosis"
        )
    if status != Status.OPTIMAL:
        raise NoPlanError(message or "the levels before the frontier were not proven in time")
    with progress.stages() as begin:
        begin(f"{label} where it ends")
        return _walk(
            backend, model, a, b, points, started, lambda k, n: begin(f"{label} point {k} of {n}")
        )


def _walk(
    backend: HighsBackend,
    model: Model,
    a: str,
    b: str,
    points: int,
    started: float,
    point: Callable[[int, int], None],
) -> Frontier:
    """The walk of :func:`frontier` once the levels before A are held; ``point(k, n)`` is
    called as point k of n starts."""
    arr = backend.arr
    la, lb = level_of(model, arr, a, {}), level_of(model, arr, b, {})
    # Where the walk aims: B optimised first, then A given B.
    b_end, st = _probe(backend, lb)
    if b_end is None:
        raise NoPlanError("no plan found within the time limit")
    b_row = backend.add_row(lb.c, *_bounds(lb, b_end))
    a_end, _ = _probe(backend, la)
    backend.set_row(b_row, -math.inf, math.inf)
    # The scenario's own A, then the walk from it.
    a_star, st = _probe(backend, la)
    if a_star is None or a_end is None:
        raise NoPlanError("no plan found within the time limit")
    a_row = backend.add_row(la.c, -math.inf, math.inf)
    walk: list[Point] = []
    values = _values(a_star, a_end, la.step, points)
    for k, v in enumerate(values, 1):
        point(k, len(values))
        backend.set_row(a_row, *_bounds(la, v))
        value, st = _probe(backend, lb)
        walk.append(Point(v, value, st))
        if value is None or st != Status.OPTIMAL or _at_least(value, b_end, lb.sense):
            break
    elapsed = time.perf_counter() - started
    return Frontier(a, b, la.sense, lb.sense, walk, (a_end, b_end), elapsed, la.step)
