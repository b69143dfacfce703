"""The scenario (SPEC section 4): a strict, typed model of what a scenario file says.

Reading and checking the file is :func:`intervet_plan.inputs.scenario_file.load_scenario`;
:func:`check_against_case` checks the rules that need the case.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from intervet_plan.errors import Problem
from intervet_plan.inputs.raw import RawTable

if TYPE_CHECKING:
    from intervet_plan.inputs.case import Case

LEVELS = ("placements", "stability", "targets", "priority", "preferences", "cost")
SOLVERS = ("highs", "cbc")
MATCH_ATTRIBUTES = ("gender", "fewer_opportunities", "country", "sector", "org_id")
SCOPE_ATTRIBUTES = ("participant_type", "activity_id", "direction")
TOP_KEYS = (
    "name",
    "case",
    "budget_eur",
    "quotas",
    "targets",
    "blackouts",
    "previous_plan",
    "as_of",
    "withdrawn",
    "objective",
    "tolerances",
    "solver",
)
QUOTA_KEYS = ("quota", "quota_min")
TARGET_KEYS = ("name", "share_of", "count_of", "for_each", "among", "min", "max", "hard", "weight")
BLACKOUT_KEYS = ("from", "to", "countries")
SOLVER_KEYS = ("name", "time_limit_s", "mip_gap", "threads", "seed")


@dataclass(frozen=True)
class Target:
    """A share or count over placements (SPEC 3.3). ``match`` and ``among`` map an attribute
    to the accepted values (several keys: all must match)."""

    name: str
    kind: str  # "share" or "count"
    match: Mapping[str, frozenset[object]]
    among: Mapping[str, frozenset[object]] = field(default_factory=dict)
    min: float | None = None
    max: float | None = None
    hard: bool = False
    weight: float = 1.0
    for_each: str | None = None  # expanded per value by the model


@dataclass(frozen=True)
class Blackout:
    start: dt.date
    end: dt.date
    countries: frozenset[str] | None = None  # None: everywhere


@dataclass(frozen=True)
class SolverSettings:
    name: str = "highs"
    time_limit_s: float | None = None
    mip_gap: float = 0.0
    threads: int = 1
    seed: int = 0


@dataclass(frozen=True)
class Scenario:
    name: str
    case_path: Path
    path: Path | None = None
    budget_eur: float | None = None
    quotas: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    targets: tuple[Target, ...] = ()
    blackouts: tuple[Blackout, ...] = ()
    previous_plan: Path | None = None
    as_of: dt.date | None = None
    withdrawn: tuple[str, ...] = ()  # participants who dropped out (SPEC 4)
    objective: tuple[str, ...] = LEVELS
    tolerances: Mapping[str, float] = field(default_factory=dict)
    solver: SolverSettings = field(default_factory=SolverSettings)
    # line of each key path in the file ("quotas.WBL", "targets[0].among"), for messages
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)
    # the previous plan as read (its rows are checked against the case by domain.context),
    # and the problems of reading it (reported there, after those of the case)
    previous_table: RawTable | None = field(default=None, compare=False, repr=False)
    previous_problems: tuple[Problem, ...] = field(default=(), compare=False, repr=False)


def suggest(key: str, valid: tuple[str, ...], what: str = "valid keys") -> str:
    """``did you mean 'x'?`` for the nearest valid name, else the list of valid names."""
    close = difflib.get_close_matches(str(key), valid, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return f"{what}: {', '.join(valid)}"


def check_against_case(scenario: Scenario, case: Case) -> list[Problem]:
    """Rules that need the case: quota overrides and target scopes name real activities,
    target filters name real organisations, and merged quota_min <= quota."""
    acts = case.activities
    orgs = case.organisations
    label = str(scenario.path) if scenario.path else "scenario"
    lines = getattr(scenario, "lines", {}) or {}
    problems: list[Problem] = []

    def add(path: str, message: str) -> None:
        problems.append(Problem(label, lines.get(path) or None, path, message))

    for act, q in scenario.quotas.items():
        if act not in acts.index:
            add(
                f"quotas.{act}",
                f"'{act}' is not an activity_id of the case; "
                f"{suggest(act, tuple(acts.index), 'activities')}",
            )
            continue
        quota = q.get("quota", int(acts.at[act, "quota"]))
        qmin = q.get("quota_min", int(acts.at[act, "quota_min"]))
        if qmin > quota and "quota_min" in q:
            add(f"quotas.{act}.quota_min", f"'{qmin}' is greater than quota {quota} of the case")
        elif qmin > quota:
            add(f"quotas.{act}.quota", f"'{quota}' is less than quota_min {qmin} of the case")
    known = case.participants.index
    for i, pid in enumerate(scenario.withdrawn):
        if pid not in known:
            problems.append(
                Problem(
                    label,
                    lines.get(f"withdrawn[{i}]") or lines.get("withdrawn") or None,
                    "withdrawn",
                    f"'{pid}' is not a participant_id of the case",
                )
            )
    for t in scenario.targets:
        for a in sorted(map(str, t.among.get("activity_id", ()))):
            if a not in acts.index:
                add(
                    f"targets.{t.name}.among.activity_id",
                    f"'{a}' is not an activity_id of the case; "
                    f"{suggest(a, tuple(acts.index), 'activities')}",
                )
        kind = "count_of" if t.kind == "count" else "share_of"
        for o in sorted(map(str, t.match.get("org_id", ()))):
            if o not in orgs.index:
                add(f"targets.{t.name}.{kind}.org_id", f"'{o}' is not an org_id of the case")
    return problems
