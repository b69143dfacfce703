"""Every way out of an infeasible scenario (SPEC 8.1): each relaxable family relaxed alone,
worked by hand on the tiny case of conftest.

Pair costs (travel + individual support over the stay and 2 travel days + organisational
support 350, + 100 inclusion support for a fewer-opportunities learner):
LEARN in O1 (Seville, 30 days at 57/40): 360 + 1438 + 350 = 2148 (P2, P4: 2248);
LEARN in O2 (Maribor, 30 days at 48/34): 180 + 1216 + 350 = 1746 (P2, P4: 1846);
TEACH in O3 (Belgrade, 7 days at 91): 275 + 637 + 350 = 1262 (P5, P6);
TEACH in O4 (Sarajevo, 7 days at 104): 275 + 728 + 350 = 1353 (P5 only).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import yaml

from conftest import run_cli, tiny_tables, write_case
from intervet_plan import api
from intervet_plan.domain.context import build_context
from intervet_plan.inputs.scenario_file import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def _plan(tmp_path: Path, sc: dict):
    meta, tables = tiny_tables()
    write_case(tmp_path / "case", meta, tables)
    sc = {"name": "inf", "case": "case", **sc}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(sc), encoding="utf-8")
    ctx = build_context(api.load(tmp_path / "s.yaml").case, load_scenario(tmp_path / "s.yaml"))
    return api.solve(api.build(ctx))


def _by(d: dict) -> dict[str, dict]:
    return {a["constraint"]: a for a in d["alternatives"]}


MONEY = {"budget_eur": 6000, "quotas": {"LEARN": {"quota_min": 3}, "TEACH": {"quota_min": 1}}}


def test_budget_alternative_to_the_euro(tmp_path):
    # 3 learners: O2 holds 2 (P1, P3: 1746 each), the third goes to O1 (P2 or P4: 2248), or
    # P1 in O1 (2148) with P3 and P2/P4 in O2 (1746 + 1846): 5740 either way; 1 teacher in
    # O3: 1262. The cheapest plan meeting every other rule costs 7002: EUR 1,002 more.
    plan = _plan(tmp_path, MONEY)
    assert plan.status == "infeasible"
    b = _by(plan.diagnosis)["budget"]
    assert (b["kind"], b["amount"], b["unit"], b["budget_eur"]) == ("budget", 1002, "EUR", 7002)
    assert b["sentence"] == "EUR 1,002 more budget (EUR 7,002 instead of EUR 6,000)"
    # exact: EUR 7,002 solves, EUR 7,001 does not
    assert _plan(tmp_path / "a", {**MONEY, "budget_eur": 7002}).status == "optimal"
    assert _plan(tmp_path / "b", {**MONEY, "budget_eur": 7001}).status == "infeasible"


def test_quota_min_alternatives(tmp_path):
    # TEACH held at 1 (1262) leaves 4738 for learners: 2 fit (1746 + 1746), 3 (5740) do not.
    # With no teacher, 3 learners (5740) fit in 6000.
    plan = _plan(tmp_path, MONEY)
    alts = _by(plan.diagnosis)
    learn, teach = alts["quota_min__LEARN"], alts["quota_min__TEACH"]
    assert (learn["amount"], learn["quota_min"], learn["unit"]) == (1, 2, "placements")
    assert learn["sentence"] == (
        "1 fewer work-based learning placement (LEARN quota_min 2 instead of 3)"
    )
    assert (teach["amount"], teach["quota_min"]) == (1, 0)
    assert [a["kind"] for a in plan.diagnosis["alternatives"]] == [
        "budget",
        "quota_min",
        "quota_min",
    ]
    assert plan.diagnosis["lead"] == (
        "Any one of these makes the plan possible: EUR 1,002 more budget (EUR 7,002 instead "
        "of EUR 6,000); or 1 fewer work-based learning placement (LEARN quota_min 2 instead "
        "of 3); or 1 fewer teaching assignment placement (TEACH quota_min 0 instead of 1)."
    )
    # capacity allows 3 learners: no sentence may blame applicants or seats
    (c,) = plan.diagnosis["conflicts"]
    assert c["sentence"] == (
        "budget short by EUR 1,002.00: the other hard constraints need EUR 7,002.00 "
        "(budget EUR 6,000.00)"
    )
    cap = {e["activity_id"]: e for e in plan.diagnosis["capacity"]}
    assert cap["LEARN"]["short"] == 0 and cap["LEARN"]["bottleneck"] == "none: capacity allows 3"


TARGET = {
    "quotas": {"LEARN": {"quota_min": 3}},
    "targets": [
        {
            "name": "female_learners",
            "share_of": {"gender": "F"},
            "among": {"participant_type": "learner"},
            "min": 0.8,
            "hard": True,
        }
    ],
}


def test_hard_target_alternative_and_a_family_that_is_not_enough(tmp_path):
    # Learners: P1 and P3 are women, P2 (M) and P4 (X) are not. 3 learners hold at most 2
    # women: 2/3 = 66.67 %, so a target of 66.6 % (one decimal, rounded towards feasible).
    # Without the minimum, P1 and P3 alone (100 %): quota_min 2. Money cannot help: null.
    plan = _plan(tmp_path, TARGET)
    assert plan.status == "infeasible"
    alts = _by(plan.diagnosis)
    t = alts["target__female_learners__min"]
    assert (t["kind"], t["amount"], t["unit"], t["bound_value"]) == (
        "hard_target",
        13.4,
        "percentage points",
        0.666,
    )
    assert t["sentence"] == "a female_learners target of 66.6 % instead of 80 %"
    assert (alts["quota_min__LEARN"]["amount"], alts["quota_min__LEARN"]["quota_min"]) == (1, 2)
    b = alts["budget"]
    assert b["amount"] is None
    assert b["sentence"].startswith("more budget alone is not enough")
    assert "EUR" not in plan.diagnosis["lead"]
    # the new bound holds: 66.6 % solves
    ok = json.loads(json.dumps(TARGET))
    ok["targets"][0]["min"] = 0.666
    assert _plan(tmp_path / "ok", ok).status == "optimal"


def test_cli_leads_with_the_alternatives(tmp_path):
    meta, tables = tiny_tables()
    write_case(tmp_path / "case", meta, tables)
    (tmp_path / "s.yaml").write_text(yaml.safe_dump({"name": "inf", "case": "case", **MONEY}))
    code, out, err = run_cli(
        "run", str(tmp_path / "s.yaml"), "--no-report", "--out", str(tmp_path / "out")
    )
    assert code == 3, err
    assert "  Any one of these makes the plan possible: EUR 1,002 more budget" in out
    assert out.index("Any one of these") < out.index("Smallest relaxation")
    d = json.loads((tmp_path / "out" / "diagnosis.json").read_text())
    assert d["alternatives"][0]["amount"] == 1002


@pytest.mark.slow
def test_shipped_case_names_the_money(tmp_path):
    sc = {
        "name": "money",
        "case": str(ROOT / "data" / "intervet_wb"),
        "budget_eur": 700000,
        "quotas": {"WBL_SHORT": {"quota_min": 360}, "WBL_LONG": {"quota_min": 50}},
        "targets": [
            {
                "name": "female_learners",
                "share_of": {"gender": "F"},
                "among": {"participant_type": "learner"},
                "min": 0.6,
                "hard": True,
            }
        ],
    }
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(sc), encoding="utf-8")
    ctx = build_context(api.load(tmp_path / "s.yaml").case, load_scenario(tmp_path / "s.yaml"))
    plan = api.solve(api.build(ctx))
    assert plan.status == "infeasible"
    d = plan.diagnosis
    b = _by(d)["budget"]
    assert b["amount"] is not None and b["amount"] > 0
    assert b["amount"] == math.ceil(b["min_cost_eur"] - 700000)
    assert d["lead"].startswith(f"Any one of these makes the plan possible: EUR {b['amount']:,}")
    # capacity allows 56 long-term places: nobody may be told that applicants are missing
    cap = {e["activity_id"]: e for e in d["capacity"]}
    assert cap["WBL_LONG"]["short"] == 0
    assert not any("eligible applicants" in c["sentence"] for c in d["conflicts"])
