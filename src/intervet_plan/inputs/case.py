"""Validate raw tables into a frozen, typed :class:`Case` (SPEC section 2).

Every rule of every table (:mod:`~intervet_plan.inputs.case_tables`), then every rule
across tables (:mod:`~intervet_plan.inputs.case_rules`), is checked and all failures are
collected before anything is reported (like pandera's ``lazy=True``). Each failure names the
file or sheet, the spreadsheet line, the column, the value and the rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import pandas as pd

from intervet_plan.errors import InputError, Problem
from intervet_plan.inputs.case_rules import ParsedCase, check_rules
from intervet_plan.inputs.case_tables import Row, check_meta, check_table, table_label
from intervet_plan.inputs.files import read_case
from intervet_plan.inputs.raw import RawCase
from intervet_plan.inputs.repeated import summarise
from intervet_plan.inputs.schemas import CASE_KEYS, TABLES


@dataclass(frozen=True)
class Case:
    """A validated planning case. Tables are indexed by their ids and sorted by them, so
    nothing downstream depends on the order of rows in the input files.

    Dates are ``datetime64`` columns; lists are tuples; ``offers.sectors`` is ``None`` for
    ``*``. Money is in euro, distances in km.
    """

    name: str
    start_date: dt.date
    end_date: dt.date
    budget_eur: float
    inclusion_support_eur: float
    org_support_threshold: int
    organisations: pd.DataFrame  # index org_id
    activities: pd.DataFrame  # index activity_id
    participants: pd.DataFrame  # index participant_id; + country, region
    offers: pd.DataFrame  # index offer_id; + host_country, host_group, participant_type
    host_capacity: pd.Series  # host_id -> max_concurrent
    travel_bands: pd.DataFrame  # sorted by min_km; max_km NaN = unbounded
    country_groups: pd.Series  # country -> group
    daily_rates: pd.DataFrame  # index (group, participant_type)
    location: Path = Path(".")
    inputs: dict[str, Path] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # table -> file or sheet label

    def source(self, table: str) -> str:
        return self.sources.get(table, f"{table}.csv")


def load_case(path: str | Path) -> Case:
    """Read and validate a case folder or workbook; raise :class:`InputError` listing every
    problem found (repeated problems of a column are shown in one line each)."""
    case, problems = validate_raw(read_case(path))
    if problems or case is None:
        raise InputError(problems, what=f"case {path}", shown=summarise(problems))
    return case


def validate_raw(raw: RawCase) -> tuple[Case | None, list[Problem]]:
    """Check every rule; return the Case (``None`` when any problem was found) and problems.

    The problems of reading come first, then those of ``case.yaml``, of each table on its
    own and of the rules across tables; they are reported sorted by :func:`problem_order`.
    """
    problems: list[Problem] = list(raw.problems)
    labels = {
        s.name: raw.tables[s.name].source if s.name in raw.tables else table_label(raw, s)
        for s in TABLES
    }
    meta = check_meta(raw, problems)
    rows: dict[str, list[Row]] = {}
    for schema in TABLES:
        if schema.name in raw.tables:
            rows[schema.name] = check_table(
                schema, raw.tables[schema.name], labels[schema.name], problems
            )
    parsed = ParsedCase(meta, rows, labels)
    problems += check_rules(parsed)
    if problems:
        order = problem_order(raw.meta_source, labels)
        return None, sorted(dict.fromkeys(problems), key=order)
    return build_case(raw, parsed), []


def problem_order(
    meta_source: str, labels: dict[str, str]
) -> Callable[[Problem], tuple[int, str, int, int, str]]:
    """The sort key of problems: files in the order of SPEC 2, then line, then the line
    itself and its columns as the table declares them."""
    order = [meta_source] + [labels[s.name] for s in TABLES]

    def key(p: Problem) -> tuple[int, str, int, int, str]:
        rank = order.index(p.source) if p.source in order else -1
        names = (
            list(CASE_KEYS)
            if rank == 0
            else [c.name for c in TABLES[rank - 1].columns]
            if rank > 0
            else []
        )
        # a problem of a whole line (too many values) comes before those of its cells
        col = -1 if p.column is None else names.index(p.column) if p.column in names else len(names)
        return (rank, p.source, p.line or 0, col, p.column or "")

    return key


def build_case(raw: RawCase, parsed: ParsedCase) -> Case:
    """The typed :class:`Case` of rows that broke no rule."""
    m = parsed.meta
    orgs = _frame(parsed.rows["organisations"], "org_id")
    groups = pd.Series(
        {r["country"]: r["group"] for r in parsed.rows["country_groups"]},
        name="group",
        dtype=object,
    ).sort_index()
    groups.index.name = "country"
    acts = _frame(parsed.rows["activities"], "activity_id")
    acts["org_support_after_eur"] = (
        acts["org_support_after_eur"]
        .where(acts["org_support_after_eur"].notna(), acts["org_support_eur"])
        .astype(float)
    )
    for c in ("quota", "quota_min", "travel_days"):
        acts[c] = acts[c].astype(int)
    for c in ("org_support_eur", "extra_eur"):
        acts[c] = acts[c].astype(float)

    parts = _frame(parsed.rows["participants"], "participant_id")
    parts["country"] = parts["org_id"].map(orgs["country"])
    parts["region"] = parts["org_id"].map(orgs["region"])
    for c in ("available_from", "available_to", "graduation_date"):
        parts[c] = pd.to_datetime(parts[c])
    parts["priority"] = parts["priority"].astype(float)
    parts["max_mobilities"] = parts["max_mobilities"].astype(int)
    parts["fewer_opportunities"] = parts["fewer_opportunities"].astype(bool)

    offers = _frame(parsed.rows["offers"], "offer_id")
    for c in ("start_date", "end_date"):
        offers[c] = pd.to_datetime(offers[c])
    offers["seats"] = offers["seats"].astype(int)
    offers["host_country"] = offers["host_id"].map(orgs["country"])
    offers["host_group"] = offers["host_country"].map(groups)
    offers["participant_type"] = offers["activity_id"].map(acts["participant_type"])
    offers["direction"] = offers["activity_id"].map(acts["direction"])

    cap_rows = parsed.rows.get("host_capacity", [])
    cap = pd.Series(
        {r["host_id"]: int(cast(int, r["max_concurrent"])) for r in cap_rows},
        name="max_concurrent",
        dtype="int64",
    ).sort_index()
    cap.index.name = "host_id"

    bands = pd.DataFrame(parsed.rows["travel_bands"]).drop(columns="_line")
    bands = bands.sort_values("min_km").reset_index(drop=True)
    bands["max_km"] = pd.to_numeric(bands["max_km"]).astype(float)
    bands["min_km"] = bands["min_km"].astype(float)
    bands["eur"] = bands["eur"].astype(float)

    rates = pd.DataFrame(parsed.rows["daily_rates"]).drop(columns="_line")
    rates = rates.set_index(["group", "participant_type"]).sort_index()
    rates = rates.astype({"eur_per_day": float, "eur_per_day_after_14": float})

    return Case(
        name=str(m["name"]),
        # the keys were parsed by their column kinds and passed the rules
        start_date=cast(dt.date, m["start_date"]),
        end_date=cast(dt.date, m["end_date"]),
        budget_eur=float(cast(float, m["budget_eur"])),
        inclusion_support_eur=float(cast(float, m["inclusion_support_eur"])),
        org_support_threshold=int(cast(int, m["org_support_threshold"])),
        organisations=orgs,
        activities=acts,
        participants=parts,
        offers=offers,
        host_capacity=cap,
        travel_bands=bands,
        country_groups=groups,
        daily_rates=rates,
        location=raw.location,
        inputs=dict(raw.files),
        sources=dict(parsed.labels),
    )


def _frame(rows: list[dict[str, object]], key: str) -> pd.DataFrame:
    df = pd.DataFrame(rows).drop(columns="_line", errors="ignore")
    return df.set_index(key).sort_index()
