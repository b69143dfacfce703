"""What every figure shares: a blank figure on an Agg canvas (never pyplot, so nothing is
left in pyplot's global state), the "no data" figure, colours per activity, cost part and
reason, the shading of blackouts on a time axis, money ticks and PNG bytes.

>>> from intervet_plan.outputs.figure import new_figure, to_png
>>> to_png(new_figure(2, 1))[:4]
b'\x89PNG'
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from intervet_plan.outputs.labels import COST_WORDS

# labels and colours of the cost parts (intervet_plan.solve.tables.COST_PARTS)
COST_LABELS = {k: v for k, v in COST_WORDS.items() if k != "total"}
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
OK_COLOR, SHORT_COLOR, MUTED = "#55A868", "#C44E52", "#8C8C8C"
# the shading of a blackout on a time axis, and its legend entry
BLACKOUT_LABEL, BLACKOUT_GID = "stop (blackout)", "blackout"
BLACKOUT_FACE, BLACKOUT_EDGE, BLACKOUT_HATCH = "#E4E4E4", "#B4B4B4", "//"


def new_figure(width: float, height: float) -> Figure:
    """A blank figure of ``width`` x ``height`` inches (100 dpi, constrained layout) on its
    own Agg canvas."""
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def no_data(fig: Figure, text: str, title: str = "") -> Figure:
    """``fig`` with a short text instead of a chart (an empty table, an infeasible run)."""
    ax = fig.add_subplot()
    ax.set_axis_off()
    if title:
        ax.set_title(title, loc="left")
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=13, color=MUTED, wrap=True)
    return fig


RGBA = tuple[float, float, float, float]  # a colour: red, green, blue, alpha in 0..1


def palette(n: int) -> list[RGBA]:
    """``n`` distinct colours (tab10, or tab20 beyond ten), as RGBA tuples."""
    cmap = matplotlib.colormaps["tab10" if n <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(n)]


def activity_colors(activities: Iterable[str]) -> dict[str, RGBA]:
    """One stable colour per activity id (sorted), shared by every figure."""
    acts = sorted({str(a) for a in activities})
    return dict(zip(acts, palette(len(acts)), strict=True))


def shade_blackouts(ax: Axes, blackouts: Iterable[Mapping] | None) -> list[Patch]:
    """Shade each blackout (summary.json's ``blackouts``: ISO ``from`` and ``to``, both days
    included, and ``countries``, None for everywhere) on ``ax``'s date axis, behind the data
    (``gid`` ``blackout``); one limited to some countries is marked ``stop in ES`` (its
    countries) at its top, as it stops only the mobilities to or from them.
    Returns the legend handle ``stop (blackout)`` (an empty list without blackouts)."""
    import matplotlib.dates as mdates
    import pandas as pd

    spans = list(blackouts or [])
    for b in spans:
        start = mdates.date2num(pd.Timestamp(b["from"]))
        end = mdates.date2num(pd.Timestamp(b["to"]) + pd.Timedelta(days=1))
        ax.axvspan(start, end, zorder=0, gid=BLACKOUT_GID, **_blackout_style())
        if b.get("countries"):
            ax.text(
                (start + end) / 2,
                1.0,
                "stop in " + ", ".join(b["countries"]),
                transform=ax.get_xaxis_transform(),
                ha="center",
                va="bottom",
                fontsize=7,
                color=MUTED,
                clip_on=False,
            )
    return [Patch(label=BLACKOUT_LABEL, **_blackout_style())] if spans else []


def _blackout_style() -> dict:
    return {
        "facecolor": BLACKOUT_FACE,
        "edgecolor": BLACKOUT_EDGE,
        "hatch": BLACKOUT_HATCH,
        "linewidth": 0,
    }


def eur_tick(v: float, _pos: object = None) -> str:
    """An axis tick in EUR: "1.25 M", "350 k" or "900"."""
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
