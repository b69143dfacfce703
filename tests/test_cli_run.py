"""``run``, ``check`` and ``diff`` from the command line: outputs of SPEC 5, atomic writes,
exit codes of SPEC 6."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import yaml

from conftest import run_cli

SUMMARY_KEYS = {
    "scenario",
    "case",
    "status",
    "objective",
    "placed",
    "quota",
    "cost_eur",
    "targets",
    "solver",
    "timings_s",
    "inputs_sha256",
    "version",
}


@pytest.fixture
def scenario(tiny_case: Path, tmp_path: Path) -> Path:
    s = tmp_path / "tiny.yaml"
    s.write_text(
        yaml.safe_dump(
            {
                "name": "tiny",
                "case": tiny_case.name,
                "targets": [
                    {
                        "name": "women",
                        "share_of": {"gender": "F"},
                        "among": {"participant_type": "learner"},
                        "min": 0.5,
                    }
                ],
            }
        )
    )
    return s


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_run_writes_spec_outputs(scenario: Path, tmp_path: Path):
    out = tmp_path / "out"
    code, stdout, err = run_cli("run", str(scenario), "--no-report", "--out", str(out))
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == [
        "allocation.csv",
        "allocation.xlsx",
        "fairness.csv",
        "reserves.csv",
        "solver.log",
        "summary.json",
        "unplaced.csv",
    ]
    rows = read_csv(out / "allocation.csv")
    assert list(rows[0]) == [
        "participant_id",
        "activity_id",
        "org_id",
        "sending_country",
        "host_id",
        "host_country",
        "offer_id",
        "start_date",
        "end_date",
        "distance_km",
        "travel_eur",
        "subsistence_eur",
        "org_support_eur",
        "inclusion_eur",
        "extra_eur",
        "total_eur",
        "gender",
        "fewer_opportunities",
        "preference_rank",
        "status",
    ]
    assert [(r["start_date"], r["participant_id"]) for r in rows] == sorted(
        (r["start_date"], r["participant_id"]) for r in rows
    )
    assert rows[0]["total_eur"] == "2148.00" and rows[0]["preference_rank"] == "1"
    assert read_csv(out / "unplaced.csv") == [
        {
            "participant_id": "P4",
            "activities": "LEARN",
            "reason": "not_selected",
            # P3's seat would drop women below half of the learners: the best swap is P2's
            "detail": (
                "kept out by priority: taking the seat of P2 (priority 2) in O2, the plan's "
                "priority total would fall by 2; priority 0, lowest priority placed in an offer "
                "they were eligible for 1; 1 eligible offer had room, but quota of LEARN "
                "reached (3 of 3)"
            ),
        },
        {
            "participant_id": "P6",
            "activities": "TEACH",
            "reason": "capacity",
            "detail": (
                "the only eligible offer is full or at their host's limit of participants at a time"
            ),
        },
    ]
    s = json.loads((out / "summary.json").read_text())
    assert SUMMARY_KEYS <= set(s)
    assert s["status"] == "optimal"
    assert s["objective"] == {
        "placements": 4,
        "stability": 0,
        "targets": 0,
        "priority": 7,
        "preferences": 4,
        "cost": 7002,
    }
    assert s["cost_eur"] == {
        "travel": 995.0,
        "subsistence": 4507.0,
        "org_support": 1400.0,
        "inclusion": 100.0,
        "extra": 0.0,
        "total": 7002.0,
        "budget": 100000.0,
    }
    assert s["targets"] == [
        {
            "name": "women",
            "kind": "share",
            "min": 0.5,
            "max": None,
            "achieved": pytest.approx(2 / 3, abs=1e-6),
            "shortfall": 0.0,
            "hard": False,
        }
    ]
    assert "participants.csv" in s["inputs_sha256"]
    assert "optimal" in stdout and "LEARN" in stdout


def test_rerun_moves_earlier_result_aside_and_force_replaces(scenario: Path, tmp_path: Path):
    out = tmp_path / "out"
    assert run_cli("run", str(scenario), "--no-report", "--out", str(out))[0] == 0
    (out / "marker").write_text("earlier")
    assert run_cli("run", str(scenario), "--no-report", "--out", str(out))[0] == 0
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("out.prev-")]
    assert len(aside) == 1 and (aside[0] / "marker").read_text() == "earlier"
    assert not (out / "marker").exists()
    (out / "marker2").write_text("x")  # not an output: --force refuses to delete it
    assert run_cli("run", str(scenario), "--no-report", "--out", str(out), "--force")[0] == 2
    assert (out / "marker2").read_text() == "x"
    (out / "marker2").unlink()
    (out / "summary.json").write_text("{}")
    assert run_cli("run", str(scenario), "--no-report", "--out", str(out), "--force")[0] == 0
    assert json.loads((out / "summary.json").read_text())["scenario"] == "tiny"
    assert len([p for p in tmp_path.iterdir() if p.name.startswith("out.prev-")]) == 1


def test_invalid_scenario_writes_nothing(scenario: Path, tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(scenario.read_text() + "budjet_eur: 5\n")
    code, out, err = run_cli("run", str(bad), "--no-report", "--out", str(tmp_path / "o"))
    assert code == 2
    assert "budjet_eur: unknown key; did you mean 'budget_eur'?" in err
    assert "Traceback" not in err + out
    assert not (tmp_path / "o").exists()


def test_no_plan_within_time_limit_exits_4(tmp_path: Path):
    root = Path(__file__).resolve().parents[1]
    s = tmp_path / "tl.yaml"
    s.write_text(
        yaml.safe_dump(
            {
                "name": "tl",
                "case": str(root / "data" / "intervet_wb"),
                "quotas": {"WBL_SHORT": {"quota_min": 300}},
            }
        )
    )
    code, _, err = run_cli(
        "run", str(s), "--no-report", "--out", str(tmp_path / "o"), "--time-limit", "0.001"
    )
    assert code == 4, err
    assert "no plan found within the time limit" in err
    assert not (tmp_path / "o").exists()


def test_check_and_diff(scenario: Path, tiny_case: Path, tmp_path: Path):
    out = tmp_path / "out"
    assert run_cli("run", str(scenario), "--no-report", "--out", str(out))[0] == 0
    alloc = out / "allocation.csv"
    code, stdout, _ = run_cli("check", str(tiny_case), str(alloc), "--scenario", str(scenario))
    assert (code, stdout.strip()) == (
        0,
        f"{alloc}: no rule broken\nno blocking swap: nobody is passed over for someone of lower "
        "priority",
    )

    rows = read_csv(alloc)
    edited = tmp_path / "edited.csv"
    for r in rows:
        if r["participant_id"] == "P3":
            r["participant_id"] = "P4"  # P4 replaces P3 in O2
    rows.append({**rows[0], "participant_id": "P6", "offer_id": "O4", "activity_id": "TEACH"})
    with open(edited, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    code, stdout, _ = run_cli("check", str(tiny_case), str(edited))
    assert code == 3
    assert "quota [TEACH]: 2 where at most 1 is allowed (by 1)" in stdout
    assert "eligibility.languages [P6, O4]" in stdout
    # P4 has fewer opportunities, P3 had not: P3's row under P4 lacks the inclusion support,
    # while its travel (same offer, same sending organisation) is right and is not reported
    assert "cost [P4, O2]: inclusion_eur is 0.00, SPEC 3.4 gives 100.00" in stdout
    assert "cost [P4, O2]: travel_eur" not in stdout

    code, stdout, _ = run_cli("diff", str(alloc), str(edited))
    assert code == 0
    assert stdout.splitlines()[0] == "moved 0, added 2, dropped 1 (participants changed: 3)"
