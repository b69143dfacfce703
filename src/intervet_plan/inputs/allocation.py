"""Reading an allocation CSV (as ``run`` writes it, or hand-edited) for ``check`` and ``diff``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from intervet_plan.errors import InputError, Problem
from intervet_plan.inputs.csvfile import read_table_csv

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
