"""The "Re-plan after the disruption" section of the report (SPEC 7): what became of the
previous plan, from the run folder only (summary.json's ``replan``, ``as_of``, ``blackouts``
and ``offer_activity``, and cancelled.csv). Participants appear by pseudonymous id only.

>>> replan_sentence({"fixed": 8, "interrupted": 7, "cancelled": 242, "kept": 360,
...     "moved": 5, "dropped": 0, "added": 240}, "2021-06-16",
...     [{"from": "2020-03-01", "to": "2021-06-15"}], {"blackout": 242})
'Of the 257 placements that started before 2021-06-16, 242 never took place (cancelled by the stop 2020-03-01 to 2021-06-15), 7 were cut short by it and 8 went ahead; of the 365 planned ones, 360 are kept and 5 moved; 240 placements are added.'
"""

from __future__ import annotations

import pandas as pd

from intervet_plan.outputs.labels import Labels, counted, words
from intervet_plan.outputs.run_folder import RunFolder

HEADING = "## Re-plan after the disruption"
EXAMPLES = 10  # at most this many example rows of cancellations
COUNT_LABELS = {
    "fixed": "went ahead (done or under way before the re-plan)",
    "interrupted": "cut short by the stop",
    "cancelled": "cancelled: never took place",
    "kept": "planned and kept (same offer)",
    "moved": "planned and moved to another offer",
    "dropped": "planned and dropped",
    "added": "added by the re-plan",
}
# the reasons of cancelled.csv (SPEC 7), in words
REASON_WORDS = {
    "blackout": "a blackout covers its start",
    "status": "marked cancelled in the previous plan",
}


def _stops(blackouts: list[dict]) -> str:
    """``the stop A to B`` (``the stops A to B and C to D``), countries named when limited."""
    spans = []
    for b in blackouts:
        where = f" ({', '.join(b['countries'])})" if b.get("countries") else ""
        spans.append(f"{b['from']} to {b['to']}{where}")
    if len(spans) == 1:
        return f"the stop {spans[0]}"
    return f"the stops {', '.join(spans[:-1])} and {spans[-1]}"


def replan_sentence(
    counts: dict, as_of: str | None, blackouts: list[dict], reasons: dict[str, int]
) -> str:
    """One plain-language paragraph: what became of the previous plan's placements that
    started before ``as_of`` and of its planned ones (``reasons``: cancellations per reason,
    ``blackout`` or ``status``)."""
    fixed, cut, cancelled = counts["fixed"], counts["interrupted"], counts["cancelled"]
    before = fixed + cut + cancelled
    by_stop, by_status = reasons.get("blackout", 0), reasons.get("status", 0)
    causes = []
    if by_stop:
        causes.append(f"cancelled by {_stops(blackouts)}")
    if by_status:
        causes.append("marked cancelled in the previous plan")
    if by_stop and by_status:
        causes = [f"{by_stop} {causes[0]}", f"{by_status} {causes[1]}"]
    never = f"{cancelled} never took place" + (f" ({', '.join(causes)})" if causes else "")
    it = (
        "it" if by_stop and len(blackouts) == 1 else "the stop" if len(blackouts) == 1 else "a stop"
    )
    parts = [never, f"{counted(cut, 'was', 'were')} cut short by {it}", f"{fixed} went ahead"]
    text = (
        f"Of the {counted(before, 'placement', 'placements')} that started before "
        f"{as_of or 'the re-plan'}, {', '.join(parts[:-1])} and {parts[-1]}"
    )
    if counts.get("kept") is None:
        return text + "; there is no new plan."
    kept, moved, dropped, added = (counts[k] for k in ("kept", "moved", "dropped", "added"))
    fates = [f"{kept} {'is' if kept == 1 else 'are'} kept", f"{moved} moved"]
    if dropped:
        fates.append(f"{dropped} dropped")
    planned = kept + moved + dropped
    added_text = f"{counted(added, 'placement is', 'placements are')} added"
    return (
        f"{text}; of the {counted(planned, 'planned one', 'planned ones')}, "
        f"{', '.join(fates[:-1])} and {fates[-1]}; {added_text}."
    )


def replan_text(res: RunFolder) -> str | None:
    """The section's heading and paragraph; None when the run is not a re-plan."""
    counts = res["replan"]
    if counts is None:
        return None
    s = res["summary"]
    reasons = res["cancelled"]["reason"].value_counts().to_dict()
    sentence = replan_sentence(counts, s.get("as_of"), s.get("blackouts") or [], reasons)
    return f"{HEADING}\n\n{sentence}"


def replan_table(res: RunFolder) -> pd.DataFrame | None:
    """The re-plan counts (``outcome``, ``placements``); None when not a re-plan."""
    counts = res["replan"]
    if counts is None:
        return None
    rows = [(label, counts.get(k)) for k, label in COUNT_LABELS.items()]
    return pd.DataFrame(
        [(label, "" if n is None else int(n)) for label, n in rows],
        columns=["outcome", "placements"],
    )


def _with_activity(res: RunFolder) -> pd.DataFrame:
    c = res["cancelled"].copy()
    activity = res["summary"].get("offer_activity") or {}
    c["activity_id"] = [activity.get(str(o), "") for o in c["offer_id"]]
    return c


def cancelled_table(res: RunFolder) -> pd.DataFrame | None:
    """Cancellations by reason (in words) and activity (by its label): ``reason``,
    ``activity``, ``cancelled placements``; None when not a re-plan."""
    if res["replan"] is None:
        return None
    c = _with_activity(res)
    out = c.groupby(["reason", "activity_id"]).size().rename("cancelled placements").reset_index()
    out = out.sort_values(["reason", "activity_id"], ignore_index=True)
    label = Labels.of(res["summary"])
    out["reason"] = [words(r, REASON_WORDS) for r in out["reason"]]
    out["activity_id"] = [label.activity(a) for a in out["activity_id"]]
    return out.rename(columns={"activity_id": "activity"})


def cancelled_examples(res: RunFolder) -> pd.DataFrame | None:
    """At most :data:`EXAMPLES` rows of cancelled.csv: the participant (pseudonymous id) and
    the offer (its id, to trace the row), the activity by its label, the dates and the reason
    in words; None when not a re-plan or nothing was cancelled."""
    if res["replan"] is None or res["cancelled"].empty:
        return None
    c = _with_activity(res).head(EXAMPLES)
    label = Labels.of(res["summary"])
    return pd.DataFrame(
        {
            "participant": c["participant_id"].to_numpy(),
            "offer": c["offer_id"].to_numpy(),
            "activity": [label.activity(a) for a in c["activity_id"]],
            "start": c["start_date"].dt.strftime("%Y-%m-%d").to_numpy(),
            "end": c["end_date"].dt.strftime("%Y-%m-%d").to_numpy(),
            "reason": [words(r, REASON_WORDS) for r in c["reason"]],
        }
    )


def cancelled_note(res: RunFolder) -> str | None:
    """A line under the examples: how many more cancellations cancelled.csv lists."""
    if res["replan"] is None:
        return None
    n = len(res["cancelled"])
    if n <= EXAMPLES:
        return None
    return f"The first {EXAMPLES} of {n} cancellations; all of them are in `cancelled.csv`."
