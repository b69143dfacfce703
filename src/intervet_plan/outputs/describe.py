"""One-screen text summaries for the terminal. No solving, no files."""

from __future__ import annotations

import pandas as pd

from intervet_plan.inputs.case import Case
from intervet_plan.outputs.labels import level_phrase
from intervet_plan.solve.tables import COST_PARTS


def describe_case(case: Case) -> str:
    """A summary of a valid case: window, budget, partners, activities with quotas, seats and
    applicants, and the applicant mix."""
    orgs, acts, parts, offers = case.organisations, case.activities, case.participants, case.offers
    regions = orgs["region"].value_counts()
    lines = [
        f"case {case.name}: valid",
        f"  window {case.start_date} to {case.end_date}; budget EUR {case.budget_eur:,.2f}",
        f"  organisations {len(orgs)} (EU {regions.get('EU', 0)}, WB {regions.get('WB', 0)}) "
        f"in {orgs['country'].nunique()} countries; host capacity limits {len(case.host_capacity)}",
        f"  applicants {len(parts)}, offers {len(offers)}",
        "",
        f"  {'activity':<18} {'type':<8} {'direction':<9} {'quota':>6} {'min':>5} "
        f"{'offers':>6} {'seats':>6} {'applicants':>10}",
    ]
    applied = parts["activities"].explode().value_counts()
    seats = offers.groupby("activity_id")["seats"].agg(["size", "sum"])
    for a, row in acts.iterrows():
        n_off, n_seats = (seats.loc[a, "size"], seats.loc[a, "sum"]) if a in seats.index else (0, 0)
        lines.append(
            f"  {a:<18} {row['participant_type']:<8} {row['direction']:<9} {row['quota']:>6} "
            f"{row['quota_min']:>5} {n_off:>6} {n_seats:>6} {int(applied.get(a, 0)):>10}"
        )
    lines.append(
        f"  {'total':<37} {int(acts['quota'].sum()):>6} {int(acts['quota_min'].sum()):>5} "
        f"{len(offers):>6} {int(offers['seats'].sum()):>6} {len(parts):>10}"
    )
    if len(parts):
        g = parts["gender"].value_counts(normalize=True)
        lines += [
            "",
            "  applicants: "
            + ", ".join(f"{k} {g.get(k, 0):.0%}" for k in ("F", "M", "X"))
            + f"; fewer opportunities {parts['fewer_opportunities'].mean():.0%}"
            + f"; with graduation date {parts['graduation_date'].notna().mean():.0%}",
            "  by country: "
            + ", ".join(
                f"{c} {n}" for c, n in parts["country"].value_counts().sort_index().items()
            ),
        ]
    span = pd.concat([offers["start_date"], offers["end_date"]])
    if len(span):
        lines.append(f"  offers run {span.min().date()} to {span.max().date()}")
    return "\n".join(lines)


def describe_plan(summary: dict, out: object = None) -> str:
    """A short human summary of a run from its summary.json content (:attr:`Plan.summary
    <intervet_plan.outputs.plan.Plan.summary>`); ``out`` is the folder it was written to."""
    s = summary
    lines = [
        f"scenario {s['scenario']} (case {s['case']}): {s['status']}"
        + (
            f", gap {s['solver']['gap']:.4%}"
            if s["status"] == "feasible" and s["solver"].get("gap") is not None
            else ""
        )
        + f" in {s['solver']['time_s']:.1f} s ({s['solver']['name']} {s['solver']['version']})"
    ]
    if s.get("objective"):
        levels = s.get("levels") or [
            {"level": k, "value": v, "status": "optimal"}
            for k, v in s["objective"].items()
            if k in s.get("objective_order", s["objective"])
        ]
        proven = all(lv.get("status") == "optimal" for lv in levels)
        lines.append(
            ("  levels (all proven): " if proven else "  levels: ")
            + ", ".join(level_phrase(lv, not proven) for lv in levels)
        )
        lines.append(f"  {'activity':<18} {'placed':>7} {'quota':>6} {'min':>5}")
        for a, q in s["quota"].items():
            lines.append(
                f"  {a:<18} {s['placed'].get(a, 0):>7} {q:>6} {s['quota_min'].get(a, 0):>5}"
            )
        lines.append(
            f"  {'total':<18} {sum(s['placed'].values()):>7} {sum(s['quota'].values()):>6}"
        )
        c = s["cost_eur"]
        lines.append(
            f"  cost EUR {c['total']:,.2f} of budget EUR {c['budget']:,.2f} "
            f"({c['total'] / c['budget']:.1%}): "
            + ", ".join(f"{p.replace('_', ' ')} {c[p]:,.2f}" for p in COST_PARTS)
        )
    for t in s.get("targets", []):
        ach = t["achieved"]
        shown = "n/a" if ach is None else (f"{ach:.1%}" if t.get("kind") == "share" else f"{ach:g}")
        bounds = " ".join(f"{k} {t[k]:g}" for k in ("min", "max") if t[k] is not None)
        lines.append(
            f"  target {t['name']}: {shown} ({bounds}, {'hard' if t['hard'] else 'soft'})"
            + (f", shortfall {t['shortfall']:.2f}" if t["shortfall"] > 1e-9 else "")
        )
    r = s.get("replan")
    if r:
        lines.append(
            f"  re-plan: before as_of {r['fixed']} fixed, {r['interrupted']} interrupted, "
            f"{r['cancelled']} cancelled (cancelled.csv)"
            + (
                f"; planned: {r['kept']} kept, {r['moved']} moved, {r['dropped']} dropped, "
                f"{r['added']} added"
                if r.get("kept") is not None
                else ""
            )
        )
    if out is not None:
        lines.append(f"  written to {out}")
    return "\n".join(lines)
