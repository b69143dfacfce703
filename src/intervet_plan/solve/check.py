"""Check a given (possibly hand-edited) allocation against every rule of SPEC 3, using the
same rule functions as the model. Works on tables of text cells as
:func:`intervet_plan.inputs.allocation.read_allocation` reads them (two allocations are
compared by :mod:`intervet_plan.solve.diff`)."""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from intervet_plan.domain.context import PLAN_KEY, Context
from intervet_plan.domain.eligibility import RULES, first_failing_rule, pairs_frame
from intervet_plan.errors import InputError, Problem
from intervet_plan.inputs.parsers import parse_bool, parse_date
from intervet_plan.model.build import candidate_frame
from intervet_plan.model.rules import Sense, all_rows, org_support_total, placement_frame
from intervet_plan.solve.fairness import audit, number_text
from intervet_plan.solve.tables import (
    ALLOCATION_COLUMNS,
    MONEY_COLUMNS,
    allocation_csv,
    allocation_table,
    target_table,
)

TOLERANCE = 1e-6
CENT = 0.005  # money columns agree to the cent
METRE = 0.0005  # distance_km agrees to 3 decimals


@dataclass(frozen=True)
class Violation:
    rule: str
    ids: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule} [{self.ids}]: {self.message}"


_ARTICLE = {"participant_id": "a", "offer_id": "an"}


def check_allocation(ctx: Context, table: pd.DataFrame) -> list[Violation]:
    """Every rule the allocation ``table`` breaks (empty list: none). ``table`` holds text
    cells, one row per placement, with participant_id and offer_id; its ``_line`` column
    (else the row's position) and ``attrs["path"]`` name the file in messages, as
    :func:`~intervet_plan.inputs.allocation.read_allocation` gives them."""
    alloc_path = table.attrs.get("path", "allocation.csv")
    raw = table.reset_index(drop=True)
    if "_line" not in raw.columns:
        raw = raw.assign(_line=range(2, len(raw) + 2))
    case = ctx.case
    label = Path(alloc_path).name
    problems = []
    for col, index in (
        ("participant_id", case.participants.index),
        ("offer_id", case.offers.index),
    ):
        bad = ~raw[col].isin(index)
        for line, v in zip(raw.loc[bad, "_line"], raw.loc[bad, col], strict=True):
            problems.append(
                Problem(label, int(line), col, f"'{v}' is not {_ARTICLE[col]} {col} of the case")
            )
    if problems:
        raise InputError(problems, f"allocation {alloc_path}")

    raw, out = _deduplicate(raw)
    out += [
        Violation("column.missing", c, f"column {c} is missing; allocation.csv has it (SPEC 5)")
        for c in ALLOCATION_COLUMNS
        if c not in raw.columns
    ]

    fixed = set(map(tuple, ctx.fixed[PLAN_KEY].to_numpy())) if len(ctx.fixed) else set()
    is_fixed = np.array(
        [k in fixed for k in zip(raw.participant_id, raw.offer_id, strict=True)], bool
    )
    p_pos = case.participants.index.get_indexer(raw["participant_id"])
    o_pos = case.offers.index.get_indexer(raw["offer_id"])
    reasons = first_failing_rule(case, pairs_frame(case, p_pos, o_pos), ctx.window)
    for i in np.flatnonzero((reasons != None) & ~is_fixed):  # noqa: E711
        out.append(
            Violation(
                f"eligibility.{reasons[i]}",
                f"{raw.at[i, 'participant_id']}, {raw.at[i, 'offer_id']}",
                RULES[reasons[i]],
            )
        )
    for p, o in sorted(fixed - set(zip(raw.participant_id, raw.offer_id, strict=True))):
        out.append(
            Violation("fixed", f"{p}, {o}", "a fixed placement of the previous plan is missing")
        )

    f = placement_frame(ctx, raw[PLAN_KEY])
    x = np.ones(len(f))
    org = org_support_total(ctx, f.groupby("activity_id").size())
    for row in all_rows(ctx, f):
        if row.soft:
            continue
        lhs = row.lhs(x) + (org if row.org_support else 0.0)
        slack = row.slack(lhs)
        if slack < -TOLERANCE * max(1.0, abs(row.rhs)):
            ids = ", ".join(f"{v}" for v in row.about.values() if v is not None)
            bound = "at most" if row.sense == Sense.LE else "at least"
            out.append(
                Violation(
                    row.rule,
                    ids or row.name,
                    f"{_fmt(lhs)} where {bound} {_fmt(row.rhs)} is allowed (by {_fmt(-slack)})",
                )
            )
    want = expected_allocation(ctx, raw)
    out += _cost_violations(raw, want)
    out += _column_violations(raw, want)
    return out


def _deduplicate(raw: pd.DataFrame) -> tuple[pd.DataFrame, list[Violation]]:
    """The first row of each (participant_id, offer_id), and a violation for every later one:
    ``duplicate_row`` when it repeats an earlier row cell for cell, else ``one_per_offer``."""
    cells = [c for c in raw.columns if c != "_line"]
    first_line: dict[tuple[str, ...], int] = {}  # a row's cells -> the first line holding them
    keys: set[tuple[str, str]] = set()
    keep: list[int] = []
    out: list[Violation] = []
    rows = raw[cells].itertuples(index=False, name=None)
    for i, (row, line) in enumerate(zip(rows, raw["_line"], strict=True)):
        key = (raw.at[i, "participant_id"], raw.at[i, "offer_id"])
        ids = f"{key[0]}, {key[1]}"
        if key not in keys:
            keys.add(key)
            keep.append(i)
            first_line.setdefault(row, int(line))
        elif row in first_line:
            out.append(
                Violation(
                    "duplicate_row", ids, f"line {line} repeats line {first_line[row]} exactly"
                )
            )
        else:
            first_line[row] = int(line)
            out.append(
                Violation("one_per_offer", ids, f"placed twice in the same offer (line {line})")
            )
    return raw.iloc[keep].reset_index(drop=True), out


def expected_allocation(ctx: Context, pairs: pd.DataFrame) -> pd.DataFrame:
    """allocation.csv as ``run`` writes it for these (participant_id, offer_id) pairs (each
    once, all in the case): text cells, one row per pair, in the order of ``pairs``."""
    keys = pd.MultiIndex.from_frame(pairs[PLAN_KEY].reset_index(drop=True))
    if not len(keys):
        return pd.DataFrame(columns=ALLOCATION_COLUMNS)
    text = allocation_csv(allocation_table(ctx, pairs[PLAN_KEY]))
    want = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    return want.set_index(PLAN_KEY, drop=False).loc[keys].reset_index(drop=True)


def _fmt(v: float) -> str:
    return f"{v:,.2f}" if abs(v - round(v)) > 1e-9 else f"{round(v):,}"


def _cost_violations(raw: pd.DataFrame, want: pd.DataFrame) -> list[Violation]:
    """Money columns given in the file must equal SPEC 3.4 to the cent."""
    out = []
    for c in (c for c in MONEY_COLUMNS if c in raw.columns):
        given = pd.to_numeric(raw[c].str.replace(",", ".", regex=False), errors="coerce")
        bad = ~np.isclose(given.to_numpy(float), want[c].to_numpy(float), atol=CENT, rtol=0)
        for i in np.flatnonzero(bad):
            out.append(
                Violation(
                    "cost",
                    f"{raw.at[i, 'participant_id']}, {raw.at[i, 'offer_id']}",
                    f"{c} is {raw.at[i, c]!s}, SPEC 3.4 gives {want.at[i, c]}",
                )
            )
    return out


def _number(v: str) -> float:
    x = float(v.replace(",", "."))
    if not math.isfinite(x):
        raise ValueError(v)
    return x


def _rank(v: str) -> int | None:
    if not v:
        return None
    x = _number(v)
    if not x.is_integer():
        raise ValueError(v)
    return int(x)


# column -> (how its cells read, what a cell that does not read is not); other columns of
# SPEC 5 are compared as text
_PARSED: dict[str, tuple[Callable[[str], object], str]] = {
    "start_date": (parse_date, "a date in the form YYYY-MM-DD"),
    "end_date": (parse_date, "a date in the form YYYY-MM-DD"),
    "distance_km": (_number, "a number"),
    "fewer_opportunities": (parse_bool, "a boolean (true/false, yes/no or 1/0)"),
    "preference_rank": (_rank, "a whole number (or empty)"),
}


def _cell_message(col: str, given: str, want: str, line: object) -> str | None:
    """What is wrong with a cell of ``col`` that should say ``want`` (None: it agrees)."""
    bad = f"{col} is '{given}' (line {line})"
    if col not in _PARSED:
        return None if given == want else f"{bad}, the case gives '{want}'"
    read, kind = _PARSED[col]
    try:
        g = read(given)
    except ValueError:
        return f"{bad}, which is not {kind}; the case gives '{want}'"
    w = read(want)
    same = abs(g - w) <= METRE + 1e-9 if col == "distance_km" else g == w  # type: ignore[operator]
    return None if same else f"{bad}, the case gives '{want}'"


def _column_violations(raw: pd.DataFrame, want: pd.DataFrame) -> list[Violation]:
    """Every non-money column of SPEC 5's allocation.csv given in the file must say what the
    case and the scenario give for its (participant, offer); row by row, in SPEC order."""
    cols = [
        c
        for c in ALLOCATION_COLUMNS
        if c in raw.columns and c not in PLAN_KEY and c not in MONEY_COLUMNS
    ]
    out = []
    for i in range(len(raw)):
        ids = f"{raw.at[i, 'participant_id']}, {raw.at[i, 'offer_id']}"
        for c in cols:
            msg = _cell_message(c, raw.at[i, c], want.at[i, c], raw.at[i, "_line"])
            if msg is not None:
                out.append(Violation(f"column.{c}", ids, msg))
    return out


def blocking_swaps_of(ctx: Context, table: pd.DataFrame) -> pd.DataFrame:
    """The blocking swaps (SPEC 8.3, fairness.csv's columns) of an allocation ``table`` (text
    cells, as :func:`check_allocation` takes): its rows that are candidate placements of the
    scenario are the plan (a row no rule allows is left out, as is a repeated one), and every
    applicant without such a row is unplaced."""
    pairs = candidate_frame(ctx)
    keys = table[list(PLAN_KEY)].astype(str).drop_duplicates()
    alloc = allocation_table(ctx, pairs.merge(keys, on=list(PLAN_KEY)))
    return audit(ctx, pairs, alloc, target_table(ctx, alloc)).swaps


def swap_lines(swaps: pd.DataFrame) -> list[str]:
    """Blocking swaps as ``intervet-plan check`` prints them: a count line, then one line
    each; or the line saying that nobody is passed over."""
    n = len(swaps)
    if not n:
        return ["no blocking swap: nobody is passed over for someone of lower priority"]
    head = (
        f"{n} blocking swap{'s' if n != 1 else ''} (an unplaced applicant of higher priority "
        "could take the seat; SPEC 8.3):"
    )
    return [head] + [
        f"  {r.participant_id} (priority {number_text(r.priority)}) could take the seat of "
        f"{r.displaced_participant_id} (priority {number_text(r.displaced_priority)}) in "
        f"{r.offer_id}; kept by {r.kept_by}: {r.detail}"
        for r in swaps.itertuples(index=False)
    ]
