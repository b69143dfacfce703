"""Every way out of an infeasible scenario (SPEC 8.1): for each relaxable family (the budget,
the quota_min of each activity that has one, each hard target bound, the fixed placements
taken together), the smallest relaxation of that family alone, every other hard rule held,
that makes the scenario feasible. Each is solved exactly (HiGHS, mip_rel_gap 0):

- budget: the least total cost of a plan meeting every other hard rule, minus budget_eur
  (rounded up to the euro);
- quota_min: the most placements of the activity that the other rules allow; the minimum
  falls to it;
- hard target: the best share (Dinkelbach's method over the share ratio) or count the other
  rules allow, reported as the new bound;
- fixed placements: the fewest fixed placements to give up.

``amount`` is None (null in JSON) when relaxing the family alone is not enough."""

from __future__ import annotations

import math

import numpy as np

from intervet_plan.model.build import Model
from intervet_plan.solve.arrays import Arrays, to_arrays
from intervet_plan.solve.highs_model import load_into, new_highs

_EPS = 1e-6


def _optimise(
    arr: Arrays, lower: np.ndarray, free: list[int], c: np.ndarray, maximise: bool
) -> np.ndarray | None:
    """The exact optimum of ``c x`` over the model with the rows ``free`` dropped and the
    column lower bounds ``lower``; None when that problem is infeasible."""
    import highspy

    h = new_highs(threads=1)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 1e-7)
    load_into(h, arr, lower)
    for r in free:
        h.changeRowBounds(r, -math.inf, math.inf)
    n = arr.n
    h.changeColsCost(n, np.arange(n, dtype=np.int32), c)
    sense = highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize
    h.changeObjectiveSense(sense)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return np.array(h.getSolution().col_value)


def _row_coef(arr: Arrays, r: int) -> np.ndarray:
    """Row ``r`` of the constraint matrix as a dense vector over the columns."""
    c = np.zeros(arr.n)
    lo, hi = arr.rows.starts[r], arr.rows.starts[r + 1]
    np.add.at(c, arr.rows.index[lo:hi], arr.rows.value[lo:hi])
    return c


def _num(v: float) -> str:
    """A count or percentage without a needless decimal: 52, 52.5."""
    return f"{v:.1f}".rstrip("0").rstrip(".")


def alternatives(model: Model) -> list[dict]:
    """One entry per relaxable family: ``constraint, kind, amount, unit, sentence`` (and the
    relaxed value: ``budget_eur``, ``quota_min``/``required``, ``bound_value``/``required``,
    ``fixed``); ``amount`` None when relaxing that family alone does not make it feasible."""
    arr = to_arrays(model)
    row_index = {name: r for r, name in enumerate(arr.row_names)}
    n_x = len(model.pairs)
    fixed = [i for i in range(n_x) if arr.lower[i] >= 1]
    out: list[dict] = []
    for row in model.rows:
        r = row_index.get(row.name)
        if r is None or row.soft:
            continue
        if row.rule == "budget":
            out.append(_budget(model, arr, r))
        elif row.rule == "quota_min":
            out.append(_quota_min(model, arr, r, row.about, row.rhs))
        elif row.rule == "target":
            out.append(_target(model, arr, r, row.about, row.idx, row.coef))
    if fixed:
        out.append(_fixed(arr, fixed))
    order = {"budget": 0, "quota_min": 1, "hard_target": 2, "fixed": 3}
    return sorted(out, key=lambda a: order[str(a["kind"])])


def _budget(model: Model, arr: Arrays, r: int) -> dict:
    budget = float(model.ctx.budget_eur)
    x = _optimise(arr, arr.lower, [r], _row_coef(arr, r), maximise=False)
    entry: dict[str, object] = {"constraint": "budget", "kind": "budget", "unit": "EUR"}
    if x is None:
        entry.update(
            amount=None,
            sentence="more budget alone is not enough: the other hard rules conflict "
            "whatever the budget",
        )
        return entry
    cost = float(arr.rows.activity(x)[r])
    extra = max(int(math.ceil(round(cost - budget, 6))), 0)
    entry.update(
        amount=extra,
        budget_eur=budget + extra,
        min_cost_eur=round(cost, 2),
        sentence=f"EUR {extra:,} more budget (EUR {budget + extra:,.0f} instead of "
        f"EUR {budget:,.0f})",
    )
    return entry


def _quota_min(model: Model, arr: Arrays, r: int, about: dict, qmin: float) -> dict:
    act = str(about["activity_id"])
    acts = model.ctx.case.activities
    label = str(acts.at[act, "label"]) if "label" in acts else act
    label = label[:1].lower() + label[1:]
    entry: dict[str, object] = {
        "constraint": f"quota_min__{act}",
        "kind": "quota_min",
        "activity_id": act,
        "unit": "placements",
        "required": int(qmin),
    }
    x = _optimise(arr, arr.lower, [r], _row_coef(arr, r), maximise=True)
    if x is None:
        entry.update(
            amount=None,
            sentence=f"a lower quota_min of {act} alone is not enough: the other hard "
            "rules conflict even with no minimum",
        )
        return entry
    most = int(math.floor(float(arr.rows.activity(x)[r]) + _EPS))
    fewer = max(int(qmin) - most, 0)
    entry.update(
        amount=fewer,
        quota_min=most,
        sentence=f"{fewer} fewer {label} placement{'s' if fewer != 1 else ''} "
        f"({act} quota_min {most} instead of {int(qmin)})",
    )
    return entry


def _target(
    model: Model, arr: Arrays, r: int, about: dict, idx: np.ndarray, coef: np.ndarray
) -> dict:
    name, bound, value = str(about["target"]), str(about["bound"]), float(about["value"])
    share = next(t.kind == "share" for t in model.ctx.targets if t.name == name)
    maximise = bound == "min"  # a minimum is relaxed by the most the others allow
    entry: dict[str, object] = {
        "constraint": f"target__{name}__{bound}",
        "kind": "hard_target",
        "target": name,
        "bound": bound,
        "required": value,
        "unit": "percentage points" if share else "persons",
    }
    word = "target" if bound == "min" else "maximum"
    n = arr.n
    m = np.zeros(n)
    ones = np.zeros(n)
    if share:
        np.add.at(m, idx, coef + value)  # coef is match - value
        np.add.at(ones, idx, 1.0)
    else:
        np.add.at(m, idx, coef)
    best = _best_share(arr, r, m, ones, value, maximise) if share else None
    if not share:
        x = _optimise(arr, arr.lower, [r], m, maximise)
        best = None if x is None else float(m @ x)
    if best is None:
        entry.update(
            amount=None,
            sentence=f"changing the {name} {word} alone is not enough: the other hard "
            "rules conflict whatever its value",
        )
        return entry
    if share:
        pct = 100 * best
        new = math.floor(pct * 10 + _EPS) / 10 if maximise else math.ceil(pct * 10 - _EPS) / 10
        amount = round(abs(100 * value - new), 1)
        entry.update(
            amount=amount,
            bound_value=round(new / 100, 4),
            sentence=f"a {name} {word} of {_num(new)} % instead of {_num(100 * value)} %",
        )
    else:
        new = math.floor(best + _EPS) if maximise else math.ceil(best - _EPS)
        entry.update(
            amount=int(abs(value - new)),
            bound_value=new,
            sentence=f"a {name} {word} of {new} instead of {_num(value)}",
        )
    return entry


def _best_share(
    arr: Arrays, r: int, m: np.ndarray, ones: np.ndarray, value: float, maximise: bool
) -> float | None:
    """The best ratio ``m x / ones x`` the other rules allow (Dinkelbach: each step solves
    ``max (m - s ones) x`` and moves s to the ratio of its solution, until no plan beats s)."""
    sign = 1.0 if maximise else -1.0
    s = value
    for _ in range(50):
        x = _optimise(arr, arr.lower, [r], sign * (m - s * ones), maximise=True)
        if x is None:
            return None
        gain = float(sign * (m - s * ones) @ x)
        den = float(ones @ x)
        if den < 0.5:  # nothing in scope is placed: any share holds
            return s if gain > -_EPS else None
        ratio = float(m @ x) / den
        if abs(gain) <= 1e-7 or abs(ratio - s) <= 1e-9:  # F(s) = 0: s is the best share
            return ratio
        s = ratio
    return s


def _fixed(arr: Arrays, fixed: list[int]) -> dict:
    lower = arr.lower.copy()
    lower[fixed] = 0.0
    c = np.zeros(arr.n)
    c[fixed] = 1.0
    x = _optimise(arr, lower, [], c, maximise=True)
    entry: dict[str, object] = {
        "constraint": "fixed",
        "kind": "fixed",
        "unit": "placements",
        "fixed": len(fixed),
    }
    if x is None:
        entry.update(
            amount=None,
            sentence="giving up fixed placements alone is not enough: the other hard rules "
            "conflict even with none fixed",
        )
        return entry
    drop = len(fixed) - int(round(float(c @ x)))
    entry.update(
        amount=drop,
        sentence=f"giving up {drop} of the {len(fixed)} fixed placements",
    )
    return entry


def lead_sentence(alts: list[dict]) -> str:
    """The alternatives in plain words, for the command line and the report."""
    ways = [str(a["sentence"]) for a in alts if a.get("amount") is not None]
    if not ways:
        return (
            "No single relaxation makes the plan possible: several constraints must be "
            "relaxed together (see the conflicts below)."
        )
    if len(ways) == 1:
        return f"This makes the plan possible: {ways[0]}."
    return "Any one of these makes the plan possible: " + "; or ".join(ways) + "."
