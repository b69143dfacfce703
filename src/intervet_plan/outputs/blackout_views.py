"""The "What the stop cancelled" section of the report, for a run whose scenario has
blackouts and plans from scratch (a re-plan has its own section): the offers and seats the
blackouts close, the applicants they leave with no eligible offer and the plan's mobilities
after the restart, from summary.json's ``blackouts`` and ``blackout_effect`` only.

>>> stop_sentence([{"from": "2020-03-01", "to": "2021-06-15", "countries": None}],
...     {"offers_closed": 148, "seats_closed": 512, "offers_closed_for_some": 0,
...      "seats_closed_for_some": 0, "applicants_without_offer": 87,
...      "placed_after_restart": 421, "restart": "2021-06-16"}, 480)
'No mobility from 1 March 2020 to 15 June 2021: 148 offers with 512 seats closed; 87 applicants had no eligible offer left; the plan places 421 of its 480 mobilities after the restart.'
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from intervet_plan.outputs.labels import counted
from intervet_plan.outputs.run_folder import RunFolder

HEADING = "## What the stop cancelled"
MONTHS = (
    "January February March April May June July August September October November December"
).split()
# the table's columns: summary.json's key -> heading
COLUMNS = {
    "offers_closed": "offers closed",
    "seats_closed": "seats closed",
    "offers_closed_for_some": "offers closed to some",
    "seats_closed_for_some": "seats closed to some",
    "applicants_without_offer": "applicants left without an offer",
    "placed_after_restart": "placed after the restart",
}
SOME = ("offers_closed_for_some", "seats_closed_for_some")


def _day(iso: str) -> str:
    """``2020-03-01`` as ``1 March 2020`` (the same in every locale)."""
    d = dt.date.fromisoformat(iso)
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def _listed(blackouts: list[dict]) -> list[str]:
    """The countries the country-limited blackouts list, sorted."""
    return sorted({c for b in blackouts for c in b.get("countries") or ()})


def stop_sentence(blackouts: list[dict], effect: dict, placed: int | None) -> str:
    """One plain sentence: the stop's dates, the offers and seats it closes, the applicants
    it leaves with no eligible offer, and how many of the plan's ``placed`` mobilities
    start after it (None: no plan)."""
    spans = []
    for b in blackouts:
        where = f"to or from {', '.join(b['countries'])} " if b.get("countries") else ""
        spans.append(f"{where}from {_day(b['from'])} to {_day(b['to'])}")
    closed = (
        f"{counted(effect['offers_closed'], 'offer', 'offers')} with "
        f"{counted(effect['seats_closed'], 'seat', 'seats')} closed"
    )
    some = effect.get("offers_closed_for_some") or 0
    if some:
        closed += (
            f", {counted(some, 'offer', 'offers')} with "
            f"{counted(effect['seats_closed_for_some'], 'seat', 'seats')} closed to applicants "
            f"sent from {', '.join(_listed(blackouts))}"
        )
    stranded = counted(effect["applicants_without_offer"], "applicant", "applicants")
    left = f"{stranded} had no eligible offer left"
    if len(blackouts) == 1 and not blackouts[0].get("countries"):
        restart = "the restart"
    else:
        end = dt.date.fromisoformat(effect["restart"]) - dt.timedelta(days=1)
        stop = "stop" if len(blackouts) == 1 else "last stop"
        restart = f"the {stop} ends on {_day(end.isoformat())}"
    after = effect.get("placed_after_restart")
    if after is None or placed is None:
        plan = "there is no plan"
    else:
        plan = f"the plan places {after} of its {counted(placed, 'mobility', 'mobilities')} after {restart}"
    return f"No mobility {' and none '.join(spans)}: {closed}; {left}; {plan}."


def _effect(res: RunFolder) -> dict | None:
    return res["summary"].get("blackout_effect")


def stop_text(res: RunFolder) -> str | None:
    """The section's heading, its sentence and what the counts mean; None when the run's
    scenario has no blackouts or is a re-plan."""
    effect = _effect(res)
    if effect is None:
        return None
    s = res["summary"]
    placed = sum(int(v) for v in s.get("placed", {}).values()) if s.get("objective") else None
    sentence = stop_sentence(s.get("blackouts") or [], effect, placed)
    how = (
        "An offer is closed when its dates overlap the stop. An applicant is counted when "
        "the stop closed every offer they were eligible for"
    )
    if placed is None:
        how += "."
    else:
        how += (
            ": they are in `unplaced.csv` with reason `no_eligible_offer`, and its detail "
            "counts the offers the blackout excluded."
        )
    if effect.get("offers_closed_for_some"):
        how += (
            " An offer *closed to some* is at a host outside the listed countries: it stays "
            "open to applicants sent from elsewhere."
        )
    return f"{HEADING}\n\n{sentence}\n\n{how}"


def _shown(key: str, effect: dict) -> bool:
    if key in SOME:
        return bool(effect.get(key))
    return key != "placed_after_restart" or effect.get(key) is not None


def stop_table(res: RunFolder) -> pd.DataFrame | None:
    """Per activity (by its label): the counts of ``blackout_effect``, then a ``total`` row
    (applicants counted once); the columns of offers closed to some only when there are
    any, the placements after the restart only with a plan. None when the section is not
    shown."""
    effect = _effect(res)
    if effect is None:
        return None
    keys = [k for k in COLUMNS if _shown(k, effect)]
    rows = [
        {"activity": r.get("label") or act, **{COLUMNS[k]: r.get(k) for k in keys}}
        for act, r in (effect.get("by_activity") or {}).items()
    ]
    rows.append({"activity": "total", **{COLUMNS[k]: effect.get(k) for k in keys}})
    t = pd.DataFrame(rows, columns=["activity", *(COLUMNS[k] for k in keys)])
    return t.astype(object).where(t.notna(), None)


def stop_note(res: RunFolder) -> str | None:
    """A line under the table when an applicant counts under several activities."""
    effect = _effect(res)
    if effect is None:
        return None
    by = effect.get("by_activity") or {}
    if sum(int(r.get("applicants_without_offer", 0)) for r in by.values()) == effect.get(
        "applicants_without_offer"
    ):
        return None
    return (
        "An applicant who applied for several activities counts under each activity whose "
        "offers the stop closed to them; the total counts each applicant once."
    )
