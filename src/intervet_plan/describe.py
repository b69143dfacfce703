"""One-screen text summaries for the terminal. No solving, no files."""

from __future__ import annotations

import pandas as pd

from .case import Case


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
            f"{row['quota_min']:>5} {n_off:>6} {n_seats:>6} {int(applied.get(a, 0)):>10}")
    lines.append(f"  {'total':<37} {int(acts['quota'].sum()):>6} {int(acts['quota_min'].sum()):>5} "
                 f"{len(offers):>6} {int(offers['seats'].sum()):>6} {len(parts):>10}")
    if len(parts):
        g = parts["gender"].value_counts(normalize=True)
        lines += [
            "",
            "  applicants: " + ", ".join(f"{k} {g.get(k, 0):.0%}" for k in ("F", "M", "X"))
            + f"; fewer opportunities {parts['fewer_opportunities'].mean():.0%}"
            + f"; with graduation date {parts['graduation_date'].notna().mean():.0%}",
            "  by country: " + ", ".join(
                f"{c} {n}" for c, n in parts["country"].value_counts().sort_index().items()),
        ]
    span = pd.concat([offers["start_date"], offers["end_date"]])
    if len(span):
        lines.append(f"  offers run {span.min().date()} to {span.max().date()}")
    return "\n".join(lines)
