"""What reading gives before validation: a table as text cells with line numbers, and a
whole case (its ``case.yaml`` keys and its tables) with the problems found while reading.

Cells are stripped text, whatever the source (CSV or Excel cells), so that a CSV folder and a
workbook give the same case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from intervet_plan.errors import Problem
from intervet_plan.inputs.limits import MAX_COLUMNS

CASE_FILE = "case.yaml"
CASE_SHEET = "case"


@dataclass
class RawTable:
    """A table as text cells, with the spreadsheet line number of each row."""

    name: str
    source: str
    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    decimal_comma: bool = False  # read from a ;-separated file: 2,5 means 2.5

    def column(self, name: str) -> list[str]:
        i = self.header.index(name)
        return [r[i] for r in self.rows]


@dataclass
class RawCase:
    """What was read from disk, before validation."""

    location: Path
    meta: dict[str, object]
    meta_source: str
    meta_lines: dict[str, int]
    tables: dict[str, RawTable]
    files: dict[str, Path] = field(default_factory=dict)  # input name -> file, for checksums
    problems: list[Problem] = field(default_factory=list)


def reason(e: BaseException) -> str:
    """Why the system refused a file operation, as a message shows it."""
    return getattr(e, "strerror", None) or str(e) or type(e).__name__


def make_table(
    name: str,
    source: str,
    header: list[str],
    header_line: int,
    rows: list[list[str]],
    lines: list[int],
    problems: list[Problem],
    decimal_comma: bool = False,
) -> RawTable | None:
    """Check the header and square up the rows (missing trailing cells are empty)."""
    if len(header) > MAX_COLUMNS:
        problems.append(HeaderTooWide(header_line, len(header)).problem(source))
        return None
    names: list[str] = []
    seen: set[str] = set()
    for i, h in enumerate(header):
        h = h.strip().lstrip("\ufeff")
        if not h:
            h = f"unnamed_{i + 1}"
        if h in seen:
            problems.append(
                Problem(source, header_line, h, "column appears twice in the header; keep one")
            )
        seen.add(h)
        names.append(h)
    width = len(names)
    squared: list[list[str]] = []
    for cells, line in zip(rows, lines, strict=True):
        if len(cells) > width and any(cells[width:]):
            problems.append(
                Problem(
                    source,
                    line,
                    None,
                    f"has {len(cells)} values but the header names {width} "
                    "columns; is a separator or quote misplaced?",
                )
            )
        squared.append((cells + [""] * width)[:width])
    return RawTable(name, source, names, squared, lines, decimal_comma)


class HeaderTooWide(Exception):
    """A table whose header row reaches past :data:`MAX_COLUMNS` (a stray value far right)."""

    def __init__(self, line: int, width: int) -> None:
        super().__init__(line, width)
        self.line, self.width = line, width

    def problem(self, source: str) -> Problem:
        return Problem(
            source,
            self.line,
            None,
            f"the header row reaches column {self.width:,}, above the limit of "
            f"{MAX_COLUMNS} columns; delete the stray cells to the right of the table",
        )
