"""The report's "Hosts" section: per receiving organisation, the participants it hosts, its
cohorts (offers with placements) and its peak occupancy (the most participants present on
one day) against its ``max_concurrent`` where the case sets one, from allocation.csv and
summary.json's ``labels`` only.

>>> a = pd.DataFrame({"start_date": pd.to_datetime(["2020-03-02", "2020-03-20", "2020-03-30"]),
...                   "end_date": pd.to_datetime(["2020-03-29", "2020-04-10", "2020-04-05"])})
>>> peak_occupancy(a)
(2, Timestamp('2020-03-20 00:00:00'))
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from intervet_plan.outputs.labels import Labels
from intervet_plan.outputs.run_folder import RunFolder

HEADING = "## Hosts"
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
PEAK, MAX = "peak occupancy", "max at once"
COLUMNS = [
    "host",
    "country",
    "participants hosted",
    "cohorts",
    PEAK,
    "peak on",
    MAX,
    "peak / max",
]


def peak_occupancy(stays: pd.DataFrame) -> tuple[int, pd.Timestamp | None]:
    """The most stays (rows with ``start_date`` and ``end_date``, both days included)
    that share one day, and the first day it is reached (None without rows)."""
    if stays.empty:
        return 0, None
    arrive = pd.Series(1, index=pd.to_datetime(stays["start_date"]).to_numpy())
    leave = pd.Series(-1, index=(pd.to_datetime(stays["end_date"]) + pd.Timedelta(days=1)))
    # on one day the departures (of those who left the day before) count before arrivals
    events = pd.concat([leave, arrive]).groupby(level=0).sum().sort_index()
    present = events.cumsum()
    return int(present.max()), pd.Timestamp(present.idxmax())


def host_table(res: RunFolder, ids: bool = False) -> pd.DataFrame:
    """One row per host with a placement, by country then name: its name, country,
    participants hosted (placements: a person placed twice counts twice), cohorts (offers
    with placements), peak occupancy and its first day (a Timestamp), ``max_concurrent``
    (None when the case sets none) and the peak as a share of it; then a ``total`` row
    (participants and cohorts). ``ids`` puts each host's ``host_id`` first (the workbook)."""
    a = res["allocation"]
    names = Labels.of(res["summary"])
    cols = (["host_id"] if ids else []) + COLUMNS
    if a.empty:
        return pd.DataFrame(columns=cols)
    rows = []
    for host, stays in a.groupby("host_id", observed=True, sort=True):
        peak, day = peak_occupancy(stays)
        cap = names.host_capacity.get(str(host))
        rows.append(
            {
                "host_id": str(host),
                "host": names.organisation(host),
                "country": str(stays["host_country"].iloc[0]),
                "participants hosted": len(stays),
                "cohorts": stays["offer_id"].nunique(),
                PEAK: peak,
                "peak on": day,
                MAX: None if cap is None else int(cap),
                "peak / max": peak / cap if cap else None,
            }
        )
    rows.sort(key=lambda r: (r["country"], r["host"], r["host_id"]))
    total = {"host_id": "", "host": "total", "country": "", "participants hosted": len(a)}
    total["cohorts"] = sum(r["cohorts"] for r in rows)
    return pd.DataFrame([*rows, total], columns=cols, dtype=object).replace({np.nan: None})


def host_text(res: RunFolder) -> str:
    """The section's heading and what its columns mean, with the hosts at their limit."""
    t = host_table(res)
    full = [
        str(r["host"])
        for _, r in t.iterrows()
        if r[MAX] is not None and r[PEAK] is not None and r[PEAK] >= r[MAX]
    ]
    text = (
        f"{HEADING}\n\n"
        "Each host with a placement: the participants it hosts (a person placed twice counts "
        "twice, as the programme counts mobilities), its cohorts (offers with placements), "
        "and its **peak occupancy**: the most participants present on one day, with the "
        f"first day it is reached, against the most it may host at once (*{MAX}*, the "
        "case's `max_concurrent`; blank when the case sets none). The same table is the "
        "sheet *hosts* of `allocation.xlsx`."
    )
    if full:
        text += (
            f"\n\nAt their limit on their peak day: {', '.join(full)} (no other "
            "participant could have been there on that day)."
        )
    return text


def host_display(res: RunFolder) -> pd.DataFrame:
    """:func:`host_table` as the report shows it: the peak's day as ``12 Oct 2021`` (kept on
    one line) and the share of the limit in percent."""
    t = host_table(res)
    t["peak on"] = [None if d is None else _day(d) for d in t["peak on"]]
    t["peak / max"] = [None if v is None else f"{v:.0%}" for v in t["peak / max"]]
    return t


def _day(d: pd.Timestamp) -> str:
    """A day as ``12 Oct 2021``, with no-break spaces (never split over two lines)."""
    return f"{d.day}\u00a0{MONTHS[d.month - 1]}\u00a0{d.year}"
