"""Conformance of the selection audit (SPEC 8.3, 8.4), derived from the SPEC text alone with the
independent reading of test_conformance (its own case and scenario reader, eligibility, costs
and targets); only the command line of the package is called.

Each case is run by ``intervet-plan run --no-report``; its allocation.csv is read back and:

- every swap (a, b, o) is enumerated: a unplaced, b holding a non-fixed placement in o, a
  eligible for o (3.1). The plan with a in place of b is built and every hard rule of 3.2 is
  checked on it from scratch (max_mobilities, overlaps, one placement per offer, seats, host
  capacity, quotas, budget with the exact cost of 3.4 recomputed, hard targets, fixed
  placements): no incremental shortcut;
- each allowed swapped plan gets its level values (3.5) recomputed, and ``kept_by`` is the first
  level of the scenario's order on which it is worse than the plan (``none`` when none is);
- fairness.csv must be exactly the blocking swaps (priority(a) > priority(b)), sorted by
  participant_id, offer_id, displaced_participant_id;
- reserves.csv must give, for each non-fixed placement, the best three allowed swaps, ranked by
  the swapped plan's level vector in the scenario's order (levels within TOL are equal), ties
  by the reserve's participant id;
- every ``not_selected`` row of unplaced.csv must give the applicant's priority and the lowest
  priority placed in an offer they were eligible for (8.3, last sentence).

The cases are the random small cases of test_conformance (plain and re-plans), most of them
crowded (everyone available, able and allowed to apply for more) so that many applicants
compete for few seats, under soft and hard targets (shares, counts, ``for_each``), budgets
that bind (some with nothing left), objective orders without priority (where ``kept_by: none``
occurs) and a tolerance on priority (where a better level may come before the worse one).
"""

from __future__ import annotations

import csv
import functools
import io
import random
import re
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from conftest import run_cli, write_case
from test_conformance import (
    MAXIMISED,
    Scenario,
    _csv_rows,
    optimum,
    present,
    random_case,
    random_replan,
)

TOL = 1e-6  # level values and money: equal within this
RESERVES = 3
FAIRNESS_COLUMNS = [
    "participant_id",
    "priority",
    "offer_id",
    "displaced_participant_id",
    "displaced_priority",
    "kept_by",
    "detail",
]
RESERVE_COLUMNS = [
    "offer_id",
    "participant_id",
    "rank",
    "reserve_participant_id",
    "reserve_priority",
]
Plan = list[tuple[str, str]]

# --------------------------------------------------------------------------- hard rules (3.2)


def hard_violations(sc: Scenario, plan: Plan) -> list[str]:
    """Every hard rule of SPEC 3.2 that ``plan`` breaks, checked from scratch."""
    c, out = sc.case, []
    out += [f"fixed placement {k} missing" for k in sorted(sc.fixed - set(plan))]
    if len(set(plan)) != len(plan):
        out.append("a participant placed twice in one offer")
    mine = defaultdict(list)
    for p, o in plan:
        mine[p].append((c.offers[o]["start"], sc.end(p, o)))
    for p, stays in sorted(mine.items()):
        if len(stays) > c.people[p]["maxmob"]:
            out.append(f"{p}: {len(stays)} placements, max_mobilities {c.people[p]['maxmob']}")
        stays.sort()
        if any(b[0] <= a[1] for a, b in zip(stays, stays[1:], strict=False)):
            out.append(f"{p}: overlapping placements")
    taken = defaultdict(int)
    for _, o in plan:
        taken[o] += 1
    out += [f"seats of {o}" for o, n in sorted(taken.items()) if n > c.offers[o]["seats"]]
    for h, cap in sorted(c.cap.items()):
        days = {c.offers[o]["start"] for _, o in plan if c.offers[o]["host"] == h}
        out += [f"host {h} on {d}" for d in sorted(days) if present(c, plan, h, d, sc) > cap]
    n_act = defaultdict(int)
    for _, o in plan:
        n_act[c.offers[o]["act"]] += 1
    for a in sorted(c.acts):
        if not sc.quota_min[a] <= n_act[a] <= sc.quota[a]:
            out.append(f"quota of {a}: {n_act[a]} placements")
    cost = sc.levels(plan)["cost"]
    if cost > sc.budget + TOL:
        out.append(f"budget: EUR {cost:.2f} > {sc.budget:.2f}")
    out += [
        f"hard target {t['name']}"
        for t, _, short in sc.target_values(plan)
        if t["hard"] and short > TOL
    ]
    return out


# --------------------------------------------------------------------------- swaps (8.3, 8.4)


def worse(lv: str, value: float, base: float) -> bool:
    return value < base - TOL if lv in MAXIMISED else value > base + TOL


def compare(sc: Scenario, x: dict, y: dict) -> int:
    """-1 when the level values ``x`` are better than ``y`` in the scenario's order, 1 when
    worse, 0 when equal within TOL on every level of the order."""
    for lv in sc.order:
        if worse(lv, y[lv], x[lv]):
            return -1
        if worse(lv, x[lv], y[lv]):
            return 1
    return 0


class Audit:
    """Every swap of the plan (SPEC 8.3, 8.4), enumerated by brute force."""

    def __init__(self, sc: Scenario, plan: Plan):
        c = sc.case
        self.sc, self.plan = sc, plan
        self.base = sc.levels(plan)
        placed = {p for p, _ in plan}
        self.unplaced = sorted(set(c.people) - placed)
        self.seats = sorted(k for k in plan if k not in sc.fixed)  # (b, o)
        self.broken: dict[tuple[str, str, str], list[str]] = {}  # (a, o, b) -> broken rules
        self.levels: dict[tuple[str, str, str], dict] = {}  # allowed swaps: swapped levels
        for a in self.unplaced:
            for b, o in self.seats:
                if sc.broken(a, o):
                    continue
                swapped = [k for k in plan if k != (b, o)] + [(a, o)]
                rules = hard_violations(sc, swapped)
                if rules:
                    self.broken[(a, o, b)] = rules
                else:
                    self.levels[(a, o, b)] = sc.levels(swapped)

    def priority(self, pid: str) -> float:
        return self.sc.case.people[pid]["priority"]

    def kept_by(self, key: tuple[str, str, str]) -> str:
        lv = self.levels[key]
        return next((x for x in self.sc.order if worse(x, lv[x], self.base[x])), "none")

    def blocking(self) -> list[tuple]:
        """fairness.csv as the SPEC defines it: (a, priority, o, b, priority, kept_by)."""
        return [
            (a, self.priority(a), o, b, self.priority(b), self.kept_by((a, o, b)))
            for a, o, b in sorted(self.levels)
            if self.priority(a) > self.priority(b)
        ]

    def reserves(self) -> list[tuple]:
        """reserves.csv as the SPEC defines it: (o, b, rank, r, priority of r)."""
        out = []
        for b, o in sorted(self.seats, key=lambda k: (k[1], k[0])):
            them = sorted(r for r, o2, b2 in self.levels if (o2, b2) == (o, b))

            def best_first(r1: str, r2: str, o: str = o, b: str = b) -> int:
                return compare(self.sc, self.levels[(r1, o, b)], self.levels[(r2, o, b)])

            ranked = sorted(them, key=functools.cmp_to_key(best_first))  # stable: ties by id
            out += [
                (o, b, i, r, self.priority(r)) for i, r in enumerate(ranked[:RESERVES], start=1)
            ]
        return out

    def why_not(self, a: str, o: str, b: str) -> str:
        """Why (a, o, b) is no allowed swap, for messages."""
        if (a, o, b) in self.broken:
            return "the swapped plan breaks " + ", ".join(self.broken[(a, o, b)])
        if (b, o) not in self.seats:
            return f"{b} holds no non-fixed placement in {o}"
        if a not in self.unplaced:
            return f"{a} is placed"
        return f"{a} is not eligible for {o} ({', '.join(self.sc.broken(a, o))})"

    def lowest(self, pid: str) -> float | None:
        """The lowest priority placed in an offer ``pid`` was eligible for (None: none)."""
        eligible = {o for o in self.sc.case.offers if not self.sc.broken(pid, o)}
        found = [self.priority(p) for p, o in self.plan if o in eligible]
        return min(found) if found else None


def number(v: float) -> str:
    """A number as the detail writes it: ``7``, ``1.5``."""
    return str(int(v)) if float(v).is_integer() else repr(float(v))


OWN_PRIORITY = re.compile(r"(?<![(\w])priority (\d+(?:\.\d+)?)")
PHRASE = "lowest priority placed in an offer they were eligible for"
LOWEST = re.compile(PHRASE + r" (\d+(?:\.\d+)?)")


def _table(path: Path) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(path.open(encoding="utf-8")))
    return (rows[0], rows[1:]) if rows else ([], [])


def _plan(sc: Scenario, out: Path) -> tuple[Plan, list[str]]:
    rows = _csv_rows(out / "allocation.csv")
    errors = [
        f"allocation.csv ({r['participant_id']}, {r['offer_id']}) status {r['status']}"
        for r in rows
        if (r["status"] == "planned") == ((r["participant_id"], r["offer_id"]) in sc.fixed)
    ]
    errors += [f"the plan breaks {e}" for e in hard_violations(sc, _pairs(rows))]
    return _pairs(rows), errors


def _pairs(rows: list[dict]) -> Plan:
    return [(r["participant_id"], r["offer_id"]) for r in rows]


def check_fairness(audit: Audit, out: Path) -> list[str]:
    errors: list[str] = []
    header, rows = _table(out / "fairness.csv")
    if header != FAIRNESS_COLUMNS:
        return [f"fairness.csv columns {header}"]
    want = {(r[0], r[2], r[3]): r for r in audit.blocking()}
    got = {(r[0], r[2], r[3]): r for r in rows}
    keys = [(r[0], r[2], r[3]) for r in rows]
    if len(got) != len(rows):
        errors.append("fairness.csv lists a swap twice")
    if keys != sorted(keys):
        errors.append("fairness.csv is not sorted by participant_id, offer_id, displaced")
    for k in sorted(set(want) - set(got)):
        errors.append(f"fairness.csv misses the blocking swap {k} (kept_by {want[k][5]})")
    for k in sorted(set(got) - set(want)):
        a, o, b = k
        why = (
            audit.why_not(a, o, b)
            if k not in audit.levels
            else f"priority {number(audit.priority(a))} <= {number(audit.priority(b))}"
        )
        errors.append(f"fairness.csv lists {k}, no blocking swap: {why}")
    for k in sorted(set(want) & set(got)):
        g, w = got[k], want[k]
        if float(g[1]) != w[1] or float(g[4]) != w[4]:
            errors.append(f"fairness.csv {k}: priorities {g[1]}, {g[4]}, expected {w[1]}, {w[4]}")
        if g[5] != w[5]:
            errors.append(f"fairness.csv {k}: kept_by {g[5]}, expected {w[5]}")
        if not g[6].strip():
            errors.append(f"fairness.csv {k}: empty detail")
    if "priority" in audit.sc.order and not audit.sc.tol:  # SPEC 8.3: an optimal plan
        errors += [f"fairness.csv {k}: kept_by none" for k, w in want.items() if w[5] == "none"]
    return errors


def check_reserves(audit: Audit, out: Path) -> list[str]:
    errors: list[str] = []
    header, rows = _table(out / "reserves.csv")
    if header != RESERVE_COLUMNS:
        return [f"reserves.csv columns {header}"]
    keys = [(r[0], r[1], int(r[2])) for r in rows]
    if keys != sorted(keys):
        errors.append("reserves.csv is not sorted by offer_id, participant_id, rank")
    want, got = defaultdict(list), defaultdict(list)
    for o, b, rank, r, prio in audit.reserves():
        want[(o, b)].append((rank, r, prio))
    for o, b, rank, r, prio in rows:
        got[(o, b)].append((int(rank), r, float(prio)))
        if (r, o, b) not in audit.levels:
            errors.append(f"reserves.csv: {r} for ({b}, {o}): {audit.why_not(r, o, b)}")
    for k in sorted(set(want) | set(got)):
        if want[k] != sorted(got[k]):
            errors.append(f"reserves.csv ({k[1]}, {k[0]}): {sorted(got[k])}, expected {want[k]}")
    return errors


def check_not_selected(audit: Audit, out: Path) -> list[str]:
    errors = []
    for r in _csv_rows(out / "unplaced.csv"):
        if r["reason"] != "not_selected":
            continue
        pid, detail = r["participant_id"], r["detail"]
        mine = OWN_PRIORITY.findall(detail)
        if not mine or any(float(v) != audit.priority(pid) for v in mine):
            errors.append(f"{pid}: priority {number(audit.priority(pid))} not in {detail!r}")
        low = audit.lowest(pid)
        said = LOWEST.findall(detail)
        if low is None and said:
            errors.append(f"{pid}: no placement in an eligible offer, but {detail!r}")
        if low is not None and (len(said) != 1 or float(said[0]) != low):
            errors.append(f"{pid}: lowest priority placed {number(low)} not in {detail!r}")
        for v in mine + said:  # written like 7, 1.5
            if v != number(float(v)):
                errors.append(f"{pid}: number {v!r} written unlike {number(float(v))!r}")
    return errors


def check_audit(sc: Scenario, out: Path) -> list[str]:
    plan, errors = _plan(sc, out)
    audit = Audit(sc, plan)
    return (
        errors
        + check_fairness(audit, out)
        + check_reserves(audit, out)
        + check_not_selected(audit, out)
    )


# --------------------------------------------------------------------------- cases


def crowd(tables: dict, seed: int) -> None:
    """Many applicants for few seats: everyone available all the time, speaking the offers'
    languages, without a graduation date, most applying for every activity of their
    direction; the offers accept every sector."""
    rng = random.Random(seed)
    acts = {a["activity_id"]: a["direction"] for a in tables["activities"]}
    for p in tables["participants"]:
        mine = p["activities"].split(";")
        if rng.random() < 0.7:
            same = [a for a, d in acts.items() if d == acts[mine[0]]]
            p["activities"] = ";".join(same)
        p.update(
            available_from="2020-01-01",
            available_to="2022-12-31",
            graduation_date="",
            languages="en;es;it",
        )
    for o in tables["offers"]:
        o["sectors"] = "*"


SOFT = [
    {"name": "g", "for_each": "gender", "max": 0.5, "weight": 0.25},
    {"name": "al", "count_of": {"country": "AL"}, "min": 1, "max": 2, "weight": 2},
    {"name": "fo", "share_of": {"fewer_opportunities": True}, "min": 0.4},
    {
        "name": "staff_f",
        "count_of": {"gender": "F"},
        "among": {"participant_type": "staff"},
        "min": 1,
    },
]
HARD = [
    {
        "name": "women",
        "share_of": {"gender": ["F", "X"]},
        "among": {"participant_type": "learner"},
        "min": 0.5,
        "hard": True,
    },
    {"name": "rs", "count_of": {"country": "RS"}, "max": 2, "hard": True},
]
NO_PRIORITY = ["placements", "targets", "preferences"]
FLAVOURS: dict[str, tuple[bool, dict, float | None]] = {
    # name: (crowded, scenario keys, money left under a budget that binds: None = the case's)
    "plain": (False, {}, None),
    "soft": (True, {"targets": SOFT}, None),
    "budget": (True, {"targets": SOFT[:2]}, 40.0),
    "hard": (True, {"targets": HARD + SOFT[:1]}, None),
    "hard_budget": (True, {"targets": HARD[:1] + SOFT[1:3]}, 0.0),
    "no_priority": (True, {"targets": SOFT[:3], "objective": NO_PRIORITY}, None),
    "cost_only": (True, {"objective": ["placements", "cost"]}, 40.0),
    # priority may give way by 30 %: a level before the worse one may then be better
    "tolerance": (True, {"targets": SOFT[:2], "tolerances": {"priority": 0.3}}, None),
}


def _write(folder: Path, scenario: dict) -> Path:
    path = folder / f"{scenario['name']}.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False))
    return path


def tighten(folder: Path, scenario: dict, left: float) -> dict:
    """The scenario with a budget that binds. The own model's cheapest plan of most placements
    costs C, the fixed placements alone F; under a budget of F + 70 % of (C - F) the own
    optimum (cost added as a last level) costs C'; the budget becomes C' + ``left`` EUR. That
    plan stays feasible and nothing better became so: the optimum is the same, with little
    money left, so that costlier swaps break the budget."""

    def own(order: list[str], **keys: object) -> dict[str, float]:
        path = _write(folder, {**scenario, **keys, "objective": order})
        return optimum(Scenario(path))

    sc = Scenario(_write(folder, scenario))
    assert "cost" not in sc.order[:-1], sc.order
    floor = sc.levels(sorted(sc.fixed))["cost"]
    full = own(["placements", "cost"])["cost"]
    budget = round(floor + 0.7 * (full - floor), 2)
    cut = own([lv for lv in sc.order if lv != "cost"] + ["cost"], budget_eur=budget)["cost"]
    return {**scenario, "budget_eur": round(cut + left, 2)}


def make_case(seed: int, flavour: str, replan: bool, folder: Path) -> Path:
    """A random case (test_conformance.random_case) of ``flavour``, or a re-plan of it
    (test_conformance.random_replan); returns the scenario file to run."""
    crowded, keys, left = FLAVOURS[flavour]
    meta, tables, scenario = random_case(seed)
    if crowded:
        crowd(tables, seed)
    scenario.update(keys)
    write_case(folder / "case", meta, tables)
    if replan:
        scenario.pop("blackouts", None)
        scenario = random_replan(seed, tables, scenario, folder)
    scenario = {**scenario, "name": f"{flavour}{seed}{'r' * replan}", "case": "case"}
    if left is not None:
        scenario = tighten(folder, scenario, left)
    return _write(folder, scenario)


def run_case(path: Path) -> Path:
    out = path.parent / f"out_{path.stem}"
    code, stdout, err = run_cli("run", str(path), "--no-report", "--out", str(out), "--force")
    assert code == 0, stdout + err
    return out


# (seed, flavour, re-plan): a spread of what the audit meets (found by a survey of seeds)
CASES = [
    (3, "plain", False),  # no blocking swap: fairness.csv is its header
    (7, "plain", False),
    (1, "soft", False),  # kept by the targets
    (13, "soft", False),
    (3, "budget", False),  # swaps that break the budget
    (12, "budget", False),
    (1, "hard", False),  # swaps that break a hard target
    (6, "hard", False),
    (2, "hard_budget", False),  # both; not_selected applicants with nobody placed for them
    (14, "hard_budget", False),
    (6, "no_priority", False),  # kept by none, preferences or the targets
    (14, "no_priority", False),
    (12, "cost_only", False),  # kept by cost
    (1, "tolerance", False),  # kept by none although priority is a level
    (15, "tolerance", False),  # kept by cost: priority (better) comes first
    (1, "soft", True),  # kept by stability or the targets
    (6, "hard", True),
    (7, "budget", True),
    (7, "no_priority", True),
    (14, "hard_budget", True),
    (7, "tolerance", True),
]


@pytest.mark.parametrize(("seed", "flavour", "replan"), CASES)
def test_selection_audit_of_random_cases(tmp_path: Path, seed: int, flavour: str, replan: bool):
    path = make_case(seed, flavour, replan, tmp_path)
    out = run_case(path)
    errors = check_audit(Scenario(path), out)
    assert not errors, "\n".join(errors)


# --------------------------------------------------------------------------- the checker


def test_the_checker_catches_tampered_audits(tmp_path: Path):
    """A checker that cannot fail checks nothing: a dropped blocking swap, a wrong kept_by,
    two reserves in the wrong order, a reserve whose swap breaks the budget and a wrong lowest
    priority in a not_selected detail are reported."""
    path = make_case(14, "tolerance", False, tmp_path)
    out, sc = run_case(path), Scenario(path)
    assert check_audit(sc, out) == []
    audit = Audit(sc, _plan(sc, out)[0])
    fairness = (out / "fairness.csv").read_text(encoding="utf-8").splitlines()
    reserves = (out / "reserves.csv").read_text(encoding="utf-8").splitlines()

    def caught(name: str, lines: list[str], what: str) -> None:
        good = (out / name).read_text(encoding="utf-8")
        (out / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        errors = check_audit(sc, out)
        (out / name).write_text(good, encoding="utf-8")
        assert any(what in e for e in errors), errors

    assert len(fairness) > 2
    caught("fairness.csv", [fairness[0], *fairness[2:]], "misses the blocking swap")
    row = next(csv.reader([fairness[1]]))
    row[5] = next(lv for lv in ["none", *sc.order] if lv != row[5])
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(row)
    caught("fairness.csv", [fairness[0], buf.getvalue(), *fairness[2:]], f"kept_by {row[5]}")

    # two reserves of one placement in the wrong order (the first one's plan strictly better)
    def strictly_better(i: int) -> bool:
        one, two = reserves[i - 1].split(","), reserves[i].split(",")
        if two[2] != "2":
            return False
        plans = [audit.levels[(r[3], r[0], r[1])] for r in (one, two)]
        return compare(sc, *plans) < 0

    at = next(i for i in range(2, len(reserves)) if strictly_better(i))
    one, two = reserves[at - 1].split(","), reserves[at].split(",")
    turned = [",".join(one[:3] + two[3:]), ",".join(two[:3] + one[3:])]
    lines = [*reserves[: at - 1], *turned, *reserves[at + 1 :]]
    caught("reserves.csv", lines, f"reserves.csv ({one[1]}, {one[0]}): ")
    # the first reserve of a placement replaced by one whose swap breaks the budget (only it)
    seats = {tuple(r.split(",")[:2]) for r in reserves[1:]}
    a, o, b = next(
        k
        for k, rules in sorted(audit.broken.items())
        if (k[1], k[2]) in seats and len(rules) == 1 and rules[0].startswith("budget")
    )
    at = next(i for i, r in enumerate(reserves) if r.split(",")[:3] == [o, b, "1"])
    wrong = f"{o},{b},1,{a},{number(audit.priority(a))}"
    caught("reserves.csv", [*reserves[:at], wrong, *reserves[at + 1 :]], "breaks budget")
    # the lowest priority placed for a not_selected applicant, one more than it is
    unplaced = list(csv.reader((out / "unplaced.csv").open(encoding="utf-8")))
    at = next(i for i, r in enumerate(unplaced) if LOWEST.search(r[3]))
    low = float(LOWEST.findall(unplaced[at][3])[0])
    unplaced[at][3] = LOWEST.sub(f"{PHRASE} {number(low + 1)}", unplaced[at][3])
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(unplaced)
    caught("unplaced.csv", buf.getvalue().splitlines(), f"lowest priority placed {number(low)}")
