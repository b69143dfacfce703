"""The report's sections on the selection audit (SPEC 8.3, 8.4): "Selection audit" (who was
passed over for someone of lower priority, and which objective level kept the plan as it is:
fairness.csv) and "Reserves" (who could take each placement the day its participant withdraws:
reserves.csv). From the run folder only; participants appear by pseudonymous id only. Each
function gives None for a run without a plan (nothing is shown then).

>>> swaps = pd.DataFrame({"kept_by": ["targets", "targets", "stability"],
...     "participant_id": ["P1", "P1", "P2"]})
>>> audit_sentence(swaps, ["placements", "stability", "targets", "priority"])
'2 applicants were passed over for someone of lower priority, in 3 blocking swaps: 1 kept by stability (people already told of their plan keep it) and 2 kept by the targets.'
>>> reserve_sentence(622, 582)
'582 of 622 placements have a reserve; 40 have none.'
"""

from __future__ import annotations

import pandas as pd

from intervet_plan.outputs.labels import Labels, counted
from intervet_plan.outputs.run_folder import FAIRNESS_FILE, RESERVES_FILE, RunFolder
from intervet_plan.solve.fairness import LEVEL_WORDS, RESERVES

AUDIT_HEADING = "## Selection audit"
RESERVES_HEADING = "## Reserves"
CASES = 10  # at most this many blocking swaps shown
OFFERS = 15  # at most this many offers without a reserve shown
NOBODY = (
    "Nobody was passed over for someone of lower priority: every unplaced applicant who could "
    "have taken a seat has a priority no higher than its holder's."
)


def _has_plan(res: RunFolder) -> bool:
    return res["summary"].get("status") in ("optimal", "feasible")


def _not_audited(what: str) -> str:
    return (
        f"This run folder has no {what}: it was written before the selection audit existed. "
        "Run the scenario again to get it."
    )


def kept_words(level: str) -> str:
    """A ``kept_by`` value in words: ``kept by the targets``."""
    if level == "none":
        return "kept by no objective level"
    return f"kept by {LEVEL_WORDS.get(level, level)}"


def audit_sentence(swaps: pd.DataFrame, order: list[str]) -> str:
    """How many applicants were passed over for someone of lower priority, and the blocking
    swaps counted by the level that kept each (in the objective ``order``, ``none`` last)."""
    if swaps.empty:
        return NOBODY
    people = swaps["participant_id"].nunique()
    counts = swaps["kept_by"].value_counts()
    levels = [lv for lv in [*order, *LEVEL_WORDS, "none"] if lv in counts.index]
    levels = list(dict.fromkeys(levels)) + sorted(set(counts.index) - set(levels))
    head = (
        f"{counted(people, 'applicant was', 'applicants were')} passed over for someone of lower "
        "priority"
    )
    if len(swaps) == 1:
        return f"{head}, in 1 blocking swap, {kept_words(levels[0])}."
    parts = [f"{counts[lv]} {kept_words(lv)}" for lv in levels]
    listed = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
    return f"{head}, in {len(swaps)} blocking swaps: {listed}."


def audit_text(res: RunFolder) -> str | None:
    """The section's heading, what a blocking swap is, and the sentence of
    :func:`audit_sentence`."""
    if not _has_plan(res):
        return None
    if not res["audited"]:
        return f"{AUDIT_HEADING}\n\n{_not_audited(f'`{FAIRNESS_FILE}`')}"
    what = (
        "A *blocking swap*: an unplaced applicant, eligible for an offer, has a higher priority "
        "than someone placed in it, and could take that seat with every hard rule still met "
        "(budget, quotas, hard targets). An optimal plan keeps such a seat only for the sake of "
        "an objective level that comes before priority: the swap would make that level worse "
        "(*kept by*)."
    )
    order = list(res["summary"].get("objective_order") or [])
    return f"{AUDIT_HEADING}\n\n{what}\n\n{audit_sentence(res['fairness'], order)}"


def audit_table(res: RunFolder) -> pd.DataFrame | None:
    """At most :data:`CASES` blocking swaps, the largest priority difference first (then in
    fairness.csv's order): the applicant, the offer (its id, to trace the row, beside its
    activity and host by name), who holds the seat instead, both priorities, the level that
    kept it and why; None when there are none."""
    f = res["fairness"]
    if not _has_plan(res) or f.empty:
        return None
    gap = f["priority"] - f["displaced_priority"]
    top = f.assign(gap=gap).sort_values("gap", ascending=False, kind="stable").head(CASES)
    offers = _offers(res)
    label = Labels.of(res["summary"])
    return pd.DataFrame(
        {
            "applicant": top["participant_id"].to_numpy(),
            "priority": top["priority"].to_numpy(),
            "offer": top["offer_id"].to_numpy(),
            "activity": [label.activity(offers.get(o, ("", ""))[0]) for o in top["offer_id"]],
            "host": [
                label.organisation(offers.get(o, ("", ""))[1], country=True)
                for o in top["offer_id"]
            ],
            "seat held by": top["displaced_participant_id"].to_numpy(),
            "holder's priority": top["displaced_priority"].to_numpy(),
            "kept by": [LEVEL_WORDS.get(str(k), str(k)) for k in top["kept_by"]],
            "why": top["detail"].to_numpy(),
        }
    )


def _offers(res: RunFolder) -> dict[str, tuple[str, str]]:
    """The activity and host of each offer with a placement (from allocation.csv)."""
    a = res["allocation"].drop_duplicates("offer_id")
    return {
        str(o): (str(act), str(h))
        for o, act, h in zip(a["offer_id"], a["activity_id"], a["host_id"], strict=True)
    }


def audit_note(res: RunFolder) -> str | None:
    """The line under the table: where the full list is."""
    n = len(res["fairness"])
    if audit_table(res) is None:
        return None
    shown = (
        f"The {CASES} of {n} blocking swaps with the largest priority difference; the"
        if n > CASES
        else "The"
    )
    return f"{shown} full list is in `{FAIRNESS_FILE}`."


# ----------------------------------------------------------------------------- reserves


def _planned(res: RunFolder) -> pd.DataFrame:
    """The plan's non-fixed placements with their number of reserves (``reserves``)."""
    a = res["allocation"]
    a = a[a["status"] == "planned"]
    per = res["reserves"].groupby(["offer_id", "participant_id"]).size().rename("reserves")
    out = a.merge(per, left_on=["offer_id", "participant_id"], right_index=True, how="left")
    return out.assign(reserves=out["reserves"].fillna(0).astype(int))


def reserve_sentence(placements: int, with_reserve: int) -> str:
    """How many of the non-fixed ``placements`` have at least one reserve."""
    if placements == 0:
        return "No placement is open to a reserve: every placement is fixed."
    if with_reserve == placements:
        return f"All {counted(placements, 'placement has', 'placements have')} a reserve."
    if with_reserve == 0:
        return f"None of the {counted(placements, 'placement', 'placements')} has a reserve."
    none = placements - with_reserve
    return (
        f"{with_reserve} of {counted(placements, 'placement', 'placements')} "
        f"{'has' if with_reserve == 1 else 'have'} a reserve; {none} "
        f"{'has' if none == 1 else 'have'} none."
    )


def reserves_text(res: RunFolder) -> str | None:
    """The section's heading, what a reserve is, and the sentence of
    :func:`reserve_sentence` (fixed placements left out)."""
    if not _has_plan(res):
        return None
    if not res["audited"]:
        return f"{RESERVES_HEADING}\n\n{_not_audited(f'`{RESERVES_FILE}`')}"
    what = (
        "A *reserve* of a placement is an unplaced applicant, eligible for its offer, who could "
        f"take the seat with every hard rule still met. `{RESERVES_FILE}` lists up to "
        f"{RESERVES} per placement, best first: if the participant withdraws, reserve 1 can be "
        "told at once and the plan stays valid."
    )
    p = _planned(res)
    sentence = reserve_sentence(len(p), int((p["reserves"] > 0).sum()))
    fixed = int((res["allocation"]["status"] != "planned").sum())
    if fixed and len(p):
        sentence += (
            f" The {counted(fixed, 'fixed placement', 'fixed placements')} (already under way or "
            "done) need none and are not counted."
        )
    return f"{RESERVES_HEADING}\n\n{what}\n\n{sentence}"


def reserve_table(res: RunFolder) -> pd.DataFrame | None:
    """Per activity (by its label): non-fixed placements, those with at least one reserve and those with
    the full :data:`RESERVES`, then a ``total`` row."""
    p = _planned(res)
    if not _has_plan(res) or not res["audited"] or p.empty:
        return None
    full = f"with {RESERVES} reserves"
    p = p.assign(some=p["reserves"] > 0, full=p["reserves"] >= RESERVES)
    by = p.groupby("activity_id").agg(
        placements=("reserves", "size"), some=("some", "sum"), full=("full", "sum")
    )
    label = Labels.of(res["summary"])
    by.index = pd.Index([label.activity(a) for a in by.index], name="activity")
    total = pd.DataFrame(
        {"placements": [len(p)], "some": [int(p["some"].sum())], "full": [int(p["full"].sum())]},
        index=pd.Index(["total"], name="activity"),
    )
    out = pd.concat([by, total]).astype(int).reset_index()
    return out.rename(columns={"some": "with a reserve", "full": full})


def _unreserved(res: RunFolder) -> pd.DataFrame:
    """Offers none of whose non-fixed placements has a reserve, by start date."""
    p = _planned(res)
    g = p.groupby("offer_id").agg(
        activity_id=("activity_id", "first"),
        host_id=("host_id", "first"),
        start_date=("start_date", "first"),
        placements=("reserves", "size"),
        reserves=("reserves", "sum"),
    )
    g = g[g["reserves"] == 0].reset_index()
    return g.sort_values(["start_date", "offer_id"], ignore_index=True)


def unreserved_text(res: RunFolder) -> str | None:
    """The line over the offers without a reserve (or that there are none)."""
    if not _has_plan(res) or not res["audited"] or _planned(res).empty:
        return None
    n = len(_unreserved(res))
    if n == 0:
        return "Every offer has a reserve for at least one of its placements."
    return (
        f"{counted(n, 'offer has', 'offers have')} no reserve for any of {'its' if n == 1 else 'their'}"
        " placements: if someone placed there withdraws, nobody can be called in their place."
    )


def unreserved_offers(res: RunFolder) -> pd.DataFrame | None:
    """At most :data:`OFFERS` offers without a reserve, by start date: the offer's id (to
    trace it) beside its activity and host by name, its start date and placements; None when
    there are none."""
    if not _has_plan(res) or not res["audited"]:
        return None
    u = _unreserved(res)
    if u.empty:
        return None
    u = u.head(OFFERS)
    label = Labels.of(res["summary"])
    return pd.DataFrame(
        {
            "offer": u["offer_id"].to_numpy(),
            "activity": [label.activity(a) for a in u["activity_id"]],
            "host": [label.organisation(h, country=True) for h in u["host_id"]],
            "starts": u["start_date"].dt.strftime("%Y-%m-%d").to_numpy(),
            "placements": u["placements"].to_numpy(),
        }
    )


def unreserved_note(res: RunFolder) -> str | None:
    """``and N more`` under the table when it does not show them all."""
    if not _has_plan(res) or not res["audited"]:
        return None
    n = len(_unreserved(res))
    if n <= OFFERS:
        return None
    return (
        f"and {counted(n - OFFERS, 'more offer', 'more offers')} (a placement with no row in "
        f"`{RESERVES_FILE}` has no reserve)."
    )
