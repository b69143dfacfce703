"""The selection audit of a plan (SPEC 8.3, 8.4): every swap of an unplaced applicant into the
seat of a placed participant that the hard rules allow, judged level by level.

A swap (r in, b out, offer o) changes one seat only: the offer, its dates, host and activity
stay, so seats, host capacity, quotas and the scope of every target are as before, and r
(unplaced) has no other placement to overlap. What it changes is computed for all swaps at
once, without a solve: the cost (r's pair cost minus b's; organisational support is per
activity and unchanged), the matching count of each target (r's match minus b's in its
scope), stability (whether b's or r's placement was planned before), priority and preference
points. A swap is *allowed* when the budget and every hard target still hold; it is
*blocking* when r also has a higher priority than b. Its ``kept_by`` is the first objective
level that it makes worse.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from intervet_plan.domain.context import Context, match_mask, scope_mask
from intervet_plan.inputs.scenario import Target

SWAP_COLUMNS = [
    "participant_id",
    "priority",
    "offer_id",
    "displaced_participant_id",
    "displaced_priority",
    "kept_by",
    "detail",
]
RESERVE_COLUMNS = [
    "offer_id",
    "participant_id",
    "rank",
    "reserve_participant_id",
    "reserve_priority",
]
RESERVES = 3
MAXIMISED = frozenset({"placements", "priority", "preferences"})
BUDGET_TOL = 1e-6  # EUR: sums of cents in floating point
TARGET_TOL = 1e-9  # persons
LEVEL_TOL = 1e-9
MATCH_ATTRS = ("gender", "fewer_opportunities", "country", "sector", "org_id")
CHUNK = 500_000  # swaps judged at a time (memory at scale 30)
_PAIR = ("participant_id", "offer_id")


@dataclass(frozen=True)
class _Bound:
    """One bound of a target in the plan: M matching of N in scope."""

    target: Target
    bound: str  # min or max
    value: float
    matching: int
    in_scope: int

    def short(self, m: np.ndarray | float) -> np.ndarray:
        """Shortfall in persons with ``m`` matching (SPEC 3.3)."""
        t = self.target
        limit = self.value * self.in_scope if t.kind == "share" else self.value
        gap = limit - m if self.bound == "min" else m - limit
        return np.maximum(0.0, gap)

    def words(self, m: int) -> str:
        """The target's value with ``m`` matching, as a planner reads it."""
        if self.target.kind == "share":
            return f"{100 * m / self.in_scope:.1f} %" if self.in_scope else "no share"
        return f"{m}"

    def limit_words(self) -> str:
        return f"{100 * self.value:.1f} %" if self.target.kind == "share" else f"{self.value:g}"


@dataclass
class Audit:
    """``swaps``: the blocking swaps (fairness.csv); ``reserves``: reserves.csv; ``best``: for
    each unplaced applicant with an allowed swap, the best one (SWAP_COLUMNS); ``blocked``: for
    each unplaced applicant with swaps but none allowed, the hard rule (``budget`` or a hard
    target's name) that forbids most of them; ``lowest``: for each unplaced applicant with an
    eligible offer, the lowest priority placed in such an offer; ``judged``: how many swaps
    were judged."""

    swaps: pd.DataFrame
    reserves: pd.DataFrame
    best: pd.DataFrame
    blocked: pd.Series
    lowest: pd.Series
    judged: int = 0


def audit(ctx: Context, pairs: pd.DataFrame, alloc: pd.DataFrame, targets: pd.DataFrame) -> Audit:
    """The audit of the plan ``alloc`` (an allocation table; ``targets`` its target table)
    given the model's candidate ``pairs`` (a placement frame with ``fixed`` and ``planned``
    columns)."""
    placed = alloc["participant_id"].unique()
    free = pairs[
        ~pairs["fixed"].to_numpy(bool)
        & ~pairs["participant_id"].isin(placed).to_numpy()
        & (pairs["max_mobilities"].to_numpy(float) >= 1)
    ]
    seats = alloc.loc[alloc["status"] == "planned", list(_PAIR)]
    held = pairs.merge(seats, on=list(_PAIR))
    judge = _Judge(ctx, alloc, targets)
    allowed, blocked, judged = [], [], 0
    for chunk in _chunks(free[free["offer_id"].isin(held["offer_id"])], held):
        swaps = chunk.merge(held, on="offer_id", suffixes=("", "_b"))
        judged += len(swaps)
        ok, why_not = judge(swaps)
        allowed.append(ok)
        blocked.append(why_not)
    table = pd.concat(allowed, ignore_index=True) if allowed else judge.empty()
    order = [f"key_{lv}" for lv in ctx.objective]
    table = table.sort_values(
        [*order, "participant_id", "offer_id", "displaced_participant_id"], kind="stable"
    )
    return Audit(
        swaps=_blocking(table, judge),
        reserves=_reserves(table),
        best=_best(table, judge),
        blocked=pd.concat(blocked) if blocked else pd.Series(dtype=object),
        lowest=_lowest_priority(free, alloc),
        judged=judged,
    )


def _chunks(free: pd.DataFrame, held: pd.DataFrame) -> Iterator[pd.DataFrame]:
    """``free`` in pieces of whole applicants with at most about CHUNK swaps each."""
    per_offer = held.groupby("offer_id").size()
    n = free["offer_id"].map(per_offer).to_numpy()
    by_person = pd.Series(n, index=free.index).groupby(free["participant_id"].to_numpy()).sum()
    block = (by_person.cumsum() // CHUNK).astype(int)
    piece = free["participant_id"].map(block)
    for _, part in free.groupby(piece.to_numpy(), sort=True):
        yield part


class _Judge:
    """Judges swaps against the plan: its cost, budget, target counts and level order."""

    def __init__(self, ctx: Context, alloc: pd.DataFrame, targets: pd.DataFrame) -> None:
        self.ctx = ctx
        self.headroom = float(ctx.budget_eur) - float(alloc["total_eur"].sum())
        tt = targets.set_index("name")
        self.bounds = [
            _Bound(
                t,
                b,
                float(getattr(t, b)),
                int(tt.at[t.name, "matching"]),
                int(tt.at[t.name, "in_scope"]),
            )
            for t in ctx.targets
            for b in ("min", "max")
            if getattr(t, b) is not None
        ]

    def empty(self) -> pd.DataFrame:
        cols = [*SWAP_COLUMNS[:5], "kept_by", "worst", "dm"]
        cols += [f"d_{lv}" for lv in self.ctx.objective] + [
            f"key_{lv}" for lv in self.ctx.objective
        ]
        return pd.DataFrame(columns=cols)

    def __call__(self, s: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
        """The allowed swaps of ``s`` (candidate pair columns, then the displaced placement's
        with suffix ``_b``) with their level changes, and for each applicant none of whose
        swaps is allowed the rule that forbids most of them."""
        ctx = self.ctx
        d_cost = s["pair_eur"].to_numpy(float) - s["pair_eur_b"].to_numpy(float)
        forbidden = np.where(d_cost > self.headroom + BUDGET_TOL, "budget", "")
        d_targets = np.zeros(len(s))
        worst = np.full(len(s), -1)
        worst_up = np.zeros(len(s))
        dms = []
        them = s[[f"{c}_b" for c in MATCH_ATTRS]].set_axis(list(MATCH_ATTRS), axis=1)
        for k, b in enumerate(self.bounds):
            t = b.target
            scope = scope_mask(ctx.case, t, s["activity_id"]).to_numpy(bool)
            dm = scope * (
                match_mask(s, t.match).to_numpy(int) - match_mask(them, t.match).to_numpy(int)
            )
            dms.append(dm)
            before = float(b.short(b.matching))
            after = b.short(b.matching + dm)
            if t.hard:
                broken = (after > TARGET_TOL) & (forbidden == "")
                forbidden = np.where(broken, t.name, forbidden)
                continue
            up = t.weight * (after - before)
            d_targets += up
            more = up > worst_up + LEVEL_TOL
            worst = np.where(more, k, worst)
            worst_up = np.where(more, up, worst_up)
        d = {
            "placements": np.zeros(len(s)),
            "stability": s["planned_b"].to_numpy(float) - s["planned"].to_numpy(float),
            "targets": d_targets,
            "priority": s["priority"].to_numpy(float) - s["priority_b"].to_numpy(float),
            "preferences": (
                s["preference_points"].to_numpy(float) - s["preference_points_b"].to_numpy(float)
            ),
            "cost": d_cost,
        }
        ok = forbidden == ""
        out = pd.DataFrame(
            {
                "participant_id": s["participant_id"].to_numpy(),
                "priority": s["priority"].to_numpy(),
                "offer_id": s["offer_id"].to_numpy(),
                "displaced_participant_id": s["participant_id_b"].to_numpy(),
                "displaced_priority": s["priority_b"].to_numpy(),
            }
        )
        kept_by = np.full(len(s), "none", dtype=object)
        for lv in reversed(ctx.objective):  # the first worse level wins
            worse = d[lv] < -LEVEL_TOL if lv in MAXIMISED else d[lv] > LEVEL_TOL
            kept_by = np.where(worse, lv, kept_by)
        out["kept_by"] = kept_by
        out["worst"] = worst
        picked = np.stack(dms)[np.maximum(worst, 0), np.arange(len(s))] if dms else 0
        out["dm"] = np.where(worst >= 0, picked, 0)
        for lv in ctx.objective:
            out[f"d_{lv}"] = d[lv]
            # rounded so that equal plans tie exactly (then ids decide)
            out[f"key_{lv}"] = np.round(-d[lv] if lv in MAXIMISED else d[lv], 6)
        people = s["participant_id"].to_numpy()
        some_ok = set(people[ok])
        counts = (
            pd.DataFrame({"p": people[~ok], "rule": forbidden[~ok]})
            .value_counts(sort=False)
            .reset_index(name="n")
            .sort_values(["p", "n", "rule"], ascending=[True, False, True], kind="stable")
        )
        counts = counts[~counts["p"].isin(some_ok)].drop_duplicates("p")
        return out[ok].reset_index(drop=True), counts.set_index("p")["rule"]

    def detail(self, r: pd.Series) -> str:
        """A swap's ``kept_by`` in words."""
        lv, b, a = r["kept_by"], r["displaced_participant_id"], r["participant_id"]
        d = r.get(f"d_{lv}", 0.0)
        if lv == "stability":
            return f"{b} keeps the placement the previous plan gave them in this offer"
        if lv == "targets":
            bound = self.bounds[int(r["worst"])]
            before, after = bound.matching, bound.matching + int(r["dm"])
            way = "fall" if after < before else "rise"
            further = " further" if float(bound.short(before)) > 0 else ""
            side = "below its minimum" if bound.bound == "min" else "above its maximum"
            return (
                f"{bound.target.name} would {way}{further} from {bound.words(before)} to "
                f"{bound.words(after)}, {side} of {bound.limit_words()}"
            )
        if lv == "priority":
            return f"the plan's priority total would fall by {number_text(-d)}"
        if lv == "preferences":
            return (
                f"preference points would fall by {number_text(-d)}: {b} ranked this host higher than "
                f"{a} did"
            )
        if lv == "cost":
            return f"the plan would cost EUR {d:,.2f} more"
        return "no objective level is worse"


def _blocking(table: pd.DataFrame, judge: _Judge) -> pd.DataFrame:
    """fairness.csv: the allowed swaps where the applicant has the higher priority."""
    t = table[table["priority"].astype(float) > table["displaced_priority"].astype(float)]
    t = t.sort_values(["participant_id", "offer_id", "displaced_participant_id"], kind="stable")
    t = t.assign(detail=[judge.detail(r) for _, r in t.iterrows()])
    return t[SWAP_COLUMNS].reset_index(drop=True)


def _reserves(table: pd.DataFrame) -> pd.DataFrame:
    """reserves.csv: for each placement, the best RESERVES applicants who could take it
    (``table`` is sorted best swap first)."""
    top = table.groupby(["offer_id", "displaced_participant_id"], sort=False).head(RESERVES)
    top = top.sort_values(["offer_id", "displaced_participant_id"], kind="stable")
    rank = top.groupby(["offer_id", "displaced_participant_id"]).cumcount() + 1
    return pd.DataFrame(
        {
            "offer_id": top["offer_id"].to_numpy(),
            "participant_id": top["displaced_participant_id"].to_numpy(),
            "rank": rank.to_numpy(int),
            "reserve_participant_id": top["participant_id"].to_numpy(),
            "reserve_priority": top["priority"].to_numpy(),
        },
        columns=RESERVE_COLUMNS,
    )


def _best(table: pd.DataFrame, judge: _Judge) -> pd.DataFrame:
    """Each applicant's best allowed swap (``table`` is sorted best swap first)."""
    best = table.groupby("participant_id", sort=True).head(1).sort_values("participant_id")
    best = best.assign(detail=[judge.detail(r) for _, r in best.iterrows()])
    return best[SWAP_COLUMNS].set_index("participant_id")


def _lowest_priority(free: pd.DataFrame, alloc: pd.DataFrame) -> pd.Series:
    """For each applicant of ``free``: the lowest priority placed in an offer of theirs."""
    low = alloc.groupby("offer_id")["priority"].min()
    mine = free["offer_id"].map(low)
    low = mine.groupby(free["participant_id"].to_numpy()).min().dropna()
    return low.rename("lowest_priority")


def number_text(v: object) -> str:
    """A number in words: ``7`` for 7.0, ``2.5``, never an exponent."""
    f = float(v)  # type: ignore[arg-type]
    return str(int(f)) if f.is_integer() else f"{f:.6f}".rstrip("0")


LEVEL_WORDS = {
    "placements": "the number of placements",
    "stability": "stability (people already told of their plan keep it)",
    "targets": "the targets",
    "priority": "priority",
    "preferences": "preferences",
    "cost": "cost",
}


def kept_out(audit: Audit, participant_id: str) -> str | None:
    """Why an unplaced applicant was not given the seat of someone placed, in words: by the
    first level that their best allowed swap makes worse, or by the hard rule that forbids
    their swaps; None when no placed participant's seat is open to a swap."""
    if participant_id in audit.best.index:
        r = audit.best.loc[participant_id]
        seat = (
            f"taking the seat of {r['displaced_participant_id']} (priority "
            f"{number_text(r['displaced_priority'])}) in {r['offer_id']}"
        )
        if r["kept_by"] == "none":
            return f"not kept out by any objective level: {seat} would make no level worse"
        return f"kept out by {LEVEL_WORDS[str(r['kept_by'])]}: {seat}, {r['detail']}"
    if participant_id in audit.blocked.index:
        rule = str(audit.blocked[participant_id])
        what = "the budget" if rule == "budget" else f"the hard target {rule}"
        return f"kept out by {what}: taking the seat of anyone placed would break it"
    return None
