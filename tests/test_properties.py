"""Properties on random small cases (hypothesis): every plan passes ``check``; costs add up;
and each objective level equals a brute-force lexicographic optimum over every subset of
the eligible pairs, computed by the conformance test's independent reading, eligibility, costs
and levels, with feasibility checked by code written here from SPEC 3.2."""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import tiny_tables, write_case
from intervet_plan import api
from intervet_plan.inputs.allocation import read_allocation
from intervet_plan.solve.check import check_allocation
from intervet_plan.solve.tables import allocation_csv
from test_conformance import Scenario, present

HOSTS = ("ES_SEV", "SI_MAR")
SENDERS = ("RS_BEL", "BA_SAR")


@st.composite
def small_cases(draw):
    meta, tables = tiny_tables()
    meta["org_support_threshold"] = str(draw(st.integers(1, 3)))
    meta["budget_eur"] = str(draw(st.sampled_from([2500, 4000, 6000, 100000])))
    n_p = draw(st.integers(2, 4))
    people = []
    for i in range(n_p):
        m0 = draw(st.integers(1, 6))
        prefs = draw(st.lists(st.sampled_from(HOSTS), unique=True, max_size=2))
        people.append(
            {
                "participant_id": f"Q{i}",
                "org_id": draw(st.sampled_from(SENDERS)),
                "activities": "LEARN",
                "gender": draw(st.sampled_from("FMX")),
                "fewer_opportunities": draw(st.sampled_from(["true", "false"])),
                "sector": draw(st.sampled_from(["tourism", "ict"])),
                "languages": "en",
                "available_from": f"2020-{m0:02d}-01",
                "available_to": f"2020-{min(m0 + draw(st.integers(2, 6)), 12):02d}-28",
                "graduation_date": "",
                "priority": str(draw(st.integers(0, 3))),
                "preferences": ";".join(prefs),
                "max_mobilities": str(draw(st.integers(1, 2))),
            }
        )
    offers = []
    for j in range(draw(st.integers(2, 4))):
        m = draw(st.integers(2, 9))
        length = draw(st.sampled_from([7, 28]))
        start = pd.Timestamp(f"2020-{m:02d}-0{draw(st.integers(1, 9))}")
        offers.append(
            {
                "offer_id": f"K{j}",
                "host_id": draw(st.sampled_from(HOSTS)),
                "activity_id": "LEARN",
                "start_date": start.strftime("%Y-%m-%d"),
                "end_date": (start + pd.Timedelta(days=length - 1)).strftime("%Y-%m-%d"),
                "seats": str(draw(st.integers(1, 2))),
                "sectors": draw(st.sampled_from(["*", "tourism", "ict"])),
                "languages": "",
            }
        )
    tables["participants"] = people
    tables["offers"] = offers
    tables["activities"] = [a for a in tables["activities"] if a["activity_id"] == "LEARN"]
    tables["activities"][0]["quota"] = str(draw(st.integers(1, 4)))
    tables["host_capacity"] = [
        {"host_id": "ES_SEV", "max_concurrent": str(draw(st.integers(1, 2)))}
    ]
    targets = []
    if draw(st.booleans()):
        targets.append(
            {
                "name": "women",
                "share_of": {"gender": "F"},
                "min": 0.5,
                "weight": draw(st.sampled_from([1, 2])),
            }
        )
    return meta, tables, targets


def brute_force(sc: Scenario) -> dict[str, float]:
    """The lexicographic optimum (placements, targets, priority, preferences, cost) over all
    subsets of the eligible pairs that satisfy SPEC 3.2, with the conformance test's own
    reading of the case, eligibility (3.1), costs (3.4) and level values (3.5): nothing of
    the package."""
    c = sc.case
    pairs = [(p, o) for p in sorted(c.people) for o in sorted(c.offers) if not sc.broken(p, o)]
    best_key, best = None, None
    for k in range(0, min(len(pairs), sum(sc.quota.values())) + 1):
        for plan in itertools.combinations(pairs, k):
            if not feasible(sc, list(plan)):
                continue
            v = sc.levels(list(plan))
            key = (
                -v["placements"],
                round(v["targets"], 9),
                -v["priority"],
                -v["preferences"],
                round(v["cost"], 6),
            )
            if best_key is None or key < best_key:
                best_key = key
                best = {lv: v[lv] for lv in ("placements", "targets", "priority", "preferences")}
                best["cost"] = v["cost"]
    return best


def feasible(sc: Scenario, plan: list[tuple[str, str]]) -> bool:
    """Every hard rule of SPEC 3.2 (the small cases have no hard target and no re-plan)."""
    c = sc.case
    per_person = Counter(p for p, _ in plan)
    if any(n > c.people[p]["maxmob"] for p, n in per_person.items()):
        return False
    per_offer = Counter(o for _, o in plan)
    if any(n > c.offers[o]["seats"] for o, n in per_offer.items()):
        return False
    per_act = Counter(c.offers[o]["act"] for _, o in plan)
    if any(not sc.quota_min[a] <= per_act[a] <= sc.quota[a] for a in c.acts):
        return False
    for p in per_person:
        mine = [(c.offers[o]["start"], c.offers[o]["end"]) for q, o in plan if q == p]
        if any(a0 <= b1 and b0 <= a1 for (a0, a1), (b0, b1) in itertools.combinations(mine, 2)):
            return False
    for h, cap in c.cap.items():
        if any(present(c, plan, h, c.offers[o]["start"]) > cap for _, o in plan):
            return False
    return sc.levels(plan)["cost"] <= sc.budget + 1e-9


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(small_cases())
def test_plan_is_lexicographic_optimum_and_passes_check(tmp_path_factory, data):
    meta, tables, targets = data
    root = tmp_path_factory.mktemp("case")
    write_case(root / "case", meta, tables)
    (root / "s.yaml").write_text(yaml.safe_dump({"name": "p", "case": "case", "targets": targets}))
    ctx = api.load(root / "s.yaml")
    plan = api.solve(api.build(ctx))
    assert plan.status == "optimal"
    want = brute_force(Scenario(root / "s.yaml"))
    for level, v in want.items():
        assert plan.values[level] == pytest.approx(float(v), abs=1e-6), level

    (root / "a.csv").write_text(allocation_csv(plan.allocation))
    assert check_allocation(ctx, read_allocation(root / "a.csv")) == []

    a = plan.allocation
    parts = a[["travel_eur", "subsistence_eur", "org_support_eur", "inclusion_eur", "extra_eur"]]
    assert np.allclose(parts.sum(axis=1), a.total_eur)
    costs = plan.summary["cost_eur"]
    assert costs["total"] == pytest.approx(round(a.total_eur.sum(), 2))
    assert costs["total"] <= costs["budget"] + 1e-9
    k, t = len(a), ctx.case.org_support_threshold
    assert a.org_support_eur.sum() == pytest.approx(350 * min(k, t) + 200 * max(k - t, 0))


def test_check_reports_broken_rules(tiny_case: Path, tmp_path: Path):
    (tmp_path / "s.yaml").write_text(yaml.safe_dump({"name": "c", "case": str(tiny_case)}))
    ctx = api.load(tmp_path / "s.yaml")
    alloc = pd.DataFrame(
        {
            "participant_id": ["P1", "P2", "P4", "P3", "P6"],
            "offer_id": ["O1", "O1", "O1", "O1", "O4"],
        }
    )
    alloc.to_csv(tmp_path / "a.csv", index=False)
    found = {
        (v.rule, v.ids): v.message
        for v in check_allocation(ctx, read_allocation(tmp_path / "a.csv"))
    }
    assert found[("seats", "O1")] == "4 where at most 2 is allowed (by 2)"
    assert found[("quota", "LEARN")] == "4 where at most 3 is allowed (by 1)"
    assert found[("host_capacity", "ES_SEV, 2020-03-02")] == "4 where at most 2 is allowed (by 2)"
    assert (
        found[("eligibility.sector", "P3, O1")]
        == "the offer does not accept the participant's sector"
    )
    assert (
        found[("eligibility.languages", "P6, O4")]
        == "the offer's working languages are not among the participant's"
    )
