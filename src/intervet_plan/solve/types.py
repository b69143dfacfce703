"""The typed vocabulary of a solve: the status of a run and of each objective level, how each
level's optimum was proven, and the result (the plan as 0/1 per candidate pair)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np


class Status(StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"  # a time limit was hit with a plan in hand
    INFEASIBLE = "infeasible"
    NO_PLAN = "no_plan"  # a time limit was hit before any plan was found
    NOT_SOLVED = "not_solved"  # a level never started (an earlier one stopped), no bound known
    ERROR = "error"


class Method(StrEnum):
    """How a level's optimum was proven (``levels[].method`` of summary.json)."""

    CONSTANT = "constant"  # the level prices no column: its value is its constant
    RELAXATION = "relaxation"  # the LP relaxation's plan reached its bound
    COMPLETION = "completion"  # a few fractional columns completed by a small MIP
    BRANCH_AND_BOUND = "branch-and-bound"
    NONE = "none"  # a level never started: nothing proven, no bound computed


@dataclass
class LevelReport:
    """One objective level: its status, the plan's value and the proven bound (in the level's
    own unit: placements, persons, points, EUR; on the level's lattice), the relative gap
    (|bound - value| / max(1, |value|), 0 when proven) and the time (seconds). ``limit`` says
    what stopped a level not proven: "time limit", "node limit" or "not reached" (an earlier
    level stopped)."""

    level: str
    status: Status
    value: float | None
    bound: float | None
    gap: float | None
    time_s: float
    method: Method = Method.BRANCH_AND_BOUND
    limit: str = ""


@dataclass
class SolveResult:
    """A lexicographic run: the overall status, the plan, every level's value from the plan,
    the level reports, the solver, its version, the time (seconds) and the gap."""

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
