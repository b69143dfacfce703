"""Figures that compare the runs of a batch (scenario_comparison.ipynb): what each variant of a
sweep buys (placements against cost, one line per sweep), placements by activity, cost by
type and target attainment. matplotlib ``Figure`` objects, made without pyplot so that nothing
is shown twice; the tables they draw come from :mod:`intervet_plan.outputs.comparison`.

>>> key_words("quotas.WBL_SHORT.quota_min"), value_text("budget_eur", 1.1e6)
('quota minimum of WBL_SHORT', 'EUR 1.10 M')
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from intervet_plan.outputs.comparison import comparison_table, read_manifest, sweep_of, sweeps
from intervet_plan.outputs.figure import (
    COST_COLORS,
    COST_LABELS,
    activity_colors,
    eur_tick,
    new_figure,
)
from intervet_plan.solve.tables import COST_PARTS

MARKERS = "sD^vP*Xhp<>d"  # one per run that is no sweep's variant
NOT_PROVEN = "* the solver time limit was reached: the best plan found, not proven optimal"


def key_words(key: str) -> str:
    """A --vary key in words: ``budget_eur`` is the budget, ``quotas.A.quota`` the quota of A,
    ``targets.T.min`` the minimum of target T."""
    if key == "budget_eur":
        return "budget"
    kind, _, rest = key.partition(".")
    item, _, field = rest.rpartition(".")
    if kind == "quotas":
        return f"{'quota minimum' if field == 'quota_min' else 'quota'} of {item}"
    return f"{'minimum' if field == 'min' else 'maximum'} of target {item}"


def value_text(key: str, value: float, unit: bool = True) -> str:
    """A variant's value, short: money as "EUR 1.10 M" ("1.10 M" without ``unit``),
    anything else as written."""
    if key == "budget_eur":
        return f"EUR {eur_tick(value)}" if unit else eur_tick(value)
    return f"{value:g}"


def frontier_text(batch_dir: str | Path) -> str:
    """What the frontier figure shows, in a sentence per sweep, and the runs that are no
    sweep's variant but lie on one spot (Markdown)."""
    runs = read_manifest(batch_dir)
    groups = sweeps(runs)
    spots = _one_spot(comparison_table(batch_dir), {n for g in groups.values() for n in g})
    if not groups:
        return (
            "These runs are not variants of one scenario (a sweep, `intervet-plan sweep`), so "
            "no line joins them: each run with a plan is one point." + spots
        )
    by_name = {r["name"]: r for r in runs}
    lines = []
    for (scenario, key), names in groups.items():
        values = [value_text(key, sweep_of(by_name[n]).value) for n in names]  # type: ignore[union-attr]
        failed = [v for n, v in zip(names, values, strict=True) if by_name[n].get("exit_code")]
        text = f"- **{scenario}**, {key_words(key)} from {values[0]} to {values[-1]}"
        lines.append(text + (f"; no plan at {', '.join(failed)}." if failed else "."))
    head = "One line per sweep, through its variants in order of the value varied:\n\n"
    return head + "\n".join(lines) + ("\n\n" + spots.strip() if spots else "")


def _one_spot(table: pd.DataFrame, in_sweep: set[str]) -> str:
    """ " A, B and C lie on one spot (...)." for runs with a plan, none a sweep's variant, whose
    placements are equal and costs within EUR 1,000 of each other ("" when none)."""
    ok = table[(table["exit_code"] == 0) & ~table["scenario"].isin(in_sweep)]
    ok = ok.dropna(subset=["placed", "cost_eur"])
    out = []
    for placed, g in ok.groupby("placed", sort=True):
        g = g.sort_values("cost_eur")
        spot: list[str] = []
        for name, cost in zip(g["scenario"], g["cost_eur"], strict=True):
            if spot and cost - g.set_index("scenario").loc[spot[0], "cost_eur"] > 1000:
                out.append(_spot_text(spot, placed))
                spot = []
            spot.append(str(name))
        out.append(_spot_text(spot, placed))
    return "".join(t for t in out if t)


def _spot_text(names: list[str], placed: float) -> str:
    if len(names) < 2:
        return ""
    names = sorted(names)
    listed = ", ".join(names[:-1]) + f" and {names[-1]}"
    return f" {listed} lie on one spot ({placed:,.0f} placements, about the same cost)."


def frontier(batch_dir: str | Path) -> Figure | str:
    """Placements against cost (EUR) of each run with a plan: the variants of one sweep
    joined by a line (gid ``sweep:<scenario>:<key>``) and labelled with their value, any
    other run a point of its own named in the legend; a note when no run has a plan."""
    table = comparison_table(batch_dir)
    runs = read_manifest(batch_dir)
    ok = table[(table["exit_code"] == 0) & table["placed"].notna() & table["cost_eur"].notna()]
    if ok.empty:
        return "_No run has a plan: nothing to draw._"
    row = ok.set_index("scenario")
    by_name = {r["name"]: r for r in runs}
    groups = sweeps(runs)
    fig = new_figure(8, 5.2)
    ax = fig.add_subplot()
    labels: list[tuple[float, float, str, str]] = []
    in_sweep: set[str] = set()
    for k, ((scenario, key), names) in enumerate(groups.items()):
        in_sweep.update(names)
        have = [n for n in names if n in row.index]
        if not have:
            continue
        color = f"C{k % 10}"
        xs, ys = row.loc[have, "cost_eur"].to_numpy(), row.loc[have, "placed"].to_numpy()
        ax.plot(
            xs,
            ys,
            "o-",
            color=color,
            gid=f"sweep:{scenario}:{key}",
            label=_sweep_label(scenario, key, [n for n in names if n not in row.index], by_name),
        )
        for name, x, y in zip(have, xs, ys, strict=True):
            text = value_text(key, sweep_of(by_name[name]).value, unit=False)  # type: ignore[union-attr]
            labels.append((x, y, text + _star(row.loc[name, "status"]), color))
    others = ok[~ok["scenario"].isin(in_sweep)]
    for i, r in enumerate(others.itertuples(index=False)):
        ax.plot(  # hollow, each smaller than the last: runs on one spot all stay visible
            [r.cost_eur],
            [r.placed],
            linestyle="none",
            marker=MARKERS[i % len(MARKERS)],
            ms=max(16 - 1.5 * i, 5),
            mfc="none",
            mew=1.8,
            color=f"C{(len(groups) + i) % 10}",
            label=f"{r.scenario}{_star(r.status)}",
        )
    quotas = ok["quota"].dropna().unique()
    if len(quotas) == 1:
        ax.axhline(
            quotas[0],
            color="0.5",
            ls=":",
            lw=1,
            label=f"quota total ({quotas[0]:,.0f})",
            gid="quota",
        )
    ax.margins(x=0.12, y=0.15)
    ax.set_xlabel("cost (EUR)")
    ax.set_ylabel("placements (persons)")
    ax.xaxis.set_major_formatter(FuncFormatter(eur_tick))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    ncol = 1 if len(groups) + len(others) <= 4 else 2
    fig.legend(loc="outside lower center", ncol=ncol, fontsize="small")
    if (ok["status"] == "feasible").any():
        fig.supxlabel(NOT_PROVEN, x=0.01, ha="left", fontsize="small", color="0.35")
    ax.set_title(
        "What each variant buys: placements against cost"
        if groups
        else "Placements against cost (no sweep: points, no frontier)"
    )
    place_labels(ax, labels)
    return fig


def _sweep_label(scenario: str, key: str, missing: list[str], by_name: dict) -> str:
    text = f"{scenario}, by {key_words(key)}" + (" (EUR)" if key == "budget_eur" else "")
    if missing:
        values = [value_text(key, sweep_of(by_name[n]).value) for n in missing]  # type: ignore[union-attr]
        text += f" (no plan at {', '.join(values)})"
    return text


def _star(status: object) -> str:
    return "*" if status == "feasible" else ""


def place_labels(ax: Axes, items: list[tuple[float, float, str, str]]) -> None:
    """Write each text beside its point (x, y in data units), at the first of a few offsets
    where it overlaps no text already placed and no point; the texts of points that coincide
    are joined into one."""
    merged: dict[tuple[float, float], list[str]] = {}
    colors: dict[tuple[float, float], str] = {}
    for x, y, text, color in items:
        at = (round(float(x), 2), round(float(y), 6))
        merged.setdefault(at, []).append(text)
        colors.setdefault(at, color)
    fig = ax.figure
    fig.canvas.draw()  # settle the layout: the offsets below are measured on it
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    points = ax.transData.transform(np.array(list(merged) or [(0.0, 0.0)], dtype=float))
    taken = [_box(px, py, 5.0, 5.0) for px, py in points]
    frame = ax.get_window_extent(renderer)
    inside = (frame.x0 + 2, frame.y0 + 2, frame.x1 - 2, frame.y1 - 2)
    offsets = [(0, 8, "center"), (0, -16, "center"), (9, -4, "left"), (-9, -4, "right")]
    offsets += [(-6, 8, "right"), (6, 8, "left"), (-6, -16, "right"), (6, -16, "left")]
    offsets += [(0, 22, "center"), (0, -30, "center")]
    for (x, y), texts in merged.items():
        ann = None
        for dx, dy, ha in offsets:
            if ann is not None:
                ann.remove()
            ann = ax.annotate(
                ", ".join(texts),
                (x, y),
                textcoords="offset points",
                xytext=(dx, dy),
                ha=ha,
                fontsize="small",
                color=colors[(x, y)],
            )
            ann.set_in_layout(False)
            b = ann.get_window_extent(renderer)
            box = (b.x0, b.y0, b.x1, b.y1)
            if _within(box, inside) and not any(_overlap(box, t) for t in taken):
                break
        if ann is not None:
            b = ann.get_window_extent(renderer)
            taken.append((b.x0, b.y0, b.x1, b.y1))


def _box(x: float, y: float, w: float, h: float) -> tuple[float, float, float, float]:
    return (x - w, y - h, x + w, y + h)


def _within(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] >= b[0] and a[1] >= b[1] and a[2] <= b[2] and a[3] <= b[3]


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def placements_figure(by_activity: pd.DataFrame) -> Figure | str:
    """Placements per activity (stacked, named by their labels) for each run, with each
    run's quota total."""
    if by_activity.empty:
        return "_No run has a plan: no placements to show._"
    placed = by_activity.pivot(index="scenario", columns="activity_id", values="placed")
    names = dict(zip(by_activity["activity_id"], by_activity["activity"], strict=True))
    order = list(dict.fromkeys(by_activity["scenario"]))
    placed = placed.loc[order]
    quota = by_activity.groupby("scenario")["quota"].sum().loc[order]
    fig = new_figure(8, 0.5 * len(order) + 1.4 + 0.25 * (len(placed.columns) // 2 + 1))
    ax = fig.add_subplot()
    left = np.zeros(len(order))
    y = np.arange(len(order))
    colors = activity_colors(placed.columns)
    for act in placed.columns:
        v = placed[act].fillna(0).to_numpy()
        ax.barh(y, v, left=left, color=colors[act], label=names.get(act, act))
        left += v
    ax.plot(quota.to_numpy(), y, "k|", ms=18, mew=2, label="quota total")
    for yi, total, q in zip(y, left, quota.to_numpy(), strict=True):
        ax.text(max(total, q), float(yi), f"  {total:.0f}", va="center", fontsize="small")
    ax.set_yticks(y, order)
    ax.invert_yaxis()
    ax.set_xlabel("placements (persons)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.legend(loc="outside lower center", ncol=2, fontsize="small")
    ax.set_title("Placements by activity")
    return fig


def cost_figure(costs: pd.DataFrame) -> Figure | str:
    """Cost by type (stacked, EUR) for each run, with each run's budget."""
    if costs.empty:
        return "_No run has a plan: no costs to show._"
    order = list(costs["scenario"])
    fig = new_figure(8, 0.5 * len(order) + 1.8)
    ax = fig.add_subplot()
    y = np.arange(len(order))
    left = np.zeros(len(order))
    for part in COST_PARTS:
        v = costs[part].to_numpy(float)
        ax.barh(y, v, left=left, color=COST_COLORS[part], label=COST_LABELS[part])
        left += v
    ax.plot(costs["budget"], y, "k|", ms=18, mew=2, label="budget")
    ax.set_yticks(y, order)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(FuncFormatter(eur_tick))
    ax.set_xlabel("EUR")
    fig.legend(loc="outside lower center", ncol=6, fontsize="small")
    ax.set_title("Cost by type against the budget")
    return fig


def target_figure(targets: pd.DataFrame) -> Figure | str:
    """Target attainment side by side: a heat map of target x scenario. Cells show the
    achieved value (a share in %, or a count) and the shortfall in persons; green when the
    target is met, red by shortfall when not."""
    if targets.empty:
        return "_No targets in the runs with a plan._"
    scen = list(dict.fromkeys(targets["scenario"]))
    names = list(dict.fromkeys(targets["target"]))
    t = targets.set_index(["target", "scenario"])
    short = np.full((len(names), len(scen)), np.nan)
    for i, n in enumerate(names):
        for j, s in enumerate(scen):
            if (n, s) in t.index:
                short[i, j] = t.loc[(n, s), "shortfall"]
    fig = new_figure(max(6.0, 1.3 * len(scen) + 3), 0.55 * len(names) + 2.2)
    ax = fig.add_subplot()
    met = np.ma.masked_where(~(short <= 1e-9), np.ones_like(short))
    unmet = np.ma.masked_where(~(short > 1e-9), short)
    ax.imshow(met, cmap="Greens", vmin=0, vmax=3, aspect="auto")
    vmax = max(float(unmet.max()), 1.0) if unmet.count() else 1.0
    if unmet.count():
        im = ax.imshow(unmet, cmap="Reds", vmin=0, vmax=vmax, aspect="auto")
        fig.colorbar(im, ax=ax, label="shortfall (persons)", shrink=0.8)
    for i, n in enumerate(names):
        for j, s in enumerate(scen):
            if (n, s) not in t.index:
                continue
            r = t.loc[(n, s)]
            a = r["achieved"]
            text = (
                "n/a"
                if a is None or pd.isna(a)
                else f"{a:.1%}"
                if r["kind"] == "share"
                else f"{a:.0f}"
            )
            dark = False
            if r["shortfall"] > 1e-9:
                text += f"\nshort {r['shortfall']:.1f}"
                dark = r["shortfall"] > 0.55 * vmax
            color = "white" if dark else "black"
            ax.text(j, i, text, ha="center", va="center", fontsize="small", color=color)
    bounds = []
    for n in names:
        r = targets[targets["target"] == n].iloc[0]
        share = r["kind"] == "share"
        parts = [
            f"{k} {r[k]:.0%}" if share else f"{k} {r[k]:g}"
            for k in ("min", "max")
            if r[k] is not None and not pd.isna(r[k])
        ]
        bounds.append(f"{n}\n({', '.join(parts)}{', hard' if r['hard'] else ''})")
    ax.set_yticks(np.arange(len(names)), bounds, fontsize="small")
    ax.set_xticks(np.arange(len(scen)), scen, rotation=30, ha="right", fontsize="small")
    ax.set_title("Target attainment (green: met)")
    return fig
