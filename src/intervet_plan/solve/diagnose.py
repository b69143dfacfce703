"""Why a scenario is infeasible: the smallest relaxation of the relaxable hard constraints
(quota minimums, hard targets, budget, fixed placements) by an elastic re-solve, and a
capacity analysis (networkx max-flow / min-cut over applicants -> offers) that names the
bottleneck of each quota minimum that cannot be reached.

The diagnosis runs on HiGHS whichever solver the scenario chose."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd

from intervet_plan.model.build import Model
from intervet_plan.model.rules import Row, Sense
from intervet_plan.solve.alternatives import alternatives, lead_sentence
from intervet_plan.solve.arrays import to_arrays
from intervet_plan.solve.highs_model import load_into, new_highs

# the rules whose rows the elastic re-solve may relax, and the kind each conflict reports
RELAXABLE = {"quota_min": "quota_min", "budget": "budget", "target": "hard_target"}


def diagnose(model: Model) -> dict:
    """A JSON-ready diagnosis: ``lead`` (the alternatives in plain words), ``alternatives``
    (each family relaxed alone, SPEC 8.1), ``conflicts`` (constraint, kind, amount, unit,
    sentence: the smallest joint relaxation) and ``capacity`` (per activity with a quota minimum: the most placements the seats and
    eligibility allow, and the bottleneck)."""
    capacity = capacity_analysis(model)
    conflicts = elastic(model, capacity)
    alts = alternatives(model)
    lines = [c["sentence"] for c in conflicts]
    if not conflicts:
        lines = [
            "the hard constraints conflict, but relaxing quota minimums, hard targets, "
            "the budget and fixed placements does not resolve it; check custom constraints"
        ]
    return {
        "status": "infeasible",
        "lead": lead_sentence(alts),
        "alternatives": alts,
        "conflicts": conflicts,
        "capacity": capacity,
        "summary": lines,
    }


def elastic(model: Model, capacity: list[dict] | None = None) -> list[dict]:
    """Minimise the weighted violation of the relaxable rows; one entry per relaxed row."""
    import highspy

    arr = to_arrays(model)
    names = arr.row_names
    pairs = model.pairs
    person_eur = max(float(pairs["pair_eur"].median()) if len(pairs) else 1.0, 1.0)
    h = new_highs(threads=1)
    # Proven to the placement: the default relative gap (1e-4) lets a shortfall of 1e8
    # stop thousands of placements early.
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 1e-6)
    n = arr.n
    lower = arr.lower.copy()
    fixed = [i for i in range(len(model.pairs)) if lower[i] >= 1]
    lower[fixed] = 0.0
    load_into(h, arr, lower)
    # (constraint name, kind, weight, column, the rule's row or the fixed pair)
    slacks: list[tuple[str, str, float, int, Row | tuple[str, str]]] = []
    col = n
    soft = set(model.shortfall)
    for r, name in enumerate(names):
        row = model.row_of.get(name)
        if row is None or row.rule not in RELAXABLE or name in soft:
            continue
        kind = RELAXABLE[row.rule]
        ge = math.isfinite(arr.rows.lower[r]) and not math.isfinite(arr.rows.upper[r])
        weight = 1.0 / person_eur if kind == "budget" else 1.0
        h.addCol(weight, 0.0, math.inf, 1, np.array([r], np.int32), np.array([1.0 if ge else -1.0]))
        slacks.append((name, kind, weight, col, row))
        col += 1
    for i in fixed:
        h.addRow(1.0, math.inf, 2, np.array([i, col], np.int32), np.array([1.0, 1.0]))
        h.addCol(1.0, 0.0, math.inf, 0, np.array([], np.int32), np.array([], float))
        p, o = pairs.at[i, "participant_id"], pairs.at[i, "offer_id"]
        slacks.append((f"fixed__{p}__{o}", "fixed", 1.0, col, (p, o)))
        col += 1
    c = np.zeros(col)
    for _, _, w, j, _ in slacks:
        c[j] = w
    h.changeColsCost(col, np.arange(col, dtype=np.int32), c)
    h.changeObjectiveSense(highspy.ObjSense.kMinimize)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return []
    values = np.array(h.getSolution().col_value)
    by_activity = {c["activity_id"]: c for c in capacity or []}
    out = []
    for name, kind, _, j, about in slacks:
        amount = float(values[j])
        if amount <= 1e-6:
            continue
        out.append(_conflict(model, name, kind, about, amount, by_activity))
    return out


def _conflict(
    model: Model,
    name: str,
    kind: str,
    about: Row | tuple[str, str],
    amount: float,
    capacity: dict[str, dict],
) -> dict:
    """One relaxed row: ``about`` is its rule's row (ids in ``about.about``), or the
    (participant_id, offer_id) of a fixed placement."""
    ctx = model.ctx
    entry: dict[str, object] = {"constraint": name, "kind": kind}
    if isinstance(about, tuple):
        p, o = about
        entry.update(
            amount=1,
            unit="placement",
            sentence=f"fixed placement {p} in {o} cannot be kept with the other hard constraints",
        )
    elif kind == "quota_min":
        act = str(about.about["activity_id"])
        short = int(math.ceil(amount - 1e-6))
        qmin = int(ctx.quotas.at[act, "quota_min"])
        cap = capacity.get(act)
        if cap and cap["short"] >= short:
            why = str(cap["bottleneck"])
        elif cap and cap["short"] > 0:
            why = (
                f"{cap['bottleneck']}; the other hard constraints (budget, targets, fixed "
                f"placements) leave room for only {qmin - short} together with them"
            )
        elif cap:
            why = (
                f"capacity allows {cap['max_placements']}, but the other hard constraints "
                f"(budget, targets, fixed placements) leave room for only {qmin - short} "
                "together with them"
            )
        else:
            why = "the other hard constraints leave no room"
        entry.update(
            activity_id=act,
            amount=short,
            unit="placements",
            required=qmin,
            sentence=f"quota_min of {act} short by {short}: {why}",
        )
    elif kind == "budget":
        entry.update(
            amount=round(amount, 2),
            unit="EUR",
            budget_eur=ctx.budget_eur,
            sentence=f"budget short by EUR {amount:,.2f}: the other hard constraints "
            f"need EUR {ctx.budget_eur + amount:,.2f} (budget "
            f"EUR {ctx.budget_eur:,.2f})",
        )
    else:  # a hard target
        shown, bound, value = (about.about[k] for k in ("target", "bound", "value"))
        entry.update(
            target=shown,
            bound=bound,
            amount=round(amount, 6),
            unit="persons",
            sentence=f"hard target {shown} ({bound} {value}) short by {amount:.2f} "
            "persons given the other hard constraints",
        )
    return entry


def capacity_analysis(model: Model) -> list[dict]:
    """For each activity with a quota minimum: the maximum number of placements that
    eligibility, seats and max_mobilities allow (max-flow source -> applicant -> offer ->
    sink), and the bottleneck named from the minimum cut."""
    ctx, pairs = model.ctx, model.pairs
    offers, parts = ctx.case.offers, ctx.case.participants
    out = []
    for act, q in ctx.quotas.iterrows():
        qmin = int(q["quota_min"])
        if qmin <= 0:
            continue
        mine = pairs[pairs["activity_id"] == act]
        g = nx.DiGraph()
        g.add_node("S")
        g.add_node("T")
        for p in mine["participant_id"].unique():
            g.add_edge("S", ("p", p), capacity=int(parts.at[p, "max_mobilities"]))
        for p, o in zip(mine["participant_id"], mine["offer_id"], strict=True):
            g.add_edge(("p", p), ("o", o), capacity=1)
        for o in mine["offer_id"].unique():
            g.add_edge(("o", o), "T", capacity=int(offers.at[o, "seats"]))
        flow, (reach, _) = nx.minimum_cut(g, "S", "T") if len(mine) else (0, ({"S"}, set()))
        flow = int(min(flow, q["quota"]))
        # Host capacity (max_concurrent over time) is not a flow: the most placements that
        # seats, host capacity, max_mobilities and overlaps allow together is a small MIP.
        most, hosts = _most_placements(model, act) if flow else (0, [])
        most = min(most, flow)
        seat_cut = [o for o in mine["offer_id"].unique() if ("o", o) in reach]
        people_cut = [p for p in mine["participant_id"].unique() if ("p", p) not in reach]
        used = offers.loc[mine["offer_id"].unique()] if len(mine) else offers.iloc[:0]
        seats = int(used["seats"].sum())
        entry = {
            "activity_id": act,
            "quota_min": qmin,
            "max_placements": most,
            "eligible_applicants": int(mine["participant_id"].nunique()),
            "eligible_seats": seats,
            "short": max(qmin - most, 0),
        }
        if len(used):
            first = pd.Timestamp(used["start_date"].min()).strftime("%Y-%m")
            last = pd.Timestamp(used["end_date"].max()).strftime("%Y-%m")
            period = f"between {first} and {last}"
        else:
            period = "in the project window"
        if not len(mine):
            why = "no applicant is eligible for any of its offers"
        elif most < flow:
            why = (
                f"its eligible seats could take {flow}, but host capacity allows only "
                f"{most} {period} (hosts at max_concurrent: " + ", ".join(hosts) + ")"
            )
        elif len(seat_cut) >= len(people_cut):
            cut = offers.loc[seat_cut]
            secs = _top_sectors(mine[mine["offer_id"].isin(seat_cut)]["participant_id"], parts)
            why = (
                f"only {int(cut['seats'].sum()) if len(cut) else seats} eligible seats "
                f"{period}" + (f" (applicants' sectors {secs})" if secs else "")
            )
        else:
            secs = _top_sectors(pd.Series(people_cut), parts)
            why = f"only {len(mine['participant_id'].unique())} eligible applicants {period}" + (
                f" (sectors {secs})" if secs else ""
            )
        # a bottleneck only where capacity alone cannot meet the minimum
        entry["bottleneck"] = why if entry["short"] else f"none: capacity allows {most}"
        out.append(entry)
    return out


CAPACITY_RULES = frozenset({"max_mobilities", "overlap", "seats", "host_capacity"})


def _most_placements(model: Model, act: str) -> tuple[int, list[str]]:
    """The most placements of activity ``act`` that seats, host capacity, max_mobilities and
    the no-overlap rule allow together (every other activity left empty, fixed placements
    free), proven by HiGHS; with the hosts whose max_concurrent is reached in that plan."""
    import highspy

    pairs = model.pairs
    mine = (pairs["activity_id"] == act).to_numpy()
    n = len(pairs)
    h = new_highs(threads=1)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.addVars(n, np.zeros(n), mine.astype(float))
    h.changeColsIntegrality(
        n, np.arange(n, dtype=np.int32), np.full(n, highspy.HighsVarType.kInteger.value, np.uint8)
    )
    h.changeColsCost(n, np.arange(n, dtype=np.int32), -mine.astype(float))
    kept = [r for r in model.rows if r.rule in CAPACITY_RULES and mine[r.idx].any()]
    for r in kept:
        lo, hi = (-math.inf, r.rhs) if r.sense == Sense.LE else (r.rhs, math.inf)
        h.addRow(lo, hi, len(r.idx), r.idx.astype(np.int32), r.coef.astype(float))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return int(mine.sum()), []
    x = np.round(np.array(h.getSolution().col_value[:n]))
    full = sorted(
        {
            str(r.about["host_id"])
            for r in kept
            if r.rule == "host_capacity" and r.lhs(x) >= r.rhs - 1e-6
        }
    )
    return int(round(-h.getInfo().objective_function_value)), full


def _top_sectors(pids: pd.Series, parts: pd.DataFrame) -> str:
    if not len(pids):
        return ""
    counts = parts.loc[pd.Index(pids).unique(), "sector"].value_counts().head(3)
    return ", ".join(f"{s} {n}" for s, n in counts.items())
