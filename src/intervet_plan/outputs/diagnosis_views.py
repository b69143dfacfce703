"""What the report of an infeasible run says (SPEC 5, 8.1), from diagnosis.json in the
planner's words: the ways out first ("any one of these makes the plan possible"), then the
conflicts and the capacity of each quota minimum, activities and organisations by name.
Each function gives None for a run with a plan (nothing is shown then).

>>> names = Labels({"activities": {"WBL_LONG": "Long-term work-based learning"}})
>>> way({"kind": "quota_min", "activity_id": "WBL_LONG", "amount": 9, "quota_min": 47,
...      "required": 56, "sentence": "9 fewer ... (WBL_LONG quota_min 47 instead of 56)"}, names)
'a minimum of 47 instead of 56 placements for Long-term work-based learning'
>>> conflict({"kind": "quota_min", "activity_id": "WBL_LONG", "amount": 9, "required": 56,
...     "sentence": "quota_min of WBL_LONG short by 9: hosts at max_concurrent: MODE"}, names)
'the minimum of 56 placements for Long-term work-based learning is short by 9: hosts at their most participants at once: MODE'
"""

from __future__ import annotations

import pandas as pd

from intervet_plan.outputs.labels import Labels
from intervet_plan.outputs.run_folder import RunFolder
from intervet_plan.outputs.views import md_escape, names

HEADING = "## Why the scenario is infeasible"
# the model's words in a diagnosis sentence, as a planner says them
TERMS = {
    "quota_min": "minimum",
    "hosts at max_concurrent": "hosts at their most participants at once",
    "max_concurrent": "most participants at once",
}


def plain(text: str, label: Labels) -> str:
    """A sentence of diagnosis.json in the planner's words: names for ids, words for the
    model's terms."""
    text = label.in_words(text)
    for term, said in TERMS.items():
        text = text.replace(term, said)
    return text


def _infeasible(res: RunFolder) -> dict | None:
    d = res.get("diagnosis")
    return d if d and res["summary"].get("status") == "infeasible" else None


def way(a: dict, label: Labels) -> str:
    """One relaxation of diagnosis.json's ``alternatives`` in words."""
    if a.get("kind") == "quota_min" and a.get("activity_id") is not None:
        act = label.activity(a["activity_id"])
        if a.get("amount") is None:
            return (
                f"a lower minimum for {act} alone is not enough: the other hard rules conflict "
                "even with no minimum"
            )
        return f"a minimum of {a['quota_min']} instead of {a['required']} placements for {act}"
    return plain(str(a["sentence"]), label)


def conflict(c: dict, label: Labels, targets: dict[str, dict] | None = None) -> str:
    """One conflict of diagnosis.json (the smallest joint relaxation) in words; ``targets``
    (summary.json's targets by name) gives a hard target's bound."""
    sentence = str(c["sentence"])
    if c.get("kind") == "quota_min" and c.get("activity_id") is not None:
        why = sentence.split(": ", 1)[1] if ": " in sentence else ""
        act = label.activity(c["activity_id"])
        head = f"the minimum of {c.get('required')} placements for {act} is short by {c['amount']}"
        return f"{head}: {plain(why, label)}" if why else head
    t = (targets or {}).get(str(c.get("target")))
    if c.get("kind") == "hard_target" and t and t.get(c.get("bound")) is not None:
        v = float(t[c["bound"]])
        bound = f"{100 * v:g} %" if t.get("kind") == "share" else f"{v:g}"
        side = "at least" if c["bound"] == "min" else "at most"
        short = round(float(c["amount"]), 2)
        return (
            f"the hard target {c['target']} ({side} {bound}) is short by {short:g} "
            f"person{'' if short == 1 else 's'}, given the other hard rules"
        )
    return plain(sentence, label)


def alternatives_text(res: RunFolder) -> str | None:
    """For an infeasible run, the ways out first (diagnosis.json ``alternatives``): each
    family relaxed alone that makes the plan possible, then those that are not enough alone;
    None for a run with a plan."""
    d = _infeasible(res)
    if d is None:
        return None
    label = names(res)
    alts = d.get("alternatives") or []
    ways = [a for a in alts if a.get("amount") is not None]
    lines = ["## No plan: what would make one possible", ""]
    if ways:
        lines += ["**Any one of these makes the plan possible:**", ""]
        lines += [f"- {md_escape(way(a, label))}" for a in ways]
    else:
        lead = plain(d.get("lead", "No single relaxation makes it possible."), label)
        lines += [f"**{md_escape(lead)}**"]
    rest = [a for a in alts if a.get("amount") is None]
    if rest:
        lines += ["", "Not enough on its own:", ""]
        lines += [f"- {md_escape(way(a, label))}" for a in rest]
    lines += [
        "",
        "Each way relaxes one family of hard rules alone, every other rule held; the amount "
        "is the smallest that allows a plan. The conflicts and the capacity of each quota "
        "minimum are under *Why the scenario is infeasible* below.",
    ]
    return "\n".join(lines)


def diagnosis_text(res: RunFolder) -> str | None:
    """The heading *Why the scenario is infeasible* and the smallest relaxation of the hard
    rules taken together; None for a run with a plan."""
    d = _infeasible(res)
    if d is None:
        return None
    label = names(res)
    lines = [
        HEADING,
        "",
        "The hard rules cannot all hold. The smallest relaxation of them taken together "
        "that would allow a plan (from `diagnosis.json`):",
        "",
    ]
    found = d.get("conflicts")
    targets = {str(t.get("name")): t for t in res["summary"].get("targets", [])}
    shown = [conflict(c, label, targets) for c in found] if found else d.get("summary", [])
    lines += [f"- {md_escape(x)}" for x in shown]
    return "\n".join(lines)


def capacity_table(res: RunFolder) -> pd.DataFrame | None:
    """For an infeasible run: each quota minimum against the capacity of its activity (from
    diagnosis.json), in words; None when there is none."""
    d = _infeasible(res)
    rows = (d or {}).get("capacity") or []
    if not rows:
        return None
    label = names(res)
    return pd.DataFrame(
        [
            (
                label.activity(r.get("activity_id")),
                r.get("quota_min"),
                r.get("max_placements"),
                r.get("eligible_applicants"),
                r.get("eligible_seats"),
                r.get("short"),
                plain(str(r.get("bottleneck") or ""), label),
            )
            for r in rows
        ],
        columns=[
            "activity",
            "minimum",
            "most placements possible",
            "eligible applicants",
            "eligible seats",
            "short by",
            "bottleneck",
        ],
    )
