"""What reading gives before validation: a table as text cells with line numbers, and a
whole case (its ``case.yaml`` keys and its tables) with the problems found while reading.

Cells are stripped text, whatever the source (CSV or Excel cells), so that a CSV folder and a
workbook give the same case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from intervet_plan.errors import Problem
from intervet_plan.inputs.limits import MAX_COLUMNS, quoted

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
    sheet: bool = False,
) -> RawTable | None:
    """Check the header and square up the rows (missing trailing cells are empty).
    ``sheet``: the table is a workbook sheet (for what a message says to do)."""
    if len(header) > MAX_COLUMNS:
        problems.append(HeaderTooWide(header_line, len(header)).problem(source))
        return None
    one = one_column(header)
    if one is not None:
        problems.append(Problem(source, header_line, None, one_column_message(header, one, sheet)))
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
                    rule="lines have more values than the header names columns; is a "
                    "separator or quote misplaced? (a cell that holds the separator, such as "
                    "a decimal comma, must be in quotes)",
                )
            )
        squared.append((cells + [""] * width)[:width])
    return RawTable(name, source, names, squared, lines, decimal_comma)


SEPARATORS = {";": "';'", ",": "','", "\t": "tabs", "|": "'|'"}


def one_column(header: list[str]) -> str | None:
    """The separator that a header of one cell holds between column names (a file whose
    whole lines were read as one column), or ``None``."""
    names = [h for h in header if h.strip()]
    if len(names) != 1:
        return None
    counts = {sep: names[0].count(sep) for sep in SEPARATORS}
    sep = max(counts, key=lambda k: counts[k])
    parts = [x for x in names[0].split(sep) if x.strip()]
    return sep if counts[sep] and len(parts) >= 2 else None


def one_column_message(header: list[str], sep: str, sheet: bool) -> str:
    """What a table read as one column is told: how its header looks, and what to do."""
    names = [x.strip() for x in next(h for h in header if h.strip()).split(sep) if x.strip()]
    start = quoted(sep.join(names[:3]) + (sep + "..." if len(names) > 3 else ""))
    said = SEPARATORS[sep]
    if sheet:
        named = "Tab" if sep == "\t" else said
        return (
            f"holds all its columns in one column, separated by {said} (header {start}); split "
            f"it in Excel (Data > Text to Columns, delimited by {named}) and save the "
            "workbook, or give the tables as CSV files"
        )
    return (
        f"holds all its columns in one quoted cell per line, separated by {said} (header "
        f"{start}); open it in a spreadsheet, split the column (Excel: Data > Text to "
        "Columns) and save it as CSV (columns separated by , or ;)"
    )


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
