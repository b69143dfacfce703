"""The flows from Western Balkans sending countries to hosts as a graph (networkx), readable
at any scale: at most :data:`MAX_COUNTRIES` countries and :data:`MAX_HOSTS` hosts are drawn
(the smaller ones merged into one "other" node each), and only the :data:`TOP_FLOWS`
largest flows between a country and a host that are drawn on their own get their colour and
their number; the others, and those of the "other" nodes, are grey lines.

>>> from intervet_plan.outputs.flow_graph import capped
>>> m = pd.DataFrame({"A": [5, 1], "B": [3, 0], "C": [1, 1]}, index=["AL", "RS"])
>>> capped(m, 2, axis=1).to_dict()
{'A': {'AL': 5, 'RS': 1}, '2 other hosts': {'AL': 4, 'RS': 1}}
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from intervet_plan.outputs.figure import MUTED, new_figure, palette
from intervet_plan.outputs.labels import Labels
from intervet_plan.outputs.placement_plots import _no_flows, _wb_flows

MAX_COUNTRIES, MAX_HOSTS = 8, 12  # nodes per side, "other" included
TOP_FLOWS = 12  # flows drawn in colour, with their number
NAME_CHARS = 34  # a longer name takes two lines, then is cut with an ellipsis
OTHER_COLOR = "#9A9A9A"


def capped(m: pd.DataFrame, most: int, axis: int) -> pd.DataFrame:
    """``m`` (countries x hosts) with at most ``most`` rows (``axis=0``) or columns
    (``axis=1``): the largest by total (ties by name) kept, the rest summed into one named
    ``k other countries`` or ``k other hosts``."""
    totals = m.sum(axis=1 - axis)
    order = sorted(totals.index, key=lambda k: (-totals[k], str(k)))
    if len(order) <= most:
        return m.loc[order] if axis == 0 else m[order]
    keep, rest = order[: most - 1], order[most - 1 :]
    name = f"{len(rest)} other {'countries' if axis == 0 else 'hosts'}"
    if axis == 0:
        return pd.concat([m.loc[keep], m.loc[rest].sum().to_frame(name).T])
    return pd.concat([m[keep], m[rest].sum(axis=1).rename(name)], axis=1)


def _two_lines(text: str) -> str:
    """A name on at most two lines of :data:`NAME_CHARS` characters (cut with an ellipsis)."""
    lines = textwrap.wrap(text, NAME_CHARS)
    if len(lines) <= 2:
        return "\n".join(lines)
    rest = " ".join(lines[1:])
    return lines[0] + "\n" + textwrap.shorten(rest, NAME_CHARS, placeholder=" …")


def _curve(p0: tuple[float, float], p1: tuple[float, float], t: np.ndarray) -> tuple:
    """Points of the S-shaped edge from ``p0`` to ``p1`` at parameters ``t`` in [0, 1]."""
    (x0, y0), (x1, y1) = p0, p1
    return x0 + (x1 - x0) * t, y0 + (y1 - y0) * (3 * t**2 - 2 * t**3)


Node = tuple[str, str]  # ("c", country) or ("h", host)
Edge = tuple[Node, Node, int]


def _positions(countries: list[str], hosts: list[str]) -> dict[Node, tuple[float, float]]:
    """Countries at x = 0 and hosts at x = 1, each side spread from top to bottom."""
    pos: dict[Node, tuple[float, float]] = {}
    for side, keys, kind in ((0, countries, "c"), (1, hosts, "h")):
        ys = np.linspace(1, 0, len(keys)) if len(keys) > 1 else np.array([0.5])
        pos.update({(kind, k): (float(side), float(y)) for k, y in zip(keys, ys, strict=True)})
    return pos


def _is_other(node: Node) -> bool:
    return node[1].endswith((" other hosts", " other countries"))


def _draw_edges(ax: Axes, edges: list[Edge], top: list[Edge], pos: dict, colors: dict) -> None:
    """Grey edges first, the ``top`` ones in their country's colour on top, each numbered at
    a spot of its curve apart from the numbers already placed where it can."""
    wmax = max(w for _, _, w in top or edges)  # the widest coloured flow; grey ones cut there
    t = np.linspace(0, 1, 40)
    big = {(u, v) for u, v, _ in top}
    for u, v, w in reversed(edges):  # small first, so that the large ones lie on top
        if (u, v) not in big:
            ax.plot(
                *_curve(pos[u], pos[v], t),
                color="#BBBBBB",
                alpha=0.45,
                linewidth=0.4 + 5 * min(w, wmax) / wmax,
                solid_capstyle="butt",
                zorder=1,
            )
    for u, v, w in reversed(top):
        ax.plot(
            *_curve(pos[u], pos[v], t),
            color=colors[u[1]],
            alpha=0.7,
            linewidth=1.0 + 10 * w / wmax,
            solid_capstyle="butt",
            zorder=2,
        )
    placed: list[tuple[float, float]] = []
    for u, v, w in top:
        spots = [_curve(pos[u], pos[v], np.array([s])) for s in (0.5, 0.38, 0.62, 0.28, 0.72)]
        spots = [(float(x[0]), float(y[0])) for x, y in spots]
        free = [
            p
            for p in spots
            if all(abs(p[1] - q[1]) > 0.05 or abs(p[0] - q[0]) > 0.07 for q in placed)
        ]
        x, y = (free or spots)[0]
        placed.append((x, y))
        ax.text(
            x,
            y,
            str(w),
            ha="center",
            va="center",
            fontsize=8,
            fontweight="bold",
            color=colors[u[1]],
            zorder=4,
            bbox={
                "boxstyle": "round,pad=0.15",
                "facecolor": "white",
                "edgecolor": "none",
                "alpha": 0.9,
            },
        )


def flows_network(
    allocation: pd.DataFrame,
    organisations: pd.DataFrame | None = None,
    labels: Labels | Mapping | None = None,
) -> Figure:
    """The flows of :func:`~intervet_plan.outputs.placement_plots.flows_heatmap` as a
    bipartite graph: sending countries on the left, hosts on the right (by their names in
    summary.json's ``labels``; by id without them), node size and edge width by placements.
    Countries and hosts beyond the caps are merged into "other" nodes; the largest flows
    between nodes of their own are coloured and numbered, the rest grey."""
    import networkx as nx

    m = _wb_flows(allocation, organisations)
    if m.empty:
        return _no_flows()
    total = int(m.to_numpy().sum())
    names = labels if isinstance(labels, Labels) else Labels(labels)
    m = capped(capped(m, MAX_COUNTRIES, axis=0), MAX_HOSTS, axis=1)
    countries, hosts = [str(c) for c in m.index], [str(h) for h in m.columns]
    g = nx.DiGraph()
    g.add_nodes_from((("c", c) for c in countries), side=0)
    g.add_nodes_from((("h", h) for h in hosts), side=1)
    for (c, h), w in m.stack().items():
        if w:
            g.add_edge(("c", str(c)), ("h", str(h)), weight=int(w))
    pos = _positions(countries, hosts)
    edges: list[Edge] = sorted(g.edges(data="weight"), key=lambda e: (-e[2], e[0][1], e[1][1]))
    top = [e for e in edges if not _is_other(e[0]) and not _is_other(e[1])][:TOP_FLOWS]
    colors: dict[str, object] = dict(zip(countries, palette(len(countries)), strict=True))
    colors.update({c: OTHER_COLOR for c in countries if _is_other(("c", c))})
    fig = new_figure(11, 1.8 + 0.5 * max(len(countries), len(hosts)))
    ax = fig.add_subplot()
    _draw_edges(ax, edges, top, pos, colors)
    for node, (x, y) in pos.items():
        kind, key = node
        n = (
            g.out_degree(node, weight="weight")
            if kind == "c"
            else g.in_degree(node, weight="weight")
        )
        other = _is_other(node)
        shown = key if other or kind == "c" else _two_lines(names.organisation(key))
        ax.scatter(
            [x],
            [y],
            s=60 + 600 * n / max(total, 1),
            zorder=3,
            color=colors[key] if kind == "c" else (OTHER_COLOR if other else "#555555"),
        )
        ax.text(
            x - 0.035 if kind == "c" else x + 0.035,
            y,
            f"{shown} ({n:,})",
            ha="right" if kind == "c" else "left",
            va="center",
            fontsize=9,
            linespacing=1.0,
            color=MUTED if other else "black",
        )
    ax.set_xlim(-0.3, 1.55)
    ax.set_ylim(-0.08, 1.08)
    ax.set_axis_off()
    grey = len(edges) - len(top)
    which = (
        f"The {len(top)} largest flows in colour with their number, {grey} more in grey"
        if grey
        else "Each flow with its number"
    )
    merged = "".join(f"; the {key} merged into one" for kind, key in pos if _is_other((kind, key)))
    ax.set_title(
        f"Flows from sending countries (left) to hosts (right), {total:,} placements{merged}\n"
        f"{which}; width = placements",
        loc="left",
        fontsize=10,
    )
    return fig
