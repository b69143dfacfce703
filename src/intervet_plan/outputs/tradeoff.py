"""A frontier between two objective levels as a planner reads it (SPEC 8.2): ``tradeoff.csv``
(one row per point) and ``tradeoff.html`` (a self-contained page: the frontier drawn as an
embedded PNG, the scenario's own point marked, and each step in words)."""

from __future__ import annotations

import base64
import html
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from intervet_plan.model.build import Goal
from intervet_plan.outputs.figure import MUTED, SHORT_COLOR, new_figure, to_png
from intervet_plan.outputs.folder import atomic_folder
from intervet_plan.solve.tradeoff import Frontier
from intervet_plan.solve.types import Status

# what one unit of each level is, in words (singular, plural)
UNITS = {
    "placements": ("placement", "placements"),
    "stability": ("changed placement", "changed placements"),
    "targets": ("person short of the targets", "persons short of the targets"),
    "priority": ("priority point", "priority points"),
    "preferences": ("preference point", "preference points"),
    "cost": ("euro", "euros"),
}


def plain_number(v: float) -> str:
    """A level's value as written: whole numbers without decimals, else up to 2 decimals."""
    if abs(v - round(v)) < 1e-6:
        return f"{round(v):,}"
    return f"{v:,.2f}".rstrip("0").rstrip(".")


def _amount(level: str, v: float) -> str:
    if level == "cost":
        return f"EUR {v:,.2f}"
    one, many = UNITS.get(level, (level, level))
    return f"{plain_number(v)} {one if abs(v - 1) < 1e-9 else many}"


def frontier_table(f: Frontier) -> pd.DataFrame:
    """One row per point: columns named after the two levels, and ``status`` when a point
    is not proven optimal."""
    df = pd.DataFrame(
        {f.a: [p.a for p in f.points], f.b: [p.b for p in f.points]},
    )
    for col in (f.a, f.b):
        vals = df[col].dropna()
        if len(vals) and all(abs(v - round(v)) < 1e-9 for v in vals):
            df[col] = df[col].round().astype("Int64")
        else:
            df[col] = df[col].round(6)
    if not f.proven:
        df["status"] = [str(p.status) for p in f.points]
    return df


def frontier_csv(f: Frontier) -> str:
    """The text of ``tradeoff.csv`` (:func:`frontier_table`): a whole number is written
    without decimals (``618``, ``0``), any other value as it is, to 6 decimals (``67.25``);
    a point with no plan in time has an empty cell."""
    df = frontier_table(f)
    for col in (f.a, f.b):
        df[col] = [_cell(v) for v in df[col]]
    return df.to_csv(index=False, lineterminator="\n")


def _cell(v: float | None) -> str:
    if v is None or pd.isna(v):
        return ""
    r = round(float(v), 6)
    return str(int(r)) if r.is_integer() else f"{r:.6f}".rstrip("0")


def _b_words(f: Frontier, b: float, b0: float) -> str:
    """What level B becomes at a point, against the scenario's own ``b0``."""
    if f.b == "targets":
        if abs(b) < 1e-6:
            return "meet every soft target"
        persons = "person" if abs(b - 1) < 1e-9 else "persons"
        short = f"{plain_number(b)} {persons} short"
        return f"leave the soft targets {short} (instead of {plain_number(b0)})"
    better = "more" if f.b_sense == Goal.MAXIMISE else "less"
    if f.b == "cost":
        return f"cost EUR {abs(b - b0):,.2f} {better} (EUR {b:,.2f})"
    return f"give {_amount(f.b, abs(b - b0))} {better} ({plain_number(b)} in all)"


def sentences(f: Frontier) -> list[str]:
    """The frontier in plain words: the scenario's own point, then each step from it
    (e.g. "4 fewer placements meet every soft target")."""
    first = f.points[0]
    if first.b is None:
        return ["No plan was found within the time limit."]
    out = [f"The scenario's plan: {_amount(f.a, first.a)}, {_amount(f.b, first.b)}."]
    for p in f.points[1:]:
        if p.b is None:
            out.append(f"At {_amount(f.a, p.a)} no plan was found within the time limit.")
            continue
        d = abs(p.a - first.a)
        if f.a == "cost":
            change = f"EUR {d:,.2f} more"
            verb = "would"
        else:
            worse = "fewer" if f.a_sense == Goal.MAXIMISE else "more"
            one, many = UNITS.get(f.a, (f.a, f.a))
            change = f"{plain_number(d)} {worse} {one if abs(d - 1) < 1e-9 else many}"
            verb = ""
        words = _b_words(f, p.b, first.b)
        if verb:
            words = f"{verb} {words}"
        elif abs(d - 1) < 1e-9 and f.a != "cost":  # "1 fewer placement meets ..."
            words = words.replace("meet ", "meets ", 1).replace("leave ", "leaves ", 1)
            words = words.replace("give ", "gives ", 1)
        note = "" if p.status == Status.OPTIMAL else " (not proven optimal: time limit)"
        out.append(f"{change} {words}{note}.")
    last_b = f.points[-1].b
    if last_b is not None and len(f.points) > 1:
        reached = abs(last_b - f.end[1]) <= 1e-6 * max(1.0, abs(f.end[1]))
        if reached:
            out.append(
                f"Giving up more {UNITS.get(f.a, (f.a, f.a))[1]} does not improve "
                f"{f.b} any further."
            )
    elif len(f.points) == 1:
        out.append(f"No other plan does better on {f.b} without giving up {f.a}.")
    return [s[0].upper() + s[1:] for s in out]


def targets_cost(f: Frontier, values: bool = True) -> str:
    """What meeting the soft targets would cost in A, in words, from an A/targets frontier
    (e.g. "meeting them would cost 1 placement (619 -> 618)"; ``values`` adds the bracket):
    the cost of the last point found, and whether it reaches the walk's end (where the
    targets are best)."""
    found = [p for p in f.points if p.b is not None]
    if not found:
        return "no plan was found within the time limit to say what meeting them would cost"
    first, last = found[0], found[-1]
    reached = abs(float(last.b or 0.0) - f.end[1]) <= 1e-6 * max(1.0, abs(f.end[1]))
    unproven = any(p.status != Status.OPTIMAL for p in f.points)
    note = " (not proven optimal: time limit)" if unproven else ""
    many = UNITS.get(f.a, (f.a, f.a))[1]
    if last is first:
        if reached:
            return f"giving up {many} would not reduce the shortfall{note}"
        return f"what giving up {many} would gain was not found within the time limit"
    given = _amount(f.a, abs(last.a - first.a))
    span = f" ({plain_number(first.a)} -> {plain_number(last.a)})" if values else ""
    if reached and abs(f.end[1]) < 1e-6:
        return f"meeting them would cost {given}{span}{note}"
    if reached:
        return (
            f"the least shortfall there can be, {plain_number(f.end[1])}, would cost "
            f"{given}{span}{note}"
        )
    down = plain_number(float(last.b or 0.0))
    return f"giving up {given}{span} brings it down to {down}; the walk stopped at the time limit"


def frontier_figure(f: Frontier) -> Figure:
    """The frontier drawn: B against A, the scenario's own point marked; whole-number ticks
    on A's axis when A's values are whole numbers (placements, points)."""
    fig = new_figure(7, 4.2)
    ax = fig.add_subplot()
    pts = [p for p in f.points if p.b is not None]
    xs, ys = [p.a for p in pts], [float(p.b) for p in pts if p.b is not None]
    ax.plot(xs, ys, "-o", color="#4C72B0", label="best plans (frontier)")
    if pts:
        ax.plot(
            [xs[0]], [ys[0]], "*", ms=18, color=SHORT_COLOR, label="the scenario's plan", zorder=5
        )
    ax.set_xlabel(f"{f.a} ({'more' if f.a_sense == Goal.MAXIMISE else 'less'} is better)")
    ax.set_ylabel(f"{f.b} ({'more' if f.b_sense == Goal.MAXIMISE else 'less'} is better)")
    ax.set_title(f"What {f.b} cost in {f.a}", loc="left")
    if f.a_step is not None and float(f.a_step).is_integer():
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(True, color=MUTED, alpha=0.3)
    ax.legend(loc="best")
    return fig


def frontier_png(f: Frontier) -> bytes:
    """:func:`frontier_figure` as PNG bytes."""
    return to_png(frontier_figure(f))


def frontier_html(f: Frontier, scenario: str) -> str:
    """A self-contained page: nothing is fetched from elsewhere."""
    png = base64.b64encode(frontier_png(f)).decode("ascii")
    items = "\n".join(f"<li>{html.escape(s)}</li>" for s in sentences(f))
    table = frontier_table(f).to_html(index=False, border=0, na_rep="no plan")
    title = html.escape(f"{scenario}: {f.a} against {f.b}")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;max-width:52em;margin:2em auto;}}
td,th{{padding:0.2em 1em;text-align:right;}}</style></head>
<body><h1>{title}</h1>
<p>Each point is the best {html.escape(f.b)} among the plans that give up no more
{html.escape(f.a)} than it shows; every level before {html.escape(f.a)} is held at its
optimum.</p>
<ul>
{items}
</ul>
<img alt="the frontier between {html.escape(f.a)} and {html.escape(f.b)}"
 src="data:image/png;base64,{png}">
{table}
</body></html>
"""


def write_tradeoff(f: Frontier, scenario: str, target: Path) -> None:
    """Write ``tradeoff.csv`` and ``tradeoff.html`` into ``target`` (already checked with
    :func:`~intervet_plan.outputs.folder.check_output_folder`), published in one rename."""
    with atomic_folder(target) as stage:
        (stage / "tradeoff.csv").write_text(frontier_csv(f), encoding="utf-8")
        (stage / "tradeoff.html").write_text(frontier_html(f, scenario), encoding="utf-8")
