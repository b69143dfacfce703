"""Assemble rules, targets and objective levels into a PuLP problem (SPEC 3).

One binary variable per candidate pair (participant, offer). Constraints come from the rule
generators of ``rules.py`` and are named after the spec (``seats__OFF123``). Objective
levels are kept as separate expressions; ``solve/driver.py`` optimises them in order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import cast

import numpy as np
import pandas as pd
import pulp

from intervet_plan.domain.context import Context
from intervet_plan.domain.eligibility import candidate_pairs
from intervet_plan.model.lattice import lattice_step
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
    exact by the binary ``past`` (z = 1: n has reached the threshold)."""

    activity_id: str
    first: pulp.LpVariable
    past: pulp.LpVariable
    pairs: np.ndarray
    threshold: int


@dataclass
class Model:
    """The PuLP problem with its variables and objective levels.

    ``pairs`` holds one row per candidate placement; ``x[i]`` is its binary variable.
    ``levels`` maps a level name to its expression (constants included, e.g. stability).
    Analysts may add constraints to ``problem`` (see :meth:`add_constraint`) before solving.
    """

    ctx: Context
    pairs: pd.DataFrame
    x: list[pulp.LpVariable]
    problem: pulp.LpProblem
    rows: list[Row]
    levels: dict[str, pulp.LpAffineExpression]
    shortfall: dict[str, pulp.LpVariable] = field(default_factory=dict)
    custom: list[str] = field(default_factory=list)
    org_support: list[OrgSupport] = field(default_factory=list)

    # constraint name -> the rule or target row it holds (rule, ids in ``about``), so that
    # nothing needs to parse a name back; other constraints (offer loads, organisational-
    # support splits, custom ones) are not in it
    row_of: dict[str, Row] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.row_of = {r.name: r for r in self.rows}

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
        return pulp.LpAffineExpression(zip([self.x[i] for i in idx], c.tolist(), strict=True))

    def add_constraint(self, constraint: pulp.LpConstraint, name: str) -> None:
        """Add a named custom constraint; it is kept through every objective level."""
        name = safe(name)
        self.problem.addConstraint(constraint, name)
        self.custom.append(name)


def _affine(x: list[pulp.LpVariable], idx: np.ndarray, coef: np.ndarray) -> pulp.LpAffineExpression:
    return pulp.LpAffineExpression(
        [(x[i], c) for i, c in zip(idx.tolist(), coef.tolist(), strict=True) if c != 0]
    )


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


def build_model(ctx: Context) -> Model:
    """Candidate pairs (eligible ones plus fixed placements), their variables, every hard
    rule and target row, and the objective levels of SPEC 3.5."""
    f = candidate_frame(ctx)
    prob = pulp.LpProblem(safe(ctx.scenario.name) or "plan", pulp.LpMaximize)
    names = "x__" + safe_series(f["participant_id"]) + "__" + safe_series(f["offer_id"])
    x = [prob.add_variable(n, 0, 1, pulp.LpBinary) for n in names]
    for i in np.flatnonzero(f["fixed"].to_numpy()):
        x[i].lowBound = 1  # a fixed placement of a re-plan

    rows = [r for r in all_rows(ctx, f) if not r.redundant()]
    loads = _offer_loads(f, x, prob)
    org_expr, org_split = _org_support(ctx, f, x, prob)
    shortfall: dict[str, pulp.LpVariable] = {}
    target_terms: list[tuple[pulp.LpVariable, float]] = []
    offer_of = f["offer_id"].to_numpy()
    for r in rows:
        e = _by_offer(r, offer_of, loads) or _affine(x, r.idx, r.coef)
        if r.org_support:
            e += org_expr
        if r.soft:
            s, step = _shortfall(prob, r)
            shortfall[r.name] = s
            e += step * s if r.sense == Sense.GE else -step * s
            target_terms.append((s, step * float(cast(float, r.about["weight"]))))
        sense = pulp.LpConstraintLE if r.sense == Sense.LE else pulp.LpConstraintGE
        prob.addConstraint(pulp.LpConstraint(e, sense, r.name, r.rhs), r.name)

    all_idx = np.arange(len(f))
    planned = f["planned"].to_numpy()
    levels = {
        "placements": pulp.LpAffineExpression([(y, 1.0) for _, (y, _n) in sorted(loads.items())]),
        "stability": float(len(ctx.planned))
        - _affine(x, np.flatnonzero(planned), np.ones(int(planned.sum()))),
        "targets": pulp.LpAffineExpression(target_terms),
        "priority": _affine(x, all_idx, f["priority"].to_numpy(float)),
        "preferences": _affine(x, all_idx, f["preference_points"].to_numpy(float)),
        "cost": _affine(x, all_idx, f["pair_eur"].to_numpy(float)) + org_expr,
    }
    prob.setObjective(levels[ctx.objective[0]] if ctx.objective else levels["placements"])
    return Model(ctx, f, x, prob, rows, levels, shortfall, org_support=org_split)


def _shortfall(prob: pulp.LpProblem, r: Row) -> tuple[pulp.LpVariable, float]:
    """The shortfall variable of a soft target row and its step in persons.

    When the row's coefficients and right-hand side are multiples of a step q (a share of
    0.25 gives q = 0.25; a count gives q = 1), every plan's shortfall is a multiple of q too,
    so the variable counts steps and is integer: the solver then knows the targets level takes
    values on a lattice and prunes by it (a binding budget: 27 s against 256 s)."""
    name = f"shortfall__{r.name.removeprefix('target__')}"
    step = lattice_step(np.append(r.coef, r.rhs))
    if step is None:
        return prob.add_variable(name, 0), 1.0
    return prob.add_variable(name, 0, None, pulp.LpInteger), step


def _offer_loads(
    f: pd.DataFrame, x: list[pulp.LpVariable], prob: pulp.LpProblem
) -> dict[str, tuple[pulp.LpVariable, int]]:
    """One load variable per offer, ``load_o = sum of its pairs`` (row ``load__<offer>``), so
    that rows counting whole offers (seats, host capacity, quotas) hold one term per offer
    instead of one per pair. Loads are integer (sums of binaries), so that the placements
    level is integral. Returns offer -> (variable, number of pairs)."""
    loads: dict[str, tuple[pulp.LpVariable, int]] = {}
    for oid, idx in sorted(f.groupby("offer_id").indices.items()) if len(f) else []:
        name = safe(oid)
        y = prob.add_variable(f"load__{name}", 0, len(idx), pulp.LpInteger)
        prob.addConstraint(
            pulp.LpConstraint(
                y - _affine(x, idx, np.ones(len(idx))), pulp.LpConstraintEQ, f"load__{name}", 0.0
            ),
            f"load__{name}",
        )
        loads[oid] = (y, len(idx))
    return loads


def _by_offer(
    r: Row, offer_of: np.ndarray, loads: dict[str, tuple[pulp.LpVariable, int]]
) -> pulp.LpAffineExpression | None:
    """The row as a sum of offer loads, when it counts every pair of each offer it touches
    once (unit coefficients); else None."""
    if r.soft or r.org_support or not len(r.idx) or not np.all(r.coef == 1.0):
        return None
    offers, counts = np.unique(offer_of[r.idx], return_counts=True)
    if any(loads[o][1] != c for o, c in zip(offers, counts, strict=True)):
        return None
    return pulp.LpAffineExpression([(loads[o][0], 1.0) for o in offers])


def _org_support(
    ctx: Context, f: pd.DataFrame, x: list[pulp.LpVariable], prob: pulp.LpProblem
) -> tuple[pulp.LpAffineExpression, list[OrgSupport]]:
    """Organisational support, modelled exactly: per activity with n placements,
    s1*min(n, T) + s2*max(n - T, 0) = s2*n + (s1 - s2)*m with m = min(n, T) made exact by a
    binary z (z = 0: m = n <= T; z = 1: m = T <= n). Returns the total and the splits."""
    t = ctx.case.org_support_threshold
    total = pulp.LpAffineExpression()
    splits: list[OrgSupport] = []
    groups = f.groupby("activity_id").indices if len(f) else {}
    for act, idx in sorted(groups.items()):
        s1 = float(ctx.case.activities.at[act, "org_support_eur"])
        s2 = float(ctx.case.activities.at[act, "org_support_after_eur"])
        n = _affine(x, idx, np.ones(len(idx)))
        upper = min(
            len(idx), int(ctx.quotas.at[act, "quota"]) + int(f["fixed"].to_numpy()[idx].sum())
        )
        if s1 == s2 or upper <= t or t == 0:
            total += (s1 if upper <= t and t > 0 else s2) * n
            continue
        a = safe(act)
        m = prob.add_variable(f"org_first__{a}", 0, t, pulp.LpInteger)
        z = prob.add_variable(f"org_past__{a}", 0, 1, pulp.LpBinary)
        prob.addConstraint(m - n <= 0, f"org_first_le_n__{a}")
        prob.addConstraint(m - t * z >= 0, f"org_first_ge_T__{a}")
        prob.addConstraint(m - n + upper * z >= 0, f"org_first_ge_n__{a}")
        total += s2 * n + (s1 - s2) * m
        splits.append(OrgSupport(act, m, z, idx, t))
    return total, splits
