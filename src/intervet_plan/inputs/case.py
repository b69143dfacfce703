"""Validate raw tables into a frozen, typed :class:`Case` (SPEC section 2).

Every rule of every table, then every cross-table rule, is checked and all failures are
collected before anything is reported (like pandera's ``lazy=True``). Each failure names the
file or sheet, the spreadsheet line, the column, the value and the rule.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from intervet_plan.errors import InputError, Problem
from intervet_plan.inputs.files import read_case
from intervet_plan.inputs.limits import INT_LIMIT, NUMBER_LIMIT, id_problem, quoted, shown
from intervet_plan.inputs.raw import RawCase, RawTable
from intervet_plan.inputs.schemas import CASE_KEYS, TABLES, Column, Kind, TableSchema

COUNTRY_RE = re.compile(r"\A[A-Z]{2}\Z")  # \Z: no trailing newline, whatever the call
LANG_RE = re.compile(r"\A[a-z]{2}\Z")
DATE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ]00:00(?::00(?:\.0+)?)?)?$")
TRUE = {"true", "yes", "1"}
FALSE = {"false", "no", "0"}


class _Bad(ValueError):
    """A cell that breaks its column's rule; the text is the rule, after the value."""


# ------------------------------------------------------------------ cell parsers


def _q(v: object) -> str:
    return quoted(v)


DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+")


def parse_number(v: str, decimal_comma: bool = False) -> float:
    """A finite number. ``decimal_comma``: the cell comes from a ``;``-separated file, where
    ``2,5`` means 2.5 (European Excel)."""
    s = v.strip()
    if DECIMAL_COMMA.fullmatch(s):
        if not decimal_comma:
            raise _Bad(
                f"{_q(v)} is not a number; write decimals with a point (a decimal comma "
                "is read only in files separated by ;)"
            )
        s = s.replace(",", ".")
    if s.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        raise _Bad(f"{_q(v)} is not a finite number")
    try:
        x = float(s)
    except ValueError:
        raise _Bad(f"{_q(v)} is not a number") from None
    if x != x or x in (float("inf"), float("-inf")):
        raise _Bad(f"{_q(v)} is not a finite number")
    if abs(x) > NUMBER_LIMIT:
        raise _Bad(f"{_q(v)} is too large; it must be {NUMBER_LIMIT:.0f} or less")
    return x


def parse_int(v: str, decimal_comma: bool = False) -> int:
    try:
        x = parse_number(v, decimal_comma)
    except _Bad as e:
        if "too large" in str(e):
            raise _Bad(f"{_q(v)} is too large; it must be {INT_LIMIT} or less") from None
        raise _Bad(f"{_q(v)} is not a whole number") from None
    if not x.is_integer():
        raise _Bad(f"{_q(v)} is not a whole number")
    if abs(x) > INT_LIMIT:
        raise _Bad(f"{_q(v)} is too large; it must be {INT_LIMIT} or less")
    return int(x)


def parse_date(v: str) -> dt.date:
    m = DATE_RE.match(v.strip())
    try:
        if not m:
            raise ValueError
        return dt.date.fromisoformat(m.group(1))
    except ValueError:
        raise _Bad(f"{_q(v)} is not a date in the form YYYY-MM-DD") from None


def parse_bool(v: str) -> bool:
    s = v.strip().lower()
    if s in TRUE:
        return True
    if s in FALSE:
        return False
    raise _Bad(f"{_q(v)} is not a boolean (true/false, yes/no or 1/0)")


def parse_id(v: str) -> str:
    """An identifier (SPEC 2; the rule is :func:`intervet_plan.inputs.limits.id_problem`)."""
    problem = id_problem(v)
    if problem is not None:
        raise _Bad(problem)
    return v


def split_list(v: str) -> list[str]:
    return [x.strip() for x in v.split(";") if x.strip()]


def _parse_cell(col: Column, v: str, decimal_comma: bool = False) -> object:
    k = col.kind
    if k in (Kind.TEXT,):
        return v
    if k == Kind.ID:
        return parse_id(v)
    if k == Kind.ENUM:
        if v not in col.choices:
            raise _Bad(f"{_q(v)} is not one of {', '.join(col.choices)}")
        return v
    if k in (Kind.INT, Kind.NUMBER):
        x: float | int = (
            parse_int(v, decimal_comma) if k == Kind.INT else parse_number(v, decimal_comma)
        )
        if col.min is not None and col.max is not None and not col.min <= x <= col.max:
            raise _Bad(f"{_q(v)} is outside {col.min:g}..{col.max:g}")
        if col.min is not None and x < col.min:
            raise _Bad(f"{_q(v)} must be {col.min:g} or more")
        if col.max is not None and x > col.max:
            raise _Bad(f"{_q(v)} must be {col.max:g} or less")
        return x
    if k == Kind.BOOL:
        return parse_bool(v)
    if k == Kind.DATE:
        return parse_date(v)
    if k == Kind.COUNTRY:
        if not COUNTRY_RE.match(v):
            raise _Bad(f"{_q(v)} is not a two-letter ISO 3166-1 country code (XK for Kosovo)")
        return v
    if k == Kind.ID_LIST:
        items = split_list(v)
        for x in items:
            parse_id(x)
        return tuple(items)
    if k == Kind.LANG_LIST:
        items = [x.lower() for x in split_list(v)]
        for x in items:
            if not LANG_RE.match(x):
                raise _Bad(f"{_q(x)} is not a two-letter ISO 639-1 language code")
        return tuple(sorted(set(items)))
    if k == Kind.SECTORS:
        if v.strip() == "*":
            return None
        items = split_list(v)
        if not items:
            raise _Bad(f"{_q(v)} lists no sector; give sectors separated by ; or * for all")
        return tuple(sorted(set(items)))
    raise AssertionError(k)  # pragma: no cover


# ------------------------------------------------------------------------ the Case


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
    problem found."""
    case, problems = validate_raw(read_case(path))
    if problems or case is None:
        raise InputError(problems, what=f"case {path}")
    return case


def validate_raw(raw: RawCase) -> tuple[Case | None, list[Problem]]:
    """Check every rule; return the Case (``None`` when any problem was found) and problems."""
    v = _Validator(raw)
    v.run()
    if v.problems:
        return None, sorted(dict.fromkeys(v.problems), key=v.problem_order)
    return v.build(), []


class _Validator:
    def __init__(self, raw: RawCase) -> None:
        self.raw = raw
        self.problems: list[Problem] = list(raw.problems)
        self.rows: dict[str, list[dict[str, object]]] = {}  # table -> parsed rows (+ _line)
        self.meta: dict[str, object] = {}
        self.labels = {
            s.name: raw.tables[s.name].source if s.name in raw.tables else _label(raw, s)
            for s in TABLES
        }

    def problem_order(self, p: Problem) -> tuple[int, str, int, int, str]:
        """Files in the order of SPEC 2, then line, then columns as the table declares them."""
        order = [self.raw.meta_source] + [self.labels[s.name] for s in TABLES]
        rank = order.index(p.source) if p.source in order else -1
        names = (
            list(CASE_KEYS)
            if rank == 0
            else [c.name for c in TABLES[rank - 1].columns]
            if rank > 0
            else []
        )
        col = names.index(p.column) if p.column in names else len(names)
        return (rank, p.source, p.line or 0, col, p.column or "")

    def add(self, table: str, line: int | None, column: str | None, message: str) -> None:
        self.problems.append(Problem(self.labels.get(table, table), line, column, message))

    # --- per table
    def run(self) -> None:
        self._meta()
        for schema in TABLES:
            if schema.name in self.raw.tables:
                self._table(schema, self.raw.tables[schema.name])
        self._cross()

    def _meta(self) -> None:
        src, lines = self.raw.meta_source, self.raw.meta_lines
        if not self.raw.meta and any(p.source == src for p in self.problems):
            return
        # A key that is unknown but close to a known, absent one is a misspelling: say so
        # (other unknown keys, such as notes, are ignored like extra columns).
        misspelt: set[str] = set()
        for k in self.raw.meta:
            if str(k) in CASE_KEYS:
                continue
            close = difflib.get_close_matches(str(k), list(CASE_KEYS), n=1, cutoff=0.75)
            if close and close[0] not in self.raw.meta:
                misspelt.add(close[0])
                self.problems.append(
                    Problem(
                        src, lines.get(str(k)), str(k), f"unknown key; did you mean '{close[0]}'?"
                    )
                )
        for key, (kind, required, default) in CASE_KEYS.items():
            value = self.raw.meta.get(key)
            if isinstance(value, dict | list | tuple | set):
                self.problems.append(
                    Problem(
                        src,
                        lines.get(key),
                        key,
                        f"{_q(_meta_text(value))} must be a single value, not a list or mapping",
                    )
                )
                self.meta[key] = _MISSING
                continue
            text = "" if value is None else _meta_text(value)
            if text == "":
                if required and key not in misspelt:
                    self.problems.append(
                        Problem(src, lines.get(key), key, "a value is required; add it")
                    )
                self.meta[key] = default if not required else _MISSING
                continue
            try:
                col = Column(key, kind, min=0 if kind != Kind.TEXT else None)
                self.meta[key] = _parse_cell(col, text)
            except _Bad as e:
                msg = str(e)
                if key == "budget_eur" and "or more" in msg:
                    msg = f"{_q(text)} must be greater than 0"
                self.problems.append(Problem(src, lines.get(key), key, msg))
                self.meta[key] = _MISSING
        budget = self.meta.get("budget_eur")
        if isinstance(budget, float) and budget == 0:
            self.problems.append(
                Problem(
                    src,
                    lines.get("budget_eur"),
                    "budget_eur",
                    f"{_q(_meta_text(self.raw.meta['budget_eur']))} must be greater than 0",
                )
            )
        elif isinstance(budget, float) and budget < 0.01:  # money is kept to the cent
            self.problems.append(
                Problem(
                    src,
                    lines.get("budget_eur"),
                    "budget_eur",
                    f"{_q(_meta_text(self.raw.meta['budget_eur']))} is less "
                    "than a cent; give the budget in euro",
                )
            )
        s, e = self.meta.get("start_date"), self.meta.get("end_date")
        if isinstance(s, dt.date) and isinstance(e, dt.date) and s > e:
            self.problems.append(
                Problem(src, lines.get("end_date"), "end_date", f"'{e}' is before start_date {s}")
            )

    def _table(self, schema: TableSchema, t: RawTable) -> None:
        present = set(t.header)
        columns = []
        for col in schema.columns:
            if col.name in present:
                columns.append(col)
            elif not col.optional_column:
                self.add(
                    schema.name, 1, col.name, "required column is missing from the header; add it"
                )
        idx = {c: t.header.index(c) for c in present}
        decimal_comma = getattr(t, "decimal_comma", False)
        if not t.rows and not schema.optional:
            self.add(
                schema.name, None, None, f"has a header but no rows; it must list {schema.purpose}"
            )
        parsed: list[dict[str, object]] = []
        first_line: dict[tuple[object, ...], int] = {}
        for cells, line in zip(t.rows, t.lines, strict=True):
            row: dict[str, object] = {"_line": line}
            for col in schema.columns:
                if col.name not in idx:
                    row[col.name] = col.default
                    continue
                text = cells[idx[col.name]]
                if text == "":
                    if col.required:
                        self.add(schema.name, line, col.name, _empty_rule(col))
                        row[col.name] = _MISSING
                    else:
                        row[col.name] = col.default
                    continue
                try:
                    row[col.name] = _parse_cell(col, text, decimal_comma)
                except _Bad as e:
                    msg = str(e)
                    if text.startswith("="):
                        msg += (
                            "; it is a formula with no saved result: open the workbook in "
                            "Excel and save it, or type the value"
                        )
                    self.add(schema.name, line, col.name, msg)
                    row[col.name] = _MISSING
            for c in t.header:  # extra columns are kept as text
                if c not in schema.by_name and c != "_line":
                    row[c] = cells[idx[c]]
            key = tuple(row.get(k) for k in schema.key)
            if all(k is not _MISSING and k is not None for k in key):
                if key in first_line:
                    shown = ", ".join(f"{k:g}" if isinstance(k, float) else str(k) for k in key)
                    self.add(
                        schema.name,
                        line,
                        schema.key[-1] if len(schema.key) > 1 else schema.key[0],
                        f"{_q(shown)} repeats line {first_line[key]}; "
                        f"{' and '.join(schema.key)} must be unique",
                    )
                else:
                    first_line[key] = line
            parsed.append(row)
        self.rows[schema.name] = parsed

    # --- cross-table rules
    def _cross(self) -> None:
        rows = self.rows
        groups = {
            r["country"]: r["group"] for r in rows.get("country_groups", []) if _ok(r["country"])
        }
        orgs = {r["org_id"]: r for r in rows.get("organisations", []) if _ok(r["org_id"])}
        acts = {r["activity_id"]: r for r in rows.get("activities", []) if _ok(r["activity_id"])}
        # A table that is missing or empty was reported already: checking references to it
        # would only repeat that for every row.
        have = {t: bool(rows.get(t)) for t in ("organisations", "activities", "country_groups")}
        olab, alab = self.labels["organisations"], self.labels["activities"]
        start, end = self.meta.get("start_date"), self.meta.get("end_date")
        window_known = isinstance(start, dt.date) and isinstance(end, dt.date)

        for r in rows.get("organisations", []):
            c = r["country"]
            if have["country_groups"] and _ok(c) and c not in groups:
                self.add(
                    "organisations",
                    r["_line"],
                    "country",
                    f"{_q(c)} is not listed in {self.labels['country_groups']}; add its group",
                )

        for r in rows.get("activities", []):
            q, qm = r["quota"], r["quota_min"]
            if _ok(q) and _ok(qm) and qm > q:
                self.add(
                    "activities",
                    r["_line"],
                    "quota_min",
                    f"{_q(str(qm))} is greater than quota {q}",
                )

        for r in rows.get("participants", []):
            line = r["_line"]
            org = orgs.get(r["org_id"])
            if have["organisations"] and _ok(r["org_id"]) and org is None:
                self.add(
                    "participants", line, "org_id", f"{_q(r['org_id'])} is not an org_id in {olab}"
                )
            for a in r["activities"] if _ok(r["activities"]) else ():
                act = acts.get(a)
                if have["activities"] and act is None:
                    self.add(
                        "participants",
                        line,
                        "activities",
                        f"{_q(a)} is not an activity_id in {alab}",
                    )
                elif (
                    act is not None
                    and org is not None
                    and _ok(org["region"])
                    and _ok(act["direction"])
                ):
                    need = "WB" if act["direction"] == "WB_TO_EU" else "EU"
                    if org["region"] != need:
                        article = "an" if act["direction"] == "EU_TO_WB" else "a"
                        self.add(
                            "participants",
                            line,
                            "activities",
                            f"{_q(a)} is {article} {act['direction']} activity: it needs a "
                            "sending "
                            f"organisation in region {need}, but {org['org_id']} is in "
                            f"region {org['region']}",
                        )
            lo, hi = r["available_from"], r["available_to"]
            if _ok(lo) and _ok(hi) and lo > hi:
                self.add(
                    "participants", line, "available_to", f"'{hi}' is before available_from {lo}"
                )
            prefs = r["preferences"] if _ok(r["preferences"]) else ()
            seen: set[str] = set()
            for h in prefs:
                if h in seen:
                    self.add(
                        "participants",
                        line,
                        "preferences",
                        f"{_q(h)} is listed twice; rank each host once",
                    )
                seen.add(h)
                if have["organisations"] and h not in orgs:
                    self.add(
                        "participants", line, "preferences", f"{_q(h)} is not an org_id in {olab}"
                    )

        rates = {(r["group"], r["participant_type"]) for r in rows.get("daily_rates", [])}
        missing_rate: set[tuple[object, object]] = set()
        for r in rows.get("offers", []):
            line = r["_line"]
            host = orgs.get(r["host_id"])
            act = acts.get(r["activity_id"])
            if have["organisations"] and _ok(r["host_id"]) and host is None:
                self.add(
                    "offers", line, "host_id", f"{_q(r['host_id'])} is not an org_id in {olab}"
                )
            if have["activities"] and _ok(r["activity_id"]) and act is None:
                self.add(
                    "offers",
                    line,
                    "activity_id",
                    f"{_q(r['activity_id'])} is not an activity_id in {alab}",
                )
            if (
                host is not None
                and act is not None
                and _ok(host["region"])
                and _ok(act["direction"])
            ):
                need = "EU" if act["direction"] == "WB_TO_EU" else "WB"
                if host["region"] != need:
                    self.add(
                        "offers",
                        line,
                        "host_id",
                        f"{_q(host['org_id'])} is in region {host['region']}, but "
                        f"{act['activity_id']} is {act['direction']}: its hosts must be in "
                        f"region {need}",
                    )
            s, e = r["start_date"], r["end_date"]
            if _ok(s) and _ok(e) and s > e:
                self.add("offers", line, "end_date", f"'{e}' is before start_date {s}")
            if window_known:
                for col in ("start_date", "end_date"):
                    d = r[col]
                    if _ok(d) and not start <= d <= end:  # type: ignore[operator]
                        self.add(
                            "offers",
                            line,
                            col,
                            f"'{d}' is outside the project window {start} to {end}",
                        )
            if (
                host is not None
                and act is not None
                and _ok(host["country"])
                and _ok(act["participant_type"])
                and host["country"] in groups
                and _ok(groups[host["country"]])
                and rows.get("daily_rates")
            ):
                pair = (groups[host["country"]], act["participant_type"])
                if pair not in rates and pair not in missing_rate:
                    missing_rate.add(pair)
                    self.add(
                        "offers",
                        line,
                        "host_id",
                        f"{_q(host['org_id'])} is in {host['country']} (group {pair[0]}), "
                        f"but {self.labels['daily_rates']} has no rate for group {pair[0]} "
                        f"and participant_type {pair[1]}; add that row",
                    )

        for r in rows.get("host_capacity", []):
            if have["organisations"] and _ok(r["host_id"]) and r["host_id"] not in orgs:
                self.add(
                    "host_capacity",
                    r["_line"],
                    "host_id",
                    f"{_q(r['host_id'])} is not an org_id in {olab}",
                )

        self._bands()

    def _bands(self) -> None:
        bands = [
            r
            for r in self.rows.get("travel_bands", [])
            if _ok(r["min_km"]) and r["max_km"] is not _MISSING
        ]
        bands.sort(key=lambda r: r["min_km"])  # type: ignore[arg-type, return-value]
        prev: dict[str, object] | None = None  # the band before, if it is a sound one
        for i, r in enumerate(bands):
            lo, hi, line = r["min_km"], r["max_km"], r["_line"]
            if hi is None and i < len(bands) - 1:
                self.add(
                    "travel_bands",
                    line,
                    "max_km",
                    "is empty but this is not the last band; only the last band may be unbounded",
                )
            if hi is not None and hi <= lo:  # type: ignore[operator]
                self.add(
                    "travel_bands", line, "max_km", f"'{hi:g}' must be greater than min_km {lo:g}"
                )
            if prev is not None:
                pmin, pmax = prev["min_km"], prev["max_km"]
                if lo < pmax:  # type: ignore[operator]
                    self.add(
                        "travel_bands",
                        line,
                        "min_km",
                        f"'{lo:g}' overlaps the band {pmin:g}-{pmax:g} of line "
                        f"{prev['_line']}; bands may not overlap",
                    )
                elif lo > pmax:  # type: ignore[operator]
                    self.add(
                        "travel_bands",
                        line,
                        "min_km",
                        f"'{lo:g}' leaves a gap after the band {pmin:g}-{pmax:g} "
                        f"of line {prev['_line']}; start it at {pmax:g}",
                    )
            sound = hi is not None and hi > lo  # type: ignore[operator]
            prev = r if sound else None

    # --- build the typed case
    def build(self) -> Case:
        m = self.meta
        orgs = _frame(self.rows["organisations"], "org_id")
        groups = pd.Series(
            {r["country"]: r["group"] for r in self.rows["country_groups"]},
            name="group",
            dtype=object,
        ).sort_index()
        groups.index.name = "country"
        acts = _frame(self.rows["activities"], "activity_id")
        acts["org_support_after_eur"] = (
            acts["org_support_after_eur"]
            .where(acts["org_support_after_eur"].notna(), acts["org_support_eur"])
            .astype(float)
        )
        for c in ("quota", "quota_min", "travel_days"):
            acts[c] = acts[c].astype(int)
        for c in ("org_support_eur", "extra_eur"):
            acts[c] = acts[c].astype(float)

        parts = _frame(self.rows["participants"], "participant_id")
        parts["country"] = parts["org_id"].map(orgs["country"])
        parts["region"] = parts["org_id"].map(orgs["region"])
        for c in ("available_from", "available_to", "graduation_date"):
            parts[c] = pd.to_datetime(parts[c])
        parts["priority"] = parts["priority"].astype(float)
        parts["max_mobilities"] = parts["max_mobilities"].astype(int)
        parts["fewer_opportunities"] = parts["fewer_opportunities"].astype(bool)

        offers = _frame(self.rows["offers"], "offer_id")
        for c in ("start_date", "end_date"):
            offers[c] = pd.to_datetime(offers[c])
        offers["seats"] = offers["seats"].astype(int)
        offers["host_country"] = offers["host_id"].map(orgs["country"])
        offers["host_group"] = offers["host_country"].map(groups)
        offers["participant_type"] = offers["activity_id"].map(acts["participant_type"])
        offers["direction"] = offers["activity_id"].map(acts["direction"])

        cap_rows = self.rows.get("host_capacity", [])
        cap = pd.Series(
            {r["host_id"]: int(r["max_concurrent"]) for r in cap_rows},
            name="max_concurrent",
            dtype="int64",
        ).sort_index()
        cap.index.name = "host_id"

        bands = pd.DataFrame(self.rows["travel_bands"]).drop(columns="_line")
        bands = bands.sort_values("min_km").reset_index(drop=True)
        bands["max_km"] = pd.to_numeric(bands["max_km"]).astype(float)
        bands["min_km"] = bands["min_km"].astype(float)
        bands["eur"] = bands["eur"].astype(float)

        rates = pd.DataFrame(self.rows["daily_rates"]).drop(columns="_line")
        rates = rates.set_index(["group", "participant_type"]).sort_index()
        rates = rates.astype({"eur_per_day": float, "eur_per_day_after_14": float})

        return Case(
            name=str(m["name"]),
            start_date=m["start_date"],  # type: ignore[arg-type]
            end_date=m["end_date"],  # type: ignore[arg-type]
            budget_eur=float(m["budget_eur"]),  # type: ignore[arg-type]
            inclusion_support_eur=float(m["inclusion_support_eur"]),  # type: ignore[arg-type]
            org_support_threshold=int(m["org_support_threshold"]),  # type: ignore[arg-type]
            organisations=orgs,
            activities=acts,
            participants=parts,
            offers=offers,
            host_capacity=cap,
            travel_bands=bands,
            country_groups=groups,
            daily_rates=rates,
            location=self.raw.location,
            inputs=dict(self.raw.files),
            sources=dict(self.labels),
        )


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING = _Missing()


def _ok(v: object) -> bool:
    return v is not _MISSING and v is not None


def _empty_rule(col: Column) -> str:
    if col.kind == Kind.ENUM:
        return f"is empty; a value is required (one of {', '.join(col.choices)})"
    if col.kind == Kind.SECTORS:
        return "is empty; list the sectors accepted, separated by ;, or * for all"
    return "is empty; a value is required"


def _meta_text(v: object) -> str:
    if isinstance(v, dict | list | tuple | set):
        return shown(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v).strip()


def _label(raw: RawCase, schema: TableSchema) -> str:
    if raw.location.suffix.lower() in (".xlsx", ".xlsm"):
        return f"{raw.location.name} sheet {schema.name}"
    return schema.file_name


def _frame(rows: list[dict[str, object]], key: str) -> pd.DataFrame:
    df = pd.DataFrame(rows).drop(columns="_line", errors="ignore")
    return df.set_index(key).sort_index()
