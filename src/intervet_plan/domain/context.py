"""A case and a scenario resolved together: the effective budget and quotas, the targets
expanded per value, blackouts, and the fixed and planned placements of a re-plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from intervet_plan.domain.eligibility import Window
from intervet_plan.errors import InputError, Problem
from intervet_plan.inputs.case import Case
from intervet_plan.inputs.load import load_inputs
from intervet_plan.inputs.parsers import parse_date
from intervet_plan.inputs.scenario import LEVELS, Scenario, Target, check_against_case

PLAN_KEY = ["participant_id", "offer_id"]


@dataclass(frozen=True)
class Context:
    """Everything the model needs, in memory. ``fixed`` and ``planned`` are frames of
    (participant_id, offer_id) from a previous plan."""

    case: Case
    scenario: Scenario
    budget_eur: float
    quotas: pd.DataFrame  # index activity_id: quota, quota_min
    targets: tuple[Target, ...]
    window: Window
    fixed: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PLAN_KEY))
    planned: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PLAN_KEY))
    objective: tuple[str, ...] = LEVELS


def load_context(scenario_path: str | Path) -> Context:
    """Load a scenario file and its case (read by :func:`~intervet_plan.inputs.load.load_inputs`)
    and resolve them; InputError on any problem."""
    return build_context(*load_inputs(scenario_path))


def build_context(case: Case, scenario: Scenario) -> Context:
    problems = check_against_case(scenario, case)
    if problems:
        raise InputError(problems, f"scenario {scenario.path or scenario.name}")
    quotas = case.activities[["quota", "quota_min"]].copy()
    for act, q in scenario.quotas.items():
        for k, v in q.items():
            quotas.loc[act, k] = int(v)
    fixed, planned = _previous_plan(case, scenario)
    return Context(
        case=case,
        scenario=scenario,
        budget_eur=case.budget_eur if scenario.budget_eur is None else float(scenario.budget_eur),
        quotas=quotas.astype(int),
        targets=expand_targets(case, scenario.targets),
        window=Window(tuple(scenario.blackouts), scenario.as_of),
        fixed=fixed,
        planned=planned,
        objective=tuple(scenario.objective),
    )


def scope_mask(case: Case, target: Target, activity_ids: pd.Series) -> pd.Series:
    """Which placements (given by their activity_id) are in a target's ``among`` scope."""
    acts = case.activities
    ok = pd.Series(True, index=activity_ids.index)
    for attr, values in target.among.items():
        col = activity_ids if attr == "activity_id" else activity_ids.map(acts[attr])
        ok &= col.isin(list(values))
    return ok


def match_mask(people: pd.DataFrame, match: Mapping[str, frozenset[object]]) -> pd.Series:
    """Which participants (rows of a frame with participant columns) match a filter."""
    ok = pd.Series(True, index=people.index)
    for attr, values in dict(match).items():
        ok &= people[attr].isin(list(values))
    return ok


def expand_targets(case: Case, targets: tuple[Target, ...]) -> tuple[Target, ...]:
    """Replace each ``for_each`` target by one share target per value present among the
    applicants in scope (those who applied for an activity in the target's scope), named
    ``<name>[<value>]``."""
    out: list[Target] = []
    parts = case.participants.assign(country=case.participants["country"])
    applied = parts["activities"].explode().dropna()
    for t in targets:
        if t.for_each is None:
            out.append(t)
            continue
        in_scope = applied[scope_mask(case, t, applied)]
        values = parts.loc[in_scope.index.unique(), t.for_each]
        for v in sorted(values.unique(), key=str):
            value = bool(v) if t.for_each == "fewer_opportunities" else str(v)
            out.append(
                replace(
                    t,
                    name=f"{t.name}[{_show(value)}]",
                    kind="share",
                    match={t.for_each: frozenset([value])},
                    for_each=None,
                )
            )
    return tuple(out)


def _show(v: object) -> str:
    return ("true" if v else "false") if isinstance(v, bool) else str(v)


PLAN_COLUMNS_NEEDED = ("participant_id", "offer_id", "start_date")


def _previous_plan(case: Case, scenario: Scenario) -> tuple[pd.DataFrame, pd.DataFrame]:
    empty = pd.DataFrame(columns=PLAN_KEY)
    if scenario.previous_plan is None:
        return empty, empty.copy()
    path = Path(scenario.previous_plan)
    problems: list[Problem] = list(scenario.previous_problems)
    table = scenario.previous_table
    if table is None:
        raise InputError(problems, f"previous plan {path}")
    label = table.source
    missing = [c for c in PLAN_COLUMNS_NEEDED if c not in table.header]
    if missing:
        raise InputError(
            [Problem(label, 1, c, "required column is missing from the header") for c in missing],
            f"previous plan {path}",
        )
    as_of = scenario.as_of or dt.date.min
    fixed: list[tuple[str, str]] = []
    planned: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for cells, line in zip(table.rows, table.lines, strict=True):
        row = dict(zip(table.header, cells, strict=True))
        p, o = row["participant_id"], row["offer_id"]
        bad = False
        if p not in case.participants.index:
            problems.append(
                Problem(label, line, "participant_id", f"'{p}' is not a participant_id of the case")
            )
            bad = True
        if o not in case.offers.index:
            problems.append(
                Problem(label, line, "offer_id", f"'{o}' is not an offer_id of the case")
            )
            bad = True
        try:
            start = parse_date(row["start_date"])
        except ValueError as e:
            problems.append(Problem(label, line, "start_date", str(e)))
            continue
        if (p, o) in seen:
            problems.append(
                Problem(label, line, "offer_id", f"'{p}' is placed in '{o}' twice; keep one row")
            )
            continue
        seen.add((p, o))
        if not bad:
            (fixed if start < as_of else planned).append((p, o))
    if problems:
        raise InputError(problems, f"previous plan {path}")
    return (
        pd.DataFrame(sorted(fixed), columns=PLAN_KEY),
        pd.DataFrame(sorted(planned), columns=PLAN_KEY),
    )
