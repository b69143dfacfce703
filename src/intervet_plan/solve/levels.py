"""One objective level as the driver hands it to a backend, what a backend must do with it,
and the helpers both backends share (the level's bound row, rounding a solver's values)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from intervet_plan.model.build import Goal
from intervet_plan.solve.types import LevelReport

LEVEL_ABS_TOL = 1e-6


@dataclass(frozen=True)
class Level:
    """An objective level: its coefficients per column ``c`` and constant ``const``, its
    sense, its relative tolerance (a fraction of its value) and the lattice of its values over
    integer plans (:func:`~intervet_plan.model.lattice.level_step`)."""

    name: str
    c: np.ndarray
    const: float
    sense: Goal
    tolerance: float
    step: float | None


class Backend(Protocol):
    """A solver running the levels of one lexicographic run, in the order the driver asks.

    After an optimal level, the backend keeps its plan and bounds the level (its value eased
    by the level's tolerance: :func:`level_bound`) for every later level."""

    name: str  # "highs" or "cbc"
    # summary.json's gap after a level ends infeasible or in error (kept per solver as it was)
    gap_after_failure: float | None

    @property
    def plan(self) -> np.ndarray | None:
        """The latest plan (every column of the arrays), None before any."""
        ...

    def solve_level(self, level: Level) -> tuple[LevelReport, str]:
        """Optimise one level (time_s of the report set); return the report and a message
        (empty unless the solver ended in error)."""
        ...

    def relaxation_top(self, level: Level) -> float | None:
        """A proven bound on ``max c.x`` of a level not started (in maximisation form, without
        its constant, on its lattice) from its relaxation with the rows held so far, if that
        fits the time left; None when not known."""
        ...

    def version(self) -> str:
        """The solver's version."""
        ...


def level_bound(value: float, const: float, sense: Goal, tol: float, step: float | None) -> float:
    """The bound row of a level reached at ``value`` (of ``c.x``, without the constant): the
    value relaxed by the level's relative tolerance, rounded outwards onto the level's lattice
    when it has one (else eased by LEVEL_ABS_TOL)."""
    slack = tol * abs(value + const)
    if sense == Goal.MAXIMISE:
        b = value - slack
        return math.ceil(b / step - 1e-6) * step if step else b - LEVEL_ABS_TOL
    b = value + slack
    return math.floor(b / step + 1e-6) * step if step else b + LEVEL_ABS_TOL


def rounded(values: np.ndarray, integer: np.ndarray) -> np.ndarray:
    """A solver's column values with the integer columns rounded to whole numbers."""
    out = values.copy()
    out[integer] = np.round(out[integer])
    return out
