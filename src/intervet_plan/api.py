"""The analysts' facade: load a scenario, build and change its model, solve it, check, diff,
explain and diagnose plans, vary targets, and run the whole pipeline of ``intervet-plan run``.
Everything is re-exported by :mod:`intervet_plan`.

>>> from intervet_plan import api
>>> ctx = api.load("scenarios/baseline.yaml")            # doctest: +SKIP
>>> model = api.build(ctx)                               # doctest: +SKIP
>>> plan = api.solve(model)                              # doctest: +SKIP
>>> plan.allocation.head()                               # doctest: +SKIP
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import pandas as pd

from intervet_plan import progress
from intervet_plan.domain import eligibility
from intervet_plan.domain.context import Context, build_context, load_context
from intervet_plan.errors import IntervetError
from intervet_plan.inputs.allocation import RunNotes, read_allocation
from intervet_plan.inputs.case import Case
from intervet_plan.inputs.scenario import Target
from intervet_plan.model.build import Model, build_model
from intervet_plan.outputs.describe import describe_case, describe_plan
from intervet_plan.outputs.folder import check_output_folder
from intervet_plan.outputs.plan import Plan, exit_code, solve_plan
from intervet_plan.outputs.publish import publish_run
from intervet_plan.outputs.run_folder import run_inputs
from intervet_plan.outputs.tradeoff import frontier_table, sentences, write_tradeoff
from intervet_plan.solve.check import Violation, check_allocation
from intervet_plan.solve.diagnose import diagnose
from intervet_plan.solve.diff import diff_plans
from intervet_plan.solve.fairness import Audit
from intervet_plan.solve.tradeoff import DEFAULT_POINTS, frontier
from intervet_plan.solve.types import Status

__all__ = [
    "Plan",
    "Status",
    "add_target",
    "blocking_swaps",
    "build",
    "check",
    "describe",
    "diagnose",
    "diff",
    "exit_code",
    "exclusions",
    "explain",
    "load",
    "reserves",
    "run",
    "solve",
    "tradeoff",
    "with_target",
    "without_target",
]

load = load_context  # scenario file -> Context (the case read and validated with it)
build = build_model  # Context -> Model (model.problem is the PuLP problem)
solve = solve_plan  # Model -> Plan (status, tables, diagnosis when infeasible)


def check(ctx: Context, allocation: str | Path | pd.DataFrame) -> list[Violation]:
    """Every rule of the scenario that an allocation breaks (empty: none): an allocation CSV
    file, or its text cells as :func:`~intervet_plan.inputs.allocation.read_allocation`
    gives them."""
    if isinstance(allocation, pd.DataFrame):
        return check_allocation(ctx, allocation)
    return check_allocation(ctx, read_allocation(Path(allocation)))


def blocking_swaps(plan: Plan) -> pd.DataFrame:
    """The plan's blocking swaps (SPEC 8.3), as fairness.csv holds them: an unplaced applicant
    of higher priority who could take a non-fixed seat with every hard rule met, ``kept_by``
    the first objective level the swap makes worse and ``detail`` in words. Empty: nobody was
    passed over for someone of lower priority."""
    return _audit(plan).swaps.copy()


def reserves(plan: Plan) -> pd.DataFrame:
    """Up to three reserves for each non-fixed placement (SPEC 8.4), as reserves.csv holds
    them: applicants who could take the seat with every hard rule met, best swapped plan
    first."""
    return _audit(plan).reserves.copy()


def _audit(plan: Plan) -> Audit:
    if plan.audit is None:
        raise IntervetError(f"the plan has no placements to audit (status {plan.status.value})")
    return plan.audit


def diff(old: pd.DataFrame | Plan, new: pd.DataFrame | Plan) -> pd.DataFrame:
    """What moved, was added, dropped or interrupted between two allocation tables
    (``plan.allocation``), as ``intervet-plan diff`` says it (columns
    :data:`~intervet_plan.solve.diff.DIFF_COLUMNS`). With a re-plan's :class:`Plan` as
    ``new``, ``why`` also gives the causes its run folder would: cancellations (with the
    blackout) and why a participant is unplaced."""
    notes = _plan_notes(new) if isinstance(new, Plan) else None
    return diff_plans(_table(old), _table(new), notes)


def _table(allocation: pd.DataFrame | Plan) -> pd.DataFrame:
    return allocation.allocation if isinstance(allocation, Plan) else allocation


def _plan_notes(plan: Plan) -> RunNotes:
    """What ``plan``'s run folder would say about why placements changed: cancelled.csv and
    the blackouts of a re-plan, and unplaced.csv."""
    ctx = plan.ctx
    if not ctx.replan:
        return RunNotes(unplaced=plan.unplaced)
    cancelled = ctx.cancelled.copy()
    for c in ("start_date", "end_date"):
        cancelled[c] = [d.isoformat() for d in cancelled[c]]
    return RunNotes(cancelled, plan.unplaced, tuple(ctx.scenario.blackouts))


def explain(ctx: Context, participant_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """For each (participant, offer), the first eligibility rule excluding it (SPEC 3.1)."""
    return eligibility.explain(ctx.case, ctx.window, participant_ids)


def exclusions(ctx: Context, participant_ids: Iterable[str]) -> pd.DataFrame:
    """For each given participant: how many offers each eligibility rule excluded."""
    return eligibility.exclusion_counts(ctx.case, ctx.window, participant_ids)


def describe(obj: Case | Context | Plan) -> str:
    """A one-screen text summary of a case (or a context's case) or of a solved plan."""
    if isinstance(obj, Plan):
        return describe_plan(obj.summary)
    return describe_case(obj.case if isinstance(obj, Context) else obj)


def with_target(ctx: Context, name: str, **changes: object) -> Context:
    """A context with one scenario target changed (e.g. ``min=0.4`` or ``hard=False``)."""
    targets = list(ctx.scenario.targets)
    for i, t in enumerate(targets):
        if t.name == name:
            targets[i] = replace(t, **changes)  # type: ignore[arg-type]
            return build_context(ctx.case, replace(ctx.scenario, targets=tuple(targets)))
    raise KeyError(f"no target named {name!r}; targets: {[t.name for t in targets]}")


def without_target(ctx: Context, name: str) -> Context:
    """A context without the scenario target ``name``."""
    targets = tuple(t for t in ctx.scenario.targets if t.name != name)
    if len(targets) == len(ctx.scenario.targets):
        raise KeyError(f"no target named {name!r}")
    return build_context(ctx.case, replace(ctx.scenario, targets=targets))


def add_target(ctx: Context, target: Target) -> Context:
    """A context with one more scenario target."""
    return build_context(ctx.case, replace(ctx.scenario, targets=(*ctx.scenario.targets, target)))


def run(
    scenario_path: str | Path,
    out: Path | None = None,
    solver: str | None = None,
    time_limit_s: float | None = None,
    force: bool = False,
    report: bool = True,
) -> tuple[Plan, Path]:
    """The pipeline of ``intervet-plan run``: load, build, solve, write SPEC 5 atomically
    (:func:`intervet_plan.outputs.publish.publish_run`). ``time_limit_s`` in seconds.

    Returns the plan and the output folder as given (default ``reports/<scenario name>``).
    An infeasible scenario gets its folder too; ``plan.exit_code`` is then 3."""
    t0 = time.perf_counter()
    with progress.stage("reading the scenario and its case"):
        ctx = load_context(scenario_path)
    t_load = time.perf_counter() - t0
    settings = ctx.scenario.solver
    if solver:
        settings = replace(settings, name=solver)
    if time_limit_s is not None:
        settings = replace(settings, time_limit_s=time_limit_s)
    target = check_output_folder(
        out or Path("reports") / ctx.scenario.name, run_inputs(ctx), force=force
    )
    t1 = time.perf_counter()
    with progress.stage("building the model"):
        model: Model = build_model(ctx)
    t_build = time.perf_counter() - t1
    plan = publish_run(
        model,
        settings,
        target,
        force=force,
        report=report,
        timings={"load": t_load, "build": t_build},
    )
    return plan, target


def tradeoff(
    scenario: str | Path | Context,
    between: str = "placements,targets",
    points: int = DEFAULT_POINTS,
    out: Path | None = None,
    time_limit_s: float | None = None,
) -> pd.DataFrame:
    """The frontier between two adjacent objective levels ``between`` = "A,B" (SPEC 8.2): one
    row per point, columns named after the levels (and ``status`` when a point is not proven
    optimal). With ``out``, ``tradeoff.csv`` and ``tradeoff.html`` are published in that
    folder (the command line's default is ``reports/<name>-tradeoff-<A>-<B>``).
    ``attrs["sentences"]`` holds the frontier in words, ``attrs["time_s"]`` its seconds."""
    if isinstance(scenario, Context):
        ctx = scenario
    else:
        with progress.stage("reading the scenario and its case"):
            ctx = load_context(scenario)
    target = check_output_folder(out, run_inputs(ctx)) if out is not None else None
    settings = ctx.scenario.solver
    if time_limit_s is not None:
        settings = replace(settings, time_limit_s=time_limit_s)
    with progress.stage("building the model"):
        model = build_model(ctx)
    f = frontier(model, settings, ctx.objective, ctx.scenario.tolerances, between, points)
    if target is not None:
        write_tradeoff(f, ctx.scenario.name, target)
    df = frontier_table(f)
    df.attrs["sentences"] = sentences(f)
    df.attrs["time_s"] = f.time_s
    return df
