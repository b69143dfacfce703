"""The report's word on soft targets that fall short (SPEC 8.2): a warning in the headline
and the section "What the targets cost", the first points of the placements/targets frontier
(tradeoff.csv) as a table in words and as a figure. From the run folder only; each function
gives None for a run whose soft targets do not fall short (nothing is shown then).

>>> from intervet_plan.solve.tradeoff import Frontier, Point
>>> from intervet_plan.model.build import Goal
>>> f = Frontier("placements", "targets", Goal.MAXIMISE, Goal.MINIMISE,
...     [Point(619, 67.25, "optimal"), Point(618, 0.0, "optimal")], (618, 0), 2.7, 1)
>>> warning_text(67.25, f, None)
'Soft targets fall short by 67.25; meeting them would cost 1 placement (619 -> 618).'
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from intervet_plan.outputs.run_folder import RunFolder
from intervet_plan.outputs.tradeoff import (
    UNITS,
    frontier_figure,
    plain_number,
    sentences,
    targets_cost,
)
from intervet_plan.solve.tradeoff import Frontier
from intervet_plan.solve.types import Status

HEADING = "## What the targets cost"
TOL = 1e-6


def _falls_short(res: RunFolder) -> float | None:
    """The shortfall of the soft targets (the targets level, in persons) of a run with a plan
    whose soft targets fall short; None otherwise."""
    s = res["summary"]
    info = s.get("tradeoff")
    if s.get("status") not in ("optimal", "feasible") or not info:
        return None
    f = res.get("tradeoff")
    if f is not None and f.points and f.points[0].b is not None:
        return f.points[0].b
    soft = [float(t.get("shortfall") or 0.0) for t in s.get("targets", []) if not t.get("hard")]
    return float(s.get("objective", {}).get("targets", sum(soft)))


def warning_text(short: float, f: Frontier | None, note: str | None) -> str:
    """The headline's warning in one sentence."""
    head = f"Soft targets fall short by {plain_number(short)}"
    if f is None:
        why = note or "the frontier was not walked"
        return f"{head}; what meeting them would cost in placements is not known: {why}."
    return f"{head}; {targets_cost(f)}."


def shortfall_warning(res: RunFolder) -> str | None:
    """The warning of the report's headline, e.g. "Soft targets fall short by 67.25;
    meeting them would cost 1 placement (619 -> 618)."; None when they do not fall short."""
    short = _falls_short(res)
    if short is None:
        return None
    return warning_text(short, res.get("tradeoff"), res["summary"]["tradeoff"].get("note"))


def targets_cost_text(res: RunFolder) -> str | None:
    """The section's heading and text: what the frontier is, then each point in words (or
    why it was not walked)."""
    short = _falls_short(res)
    if short is None:
        return None
    f = res.get("tradeoff")
    if f is None:
        note = res["summary"]["tradeoff"].get("note") or "the frontier was not walked"
        return (
            f"{HEADING}\n\nThe soft targets fall short by {plain_number(short)} persons, but "
            f"what meeting them would cost in placements was not worked out: {note}."
        )
    a_many = UNITS.get(f.a, (f.a, f.a))[1]
    order = list(res["summary"].get("objective_order") or [])
    held = (
        f", every level before {f.a} held at its optimum"
        if f.a in order and order.index(f.a) > 0
        else ""
    )
    lines = [
        HEADING,
        "",
        f"The scenario's objective puts {a_many} before the soft targets: the plan keeps "
        f"all the {a_many} it can, even when that leaves the targets short. The first points "
        f"of the frontier between them (`tradeoff.csv`, as `intervet-plan tradeoff "
        f"--between {f.a},{f.b}` gives them): for each number of {a_many} given up, the least "
        "shortfall of the soft targets, in persons (the sum over soft targets of weight x "
        f"shortfall){held}.",
        "",
    ]
    lines += [f"- {s}" for s in sentences(f)]
    return "\n".join(lines)


def targets_cost_table(res: RunFolder) -> pd.DataFrame | None:
    """One row per frontier point, in words: the first level's value, how much of it is
    given up, the soft targets' shortfall (persons) and what that plan does."""
    f = res.get("tradeoff")
    if _falls_short(res) is None or f is None:
        return None
    a0 = f.points[0].a
    rows = []
    for i, p in enumerate(f.points):
        if p.b is None:
            what = "no plan found within the time limit"
        elif i == 0:
            what = "the scenario's plan"
        elif abs(p.b) < TOL:
            what = "meets every soft target"
        else:
            persons = "person" if abs(p.b - 1) < TOL else "persons"
            what = f"leaves the soft targets {plain_number(p.b)} {persons} short"
        if p.status != Status.OPTIMAL:
            what += " (not proven optimal: time limit)"
        rows.append(
            (
                plain_number(p.a),
                plain_number(abs(p.a - a0)),
                "" if p.b is None else plain_number(p.b),
                what,
            )
        )
    return pd.DataFrame(
        rows, columns=[f.a, f"{f.a} given up", "short of the soft targets (persons)", "plan"]
    )


def targets_cost_figure(res: RunFolder) -> Figure | None:
    """The frontier drawn, the scenario's own plan marked."""
    f = res.get("tradeoff")
    if _falls_short(res) is None or f is None:
        return None
    return frontier_figure(f)
