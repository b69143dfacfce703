"""Tables and figures that compare the runs of a batch (the scenario_comparison.ipynb template;
a diff of two plans held in memory is ``solve.diff.diff_plans``).

Everything is read from a batch folder: ``manifest.json`` (one entry per run, see
:mod:`intervet_plan.batch.runner`) and each run's ``summary.json``. No solving here; figures are
matplotlib ``Figure`` objects, made without pyplot so that nothing is shown twice.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from intervet_plan.outputs.figure import (
    COST_COLORS,
    COST_LABELS,
    activity_colors,
    eur_tick,
    new_figure,
)
from intervet_plan.solve.tables import COST_PARTS

HEADLINE_COLUMNS = [
    "scenario",
    "status",
    "exit_code",
    "placed",
    "quota",
    "placed_share",
    "cost_eur",
    "budget_eur",
    "budget_used",
    "targets_shortfall",
    "priority",
    "preferences",
    "solve_time_s",
    "gap",
]
TARGET_COLUMNS = ["scenario", "target", "min", "max", "achieved", "shortfall", "hard", "kind"]


def read_manifest(batch_dir: str | Path) -> list[dict]:
    """The runs of a batch folder, as written by ``intervet-plan batch`` or ``sweep``."""
    path = Path(batch_dir) / "manifest.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: run `intervet-plan batch` into that folder")
    runs = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(runs, list):
        raise ValueError(f"{path} is not a list of runs")
    return runs


def summaries(batch_dir: str | Path) -> dict[str, dict]:
    """Each run's summary.json content by run name (runs that wrote none are left out)."""
    out = {}
    for r in read_manifest(batch_dir):
        if r.get("folder"):
            f = Path(batch_dir) / r["folder"] / "summary.json"
            if f.is_file():
                out[r["name"]] = json.loads(f.read_text(encoding="utf-8"))
    return out


def comparison_table(batch_dir: str | Path) -> pd.DataFrame:
    """One row per run in manifest order: status, exit code, placements vs quota (persons),
    cost and budget (EUR), budget used and placed share (0..1), target shortfall (persons),
    priority and preference points, solve time (s) and gap. Runs without a plan have empty
    figures."""
    rows = []
    for r in read_manifest(batch_dir):
        ok = r.get("exit_code") == 0
        row = {c: r.get(c) for c in HEADLINE_COLUMNS if c in r}
        row["scenario"] = r["name"]
        if not ok:  # an infeasible run's summary has zero placements: not a plan
            for c in HEADLINE_COLUMNS[3:]:
                if c not in ("budget_eur", "quota"):
                    row[c] = None
        q, p = row.get("quota"), row.get("placed")
        row["placed_share"] = p / q if ok and q and p is not None else None
        rows.append(row)
    table = pd.DataFrame(rows, columns=HEADLINE_COLUMNS)
    for c in HEADLINE_COLUMNS[3:]:
        table[c] = pd.to_numeric(table[c], errors="coerce")
    return table


def failures(batch_dir: str | Path) -> pd.DataFrame:
    """The runs that failed: scenario, status, exit code and message."""
    rows = [
        {
            "scenario": r["name"],
            "status": r.get("status"),
            "exit_code": r.get("exit_code"),
            "message": r.get("message", ""),
        }
        for r in read_manifest(batch_dir)
        if r.get("exit_code") != 0
    ]
    return pd.DataFrame(rows, columns=["scenario", "status", "exit_code", "message"])


def placements_by_activity(batch_dir: str | Path) -> pd.DataFrame:
    """Long table: scenario, activity_id, placed, quota (persons), for runs with a plan."""
    ok = {r["name"] for r in read_manifest(batch_dir) if r.get("exit_code") == 0}
    rows = [
        {"scenario": name, "activity_id": a, "placed": int(s["placed"].get(a, 0)), "quota": q}
        for name, s in summaries(batch_dir).items()
        if name in ok
        for a, q in s.get("quota", {}).items()
    ]
    return pd.DataFrame(rows, columns=["scenario", "activity_id", "placed", "quota"])


def costs_by_type(batch_dir: str | Path) -> pd.DataFrame:
    """One row per run with a plan: cost by type and budget (EUR)."""
    ok = {r["name"] for r in read_manifest(batch_dir) if r.get("exit_code") == 0}
    rows = [
        {"scenario": name, **{k: s["cost_eur"].get(k, 0.0) for k in (*COST_PARTS, "budget")}}
        for name, s in summaries(batch_dir).items()
        if name in ok
    ]
    return pd.DataFrame(rows, columns=["scenario", *COST_PARTS, "budget"])


def target_attainment(batch_dir: str | Path) -> pd.DataFrame:
    """Long table: scenario, target, min, max, achieved, shortfall (persons), hard, kind
    (``share`` or ``count``, as summary.json gives it)."""
    ok = {r["name"] for r in read_manifest(batch_dir) if r.get("exit_code") == 0}
    rows = []
    for name, s in summaries(batch_dir).items():
        if name not in ok:
            continue
        for t in s.get("targets", []):
            rows.append(
                {
                    "scenario": name,
                    "target": t["name"],
                    "min": t.get("min"),
                    "max": t.get("max"),
                    "achieved": t.get("achieved"),
                    "shortfall": float(t.get("shortfall") or 0.0),
                    "hard": bool(t.get("hard")),
                    "kind": t.get("kind"),
                }
            )
    return pd.DataFrame(rows, columns=TARGET_COLUMNS)


def intro(batch_dir: str | Path) -> str:
    """A short Markdown paragraph: how many runs, which succeeded, which failed."""
    runs = read_manifest(batch_dir)
    ok = [r["name"] for r in runs if r.get("exit_code") == 0]
    bad = [
        f"`{r['name']}` ({r.get('status')}, exit {r.get('exit_code')})"
        for r in runs
        if r.get("exit_code") != 0
    ]
    text = f"**{len(runs)} runs**, {len(ok)} with a plan"
    return text + (f"; failed: {', '.join(bad)}." if bad else "; none failed.")


def frontier(table: pd.DataFrame) -> Figure | str:
    """:func:`frontier_figure`, or a note when the runs do not differ by budget."""
    fig = frontier_figure(table)
    if fig is None:
        return "_The runs with a plan do not differ by budget: no frontier to draw._"
    return fig


def failures_view(batch_dir: str | Path) -> pd.DataFrame | str:
    """The failed runs as a table, or a note that none failed."""
    bad = failures(batch_dir)
    return "_Every run succeeded._" if bad.empty else bad


def is_budget_sweep(table: pd.DataFrame) -> bool:
    """Whether the runs with a plan differ by budget (at least two budgets)."""
    ok = table[table["exit_code"] == 0]
    return ok["budget_eur"].nunique() >= 2


# ---------------------------------------------------------------------- presentation


HEADLINE_LABELS = {
    "scenario": "scenario",
    "status": "status",
    "exit_code": "exit",
    "placed": "placed",
    "quota": "quota",
    "placed_share": "placed / quota",
    "cost_eur": "cost EUR",
    "budget_eur": "budget EUR",
    "budget_used": "budget used",
    "targets_shortfall": "target shortfall (persons)",
    "priority": "priority",
    "preferences": "preference points",
    "solve_time_s": "solve s",
    "gap": "gap",
}
# formats of the labelled columns, for intervet_plan.outputs.report.show(table, **HEADLINE_FORMATS)
HEADLINE_FORMATS = {
    "placed": "{:,.0f}",
    "quota": "{:,.0f}",
    "placed / quota": "{:.1%}",
    "cost EUR": "{:,.2f}",
    "budget EUR": "{:,.2f}",
    "budget used": "{:.1%}",
    "target shortfall (persons)": "{:,.2f}",
    "priority": "{:,.0f}",
    "preference points": "{:,.0f}",
    "solve s": "{:,.1f}",
    "gap": "{:.4%}",
}


def headline_view(table: pd.DataFrame) -> pd.DataFrame:
    """The headline table with readable column names (see ``HEADLINE_FORMATS``)."""
    return table.rename(columns=HEADLINE_LABELS)


def frontier_figure(table: pd.DataFrame) -> Figure | None:
    """Placements and cost against the budget (EUR) for runs that differ by budget; ``None``
    when they do not. Infeasible or failed runs are marked on the budget axis."""
    if not is_budget_sweep(table):
        return None
    ok = table[table["exit_code"] == 0].sort_values("budget_eur")
    bad = table[(table["exit_code"] != 0) & table["budget_eur"].notna()]
    fig = new_figure(8, 4.5)
    ax = fig.add_subplot()
    ax.plot(ok["budget_eur"], ok["placed"], "o-", color="C0", label="placements")
    for b, p, st in zip(ok["budget_eur"], ok["placed"], ok["status"], strict=True):
        text = f"{p:.0f}" + ("*" if st == "feasible" else "")
        ax.annotate(text, (b, p), textcoords="offset points", xytext=(0, 7), ha="center")
    quota = ok["quota"].max()
    ax.axhline(quota, color="C0", ls=":", lw=1, label=f"quota total ({quota:.0f})")
    # zoom in when every plan places at least half the quota; the labels give the numbers
    low = ok["placed"].min()
    bottom = 0.0 if len(bad) or not quota or low < quota / 2 else max(0.0, low - 0.15 * quota)
    ax.set_ylim(bottom=bottom, top=quota * 1.08 + 0.04 * (quota - bottom) if quota else None)
    if len(bad):
        ax.plot(
            bad["budget_eur"],
            np.zeros(len(bad)),
            "x",
            color="C3",
            ms=9,
            mew=2,
            clip_on=False,
            label="no plan (" + ", ".join(sorted(set(bad["status"].astype(str)))) + ")",
        )
    ax.set_xlabel("budget (EUR)")
    ax.set_ylabel("placements (persons)", color="C0")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(eur_tick))
    cx = ax.twinx()
    cx.plot(ok["budget_eur"], ok["cost_eur"], "s--", color="C1", label="cost")
    lo, hi = table["budget_eur"].min(), table["budget_eur"].max()
    cx.plot([lo, hi], [lo, hi], color="0.6", lw=1, label="cost = budget")
    cx.set_ylabel("cost (EUR)", color="C1")
    cx.set_ylim(bottom=0)
    cx.yaxis.set_major_formatter(FuncFormatter(eur_tick))
    handles = ax.get_legend_handles_labels()[0] + cx.get_legend_handles_labels()[0]
    labels = ax.get_legend_handles_labels()[1] + cx.get_legend_handles_labels()[1]
    ax.legend(handles, labels, loc="lower right", fontsize="small")
    if (ok["status"] == "feasible").any():
        fig.supxlabel(
            "* the solver time limit was reached: the best plan found, not proven optimal on every level",
            x=0.01,
            ha="left",
            fontsize="small",
            color="0.35",
        )
    ax.set_title("Budget frontier: what each budget buys")
    ax.grid(alpha=0.3)
    return fig


def placements_figure(by_activity: pd.DataFrame) -> Figure | str:
    """Placements per activity (stacked) for each run, with each run's quota total."""
    if by_activity.empty:
        return "_No run has a plan: no placements to show._"
    placed = by_activity.pivot(index="scenario", columns="activity_id", values="placed")
    order = list(dict.fromkeys(by_activity["scenario"]))
    placed = placed.loc[order]
    quota = by_activity.groupby("scenario")["quota"].sum().loc[order]
    fig = new_figure(8, 0.5 * len(order) + 1.4 + 0.25 * (len(placed.columns) // 4 + 1))
    ax = fig.add_subplot()
    left = np.zeros(len(order))
    y = np.arange(len(order))
    colors = activity_colors(placed.columns)
    for act in placed.columns:
        v = placed[act].fillna(0).to_numpy()
        ax.barh(y, v, left=left, color=colors[act], label=act)
        left += v
    ax.plot(quota.to_numpy(), y, "k|", ms=18, mew=2, label="quota total")
    for yi, total, q in zip(y, left, quota.to_numpy(), strict=True):
        ax.text(max(total, q), float(yi), f"  {total:.0f}", va="center", fontsize="small")
    ax.set_yticks(y, order)
    ax.invert_yaxis()
    ax.set_xlabel("placements (persons)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.legend(loc="outside lower center", ncol=4, fontsize="small")
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


# -------------------------------------------------------------------- plans in memory
