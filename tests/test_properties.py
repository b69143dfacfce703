"""Properties on random small cases (hypothesis): every plan passes ``check``; costs add up;
and each objective level equals a brute-force lexicographic optimum over every subset of
the candidate pairs, with feasibility checked by code written here from SPEC 3.2."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import tiny_tables, write_case
from intervet_plan import api
from intervet_plan.model.rules import placement_frame
from intervet_plan.solve.check import check_allocation
from intervet_plan.solve.tables import allocation_csv

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


def brute_force(plan: api.Plan, targets: list[dict]) -> dict[str, float]:
    """The lexicographic optimum (placements, targets, priority, preferences, cost) over all
    subsets of the model's candidate pairs that satisfy SPEC 3.2, checked independently."""
    ctx = plan.ctx
    f = placement_frame(ctx, plan.model.pairs[["participant_id", "offer_id"]])
    offers, parts, case = ctx.case.offers, ctx.case.participants, ctx.case
    quota = int(ctx.quotas.at["LEARN", "quota"])
    t = case.org_support_threshold
    best_key, best = None, None
    for k in range(0, min(len(f), quota) + 1):
        for combo in itertools.combinations(range(len(f)), k):
            s = f.iloc[list(combo)]
            per_person = s.groupby("participant_id").size()
            if (per_person > parts.loc[per_person.index, "max_mobilities"].to_numpy()).any():
                continue
            per_offer = s.groupby("offer_id").size()
            if (per_offer > offers.loc[per_offer.index, "seats"].to_numpy()).any():
                continue
            if any(_overlaps(g) for _, g in s.groupby("participant_id")):
                continue
            cap = case.host_capacity
            if any(
                ((s.host_id == h) & (s.start_date <= d) & (s.end_date >= d)).sum() > cap[h]
                for h in cap.index
                for d in s.start_date
            ):
                continue
            cost = s.pair_eur.sum() + 350 * min(k, t) + 200 * max(k - t, 0)
            if cost > ctx.budget_eur + 1e-9:
                continue
            short = 0.0
            for tg in targets:
                m = (s.gender == "F").sum()
                short += tg["weight"] * max(0.0, tg["min"] * k - m)
            key = (
                -k,
                round(short, 9),
                -s.priority.sum(),
                -s.preference_points.sum(),
                round(cost, 6),
            )
            if best_key is None or key < best_key:
                best_key = key
                best = {
                    "placements": k,
                    "targets": short,
                    "priority": s.priority.sum(),
                    "preferences": s.preference_points.sum(),
                    "cost": cost,
                }
    return best


def _overlaps(g: pd.DataFrame) -> bool:
    rows = list(zip(g.start_date, g.end_date, strict=True))
    return any(a0 <= b1 and b0 <= a1 for (a0, a1), (b0, b1) in itertools.combinations(rows, 2))


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
    want = brute_force(plan, targets)
    for level, v in want.items():
        assert plan.values[level] == pytest.approx(float(v), abs=1e-6), level

    (root / "a.csv").write_text(allocation_csv(plan.allocation))
    assert check_allocation(ctx, root / "a.csv") == []

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
    found = {(v.rule, v.ids): v.message for v in check_allocation(ctx, tmp_path / "a.csv")}
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
