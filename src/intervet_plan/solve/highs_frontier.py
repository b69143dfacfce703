"""What a trade-off frontier (``solve/tradeoff.py``) asks of the HiGHS backend besides its
levels: a level optimised without holding it, and rows added and moved between points."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from intervet_plan.solve.arrays import Rows
from intervet_plan.solve.levels import Level
from intervet_plan.solve.types import LevelReport

if TYPE_CHECKING:
    import highspy


class FrontierOps:
    """The frontier's operations, mixed into :class:`~intervet_plan.solve.highs.HighsBackend`
    (which has the attributes and the two methods declared here)."""

    lower: np.ndarray
    upper: np.ndarray
    rows: Rows
    mip: highspy.Highs
    lp: highspy.Highs
    holding: bool

    def solve_level(self, level: Level) -> tuple[LevelReport, str]:
        raise NotImplementedError

    def _set_bounds(
        self, cols: np.ndarray, lo: np.ndarray, hi: np.ndarray, keep: bool = True
    ) -> None:
        raise NotImplementedError

    def probe(self, level: Level) -> tuple[LevelReport, str]:
        """Optimise a level as :meth:`solve_level` does, warm-started from the latest plan,
        but hold nothing for later levels: no bound row, and every column bound it fixed
        is restored (a point of a frontier, whose rows change from point to point)."""
        lower, upper = self.lower.copy(), self.upper.copy()
        self.holding = True
        try:
            return self.solve_level(level)
        finally:
            self.holding = False
            moved = np.flatnonzero((lower != self.lower) | (upper != self.upper)).astype(np.int32)
            self._set_bounds(moved, lower[moved], upper[moved])

    def add_row(self, c: np.ndarray, lo: float, hi: float) -> int:
        """Add the row ``lo <= c x <= hi`` to both copies; return its index."""
        used = np.flatnonzero(c).astype(np.int32)
        for h in (self.mip, self.lp):
            h.addRow(lo, hi, len(used), used, c[used])
        self.rows.append(lo, hi, used, c[used])
        return len(self.rows.lower) - 1

    def set_row(self, i: int, lo: float, hi: float) -> None:
        """Move the bounds of row ``i`` (one added by :meth:`add_row`)."""
        for h in (self.mip, self.lp):
            h.changeRowBounds(i, lo, hi)
        self.rows.lower = self.rows.lower.copy()
        self.rows.upper = self.rows.upper.copy()
        self.rows.lower[i], self.rows.upper[i] = lo, hi
