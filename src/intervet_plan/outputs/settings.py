"""What summary.json says about the scenario's settings, for the report's "Scenario settings"
section (which reads only the run folder): the budget and where it comes from, the quotas
the scenario changes from the case, the targets as declared, the objective order and
tolerances, the solver settings, and for a re-plan the previous plan, its date and the
withdrawn applicants (counted, never named). Also the participant type of each activity,
which the report's partner table splits by. No files are read or written here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

from intervet_plan.domain.context import Context
from intervet_plan.inputs.scenario import Target


def run_at() -> str:
    """The current local time as an ISO timestamp with its UTC offset, to the second
    (``2024-06-12T14:03:27+02:00``)."""
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def settings_dict(ctx: Context) -> dict:
    """summary.json's ``settings``: ``budget_eur`` (the plan's budget), ``budget_source``
    (``case`` or ``scenario``) and ``case_budget_eur``; ``quotas_changed`` (activity_id ->
    ``{quota|quota_min: {case, scenario}}``, only the values that differ from the case);
    ``targets`` as the scenario declares them (:func:`target_dict`; a ``for_each`` target
    once, not per value); ``objective`` (the order), ``tolerances`` (level -> relative
    tolerance); ``solver`` (name, time_limit_s, mip_gap, threads, seed); ``previous_plan``
    (its file name, None), ``as_of`` (ISO date, None) and ``withdrawn`` (how many
    applicants). Blackouts are summary.json's own ``blackouts``."""
    sc, case = ctx.scenario, ctx.case
    acts = case.activities
    changed: dict[str, dict] = {}
    for act, q in sorted(sc.quotas.items()):
        for key, value in sorted(q.items()):
            before = int(acts.at[act, key]) if act in acts.index else None
            if before != int(value):
                changed.setdefault(str(act), {})[key] = {"case": before, "scenario": int(value)}
    s = sc.solver
    return {
        "budget_eur": round(float(ctx.budget_eur), 2),
        "budget_source": "case" if sc.budget_eur is None else "scenario",
        "case_budget_eur": round(float(case.budget_eur), 2),
        "quotas_changed": changed,
        "targets": [target_dict(t) for t in sc.targets],
        "objective": list(ctx.objective),
        "tolerances": {str(k): float(v) for k, v in sc.tolerances.items()},
        "solver": {
            "name": s.name,
            "time_limit_s": s.time_limit_s,
            "mip_gap": s.mip_gap,
            "threads": s.threads,
            "seed": s.seed,
        },
        "previous_plan": None if sc.previous_plan is None else Path(sc.previous_plan).name,
        "as_of": None if sc.as_of is None else sc.as_of.isoformat(),
        "withdrawn": len(sc.withdrawn),
    }


def target_dict(t: Target) -> dict:
    """A declared target: ``name``, ``kind`` (``share``, ``count``), ``of`` (the filter,
    attribute -> sorted values; empty for a ``for_each`` target), ``for_each`` (None),
    ``among`` (the scope), ``min``, ``max``, ``hard`` and ``weight``."""
    return {
        "name": t.name,
        "kind": t.kind,
        "of": _filter(t.match),
        "for_each": t.for_each,
        "among": _filter(t.among),
        "min": t.min,
        "max": t.max,
        "hard": bool(t.hard),
        "weight": float(t.weight),
    }


def _filter(f: Mapping[str, frozenset[object]]) -> dict[str, list]:
    """A target filter for JSON: attribute -> sorted values (booleans stay booleans)."""
    return {str(k): sorted(v, key=str) for k, v in sorted(f.items())}


def participant_types(ctx: Context) -> dict[str, str]:
    """activity_id -> participant type (``learner``, ``staff``) of every activity."""
    return {str(a): str(t) for a, t in ctx.case.activities["participant_type"].items()}
