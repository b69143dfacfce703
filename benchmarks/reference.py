"""The straightforward PuLP formulation an analyst would write by hand (the reference the
benchmark compares against): nested loops over applicants and offers with eligibility
checks, ``lpSum`` constraints, and PuLP's ``sequentialSolve`` over the objective levels with
the same solver (HiGHS through PuLP). Written from SPEC 3 without the package's model code;
it reads the validated Case only to avoid re-parsing the tables.
"""

from __future__ import annotations

import math
import time

import pandas as pd
import pulp


def haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def reference_solve(case, targets: list[dict], budget_eur: float | None = None) -> dict:
    """Solve the baseline levels (placements, targets, priority, preferences, cost) the
    straightforward way, under the case's budget or ``budget_eur``; returns level values and
    timings. Targets are min and max shares, of one attribute value (``share_of``) or of each
    value present (``for_each``), among a participant type or all placements."""
    t0 = time.perf_counter()
    orgs, acts = case.organisations, case.activities
    parts, offers = case.participants, case.offers
    bands = case.travel_bands

    def band(d: float) -> float:
        for _, b in bands.iterrows():
            hi = b["max_km"] if not pd.isna(b["max_km"]) else float("inf")
            if b["min_km"] <= d < hi:
                return b["eur"]
        return 0.0

    prob = pulp.LpProblem("reference", pulp.LpMinimize)
    x, cost, prio, points = {}, {}, {}, {}
    by_p: dict[str, list] = {}
    by_o: dict[str, list] = {}
    by_a: dict[str, list] = {}
    offer_rows = offers.to_dict("index")
    for pid, p in parts.to_dict("index").items():
        for oid, o in offer_rows.items():
            if o["activity_id"] not in p["activities"]:
                continue
            if o["sectors"] is not None and p["sector"] not in o["sectors"]:
                continue
            if o["languages"] and not set(o["languages"]) & set(p["languages"]):
                continue
            if not (p["available_from"] <= o["start_date"] and o["end_date"] <= p["available_to"]):
                continue
            g = p["graduation_date"]
            if not pd.isna(g) and not (
                o["start_date"] >= g and o["end_date"] <= g + pd.Timedelta(days=365)
            ):
                continue
            x[pid, oid] = pulp.LpVariable(f"x_{pid}_{oid}", cat="Binary")
            s, h = orgs.loc[p["org_id"]], orgs.loc[o["host_id"]]
            a = acts.loc[o["activity_id"]]
            days = (o["end_date"] - o["start_date"]).days + 1 + a["travel_days"]
            r = case.daily_rates.loc[(case.country_groups[h["country"]], a["participant_type"])]
            cost[pid, oid] = (
                band(haversine(s["lat"], s["lon"], h["lat"], h["lon"]))
                + r["eur_per_day"] * min(days, 14)
                + r["eur_per_day_after_14"] * max(days - 14, 0)
                + (case.inclusion_support_eur if p["fewer_opportunities"] else 0)
                + a["extra_eur"]
            )
            prio[pid, oid] = p["priority"]
            prefs = list(p["preferences"])
            points[pid, oid] = (
                len(prefs) + 1 - (prefs.index(o["host_id"]) + 1) if o["host_id"] in prefs else 0
            )
            by_p.setdefault(pid, []).append((pid, oid))
            by_o.setdefault(oid, []).append((pid, oid))
            by_a.setdefault(o["activity_id"], []).append((pid, oid))
    t_build0 = time.perf_counter()
    for pid, p in parts.iterrows():
        mine = by_p.get(pid, [])
        if mine:
            prob += pulp.lpSum(x[k] for k in mine) <= p["max_mobilities"]
        for i, k1 in enumerate(mine):
            for k2 in mine[i + 1 :]:
                o1, o2 = offers.loc[k1[1]], offers.loc[k2[1]]
                if o1["start_date"] <= o2["end_date"] and o2["start_date"] <= o1["end_date"]:
                    prob += x[k1] + x[k2] <= 1
    for oid, o in offers.iterrows():
        prob += pulp.lpSum(x[k] for k in by_o.get(oid, [])) <= o["seats"]
    for hid, capacity in case.host_capacity.items():
        at_host = offers[offers["host_id"] == hid]
        for _, o in at_host.iterrows():
            t = o["start_date"]
            live = at_host[(at_host["start_date"] <= t) & (t <= at_host["end_date"])].index
            prob += pulp.lpSum(x[k] for o2 in live for k in by_o.get(o2, [])) <= capacity
    n, org = {}, 0
    for aid, a in acts.iterrows():
        n[aid] = pulp.lpSum(x[k] for k in by_a.get(aid, []))
        prob += n[aid] <= a["quota"]
        prob += n[aid] >= a["quota_min"]
        t = case.org_support_threshold
        m = pulp.LpVariable(f"m_{aid}", 0, t, cat="Integer")
        z = pulp.LpVariable(f"z_{aid}", cat="Binary")
        prob += m <= n[aid]
        prob += m >= t * z
        prob += m >= n[aid] - a["quota"] * z
        org += (
            a["org_support_after_eur"] * n[aid]
            + (a["org_support_eur"] - a["org_support_after_eur"]) * m
        )
    total_cost = pulp.lpSum(cost[k] * x[k] for k in x) + org
    prob += total_cost <= (case.budget_eur if budget_eur is None else budget_eur)
    shortfall = []
    for tg in targets:
        among = tg.get("among", {}).get("participant_type")
        scope = [
            k
            for k in x
            if among is None or acts.at[offers.at[k[1], "activity_id"], "participant_type"] == among
        ]
        if "for_each" in tg:
            attr = tg["for_each"]
            present = sorted(  # among those who applied for an activity in scope
                {
                    p[attr]
                    for p in parts.to_dict("index").values()
                    if any(
                        among is None or acts.at[a, "participant_type"] == among
                        for a in p["activities"]
                    )
                },
                key=str,
            )
            shares = [(f"{tg['name']}_{v}", attr, v) for v in present]
        else:
            ((attr, value),) = tg["share_of"].items()
            shares = [(tg["name"], attr, value)]
        for name, attr, value in shares:
            match = [k for k in scope if parts.at[k[0], attr] == value]
            for side in ("min", "max"):
                if tg.get(side) is None:
                    continue
                s = pulp.LpVariable(f"short_{name}_{side}", 0)
                gap = pulp.lpSum(x[k] for k in match) - tg[side] * pulp.lpSum(x[k] for k in scope)
                prob += gap + s >= 0 if side == "min" else gap - s <= 0
                shortfall.append(tg.get("weight", 1) * s)
    objectives = [
        -pulp.lpSum(x.values()),
        pulp.lpSum(shortfall),
        -pulp.lpSum(prio[k] * x[k] for k in x),
        -pulp.lpSum(points[k] * x[k] for k in x),
        total_cost,
    ]
    t_solve0 = time.perf_counter()
    prob.sequentialSolve(
        objectives, absoluteTols=[1e-6] * 5, solver=pulp.HiGHS(msg=False, threads=1)
    )
    t_end = time.perf_counter()
    values = [pulp.value(o) for o in objectives]
    return {
        "status": pulp.LpStatus[prob.status],
        "values": {
            "placements": -values[0],
            "targets": values[1],
            "priority": -values[2],
            "preferences": -values[3],
            "cost": values[4],
        },
        "pairs": len(x),
        "timings": {
            "eligibility": t_build0 - t0,
            "build": t_solve0 - t_build0,
            "solve": t_end - t_solve0,
            "total": t_end - t0,
        },
    }
