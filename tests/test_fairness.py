"""The selection audit (SPEC 8.3, 8.4) on a tiny case worked by hand.

The tiny case with five learners for LEARN (quota 3): P1 (priority 3, F), P2 (2, M, fewer
opportunities), P3 (1, F, ict: eligible for O2 only), P4 (0, X, prefers SI_MAR) and P7 (1.5, F,
fewer opportunities, ict: O2 only); O2 has 3 seats. A soft target asks for at least one learner
of gender X. By hand: the plan places P1 in O1 (EUR 1,798 before organisational support), P2
and P4 in O2 (EUR 1,496 and EUR 1,396; P2 pays EUR 100 inclusion support), and P5 in O3; it
costs EUR 7,002. With the budget at EUR 7,052, EUR 50 is left:

- P3 (priority 1) could take P4's seat (priority 0) at the same cost: a blocking swap, kept by
  the targets (no learner of gender X would be left);
- P7 (priority 1.5) taking P4's seat would cost EUR 100 more than the EUR 50 left: not allowed,
  so not blocking, and P7 is no reserve for P4;
- reserves of P2's seat: P7 (the plan's priority falls by 0.5) before P3 (by 1); of P4's seat:
  P3 only; of P1's seat in O1: nobody (P3 and P7 are not eligible for O1).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from conftest import run_cli, tiny_tables, write_case
from intervet_plan import api
from intervet_plan.solve import fairness

HEADER_FAIRNESS = (
    "participant_id,priority,offer_id,displaced_participant_id,displaced_priority,kept_by,detail"
)
HEADER_RESERVES = "offer_id,participant_id,rank,reserve_participant_id,reserve_priority"


def fair_case(tmp_path: Path, budget: float = 7052) -> Path:
    meta, t = tiny_tables()
    people = {r["participant_id"]: r for r in t["participants"]}
    people["P4"].update(fewer_opportunities="false", preferences="SI_MAR")
    t["participants"].append(
        dict(people["P3"], participant_id="P7", fewer_opportunities="true", priority="1.5")
    )
    t["offers"][1]["seats"] = "3"
    write_case(tmp_path / "case", meta, t)
    scenario = {
        "name": "fair",
        "case": "case",
        "budget_eur": budget,
        "targets": [
            {
                "name": "x_learners",
                "count_of": {"gender": "X"},
                "among": {"participant_type": "learner"},
                "min": 1,
            }
        ],
    }
    path = tmp_path / "fair.yaml"
    path.write_text(yaml.safe_dump(scenario), encoding="utf-8")
    return path


def run(tmp_path: Path, budget: float = 7052) -> Path:
    code, out, err = run_cli(
        "run", str(fair_case(tmp_path, budget)), "--out", str(tmp_path / "out"), "--no-report"
    )
    assert code == 0, out + err
    return tmp_path / "out"


def test_blocking_swap_kept_by_a_target_and_none_kept_by_the_budget(tmp_path: Path):
    out = run(tmp_path)
    alloc = pd.read_csv(out / "allocation.csv", dtype=str)
    assert list(zip(alloc.participant_id, alloc.offer_id, alloc.total_eur, strict=True)) == [
        ("P1", "O1", "2148.00"),
        ("P2", "O2", "1846.00"),
        ("P4", "O2", "1746.00"),
        ("P5", "O3", "1262.00"),
    ]
    assert (out / "fairness.csv").read_text(encoding="utf-8") == (
        f"{HEADER_FAIRNESS}\n"
        'P3,1,O2,P4,0,targets,"x_learners would fall from 1 to 0, below its minimum of 1"\n'
    )


def test_with_money_to_spare_the_costlier_swap_blocks_too(tmp_path: Path):
    """EUR 100 more is within the budget: P7 (1.5) may then take P4's seat (0) as well."""
    out = run(tmp_path, budget=100_000)
    lines = (out / "fairness.csv").read_text(encoding="utf-8").splitlines()
    assert lines == [
        HEADER_FAIRNESS,
        'P3,1,O2,P4,0,targets,"x_learners would fall from 1 to 0, below its minimum of 1"',
        'P7,1.5,O2,P4,0,targets,"x_learners would fall from 1 to 0, below its minimum of 1"',
    ]


def test_reserve_order_worked_by_hand(tmp_path: Path):
    out = run(tmp_path)
    assert (out / "reserves.csv").read_text(encoding="utf-8") == (
        f"{HEADER_RESERVES}\nO2,P2,1,P7,1.5\nO2,P2,2,P3,1\nO2,P4,1,P3,1\nO3,P5,1,P6,0\n"
    )


def test_not_selected_detail_leads_with_the_rule_that_kept_them_out(tmp_path: Path):
    out = run(tmp_path)
    unplaced = pd.read_csv(out / "unplaced.csv", dtype=str).set_index("participant_id")
    assert unplaced.at["P3", "reason"] == "not_selected"
    assert unplaced.at["P3", "detail"] == (
        "kept out by priority: taking the seat of P2 (priority 2) in O2, the plan's priority "
        "total would fall by 1; priority 1, lowest priority placed in an offer they were "
        "eligible for 0; 1 eligible offer had room, but quota of LEARN reached (3 of 3); "
        "budget: EUR 50.00 left, the cheapest eligible placement costs EUR 1,396.00 before "
        "organisational support"
    )
    assert unplaced.at["P7", "detail"].startswith(
        "kept out by priority: taking the seat of P2 (priority 2) in O2, the plan's priority "
        "total would fall by 0.5; priority 1.5, lowest priority placed in an offer they were "
        "eligible for 0; "
    )
    assert unplaced.at["P6", "detail"] == (
        "the only eligible offer is full or at their host's limit of participants at a time"
    )


def test_api_gives_both_tables(tmp_path: Path):
    plan = api.solve(api.build(api.load(fair_case(tmp_path))))
    swaps = api.blocking_swaps(plan)
    assert swaps[
        ["participant_id", "offer_id", "displaced_participant_id", "kept_by"]
    ].to_numpy().tolist() == [["P3", "O2", "P4", "targets"]]
    reserves = api.reserves(plan)
    assert reserves["reserve_participant_id"].tolist() == ["P7", "P3", "P3", "P6"]
    assert reserves["rank"].tolist() == [1, 2, 1, 1]


def test_check_lists_the_blocking_swaps_of_a_hand_edited_plan(tmp_path: Path):
    """P7 put in P2's seat by hand: every rule holds, but P2 (priority 2) is passed over for
    P7 (1.5), and no level would be worse with P2 back (kept_by none); P3 still could take
    P4's seat. Blocking swaps are not broken rules: exit 0."""
    out = run(tmp_path, budget=100_000)
    edited = tmp_path / "edited.csv"
    text = (out / "allocation.csv").read_text(encoding="utf-8")
    edited.write_text(text.replace("P2,LEARN,RS_BEL,RS", "P7,LEARN,BA_SAR,BA"), encoding="utf-8")
    code, stdout, _ = run_cli(
        "check", str(tmp_path / "case"), str(edited), "--scenario", str(tmp_path / "fair.yaml")
    )
    lines = stdout.splitlines()
    assert code == 3, stdout  # P7's row now disagrees with the case (distance, costs, gender)
    at = lines.index(
        "3 blocking swaps (an unplaced applicant of higher priority could take the seat; SPEC 8.3):"
    )
    assert lines[at + 1 :] == [
        "  P2 (priority 2) could take the seat of P4 (priority 0) in O2; kept by targets: "
        "x_learners would fall from 1 to 0, below its minimum of 1",
        "  P2 (priority 2) could take the seat of P7 (priority 1.5) in O2; kept by none: no "
        "objective level is worse",
        "  P3 (priority 1) could take the seat of P4 (priority 0) in O2; kept by targets: "
        "x_learners would fall from 1 to 0, below its minimum of 1",
    ]


def test_an_optimal_plan_without_targets_passes_nobody_over(tmp_path: Path):
    """Priority is a level and nothing comes before it but placements: header only."""
    meta, tables = tiny_tables()
    write_case(tmp_path / "case", meta, tables)
    path = tmp_path / "plain.yaml"
    path.write_text(yaml.safe_dump({"name": "plain", "case": "case"}), encoding="utf-8")
    code, out, err = run_cli("run", str(path), "--out", str(tmp_path / "out"), "--no-report")
    assert code == 0, out + err
    assert (tmp_path / "out" / "fairness.csv").read_text(encoding="utf-8") == HEADER_FAIRNESS + "\n"


@pytest.mark.parametrize("chunk", [1, 2])
def test_a_chunked_audit_gives_the_tables_of_one_chunk(tmp_path: Path, monkeypatch, chunk: int):
    """Swaps are judged in pieces of whole applicants (fairness.CHUNK swaps at a time); pieces
    of one or two swaps must give the tables of one piece. A hard target of at most one woman
    among the learners (P1 is one) forbids every swap of P3 and P7 (both F) into O2, except
    P7's into P4's seat, which the budget forbids first (one swap each: the tie goes to the
    rule named first)."""
    path = fair_case(tmp_path)
    scenario = yaml.safe_load(path.read_text(encoding="utf-8"))
    scenario["targets"].append(
        {
            "name": "one_woman",
            "count_of": {"gender": "F"},
            "among": {"participant_type": "learner"},
            "max": 1,
            "hard": True,
        }
    )
    path.write_text(yaml.safe_dump(scenario), encoding="utf-8")
    plan = api.solve(api.build(api.load(path)))
    whole = plan.audit
    assert whole is not None and whole.judged == 5  # P3 and P7 into P2's and P4's seats, P6
    assert whole.blocked.to_dict() == {"P3": "one_woman", "P7": "budget"}
    monkeypatch.setattr(fairness, "CHUNK", chunk)
    pieces = fairness.audit(plan.ctx, plan.model.pairs, plan.allocation, plan.targets)
    assert pieces.judged == whole.judged
    for name in ("swaps", "reserves", "best"):
        pd.testing.assert_frame_equal(getattr(pieces, name), getattr(whole, name))
    for name in ("blocked", "lowest"):
        assert getattr(pieces, name).to_dict() == getattr(whole, name).to_dict()
