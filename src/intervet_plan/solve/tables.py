"""Tidy result tables (SPEC 5): allocation, unplaced applicants with reasons, the plan's level
values, targets and costs. Everything is computed from the placements themselves, never read
back from solver variables, so the figures are exact whatever the solver's tolerances."""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd

from intervet_plan.domain.context import Context
from intervet_plan.domain.costs import org_support_rows
from intervet_plan.domain.eligibility import RULES, exclusion_counts
from intervet_plan.domain.replan import PLAN_KEY
from intervet_plan.model.rules import placement_frame, target_rows
from intervet_plan.solve.fairness import (
    RESERVE_COLUMNS,
    SWAP_COLUMNS,
    Audit,
    kept_out,
    number_text,
)

ALLOCATION_COLUMNS = [
    "participant_id",
    "activity_id",
    "org_id",
    "sending_country",
    "host_id",
    "host_country",
    "offer_id",
    "start_date",
    "end_date",
    "distance_km",
    "travel_eur",
    "subsistence_eur",
    "org_support_eur",
    "inclusion_eur",
    "extra_eur",
    "total_eur",
    "gender",
    "fewer_opportunities",
    "preference_rank",
    "status",
]
UNPLACED_COLUMNS = ["participant_id", "activities", "reason", "detail"]
COST_PARTS = ("travel", "subsistence", "org_support", "inclusion", "extra")
MONEY_COLUMNS = (*(f"{p}_eur" for p in COST_PARTS), "total_eur")


def allocation_table(ctx: Context, placed: pd.DataFrame) -> pd.DataFrame:
    """One row per placement, sorted by start_date, participant_id, offer_id. ``placed`` has
    participant_id and offer_id (and optionally ``fixed``)."""
    f = placement_frame(ctx, placed)
    held = ctx.fixed
    key = pd.MultiIndex.from_frame(f[["participant_id", "offer_id"]])
    status = np.full(len(f), "planned", dtype=object)
    if len(held):
        cut = pd.Series(
            held["cut"].notna().to_numpy(), index=pd.MultiIndex.from_frame(held[PLAN_KEY])
        )
        is_cut = cut.reindex(key)
        status[is_cut.notna().to_numpy()] = "fixed"
        status[is_cut.fillna(False).astype(bool).to_numpy()] = "interrupted"
    f["status"] = status
    f["org_support_eur"] = org_support_rows(ctx.case, f) if len(f) else 0.0
    f["total_eur"] = f[
        ["travel_eur", "subsistence_eur", "org_support_eur", "inclusion_eur", "extra_eur"]
    ].sum(axis=1)
    f["preference_rank"] = f["preference_rank"].astype("Int64").where(f["preference_rank"] > 0)
    f = f.sort_values(["start_date", "participant_id", "offer_id"]).reset_index(drop=True)
    return f[
        ALLOCATION_COLUMNS
        + [
            "priority",
            "preference_points",
            "participant_type",
            "direction",
            "country",
            "sector",
            "max_mobilities",
        ]
    ]


def level_values(ctx: Context, alloc: pd.DataFrame) -> dict[str, float]:
    """The plan's value on every objective level (SPEC 3.5), from the placements."""
    targets = target_table(ctx, alloc)
    planned = (
        set(map(tuple, ctx.planned[["participant_id", "offer_id"]].to_numpy()))
        if len(ctx.planned)
        else set()
    )
    kept = sum(
        1 for k in zip(alloc["participant_id"], alloc["offer_id"], strict=True) if k in planned
    )
    soft = targets.loc[~targets["hard"].astype(bool)]
    return {
        "placements": float(len(alloc)),
        "stability": float(len(planned) - kept),
        "targets": float((soft["weight"] * soft["shortfall"]).sum()),
        "priority": float(alloc["priority"].sum()),
        "preferences": float(alloc["preference_points"].sum()),
        "cost": float(alloc["total_eur"].sum()),
    }


def target_table(ctx: Context, alloc: pd.DataFrame) -> pd.DataFrame:
    """Each (expanded) target: bounds, achieved value (share or count), shortfall in persons
    (sum over its bounds), hard or soft, weight."""
    x = np.ones(len(alloc))
    short: dict[str, float] = {}
    for r in target_rows(ctx, alloc):
        name = cast(str, r.about["target"])  # target rows name their target
        short[name] = short.get(name, 0.0) + max(0.0, -r.slack(r.lhs(x)))
    rows = []
    for t in ctx.targets:
        from intervet_plan.domain.context import match_mask, scope_mask

        in_scope = (
            scope_mask(ctx.case, t, alloc["activity_id"]) if len(alloc) else pd.Series(dtype=bool)
        )
        n = int(in_scope.sum())
        m = int((match_mask(alloc, t.match) & in_scope).sum()) if n else 0
        achieved = (m / n if n else None) if t.kind == "share" else float(m)
        rows.append(
            {
                "name": t.name,
                "kind": t.kind,
                "min": t.min,
                "max": t.max,
                "achieved": achieved,
                "matching": m,
                "in_scope": n,
                "shortfall": round(short.get(t.name, 0.0), 9),
                "hard": t.hard,
                "weight": t.weight,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "name",
            "kind",
            "min",
            "max",
            "achieved",
            "matching",
            "in_scope",
            "shortfall",
            "hard",
            "weight",
        ],
    )


def cost_summary(ctx: Context, alloc: pd.DataFrame) -> dict[str, float]:
    out = {k: float(alloc[f"{k}_eur"].sum()) for k in COST_PARTS}
    out["total"] = float(alloc["total_eur"].sum())
    out["budget"] = float(ctx.budget_eur)
    return out


def unplaced_table(
    ctx: Context, pairs: pd.DataFrame, alloc: pd.DataFrame, audit: Audit | None = None
) -> pd.DataFrame:
    """Every applicant with no placement and why (SPEC 5): ``no_eligible_offer`` (with the
    count of offers each eligibility rule excluded), ``withdrawn`` (listed in the scenario's
    ``withdrawn``), ``capacity`` (every eligible offer is full
    or its host is at max_concurrent on a day of it) or ``not_selected``. The detail of a
    ``not_selected`` applicant starts with the rule that kept them out (from the ``audit`` of
    the plan's swaps, SPEC 8.3), then their priority and the lowest priority placed in an offer
    they were eligible for, then why they could not simply be added."""
    parts = ctx.case.participants
    placed = set(alloc["participant_id"])
    ids = [p for p in parts.index if p not in placed]
    elig = pairs[~pairs["fixed"]] if "fixed" in pairs else pairs
    mine = elig[elig["participant_id"].isin(ids)]
    n_eligible = mine.groupby("participant_id").size().to_dict()
    none = [p for p in ids if p not in n_eligible]
    counts = exclusion_counts(ctx.case, ctx.window, none).to_dict("index")
    room = mine[~mine["offer_id"].isin(_full_offers(ctx, alloc))]
    n_room = room.groupby("participant_id").size().to_dict()
    cheapest = room.groupby("participant_id")["pair_eur"].min().to_dict()
    by_act = alloc.groupby("activity_id").size()
    quota = ctx.quotas["quota"]
    reached = {
        a: f"quota of {a} reached ({by_act.get(a, 0)} of {q})"
        for a, q in quota.items()
        if by_act.get(a, 0) >= q
    }
    at_quota = (
        room.loc[room["activity_id"].isin(list(reached)), ["participant_id", "activity_id"]]
        .drop_duplicates()
        .sort_values(["participant_id", "activity_id"])
    )
    quota_why = (
        at_quota["activity_id"].map(reached).groupby(at_quota["participant_id"]).agg(list).to_dict()
    )
    spent = float(alloc["total_eur"].sum())
    rows = []
    for p in ids:
        acts = ";".join(parts.at[p, "activities"])
        if p in ctx.window.withdrawn:
            rows.append((p, acts, "withdrawn", "listed as withdrawn in the scenario"))
            continue
        if p in counts:
            c = counts[p]
            detail = "; ".join(f"{r}: {int(c[r])}" for r in RULES if c[r]) or "no offers"
            rows.append((p, acts, "no_eligible_offer", detail))
            continue
        if p not in n_room:
            rows.append(
                (
                    p,
                    acts,
                    "capacity",
                    f"{'the only' if n_eligible[p] == 1 else f'all {n_eligible[p]}'} "
                    f"{_offers(n_eligible[p], count=False)} "
                    f"{'is' if n_eligible[p] == 1 else 'are'} full or at their host's limit "
                    "of participants at a time",
                )
            )
            continue
        why = list(quota_why.get(p, []))
        if spent + cheapest[p] > ctx.budget_eur:
            why.append(
                f"budget: EUR {ctx.budget_eur - spent:,.2f} left, the cheapest eligible "
                f"placement costs EUR {cheapest[p]:,.2f} before organisational support"
            )
        room_words = f"{_offers(n_room[p])} had room"
        if audit is None:
            if not why:
                why.append("targets, priority or preferences favoured other applicants")
            rows.append((p, acts, "not_selected", "; ".join([room_words, *why])))
            continue
        first = kept_out(audit, p)
        rank = f"priority {number_text(parts.at[p, 'priority'])}"
        if p in audit.lowest.index:
            low = number_text(audit.lowest[p])
            rank += f", lowest priority placed in an offer they were eligible for {low}"
        said = [first] if first else []
        said += [rank, room_words + (", but " + "; ".join(why) if why else "")]
        rows.append((p, acts, "not_selected", "; ".join(said)))
    return (
        pd.DataFrame(rows, columns=UNPLACED_COLUMNS)
        .sort_values("participant_id")
        .reset_index(drop=True)
    )


def _offers(n: int, count: bool = True) -> str:
    """'1 eligible offer', '5 eligible offers' (without the number: ``count=False``)."""
    words = "eligible offer" if n == 1 else "eligible offers"
    return f"{n} {words}" if count else words


def fairness_csv(swaps: pd.DataFrame) -> str:
    """fairness.csv (SPEC 8.3): the blocking swaps, priorities as written in the case."""
    return _numbers_csv(swaps[SWAP_COLUMNS], ("priority", "displaced_priority"))


def reserves_csv(reserves: pd.DataFrame) -> str:
    """reserves.csv (SPEC 8.4)."""
    return _numbers_csv(reserves[RESERVE_COLUMNS], ("reserve_priority",))


def _numbers_csv(df: pd.DataFrame, numbers: tuple[str, ...]) -> str:
    out = df.copy()
    for c in numbers:
        out[c] = [number_text(v) for v in out[c]]
    return str(out.to_csv(index=False, lineterminator="\n"))


def _full_offers(ctx: Context, alloc: pd.DataFrame) -> set[str]:
    """Offers with no room in a plan: every seat taken, or the host at max_concurrent on
    some day of the offer."""
    offers = ctx.case.offers
    taken = alloc.groupby("offer_id").size().reindex(offers.index, fill_value=0)
    full = set(offers.index[taken.to_numpy() >= offers["seats"].to_numpy()])
    cap = ctx.case.host_capacity
    for host, limit in cap.items():
        mine = offers[offers["host_id"] == host]
        here = alloc[alloc["host_id"] == host]
        if mine.empty:
            continue
        s, e = here["start_date"].to_numpy(), here["end_date"].to_numpy()
        days = np.union1d(mine["start_date"].to_numpy(), s)
        load = np.array([((s <= d) & (d <= e)).sum() for d in days])
        at_cap = days[load >= limit]
        for oid, o in mine.iterrows():
            if (
                (at_cap >= o["start_date"].to_datetime64())
                & (at_cap <= o["end_date"].to_datetime64())
            ).any():
                full.add(oid)
    return full


def allocation_csv(alloc: pd.DataFrame) -> str:
    """allocation.csv text: money to cents, distance to metres, ISO dates, true/false."""
    out = alloc[ALLOCATION_COLUMNS].copy()
    for c in ("start_date", "end_date"):
        out[c] = pd.to_datetime(out[c]).dt.strftime("%Y-%m-%d")
    for c in MONEY_COLUMNS:
        out[c] = out[c].map(lambda v: f"{v:.2f}")
    out["distance_km"] = out["distance_km"].map(lambda v: f"{v:.3f}")
    out["fewer_opportunities"] = out["fewer_opportunities"].map(lambda b: "true" if b else "false")
    out["preference_rank"] = out["preference_rank"].map(lambda v: "" if pd.isna(v) else str(int(v)))
    return out.to_csv(index=False, lineterminator="\n")
