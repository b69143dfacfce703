"""The report's "Partners" section: per sending organisation, its placements (learners and
staff), its organisational support and its grant, from allocation.csv and summary.json only.

The grant of an organisation is the plan's total cost of its placements (allocation.csv's
``total_eur``: travel, subsistence, inclusion support, extra costs and the organisational
support each row carries), so the grants add up to the plan's total cost. Organisational
support is counted per activity (SPEC 3.4): each row carries the full rate for an activity's
first placements up to the threshold, by start date, and the lower rate beyond it; an
organisation's share is what its rows carry.
"""

from __future__ import annotations

import pandas as pd

from intervet_plan.outputs.labels import Labels
from intervet_plan.outputs.run_folder import RunFolder

HEADING = "## Partners"
SUPPORT, GRANT = "organisational support (EUR)", "grant (EUR)"
COLUMNS = ["sending organisation", "country", "placements", "learners", "staff", SUPPORT, GRANT]
MONEY = (SUPPORT, GRANT)


def partner_table(res: RunFolder, ids: bool = False) -> pd.DataFrame:
    """One row per sending organisation with a placement, by country then name: its name,
    country, placements, learners and staff (from summary.json's ``participant_type``;
    blank for a run folder that lacks it), organisational support and grant in EUR; then a
    ``total`` row. ``ids`` puts each organisation's ``org_id`` first (the workbook)."""
    a = res["allocation"]
    names = Labels.of(res["summary"])
    types = res["summary"].get("participant_type") or {}
    cols = (["org_id"] if ids else []) + COLUMNS
    if a.empty:
        return pd.DataFrame(columns=cols)
    kind = a["activity_id"].astype(str).map(types)
    t = (
        a.assign(
            learner=kind.eq("learner").astype(int),
            staff=kind.eq("staff").astype(int),
        )
        .groupby("org_id", observed=True)
        .agg(
            country=("sending_country", "first"),
            placements=("participant_id", "size"),
            learners=("learner", "sum"),
            staff=("staff", "sum"),
            support=("org_support_eur", "sum"),
            grant=("total_eur", "sum"),
        )
        .reset_index()
    )
    t.insert(1, "sending organisation", [names.organisation(o) for o in t["org_id"]])
    t = t.sort_values(["country", "sending organisation", "org_id"], ignore_index=True)
    t = t.rename(columns={"support": SUPPORT, "grant": GRANT})
    total = {
        "org_id": "",
        "sending organisation": "total",
        "country": "",
        **{c: t[c].sum() for c in ("placements", "learners", "staff", SUPPORT, GRANT)},
    }
    t = pd.concat([t, pd.DataFrame([total])], ignore_index=True)
    for c in ("placements", "learners", "staff"):
        t[c] = t[c].astype(int)
    if not types:  # a run folder written before summary.json gave the participant types
        t["learners"] = t["staff"] = None
    for c in MONEY:
        t[c] = t[c].astype(float).round(2)
    return t[cols]


def partner_text(res: RunFolder) -> str:
    """The section's heading and what its columns mean, the grant defined."""
    a = res["allocation"]
    total = f" (EUR {a['total_eur'].sum():,.2f})" if len(a) else ""
    return (
        f"{HEADING}\n\n"
        "Each sending organisation with a placement: the learners and staff it sends, the "
        "organisational support of their placements and its **grant**. The grant here is "
        "the plan's total cost of the organisation's placements (travel, subsistence, "
        "inclusion support, extra costs) including its share of the organisational support, "
        f"so that the grants add up to the plan's total cost{total}. Organisational support "
        "is paid per activity, at the full rate for the activity's first placements up to "
        "the threshold (by start date) and the lower rate beyond; an organisation's share "
        "is what its own placements carry. The same table is the sheet *partners* of "
        "`allocation.xlsx`."
    )


def money_formats() -> dict[str, str]:
    """The report's formats of the money columns (EUR to the cent)."""
    return {c: "{:,.2f}" for c in MONEY}
