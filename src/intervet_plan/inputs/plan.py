"""Reading a plan file: the ``allocation.csv`` of an earlier run, given as a scenario's
``previous_plan``. Its rows are checked against the case by ``domain.context``."""

from __future__ import annotations

from pathlib import Path

from intervet_plan.errors import Problem
from intervet_plan.inputs.csvfile import read_table_csv
from intervet_plan.inputs.raw import RawTable


def read_plan_table(path: Path) -> tuple[RawTable | None, tuple[Problem, ...]]:
    """The plan at ``path`` as text cells (``None`` when it cannot be read), and the problems
    found while reading it (reported after those of the case, when the context is built)."""
    problems: list[Problem] = []
    table = read_table_csv(Path(path), problems)
    return table, tuple(problems)
