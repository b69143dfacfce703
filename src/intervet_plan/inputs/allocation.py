"""Reading an allocation CSV (as ``run`` writes it, or hand-edited) for ``check`` and ``diff``,
and what its run folder says about why placements changed (for ``diff``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from intervet_plan.errors import InputError, Problem
from intervet_plan.inputs.csvfile import read_table_csv
from intervet_plan.inputs.parsers import parse_date
from intervet_plan.inputs.scenario import Blackout

# the columns an allocation must have: one row per (participant_id, offer_id)
REQUIRED_COLUMNS = ("participant_id", "offer_id")


def read_allocation(path: Path) -> pd.DataFrame:
    """Read an allocation CSV (as written by ``run``, or hand-edited): text cells, with the
    file's line of each row in ``_line`` and the path in ``attrs["path"]``. Raises
    :class:`~intervet_plan.errors.InputError` when the file cannot be read or lacks
    participant_id or offer_id."""
    problems: list[Problem] = []
    table = read_table_csv(Path(path), problems)
    if table is None or problems:  # e.g. more values in a row than the header names
        raise InputError(problems, f"allocation {path}")
    missing = [c for c in REQUIRED_COLUMNS if c not in table.header]
    if missing:
        raise InputError(
            [
                Problem(table.source, 1, c, "required column is missing from the header")
                for c in missing
            ],
            f"allocation {path}",
        )
    df = pd.DataFrame(table.rows, columns=table.header)
    df["_line"] = table.lines
    df.attrs["path"] = str(path)
    return df


# the run folder files beside an allocation.csv that say why a placement changed, and the
# columns each must have to be used
RUN_NOTE_COLUMNS = {
    "cancelled.csv": ("participant_id", "offer_id", "start_date", "reason"),
    "unplaced.csv": ("participant_id", "reason", "detail"),
}


@dataclass(frozen=True)
class RunNotes:
    """What a run folder says beside its allocation.csv about why placements changed (SPEC 5
    and 7), as text cells: ``cancelled`` (cancelled.csv) and ``unplaced`` (unplaced.csv), each
    ``None`` when absent; ``blackouts`` from summary.json, ``None`` when it does not give them
    (no summary.json, or not a re-plan)."""

    cancelled: pd.DataFrame | None = None
    unplaced: pd.DataFrame | None = None
    blackouts: tuple[Blackout, ...] | None = None


def read_run_notes(allocation_path: Path) -> RunNotes:
    """The :class:`RunNotes` of the run folder that holds ``allocation_path``, read only when
    the file is named ``allocation.csv``. A note file that is absent, cannot be read or lacks
    one of its columns is left out (``None``): the notes explain a diff, they never stop it."""
    path = Path(allocation_path)
    if path.name != "allocation.csv":
        return RunNotes()
    tables = {
        name: _note_table(path.parent / name, cols) for name, cols in RUN_NOTE_COLUMNS.items()
    }
    return RunNotes(tables["cancelled.csv"], tables["unplaced.csv"], _blackouts(path.parent))


def _note_table(path: Path, columns: tuple[str, ...]) -> pd.DataFrame | None:
    if not path.is_file():
        return None
    problems: list[Problem] = []
    table = read_table_csv(path, problems)
    if table is None or problems or any(c not in table.header for c in columns):
        return None
    return pd.DataFrame(table.rows, columns=table.header)


def _blackouts(folder: Path) -> tuple[Blackout, ...] | None:
    """The blackouts summary.json of a re-plan lists (``from``, ``to``, ``countries``)."""
    try:
        found = json.loads((folder / "summary.json").read_text(encoding="utf-8"))["blackouts"]
        return tuple(
            Blackout(
                parse_date(b["from"]),
                parse_date(b["to"]),
                None if b.get("countries") is None else frozenset(b["countries"]),
            )
            for b in found
        )
    except (OSError, ValueError, KeyError, TypeError):  # absent, not JSON, not a re-plan
        return None
