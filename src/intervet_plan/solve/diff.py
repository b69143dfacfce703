"""What changed between two allocations, and why where the files say (``intervet-plan diff``,
SPEC 6 and 7). Works on tables of text cells as
:func:`intervet_plan.inputs.allocation.read_allocation` reads them; the reasons come from
the :class:`~intervet_plan.inputs.allocation.RunNotes` of the new allocation's run folder
(cancelled.csv, unplaced.csv, summary.json's blackouts) and from the rows themselves (an
``interrupted`` status with its shortened end_date). A change without a known cause has no
reason: none is made up.

>>> old = pd.DataFrame({"participant_id": ["P1"], "offer_id": ["O1"],
...     "start_date": ["2020-02-03"], "end_date": ["2020-03-01"], "status": ["planned"]})
>>> new = old.assign(end_date="2020-02-29", status="interrupted")
>>> print(diff_text(diff_frames(old, new)))
moved 0, added 0, dropped 0, interrupted 1 (participants changed: 1)
  interrupted P1: O1 -- ends 2020-02-29 instead of 2020-03-01
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd

from intervet_plan.domain.context import PLAN_KEY
from intervet_plan.domain.replan import applies
from intervet_plan.inputs.allocation import RunNotes, read_allocation, read_run_notes
from intervet_plan.inputs.parsers import parse_date
from intervet_plan.inputs.scenario import Blackout
from intervet_plan.solve.tables import allocation_csv

DIFF_COLUMNS = [
    "participant_id",
    "change",  # moved, added, dropped, interrupted or duplicate
    "old_offer_id",
    "new_offer_id",
    "old_start_date",
    "new_start_date",
    "why",  # the cause in words, where the files give it; else None
]
Row = dict[str, Any]  # one row of a table: column -> text cell
# the head line counts these changes in this order; interrupted and duplicate only when any
HEAD = ("moved", "added", "dropped", "interrupted", "duplicate")
# unplaced.csv's reason (SPEC 5) -> its words, followed by the detail in brackets (withdrawn:
# without the detail, which only repeats it)
UNPLACED_WORDS = {
    "withdrawn": "withdrew (listed under withdrawn)",
    "no_eligible_offer": "no eligible offer",
    "capacity": "no room",
    "not_selected": "not selected",
}


def diff_allocations(old_path: Path, new_path: Path) -> pd.DataFrame:
    """:func:`diff_frames` of two allocation files, with the reasons that the run folder of
    ``new_path`` gives (when it is a run's allocation.csv: see
    :func:`~intervet_plan.inputs.allocation.read_run_notes`); ``attrs`` ``old`` and ``new``
    hold the two paths (for :func:`diff_text`)."""
    d = diff_frames(
        read_allocation(old_path), read_allocation(new_path), read_run_notes(Path(new_path))
    )
    d.attrs.update(old=str(old_path), new=str(new_path))
    return d


def diff_plans(old: pd.DataFrame, new: pd.DataFrame, notes: RunNotes | None = None) -> pd.DataFrame:
    """What changed between two allocation tables (``plan.allocation``): :func:`diff_frames`
    on the text cells their allocation.csv would hold."""
    return diff_frames(_as_text(old), _as_text(new), notes)


def diff_frames(
    old: pd.DataFrame, new: pd.DataFrame, notes: RunNotes | None = None
) -> pd.DataFrame:
    """Per participant: placements ``interrupted`` (same offer, the new row's status says
    interrupted and its end_date or status differs), ``moved`` (dropped from one offer and
    added to another), ``added`` and ``dropped``; first, one ``duplicate`` row for every
    extra occurrence of a (participant_id, offer_id) in either table (its offer in
    old_offer_id for the old table, new_offer_id for the new one). Changes are computed on
    the tables without their duplicates. Columns :data:`DIFF_COLUMNS`: ``why`` says the
    cause where ``notes`` or the rows give it (cancelled, unplaced, interrupted), else None."""
    notes = notes or RunNotes()
    rows = _duplicates(old, new=False) + _duplicates(new, new=True)
    old_of, new_of = _by_participant(old), _by_participant(new)
    cancelled = _by_key(notes.cancelled, PLAN_KEY)
    unplaced = _by_key(notes.unplaced, ["participant_id"])
    for p in sorted(set(old_of) | set(new_of)):
        a, b = old_of.get(p, {}), new_of.get(p, {})
        for o in sorted(a.keys() & b.keys()):
            why = _interrupted(a[o], b[o], notes.blackouts)
            if why is not None:
                rows.append((p, "interrupted", o, o, *_starts(a[o], b[o]), why))
        gone = [a[o] for o in sorted(a.keys() - b.keys())]
        came = [b[o] for o in sorted(b.keys() - a.keys())]
        for g, c in zip(gone, came, strict=False):
            why = _cancelled(cancelled.get((p, g["offer_id"])), g, notes.blackouts)
            if why is not None:
                why += f"; placed again in {c['offer_id']}"
            rows.append((p, "moved", g["offer_id"], c["offer_id"], *_starts(g, c), why))
        for g in gone[len(came) :]:
            why = _join(
                _cancelled(cancelled.get((p, g["offer_id"])), g, notes.blackouts),
                _unplaced(unplaced.get((p,))),
            )
            rows.append((p, "dropped", g["offer_id"], None, g.get("start_date"), None, why))
        for c in came[len(gone) :]:
            rows.append((p, "added", None, c["offer_id"], None, c.get("start_date"), None))
    d = pd.DataFrame(rows, columns=DIFF_COLUMNS)
    d["why"] = pd.Series([r[-1] for r in rows], index=d.index, dtype=object)  # None: unknown
    return d


def _by_participant(table: pd.DataFrame) -> dict[str, dict[str, Row]]:
    """participant_id -> offer_id -> the first row of that placement."""
    out: dict[str, dict[str, Row]] = {}
    for r in table.to_dict("records"):
        out.setdefault(r["participant_id"], {}).setdefault(r["offer_id"], r)
    return out


def _starts(g: Row, c: Row) -> tuple[object, object]:
    return g.get("start_date"), c.get("start_date")


def _by_key(table: pd.DataFrame | None, key: list[str]) -> dict[tuple[str, ...], Row]:
    """The first row of ``table`` for each value of ``key`` (empty without a table)."""
    out: dict[tuple[str, ...], Row] = {}
    for r in [] if table is None else table.to_dict("records"):
        out.setdefault(tuple(r[k] for k in key), r)
    return out


def _date(v: object) -> dt.date | None:
    """A date cell (``YYYY-MM-DD``), None when empty or unreadable."""
    try:
        return parse_date(str(v)) if isinstance(v, str) and v else None
    except ValueError:
        return None


def _applies(b: Blackout, row: Row) -> bool:
    """Whether blackout ``b`` applies to an allocation row; a row without its countries
    cannot say, and counts as covered."""
    host, sending = row.get("host_country"), row.get("sending_country")
    if b.countries is None or host is None or sending is None:
        return True
    return applies(b, str(host), str(sending))


def _interrupted(g: Row, c: Row, blackouts: tuple[Blackout, ...] | None) -> str | None:
    """Why a placement kept in the same offer changed: an ``interrupted`` status on the new
    row whose end_date or status differs from the old one (None: no such change)."""
    old_end, new_end = g.get("end_date") or "", c.get("end_date") or ""
    if str(c.get("status", "")).strip().lower() != "interrupted":
        return None
    if str(g.get("status", "")).strip().lower() == "interrupted" and old_end == new_end:
        return None
    why = f"ends {new_end}" if new_end else "status interrupted"
    if old_end and old_end != new_end:
        why += f" instead of {old_end}"
    end = _date(new_end)
    if end is not None and any(
        b.start == end + dt.timedelta(days=1) and _applies(b, c) for b in blackouts or ()
    ):
        why += ", the day before the blackout"
    return why


def _cancelled(row: Row | None, old: Row, blackouts: tuple[Blackout, ...] | None) -> str | None:
    """Why a placement of the old plan is gone when cancelled.csv lists it (``row``), with
    the blackout that covers its start when summary.json gives it; None when not listed."""
    if row is None:
        return None
    reason = str(row["reason"]).strip()
    if reason == "status":
        return "cancelled: the previous plan's status says cancelled"
    if reason != "blackout":
        return f"cancelled ({reason})" if reason else "cancelled"
    start = _date(row["start_date"])
    for b in blackouts or ():
        if start is not None and b.start <= start <= b.end and _applies(b, old):
            where = f" ({', '.join(sorted(b.countries))})" if b.countries else ""
            return (
                f"cancelled: it was to start on {start.isoformat()}, inside the blackout "
                f"{b.start.isoformat()} to {b.end.isoformat()}{where}"
            )
    return "cancelled by a blackout"


def _unplaced(row: Row | None) -> str | None:
    """unplaced.csv's reason for a participant, in words (None: not unplaced)."""
    if row is None:
        return None
    reason, detail = str(row["reason"]).strip(), str(row["detail"]).strip()
    words = UNPLACED_WORDS.get(reason, reason or "unplaced")
    return words if reason == "withdrawn" or not detail else f"{words} ({detail})"


def _join(cancelled: str | None, unplaced: str | None) -> str | None:
    """The reasons of a dropped placement: its cancellation, then why the participant was
    not placed again."""
    if cancelled and unplaced:
        return f"{cancelled}; not placed again: {unplaced}"
    return cancelled or unplaced


def _duplicates(df: pd.DataFrame, new: bool) -> list[tuple[object, ...]]:
    """A ``duplicate`` diff row for each extra occurrence of a (participant_id, offer_id),
    sorted by participant_id, offer_id, then line."""
    extra = df[df.duplicated(PLAN_KEY, keep="first")].sort_values(PLAN_KEY, kind="stable")
    rows: list[tuple[object, ...]] = []
    for _, r in extra.iterrows():
        o, s = r.offer_id, r.get("start_date")
        cells = (None, o, None, s) if new else (o, None, s, None)
        rows.append((r.participant_id, "duplicate", *cells, None))
    return rows


def diff_text(d: pd.DataFrame, old_label: str | None = None, new_label: str | None = None) -> str:
    """The diff as ``intervet-plan diff`` prints it: a count line, then one line per change,
    followed by `` -- `` and its reason when known. Files are named by
    ``old_label``/``new_label``, else by the paths in ``d.attrs``. Duplicates are not
    changes: they are left out of "participants changed"."""
    counts = d["change"].value_counts()
    dup = d["change"] == "duplicate"
    head = ", ".join(
        f"{k} {counts.get(k, 0)}"
        for k in HEAD
        if k in ("moved", "added", "dropped") or counts.get(k, 0)
    )
    lines = [f"{head} (participants changed: {d.loc[~dup, 'participant_id'].nunique()})"]
    labels = {
        False: old_label or d.attrs.get("old", "the old allocation"),
        True: new_label or d.attrs.get("new", "the new allocation"),
    }
    times = Counter(_dup_key(r) for r in d[dup].itertuples(index=False))
    for r in d.itertuples(index=False):
        if r.change == "moved":
            line = f"  moved   {r.participant_id}: {r.old_offer_id} -> {r.new_offer_id}"
        elif r.change == "added":
            line = f"  added   {r.participant_id}: {r.new_offer_id}"
        elif r.change == "dropped":
            line = f"  dropped {r.participant_id}: {r.old_offer_id}"
        elif r.change == "interrupted":
            line = f"  interrupted {r.participant_id}: {r.new_offer_id}"
        else:
            key = _dup_key(r)
            line = (
                f"  duplicate {r.participant_id}: {key[2]} appears {times[key] + 1} times in "
                f"{labels[key[1]]}"
            )
        why = getattr(r, "why", None)
        lines.append(f"{line} -- {why}" if isinstance(why, str) and why else line)
    return "\n".join(lines)


def _dup_key(r: object) -> tuple[str, bool, str]:
    """(participant, in the new file?, offer) of a ``duplicate`` diff row."""
    new = pd.isna(r.old_offer_id)  # type: ignore[attr-defined]
    offer = r.new_offer_id if new else r.old_offer_id  # type: ignore[attr-defined]
    return (r.participant_id, bool(new), offer)  # type: ignore[attr-defined]


def _as_text(allocation: pd.DataFrame) -> pd.DataFrame:
    """An allocation table as the text cells of its allocation.csv (what ``diff`` compares)."""
    return pd.read_csv(io.StringIO(allocation_csv(allocation)), dtype=str, keep_default_na=False)
