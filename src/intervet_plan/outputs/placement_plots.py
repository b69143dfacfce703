"""Figures of where and when the placements go: placements per month, cohorts per host, and
the flows from Western Balkans countries to hosts (their graph is
:mod:`intervet_plan.outputs.flow_graph`). Each function takes result tables and
returns a :class:`matplotlib.figure.Figure` (see :mod:`intervet_plan.outputs.figure`); an
empty table gives a short text instead of a chart.

>>> from intervet_plan.outputs import placement_plots
>>> from intervet_plan.outputs.run_folder import empty_allocation
>>> type(placement_plots.timeline(empty_allocation())).__name__
'Figure'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from intervet_plan.outputs.figure import (
    activity_colors,
    new_figure,
    no_data,
    shade_blackouts,
)
from intervet_plan.outputs.labels import Labels

HOST_WIDTH = 34  # a host's name on an axis is cut to this many characters

# The Western Balkans six, used when the region of each sending organisation is not given.
WB_COUNTRIES = ("AL", "BA", "ME", "MK", "RS", "XK")


# ---------------------------------------------------------------------------- timeline


def timeline(
    allocation: pd.DataFrame,
    blackouts: Iterable[Mapping] | None = None,
    names: Labels | None = None,
) -> Figure:
    """Placements per month of their start date, stacked by activity (by its label from
    ``names``); ``blackouts`` (summary.json's) shaded, the axis widened to show them."""
    names = names or Labels(None)
    fig = new_figure(11, 4.2)
    if allocation.empty:
        return no_data(fig, "no placements", "Placements per month")
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
        ax.bar(
            x,
            v,
            width=25,
            bottom=bottom,
            align="edge",
            color=colors[act],
            label=names.activity(act),
        )
        bottom += v
    every = 1 if len(counts) <= 15 else 3
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=range(1, 13, every)))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    ax.xaxis.set_minor_locator(mdates.MonthLocator())
    stops = shade_blackouts(ax, blackouts)
    ends = [pd.Timestamp(b[k]) for b in blackouts or () for k in ("from", "to")]
    ax.set_xlim(
        min([x.min() - pd.Timedelta(days=10), *ends]),
        max([x.max() + pd.Timedelta(days=40), *ends]),
    )
    for label in ax.get_xticklabels():
        label.set_rotation(45)
        label.set_horizontalalignment("right")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("placements starting in the month")
    ax.set_title(f"Placements per month by activity ({len(allocation):,} in all)", loc="left")
    handles = ax.get_legend_handles_labels()[0] + stops
    ax.legend(
        handles=handles, ncols=min(len(handles), 3), fontsize=8, frameon=False, loc="upper left"
    )
    rows = -(-len(handles) // 3)  # of the legend
    ax.set_ylim(0, bottom.max() * (1.1 + 0.08 * rows) + 1)
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


def cohorts_gantt(
    allocation: pd.DataFrame,
    blackouts: Iterable[Mapping] | None = None,
    names: Labels | None = None,
) -> Figure:
    """One bar per offer with placements (a cohort), on its host's row (the host's name and
    country from ``names``): bar = the offer's dates, colour = activity, label = participants
    placed. Overlapping cohorts of one host take separate lanes; ``blackouts``
    (summary.json's) shaded behind them."""
    names = names or Labels(None)
    if allocation.empty:
        return no_data(new_figure(11, 3), "no placements", "Cohorts per host")
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
    fig = new_figure(13, 1.4 + 0.28 * n_rows)
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
        labels.append(names.organisation(h, country=True, width=HOST_WIDTH))
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
    stops = shade_blackouts(ax, blackouts)
    ax.legend(
        handles=[Patch(color=c, label=names.activity(a)) for a, c in colors.items()] + stops,
        ncols=min(len(colors) + len(stops), 4),
        fontsize=8,
        frameon=False,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.06),
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
    return no_data(
        new_figure(9, 2.5),
        "no placements from Western Balkans organisations",
        "Flows from Western Balkans countries to hosts",
    )


def flows_heatmap(
    allocation: pd.DataFrame,
    organisations: pd.DataFrame | None = None,
    names: Labels | None = None,
) -> Figure:
    """A matrix of placements from each Western Balkans sending country (rows) to each host
    (columns, by name from ``names``), with totals; ``organisations`` (with ``region``) picks
    the WB senders."""
    names = names or Labels(None)
    m = _wb_flows(allocation, organisations)
    if m.empty:
        return _no_flows()
    m = m.loc[
        m.sum(axis=1).sort_values(ascending=False).index,
        m.sum(axis=0).sort_values(ascending=False).index,
    ]
    fig = new_figure(1.6 + 0.75 * m.shape[1], 1.6 + 0.5 * m.shape[0])
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
        [
            f"{names.organisation(h, width=HOST_WIDTH)}\n({n})"
            for h, n in zip(m.columns, v.sum(axis=0), strict=True)
        ],
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
