"""Re-planning after a disruption (SPEC 7) and withdrawn applicants (SPEC 4), on the tiny case
of conftest with two more offers, worked by hand.

Added offers: O5 (SI_MAR, LEARN, 2020-06-01 to 2020-06-28, 2 seats, any sector) and O6
(RS_BEL, TEACH, 2020-03-09 to 2020-03-13, 1 seat). Blackout everywhere 2020-03-20 to
2020-04-30; re-plan as of 2020-05-01; P4 is withdrawn. The previous plan:

=====  =====  ==========  =========  ===========================================
pid    offer  start       status     outcome
=====  =====  ==========  =========  ===========================================
P1     O1     2020-03-02  planned    interrupted: began before 03-20, ends 03-29; cut 03-19
P2     O2     2020-04-06  planned    cancelled (blackout covers its start)
P3     O2     2020-04-06  done       fixed despite the blackout
P6     O6     2020-03-09  cancelled  cancelled (status)
P4     O5     2020-06-01  planned    planned, but P4 withdrew: dropped, not counted by stability
P5     O3     2020-05-11  planned    planned: kept
=====  =====  ==========  =========  ===========================================

P1 in O1 cut on 2020-03-19: 18 days + 2 travel days = 20 funded days in Seville (group 2,
learner: 57 then 40 a day): 57 * 14 + 40 * 6 = 1038.00 (instead of 1438.00 for 30 days);
travel 360, organisational support 350: total 1748.00.
LEARN (quota 3) holds P1 and P3; the cancelled P2 frees the third place, and P2 is placed
again in O5 (after as_of; the only LEARN offer left): 180 + 1216 + 100 inclusion + 350 = 1846.
P3 in O2: 1746; P5 in O3: 1262. Total 1748 + 1746 + 1846 + 1262 = 6602.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import yaml

from conftest import run_cli, tiny_tables, write_case
from intervet_plan import api

PREVIOUS = pd.DataFrame(
    {
        "participant_id": ["P1", "P2", "P3", "P6", "P4", "P5"],
        "offer_id": ["O1", "O2", "O2", "O6", "O5", "O3"],
        "start_date": [
            "2020-03-02",
            "2020-04-06",
            "2020-04-06",
            "2020-03-09",
            "2020-06-01",
            "2020-05-11",
        ],
        "status": ["planned", "planned", "done", "cancelled", "planned", "planned"],
    }
)
SCENARIO = {
    "name": "replan",
    "case": "case",
    "previous_plan": "prev.csv",
    "as_of": "2020-05-01",
    "blackouts": [{"from": "2020-03-20", "to": "2020-04-30"}],
    "withdrawn": ["P4"],
}


def write_replan(tmp_path: Path, scenario: dict | None = None) -> Path:
    meta, tables = tiny_tables()
    tables["offers"] += [
        dict(zip(tables["offers"][0], row.split("|"), strict=True))
        for row in (
            "O5|SI_MAR|LEARN|2020-06-01|2020-06-28|2|*|",
            "O6|RS_BEL|TEACH|2020-03-09|2020-03-13|1|*|",
        )
    ]
    write_case(tmp_path / "case", meta, tables)
    PREVIOUS.to_csv(tmp_path / "prev.csv", index=False)
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({**SCENARIO, **(scenario or {})}, sort_keys=False))
    return path


def solve(tmp_path: Path, scenario: dict | None = None) -> api.Plan:
    return api.solve(api.build(api.load(write_replan(tmp_path, scenario))))


def test_outcomes_costs_and_statuses(tmp_path):
    plan = solve(tmp_path)
    assert plan.status == "optimal"
    a = plan.allocation.set_index("participant_id")
    assert sorted(zip(a.index, a.offer_id, a.status, strict=True)) == [
        ("P1", "O1", "interrupted"),
        ("P2", "O5", "planned"),
        ("P3", "O2", "fixed"),
        ("P5", "O3", "planned"),
    ]
    p1 = a.loc["P1"]
    assert p1.end_date == pd.Timestamp("2020-03-19")
    assert [p1.travel_eur, p1.subsistence_eur, p1.org_support_eur, p1.total_eur] == [
        360,
        1038,
        350,
        1748,
    ]
    assert a.loc["P3", "end_date"] == pd.Timestamp("2020-05-03")  # done: not cut
    assert a.loc["P2", "start_date"] >= pd.Timestamp("2020-05-01")
    assert a.loc["P2", "total_eur"] == 1846
    assert plan.values["placements"] == 4
    assert plan.values["stability"] == 0  # P4's planned row is not counted
    assert plan.values["cost"] == 6602
    u = plan.unplaced.set_index("participant_id")
    assert u.loc["P4", "reason"] == "withdrawn"


def test_run_folder_cancelled_csv_and_replan_counts(tmp_path):
    s = write_replan(tmp_path)
    code, out, err = run_cli("run", str(s), "--out", str(tmp_path / "out"), "--no-report")
    assert code == 0, err
    assert (
        "  re-plan: before as_of 1 fixed, 1 interrupted, 2 cancelled (cancelled.csv); "
        "planned: 1 kept, 0 moved, 1 dropped, 1 added"
    ) in out.splitlines()
    assert (tmp_path / "out" / "cancelled.csv").read_text() == (
        "participant_id,offer_id,start_date,end_date,reason\n"
        "P2,O2,2020-04-06,2020-05-03,blackout\n"
        "P6,O6,2020-03-09,2020-03-13,status\n"
    )
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["replan"] == {
        "fixed": 1,
        "interrupted": 1,
        "cancelled": 2,
        "kept": 1,
        "moved": 0,
        "dropped": 1,
        "added": 1,
    }
    assert summary["cost_eur"]["total"] == 6602
    alloc = (tmp_path / "out" / "allocation.csv").read_text().splitlines()
    assert (
        "P1,LEARN,RS_BEL,RS,ES_SEV,ES,O1,2020-03-02,2020-03-19,2351.826,360.00,1038.00,"
        "350.00,0.00,0.00,1748.00,F,false,1,interrupted" in alloc
    )
    # the plan is checked as it was written: interrupted status and shortened stay accepted
    code, out, err = run_cli(
        "check",
        str(tmp_path / "case"),
        str(tmp_path / "out" / "allocation.csv"),
        "--scenario",
        str(s),
    )
    assert code == 0, out + err
    # and an interrupted row that claims the whole stay breaks the rules
    edited = tmp_path / "edited.csv"
    edited.write_text(
        "\n".join(
            line.replace("2020-03-19,2351.826,360.00,1038.00", "2020-03-29,2351.826,360.00,1438.00")
            for line in alloc
        )
        + "\n"
    )
    code, out, _ = run_cli("check", str(tmp_path / "case"), str(edited), "--scenario", str(s))
    assert code == 3
    assert "column.end_date [P1, O1]" in out and "subsistence_eur is 1438.00" in out


def test_without_blackout_only_the_status_cancels(tmp_path):
    s = write_replan(tmp_path, {"blackouts": [], "withdrawn": []})
    code, _out, err = run_cli("run", str(s), "--out", str(tmp_path / "out"), "--no-report")
    assert code == 0, err
    assert (tmp_path / "out" / "cancelled.csv").read_text() == (
        "participant_id,offer_id,start_date,end_date,reason\nP6,O6,2020-03-09,2020-03-13,status\n"
    )
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["replan"]["interrupted"] == 0 and summary["replan"]["fixed"] == 3


def test_cancelled_header_only(tmp_path):
    s = write_replan(tmp_path, {"blackouts": [], "withdrawn": []})
    prev = PREVIOUS.assign(status="planned")
    prev.to_csv(tmp_path / "prev.csv", index=False)
    code, _out, err = run_cli("run", str(s), "--out", str(tmp_path / "out"), "--no-report")
    assert code == 0, err
    assert (tmp_path / "out" / "cancelled.csv").read_text() == (
        "participant_id,offer_id,start_date,end_date,reason\n"
    )


def test_no_replan_no_cancelled_csv_no_replan_counts(tmp_path):
    s = write_replan(tmp_path)
    text = yaml.safe_load(s.read_text())
    for k in ("previous_plan", "as_of", "withdrawn"):
        del text[k]
    s.write_text(yaml.safe_dump(text))
    code, _out, err = run_cli("run", str(s), "--out", str(tmp_path / "out"), "--no-report")
    assert code == 0, err
    assert not (tmp_path / "out" / "cancelled.csv").exists()
    assert "replan" not in json.loads((tmp_path / "out" / "summary.json").read_text())


def test_unknown_withdrawn_id_exit_2(tmp_path):
    s = write_replan(tmp_path, {"withdrawn": ["P4", "P9"]})
    code, _out, err = run_cli("run", str(s), "--out", str(tmp_path / "out"), "--no-report")
    assert code == 2
    line = s.read_text().splitlines().index("- P9") + 1
    assert f"{s} line {line}, column withdrawn: 'P9' is not a participant_id of the case" in err
    assert not (tmp_path / "out").exists()


def test_without_withdrawal_p4_keeps_the_plan(tmp_path):
    # P4 not withdrawn: its planned O5 row counts for stability, so P4 keeps O5 and P2, freed
    # by the cancellation, competes for the last LEARN place with P4's kept plan: P4 stays
    plan = solve(tmp_path, {"withdrawn": []})
    pairs = set(zip(plan.allocation.participant_id, plan.allocation.offer_id, strict=True))
    assert ("P4", "O5") in pairs and "P2" not in set(plan.allocation.participant_id)
    assert plan.values["stability"] == 0
