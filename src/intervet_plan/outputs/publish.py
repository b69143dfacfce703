"""Publish a run: solve into a staging folder, write the run folder of SPEC 5 and its
reports there, and move it into place in one rename."""

from __future__ import annotations

import json
from pathlib import Path

from intervet_plan.errors import IntervetError, NoPlanError
from intervet_plan.inputs.scenario import SolverSettings
from intervet_plan.model.build import Model
from intervet_plan.outputs.folder import atomic_folder
from intervet_plan.outputs.plan import Plan, solve_plan
from intervet_plan.outputs.report import write_reports
from intervet_plan.outputs.run_folder import write_into
from intervet_plan.outputs.shortfall import walk_shortfall
from intervet_plan.solve.types import Status


def publish_run(
    model: Model,
    settings: SolverSettings,
    target: Path,
    force: bool = False,
    report: bool = True,
    timings: dict[str, float] | None = None,
) -> Plan:
    """Solve ``model`` into a staging folder and publish it as ``target`` (already checked
    with :func:`~intervet_plan.outputs.folder.check_output_folder`): ``solver.log``, the files
    of SPEC 5, ``allocation.xlsx`` and (with ``report``) ``report.ipynb`` and ``report.html``;
    ``tradeoff.csv`` when soft targets fall short (:func:`walk_shortfall`).
    A failed report leaves the earlier result in place. ``timings`` (seconds of load and
    build) go to summary.json. An infeasible plan is published too (its exit code is 3);
    no plan in time raises :class:`NoPlanError`, a solver failure :class:`IntervetError`."""
    with atomic_folder(target, force=force) as stage:
        plan = solve_plan(model, settings, log_path=stage / "solver.log")
        plan.timings.update(timings or {})
        if plan.status == Status.NO_PLAN:
            raise NoPlanError(
                f"no plan found within the time limit of {settings.time_limit_s:g} s; "
                "raise solver.time_limit_s or --time-limit"
            )
        if plan.status == Status.ERROR:
            raise IntervetError(f"the solver failed: {plan.result.message}")
        walk_shortfall(plan, settings)  # its stages say "placements/targets frontier: ..."
        last = last_report_s(target) if report else None
        write_into(plan, stage, {"report": lambda st: write_reports(st, report, last)})
    return plan


def last_report_s(folder: Path) -> float | None:
    """The seconds the report of the run already in ``folder`` took (its summary.json's
    ``timings_s.report``); None when there is none."""
    try:
        s = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        seconds = float(s["timings_s"]["report"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return seconds if 1 <= seconds < 1e6 else None  # under 1 s: no notebook was run
