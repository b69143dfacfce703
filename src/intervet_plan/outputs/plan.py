"""A solved scenario in memory: its tidy tables, the content of its summary.json (SPEC 5),
and the exit code its status maps to (SPEC 6). No files are written here."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from intervet_plan import __version__, progress
from intervet_plan.domain.blackouts import BlackoutEffect, blackout_effect
from intervet_plan.domain.context import Context
from intervet_plan.domain.replan import replan_counts
from intervet_plan.errors import InfeasibleError, IntervetError, NoPlanError
from intervet_plan.inputs.files import sha256_file
from intervet_plan.inputs.scenario import LEVELS, SolverSettings
from intervet_plan.model.build import Model
from intervet_plan.outputs.settings import participant_types, run_at, settings_dict
from intervet_plan.solve.driver import solve as solve_levels
from intervet_plan.solve.fairness import Audit, audit
from intervet_plan.solve.tables import (
    allocation_table,
    cost_summary,
    level_values,
    target_table,
    unplaced_table,
)
from intervet_plan.solve.tradeoff import Frontier
from intervet_plan.solve.types import SolveResult, Status

EXIT_OK = 0
# the frontier a run walks when its soft targets fall short (SPEC 8.2)
TRADEOFF_LEVELS = ("placements", "targets")
TRADEOFF_FILE = "tradeoff.csv"


def exit_code(status: Status) -> int:
    """The exit code of a run that ended with ``status`` (SPEC 6): 0 with a plan (optimal or
    feasible), 3 infeasible, 4 no plan in time, 1 a solver error. The one mapping used by the
    command line and the batch."""
    if status in (Status.OPTIMAL, Status.FEASIBLE):
        return EXIT_OK
    if status == Status.INFEASIBLE:
        return InfeasibleError.exit_code
    if status == Status.NO_PLAN:
        return NoPlanError.exit_code
    return IntervetError.exit_code


@dataclass
class Plan:
    """A solved scenario: tidy tables and the summary of SPEC 5. ``timings`` are seconds per
    step (load, build, solve, audit: the selection audit, write, report; tradeoff when
    walked). ``audit`` is the selection audit (SPEC 8.3, 8.4; None without a plan);
    ``tradeoff`` is the placements/targets frontier of a plan whose soft targets fall short, or
    ``tradeoff_note`` says why it was not walked (:mod:`intervet_plan.outputs.shortfall`).
    ``blackouts`` is what the blackouts of a scenario that plans from scratch take away (None
    otherwise). ``run_at`` is when the plan was made (ISO timestamp with its UTC offset)."""

    ctx: Context
    model: Model
    result: SolveResult
    allocation: pd.DataFrame
    unplaced: pd.DataFrame
    targets: pd.DataFrame
    values: dict[str, float]
    timings: dict[str, float] = field(default_factory=dict)
    diagnosis: dict | None = None
    audit: Audit | None = None
    tradeoff: Frontier | None = None
    tradeoff_note: str | None = None
    blackouts: BlackoutEffect | None = None
    run_at: str = field(default_factory=run_at)

    @property
    def status(self) -> Status:
        return self.result.status

    @property
    def exit_code(self) -> int:
        """The exit code of this plan's status (:func:`exit_code`)."""
        return exit_code(self.status)

    @property
    def summary(self) -> dict:
        """The content of summary.json (:func:`summary_dict`)."""
        return summary_dict(self)


def solve_plan(
    model: Model, settings: SolverSettings | None = None, log_path: Path | None = None
) -> Plan:
    """Solve the model's levels in order and return the plan with its tables. An infeasible
    model gives a plan with status ``infeasible``, empty tables and a ``diagnosis``."""
    t0 = time.perf_counter()
    res = solve_levels(model, settings, log_path)
    ctx = model.ctx
    timings = {"solve": time.perf_counter() - t0}
    # the model's pairs are the eligible ones: only applicants without any are looked at again
    effect = blackout_effect(ctx, model.pairs["participant_id"])
    if res.x is None:
        empty = allocation_table(ctx, model.pairs.iloc[:0])
        diagnosis = None
        if res.status == Status.INFEASIBLE:
            from intervet_plan.solve.diagnose import diagnose

            with progress.stage("finding which hard constraints conflict"):
                diagnosis = diagnose(model)
        return Plan(
            ctx,
            model,
            res,
            empty,
            pd.DataFrame(),
            target_table(ctx, empty),
            {},
            timings,
            diagnosis,
            blackouts=effect,
        )
    chosen = model.pairs[res.x.astype(bool)]
    alloc = allocation_table(ctx, chosen)
    targets = target_table(ctx, alloc)
    t1 = time.perf_counter()
    with progress.stage("checking the selection: blocking swaps and reserves"):
        checked = audit(ctx, model.pairs, alloc, targets)
    timings["audit"] = time.perf_counter() - t1
    return Plan(
        ctx,
        model,
        res,
        alloc,
        unplaced_table(ctx, model.pairs, alloc, checked),
        targets,
        level_values(ctx, alloc),
        timings,
        audit=checked,
        blackouts=effect,
    )


def summary_dict(plan: Plan) -> dict:
    """summary.json of SPEC 5. Each target also gives its ``kind`` (``share``, ``count``);
    ``org_region`` gives the region (``EU``, ``WB``) of each sending organisation with a
    placement, ``preferences`` :func:`preference_counts`, so that a report needs nothing but the run folder; a re-plan adds
    :func:`replan_dict`, a run with blackouts but no previous plan :func:`blackout_dict`, a
    run whose soft targets fall short :func:`tradeoff_dict`. For the report: ``run_at``
    (when the plan was made, ISO), ``settings`` (:func:`settings_dict`),
    ``participant_type`` (activity_id -> learner or staff) and, for any scenario with
    blackouts, ``blackouts`` (:func:`blackout_list`). Money in EUR, times in seconds."""
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
    senders = sorted(set(plan.allocation["org_id"].astype(str)))
    regions = ctx.case.organisations["region"]
    return {
        "scenario": ctx.scenario.name,
        "case": ctx.case.name,
        "run_at": plan.run_at,
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
                "kind": r["kind"],
                "min": _finite(r["min"]),
                "max": _finite(r["max"]),
                "achieved": _finite(r["achieved"], 6),
                "shortfall": round(float(r["shortfall"]), 6),
                "hard": bool(r["hard"]),
            }
            for _, r in plan.targets.iterrows()
        ],
        "preferences": preference_counts(plan),
        "org_region": {o: str(regions.get(o)) for o in senders if o in regions.index},
        "labels": labels_dict(ctx),
        "participant_type": participant_types(ctx),
        "settings": settings_dict(ctx),
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
                "bound": _num(r.bound),
                "gap": r.gap,
                "time_s": round(r.time_s, 3),
                "method": r.method,
                "limit": r.limit or None,
            }
            for r in res.levels
        ],
        "timings_s": {
            k: round(plan.timings.get(k, 0.0), 3)
            for k in ("load", "build", "solve", "audit", "tradeoff", "write", "report")
            if k != "tradeoff" or k in plan.timings
        },
        "inputs_sha256": inputs,
        "version": __version__,
        **({"blackouts": blackout_list(ctx)} if ctx.scenario.blackouts else {}),
        **(replan_dict(plan) if ctx.replan else {}),
        **blackout_dict(plan),
        **tradeoff_dict(plan),
    }


def tradeoff_dict(plan: Plan) -> dict:
    """The ``tradeoff`` of summary.json, for a run whose soft targets fall short (SPEC 8.2),
    else nothing: the two levels (``between``), the file with the frontier's points
    (``file``, None when it was not walked), where the walk aims (``end``: each level's
    value when the targets are optimised first), the lattice step of the first level
    (``a_step``), whether every point is proven optimal (``proven``) and why no frontier was
    walked (``note``)."""
    f = plan.tradeoff
    if f is None:
        if plan.tradeoff_note is None:
            return {}
        return {
            "tradeoff": {"between": list(TRADEOFF_LEVELS), "file": None, "note": plan.tradeoff_note}
        }
    return {
        "tradeoff": {
            "between": [f.a, f.b],
            "file": TRADEOFF_FILE,
            "end": {f.a: _num(f.end[0]), f.b: _num(f.end[1])},
            "a_step": _num(f.a_step),
            "proven": f.proven,
            "note": None,
        }
    }


def preference_counts(plan: Plan) -> dict | None:
    """The plan's placements of participants who listed at least one host
    (``placements_listing_hosts``) and of those who listed none (``placements_listing_none``),
    so that a report counts preferences met among those who gave some; None without a plan."""
    if not plan.values:
        return None
    prefs = plan.ctx.case.participants["preferences"].map(len)
    listed = plan.allocation["participant_id"].map(prefs).fillna(0).to_numpy() > 0
    return {
        "placements_listing_hosts": int(listed.sum()),
        "placements_listing_none": int((~listed).sum()),
    }


def labels_dict(ctx: Context) -> dict:
    """What a report shows instead of ids (no personal data: organisations and activities
    only): ``activities`` (id -> label), ``organisations`` (id -> name, with ``country`` and
    ``city``) and ``host_capacity`` (host id -> max_concurrent, for the hosts that have one)."""
    case = ctx.case
    orgs = case.organisations
    return {
        "activities": {str(a): str(v or a) for a, v in case.activities["label"].items()},
        "organisations": {
            str(o): {"name": str(r["name"]), "country": str(r["country"]), "city": str(r["city"])}
            for o, r in orgs.iterrows()
        },
        "host_capacity": {str(h): int(v) for h, v in case.host_capacity.items()},
    }


def replan_dict(plan: Plan) -> dict:
    """The re-plan part of summary.json (SPEC 7): ``replan`` (the counts), and for the
    report ``as_of``, the scenario's ``blackouts`` and the activity of each cancelled offer
    (``offer_activity``)."""
    ctx = plan.ctx
    offers = sorted(set(ctx.cancelled["offer_id"].astype(str)))
    activity = ctx.case.offers["activity_id"]
    return {
        "replan": replan_counts(ctx.previous, plan.allocation if plan.values else None),
        "as_of": None if ctx.scenario.as_of is None else ctx.scenario.as_of.isoformat(),
        "blackouts": blackout_list(ctx),
        "offer_activity": {o: str(activity[o]) for o in offers if o in activity.index},
    }


def blackout_list(ctx: Context) -> list[dict]:
    """The scenario's blackouts for summary.json: ``from``, ``to`` (ISO dates) and
    ``countries`` (None: everywhere)."""
    return [
        {
            "from": b.start.isoformat(),
            "to": b.end.isoformat(),
            "countries": None if b.countries is None else sorted(b.countries),
        }
        for b in ctx.scenario.blackouts
    ]


def blackout_dict(plan: Plan) -> dict:
    """For a run whose scenario has blackouts and no previous plan (else nothing): its
    ``blackouts`` (as a re-plan gives them) and ``blackout_effect``, what they take away
    (:mod:`intervet_plan.domain.blackouts`): ``restart`` (the day after the last blackout),
    the offers and seats closed to every applicant (``offers_closed``, ``seats_closed``) and
    to applicants of the listed countries only (``offers_closed_for_some``,
    ``seats_closed_for_some``), the applicants left with no eligible offer by them
    (``applicants_without_offer``, each once), the plan's placements that start on or after
    ``restart`` (``placed_after_restart``; None without a plan), and the same per activity
    (``by_activity``: activity_id -> those counts and the activity's ``label``; an applicant
    counts under each activity of which the blackouts closed every eligible offer)."""
    e = plan.blackouts
    if e is None:
        return {}
    t = e.by_activity.copy()
    after = None
    if plan.values:
        a = plan.allocation
        later = a[pd.to_datetime(a["start_date"]) >= pd.Timestamp(e.restart)]
        after = later.groupby("activity_id").size().reindex(t.index, fill_value=0).astype(int)
    counts = [c for c in t.columns if c != "label"]
    total = {c: int(t[c].sum()) for c in counts}
    total["applicants_without_offer"] = e.applicants_without_offer
    return {
        "blackouts": blackout_list(plan.ctx),
        "blackout_effect": {
            "restart": e.restart.isoformat(),
            **total,
            "placed_after_restart": None if after is None else int(after.sum()),
            "by_activity": {
                str(act): {
                    "label": str(r["label"]),
                    **{c: int(r[c]) for c in counts},
                    "placed_after_restart": None if after is None else int(after[act]),
                }
                for act, r in t.iterrows()
            },
        },
    }


def _finite(v: object, digits: int | None = None) -> float | None:
    """A number for JSON: None for a missing value (never NaN, which is not JSON)."""
    if v is None or pd.isna(v):
        return None
    return round(float(v), digits) if digits is not None else float(v)  # type: ignore[arg-type]


def _num(v: float | None) -> float | int | None:
    if v is None:
        return None
    r = round(float(v), 6)
    return int(r) if r.is_integer() else r
