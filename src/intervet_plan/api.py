"""The Python API for analysts and the pipeline behind ``intervet-plan run``.

>>> from intervet_plan import api
>>> ctx = api.load("scenarios/baseline.yaml")            # doctest: +SKIP
>>> model = api.build(ctx)                               # doctest: +SKIP
>>> plan = api.solve(model)                              # doctest: +SKIP
>>> plan.allocation.head()                               # doctest: +SKIP
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from intervet_plan import __version__
from intervet_plan.domain.context import Context, build_context, load_context
from intervet_plan.errors import IntervetError, NoPlanError
from intervet_plan.inputs.files import sha256_file
from intervet_plan.inputs.scenario import LEVELS, SolverSettings, Target
from intervet_plan.model.build import Model, build_model
from intervet_plan.outputs.folder import atomic_folder, check_output_folder
from intervet_plan.solve.driver import solve as _solve
from intervet_plan.solve.tables import (
    allocation_csv,
    allocation_table,
    cost_summary,
    level_values,
    target_table,
    unplaced_table,
)
from intervet_plan.solve.types import SolveResult, Status

load = load_context
build = build_model


@dataclass
class Plan:
    """A solved scenario: tidy tables and the summary of SPEC 5."""

    ctx: Context
    model: Model
    result: SolveResult
    allocation: pd.DataFrame
    unplaced: pd.DataFrame
    targets: pd.DataFrame
    values: dict[str, float]
    timings: dict[str, float] = field(default_factory=dict)
    diagnosis: dict | None = None

    @property
    def status(self) -> Status:
        return self.result.status

    @property
    def summary(self) -> dict:
        return summary_dict(self)


def solve(
    model: Model, settings: SolverSettings | None = None, log_path: Path | None = None
) -> Plan:
    """Solve the model's levels in order and return the plan with its tables. An infeasible
    model gives a plan with status ``infeasible``, empty tables and a ``diagnosis``."""
    t0 = time.perf_counter()
    res = _solve(model, settings, log_path)
    ctx = model.ctx
    timings = {"solve": time.perf_counter() - t0}
    if res.x is None:
        empty = allocation_table(ctx, model.pairs.iloc[:0])
        diagnosis = None
        if res.status == Status.INFEASIBLE:
            from intervet_plan.solve.diagnose import diagnose

            diagnosis = diagnose(model)
        return Plan(
            ctx, model, res, empty, pd.DataFrame(), target_table(ctx, empty), {}, timings, diagnosis
        )
    chosen = model.pairs[res.x.astype(bool)]
    alloc = allocation_table(ctx, chosen)
    return Plan(
        ctx,
        model,
        res,
        alloc,
        unplaced_table(ctx, model.pairs, alloc),
        target_table(ctx, alloc),
        level_values(ctx, alloc),
        timings,
    )


def with_target(ctx: Context, name: str, **changes: object) -> Context:
    """A context with one scenario target changed (e.g. ``min=0.4`` or ``hard=False``)."""
    targets = list(ctx.scenario.targets)
    for i, t in enumerate(targets):
        if t.name == name:
            targets[i] = replace(t, **changes)  # type: ignore[arg-type]
            return build_context(ctx.case, replace(ctx.scenario, targets=tuple(targets)))
    raise KeyError(f"no target named {name!r}; targets: {[t.name for t in targets]}")


def without_target(ctx: Context, name: str) -> Context:
    targets = tuple(t for t in ctx.scenario.targets if t.name != name)
    if len(targets) == len(ctx.scenario.targets):
        raise KeyError(f"no target named {name!r}")
    return build_context(ctx.case, replace(ctx.scenario, targets=targets))


def add_target(ctx: Context, target: Target) -> Context:
    return build_context(ctx.case, replace(ctx.scenario, targets=(*ctx.scenario.targets, target)))


# ------------------------------------------------------------------------- outputs


def summary_dict(plan: Plan) -> dict:
    ctx, res = plan.ctx, plan.result
    placed = plan.allocation.groupby("activity_id").size()
    order = list(ctx.objective) + [lv for lv in LEVELS if lv not in ctx.objective]
    status = res.status.value if res.status != Status.NO_PLAN else "error"
    inputs = {name: sha256_file(p) for name, p in sorted(ctx.case.inputs.items())}
    if ctx.scenario.path is not None:
        inputs[f"scenario:{Path(ctx.scenario.path).name}"] = sha256_file(Path(ctx.scenario.path))
    if ctx.scenario.previous_plan is not None:
        inputs[f"previous_plan:{Path(ctx.scenario.previous_plan).name}"] = sha256_file(
            Path(ctx.scenario.previous_plan)
        )
    return {
        "scenario": ctx.scenario.name,
        "case": ctx.case.name,
        "status": status,
        "objective": {lv: _num(plan.values[lv]) for lv in order} if plan.values else {},
        "objective_order": list(ctx.objective),
        "placed": {a: int(placed.get(a, 0)) for a in ctx.quotas.index},
        "quota": {a: int(q) for a, q in ctx.quotas["quota"].items()},
        "quota_min": {a: int(q) for a, q in ctx.quotas["quota_min"].items()},
        "cost_eur": {k: round(v, 2) for k, v in cost_summary(ctx, plan.allocation).items()},
        "targets": [
            {
                "name": r["name"],
                "min": _finite(r["min"]),
                "max": _finite(r["max"]),
                "achieved": _finite(r["achieved"], 6),
                "shortfall": round(float(r["shortfall"]), 6),
                "hard": bool(r["hard"]),
            }
            for _, r in plan.targets.iterrows()
        ],
        "solver": {
            "name": res.solver,
            "version": res.version,
            "time_s": round(res.time_s, 3),
            "gap": res.gap,
            "seed": res.seed,
        },
        "levels": [
            {
                "level": r.level,
                "status": r.status.value,
                "value": _num(r.value),
                "gap": r.gap,
                "time_s": round(r.time_s, 3),
                "method": r.method,
            }
            for r in res.levels
        ],
        "timings_s": {
            k: round(plan.timings.get(k, 0.0), 3)
            for k in ("load", "build", "solve", "write", "report")
        },
        "inputs_sha256": inputs,
        "version": __version__,
    }


def _finite(v: object, digits: int | None = None) -> float | None:
    """A number for JSON: None for a missing value (never NaN, which is not JSON)."""
    if v is None or pd.isna(v):  # type: ignore[arg-type]
        return None
    return round(float(v), digits) if digits is not None else float(v)  # type: ignore[arg-type]


def _num(v: float | None) -> float | int | None:
    if v is None:
        return None
    r = round(float(v), 6)
    return int(r) if r.is_integer() else r


def write_outputs(plan: Plan, out: Path, force: bool = False, extra: dict | None = None) -> Path:
    """Write allocation.csv, unplaced.csv, summary.json (and diagnosis.json when infeasible)
    into ``out`` atomically; ``extra`` maps file names to callables writing into the staging
    folder (reports)."""
    out = check_output_folder(out, run_inputs(plan.ctx), force=force)
    with atomic_folder(out, force=force) as stage:
        write_into(plan, stage, extra)
    return out


def run_inputs(ctx: Context) -> list[Path]:
    """The files and folders a run reads: no output folder may hold them."""
    found = [ctx.scenario.case_path, *ctx.case.inputs.values()]
    found += [ctx.scenario.path, ctx.scenario.previous_plan]
    return [Path(p) for p in found if p is not None]


def write_into(plan: Plan, stage: Path, extra: dict | None = None) -> None:
    """Write the outputs of SPEC 5 into the (staging) folder ``stage``: first the CSV and
    JSON files, then each ``extra`` writer (called with ``stage``; they may read the files
    already there, summary.json included), then summary.json again with the time they took
    as ``timings_s.report``."""
    t0 = time.perf_counter()
    if plan.diagnosis is not None:
        (stage / "diagnosis.json").write_text(
            json.dumps(plan.diagnosis, indent=2, default=str) + "\n", encoding="utf-8"
        )
    if plan.values:
        (stage / "allocation.csv").write_text(allocation_csv(plan.allocation), encoding="utf-8")
        plan.unplaced.to_csv(stage / "unplaced.csv", index=False, lineterminator="\n")
    plan.timings["write"] = time.perf_counter() - t0
    _write_summary(plan, stage)
    if extra:
        t1 = time.perf_counter()
        for _name, writer in extra.items():
            writer(stage)
        plan.timings["report"] = time.perf_counter() - t1
        _write_summary(plan, stage)


def _write_summary(plan: Plan, stage: Path) -> None:
    (stage / "summary.json").write_text(
        json.dumps(summary_dict(plan), indent=2, default=str) + "\n", encoding="utf-8"
    )


def run(
    scenario_path: str | Path,
    out: Path | None = None,
    solver: str | None = None,
    time_limit_s: float | None = None,
    force: bool = False,
    report: bool = True,
) -> tuple[Plan, Path]:
    """The pipeline of ``intervet-plan run``: load, build, solve, write SPEC 5 atomically.

    The output folder always gets ``solver.log`` (the solver's log) and ``allocation.xlsx``;
    with ``report`` (the default) also ``report.ipynb`` and ``report.html``. Everything is
    written in the staging folder, so a failed report leaves the earlier result in place. An
    infeasible scenario gets its workbook and report too (with the diagnosis); the caller
    maps it to exit code 3."""
    t0 = time.perf_counter()
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
    model = build_model(ctx)
    t_build = time.perf_counter() - t1
    with atomic_folder(target, force=force) as stage:
        plan = solve(model, settings, log_path=stage / "solver.log")
        plan.timings.update(load=t_load, build=t_build)
        if plan.status == Status.NO_PLAN:
            raise NoPlanError(
                f"no plan found within the time limit of {settings.time_limit_s:g} s; "
                "raise solver.time_limit_s or --time-limit"
            )
        if plan.status == Status.ERROR:
            raise IntervetError(f"the solver failed: {plan.result.message}")
        from intervet_plan.outputs import report as _report

        path = ctx.scenario.path or scenario_path
        write_into(plan, stage, {"report": lambda st: _report.write_reports(st, path, report)})
    return plan, target
