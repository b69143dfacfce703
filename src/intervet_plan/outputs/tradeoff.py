"""A frontier between two objective levels as a planner reads it (SPEC 8.2): ``tradeoff.csv``
(one row per point) and ``tradeoff.html`` (a self-contained page: the frontier drawn as an
embedded PNG, the scenario's own point marked, and each step in words)."""

from __future__ import annotations

import base64
import html
from pathlib import Path

import pandas as pd

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


def _num(v: float) -> str:
    """A level's value as written: whole numbers without decimals, else up to 2 decimals."""
    if abs(v - round(v)) < 1e-6:
        return f"{round(v):,}"
    return f"{v:,.2f}".rstrip("0").rstrip(".")


def _amount(level: str, v: float) -> str:
    if level == "cost":
        return f"EUR {v:,.2f}"
    one, many = UNITS.get(level, (level, level))
    return f"{_num(v)} {one if abs(v - 1) < 1e-9 else many}"


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


def _b_words(f: Frontier, b: float, b0: float) -> str:
    """What level B becomes at a point, against the scenario's own ``b0``."""
    if f.b == "targets":
        if abs(b) < 1e-6:
            return "meet every soft target"
        persons = "person" if abs(b - 1) < 1e-9 else "persons"
        return f"leave the soft targets {_num(b)} {persons} short (instead of {_num(b0)})"
    better = "more" if f.b_sense == Goal.MAXIMISE else "less"
    if f.b == "cost":
        return f"cost EUR {abs(b - b0):,.2f} {better} (EUR {b:,.2f})"
    return f"give {_amount(f.b, abs(b - b0))} {better} ({_num(b)} in all)"


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
            change = f"{_num(d)} {worse} {one if abs(d - 1) < 1e-9 else many}"
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


def frontier_png(f: Frontier) -> bytes:
    """The frontier drawn: B against A, the scenario's own point marked."""
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
    ax.grid(True, color=MUTED, alpha=0.3)
    ax.legend(loc="best")
    return to_png(fig)


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
        frontier_table(f).to_csv(stage / "tradeoff.csv", index=False, lineterminator="\n")
        (stage / "tradeoff.html").write_text(frontier_html(f, scenario), encoding="utf-8")
