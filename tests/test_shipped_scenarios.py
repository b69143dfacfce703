"""The shipped scenarios load against the shipped case, and the shipped pre-COVID plan is
still a valid plan of that case (it must be regenerated when the case changes)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from intervet_plan.domain.context import load_context
from intervet_plan.inputs.allocation import read_allocation
from intervet_plan.solve.check import check_allocation

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


def test_the_issue_scenarios_are_shipped():
    names = {p.stem for p in SCENARIOS}
    assert {"baseline", "budget_cut", "covid", "replan_2021", "gender_hard", "balance"} <= names


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_loads(path: Path):
    ctx = load_context(path)
    assert ctx.scenario.name == path.stem


def test_precovid_plan_passes_check():
    ctx = load_context(ROOT / "scenarios" / "baseline.yaml")
    assert (
        check_allocation(
            ctx, read_allocation(ROOT / "scenarios" / "plans" / "precovid_allocation.csv")
        )
        == []
    )


def test_replan_fixes_what_started_before_as_of():
    ctx = load_context(ROOT / "scenarios" / "replan_2021.yaml")
    assert len(ctx.fixed) > 0 and len(ctx.planned) > 0
    # the COVID stop (2020-03-01 to 2021-06-15): of the 257 placements of the pre-COVID plan
    # that were to start before 2021-06-16, those starting in the stop never took place,
    # those under way on 2020-03-01 were cut on 2020-02-29, the rest were done
    outcome = ctx.previous["outcome"].value_counts().to_dict()
    assert outcome == {"planned": 365, "cancelled": 242, "fixed": 8, "interrupted": 7}
    assert set(ctx.interrupted["cut"]) == {dt.date(2020, 2, 29)}
    assert set(ctx.cancelled["reason"]) == {"blackout"}
