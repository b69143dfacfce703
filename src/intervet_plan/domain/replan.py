"""What became of each row of a previous plan in a re-plan (SPEC 7): rows that start before
as_of are ``fixed``, ``interrupted`` (cut the day before the earliest applicable blackout that
began while it was under way) or ``cancelled`` (by their ``status`` or by a blackout covering
their start date); later rows are ``planned``. Pure: the plan's rows come as read by
``inputs.plan``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from intervet_plan.errors import InputError, Problem
from intervet_plan.inputs.case import Case
from intervet_plan.inputs.parsers import parse_date
from intervet_plan.inputs.scenario import Blackout, Scenario

PLAN_KEY = ["participant_id", "offer_id"]
# one row per (participant, offer) of the previous plan
PREVIOUS_COLUMNS = [
    "participant_id",
    "offer_id",
    "start_date",
    "end_date",
    "outcome",  # fixed, interrupted, cancelled or planned
    "reason",  # cancelled: blackout or status; else empty
    "cut",  # interrupted: the last day of the shortened stay; else None
]
CANCELLED_COLUMNS = ["participant_id", "offer_id", "start_date", "end_date", "reason"]
STATUSES = ("planned", "fixed", "interrupted", "done", "cancelled")
PLAN_COLUMNS_NEEDED = ("participant_id", "offer_id", "start_date")


def applies(b: Blackout, host_country: str, sending_country: str) -> bool:
    """A blackout applies to a placement everywhere, or when its host or sending country is
    listed."""
    return b.countries is None or host_country in b.countries or sending_country in b.countries


def outcome(
    status: str,
    start: dt.date,
    end: dt.date,
    blackouts: tuple[Blackout, ...],
    host_country: str,
    sending_country: str,
) -> tuple[str, str, dt.date | None]:
    """(outcome, reason, cut) of a previous-plan row that starts before as_of (SPEC 7)."""
    if status == "cancelled":
        return "cancelled", "status", None
    if status == "done":
        return "fixed", "", None
    mine = [b for b in blackouts if applies(b, host_country, sending_country)]
    if any(b.start <= start <= b.end for b in mine):
        return "cancelled", "blackout", None
    began = [b.start for b in mine if start < b.start <= end]
    if began:
        return "interrupted", "", min(began) - dt.timedelta(days=1)
    if status == "interrupted" and end is not None:
        return "interrupted", "", end  # cut by an earlier re-plan: it stays cut
    return "fixed", "", None


def previous_plan(case: Case, scenario: Scenario) -> pd.DataFrame:
    """The rows of the scenario's previous plan with their outcome (columns
    ``PREVIOUS_COLUMNS``, sorted by participant_id, offer_id); InputError on any problem."""
    if scenario.previous_plan is None:
        return pd.DataFrame(columns=PREVIOUS_COLUMNS)
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
    offers, parts = case.offers, case.participants
    out: list[tuple[object, ...]] = []
    seen: set[tuple[str, str]] = set()
    for cells, line in zip(table.rows, table.lines, strict=True):
        row = dict(zip(table.header, cells, strict=True))
        p, o = row["participant_id"], row["offer_id"]
        bad = False
        if p not in parts.index:
            problems.append(
                Problem(label, line, "participant_id", f"'{p}' is not a participant_id of the case")
            )
            bad = True
        if o not in offers.index:
            problems.append(
                Problem(label, line, "offer_id", f"'{o}' is not an offer_id of the case")
            )
            bad = True
        status = (row.get("status") or "").strip().lower()
        if status and status not in STATUSES:
            problems.append(
                Problem(
                    label, line, "status", f"'{row['status']}' is not one of {', '.join(STATUSES)}"
                )
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
        if bad:
            continue
        end = pd.Timestamp(offers.at[o, "end_date"]).date()
        if status == "interrupted" and row.get("end_date"):
            try:
                end = min(end, parse_date(row["end_date"]))
            except ValueError as e:
                problems.append(Problem(label, line, "end_date", str(e)))
                continue
        if start >= as_of:
            out.append((p, o, start, end, "planned", "", None))
            continue
        host_country = str(offers.at[o, "host_country"])
        sending = str(parts.at[p, "country"])
        what, reason, cut = outcome(status, start, end, scenario.blackouts, host_country, sending)
        out.append((p, o, start, end, what, reason, cut))
    if problems:
        raise InputError(problems, f"previous plan {path}")
    return (
        pd.DataFrame(out, columns=PREVIOUS_COLUMNS)
        .sort_values(PLAN_KEY, kind="stable")
        .reset_index(drop=True)
    )


def cancelled_table(previous: pd.DataFrame) -> pd.DataFrame:
    """cancelled.csv (SPEC 7): the cancelled rows, sorted by participant_id, offer_id."""
    c = previous[previous["outcome"] == "cancelled"]
    return c[CANCELLED_COLUMNS].sort_values(PLAN_KEY).reset_index(drop=True)


def replan_counts(previous: pd.DataFrame, allocation: pd.DataFrame | None) -> dict[str, int | None]:
    """summary.json ``replan`` (SPEC 7): how many rows of the previous plan are fixed,
    interrupted and cancelled, and how its ``planned`` rows compare with the new plan's
    ``planned`` placements, per participant: ``kept`` (same offer), ``moved`` (an offer
    left for another), ``dropped`` and ``added``. The last four are None without a plan."""
    outcome = previous["outcome"]
    out: dict[str, int | None] = {
        k: int((outcome == k).sum()) for k in ("fixed", "interrupted", "cancelled")
    }
    if allocation is None:
        return {**out, "kept": None, "moved": None, "dropped": None, "added": None}
    old = previous.loc[outcome == "planned", PLAN_KEY]
    new = allocation.loc[allocation["status"] == "planned", PLAN_KEY]
    old_of = old.groupby("participant_id")["offer_id"].agg(set).to_dict()
    new_of = new.groupby("participant_id")["offer_id"].agg(set).to_dict()
    kept = moved = dropped = added = 0
    for p in set(old_of) | set(new_of):
        a, b = old_of.get(p, set()), new_of.get(p, set())
        gone, came = len(a - b), len(b - a)
        kept += len(a & b)
        moved += min(gone, came)
        dropped += gone - min(gone, came)
        added += came - min(gone, came)
    return {**out, "kept": kept, "moved": moved, "dropped": dropped, "added": added}
