"""The hard rules of SPEC 3.2 and the target rows of SPEC 3.3, each written once.

A rule is a generator of :class:`Row` objects: a linear form over placements (positions in a
frame of pairs, each with a coefficient), a sense and a right-hand side. ``build.py`` turns
each row into a named PuLP constraint over the pair variables; ``solve/check.py`` evaluates the
very same rows on a given allocation (every pair of it placed once), so the model and the
checker cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np
import pandas as pd

from intervet_plan.domain import costs
from intervet_plan.domain.context import Context, match_mask, scope_mask
from intervet_plan.domain.costs import add_pair_costs
from intervet_plan.domain.replan import PLAN_KEY


class Sense(IntEnum):
    """The sense of a row; the values are those of pulp.LpConstraintLE / LpConstraintGE."""

    LE = -1
    GE = 1


@dataclass(frozen=True)
class Row:
    """``sum(coef * x[idx]) (<= or >=) rhs``; ``org_support``: the budget row, to which the
    organisational support of the plan is added."""

    rule: str
    name: str
    idx: np.ndarray
    coef: np.ndarray
    sense: Sense
    rhs: float
    about: dict[str, object] = field(default_factory=dict)
    org_support: bool = False
    soft: bool = False  # a soft target: a shortfall variable absorbs the difference

    def lhs(self, x: np.ndarray) -> float:
        return float(np.dot(self.coef, x[self.idx]))

    def slack(self, lhs: float) -> float:
        """How far ``lhs`` is inside the bound (negative: violated by that amount)."""
        return self.rhs - lhs if self.sense == Sense.LE else lhs - self.rhs

    def redundant(self) -> bool:
        """True when no 0/1 choice of the pairs can break it (the model may leave it out)."""
        if self.org_support or self.soft:
            return False
        if self.sense == Sense.LE:
            return float(self.coef[self.coef > 0].sum()) <= self.rhs
        return float(self.coef[self.coef < 0].sum()) >= self.rhs


def safe(s: object) -> str:
    """An id made safe for a constraint or variable name, injectively: letters and digits
    stay, and so does a ``_`` or ``.`` between two of them (``RS_BEL``, ``O.2`` and ``O_2``
    read as they are); any other character becomes ``._<hex code>_.`` (``L1-0`` gives
    ``L1._2d_.0``). No name made this way holds ``__`` or starts or ends with ``_``, so
    names joined with ``__`` (``seats__O.2``, ``x__P1__O_2``) are unique too.

    >>> [safe(s) for s in ("RS_BEL", "O.2", "O_2", "L1-0", "a__b", "fo[true]")]
    ['RS_BEL', 'O.2', 'O_2', 'L1._2d_.0', 'a._5f_.._5f_.b', 'fo._5b_.true._5d_.']
    """
    text = str(s)
    if _PLAIN.fullmatch(text):
        return text
    out = []
    for i, ch in enumerate(text):
        if ch.isascii() and ch.isalnum():
            out.append(ch)
        elif ch in "_." and 0 < i < len(text) - 1 and _plain(text[i - 1]) and _plain(text[i + 1]):
            out.append(ch)
        else:
            out.append(f"._{ord(ch):x}_.")
    return "".join(out)


_PLAIN = re.compile(r"[A-Za-z0-9]+(?:[_.][A-Za-z0-9]+)*")  # ids that stay as they are


def _plain(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def safe_series(s: pd.Series) -> pd.Series:
    """:func:`safe` for a whole column (each distinct value encoded once)."""
    codes, uniques = pd.factorize(s.astype(str))
    encoded = np.array([safe(v) for v in uniques], dtype=object)
    return pd.Series(encoded[codes] if len(codes) else [], index=s.index, dtype=object)


def placement_frame(ctx: Context, pairs: pd.DataFrame) -> pd.DataFrame:
    """Pairs (participant_id, offer_id) with everything rules, targets, objective levels and
    outputs need: host, dates, activity attributes, participant attributes, preference points
    and per-placement costs (SPEC 3.4, without organisational support)."""
    case = ctx.case
    f = pairs[["participant_id", "offer_id"]].reset_index(drop=True)
    o = case.offers.loc[f["offer_id"]]
    p = case.participants.loc[f["participant_id"]]
    for c in (
        "host_id",
        "activity_id",
        "start_date",
        "end_date",
        "host_country",
        "participant_type",
        "direction",
    ):
        f[c] = o[c].to_numpy()
    for c, src in (
        ("org_id", "org_id"),
        ("sending_country", "country"),
        ("country", "country"),
        ("gender", "gender"),
        ("fewer_opportunities", "fewer_opportunities"),
        ("sector", "sector"),
        ("priority", "priority"),
        ("max_mobilities", "max_mobilities"),
    ):
        f[c] = p[src].to_numpy()
    f["preference_rank"], f["preference_points"] = preference_rank(ctx, f)
    cuts = interrupted_ends(ctx, f)
    if cuts is None:
        return add_pair_costs(case, f)
    f["end_date"] = cuts.where(cuts.notna(), f["end_date"])
    return add_pair_costs(case, f, cuts)


def interrupted_ends(ctx: Context, f: pd.DataFrame) -> pd.Series | None:
    """Per pair of ``f``: the last day of an interrupted placement (SPEC 7), NaT for any
    other pair; None when the re-plan has no interrupted placement."""
    cut = ctx.interrupted
    if cut.empty or f.empty:
        return None
    by_key = pd.Series(
        pd.to_datetime(cut["cut"]).to_numpy(), index=pd.MultiIndex.from_frame(cut[PLAN_KEY])
    )
    key = pd.MultiIndex.from_frame(f[PLAN_KEY])
    return pd.Series(by_key.reindex(key).to_numpy(), index=f.index)


def preference_rank(ctx: Context, f: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Rank (1 = most preferred; 0 = not listed) of each pair's host among the participant's
    preferences, and the points K + 1 - rank (0 when not listed)."""
    prefs = ctx.case.participants["preferences"]
    listed = prefs[prefs.map(len) > 0]
    if listed.empty or f.empty:
        return np.zeros(len(f), int), np.zeros(len(f), int)
    ranks = pd.DataFrame(
        {
            "participant_id": np.repeat(listed.index.to_numpy(), listed.map(len).to_numpy()),
            "host_id": np.concatenate([list(x) for x in listed]),
            "rank": np.concatenate([np.arange(1, len(x) + 1) for x in listed]),
            "k": np.repeat(listed.map(len).to_numpy(), listed.map(len).to_numpy()),
        }
    )
    m = f[["participant_id", "host_id"]].merge(ranks, how="left", on=["participant_id", "host_id"])
    rank = m["rank"].fillna(0).to_numpy(int)
    points = np.where(rank > 0, m["k"].fillna(0).to_numpy(int) + 1 - rank, 0)
    return rank, points


def _groups(f: pd.DataFrame, col: str | list[str]) -> dict[object, np.ndarray]:
    return f.groupby(col, sort=True).indices if len(f) else {}


def _present_at_starts(
    idx: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> Iterator[tuple[np.datetime64, np.ndarray]]:
    """For each distinct start date t among the pairs ``idx``: the pairs whose dates contain
    t (inclusive), skipping a set equal to the previous one. Presence in a set of date
    ranges only rises at a start, so these are the days worth checking."""
    s, e = starts[idx], ends[idx]
    last: tuple[int, ...] = ()
    for t in np.unique(s):
        members = idx[(s <= t) & (t <= e)]
        if tuple(members) != last:
            last = tuple(members)
            yield t, members


def _ones(idx: np.ndarray) -> np.ndarray:
    return np.ones(len(idx), float)


# ----------------------------------------------------------------------- hard rules


def max_mobilities(ctx: Context, f: pd.DataFrame) -> Iterator[Row]:
    cap = ctx.case.participants["max_mobilities"]
    for pid, idx in _groups(f, "participant_id").items():
        yield Row(
            "max_mobilities",
            f"participant__{safe(pid)}",
            idx,
            _ones(idx),
            Sense.LE,
            float(cap.at[pid]),
            {"participant_id": pid},
        )


def no_overlap(ctx: Context, f: pd.DataFrame) -> Iterator[Row]:
    """No two placements of one person overlap (date ranges sharing a day overlap). For
    intervals it suffices to check at each start date. A person with max_mobilities 1 needs
    no such row: the max_mobilities row already allows a single placement."""
    starts, ends = f["start_date"].to_numpy(), f["end_date"].to_numpy()
    cap = ctx.case.participants["max_mobilities"]
    for pid, idx in _groups(f, "participant_id").items():
        if len(idx) < 2 or cap.at[pid] < 2:
            continue
        for t, members in _present_at_starts(idx, starts, ends):
            if len(members) < 2:
                continue
            day = pd.Timestamp(t).strftime("%Y%m%d")
            yield Row(
                "overlap",
                f"overlap__{safe(pid)}__{day}",
                members,
                _ones(members),
                Sense.LE,
                1.0,
                {"participant_id": pid, "date": pd.Timestamp(t).date()},
            )


def seats(ctx: Context, f: pd.DataFrame) -> Iterator[Row]:
    s = ctx.case.offers["seats"]
    for oid, idx in _groups(f, "offer_id").items():
        yield Row(
            "seats",
            f"seats__{safe(oid)}",
            idx,
            _ones(idx),
            Sense.LE,
            float(s.at[oid]),
            {"offer_id": oid},
        )


def host_capacity(ctx: Context, f: pd.DataFrame) -> Iterator[Row]:
    """At no date more participants at a host than max_concurrent: checked at each start date
    of the host's offers (presence only rises at a start)."""
    cap = ctx.case.host_capacity
    if cap.empty or f.empty:
        return
    starts, ends = f["start_date"].to_numpy(), f["end_date"].to_numpy()
    for host, idx in _groups(f, "host_id").items():
        if host not in cap.index:
            continue
        for t, members in _present_at_starts(idx, starts, ends):
            day = pd.Timestamp(t).strftime("%Y%m%d")
            yield Row(
                "host_capacity",
                f"host_capacity__{safe(host)}__{day}",
                members,
                _ones(members),
                Sense.LE,
                float(cap.at[host]),
                {"host_id": host, "date": pd.Timestamp(t).date()},
            )


def quotas(ctx: Context, f: pd.DataFrame) -> Iterator[Row]:
    groups = _groups(f, "activity_id")
    empty = np.array([], int)
    for act, q in ctx.quotas.iterrows():
        idx = groups.get(act, empty)
        yield Row(
            "quota",
            f"quota__{safe(act)}",
            idx,
            _ones(idx),
            Sense.LE,
            float(q["quota"]),
            {"activity_id": act},
        )
        if q["quota_min"] > 0:
            yield Row(
                "quota_min",
                f"quota_min__{safe(act)}",
                idx,
                _ones(idx),
                Sense.GE,
                float(q["quota_min"]),
                {"activity_id": act},
            )


def budget(ctx: Context, f: pd.DataFrame) -> Iterator[Row]:
    idx = np.arange(len(f))
    yield Row(
        "budget",
        "budget",
        idx,
        f["pair_eur"].to_numpy(float),
        Sense.LE,
        float(ctx.budget_eur),
        {"budget_eur": ctx.budget_eur},
        org_support=True,
    )


def target_rows(ctx: Context, f: pd.DataFrame) -> Iterator[Row]:
    """One row per bound of each target (SPEC 3.3). For a share s: M - s*N (>= 0 for min,
    <= 0 for max); for a count c: M (>= c or <= c). Soft rows get a shortfall variable."""
    if f.empty and not ctx.targets:
        return
    for t in ctx.targets:
        in_scope = scope_mask(ctx.case, t, f["activity_id"]).to_numpy()
        match = match_mask(f, t.match).to_numpy() & in_scope
        idx = np.flatnonzero(in_scope)
        m = match[idx].astype(float)
        for bound, sense in (("min", Sense.GE), ("max", Sense.LE)):
            s = getattr(t, bound)
            if s is None:
                continue
            if t.kind == "share":
                coef, rhs = m - s, 0.0
            else:
                coef, rhs = m, float(s)
            yield Row(
                "target",
                f"target__{safe(t.name)}__{bound}",
                idx,
                coef,
                sense,
                rhs,
                {"target": t.name, "bound": bound, "value": s, "weight": t.weight},
                soft=not t.hard,
            )


HARD_RULES: tuple[Callable[[Context, pd.DataFrame], Iterator[Row]], ...] = (
    max_mobilities,
    no_overlap,
    seats,
    host_capacity,
    quotas,
    budget,
)


def all_rows(ctx: Context, f: pd.DataFrame) -> Iterator[Row]:
    """Every hard rule's rows, then every target row."""
    for rule in HARD_RULES:
        yield from rule(ctx, f)
    yield from target_rows(ctx, f)


def org_support_total(ctx: Context, counts: pd.Series) -> float:
    """Organisational support of a plan with ``counts`` placements per activity."""
    acts = ctx.case.activities
    n = counts.reindex(acts.index, fill_value=0)
    return sum(
        costs.org_support_total(int(k), s1, s2, ctx.case.org_support_threshold)
        for k, s1, s2 in zip(n, acts["org_support_eur"], acts["org_support_after_eur"], strict=True)
    )
