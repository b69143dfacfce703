"""The report's "Scenario settings" section: when the plan was made and what it was asked to
do (budget, quotas changed from the case, targets, blackouts, previous plan, objective order
and tolerances, solver settings), from summary.json's ``run_at``, ``settings`` and
``blackouts`` only, in words.

>>> when("2024-06-12T14:03:27+02:00")
'12 June 2024, 14:03 (UTC+02:00)'
>>> target_words({"name": "w", "kind": "share", "of": {"gender": ["F"]}, "for_each": None,
...               "among": {"participant_type": ["learner"]}, "min": 0.5, "max": None,
...               "hard": False, "weight": 1.0})
'share of female participants among learners: at least 50%; soft, weight 1'
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from intervet_plan.outputs.labels import Labels
from intervet_plan.outputs.run_folder import RunFolder

HEADING = "## Scenario settings"
MONTHS = (
    "January February March April May June July August September October November December"
).split()
LEVEL_WORDS = {
    "placements": "most placements",
    "stability": "fewest changes to the previous plan",
    "targets": "smallest target shortfall",
    "priority": "highest total priority",
    "preferences": "most preferences met",
    "cost": "lowest cost",
}
GENDER_WORDS = {"F": "female", "M": "male", "X": "gender X"}
DIRECTION_WORDS = {"WB_TO_EU": "Western Balkans to EU", "EU_TO_WB": "EU to Western Balkans"}


def when(iso: str | None) -> str:
    """An ISO timestamp as ``12 June 2024, 14:03 (UTC+02:00)``; ``unknown`` when missing
    (a run folder written before summary.json gave ``run_at``)."""
    if not iso:
        return "unknown"
    t = dt.datetime.fromisoformat(iso)
    zone = t.strftime("%z")
    utc = f" (UTC{zone[:3]}:{zone[3:]})" if zone else ""
    return f"{t.day} {MONTHS[t.month - 1]} {t.year}, {t:%H:%M}{utc}"


def _day(iso: str) -> str:
    d = dt.date.fromisoformat(iso)
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def _eur(v: float) -> str:
    return f"EUR {v:,.2f}"


def _who(of: dict, names: Labels) -> str:
    """A target's filter in words: ``female participants``, ``participants from XK``."""
    words = []
    for attr, values in of.items():
        vals = [str(v) for v in values]
        if attr == "gender":
            words.append(" or ".join(GENDER_WORDS.get(v, v) for v in vals))
        elif attr == "fewer_opportunities":
            words.append(("with" if values == [True] else "without") + " fewer opportunities")
        elif attr == "country":
            words.append("from " + " or ".join(vals))
        elif attr == "org_id":
            words.append("sent by " + " or ".join(names.organisation(v) for v in vals))
        else:
            words.append(f"{attr} " + " or ".join(vals))
    adjectives = [w for w in words if w in ("female", "male") or w.startswith("gender")]
    rest = [w for w in words if w not in adjectives]
    return " ".join([*adjectives, "participants", *rest])


def _scope(among: dict, names: Labels) -> str:
    """A target's scope in words: ``learners``, ``staff``, ``all placements``, ``placements
    in A, B``."""
    kinds = among.get("participant_type") or []
    who = " and ".join("learners" if k == "learner" else "staff" for k in kinds)
    if not who:
        who = "placements" if among else "all placements"
    if among.get("activity_id"):
        who += " in " + ", ".join(names.activity(a) for a in among["activity_id"])
    if among.get("direction"):
        who += " going " + " or ".join(DIRECTION_WORDS.get(d, d) for d in among["direction"])
    return who


def target_words(t: dict, names: Labels | None = None) -> str:
    """A declared target (summary.json's ``settings.targets``) in one line."""
    names = names or Labels(None)
    share = t.get("kind") != "count"
    scope = _scope(t.get("among") or {}, names)
    if t.get("for_each"):
        what = f"share of each {t['for_each'].replace('_', ' ')} among {scope}"
    else:
        what = f"{'share' if share else 'count'} of {_who(t.get('of') or {}, names)}"
        what += f" among {scope}"
    bounds = []
    for key, word in (("min", "at least"), ("max", "at most")):
        v = t.get(key)
        if v is not None:
            bounds.append(f"{word} {v:.0%}" if share else f"{word} {v:g}")
    how = "hard" if t.get("hard") else f"soft, weight {t.get('weight', 1):g}"
    return f"{what}: {' and '.join(bounds)}; {how}"


def _blackout_words(b: dict) -> str:
    where = (
        f"hosts or senders in {', '.join(b['countries'])}" if b.get("countries") else "everywhere"
    )
    return f"{_day(b['from'])} to {_day(b['to'])}, {where}"


def settings_table(res: RunFolder) -> pd.DataFrame:
    """The settings as rows of (setting, value), in words: run date, scenario and case,
    budget, each quota changed from the case, each target, each blackout, the previous plan
    of a re-plan and the applicants withdrawn, the objective order, tolerances and the
    solver's settings. A run folder written before summary.json gave ``settings`` shows
    the run date, scenario, case and blackouts only."""
    s = res["summary"]
    g = s.get("settings") or {}
    names = Labels.of(s)
    rows: list[tuple[str, str]] = [
        ("run on", when(s.get("run_at"))),
        ("scenario", str(s.get("scenario"))),
        ("case", str(s.get("case"))),
    ]
    if g:
        budget = _eur(float(g["budget_eur"]))
        if g.get("budget_source") == "scenario":
            budget += f" (set by the scenario; the case gives {_eur(float(g['case_budget_eur']))})"
        else:
            budget += " (the case's)"
        rows.append(("budget", budget))
        changed = g.get("quotas_changed") or {}
        for act, change in changed.items():
            parts = []
            for key, word in (("quota", "quota"), ("quota_min", "quota minimum")):
                if key in change:
                    c = change[key]
                    parts.append(f"{word} {c['scenario']:,} (case: {c['case']:,})")
            rows.append((f"quota of {names.activity(act)}", "; ".join(parts)))
        if not changed:
            rows.append(("quotas", "as in the case"))
        for t in g.get("targets") or []:
            rows.append((f"target {t['name']}", target_words(t, names)))
        if not g.get("targets"):
            rows.append(("targets", "none"))
    for b in s.get("blackouts") or []:
        rows.append(("stop (blackout)", _blackout_words(b)))
    if not s.get("blackouts"):
        rows.append(("stops (blackouts)", "none"))
    if not g:
        return pd.DataFrame(rows, columns=["setting", "value"])
    if g.get("previous_plan"):
        as_of = f", re-planned as of {_day(g['as_of'])}" if g.get("as_of") else ""
        rows.append(("previous plan", f"{g['previous_plan']}{as_of}"))
        rows.append(("applicants withdrawn", f"{int(g.get('withdrawn') or 0):,}"))
    order = g.get("objective") or s.get("objective_order") or []
    if not g.get("previous_plan"):  # stability counts changes to a previous plan: none here
        order = [x for x in order if x != "stability"]
    rows.append(("objective, in order", ", then ".join(LEVEL_WORDS.get(x, x) for x in order)))
    tol = g.get("tolerances") or {}
    rows.append(
        (
            "tolerances",
            "; ".join(f"{LEVEL_WORDS.get(k, k)} within {v:.2%} of its best" for k, v in tol.items())
            or "none: each level at its best",
        )
    )
    rows.append(("solver", _solver_words(g.get("solver") or {}, s.get("solver") or {})))
    return pd.DataFrame(rows, columns=["setting", "value"])


def _solver_words(asked: dict, used: dict) -> str:
    name = {"highs": "HiGHS", "cbc": "CBC"}.get(str(asked.get("name")), str(asked.get("name")))
    version = f" {used['version']}" if used.get("version") else ""
    limit = asked.get("time_limit_s")
    threads = int(asked.get("threads") or 1)
    gap = float(asked.get("mip_gap") or 0)
    return (
        f"{name}{version}; "
        + (f"time limit {limit:g} s" if limit else "no time limit")
        + (
            f"; stops within {gap:.2%} of the best plan"
            if gap
            else "; seeks the best plan, no gap allowed"
        )
        + f"; {threads} thread{'s' if threads != 1 else ''}; seed {asked.get('seed')}"
    )


def settings_text(res: RunFolder) -> str:
    """The section's heading and one line on what it lists."""
    s = res["summary"]
    return (
        f"{HEADING}\n\n"
        "What the scenario asks: the settings of the scenario and its case as they were "
        f"when it was run, on {when(s.get('run_at'))}."
    )
