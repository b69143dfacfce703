"""What meeting the soft targets would cost (SPEC 8.2): when a run's soft targets fall short,
the first points of its placements/targets frontier are walked after the plan
(:func:`~intervet_plan.solve.tradeoff.frontier`), for ``tradeoff.csv``, the report and one
line of the command line. The walk is an extra: when it cannot be done (the levels are not
adjacent, no plan in time, a solver failure), the run goes on and the plan says why.
"""

from __future__ import annotations

import time
from dataclasses import replace

from intervet_plan.errors import InputError, IntervetError
from intervet_plan.inputs.scenario import SolverSettings
from intervet_plan.outputs.plan import TRADEOFF_FILE, TRADEOFF_LEVELS, Plan
from intervet_plan.outputs.tradeoff import plain_number, targets_cost
from intervet_plan.solve.tradeoff import frontier
from intervet_plan.solve.types import Status

WALK_POINTS = 5  # points of the frontier a run walks, its own plan included
# With no time limit in the scenario, the walk may take as long as the solve, and at least
# this: each point is a MIP as hard as a level, and where the budget binds (scale 10, EUR 8 M)
# an unlimited walk ran for over an hour and 4 GB after a solve of a few minutes.
WALK_MIN_S = 60.0
TOL = 1e-6


def soft_shortfall(plan: Plan) -> float:
    """The persons by which the plan's soft targets fall short, summed (0 without a plan)."""
    t = plan.targets
    if not plan.values or t.empty:
        return 0.0
    return float(t.loc[~t["hard"].astype(bool), "shortfall"].astype(float).sum())


def walk_shortfall(plan: Plan, settings: SolverSettings, points: int = WALK_POINTS) -> None:
    """When some soft target of a plan (optimal or feasible) falls short, walk up to
    ``points`` points of its placements/targets frontier into ``plan.tradeoff``, in the
    scenario's time limit (``settings.time_limit_s`` for the whole walk, on HiGHS; without
    one, :func:`walk_limit`), with its seconds in ``plan.timings["tradeoff"]``; or say in
    ``plan.tradeoff_note`` why not. Never raises an
    :class:`~intervet_plan.errors.IntervetError`: the run does not depend on it."""
    if plan.status not in (Status.OPTIMAL, Status.FEASIBLE) or soft_shortfall(plan) <= TOL:
        return
    order = list(plan.ctx.objective)
    absent = [lv for lv in TRADEOFF_LEVELS if lv not in order]
    if absent:
        plan.tradeoff_note = (
            f"{' and '.join(absent)} {'is' if len(absent) == 1 else 'are'} not among the "
            f"scenario's objective levels ({', '.join(order)}), so the plan does not trade "
            "placements for targets"
        )
        return
    a, b = TRADEOFF_LEVELS
    if order.index(b) < order.index(a):
        plan.tradeoff_note = (
            f"the scenario optimises {b} before {a} ({', '.join(order)}): the soft targets "
            "are already as close as the levels before them allow"
        )
        return
    t0 = time.perf_counter()
    limited = replace(settings, time_limit_s=walk_limit(plan, settings))
    try:
        plan.tradeoff = frontier(
            plan.model, limited, order, plan.ctx.scenario.tolerances, TRADEOFF_LEVELS, points
        )
    except InputError as e:  # another level lies between them
        reason = "; ".join(p.message for p in e.problems)
        plan.tradeoff_note = reason.removesuffix("; choose two neighbouring levels")
    except IntervetError as e:  # infeasible, no plan in time, a solver failure
        plan.tradeoff_note = f"the frontier could not be walked: {e}"
    plan.timings["tradeoff"] = time.perf_counter() - t0


def walk_limit(plan: Plan, settings: SolverSettings) -> float:
    """The seconds the walk may take: the scenario's time limit, or without one as long as
    the solve took, and at least :data:`WALK_MIN_S`."""
    if settings.time_limit_s is not None:
        return settings.time_limit_s
    return max(WALK_MIN_S, plan.timings.get("solve", 0.0))


def shortfall_line(plan: Plan) -> str | None:
    """The command line's line on a plan whose soft targets fall short (e.g. "soft targets
    fall 67.25 short; meeting them would cost 1 placement (tradeoff.csv)"); None when they
    do not."""
    f = plan.tradeoff
    if f is not None and f.points and f.points[0].b is not None:
        return (
            f"soft targets fall {plain_number(f.points[0].b)} short; "
            f"{targets_cost(f, values=False)} ({TRADEOFF_FILE})"
        )
    if plan.tradeoff_note is None and f is None:
        return None
    short = plan.values.get("targets", soft_shortfall(plan))
    why = plan.tradeoff_note or "no plan was found within the time limit"
    return (
        f"soft targets fall {plain_number(short)} short; what meeting them would cost is "
        f"unknown: {why}"
    )
