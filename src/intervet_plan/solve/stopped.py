"""Levels a run did not prove (a time or node limit): the plan's value on each, the proven
bound rounded onto the level's lattice, and the relative gap between them.

A level stopped in branch and bound is ``feasible``: its bound is the better of the MIP's
dual bound and the relaxation's Lagrangian bound, and when the bound rounded onto the
lattice reaches the plan's value the level is proven after all. A level after it is never
started: the plan in hand still has a value on it, and its bound is that of its relaxation
with the rows held so far (every plan of the lexicographic optimum meets them) when that
relaxation fits the time left (``feasible``), else unknown (``not_solved``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from intervet_plan.model.build import Goal
from intervet_plan.solve.levels import Level
from intervet_plan.solve.types import LevelReport, Method, Status

if TYPE_CHECKING:
    import highspy


def to_max(v: float, sense: Goal) -> float:
    return v if sense == Goal.MAXIMISE else -v


def on_lattice(top: float, step: float | None) -> float:
    """A proven bound ``top`` on ``max c.x`` rounded down onto the lattice of ``step`` (the
    values ``c.x`` takes over integer plans); rounding errors only weaken it."""
    if not step:
        return top
    q = top / step
    return math.floor(q + 1e-6 * max(1.0, abs(q))) * step


def rel_gap(value: float, bound: float) -> float:
    """HiGHS's relative gap, |bound - value| / max(1, |value|), on the level's own value."""
    return abs(bound - value) / max(1.0, abs(value))


def proven(value: float, bound: float, step: float | None, mip_gap: float) -> bool:
    """Does a plan of ``value`` reach ``bound`` (both in maximisation form, the bound on the
    lattice): to the lattice point, else within the solver's gaps."""
    if step:
        return value >= bound - 1e-9 * max(1.0, abs(bound))
    return bound - value <= max(1e-6, mip_gap * max(1.0, abs(value)))


def stopped_report(
    report: LevelReport, level: Level, tops: list[float | None], mip_gap: float
) -> LevelReport:
    """The report of a level stopped with a plan (``report.value``): its bound is the best of
    ``tops`` (bounds on ``max c.x`` without the constant, in maximisation form), on the
    lattice; ``optimal`` when that reaches the plan's value."""
    assert report.value is not None
    known = [t for t in tops if t is not None and math.isfinite(t)]
    if not known:
        return report
    value = to_max(report.value - level.const, level.sense)
    top = max(on_lattice(min(known), level.step), value)  # no plan beats a proven bound
    bound = to_max(top, level.sense) + level.const
    if proven(value, top, level.step, mip_gap):
        return LevelReport(
            level.name, Status.OPTIMAL, report.value, bound, 0.0, report.time_s, report.method
        )
    gap = rel_gap(report.value, bound)
    return LevelReport(
        level.name, Status.FEASIBLE, report.value, bound, gap, report.time_s, report.method
    )


def in_hand(level: Level, x: np.ndarray, top: float | None, method: Method) -> LevelReport:
    """A level not proven, with the plan in hand ``x`` and a bound ``top`` on ``max c.x``
    (None: not known): ``feasible`` with its value, bound and gap, or ``not_solved`` with its
    value alone."""
    value = float(level.c @ x + level.const)
    if top is None:
        return LevelReport(level.name, Status.NOT_SOLVED, value, None, None, 0.0, Method.NONE)
    report = LevelReport(level.name, Status.FEASIBLE, value, None, None, 0.0, method)
    out = stopped_report(report, level, [top], 0.0)
    if out.status == Status.OPTIMAL:  # never proven here: no row holds it for later levels
        out.status, out.gap = Status.FEASIBLE, 0.0
    return out


def limit_of(h: highspy.Highs) -> str:
    """What stopped the HiGHS copy ``h`` short of a proof, in words."""
    import highspy

    s = highspy.HighsModelStatus
    words = {
        s.kTimeLimit: "time limit",
        s.kSolutionLimit: "node limit",  # mip_max_nodes (also leaves, improving solutions)
        s.kIterationLimit: "iteration limit",
        s.kInterrupt: "interrupted",
    }
    return words.get(h.getModelStatus(), "stopped")
