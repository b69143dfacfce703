"""Conformance of the explanations (SPEC 8.1 and 8.2), checked with the independent model of
test_conformance (its own reading of the case, eligibility, costs and hard rules, solved by
CBC); only the command line of the package is called.

- 8.1: random small cases made infeasible on purpose (budget cut below the cheapest plan
  meeting the quota_mins, a quota_min above what capacity allows, a hard target out of
  reach, re-plans whose fixed placements break a rule), run by ``intervet-plan run`` (exit 3).
  Each entry of diagnosis.json ``alternatives`` is derived again: the budget as the own
  minimum cost minus budget_eur, rounded up to the euro; a quota_min as the own maximum of
  the activity's placements with that minimum dropped; a hard target bound by solving the
  own model at the reported bound (feasible) and one step (0.1 percentage point of a share,
  one person of a count) tighter (infeasible); the fixed placements as the own maximum of
  fixed placements kept when they may be given up. ``amount: null`` must mean that the own
  model stays infeasible with the family removed entirely. A capacity bottleneck (the
  ``capacity`` entries and the conflict sentences) only for a quota_min that capacity alone
  (eligibility, seats, host capacity, each person's limits) cannot meet.
- 8.2: ``intervet-plan tradeoff`` on feasible cases whose levels conflict; every row of
  tradeoff.csv is solved again: with the levels before A held at their own optimum and A at
  least as good as the row's A, the own optimum of B must be the row's B.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import json
import math
import random
from pathlib import Path

import pulp
import pytest
import yaml

from conftest import run_cli, tiny_tables, write_case
from test_conformance import (
    MAXIMISED,
    Scenario,
    _csv_rows,
    candidate_pairs,
    hard_model,
    random_case,
)

TOL = 1e-6
SHARE_STEP = 0.001  # one tenth of a percentage point: the lattice of a share bound

# --------------------------------------------------------------------------- the own model


def solved(
    sc: Scenario,
    objective: object = None,
    maximise: bool = False,
    holds: tuple | list = (),
    force_fixed: bool = True,
) -> float | None:
    """The own optimum of ``objective`` (a key of test_conformance.hard_model's expressions:
    a level, ``("placed", activity)``, ``"fixed_kept"``) under every hard rule of ``sc`` and
    the ``holds`` (key, value, maximised: the expression at least as good as value); None when
    infeasible; without an objective 0.0 when feasible."""
    prob, expr = hard_model(sc, force_fixed)
    for key, value, up in holds:
        e = pulp.lpSum([expr[key]])
        if len(e):  # a level without variables (stability outside a re-plan) is a constant
            prob += e >= value - TOL if up else e <= value + TOL
    prob.sense = pulp.LpMaximize if maximise else pulp.LpMinimize
    prob.setObjective(pulp.lpSum([expr[objective]]) if objective else pulp.LpAffineExpression())
    status = pulp.LpStatus[prob.solve(pulp.PULP_CBC_CMD(msg=False, gapRel=0))]
    if status == "Infeasible":
        return None
    assert status == "Optimal", status
    return float(pulp.value(pulp.lpSum([expr[objective]]))) if objective else 0.0


def feasible(sc: Scenario, force_fixed: bool = True) -> bool:
    return solved(sc, force_fixed=force_fixed) is not None


def variant(sc: Scenario, **changes: object) -> Scenario:
    """A copy of ``sc`` with some attributes replaced (budget, quota_min, quota, targets)."""
    v = copy.copy(sc)
    for k, value in changes.items():
        setattr(v, k, value)
    return v


def with_bound(sc: Scenario, name: str, bound: str, value: float | None) -> Scenario:
    """``sc`` with one bound of one (expanded) target set to ``value`` (None: removed)."""
    return variant(
        sc, targets=[dict(t, **{bound: value}) if t["name"] == name else t for t in sc.targets]
    )


# --------------------------------------------------------------------------- SPEC 8.1


def capacity_max(sc: Scenario, act: str) -> float | None:
    """The most placements of ``act`` that capacity alone allows: eligibility, seats, host
    capacity and each person's limits (no quota, quota_min, budget or target)."""
    alone = variant(
        sc,
        budget=math.inf,
        quota={a: 10**6 for a in sc.quota},
        quota_min=dict.fromkeys(sc.quota_min, 0),
        targets=[],
    )
    return solved(alone, ("placed", act), maximise=True)


def expected_families(sc: Scenario) -> dict[str, tuple]:
    """constraint name -> (kind, detail) for every relaxable family of SPEC 8.1."""
    out: dict[str, tuple] = {"budget": ("budget", None)}
    for a, q in sc.quota_min.items():
        if q > 0:
            out[f"quota_min__{a}"] = ("quota_min", a)
    for t in sc.targets:
        for bound in ("min", "max"):
            if t["hard"] and t[bound] is not None:
                out[f"target__{t['name']}__{bound}"] = ("hard_target", (t, bound))
    if sc.fixed:
        out["fixed"] = ("fixed", None)
    return out


def vacuous(sc: Scenario, t: dict, bound: str) -> bool:
    """A hard target bound that every choice of the candidate pairs meets (no constraint at
    all, so nothing to relax): a max share with no matching pair in scope, a min share with
    no other pair in scope, a min count <= 0, a max count >= the matching pairs in scope."""
    c = sc.case
    scope = [k for k in candidate_pairs(sc) if sc.in_scope(t["among"], c.offers[k[1]]["act"])]
    match = [k for k in scope if sc.matches(t["filter"], k[0])]
    if t["count"]:
        return t[bound] <= 0 if bound == "min" else len(match) <= t[bound]
    if bound == "min":
        return t[bound] <= 0 or len(match) == len(scope)
    return t[bound] >= 1 or not match


def check_alternatives(sc: Scenario, diagnosis: dict) -> list[str]:
    """Every entry of diagnosis.json ``alternatives`` against the own model (SPEC 8.1)."""
    errors: list[str] = []
    if feasible(sc):
        return ["the own model finds the scenario feasible"]
    got: dict[str, dict] = {}
    for a in diagnosis.get("alternatives", []):
        if a["constraint"] in got:
            errors.append(f"{a['constraint']} listed twice")
        got[a["constraint"]] = a
    want = expected_families(sc)
    errors += [
        f"alternative {name} missing"
        for name, (kind, detail) in want.items()
        if name not in got and not (kind == "hard_target" and vacuous(sc, *detail))
    ]
    for name, a in got.items():
        if name not in want and not (
            a.get("kind") == "quota_min" and sc.quota_min.get(a.get("activity_id")) == 0
        ):
            errors.append(f"alternative {name} is no relaxable family of the scenario")
    for name, (kind, detail) in want.items():
        a = got.get(name)
        if a is None:
            continue
        if a.get("kind") != kind:
            errors.append(f"{name}: kind {a.get('kind')!r}, expected {kind!r}")
        if not isinstance(a.get("sentence"), str) or not a["sentence"].strip():
            errors.append(f"{name}: no sentence")
        check = {
            "budget": _budget,
            "quota_min": _quota_min,
            "hard_target": _hard_target,
            "fixed": _fixed,
        }[kind]
        errors += [f"{name}: {e}" for e in check(sc, a, detail)]
    return errors


def _null(a: dict, relaxable: bool) -> list[str]:
    """amount null exactly when removing the family entirely leaves the own model infeasible."""
    if not relaxable and a["amount"] is not None:
        return [f"amount {a['amount']}, but the own model is infeasible without the family"]
    if relaxable and a["amount"] is None:
        return ["amount null, but the own model is feasible without the family"]
    return []


def _budget(sc: Scenario, a: dict, _: object) -> list[str]:
    errors = [] if a.get("unit") == "EUR" else [f"unit {a.get('unit')!r}, expected 'EUR'"]
    least = solved(variant(sc, budget=math.inf), "cost")  # the cheapest plan, every other rule
    errors += _null(a, least is not None)
    if least is None or a["amount"] is None:
        return errors
    more = math.ceil(round(least - sc.budget, 6))  # to the euro: the least whole extra money
    amount = a["amount"]
    if amount != more or float(amount) != int(amount):
        errors.append(f"amount {amount}, expected {more} (own minimum cost {least:.2f})")
    if not abs(a.get("budget_eur", math.nan) - (sc.budget + amount)) <= TOL:
        errors.append(f"budget_eur {a.get('budget_eur')} != {sc.budget} + {amount}")
    if "min_cost_eur" in a and not abs(a["min_cost_eur"] - least) <= 0.0051:
        errors.append(f"min_cost_eur {a['min_cost_eur']}, own minimum cost {least:.2f}")
    if not feasible(variant(sc, budget=sc.budget + amount)):
        errors.append(f"the own model is infeasible with EUR {amount} more")
    if feasible(variant(sc, budget=sc.budget + amount - 1)):
        errors.append(f"the own model is feasible with EUR {amount - 1} more")
    return errors


def _quota_min(sc: Scenario, a: dict, act: str) -> list[str]:
    q = sc.quota_min[act]
    errors = [] if a.get("unit") == "placements" else [f"unit {a.get('unit')!r}"]
    if a.get("required") != q:
        errors.append(f"required {a.get('required')}, the scenario's quota_min is {q}")
    most = solved(variant(sc, quota_min={**sc.quota_min, act: 0}), ("placed", act), True)
    errors += _null(a, most is not None)
    if most is None or a["amount"] is None:
        return errors
    fewer = q - round(most)  # the smallest reduction of this quota_min alone
    if a["amount"] != fewer:
        errors.append(f"amount {a['amount']}, expected {fewer} (own maximum {most:g})")
    if a.get("quota_min") != q - a["amount"]:
        errors.append(f"quota_min {a.get('quota_min')} != {q} - {a['amount']}")
    return errors


def _hard_target(sc: Scenario, a: dict, detail: tuple) -> list[str]:
    t, bound = detail
    share = not t["count"]
    step, scale = (SHARE_STEP, 100) if share else (1, 1)
    unit = "percentage points" if share else "persons"
    errors = [] if a.get("unit") == unit else [f"unit {a.get('unit')!r}, expected {unit!r}"]
    if a.get("bound") != bound or a.get("required") != t[bound]:
        errors.append(f"bound {a.get('bound')} {a.get('required')}, expected {bound} {t[bound]}")
    errors += _null(a, feasible(with_bound(sc, t["name"], bound, None)))
    if a["amount"] is None:
        return errors
    sign = -1 if bound == "min" else 1  # the direction that relaxes
    relaxed = round(t[bound] + sign * a["amount"] / scale, 9)
    if not a["amount"] > 0:
        errors.append(f"amount {a['amount']} is no relaxation")
    if not abs(a.get("bound_value", math.nan) - relaxed) <= TOL:
        errors.append(f"bound_value {a.get('bound_value')}, required -/+ amount gives {relaxed}")
    if abs(relaxed / step - round(relaxed / step)) > TOL:
        errors.append(f"bound {relaxed} is not on the lattice of {step}")
    if not feasible(with_bound(sc, t["name"], bound, relaxed)):
        errors.append(f"the own model is infeasible with {bound} {relaxed}")
    tighter = round(relaxed - sign * step, 9)  # one step less relaxed (never past the original)
    tighter = min(tighter, t[bound]) if bound == "min" else max(tighter, t[bound])
    if feasible(with_bound(sc, t["name"], bound, tighter)):
        errors.append(f"the own model is feasible with {bound} {tighter}: not the least")
    return errors


def _fixed(sc: Scenario, a: dict, _: object) -> list[str]:
    errors = [] if a.get("unit") == "placements" else [f"unit {a.get('unit')!r}"]
    if a.get("fixed") != len(sc.fixed):
        errors.append(f"fixed {a.get('fixed')}, the re-plan has {len(sc.fixed)}")
    kept = solved(sc, "fixed_kept", maximise=True, force_fixed=False)
    errors += _null(a, kept is not None)
    if kept is not None and a["amount"] is not None and a["amount"] != len(sc.fixed) - round(kept):
        errors.append(f"amount {a['amount']}, the own model keeps {kept:g} of {len(sc.fixed)}")
    return errors


def check_capacity(sc: Scenario, diagnosis: dict) -> list[str]:
    """A capacity bottleneck only for a quota_min that capacity alone (eligibility, seats,
    host capacity, each person's limits) cannot meet, short by what it cannot meet."""
    errors = []
    cap = {e["activity_id"]: e for e in diagnosis.get("capacity", [])}
    for act, q in sc.quota_min.items():
        if q <= 0 or sc.fixed:  # fixed placements may break capacity rules: not checked
            continue
        most = capacity_max(sc, act)
        short = max(0, q - round(most or 0))
        if act in cap and cap[act].get("short") != short:
            errors.append(f"capacity {act}: short {cap[act].get('short')}, own {short}")
        for c in diagnosis.get("conflicts", []):
            if c.get("activity_id") == act and not short and "eligible" in c["sentence"]:
                errors.append(f"a capacity sentence for {act} ({most:g} fit): {c['sentence']}")
    return errors


# --------------------------------------------------------------------------- cases (8.1)

MODES = ("budget", "quota", "target", "mixed")


def _scenario_file(folder: Path, scenario: dict) -> Path:
    path = folder / f"{scenario['name']}.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False))
    return path


def _placeable(sc: Scenario) -> dict[str, int]:
    """The own maximum of each activity's placements under the hard rules, budget dropped."""
    free = variant(sc, budget=math.inf)
    return {a: round(solved(free, ("placed", a), True) or 0) for a in sc.quota}


def make_infeasible(seed: int, mode: str, folder: Path) -> Path:
    """A random small case (test_conformance.random_case) and a scenario made infeasible on
    purpose; returns the scenario file. The own model checks that it is infeasible.

    budget: quota_mins that the hard rules can meet, a budget below their cheapest plan;
    quota: one quota_min above what the hard rules allow; target: quota_mins that can be met
    and a hard target out of reach; mixed: all three."""
    meta, tables, scenario = random_case(seed)
    write_case(folder / "case", meta, tables)
    scenario = {"name": f"inf{seed}{mode}", "case": "case", **scenario}
    sc = Scenario(_scenario_file(folder, scenario))
    rng = random.Random(seed * 7 + MODES.index(mode))
    most = _placeable(sc)
    acts = sorted(a for a in most if most[a] > 0)
    assert acts, f"seed {seed}: nothing can be placed"
    mins: dict[str, int] = {}
    if mode != "quota":
        for a in rng.sample(acts, rng.randint(1, len(acts))):
            mins[a] = rng.randint(1, most[a])
        while not feasible(variant(sc, budget=math.inf, quota_min={**sc.quota_min, **mins})):
            a = rng.choice([a for a in mins if mins[a] > 0])
            mins[a] -= 1
    quotas: dict[str, dict] = {a: {"quota_min": q} for a, q in mins.items()}
    if mode in ("budget", "mixed"):
        free = variant(sc, budget=math.inf, quota_min={**sc.quota_min, **mins})
        least = solved(free, "cost")
        assert least is not None
        scenario["budget_eur"] = round(max(1.0, least - rng.uniform(1, max(2, least / 4))), 2)
    if mode in ("quota", "mixed"):
        a = rng.choice(acts)
        q = most[a] + rng.randint(1, 2)
        quotas[a] = {"quota_min": q, "quota": max(q, sc.quota[a])}
    scenario["quotas"] = quotas
    soft = scenario.get("targets", [])
    for target in _hard_targets(sc, rng) if mode in ("target", "mixed") else []:
        scenario["targets"] = [*soft, target]
        if not feasible(Scenario(_scenario_file(folder, scenario))):
            break
    path = _scenario_file(folder, scenario)
    assert not feasible(Scenario(path)), f"seed {seed} mode {mode} is feasible"
    return path


def _hard_targets(sc: Scenario, rng: random.Random) -> list[dict]:
    """Hard targets that may be out of reach, in a random order."""
    genders = sorted({p["gender"] for p in sc.case.people.values()})
    countries = sorted({p["country"] for p in sc.case.people.values()})
    options = [
        {"share_of": {"gender": rng.choice(genders)}, "min": rng.choice([0.8, 0.95, 1.0])},
        {"share_of": {"gender": rng.choice(genders)}, "max": rng.choice([0.0, 0.1, 0.25])},
        {"count_of": {"country": rng.choice(countries)}, "min": rng.randint(3, 6)},
        {"share_of": {"fewer_opportunities": True}, "max": 0.2},
        {"for_each": "gender", "min": 0.3, "max": 0.6},
    ]
    rng.shuffle(options)
    return [{"name": "hard", **o, "hard": True} for o in options]


def run_infeasible(path: Path) -> dict:
    out = path.parent / f"out_{path.stem}"
    code, _, err = run_cli("run", str(path), "--no-report", "--out", str(out), "--force")
    assert code == 3, err
    return json.loads((out / "diagnosis.json").read_text())


# --------------------------------------------------------------------------- tests (8.1)

# seeds picked to cover each kind of answer: a budget to the euro (0-2), a quota_min over
# capacity (3, 4), hard targets as counts (11) and shares, min (10, 19) and max with the
# rounding to a tenth of a point (13: 13.4, 30: 16.7), a for_each target whose vacuous bound
# may be left out (6), several families where only some help (9) or none (10, mixed)
CASES = [
    (0, "budget"),
    (1, "budget"),
    (2, "budget"),
    (3, "quota"),
    (4, "quota"),
    (6, "target"),
    (10, "target"),
    (11, "target"),
    (13, "target"),
    (19, "target"),
    (30, "target"),
    (9, "mixed"),
    (10, "mixed"),
]


@pytest.mark.parametrize(("seed", "mode"), CASES)
def test_alternatives_of_random_infeasible_cases(tmp_path: Path, seed: int, mode: str):
    path = make_infeasible(seed, mode, tmp_path)
    sc, diagnosis = Scenario(path), run_infeasible(path)
    errors = check_alternatives(sc, diagnosis) + check_capacity(sc, diagnosis)
    assert not errors, "\n".join(errors)


TINY = {
    # budget, both quota_mins and two hard targets at once: the tiny case's known answers
    # (EUR 1,002 more when only the budget binds) are checked again by the own model
    "money": {"budget_eur": 6000, "quotas": {"LEARN": {"quota_min": 3}, "TEACH": {"quota_min": 1}}},
    "targets": {
        "quotas": {"LEARN": {"quota_min": 3}},
        "targets": [
            {
                "name": "women",
                "share_of": {"gender": "F"},
                "among": {"participant_type": "learner"},
                "min": 0.8,
                "hard": True,
            },
            {"name": "rs", "count_of": {"country": "RS"}, "max": 1, "hard": True},
            {"name": "fo", "for_each": "fewer_opportunities", "max": 0.7, "hard": True},
        ],
    },
}


@pytest.mark.parametrize("name", sorted(TINY))
def test_alternatives_of_the_tiny_case(tmp_path: Path, name: str):
    meta, tables = tiny_tables()
    write_case(tmp_path / "case", meta, tables)
    path = _scenario_file(tmp_path, {"name": name, "case": "case", **TINY[name]})
    sc, diagnosis = Scenario(path), run_infeasible(path)
    errors = check_alternatives(sc, diagnosis) + check_capacity(sc, diagnosis)
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("where", ["tiny", "random34"])
def test_capacity_bottleneck_counts_host_capacity(tmp_path: Path, where: str):
    """SPEC 8.1: a capacity bottleneck is told for a quota_min that capacity alone cannot
    meet; capacity includes host capacity (SPEC 3.2), not only the seats of the offers."""
    if where == "tiny":
        meta, tables = tiny_tables()
        tables["host_capacity"][0]["max_concurrent"] = "1"  # O1 (2 seats) one at a time
        write_case(tmp_path / "case", meta, tables)
        quotas = {"LEARN": {"quota_min": 4, "quota": 4}}
        path = _scenario_file(tmp_path, {"name": "cap", "case": "case", "quotas": quotas})
    else:  # the random case where host capacity EU0 = 1 halves offer L3 (2 seats)
        path = make_infeasible(34, "mixed", tmp_path)
    sc, diagnosis = Scenario(path), run_infeasible(path)
    assert check_alternatives(sc, diagnosis) == []
    errors = check_capacity(sc, diagnosis)
    assert not errors, "\n".join(errors)


REPLANS = {
    # the quota of the activity with the most fixed placements below them: only giving some
    # up helps (budget and quota_mins are not enough)
    "quota": 0,
    # the budget below the cost of the fixed placements and a quota_min: money or giving up
    "budget": 3,
    # a hard target that the fixed placements break
    "target": 5,
}


@pytest.mark.parametrize("what", sorted(REPLANS))
def test_alternatives_of_random_replans(tmp_path: Path, what: str):
    """SPEC 8.1 with the fixed placements of a re-plan (SPEC 7) as a family."""
    seed = REPLANS[what]
    meta, tables, scenario = random_case(seed)
    scenario.pop("blackouts", None)
    write_case(tmp_path / "case", meta, tables)
    base = _scenario_file(tmp_path, {"name": "before", "case": "case", **scenario})
    code, _, err = run_cli("run", str(base), "--no-report", "--out", str(tmp_path / "before"))
    assert code == 0, err
    rows = _csv_rows(tmp_path / "before" / "allocation.csv")
    starts = sorted(r["start_date"] for r in rows)
    as_of = dt.date.fromisoformat(starts[len(starts) // 2]) + dt.timedelta(days=1)
    replan = {
        "name": f"replan_{what}",
        "case": "case",
        "previous_plan": "before/allocation.csv",
        "as_of": as_of,
        **scenario,
    }
    sc = Scenario(_scenario_file(tmp_path, replan))
    assert len(sc.fixed) >= 2, sc.fixed
    by_act: dict[str, int] = {}
    for _, o in sc.fixed:
        by_act[sc.case.offers[o]["act"]] = by_act.get(sc.case.offers[o]["act"], 0) + 1
    act = max(sorted(by_act), key=by_act.get)
    if what == "quota":
        replan["quotas"] = {act: {"quota": by_act[act] - 1, "quota_min": 0}}
    elif what == "budget":
        fixed_cost = sc.levels(sorted(sc.fixed))["cost"]
        replan["budget_eur"] = round(fixed_cost * 0.6, 2)
        replan["quotas"] = {act: {"quota_min": by_act[act]}}
    else:
        gender = sc.case.people[sorted(sc.fixed)[0][0]]["gender"]
        replan["targets"] = [
            {"name": "hard", "share_of": {"gender": gender}, "max": 0.1, "hard": True}
        ]
    path = _scenario_file(tmp_path, replan)
    sc = Scenario(path)
    assert not feasible(sc)
    errors = check_alternatives(sc, run_infeasible(path))
    assert not errors, "\n".join(errors)


# --------------------------------------------------------------------------- SPEC 8.2


def read_tradeoff(path: Path) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(path.open(encoding="utf-8")))
    return rows[0], rows[1:]


def check_tradeoff(sc: Scenario, a: str, b: str, points: int, lattice: float, out: Path):
    """Every row of tradeoff.csv against the own model (SPEC 8.2). ``lattice`` is the step of
    A's values (1 for placements or preference points)."""
    errors: list[str] = []
    header, rows = read_tradeoff(out / "tradeoff.csv")
    if header[:2] != [a, b] or header[2:] not in ([], ["status"]):
        return [f"tradeoff.csv columns {header}"]
    if header[2:]:
        errors += [f"row {i}: status {r[2]}" for i, r in enumerate(rows) if r[2] != "optimal"]
    av, bv = [float(r[0]) for r in rows], [float(r[1]) for r in rows]
    up_a, up_b = a in MAXIMISED, b in MAXIMISED
    order = list(sc.order)
    assert order.index(a) < order.index(b)
    holds: list[tuple] = []
    for lv in order[: order.index(a)]:  # every level before A held at its own optimum
        holds.append((lv, solved(sc, lv, lv in MAXIMISED, holds), lv in MAXIMISED))
    a_best = solved(sc, a, up_a, holds)
    b_first = solved(sc, b, up_b, holds)
    a_end = solved(sc, a, up_a, [*holds, (b, b_first, up_b)])  # A when B is optimised first
    assert a_best is not None and b_first is not None and a_end is not None
    if not rows:
        return ["tradeoff.csv has no rows"]
    if abs(av[0] - a_best) > TOL:
        errors.append(f"first {a} {av[0]}, own optimum {a_best:g}")
    if len(rows) > points:
        errors.append(f"{len(rows)} rows, more than {points} points")
    for i, (x, y) in enumerate(zip(av, bv, strict=True)):
        want = solved(sc, b, up_b, [*holds, (a, x, up_a)])
        if want is None or abs(y - want) > TOL * max(1.0, abs(want)):
            errors.append(f"row {i} ({a} {x:g}): {b} {y:g}, own optimum {want}")
    # the walk ends where B reaches its value when B is optimised first, and no earlier
    if abs(bv[-1] - b_first) > TOL * max(1.0, abs(b_first)):
        errors.append(f"last {b} {bv[-1]:g}, not its value when optimised first ({b_first:g})")
    errors += [
        f"row {i} reaches {b} {b_first:g} before the last row"
        for i, y in enumerate(bv[:-1])
        if abs(y - b_first) <= TOL * max(1.0, abs(b_first))
    ]
    # A from its optimum towards a_end, evenly spaced on A's lattice
    gap = abs(a_end - a_best) / (points - 1)
    toward = -1 if a_end < a_best else 1
    if gap >= lattice - TOL:
        for i, x in enumerate(av):
            v = a_best + toward * i * gap
            if not abs(x - v) < lattice - TOL:
                errors.append(f"row {i}: {a} {x:g}, evenly spaced value {v:g}")
    else:  # fewer lattice values than points: every one of them
        for i, x in enumerate(av):
            if abs(x - (a_best + toward * i * lattice)) > TOL:
                errors.append(f"row {i}: {a} {x:g}, expected {a_best + toward * i * lattice:g}")
    return errors


def run_tradeoff(path: Path, between: str, points: int | None, out: Path) -> None:
    extra = ["--points", str(points)] if points else []
    code, _, err = run_cli("tradeoff", str(path), "--between", between, *extra, "--out", str(out))
    assert code == 0, err


SOFT = [
    {"name": "women", "share_of": {"gender": "F"}, "min": 0.8},
    {"name": "al", "count_of": {"country": "AL"}, "max": 1, "weight": 0.5},
    {"name": "fo", "share_of": {"fewer_opportunities": True}, "max": 0.3, "weight": 2},
]
# (seed, --points): every placement value (fewer values than points), or spaced by 2.5, 1.67
FRONTIERS = [(2, None), (4, None), (4, 3), (4, 4), (5, 3), (9, None)]


@pytest.mark.parametrize(("seed", "points"), FRONTIERS)
def test_placements_targets_frontier_of_random_cases(tmp_path: Path, seed: int, points):
    meta, tables, scenario = random_case(seed)
    write_case(tmp_path / "case", meta, tables)
    scenario["targets"] = SOFT[: 2 + seed % 2]
    path = _scenario_file(tmp_path, {"name": f"soft{seed}", "case": "case", **scenario})
    sc = Scenario(path)
    run_tradeoff(path, "placements,targets", points, tmp_path / "out")
    errors = check_tradeoff(sc, "placements", "targets", points or 10, 1, tmp_path / "out")
    assert not errors, "\n".join(errors)
    _, rows = read_tradeoff(tmp_path / "out" / "tradeoff.csv")
    assert len(rows) >= 2, "the case should have a trade-off"


def test_frontier_without_a_trade_off(tmp_path: Path):
    """Where B is already best at A's optimum, the walk is that one point."""
    meta, tables, scenario = random_case(3)
    write_case(tmp_path / "case", meta, tables)
    path = _scenario_file(tmp_path, {"name": "flat", "case": "case", **scenario})
    run_tradeoff(path, "preferences,cost", None, tmp_path / "out")
    errors = check_tradeoff(Scenario(path), "preferences", "cost", 10, 1, tmp_path / "out")
    assert not errors, "\n".join(errors)
    assert len(read_tradeoff(tmp_path / "out" / "tradeoff.csv")[1]) == 1


def priority_case() -> tuple[dict, dict]:
    """The tiny case where the levels pull apart: two learner seats (O1 Seville, O2 Maribor),
    the high priorities (7, 3.5) list no host, the low ones do; P2 and P7, who list both
    hosts, have fewer opportunities (EUR 100 more each)."""
    meta, t = tiny_tables()
    people = {
        "P1": ("F", "false", "3.5", ""),
        "P2": ("M", "true", "0.5", "ES_SEV;SI_MAR"),
        "P3": ("F", "false", "7", ""),
        "P4": ("X", "false", "1", "ES_SEV"),
        "P7": ("X", "true", "1.25", "SI_MAR;ES_SEV"),
    }
    learners = []
    for pid, (gender, fo, priority, prefs) in people.items():
        row = dict(t["participants"][0], participant_id=pid, gender=gender, priority=priority)
        learners.append(dict(row, fewer_opportunities=fo, preferences=prefs, languages="en;es"))
    t["participants"] = learners + t["participants"][4:5]
    for o in t["offers"][:2]:
        o["seats"] = "1"
    t["offers"] = t["offers"][:3]
    return meta, t


@pytest.mark.parametrize(
    ("between", "points", "lattice"),
    [("priority,preferences", None, 0.25), ("priority,preferences", 3, 0.25)],
)
def test_frontier_between_other_levels(tmp_path: Path, between: str, points, lattice: float):
    write_case(tmp_path / "case", *priority_case())
    path = _scenario_file(tmp_path, {"name": "pp", "case": "case"})
    run_tradeoff(path, between, points, tmp_path / "out")
    a, b = between.split(",")
    errors = check_tradeoff(Scenario(path), a, b, points or 10, lattice, tmp_path / "out")
    assert not errors, "\n".join(errors)
    _, rows = read_tradeoff(tmp_path / "out" / "tradeoff.csv")
    assert len(rows) >= 3


def test_preferences_cost_frontier(tmp_path: Path):
    """preferences then cost: the preferred hosts are the dearer ones."""
    meta, t = priority_case()
    write_case(tmp_path / "case", meta, t)
    path = _scenario_file(
        tmp_path, {"name": "pc", "case": "case", "objective": ["placements", "preferences", "cost"]}
    )
    run_tradeoff(path, "preferences,cost", None, tmp_path / "out")
    errors = check_tradeoff(Scenario(path), "preferences", "cost", 10, 1, tmp_path / "out")
    assert not errors, "\n".join(errors)


# --------------------------------------------------------------------------- the checkers


def test_the_checkers_catch_tampered_explanations(tmp_path: Path):
    """A checker that cannot fail checks nothing: tampered outputs are reported."""
    meta, tables = tiny_tables()
    write_case(tmp_path / "case", meta, tables)
    path = _scenario_file(tmp_path, {"name": "money", "case": "case", **TINY["money"]})
    sc, good = Scenario(path), run_infeasible(path)
    assert check_alternatives(sc, good) == []
    by = {a["constraint"]: i for i, a in enumerate(good["alternatives"])}

    def tampered(name: str, **change: object) -> dict:
        d = copy.deepcopy(good)
        d["alternatives"][by[name]].update(change)
        return d

    budget = good["alternatives"][by["budget"]]
    for d in (
        tampered("budget", amount=budget["amount"] + 1, budget_eur=budget["budget_eur"] + 1),
        tampered("budget", amount=budget["amount"] - 1, budget_eur=budget["budget_eur"] - 1),
        tampered("budget", amount=None),
        tampered("quota_min__LEARN", amount=2, quota_min=1),
        tampered("quota_min__TEACH", amount=None),
        {"alternatives": good["alternatives"][1:]},
    ):
        assert check_alternatives(sc, d), d
    # a hard target one step too generous, and one that claims nothing helps
    path = _scenario_file(tmp_path, {"name": "targets", "case": "case", **TINY["targets"]})
    sc, good = Scenario(path), run_infeasible(path)
    assert check_alternatives(sc, good) == []
    by = {a["constraint"]: i for i, a in enumerate(good["alternatives"])}
    women = good["alternatives"][by["target__women__min"]]
    assert women["amount"] is not None
    looser = round(women["bound_value"] - SHARE_STEP, 3)
    assert check_alternatives(
        sc, tampered("target__women__min", amount=women["amount"] + 0.1, bound_value=looser)
    )
    assert check_alternatives(sc, tampered("target__women__min", amount=None))
    # tradeoff.csv: one B value, the first A, the last row
    write_case(tmp_path / "pcase", *priority_case())
    path = _scenario_file(tmp_path, {"name": "pp", "case": "pcase"})
    out = tmp_path / "frontier"
    run_tradeoff(path, "priority,preferences", None, out)
    sc = Scenario(path)
    assert check_tradeoff(sc, "priority", "preferences", 10, 0.25, out) == []
    lines = (out / "tradeoff.csv").read_text().splitlines()
    head, first, *middle, last = lines
    for text in (
        [head, first, *middle[:1], middle[1].split(",")[0] + ",9", *middle[2:], last],
        [head, "11.25," + first.split(",")[1], *middle, last],
        [head, first, *middle],
    ):
        (out / "tradeoff.csv").write_text("\n".join(text) + "\n")
        assert check_tradeoff(sc, "priority", "preferences", 10, 0.25, out), text
