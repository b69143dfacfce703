"""Matplotlib figures from result tables (allocation, unplaced, targets, the summary dict).

No solving and no files: each function takes tables and returns a
:class:`matplotlib.figure.Figure` drawn on an Agg canvas, never through pyplot, so nothing
is left in pyplot's global state. Every function copes with empty tables (an infeasible run)
by drawing a short text instead of a chart.

>>> import pandas as pd
>>> from intervet_plan.outputs import plots
>>> fig = plots.preference_satisfaction(pd.DataFrame(columns=["preference_rank"]))
>>> type(fig).__name__
'Figure'
"""

from __future__ import annotations

import io
from collections.abc import Iterable

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

COST_PARTS = ("travel", "subsistence", "org_support", "inclusion", "extra")
COST_LABELS = {
    "travel": "travel",
    "subsistence": "subsistence",
    "org_support": "organisational support",
    "inclusion": "inclusion support",
    "extra": "extra",
}
COST_COLORS = {
    "travel": "#4C72B0",
    "subsistence": "#55A868",
    "org_support": "#DD8452",
    "inclusion": "#8172B3",
    "extra": "#937860",
}
REASON_COLORS = {
    "no_eligible_offer": "#C44E52",
    "capacity": "#DD8452",
    "not_selected": "#8C8C8C",
}
# The Western Balkans six, used when the case (with each organisation's region) is not given.
WB_COUNTRIES = ("AL", "BA", "ME", "MK", "RS", "XK")
OK_COLOR, SHORT_COLOR, MUTED = "#55A868", "#C44E52", "#8C8C8C"


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _no_data(fig: Figure, text: str, title: str = "") -> Figure:
    ax = fig.add_subplot()
    ax.set_axis_off()
    if title:
        ax.set_title(title, loc="left")
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=13, color=MUTED, wrap=True)
    return fig


def _palette(n: int) -> list[tuple[float, ...]]:
    cmap = matplotlib.colormaps["tab10" if n <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(n)]


def activity_colors(activities: Iterable[str]) -> dict[str, tuple[float, ...]]:
    """One stable colour per activity id (sorted), shared by every figure."""
    acts = sorted({str(a) for a in activities})
    return dict(zip(acts, _palette(len(acts)), strict=True))


def eur_tick(v: float, _pos: object = None) -> str:
    if abs(v) >= 1e6:
        return f"{v / 1e6:,.2f} M"
    if abs(v) >= 1e3:
        return f"{v / 1e3:,.0f} k"
    return f"{v:,.0f}"


def to_png(fig: Figure, dpi: int = 100) -> bytes:
    """The figure as PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


# ------------------------------------------------------------------------------ quotas


def quota_attainment(summary: dict) -> Figure:
    """Placed vs quota (outline) and quota_min (red tick) per activity, from summary.json."""
    quota = summary.get("quota") or {}
    acts = sorted(quota)
    fig = _figure(9, 0.9 + 0.45 * max(len(acts), 1))
    if not acts:
        return _no_data(fig, "no activities", "Quota attainment")
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
            label="quota_min",
        )
    top = float(max(q.max(), placed.max(), 1))
    for yi, p, qq in zip(y, placed, q, strict=True):
        share = f" ({p / qq:.0%})" if qq else ""
        ax.text(
            max(p, qq) + top * 0.01, yi, f"{p:,.0f} of {qq:,.0f}{share}", va="center", fontsize=9
        )
    ax.set_yticks(y, acts)
    ax.set_xlim(0, top * 1.22)
    ax.set_xlabel("placements")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    total_p, total_q = placed.sum(), q.sum()
    ax.set_title(
        f"Quota attainment: {total_p:,.0f} placed of {total_q:,.0f} planned"
        + (f" ({total_p / total_q:.0%})" if total_q else ""),
        loc="left",
    )
    ax.legend(loc="upper right", fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


# ---------------------------------------------------------------------------- timeline


def timeline(allocation: pd.DataFrame) -> Figure:
    """Placements per month of their start date, stacked by activity."""
    fig = _figure(11, 4.2)
    if allocation.empty:
        return _no_data(fig, "no placements", "Placements per month")
    start = pd.to_datetime(allocation["start_date"])
    month = start.dt.to_period("M")
    counts = (
        pd.crosstab(month, allocation["activity_id"].astype(str))
        .reindex(pd.period_range(month.min(), month.max(), freq="M"), fill_value=0)
        .sort_index(axis=1)
    )
    colors = activity_colors(counts.columns)
    x = counts.index.to_timestamp()
    ax = fig.add_subplot()
    bottom = np.zeros(len(counts))
    for act in counts.columns:
        v = counts[act].to_numpy()
        ax.bar(x, v, width=25, bottom=bottom, align="edge", color=colors[act], label=act)
        bottom += v
    every = 1 if len(counts) <= 15 else 3
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=range(1, 13, every)))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    ax.xaxis.set_minor_locator(mdates.MonthLocator())
    ax.set_xlim(x.min() - pd.Timedelta(days=10), x.max() + pd.Timedelta(days=40))
    for label in ax.get_xticklabels():
        label.set_rotation(45)
        label.set_ha("right")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("placements starting in the month")
    ax.set_title(f"Placements per month by activity ({len(allocation):,} in all)", loc="left")
    ax.legend(ncols=min(len(counts.columns), 4), fontsize=8, frameon=False, loc="upper left")
    ax.set_ylim(0, bottom.max() * 1.25 + 1)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def _lanes(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Greedy lane per interval (sorted by start) so that intervals in one lane never overlap."""
    order = np.argsort(starts, kind="stable")
    lane_end: list[np.datetime64] = []
    lanes = np.zeros(len(starts), int)
    for i in order:
        for k, e in enumerate(lane_end):
            if e < starts[i]:
                lanes[i], lane_end[k] = k, ends[i]
                break
        else:
            lanes[i] = len(lane_end)
            lane_end.append(ends[i])
    return lanes


def cohorts_gantt(allocation: pd.DataFrame) -> Figure:
    """One bar per offer with placements (a cohort), on its host's row: bar = the offer's
    dates, colour = activity, label = participants placed. Overlapping cohorts of one host
    take separate lanes."""
    if allocation.empty:
        return _no_data(_figure(11, 3), "no placements", "Cohorts per host")
    a = allocation.assign(
        start_date=pd.to_datetime(allocation["start_date"]),
        end_date=pd.to_datetime(allocation["end_date"]),
    )
    cohorts = (
        a.groupby(["host_id", "offer_id", "activity_id"], observed=True)
        .agg(start=("start_date", "min"), end=("end_date", "max"), n=("participant_id", "size"))
        .reset_index()
    )
    hosts = sorted(cohorts["host_id"].astype(str).unique())
    span_days = max((cohorts["end"].max() - cohorts["start"].min()).days, 1)
    min_days = max(span_days / 90, 3)  # short cohorts drawn at least this wide, to be seen
    cohorts["shown_end"] = cohorts["end"].where(
        cohorts["end"] - cohorts["start"] >= pd.Timedelta(days=min_days),
        cohorts["start"] + pd.Timedelta(days=min_days),
    )
    rows: list[tuple[str, int]] = []
    cohorts["row"] = 0
    for h in hosts:
        m = cohorts["host_id"] == h
        lanes = _lanes(
            cohorts.loc[m, "start"].to_numpy(),
            cohorts.loc[m, "shown_end"].to_numpy() + np.timedelta64(1, "D"),
        )
        cohorts.loc[m, "row"] = len(rows) + lanes
        rows += [(h, k) for k in range(int(lanes.max()) + 1)]
    n_rows = len(rows)
    fig = _figure(13, 1.4 + 0.28 * n_rows)
    ax = fig.add_subplot()
    colors = activity_colors(cohorts["activity_id"])
    y = n_rows - 1 - cohorts["row"].to_numpy()
    start = mdates.date2num(cohorts["start"])
    width = mdates.date2num(cohorts["shown_end"]) - start + 1
    ax.barh(
        y,
        width,
        left=start,
        height=0.75,
        color=[colors[str(x)] for x in cohorts["activity_id"]],
        edgecolor="white",
        linewidth=0.4,
    )
    for yi, s, w, n in zip(y, start, width, cohorts["n"], strict=True):
        ax.text(
            s + w / 2,
            yi,
            str(n),
            ha="center",
            va="center",
            fontsize=6.5,
            color="white",
            fontweight="bold",
            clip_on=True,
        )
    # host labels centred on their lanes, separator lines between hosts
    first = 0
    ticks, labels = [], []
    for h in hosts:
        k = sum(1 for r in rows if r[0] == h)
        centre = n_rows - 1 - (first + (k - 1) / 2)
        ticks.append(centre)
        labels.append(h)
        if first:
            ax.axhline(n_rows - first - 0.5, color="#DDDDDD", linewidth=0.8)
        first += k
    ax.set_yticks(ticks, labels, fontsize=8)
    ax.set_ylim(-0.6, n_rows - 0.4)
    ax.xaxis_date()
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    ax.grid(axis="x", color="#EEEEEE")
    ax.set_axisbelow(True)
    ax.set_title(
        f"Cohorts per host: {len(cohorts)} offers with placements at {len(hosts)} hosts "
        "(label = participants placed)",
        loc="left",
    )
    ax.legend(
        handles=[Patch(color=c, label=a) for a, c in colors.items()],
        ncols=min(len(colors), 7),
        fontsize=8,
        frameon=False,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.06),
    )
    return fig


# ----------------------------------------------------------------------------- targets


def _is_share(row: pd.Series) -> bool:
    kind = row.get("kind")
    if isinstance(kind, str):
        return kind == "share"
    vals = [row.get(k) for k in ("min", "max", "achieved")]
    return all(v is None or pd.isna(v) or float(v) <= 1 for v in vals)


def targets_chart(targets: pd.DataFrame) -> Figure:
    """Each target's achieved value against its bounds (grey band from min to max), green when
    met and red when short; hard or soft in the label, shortfall in persons beside the bar.
    Share targets and count targets get separate panels."""
    if targets is None or targets.empty:
        return _no_data(_figure(9, 2.2), "no targets in this scenario", "Targets")
    t = targets.reset_index(drop=True)
    share = t.apply(_is_share, axis=1)
    groups = [(g, t[share == (g == "share")]) for g in ("share", "count")]
    groups = [(g, d) for g, d in groups if len(d)]
    heights = [len(d) for _, d in groups]
    fig = _figure(10, 1.3 + 0.55 * sum(heights) + 0.5 * len(groups))
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
    fig = _figure(12, 4.2)
    if allocation.empty:
        return _no_data(
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
    right.set_yticks(y, by_act.index.astype(str), fontsize=9)
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


# ------------------------------------------------------------------------------- flows


def _wb_flows(allocation: pd.DataFrame, organisations: pd.DataFrame | None) -> pd.DataFrame:
    """Placements sent from Western Balkans organisations: sending_country x host_id counts."""
    if allocation.empty:
        return pd.DataFrame()
    if organisations is not None and "region" in organisations:
        orgs = organisations.reset_index() if "org_id" not in organisations else organisations
        wb = set(orgs.loc[orgs["region"] == "WB", "org_id"].astype(str))
        mask = allocation["org_id"].astype(str).isin(wb)
    else:
        mask = allocation["sending_country"].astype(str).isin(WB_COUNTRIES)
    a = allocation[mask]
    if a.empty:
        return pd.DataFrame()
    return pd.crosstab(a["sending_country"].astype(str), a["host_id"].astype(str))


def _no_flows() -> Figure:
    """The figure both flow views show when no Western Balkans organisation sends anyone."""
    return _no_data(
        _figure(9, 2.5),
        "no placements from Western Balkans organisations",
        "Flows from Western Balkans countries to hosts",
    )


def flows_heatmap(allocation: pd.DataFrame, organisations: pd.DataFrame | None = None) -> Figure:
    """A matrix of placements from each Western Balkans sending country (rows) to each host
    (columns), with totals; ``organisations`` (with ``region``) picks the WB senders."""
    m = _wb_flows(allocation, organisations)
    if m.empty:
        return _no_flows()
    m = m.loc[
        m.sum(axis=1).sort_values(ascending=False).index,
        m.sum(axis=0).sort_values(ascending=False).index,
    ]
    fig = _figure(1.6 + 0.75 * m.shape[1], 1.6 + 0.5 * m.shape[0])
    ax = fig.add_subplot()
    v = m.to_numpy()
    im = ax.imshow(
        np.where(v > 0, v, np.nan), cmap="Blues", aspect="auto", vmin=0, vmax=max(v.max(), 1)
    )
    for (i, j), n in np.ndenumerate(v):
        if n:
            ax.text(
                j,
                i,
                str(n),
                ha="center",
                va="center",
                fontsize=9,
                color="white" if n > 0.6 * v.max() else "black",
            )
    ax.set_xticks(
        range(m.shape[1]),
        [f"{h}\n({n})" for h, n in zip(m.columns, v.sum(axis=0), strict=True)],
        rotation=45,
        ha="right",
        fontsize=8.5,
    )
    ax.set_yticks(
        range(m.shape[0]),
        [f"{c} ({n})" for c, n in zip(m.index, v.sum(axis=1), strict=True)],
        fontsize=9,
    )
    ax.set_xlabel("host (total)")
    ax.set_ylabel("sending country (total)")
    ax.set_title(
        f"Placements from Western Balkans countries to hosts ({v.sum():,} in all)",
        loc="left",
        fontsize=10,
    )
    ax.set_xticks(np.arange(-0.5, m.shape[1]), minor=True)
    ax.set_yticks(np.arange(-0.5, m.shape[0]), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="minor", length=0)
    fig.colorbar(im, ax=ax, shrink=0.8, label="placements")
    return fig


def flows_network(allocation: pd.DataFrame, organisations: pd.DataFrame | None = None) -> Figure:
    """The same flows as a bipartite graph (networkx): sending countries on the left, hosts on
    the right, edge width proportional to the number of placements."""
    import networkx as nx

    m = _wb_flows(allocation, organisations)
    if m.empty:
        return _no_flows()
    g = nx.DiGraph()
    countries = list(m.sum(axis=1).sort_values(ascending=False).index)
    hosts = list(m.sum(axis=0).sort_values(ascending=False).index)
    g.add_nodes_from((f"c:{c}" for c in countries), side=0)
    g.add_nodes_from((f"h:{h}" for h in hosts), side=1)
    for c in countries:
        for h in hosts:
            if m.at[c, h]:
                g.add_edge(f"c:{c}", f"h:{h}", weight=int(m.at[c, h]))
    n = max(len(countries), len(hosts))
    pos = {}
    for side, names, prefix in ((0, countries, "c:"), (1, hosts, "h:")):
        ys = np.linspace(0, 1, len(names)) if len(names) > 1 else np.array([0.5])
        for name, yy in zip(names, ys[::-1], strict=True):
            pos[prefix + name] = (float(side), float(yy))
    fig = _figure(10, 1.5 + 0.42 * n)
    ax = fig.add_subplot()
    colors = dict(zip(countries, _palette(len(countries)), strict=True))
    wmax = max(d["weight"] for _, _, d in g.edges(data=True))
    for u, v, d in sorted(g.edges(data=True), key=lambda e: e[2]["weight"]):
        (x0, y0), (x1, y1) = pos[u], pos[v]
        xs = np.linspace(0, 1, 40)
        smooth = 3 * xs**2 - 2 * xs**3
        ax.plot(
            x0 + (x1 - x0) * xs,
            y0 + (y1 - y0) * smooth,
            color=colors[u[2:]],
            alpha=0.55,
            linewidth=0.5 + 12 * d["weight"] / wmax,
            solid_capstyle="butt",
        )
    for node, (x, yy) in pos.items():
        total = g.out_degree(node, weight="weight") or g.in_degree(node, weight="weight")
        name = node[2:]
        is_country = node.startswith("c:")
        ax.scatter(
            [x],
            [yy],
            s=60 + 600 * total / max(m.to_numpy().sum(), 1),
            color=colors[name] if is_country else "#555555",
            zorder=3,
        )
        ax.text(
            x - 0.04 if is_country else x + 0.04,
            yy,
            f"{name} ({total})",
            ha="right" if is_country else "left",
            va="center",
            fontsize=9,
        )
    ax.set_xlim(-0.35, 1.4)
    ax.set_ylim(-0.08, 1.08)
    ax.set_axis_off()
    ax.set_title(
        "Flows from sending countries (left) to hosts (right); width = placements",
        loc="left",
        fontsize=10,
    )
    return fig


# ------------------------------------------------------------------------ preferences


PREFERENCE_LABELS = ("1st choice", "2nd choice", "3rd choice", "later choice", "not listed")


def preference_satisfaction(allocation: pd.DataFrame) -> Figure:
    """Placements by the rank of their host in the applicant's preferences."""
    fig = _figure(8, 3.4)
    if allocation.empty:
        return _no_data(fig, "no placements", "Preference satisfaction")
    rank = pd.to_numeric(allocation["preference_rank"], errors="coerce").astype(float).to_numpy()
    labels = np.select(
        [rank == 1, rank == 2, rank == 3, rank > 3],
        list(PREFERENCE_LABELS[:4]),
        default=PREFERENCE_LABELS[4],
    )
    counts = pd.Series(labels).value_counts().reindex(PREFERENCE_LABELS, fill_value=0)
    if counts["later choice"] == 0:
        counts = counts.drop("later choice")
    ax = fig.add_subplot()
    colors = (
        ["#2E7D32", "#66BB6A", "#A5D6A7", "#C8E6C9", "#BDBDBD"][-len(counts) :]
        if len(counts) == 5
        else ["#2E7D32", "#66BB6A", "#A5D6A7", "#BDBDBD"]
    )
    x = np.arange(len(counts))
    ax.bar(x, counts.to_numpy(), color=colors, width=0.65)
    total = max(int(counts.sum()), 1)
    for xi, v in zip(x, counts.to_numpy(), strict=True):
        ax.text(xi, v, f"{v:,}\n{v / total:.0%}", ha="center", va="bottom", fontsize=9)
    ax.set_xticks(x, counts.index)
    ax.set_ylim(0, counts.max() * 1.3 + 1)
    ax.set_ylabel("placements")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    listed = total - int(counts["not listed"])
    ax.set_title(
        f"Preference satisfaction: {listed / total:.0%} placed at a host they listed",
        loc="left",
    )
    ax.spines[["top", "right"]].set_visible(False)
    return fig


# ---------------------------------------------------------------------------- unplaced


def unplaced_reasons(unplaced: pd.DataFrame) -> Figure:
    """Applicants left out, by reason (left) and by activity applied for, stacked by reason
    (right). An applicant who applied for two activities counts once in each."""
    fig = _figure(12, 3.8)
    if unplaced is None or unplaced.empty:
        return _no_data(fig, "no applicant left out (or no plan)", "Unplaced applicants")
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
    left.set_yticks(y, reasons)
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
        right.barh(y2, v, left=start, color=REASON_COLORS.get(r, MUTED), height=0.65, label=r)
        start += v
    for yi, v in zip(y2, start, strict=True):
        right.text(v, yi, f" {v:,.0f}", va="center", fontsize=8.5)
    right.set_yticks(y2, table.index)
    right.set_xlim(0, start.max() * 1.15)
    right.set_xlabel("applicants (counted under each activity applied for)")
    right.set_title("by activity applied for", loc="left")
    right.legend(fontsize=8, frameon=False, loc="lower right")
    right.spines[["top", "right"]].set_visible(False)
    return fig


ALL_FIGURES = (
    "quota_attainment",
    "timeline",
    "cohorts_gantt",
    "targets_chart",
    "budget_chart",
    "flows_heatmap",
    "flows_network",
    "preference_satisfaction",
    "unplaced_reasons",
)
