"""A case and a scenario resolved together: the effective budget and quotas, the targets
expanded per value, blackouts, and the fixed and planned placements of a re-plan."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from intervet_plan.domain.eligibility import Window
from intervet_plan.domain.replan import PLAN_KEY, PREVIOUS_COLUMNS, cancelled_table, previous_plan
from intervet_plan.errors import InputError
from intervet_plan.inputs.case import Case
from intervet_plan.inputs.load import load_inputs
from intervet_plan.inputs.scenario import LEVELS, Scenario, Target, check_against_case


@dataclass(frozen=True)
class Context:
    """Everything the model needs, in memory. ``fixed`` and ``planned`` are frames of
    (participant_id, offer_id) from a previous plan: ``fixed`` holds every placement that is
    kept as it is, fixed or interrupted (SPEC 7), with ``cut`` the last day of an interrupted
    one (None when fixed); ``planned`` leaves out withdrawn participants. ``previous`` is
    every row of the previous plan with its outcome (``domain.replan``)."""

    case: Case
    scenario: Scenario
    budget_eur: float
    quotas: pd.DataFrame  # index activity_id: quota, quota_min
    targets: tuple[Target, ...]
    window: Window
    fixed: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=[*PLAN_KEY, "cut"]))
    planned: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PLAN_KEY))
    objective: tuple[str, ...] = LEVELS
    previous: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PREVIOUS_COLUMNS))

    @property
    def replan(self) -> bool:
        return self.scenario.previous_plan is not None

    @property
    def cancelled(self) -> pd.DataFrame:
        """cancelled.csv (SPEC 7)."""
        return cancelled_table(self.previous)

    @property
    def interrupted(self) -> pd.DataFrame:
        """(participant_id, offer_id, cut) of the interrupted placements."""
        return self.fixed[self.fixed["cut"].notna()].reset_index(drop=True)


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
    previous = previous_plan(case, scenario)
    outcome = previous["outcome"]
    held = previous[outcome.isin(["fixed", "interrupted"])]
    withdrawn = previous["participant_id"].isin(list(scenario.withdrawn))
    planned = previous[(outcome == "planned") & ~withdrawn]
    return Context(
        case=case,
        scenario=scenario,
        budget_eur=case.budget_eur if scenario.budget_eur is None else float(scenario.budget_eur),
        quotas=quotas.astype(int),
        targets=expand_targets(case, scenario.targets),
        window=Window(tuple(scenario.blackouts), scenario.as_of, frozenset(scenario.withdrawn)),
        fixed=held[[*PLAN_KEY, "cut"]].reset_index(drop=True),
        planned=planned[PLAN_KEY].reset_index(drop=True),
        objective=tuple(scenario.objective),
        previous=previous,
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
