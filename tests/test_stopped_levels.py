"""Runs stopped short of a proof (issue 14): every level reports the plan's value, a proven
bound on its lattice and the relative gap; the run reads ``feasible`` only when some level is
not proven. The tiny case with more learners and offers and a binding budget needs branch
and bound on the priority level; HiGHS is stopped there by a node limit (``mip_max_nodes``
set on the backend's HiGHS copies by monkeypatching), or the clock runs out before the
second level starts."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

import intervet_plan.solve.highs as highs
from conftest import tiny_tables, write_case
from intervet_plan import api
from intervet_plan.outputs.describe import describe_plan
from intervet_plan.outputs.views import proven_rows
from intervet_plan.solve.stopped import on_lattice, rel_gap

SCENARIO = """name: stopped
case: tiny
budget_eur: 9000
solver: {name: highs, time_limit_s: TIME, mip_gap: 0.0, threads: 1, seed: 0}
targets:
  - name: female_learners
    share_of: {gender: F}
    among: {participant_type: learner}
    min: 0.5
"""


def harder_case(folder: Path, time_limit: float = 600) -> Path:
    """The tiny case with 12 more learners and 4 more learner offers (quota 12), and a
    scenario whose EUR 9,000 budget makes the priority level a knapsack."""
    meta, tables = tiny_tables()
    base = dict(tables["participants"][1])
    for i in range(7, 19):
        r = dict(base)
        r.update(
            participant_id=f"P{i}",
            org_id="RS_BEL" if i % 2 else "BA_SAR",
            gender="F" if i % 3 == 0 else "M",
            fewer_opportunities="true" if i % 4 == 0 else "false",
            priority=str((i * 7) % 11),
            preferences="SI_MAR" if i % 2 else "",
        )
        tables["participants"].append(r)
    dates = [
        ("2020-07-06", "2020-07-19"),
        ("2020-08-03", "2020-08-30"),
        ("2020-09-07", "2020-09-27"),
        ("2020-10-05", "2020-10-16"),
    ]
    for k, (start, end) in enumerate(dates):
        o = dict(tables["offers"][1])
        o.update(offer_id=f"O{5 + k}", start_date=start, end_date=end, seats="3")
        tables["offers"].append(o)
    tables["activities"][0]["quota"] = "12"
    write_case(folder / "tiny", meta, tables)
    path = folder / "stopped.yaml"
    path.write_text(SCENARIO.replace("TIME", f"{time_limit:g}"), encoding="utf-8")
    return path


def summary_of(scenario: Path, out: Path) -> dict:
    _plan, folder = api.run(scenario, out=out, report=False, force=True)
    return json.loads((folder / "summary.json").read_text())


def brief(summary: dict) -> list[tuple]:
    return [
        (lv["level"], lv["status"], lv["value"], lv["bound"], lv["gap"], lv["method"], lv["limit"])
        for lv in summary["levels"]
    ]


@pytest.fixture
def node_limit(monkeypatch: pytest.MonkeyPatch):
    """Stop HiGHS's branch and bound at its root: mip_max_nodes 0 on every HiGHS copy."""
    made = highs.HighsBackend._highs

    def limited(self, log_path):
        h = made(self, log_path)
        h.setOptionValue("mip_max_nodes", 0)
        return h

    monkeypatch.setattr(highs.HighsBackend, "_highs", limited)


def test_unlimited_run_proves_every_level(tmp_path: Path) -> None:
    s = summary_of(harder_case(tmp_path), tmp_path / "out")
    assert s["status"] == "optimal" and s["solver"]["gap"] == 0.0
    assert brief(s) == [
        ("placements", "optimal", 7, 7, 0.0, "completion", None),
        ("stability", "optimal", 0, 0, 0.0, "constant", None),
        ("targets", "optimal", 0, 0, 0.0, "completion", None),
        ("priority", "optimal", 46, 46, 0.0, "branch-and-bound", None),
        # the completion around the priority plan reaches the relaxation's bound
        ("preferences", "optimal", 5, 5, 0.0, "completion", None),
        ("cost", "optimal", 8778, 8778, 0.0, "relaxation", None),
    ]
    assert proven_rows(s) == [("objective levels", "all 6 proven optimal")]
    assert "levels (all proven): placements 7, stability 0" in describe_plan(s)


def test_a_node_limit_stops_a_level_with_its_bound_and_gap(tmp_path: Path, node_limit) -> None:
    s = summary_of(harder_case(tmp_path), tmp_path / "out")
    # priority: HiGHS's plan (46, the optimum, not proven) against its dual bound 49; the
    # later levels are not started: the plan's value against their relaxation with the rows
    # held so far (placements 7, targets 0), on their lattice
    assert brief(s) == [
        ("placements", "optimal", 7, 7, 0.0, "completion", None),
        ("stability", "optimal", 0, 0, 0.0, "constant", None),
        ("targets", "optimal", 0, 0, 0.0, "completion", None),
        ("priority", "feasible", 46, 49, 3 / 46, "branch-and-bound", "node limit"),
        ("preferences", "feasible", 4, 7, 0.75, "relaxation", "not reached"),
        ("cost", "feasible", 8778, 8678, 100 / 8778, "relaxation", "not reached"),
    ]
    assert s["status"] == "feasible" and s["solver"]["gap"] == 3 / 46
    assert s["objective"] == {lv["level"]: lv["value"] for lv in s["levels"]}
    text = describe_plan(s)
    assert (
        "  levels: placements 7 (proven), stability 0 (proven), targets 0 (proven), "
        "priority 46 (bound 49, gap 7 %, node limit), preferences 4 (bound 7, gap 75 %, "
        "not reached), cost 8,778 (bound 8,678, gap 1 %, not reached)"
    ) in text
    ((item, words),) = proven_rows(s)
    assert item == "objective levels" and "priority 46 (bound 49, gap 7 %, node limit)" in words


def test_time_running_out_before_a_later_level(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    solve_level = highs.HighsBackend.solve_level

    def slow(self, level):  # the first level takes the whole time limit
        out = solve_level(self, level)
        time.sleep(0.6)
        return out

    monkeypatch.setattr(highs.HighsBackend, "solve_level", slow)
    s = summary_of(harder_case(tmp_path, time_limit=0.5), tmp_path / "out")
    # the plan in hand is the placements level's: its value on every later level, no bound
    # (no time left for a relaxation); a constant level needs no solve
    assert [(lv[0], lv[1], lv[3], lv[4], lv[5], lv[6]) for lv in brief(s)] == [
        ("placements", "optimal", 7, 0.0, "completion", None),
        ("stability", "optimal", 0, 0.0, "constant", None),
        ("targets", "not_solved", None, None, "none", "time limit"),
        ("priority", "not_solved", None, None, "none", "time limit"),
        ("preferences", "not_solved", None, None, "none", "time limit"),
        ("cost", "not_solved", None, None, "none", "time limit"),
    ]
    assert all(lv["value"] is not None for lv in s["levels"])
    assert s["status"] == "feasible" and s["solver"]["gap"] is None
    assert s["objective"] == {lv["level"]: lv["value"] for lv in s["levels"]}
    assert "targets " in describe_plan(s) and "(no bound, time limit)" in describe_plan(s)


def test_bounds_round_onto_the_lattice() -> None:
    assert on_lattice(48.9999999, 1.0) == 49.0  # a solver's rounding does not cost a unit
    assert on_lattice(49.6, 1.0) == 49.0
    assert on_lattice(3.7, 0.5) == 3.5
    assert on_lattice(3.7, None) == 3.7
    assert rel_gap(3.5, 1.0) == pytest.approx(2.5 / 3.5)
    assert rel_gap(0.0, 0.5) == 0.5  # HiGHS's denominator is at least 1
