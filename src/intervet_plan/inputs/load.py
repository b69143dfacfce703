"""Reading everything a run needs: the scenario file, the previous plan it names and its
case, each validated on its own (the rules between them are checked by ``domain.context``)."""

from __future__ import annotations

from pathlib import Path

from intervet_plan.inputs.case import Case, load_case
from intervet_plan.inputs.scenario import Scenario
from intervet_plan.inputs.scenario_file import load_scenario


def load_inputs(scenario_path: str | Path) -> tuple[Case, Scenario]:
    """The case and the scenario of a scenario file; :class:`InputError` on any problem (the
    scenario's first, then the case's)."""
    scenario = load_scenario(scenario_path)
    case = load_case(scenario.case_path)
    return case, scenario
