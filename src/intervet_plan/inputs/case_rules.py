"""The rules across tables (SPEC section 2), one generator per rule, each yielding the
:class:`Problem` of every row that breaks it. :data:`RULES` lists them in the order they
are checked.

The rules see the rows as parsed by :mod:`intervet_plan.inputs.case_tables`. A value that
was already reported (:data:`~intervet_plan.inputs.case_tables.MISSING`) is skipped, and a
table that is missing or empty was reported already: checking references to it would only
repeat that for every row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from intervet_plan.errors import Problem
from intervet_plan.inputs.case_tables import MISSING, Row, ok
from intervet_plan.inputs.limits import quoted


@dataclass
class ParsedCase:
    """The parsed ``case.yaml`` keys and table rows, the label of each table for messages,
    and the lookups the rules share."""

    meta: dict[str, object]
    rows: dict[str, list[Row]]
    labels: dict[str, str]
    groups: dict[object, object] = field(init=False)  # country -> group
    orgs: dict[object, Row] = field(init=False)  # org_id -> row
    acts: dict[object, Row] = field(init=False)  # activity_id -> row
    have: dict[str, bool] = field(init=False)  # a referenced table has rows

    def __post_init__(self) -> None:
        rows = self.rows
        self.groups = {
            r["country"]: r["group"] for r in rows.get("country_groups", []) if ok(r["country"])
        }
        self.orgs = {r["org_id"]: r for r in rows.get("organisations", []) if ok(r["org_id"])}
        self.acts = {
            r["activity_id"]: r for r in rows.get("activities", []) if ok(r["activity_id"])
        }
        self.have = {
            t: bool(rows.get(t)) for t in ("organisations", "activities", "country_groups")
        }

    def problem(
        self, table: str, line: object, column: str, message: str, rule: str | None = None
    ) -> Problem:
        """A problem in ``table`` at a line and column; ``rule``: as said of several values
        (:class:`~intervet_plan.errors.Problem`)."""
        label = self.labels.get(table, table)
        return Problem(label, line, column, message, rule=rule)  # type: ignore[arg-type]

    def table(self, name: str) -> list[Row]:
        """The parsed rows of a table (none when it was not read)."""
        return self.rows.get(name, [])


Rule = Callable[[ParsedCase], Iterator[Problem]]


def country_has_group(c: ParsedCase) -> Iterator[Problem]:
    """Every organisation's country is listed in country_groups."""
    for r in c.table("organisations"):
        country = r["country"]
        if c.have["country_groups"] and ok(country) and country not in c.groups:
            yield c.problem(
                "organisations",
                r["_line"],
                "country",
                f"{quoted(country)} is not listed in {c.labels['country_groups']}; add its group",
            )


def quota_min_within_quota(c: ParsedCase) -> Iterator[Problem]:
    """An activity's quota_min is at most its quota."""
    for r in c.table("activities"):
        q, qm = r["quota"], r["quota_min"]
        if ok(q) and ok(qm) and qm > q:  # type: ignore[operator]
            yield c.problem(
                "activities",
                r["_line"],
                "quota_min",
                f"{quoted(str(qm))} is greater than quota {q}",
            )


def participant_org_exists(c: ParsedCase) -> Iterator[Problem]:
    """A participant's org_id is an organisation."""
    for r in c.table("participants"):
        if c.have["organisations"] and ok(r["org_id"]) and r["org_id"] not in c.orgs:
            yield c.problem(
                "participants",
                r["_line"],
                "org_id",
                f"{quoted(r['org_id'])} is not an org_id in {c.labels['organisations']}",
                f"values are not org_ids in {c.labels['organisations']}",
            )


def participant_activities_fit(c: ParsedCase) -> Iterator[Problem]:
    """Each activity a participant applies for exists, and its direction sends from the
    region of the participant's organisation (one rule: the items are reported in order)."""
    for r in c.table("participants"):
        org = c.orgs.get(r["org_id"])
        for a in r["activities"] if ok(r["activities"]) else ():  # type: ignore[attr-defined]
            act = c.acts.get(a)
            if c.have["activities"] and act is None:
                yield c.problem(
                    "participants",
                    r["_line"],
                    "activities",
                    f"{quoted(a)} is not an activity_id in {c.labels['activities']}",
                    f"values name an activity that is not an activity_id in {c.labels['activities']}",
                )
            elif act is not None and org is not None and ok(org["region"]) and ok(act["direction"]):
                need = "WB" if act["direction"] == "WB_TO_EU" else "EU"
                if org["region"] != need:
                    article = "an" if act["direction"] == "EU_TO_WB" else "a"
                    yield c.problem(
                        "participants",
                        r["_line"],
                        "activities",
                        f"{quoted(a)} is {article} {act['direction']} activity: it needs a "
                        "sending "
                        f"organisation in region {need}, but {org['org_id']} is in "
                        f"region {org['region']}",
                    )


def availability_in_order(c: ParsedCase) -> Iterator[Problem]:
    """A participant's available_from is not after available_to."""
    for r in c.table("participants"):
        lo, hi = r["available_from"], r["available_to"]
        if ok(lo) and ok(hi) and lo > hi:  # type: ignore[operator]
            yield c.problem(
                "participants",
                r["_line"],
                "available_to",
                f"'{hi}' is before available_from {lo}",
                "values are before available_from",
            )


def preferences_are_hosts(c: ParsedCase) -> Iterator[Problem]:
    """Each preferred host is listed once and is an organisation."""
    for r in c.table("participants"):
        prefs = r["preferences"] if ok(r["preferences"]) else ()
        seen: set[object] = set()
        for h in prefs:  # type: ignore[attr-defined]
            if h in seen:
                yield c.problem(
                    "participants",
                    r["_line"],
                    "preferences",
                    f"{quoted(h)} is listed twice; rank each host once",
                )
            seen.add(h)
            if c.have["organisations"] and h not in c.orgs:
                yield c.problem(
                    "participants",
                    r["_line"],
                    "preferences",
                    f"{quoted(h)} is not an org_id in {c.labels['organisations']}",
                    f"values name a host that is not an org_id in {c.labels['organisations']}",
                )


def offer_references_exist(c: ParsedCase) -> Iterator[Problem]:
    """An offer's host_id is an organisation and its activity_id an activity."""
    for r in c.table("offers"):
        if c.have["organisations"] and ok(r["host_id"]) and r["host_id"] not in c.orgs:
            yield c.problem(
                "offers",
                r["_line"],
                "host_id",
                f"{quoted(r['host_id'])} is not an org_id in {c.labels['organisations']}",
                f"values are not org_ids in {c.labels['organisations']}",
            )
        if c.have["activities"] and ok(r["activity_id"]) and r["activity_id"] not in c.acts:
            yield c.problem(
                "offers",
                r["_line"],
                "activity_id",
                f"{quoted(r['activity_id'])} is not an activity_id in {c.labels['activities']}",
                f"values are not activity_ids in {c.labels['activities']}",
            )


def offer_host_in_region(c: ParsedCase) -> Iterator[Problem]:
    """An offer's host is in the region its activity's direction sends to."""
    for r in c.table("offers"):
        host, act = c.orgs.get(r["host_id"]), c.acts.get(r["activity_id"])
        if host is None or act is None or not ok(host["region"]) or not ok(act["direction"]):
            continue
        need = "EU" if act["direction"] == "WB_TO_EU" else "WB"
        if host["region"] != need:
            yield c.problem(
                "offers",
                r["_line"],
                "host_id",
                f"{quoted(host['org_id'])} is in region {host['region']}, but "
                f"{act['activity_id']} is {act['direction']}: its hosts must be in "
                f"region {need}",
            )


def offer_dates_in_order(c: ParsedCase) -> Iterator[Problem]:
    """An offer's start_date is not after its end_date."""
    for r in c.table("offers"):
        s, e = r["start_date"], r["end_date"]
        if ok(s) and ok(e) and s > e:  # type: ignore[operator]
            yield c.problem(
                "offers",
                r["_line"],
                "end_date",
                f"'{e}' is before start_date {s}",
                "values are before start_date",
            )


def offer_in_window(c: ParsedCase) -> Iterator[Problem]:
    """An offer's dates lie in the project window (start_date to end_date of case.yaml)."""
    start, end = c.meta.get("start_date"), c.meta.get("end_date")
    if not (isinstance(start, dt.date) and isinstance(end, dt.date)):
        return
    for r in c.table("offers"):
        for col in ("start_date", "end_date"):
            d = r[col]
            if ok(d) and not start <= d <= end:  # type: ignore[operator]
                yield c.problem(
                    "offers",
                    r["_line"],
                    col,
                    f"'{d}' is outside the project window {start} to {end}",
                    f"values are outside the project window {start} to {end}",
                )


def offer_host_has_rate(c: ParsedCase) -> Iterator[Problem]:
    """daily_rates has a rate for the country group of each offer's host and the type of
    its activity (a missing pair is reported once, at its first offer)."""
    if not c.table("daily_rates"):
        return
    rates = {(r["group"], r["participant_type"]) for r in c.table("daily_rates")}
    missing_rate: set[tuple[object, object]] = set()
    for r in c.table("offers"):
        host, act = c.orgs.get(r["host_id"]), c.acts.get(r["activity_id"])
        if (
            host is not None
            and act is not None
            and ok(host["country"])
            and ok(act["participant_type"])
            and host["country"] in c.groups
            and ok(c.groups[host["country"]])
        ):
            pair = (c.groups[host["country"]], act["participant_type"])
            if pair not in rates and pair not in missing_rate:
                missing_rate.add(pair)
                yield c.problem(
                    "offers",
                    r["_line"],
                    "host_id",
                    f"{quoted(host['org_id'])} is in {host['country']} (group {pair[0]}), "
                    f"but {c.labels['daily_rates']} has no rate for group {pair[0]} "
                    f"and participant_type {pair[1]}; add that row",
                )


def capacity_hosts_exist(c: ParsedCase) -> Iterator[Problem]:
    """Each host of host_capacity is an organisation."""
    for r in c.table("host_capacity"):
        if c.have["organisations"] and ok(r["host_id"]) and r["host_id"] not in c.orgs:
            yield c.problem(
                "host_capacity",
                r["_line"],
                "host_id",
                f"{quoted(r['host_id'])} is not an org_id in {c.labels['organisations']}",
                f"values are not org_ids in {c.labels['organisations']}",
            )


def travel_bands_tile(c: ParsedCase) -> Iterator[Problem]:
    """The distance bands, sorted by min_km, follow each other with no gap and no overlap,
    each ends after it starts, and only the last is unbounded."""
    bands = [r for r in c.table("travel_bands") if ok(r["min_km"]) and r["max_km"] is not MISSING]
    bands.sort(key=lambda r: r["min_km"])  # type: ignore[arg-type, return-value]
    prev: Row | None = None  # the band before, if it is a sound one
    for i, r in enumerate(bands):
        lo, hi, line = r["min_km"], r["max_km"], r["_line"]
        if hi is None and i < len(bands) - 1:
            yield c.problem(
                "travel_bands",
                line,
                "max_km",
                "is empty but this is not the last band; only the last band may be unbounded",
            )
        if hi is not None and hi <= lo:  # type: ignore[operator]
            yield c.problem(
                "travel_bands", line, "max_km", f"'{hi:g}' must be greater than min_km {lo:g}"
            )
        if prev is not None:
            pmin, pmax = prev["min_km"], prev["max_km"]
            if lo < pmax:  # type: ignore[operator]
                yield c.problem(
                    "travel_bands",
                    line,
                    "min_km",
                    f"'{lo:g}' overlaps the band {pmin:g}-{pmax:g} of line "
                    f"{prev['_line']}; bands may not overlap",
                )
            elif lo > pmax:  # type: ignore[operator]
                yield c.problem(
                    "travel_bands",
                    line,
                    "min_km",
                    f"'{lo:g}' leaves a gap after the band {pmin:g}-{pmax:g} "
                    f"of line {prev['_line']}; start it at {pmax:g}",
                )
        sound = hi is not None and hi > lo  # type: ignore[operator]
        prev = r if sound else None


RULES: tuple[Rule, ...] = (
    country_has_group,
    quota_min_within_quota,
    participant_org_exists,
    participant_activities_fit,
    availability_in_order,
    preferences_are_hosts,
    offer_references_exist,
    offer_host_in_region,
    offer_dates_in_order,
    offer_in_window,
    offer_host_has_rate,
    capacity_hosts_exist,
    travel_bands_tile,
)


def check_rules(c: ParsedCase) -> list[Problem]:
    """The problems of every rule of :data:`RULES`, in that order."""
    return [p for rule in RULES for p in rule(c)]
