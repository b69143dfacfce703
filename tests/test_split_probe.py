"""Proving a level through the organisational-support splits (issue 14, ``solve/split_probe``)
and the strategy for large relaxations (``highs_model.large_lp_strategy``): each must leave
every level's optimum as it was.

The case: ``generate --scale 1 --seed 2`` with a budget of EUR 800,000, which binds (the
unconstrained plan costs more); the relaxation then prices organisational support at the
chord of min(n, T), promises more placements than any plan reaches, and the placements level
is proven by one probe of a split at z = 0 instead of by branch and bound."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

import intervet_plan.solve.highs as highs
import intervet_plan.solve.highs_model as highs_model
import intervet_plan.solve.split_probe as split_probe
from intervet_plan.domain.context import build_context
from intervet_plan.generate import generate_case
from intervet_plan.inputs.case import validate_raw
from intervet_plan.inputs.files import read_case
from intervet_plan.inputs.scenario_file import parse_scenario
from intervet_plan.model.build import build_model
from intervet_plan.solve.bounds import Bound
from intervet_plan.solve.driver import solve
from intervet_plan.solve.split_probe import SplitCase, cases_top, fixed_at_one
from intervet_plan.solve.types import Status

# the level values of this case, proven by branch and bound with the probes switched off
VALUES = {"placements": 515, "priority": 30272, "preferences": 407, "cost": 799999}


@pytest.fixture(scope="module")
def budget_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("probe") / "case"
    generate_case(folder, scale=1, seed=2)
    return folder


def _solve(folder: Path) -> dict[str, tuple[float, str, Status]]:
    case, problems = validate_raw(read_case(folder))
    assert case is not None and not problems
    scenario = {"name": "probe", "case": str(folder), "budget_eur": 800000}
    result = solve(build_model(build_context(case, parse_scenario(scenario))))
    return {r.level: (r.value, r.method.value, r.status) for r in result.levels}


def test_a_probe_proves_placements_with_the_values_branch_and_bound_proves(
    budget_case: Path, monkeypatch: pytest.MonkeyPatch
):
    bounds: list[Bound | None] = []
    probe = split_probe.probe_split

    def recorded(*args, **kwargs):
        bounds.append(probe(*args, **kwargs))
        return bounds[-1]

    monkeypatch.setattr(split_probe, "probe_split", recorded)
    with_probes = _solve(budget_case)
    assert with_probes["placements"] == (515, "completion", Status.OPTIMAL)
    # one split probed; with it at z = 0 no plan reaches 515 (its bound stopped below 514.5)
    assert len(bounds) == 1 and bounds[0] is not None
    assert bounds[0].value + bounds[0].margin < 515
    assert {k: v[0] for k, v in with_probes.items() if k in VALUES} == VALUES

    monkeypatch.setattr(
        split_probe, "probe_split", lambda *args, **kwargs: None
    )  # probes prove nothing
    without = _solve(budget_case)
    assert without["placements"] == (515, "branch-and-bound", Status.OPTIMAL)
    assert {k: v[0] for k, v in without.items() if k in VALUES} == VALUES


def test_large_relaxations_by_interior_point_then_primal_simplex_keep_every_optimum(
    budget_case: Path, monkeypatch: pytest.MonkeyPatch
):
    """The strategy is used from half a million nonzeros on; here from 0, on the same case: the
    first relaxation by interior point, the next by primal simplex, the others as HiGHS
    chooses; every option is given back."""
    seen: list[tuple[int, object, object]] = []
    strategy = highs_model.large_lp_strategy

    @contextmanager
    def recorded(h, arr, solved):
        with strategy(h, arr, solved):
            seen.append(
                (solved, h.getOptionValue("solver")[1], h.getOptionValue("simplex_strategy")[1])
            )
            yield
        assert h.getOptionValue("solver")[1] == "choose"
        assert h.getOptionValue("simplex_strategy")[1] == 1

    monkeypatch.setattr(highs_model, "LARGE_LP", 0)
    monkeypatch.setattr(highs, "large_lp_strategy", recorded)
    values = _solve(budget_case)
    assert {k: v[0] for k, v in values.items() if k in VALUES} == VALUES
    assert all(v[2] == Status.OPTIMAL for v in values.values())
    assert seen[:2] == [(0, "ipm", 1), (1, "choose", 4)]
    assert all(s == (i, "choose", 1) for i, s in enumerate(seen) if i > 1)


def _bound(value: float) -> Bound:
    return Bound(value, np.zeros(1), 1e-9)


def test_the_cases_bound_every_plan_and_fix_the_splits_only_below_the_level():
    case = SplitCase(np.array([7, 9], np.int32), _bound(515.95))
    # all splits at 1: at most 515; a split at 0: at most 514 and 503
    assert cases_top(case, [_bound(514.2), _bound(503.0)], 1.0) == 515
    # plans kept at 515 cannot have a split at 0 (each such plan reaches 514 at most) ...
    assert fixed_at_one(case, [_bound(514.2), _bound(503.0)], 1.0, 515.0)
    # ... but with a tolerance that keeps plans of 514, the first split may be at 0
    assert not fixed_at_one(case, [_bound(514.2), _bound(503.0)], 1.0, 514.0)
