"""The lattice of a linear form's values over integer plans: a form whose coefficients are all
integer multiples of q takes only multiples of q (shares of 0.25, counts, cents). The model
uses it to make soft-target shortfalls integer steps; the solver to round level bounds onto
it and to prove a level optimal at the lattice point below its bound."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np


def lattice_step(values: np.ndarray, max_denominator: int = 1000) -> float | None:
    """The largest q with every value an integer multiple of q (values read, to 1e-12, as
    fractions with a denominator up to ``max_denominator``); None when there is none.

    >>> lattice_step(np.array([0.5, -0.5, 1.0, 0.0]))
    0.5
    >>> lattice_step(np.array([0.7, -0.3, 0.0]))  # a 30 % share
    0.1
    >>> round(lattice_step(np.array([2 / 3, -1 / 3])), 6)
    0.333333
    >>> lattice_step(np.array([0.5, 0.0001234567])) is None
    True
    """
    fracs = []
    for v in np.unique(values).tolist():
        f = Fraction(v).limit_denominator(max_denominator)
        if abs(float(f) - v) > 1e-12 * max(1.0, abs(v)):
            return None
        if f:
            fracs.append(f)
    if not fracs:
        return None
    den = math.lcm(*(f.denominator for f in fracs))
    num = math.gcd(*(f.numerator * (den // f.denominator) for f in fracs))
    return num / den


def level_step(c: np.ndarray, integer: np.ndarray) -> float | None:
    """The lattice of a level's values over integer plans: q when every column it prices is
    integer with a coefficient that is a multiple of q (1 for counts, priorities and points;
    a share's step for the targets level; the cent for costs); None otherwise. ``c`` holds
    the level's coefficient per column, ``integer`` which columns are integer."""
    used = c != 0
    if not used.any() or not np.all(integer[used]):
        return None
    return lattice_step(c[used])
