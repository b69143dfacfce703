"""Assemble rules, targets and objective levels into a model (SPEC 3).

One binary variable per candidate pair (participant, offer). Constraints come from the rule
generators of ``rules.py`` and are named after the spec (``seats__OFF123``). The model is built
as sparse arrays (``matrix.py``); the PuLP problem is made from them only when an analyst asks
for ``model.problem`` (``pulp_problem.py``). Objective levels are kept as separate coefficient
vectors; ``solve/driver.py`` optimises them in order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import IntEnum
from typing import cast

import numpy as np
import pandas as pd
import pulp

from intervet_plan.domain.context import Context
from intervet_plan.domain.eligibility import candidate_pairs
from intervet_plan.model.lattice import lattice_step
from intervet_plan.model.matrix import Matrix, MatrixBuilder
from intervet_plan.model.pulp_problem import PulpProblem
from intervet_plan.model.rules import Row, Sense, all_rows, placement_frame, safe, safe_series


class Goal(IntEnum):
    """Whether an objective level is maximised or minimised."""

    MAXIMISE = 1
    MINIMISE = -1


LEVEL_SENSE = {
    "placements": Goal.MAXIMISE,
    "stability": Goal.MINIMISE,
    "targets": Goal.MINIMISE,
    "priority": Goal.MAXIMISE,
    "preferences": Goal.MAXIMISE,
    "cost": Goal.MINIMISE,
}


@dataclass(frozen=True)
class OrgSupport:
    """The exact organisational-support split of one activity: ``first`` (m) placements at
    the first rate, ``m = min(n, threshold)`` with ``n`` the placements of ``pairs``, made
    exact by the binary ``past`` (z = 1: n has reached the threshold). ``first`` and ``past``
    are column names."""

    activity_id: str
    first: str
    past: str
    pairs: np.ndarray
    threshold: int


@dataclass(frozen=True)
class Objective:
    """An objective level as ``c . x + const`` over the model's columns."""

    c: np.ndarray
    const: float


@dataclass
class Model:
    """The model's arrays, its rule rows and objective levels; the PuLP problem on demand.

    ``pairs`` holds one row per candidate placement; column ``i`` of ``matrix`` (and
    ``x[i]``, its PuLP variable) is its binary variable. ``objectives`` maps a level name to
    its coefficients (constants included, e.g. stability); ``levels`` gives the same as PuLP
    expressions. ``shortfall`` maps a soft target row to its shortfall column's name.
    Analysts may add constraints to ``problem`` (see :meth:`add_constraint`) before solving.
    """

    ctx: Context
    pairs: pd.DataFrame
    matrix: Matrix
    rows: list[Row]
    objectives: dict[str, Objective]
    sense_first: str  # the level the PuLP problem's objective is (the scenario's first)
    shortfall: dict[str, str] = field(default_factory=dict)
    custom: list[str] = field(default_factory=list)
    org_support: list[OrgSupport] = field(default_factory=list)
    values: np.ndarray | None = None  # the last solved plan, every column

    # constraint name -> the rule or target row it holds (rule, ids in ``about``), so that
    # nothing needs to parse a name back; other constraints (offer loads, organisational-
    # support splits, custom ones) are not in it
    row_of: dict[str, Row] = field(init=False, repr=False)
    _pulp: PulpProblem | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.row_of = {r.name: r for r in self.rows}

    @property
    def materialised(self) -> bool:
        """Has the PuLP problem been made (and so may hold an analyst's changes)?"""
        return self._pulp is not None

    def _made(self) -> PulpProblem:
        if self._pulp is None:
            name = safe(self.ctx.scenario.name) or "plan"
            self._pulp = PulpProblem.of(name, self.matrix, self.objectives, self.sense_first)
            if self.values is not None:
                self._pulp.set_values(self.values)
        return self._pulp

    @property
    def problem(self) -> pulp.LpProblem:
        """The PuLP problem (made from the arrays on first use, then kept)."""
        return self._made().problem

    @property
    def x(self) -> list[pulp.LpVariable]:
        """The PuLP variable of each pair, in pair order."""
        return self._made().variables[: len(self.pairs)]

    @property
    def levels(self) -> dict[str, pulp.LpAffineExpression]:
        """The objective levels as PuLP expressions."""
        return self._made().levels

    def set_values(self, x_all: np.ndarray) -> None:
        """Keep a solved plan (every column); the PuLP variables get it too, now or when
        they are made."""
        self.values = x_all
        if self._pulp is not None:
            self._pulp.set_values(x_all)

    def var(self, participant_id: str, offer_id: str) -> pulp.LpVariable:
        """The variable of one pair (KeyError when the pair is not a candidate)."""
        hit = np.flatnonzero(
            (self.pairs["participant_id"].to_numpy() == participant_id)
            & (self.pairs["offer_id"].to_numpy() == offer_id)
        )
        if not len(hit):
            raise KeyError(f"({participant_id}, {offer_id}) is not a candidate pair")
        return self.x[int(hit[0])]

    def expr(
        self, mask: pd.Series | np.ndarray, coef: np.ndarray | float = 1.0
    ) -> pulp.LpAffineExpression:
        """sum(coef * x) over the pairs selected by a boolean mask over ``pairs``.

        >>> # e.g. learners of one country at one host:
        >>> # m.expr((m.pairs.country == "AL") & (m.pairs.host_id == "INCOMA"))
        """
        idx = np.flatnonzero(np.asarray(mask))
        c = np.broadcast_to(np.asarray(coef, float), (len(self.pairs),))[idx]
        x = self.x
        return pulp.LpAffineExpression(zip([x[i] for i in idx], c.tolist(), strict=True))

    def add_constraint(self, constraint: pulp.LpConstraint, name: str) -> None:
        """Add a named custom constraint; it is kept through every objective level."""
        name = safe(name)
        self.problem.addConstraint(constraint, name)
        self.custom.append(name)


def _rhs(rhs: float) -> float:
    """A right-hand side as PuLP gives it back (``-(0 - rhs)``: 0 becomes -0.0)."""
    return -(0 - rhs)


def _bounds(sense: Sense, rhs: float) -> tuple[float, float]:
    b = _rhs(rhs)
    return (-math.inf, b) if sense == Sense.LE else (b, math.inf)


def candidate_frame(ctx: Context) -> pd.DataFrame:
    """The candidate pairs of a model (eligible ones plus fixed placements) as a placement
    frame, with ``fixed`` and ``planned`` (a previous ``planned`` placement) flags."""
    cand = candidate_pairs(ctx.case, ctx.window)[["participant_id", "offer_id"]]
    fixed = ctx.fixed.assign(fixed=True)
    pairs = (
        pd.concat([cand, fixed[["participant_id", "offer_id"]]])
        .drop_duplicates()
        .sort_values(["participant_id", "offer_id"])
        .reset_index(drop=True)
    )
    f = placement_frame(ctx, pairs)
    key = pd.MultiIndex.from_frame(f[["participant_id", "offer_id"]])
    f["fixed"] = (
        key.isin(pd.MultiIndex.from_frame(ctx.fixed[["participant_id", "offer_id"]]))
        if len(ctx.fixed)
        else False
    )
    f["planned"] = (
        key.isin(pd.MultiIndex.from_frame(ctx.planned[["participant_id", "offer_id"]]))
        if len(ctx.planned)
        else False
    )
    return f


Terms = tuple[np.ndarray, np.ndarray]  # (column indices, coefficients), in term order


def _cat(*terms: Terms | tuple[list[int], list[float]]) -> Terms:
    return (
        np.concatenate([np.asarray(t[0], np.int64) for t in terms]),
        np.concatenate([np.asarray(t[1], float) for t in terms]),
    )


def _nonzero(idx: np.ndarray, coef: np.ndarray) -> Terms:
    keep = coef != 0
    return np.asarray(idx, np.int64)[keep], np.asarray(coef, float)[keep]


def build_model(ctx: Context) -> Model:
    """Candidate pairs (eligible ones plus fixed placements), their variables, every hard
    rule and target row, and the objective levels of SPEC 3.5."""
    f = candidate_frame(ctx)
    n = len(f)
    names = "x__" + safe_series(f["participant_id"]) + "__" + safe_series(f["offer_id"])
    lower = np.zeros(n)
    lower[f["fixed"].to_numpy(bool)] = 1.0  # a fixed placement of a re-plan
    b = MatrixBuilder(n, names.tolist(), lower)

    rows = [r for r in all_rows(ctx, f) if not r.redundant()]
    loads = _offer_loads(f, b)
    org_terms, org_split = _org_support(ctx, f, b)
    shortfall: dict[str, str] = {}
    target_terms: list[tuple[int, float]] = []
    offer_of = pd.factorize(f["offer_id"], sort=True)[0]  # offer codes, in offer-id order
    for r in rows:
        e = _by_offer(r, offer_of, loads) or _nonzero(r.idx, r.coef)
        if r.org_support:
            e = _cat(e, org_terms)
        if r.soft:
            s, step, sname = _shortfall(b, r)
            shortfall[r.name] = sname
            e = _cat(e, ([s], [step if r.sense == Sense.GE else -step]))
            target_terms.append((s, step * float(cast(float, r.about["weight"]))))
        b.row(r.name, e[0], e[1], *_bounds(r.sense, r.rhs), merge=r.org_support)
    matrix, final = b.finish()

    def objective(terms: Terms, const: float = 0.0) -> Objective:
        c = np.zeros(len(matrix.names))
        np.add.at(c, final[terms[0]], terms[1])
        return Objective(c, const)

    all_idx = np.arange(n)
    planned = np.flatnonzero(f["planned"].to_numpy())
    objectives = {
        "placements": objective((loads[0], np.ones(len(loads[0])))),
        "stability": objective((planned, -np.ones(len(planned))), float(len(ctx.planned))),
        "targets": objective(
            (
                np.array([s for s, _ in target_terms], np.int64),
                np.array([w for _, w in target_terms], float),
            )
        ),
        "priority": objective(_nonzero(all_idx, f["priority"].to_numpy(float))),
        "preferences": objective(_nonzero(all_idx, f["preference_points"].to_numpy(float))),
        "cost": objective(_cat(_nonzero(all_idx, f["pair_eur"].to_numpy(float)), org_terms)),
    }
    first = ctx.objective[0] if ctx.objective else "placements"
    return Model(ctx, f, matrix, rows, objectives, first, shortfall, org_support=org_split)


def _shortfall(b: MatrixBuilder, r: Row) -> tuple[int, float, str]:
    """The shortfall column of a soft target row, its step in persons and its name.

    When the row's coefficients and right-hand side are multiples of a step q (a share of
    0.25 gives q = 0.25; a count gives q = 1), every plan's shortfall is a multiple of q too,
    so the variable counts steps and is integer: the solver then knows the targets level takes
    values on a lattice and prunes by it (a binding budget: 27 s against 256 s)."""
    name = f"shortfall__{r.name.removeprefix('target__')}"
    step = lattice_step(np.append(r.coef, r.rhs))
    if step is None:
        return b.column(name, 0, None, False), 1.0, name
    return b.column(name, 0, None, True), step, name


def _offer_loads(f: pd.DataFrame, b: MatrixBuilder) -> tuple[np.ndarray, np.ndarray]:
    """One load variable per offer, ``load_o = sum of its pairs`` (row ``load__<offer>``), so
    that rows counting whole offers (seats, host capacity, quotas) hold one term per offer
    instead of one per pair. Loads are integer (sums of binaries), so that the placements
    level is integral. Returns, per offer in offer-id order, its column and its number of
    pairs."""
    cols, sizes = [], []
    for oid, idx in sorted(f.groupby("offer_id").indices.items()) if len(f) else []:
        name = safe(oid)
        y = b.column(f"load__{name}", 0, len(idx), True)
        terms = _cat(([y], [1.0]), (idx, -np.ones(len(idx))))
        b.row(f"load__{name}", *terms, _rhs(0.0), _rhs(0.0))
        cols.append(y)
        sizes.append(len(idx))
    return np.array(cols, np.int64), np.array(sizes, np.int64)


def _by_offer(r: Row, offer_of: np.ndarray, loads: tuple[np.ndarray, np.ndarray]) -> Terms | None:
    """The row as a sum of offer loads, when it counts every pair of each offer it touches
    once (unit coefficients); else None."""
    if r.soft or r.org_support or not len(r.idx) or not np.all(r.coef == 1.0):
        return None
    offers, counts = np.unique(offer_of[r.idx], return_counts=True)
    if np.any(loads[1][offers] != counts):
        return None
    return loads[0][offers], np.ones(len(offers))


def _org_support(ctx: Context, f: pd.DataFrame, b: MatrixBuilder) -> tuple[Terms, list[OrgSupport]]:
    """Organisational support, modelled exactly: per activity with n placements,
    s1*min(n, T) + s2*max(n - T, 0) = s2*n + (s1 - s2)*m with m = min(n, T) made exact by a
    binary z (z = 0: m = n <= T; z = 1: m = T <= n). Returns the total's terms and the
    splits."""
    t = ctx.case.org_support_threshold
    total: list[Terms] = []
    splits: list[OrgSupport] = []
    groups = f.groupby("activity_id").indices if len(f) else {}
    for act, idx in sorted(groups.items()):
        s1 = float(ctx.case.activities.at[act, "org_support_eur"])
        s2 = float(ctx.case.activities.at[act, "org_support_after_eur"])
        ones = np.ones(len(idx))
        upper = min(
            len(idx), int(ctx.quotas.at[act, "quota"]) + int(f["fixed"].to_numpy()[idx].sum())
        )
        if s1 == s2 or upper <= t or t == 0:
            total.append((idx, (s1 if upper <= t and t > 0 else s2) * ones))
            continue
        a = safe(act)
        m = b.column(f"org_first__{a}", 0, t, True)
        z = b.column(f"org_past__{a}", 0, 1, True)
        # (bounds as PuLP gives them back, signed zeros included)
        b.row(f"org_first_le_n__{a}", *_cat(([m], [1.0]), (idx, -ones)), -math.inf, -0.0)
        b.row(f"org_first_ge_T__{a}", *_cat(([m], [1.0]), ([z], [-float(t)])), 0.0, math.inf)
        b.row(
            f"org_first_ge_n__{a}",
            *_cat(([m], [1.0]), (idx, -ones), ([z], [float(upper)])),
            -0.0,
            math.inf,
        )
        total.append(_cat((idx, s2 * ones), ([m], [s1 - s2])))
        splits.append(OrgSupport(act, f"org_first__{a}", f"org_past__{a}", idx, t))
    return (_cat(*total) if total else (np.zeros(0, np.int64), np.zeros(0))), splits
