"""Check a given (possibly hand-edited) allocation against every rule of SPEC 3, using the
same rule functions as the model, and compare two allocations."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .context import PLAN_KEY, Context
from .costs import org_support_rows
from .eligibility import RULES, _pairs_frame, first_failing_rule
from .errors import InputError, Problem
from .io import read_table_csv
from .results import MONEY_COLUMNS
from .rules import LE, all_rows, org_support_total, placement_frame

TOLERANCE = 1e-6


@dataclass(frozen=True)
class Violation:
    rule: str
    ids: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule} [{self.ids}]: {self.message}"


def read_allocation(path: Path) -> pd.DataFrame:
    """Read an allocation CSV (as written by ``run``, or hand-edited): text cells."""
    problems: list[Problem] = []
    table = read_table_csv(Path(path), problems)
    if table is None:
        raise InputError(problems, f"allocation {path}")
    missing = [c for c in PLAN_KEY if c not in table.header]
    if missing:
        raise InputError(
            [
                Problem(table.source, 1, c, "required column is missing from the header")
                for c in missing
            ],
            f"allocation {path}",
        )
    df = pd.DataFrame(table.rows, columns=table.header)
    df["_line"] = table.lines
    return df


def check_allocation(ctx: Context, alloc_path: Path) -> list[Violation]:
    """Every rule the allocation breaks (empty list: none)."""
    raw = read_allocation(alloc_path)
    case = ctx.case
    label = Path(alloc_path).name
    problems = []
    for col, index in (
        ("participant_id", case.participants.index),
        ("offer_id", case.offers.index),
    ):
        bad = ~raw[col].isin(index)
        for line, v in zip(raw.loc[bad, "_line"], raw.loc[bad, col], strict=True):
            problems.append(Problem(label, int(line), col, f"'{v}' is not a {col} of the case"))
    if problems:
        raise InputError(problems, f"allocation {alloc_path}")

    out: list[Violation] = []
    dup = raw.duplicated(PLAN_KEY, keep="first")
    for _, r in raw[dup].iterrows():
        out.append(
            Violation(
                "one_per_offer",
                f"{r.participant_id}, {r.offer_id}",
                f"placed twice in the same offer (line {r._line})",
            )
        )
    raw = raw[~dup].reset_index(drop=True)

    fixed = set(map(tuple, ctx.fixed[PLAN_KEY].to_numpy())) if len(ctx.fixed) else set()
    is_fixed = np.array(
        [k in fixed for k in zip(raw.participant_id, raw.offer_id, strict=True)], bool
    )
    p_pos = case.participants.index.get_indexer(raw["participant_id"])
    o_pos = case.offers.index.get_indexer(raw["offer_id"])
    reasons = first_failing_rule(case, _pairs_frame(case, p_pos, o_pos), ctx.window)
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
            bound = "at most" if row.sense == LE else "at least"
            out.append(
                Violation(
                    row.rule,
                    ids or row.name,
                    f"{_fmt(lhs)} where {bound} {_fmt(row.rhs)} is allowed (by {_fmt(-slack)})",
                )
            )
    out += _cost_violations(ctx, raw, f)
    return out


def _fmt(v: float) -> str:
    return f"{v:,.2f}" if abs(v - round(v)) > 1e-9 else f"{round(v):,}"


def _cost_violations(ctx: Context, raw: pd.DataFrame, f: pd.DataFrame) -> list[Violation]:
    """Money columns given in the file must equal SPEC 3.4 to the cent."""
    present = [c for c in MONEY_COLUMNS if c in raw.columns]
    if not present or f.empty:
        return []
    if "start_date" not in f:
        return []
    f = f.copy()
    f["org_support_eur"] = org_support_rows(ctx.case, f)
    f["total_eur"] = f[
        ["travel_eur", "subsistence_eur", "org_support_eur", "inclusion_eur", "extra_eur"]
    ].sum(axis=1)
    out = []
    for c in present:
        given = pd.to_numeric(raw[c].str.replace(",", ".", regex=False), errors="coerce")
        want = f[c].round(2)
        bad = ~np.isclose(given.to_numpy(float), want.to_numpy(float), atol=0.005, rtol=0)
        for i in np.flatnonzero(bad):
            out.append(
                Violation(
                    "cost",
                    f"{raw.at[i, 'participant_id']}, {raw.at[i, 'offer_id']}",
                    f"{c} is {raw.at[i, c]!s}, SPEC 3.4 gives {want.iat[i]:.2f}",
                )
            )
    return out


def diff_allocations(old_path: Path, new_path: Path) -> pd.DataFrame:
    """Per participant: placements ``moved`` (dropped from one offer and added to another),
    ``added`` and ``dropped``. Columns: participant_id, change, old_offer_id, new_offer_id,
    old_start_date, new_start_date."""
    old, new = read_allocation(old_path), read_allocation(new_path)
    rows = []
    for p in sorted(set(old.participant_id) | set(new.participant_id)):
        a = old[old.participant_id == p].sort_values("offer_id")
        b = new[new.participant_id == p].sort_values("offer_id")
        gone = a[~a.offer_id.isin(b.offer_id)]
        came = b[~b.offer_id.isin(a.offer_id)]
        for (_, g), (_, c) in zip(gone.iterrows(), came.iterrows(), strict=False):
            rows.append(
                (p, "moved", g.offer_id, c.offer_id, g.get("start_date"), c.get("start_date"))
            )
        for _, g in gone.iloc[len(came) :].iterrows():
            rows.append((p, "dropped", g.offer_id, None, g.get("start_date"), None))
        for _, c in came.iloc[len(gone) :].iterrows():
            rows.append((p, "added", None, c.offer_id, None, c.get("start_date")))
    return pd.DataFrame(
        rows,
        columns=[
            "participant_id",
            "change",
            "old_offer_id",
            "new_offer_id",
            "old_start_date",
            "new_start_date",
        ],
    )
