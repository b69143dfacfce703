"""Figures of the plan against its aims: quota attainment, targets, budget, preference
satisfaction and the applicants left out. Each function takes result tables (or the summary
dict) and returns a :class:`matplotlib.figure.Figure` (see :mod:`intervet_plan.outputs.figure`);
an empty table gives a short text instead of a chart.

>>> import pandas as pd
>>> from intervet_plan.outputs import attainment_plots
>>> fig = attainment_plots.preference_satisfaction(pd.DataFrame(columns=["preference_rank"]))
>>> type(fig).__name__
'Figure'
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from intervet_plan.outputs.figure import (
    COST_COLORS,
    COST_LABELS,
    MUTED,
    OK_COLOR,
    REASON_COLORS,
    SHORT_COLOR,
    eur_tick,
    new_figure,
    no_data,
)
from intervet_plan.outputs.labels import REASON_WORDS, Labels, percent, words
from intervet_plan.solve.tables import COST_PARTS

# ------------------------------------------------------------------------------ quotas


def quota_attainment(summary: dict) -> Figure:
    """Placed vs quota (outline) and quota minimum (red tick) per activity (by its label),
    from summary.json."""
    quota = summary.get("quota") or {}
    acts = sorted(quota)
    fig = new_figure(9, 0.9 + 0.45 * max(len(acts), 1))
    if not acts:
        return no_data(fig, "no activities", "Quota attainment")
    placed = np.array([summary.get("placed", {}).get(a, 0) for a in acts], float)
    q = np.array([quota[a] for a in acts], float)
    qmin = np.array([summary.get("quota_min", {}).get(a, 0) for a in acts], float)
    y = np.arange(len(acts))[::-1]
    ax = fig.add_subplot()
    colors = [OK_COLOR if p >= m else SHORT_COLOR for p, m in zip(placed, qmin, strict=True)]
    ax.barh(y, placed, height=0.6, color=colors, alpha=0.85, label="placed")
    ax.barh(y, q, height=0.6, fill=False, edgecolor="black", linewidth=1.0, label="quota")
    has_min = qmin > 0
    if has_min.any():
        ax.scatter(
            qmin[has_min],
            y[has_min],
            marker="|",
            s=400,
            color=SHORT_COLOR,
            zorder=3,
            linewidths=2.5,
            label="quota minimum",
        )
    top = float(max(q.max(), placed.max(), 1))
    for yi, p, qq in zip(y, placed, q, strict=True):
        share = f" ({percent(p, qq)})" if qq else ""
        ax.text(
            max(p, qq) + top * 0.01, yi, f"{p:,.0f} of {qq:,.0f}{share}", va="center", fontsize=9
        )
    ax.set_yticks(y, [Labels.of(summary).activity(a) for a in acts])
    ax.set_xlim(0, top * 1.22)
    ax.set_xlabel("placements")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    total_p, total_q = placed.sum(), q.sum()
    ax.set_title(
        f"Quota attainment: {total_p:,.0f} placed of {total_q:,.0f} planned"
        + (f" ({percent(total_p, total_q)})" if total_q else ""),
        loc="left",
    )
    ax.legend(loc="upper right", fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


# ----------------------------------------------------------------------------- targets


def targets_chart(targets: pd.DataFrame) -> Figure:
    """Each target's achieved value against its bounds (grey band from min to max), green when
    met and red when short; hard or soft in the label, shortfall in persons beside the bar.
    Share targets and count targets (column ``kind``) get separate panels."""
    if targets is None or targets.empty:
        return no_data(new_figure(9, 2.2), "no targets in this scenario", "Targets")
    t = targets.reset_index(drop=True)
    share = t["kind"] == "share"
    groups = [(g, t[share == (g == "share")]) for g in ("share", "count")]
    groups = [(g, d) for g, d in groups if len(d)]
    heights = [len(d) for _, d in groups]
    fig = new_figure(10, 1.3 + 0.55 * sum(heights) + 0.5 * len(groups))
    axes = fig.subplots(len(groups), 1, squeeze=False, gridspec_kw={"height_ratios": heights})[:, 0]
    for ax, (kind, d) in zip(axes, groups, strict=True):
        scale = 100.0 if kind == "share" else 1.0
        y = np.arange(len(d))[::-1]
        top = 0.0
        for yi, (_, r) in zip(y, d.iterrows(), strict=True):
            lo = None if r["min"] is None or pd.isna(r["min"]) else float(r["min"]) * scale
            hi = None if r["max"] is None or pd.isna(r["max"]) else float(r["max"]) * scale
            ach = (
                None
                if r["achieved"] is None or pd.isna(r["achieved"])
                else float(r["achieved"]) * scale
            )
            short = float(r.get("shortfall") or 0.0)
            met = short <= 1e-9 and ach is not None
            band_hi = hi if hi is not None else (100.0 if kind == "share" else None)
            if lo is not None or hi is not None:
                left = lo or 0.0
                right = band_hi if band_hi is not None else max(left, ach or 0) * 1.3 + 1
                ax.barh(yi, right - left, left=left, height=0.8, color="#E8E8E8", zorder=0)
            if ach is not None:
                ax.barh(yi, ach, height=0.45, color=OK_COLOR if met else SHORT_COLOR, zorder=2)
            for b in (lo, hi):
                if b is not None:
                    ax.plot([b, b], [yi - 0.42, yi + 0.42], color="black", linewidth=1.6, zorder=3)
            shown = "n/a" if ach is None else (f"{ach:.1f} %" if kind == "share" else f"{ach:g}")
            note = shown + (
                f"  short by {short:g} person{'' if short == 1 else 's'}" if short > 1e-9 else ""
            )
            top = max(top, ach or 0, lo or 0, hi or 0)
            ax.text(
                (ach or 0) + 0.01 * (100 if kind == "share" else max(top, 1)),
                yi + 0.3,
                note,
                va="bottom",
                fontsize=8.5,
                zorder=4,
            )
        labels = [
            f"{r['name']}\n({'hard' if bool(r['hard']) else 'soft'})" for _, r in d.iterrows()
        ]
        ax.set_yticks(y, labels, fontsize=8.5)
        for tick, (_, r) in zip(ax.get_yticklabels(), d.iterrows(), strict=True):
            if bool(r["hard"]):
                tick.set_fontweight("bold")
        if kind == "share":
            ax.set_xlim(0, 100)
            ax.xaxis.set_major_formatter(PercentFormatter(100))
            ax.set_xlabel("share of the placements in the target's scope")
        else:
            ax.set_xlim(0, max(top, 1) * 1.3)
            ax.set_xlabel("placements")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylim(-0.7, len(d) - 0.2)
        ax.spines[["top", "right"]].set_visible(False)
    n_met = int(
        sum(
            float(s or 0) <= 1e-9 and pd.notna(a)
            for s, a in zip(t["shortfall"], t["achieved"], strict=True)
        )
    )
    axes[0].set_title(
        f"Targets: {n_met} of {len(t)} met (grey band = allowed range, black ticks = bounds; "
        "hard targets in bold)",
        loc="left",
        fontsize=10,
    )
    return fig


# ------------------------------------------------------------------------------ budget


def budget_chart(allocation: pd.DataFrame, summary: dict) -> Figure:
    """Left: the money spent by cost type against the budget line. Right: the cost of each
    activity, stacked by cost type."""
    cost = summary.get("cost_eur") or {}
    budget = float(cost.get("budget") or 0.0)
    fig = new_figure(12, 4.2)
    if allocation.empty:
        return no_data(
            fig, f"no placements: EUR 0 spent of a budget of EUR {budget:,.0f}", "Budget"
        )
    left, right = fig.subplots(1, 2, width_ratios=[1, 2.2])
    parts = [p for p in COST_PARTS if f"{p}_eur" in allocation]
    totals = {p: float(allocation[f"{p}_eur"].sum()) for p in parts}
    spent = sum(totals.values())
    bottom = 0.0
    for p in parts:
        left.bar(0, totals[p], bottom=bottom, width=0.5, color=COST_COLORS[p], label=COST_LABELS[p])
        bottom += totals[p]
    if budget:
        left.axhline(budget, color="black", linestyle="--", linewidth=1.2)
        left.annotate(
            f"budget EUR {budget:,.0f}",
            (0.55, budget),
            xytext=(0, 3),
            textcoords="offset points",
            va="bottom",
            ha="right",
            fontsize=8.5,
        )
    left.text(
        0,
        spent,
        f"EUR {spent:,.0f}" + (f"\n{spent / budget:.0%}" if budget else ""),
        ha="center",
        va="bottom",
        fontsize=9,
    )
    left.set_xlim(-0.6, 0.6)
    left.set_xticks([0], ["all activities"])
    left.set_ylim(0, max(budget, spent) * 1.12)
    left.yaxis.set_major_formatter(FuncFormatter(eur_tick))
    left.set_ylabel("EUR")
    left.set_title("Spent vs budget", loc="left")
    left.spines[["top", "right"]].set_visible(False)

    by_act = allocation.groupby("activity_id", observed=True)[[f"{p}_eur" for p in parts]].sum()
    by_act = by_act.loc[by_act.sum(axis=1).sort_values().index]
    y = np.arange(len(by_act))
    start = np.zeros(len(by_act))
    for p in parts:
        v = by_act[f"{p}_eur"].to_numpy()
        right.barh(y, v, left=start, color=COST_COLORS[p], height=0.65)
        start += v
    for yi, v in zip(y, start, strict=True):
        right.text(v, yi, f"  EUR {v:,.0f}", va="center", fontsize=8.5)
    names = Labels.of(summary)
    right.set_yticks(y, [names.activity(a) for a in by_act.index], fontsize=9)
    right.set_xlim(0, start.max() * 1.25)
    right.xaxis.set_major_formatter(FuncFormatter(eur_tick))
    right.set_xlabel("EUR")
    right.set_title("Cost by activity and cost type", loc="left")
    right.spines[["top", "right"]].set_visible(False)
    fig.suptitle(
        f"Budget: EUR {spent:,.0f} spent"
        + (f" of EUR {budget:,.0f} ({spent / budget:.0%})" if budget else ""),
        x=0.01,
        ha="left",
        fontsize=12,
    )
    fig.legend(
        handles=[Patch(color=COST_COLORS[p], label=COST_LABELS[p]) for p in parts],
        loc="outside lower center",
        ncols=len(parts),
        fontsize=8.5,
        frameon=False,
    )
    return fig


# ------------------------------------------------------------------------ preferences


PREFERENCE_LABELS = ("1st choice", "2nd choice", "3rd choice", "later choice", "another host")
NO_LIST = "listed no host"


def preference_satisfaction(allocation: pd.DataFrame, counts: dict | None = None) -> Figure:
    """Placements by the rank of their host in the participant's preferences. ``counts`` is
    summary.json's ``preferences``: with it, the placements of participants who listed no
    host get a grey bar of their own, and every share counts among the placements of those
    who listed hosts."""
    fig = new_figure(9, 3.8)
    if allocation.empty:
        return no_data(fig, "no placements", "Preference satisfaction")
    rank = pd.to_numeric(allocation["preference_rank"], errors="coerce").astype(float).to_numpy()
    labels = np.select(
        [rank == 1, rank == 2, rank == 3, rank > 3],
        list(PREFERENCE_LABELS[:4]),
        default=PREFERENCE_LABELS[4],
    )
    shown = pd.Series(labels).value_counts().reindex(PREFERENCE_LABELS, fill_value=0)
    none = int(counts["placements_listing_none"]) if counts else None
    if none is not None:
        shown["another host"] -= none
        shown[NO_LIST] = none
    else:  # a run folder that does not say who listed hosts
        shown = shown.rename({"another host": "not listed"})
    shown = shown[(shown > 0) | ~shown.index.isin(["later choice", NO_LIST])]
    ax = fig.add_subplot()
    greens = {"1st choice": "#2E7D32", "2nd choice": "#66BB6A", "3rd choice": "#A5D6A7"}
    greens["later choice"] = "#C8E6C9"
    colors = [greens.get(k, "#BDBDBD" if k != NO_LIST else "#E0E0E0") for k in shown.index]
    x = np.arange(len(shown))
    ax.bar(x, shown.to_numpy(), color=colors, width=0.65)
    listing = len(allocation) - (none or 0)
    at_listed = int(np.isfinite(rank).sum())
    for xi, (k, v) in zip(x, shown.items(), strict=True):
        share = "" if k == NO_LIST or not listing else f"\n{v / listing:.0%}"
        ax.text(float(xi), v, f"{v:,}{share}", ha="center", va="bottom", fontsize=9)
    ax.set_xticks(x, shown.index)
    ax.set_ylim(0, shown.max() * 1.3 + 1)
    ax.set_ylabel("placements")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if none is None:
        title = f"Preferences: {at_listed:,} of {len(allocation):,} placements at a listed host"
    elif listing:
        title = (
            f"Preferences: {at_listed / listing:.0%} of the {listing:,} placements of "
            f"participants who listed hosts\nare at one of those hosts ({none:,} placements are "
            "of participants who listed none)"
        )
    else:
        title = "Preferences: no placed participant listed a host"
    ax.set_title(title, loc="left", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


# ---------------------------------------------------------------------------- unplaced


def unplaced_reasons(unplaced: pd.DataFrame, names: Labels | None = None) -> Figure:
    """Applicants left out, by reason in words (left) and by activity applied for (by its
    label from ``names``), stacked by reason (right). An applicant who applied for two
    activities counts once in each."""
    names = names or Labels(None)
    fig = new_figure(12, 3.8)
    if unplaced is None or unplaced.empty:
        return no_data(fig, "no applicant left out (or no plan)", "Unplaced applicants")
    left, right = fig.subplots(1, 2, width_ratios=[1, 2])
    reasons = [r for r in REASON_COLORS if r in set(unplaced["reason"])]
    reasons += sorted(set(unplaced["reason"]) - set(reasons))
    counts = unplaced["reason"].value_counts().reindex(reasons, fill_value=0)
    y = np.arange(len(counts))[::-1]
    left.barh(
        y, counts.to_numpy(), color=[REASON_COLORS.get(r, MUTED) for r in reasons], height=0.6
    )
    for yi, v in zip(y, counts.to_numpy(), strict=True):
        left.text(v, yi, f" {v:,}", va="center", fontsize=9)
    left.set_yticks(y, [words(r, REASON_WORDS) for r in reasons])
    left.set_xlim(0, counts.max() * 1.25)
    left.set_xlabel("applicants")
    left.set_title(f"Unplaced applicants by reason ({len(unplaced):,})", loc="left")
    left.spines[["top", "right"]].set_visible(False)

    acts = unplaced.assign(
        activity_id=unplaced["activities"].fillna("").astype(str).str.split(";")
    ).explode("activity_id")
    acts = acts[acts["activity_id"] != ""]
    if acts.empty:
        right.set_axis_off()
        return fig
    table = pd.crosstab(acts["activity_id"], acts["reason"]).reindex(columns=reasons, fill_value=0)
    table = table.loc[table.sum(axis=1).sort_values().index]
    y2 = np.arange(len(table))
    start = np.zeros(len(table))
    for r in reasons:
        v = table[r].to_numpy()
        right.barh(
            y2,
            v,
            left=start,
            color=REASON_COLORS.get(r, MUTED),
            height=0.65,
            label=words(r, REASON_WORDS),
        )
        start += v
    for yi, v in zip(y2, start, strict=True):
        right.text(v, yi, f" {v:,.0f}", va="center", fontsize=8.5)
    right.set_yticks(y2, [names.activity(a) for a in table.index])
    right.set_xlim(0, start.max() * 1.15)
    right.set_xlabel("applicants (counted under each activity applied for)")
    right.set_title("by activity applied for", loc="left")
    right.legend(fontsize=8, frameon=False, loc="lower right")
    right.spines[["top", "right"]].set_visible(False)
    return fig
