"""The objective levels on CBC, through PuLP: one solve of a copy of the problem per level,
each optimal level then bounded by a row of the copy."""

from __future__ import annotations

import re
import subprocess
import time
import warnings

import numpy as np
import pulp

from intervet_plan.inputs.scenario import SolverSettings
from intervet_plan.model.build import Goal, Model
from intervet_plan.solve.arrays import Arrays
from intervet_plan.solve.levels import Level, level_bound, rounded
from intervet_plan.solve.types import LevelReport, Status


class CbcBackend:
    """One lexicographic run on CBC (see :class:`~intervet_plan.solve.levels.Backend`)."""

    name: str = "cbc"
    gap_after_failure: float | None = None

    def __init__(self, model: Model, arr: Arrays, settings: SolverSettings, started: float) -> None:
        self.model = model
        self.prob = model.problem.copy()  # level bounds go to the copy; the model stays
        self.arr, self.settings, self.started = arr, settings, started
        self.x: np.ndarray | None = None

    @property
    def plan(self) -> np.ndarray | None:
        return self.x

    def solve_level(self, level: Level) -> tuple[LevelReport, str]:
        prob, settings = self.prob, self.settings
        prob.sense = pulp.LpMaximize if level.sense == Goal.MAXIMISE else pulp.LpMinimize
        prob.setObjective(self.model.levels[level.name])
        left = None
        if settings.time_limit_s is not None:
            left = max(settings.time_limit_s - (time.perf_counter() - self.started), 1.0)
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
        message = ""
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
            return LevelReport(level.name, lstatus, None, None, None, elapsed), message
        arr = self.arr
        value_of = {v.name: v.varValue for v in prob.variables()}
        self.x = rounded(np.array([value_of.get(n) or 0.0 for n in arr.names], float), arr.integer)
        value = float(level.c @ self.x + level.const)
        gap = 0.0 if lstatus == Status.OPTIMAL else None
        report = LevelReport(level.name, lstatus, value, None, gap, elapsed)
        if lstatus == Status.FEASIBLE:  # CBC through PuLP gives no bound
            report.limit = "time limit"
        if lstatus == Status.OPTIMAL:
            bound = level.const + level_bound(
                value - level.const, level.const, level.sense, level.tolerance, level.step
            )
            expr = self.model.levels[level.name]
            row = expr >= bound if level.sense == Goal.MAXIMISE else expr <= bound
            prob.addConstraint(row, f"level__{level.name}")
        return report, message

    def relaxation_top(self, level: Level) -> float | None:
        """No bound from CBC through PuLP: a level not started reads ``not_solved``."""
        return None

    def version(self) -> str:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            path = pulp.PULP_CBC_CMD().path
        try:
            out = subprocess.run([path, "-quit"], capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            return "unknown"
        m = re.search(r"Version:\s*(\S+)", out)
        return m.group(1) if m else "unknown"
