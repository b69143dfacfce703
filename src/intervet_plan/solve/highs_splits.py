"""What the HiGHS backend does with the organisational-support splits (``OrgSupport``: the
binary z of ``m = min(n, T)``), mixed into :class:`~intervet_plan.solve.highs.HighsBackend`:
fix a split where the relaxation proves its activity reaches the threshold, fix the
fractional splits of a relaxed plan to price support exactly, and prove a level through the
cases of its splits (``split_probe``)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from intervet_plan.inputs.scenario import SolverSettings
from intervet_plan.model.build import Goal, Model, OrgSupport
from intervet_plan.solve import split_probe
from intervet_plan.solve.arrays import Arrays, Rows
from intervet_plan.solve.bounds import Bound, best_possible, proves, upper_bound
from intervet_plan.solve.highs_model import PRIMAL_SIMPLEX
from intervet_plan.solve.levels import Level

if TYPE_CHECKING:
    import highspy


class SplitOps:
    """The split operations (the backend has the attributes and the methods declared here)."""

    model: Model
    arr: Arrays
    settings: SolverSettings
    n: int
    lower: np.ndarray
    upper: np.ndarray
    rows: Rows
    lp: highspy.Highs
    split_case: split_probe.SplitCase | None
    split_probes: list[Bound] | None

    def _set_bounds(
        self, cols: np.ndarray, lo: np.ndarray, hi: np.ndarray, keep: bool = True
    ) -> None:
        raise NotImplementedError

    def _clock(self, h: highspy.Highs) -> None:
        raise NotImplementedError

    def _objective(self, h: highspy.Highs, c: np.ndarray, sense: Goal) -> None:
        raise NotImplementedError

    def _proven_top(
        self, plan: np.ndarray, cmax: np.ndarray, bound: Bound, level: Level
    ) -> float | None:
        """The most any plan reaches, when ``plan`` reaches it: from the relaxation's bound,
        or else from the cases of the organisational-support splits (``split_probe``)."""
        value, step, gap = float(cmax @ plan), level.step, self.settings.mip_gap
        if proves(value, bound, step, gap):
            return best_possible(bound, step)
        case = self.split_case
        if step is None or case is None or not proves(value, case.bound, step, gap):
            return None
        probes: list[Bound] = []
        for z in case.cols:  # each probe runs until it falls half a step below the plan
            self._clock(self.lp)
            b = split_probe.probe_split(
                self.lp,
                self.rows,
                self.lower,
                self.upper,
                int(z),
                cmax,
                stop_at=value - step / 2,
                enough=value + step / 2,
                objective=(level.c, level.sense == Goal.MAXIMISE),
            )
            if b is None or best_possible(b, step) > value + 1e-9 * max(1.0, abs(value)):
                return None
            probes.append(b)
        self.split_probes = probes
        return split_probe.cases_top(case, probes, step)

    def _split_fixings(self, x: np.ndarray) -> np.ndarray:
        """The free ``past`` binaries (z) of the splits that are fractional in ``x`` and whose
        placements in ``x`` reach the threshold (z = 1 is then the consistent value)."""
        col = self.arr.col_of
        out = []
        for o in self.model.org_support:
            z = col[o.past]
            if self.lower[z] == self.upper[z] or abs(x[z] - round(x[z])) <= 1e-6:
                continue
            if x[o.pairs].sum() >= o.threshold - 1e-6:
                out.append(z)
        return np.array(out, np.int32)

    def _tighten_org_support(self) -> None:
        """Fix the split of each activity whose placements provably reach the threshold:
        minimise its placements on the relaxation and bound that minimum from the duals."""
        # The basis stays primal feasible when only the objective changes: primal simplex
        # takes a fifth of the dual's time here (scale 10: 5 s against 26 s).
        _, strategy = self.lp.getOptionValue("simplex_strategy")
        self.lp.setOptionValue("simplex_strategy", PRIMAL_SIMPLEX)
        try:
            for o in self.model.org_support:
                self._tighten_split(o)
        finally:
            self.lp.setOptionValue("simplex_strategy", strategy)

    def _tighten_split(self, o: OrgSupport) -> None:
        import highspy

        col = self.arr.col_of
        z, m = col[o.past], col[o.first]
        if self.lower[z] == self.upper[z]:
            return
        c = np.zeros(self.n)
        c[o.pairs] = -1.0  # maximise -n
        self._objective(self.lp, c, Goal.MAXIMISE)
        self._clock(self.lp)
        self.lp.run()
        if self.lp.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return
        sol = self.lp.getSolution()
        if not sol.dual_valid:
            return
        b = upper_bound(self.rows, self.lower, self.upper, c, np.array(sol.row_dual))
        if b is None:
            return
        fewest = math.ceil(-(b.value + b.margin) - 1e-9)  # n >= fewest for every plan
        if fewest >= o.threshold:
            t = float(o.threshold)
            cols = np.array([z, m], np.int32)
            self._set_bounds(cols, np.array([1.0, t]), np.array([1.0, t]))
