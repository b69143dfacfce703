"""All file I/O: read a case folder or workbook into raw text tables; write outputs atomically.

Reading never raises on bad content: every problem becomes a :class:`Problem` so that the
validator can report them all at once. Cells are returned as stripped text, whatever the
source (CSV or Excel cells), so a CSV folder and a workbook give the same case.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io as _io
import os
import reprlib
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from intervet_plan.errors import Problem
from intervet_plan.inputs.limits import (
    MAX_COLUMNS,
    MAX_CSV_BYTES,
    MAX_WORKBOOK_UNPACKED_BYTES,
    escaped,
    megabytes,
)
from intervet_plan.inputs.schemas import CASE_KEYS, TABLES, TABLES_BY_NAME, Kind, TableSchema
from intervet_plan.outputs.folder import atomic_file

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


# --------------------------------------------------------------------------- reading


def read_case(path: str | os.PathLike[str]) -> RawCase:
    """Read a case folder (``case.yaml`` + CSV tables) or a single ``.xlsx`` workbook."""
    p = Path(path)
    label = str(path)
    try:
        if p.is_file() and p.name == CASE_FILE:
            p = p.parent
        if p.is_dir():
            return _read_folder(p)
        if p.is_file() and p.suffix.lower() in (".xlsx", ".xlsm"):
            return _read_workbook(p)
        exists, is_file = p.exists(), p.is_file()
    except (OSError, ValueError) as e:
        return RawCase(
            p,
            {},
            label,
            {},
            {},
            problems=[
                Problem(
                    label,
                    None,
                    None,
                    f"cannot be opened ({_reason(e)}); give a case folder "
                    "(case.yaml and CSV tables) or an .xlsx workbook",
                )
            ],
        )
    suffix = p.suffix.lower()
    if not exists:
        msg = (
            "no such folder or file; give a case folder (case.yaml and CSV tables) or an "
            ".xlsx workbook"
        )
    elif is_file and suffix == ".xls":
        msg = "is an old .xls workbook; save it from Excel as 'Excel Workbook (.xlsx)'"
    elif is_file and suffix == ".csv":
        msg = (
            "is a single CSV file; give the folder that holds case.yaml and all the CSV "
            "tables, or an .xlsx workbook"
        )
    else:
        msg = "is neither a case folder nor an .xlsx workbook"
    return RawCase(p, {}, label, {}, {}, problems=[Problem(label, None, None, msg)])


def _reason(e: BaseException) -> str:
    return getattr(e, "strerror", None) or str(e) or type(e).__name__


def _read_folder(folder: Path) -> RawCase:
    problems: list[Problem] = []
    files: dict[str, Path] = {}
    meta, meta_lines = _read_case_yaml(folder / CASE_FILE, problems)
    if (folder / CASE_FILE).is_file():
        files[CASE_FILE] = folder / CASE_FILE
    try:
        present = sorted(f.name for f in folder.iterdir())
    except OSError:
        present = []
    tables: dict[str, RawTable] = {}
    for schema in TABLES:
        f = folder / schema.file_name
        if not f.is_file():
            if f.exists():
                problems.append(
                    Problem(
                        schema.file_name,
                        None,
                        None,
                        "is not a file (a folder?); it must be a CSV table",
                    )
                )
            elif not schema.optional or _near_names(schema.name, present):
                problems.append(
                    Problem(
                        schema.file_name,
                        None,
                        None,
                        f"file is missing from {folder}; it holds "
                        f"{schema.purpose}{_found_hint(schema, present)}",
                    )
                )
            continue
        files[schema.file_name] = f
        table = _read_csv(f, schema.name, schema.file_name, problems)
        if table is not None:
            tables[schema.name] = table
    return RawCase(folder, meta, CASE_FILE, meta_lines, tables, files, problems)


def _near_names(name: str, present: list[str]) -> list[str]:
    """Names in ``present`` that look like the table ``name`` (other case, other extension)."""
    return [n for n in present if n.lower().rsplit(".", 1)[0].strip() == name]


def _found_hint(schema: TableSchema, present: list[str]) -> str:
    near = _near_names(schema.name, present)
    if not near:
        return ""
    found = near[0]
    if found.lower().endswith(".csv"):
        return f"; found '{found}': rename it {schema.file_name}"
    return f"; found '{found}': save it as CSV UTF-8 named {schema.file_name}"


def _read_case_yaml(f: Path, problems: list[Problem]) -> tuple[dict[str, object], dict[str, int]]:
    if not f.is_file():
        problems.append(
            Problem(
                CASE_FILE,
                None,
                None,
                f"file is missing from {f.parent}; it gives name, dates and budget",
            )
        )
        return {}, {}
    try:
        data = f.read_bytes()
    except OSError as e:
        problems.append(Problem(CASE_FILE, None, None, f"cannot be read: {_reason(e)}"))
        return {}, {}
    text = _decode(data, CASE_FILE, problems, save_as="UTF-8 text")
    if text is None:
        return {}, {}
    data_, lines = load_yaml_with_lines(text, CASE_FILE, problems)
    if data_ is None:
        if not any(p.source == CASE_FILE for p in problems):
            problems.append(
                Problem(
                    CASE_FILE,
                    1,
                    None,
                    "is empty; give name, start_date, end_date and budget_eur as key: value lines",
                )
            )
        return {}, {}
    if not isinstance(data_, dict):
        kind = "a list" if isinstance(data_, list) else "a single value"
        problems.append(
            Problem(
                CASE_FILE,
                1,
                None,
                f"holds {kind}; it must be key: value lines (name, start_date, "
                "end_date, budget_eur)",
            )
        )
        return {}, {}
    return data_, lines


def _decode(
    data: bytes, source: str, problems: list[Problem], save_as: str = "'CSV UTF-8'"
) -> str | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        problems.append(
            Problem(source, None, None, f"is UTF-16 text; save it as {save_as} and try again")
        )
        return None
    if data.startswith(b"PK\x03\x04"):
        problems.append(
            Problem(source, None, None, f"is a zip or Excel file, not text; save it as {save_as}")
        )
        return None
    if b"\x00" in data:
        problems.append(
            Problem(
                source,
                None,
                None,
                f"is not a text file (it holds binary data); save it as {save_as}",
            )
        )
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        problems.append(
            Problem(
                source,
                line,
                None,
                f"is not UTF-8 text (byte 0x{data[e.start]:02x}); "
                f"save it as {save_as} and try again",
            )
        )
        return None
    return text


def detect_separator(header_line: str) -> str:
    """``;`` when the header uses more semicolons than commas (European Excel), else ``,``."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _csv_error(e: csv.Error) -> str:
    text = str(e)
    if "unexpected end of data" in text:
        return (
            'has a quoted cell that starts here but is never closed (a " is missing); '
            "close the quote or remove it"
        )
    if "expected after" in text:
        return (
            "has text right after the closing quote of a cell; inside a quoted cell write "
            'a quote as "" (two quotes)'
        )
    if "field larger than field limit" in text:
        return "has a cell longer than 131072 characters; is a quote left open?"
    return f"is not valid CSV: {text}"


def _read_csv(f: Path, name: str, source: str, problems: list[Problem]) -> RawTable | None:
    try:
        size = f.stat().st_size
        if size > MAX_CSV_BYTES:  # refused before it is read into memory
            problems.append(
                Problem(
                    source,
                    None,
                    None,
                    f"is {megabytes(size)}, above the limit of {MAX_CSV_BYTES / 2**20:g} MB "
                    "for a table; the tables of a national round are a few MB: check that "
                    "this is the right file",
                )
            )
            return None
        data = f.read_bytes()
    except OSError as e:
        problems.append(Problem(source, None, None, f"cannot be read: {_reason(e)}"))
        return None
    text = _decode(data, source, problems)
    if text is None:
        return None
    if not text.strip():
        problems.append(
            Problem(source, None, None, "is empty; it needs a header line naming the columns")
        )
        return None
    lines_ = text.splitlines()
    first_no = next(i for i, line in enumerate(lines_, start=1) if line.strip())
    first = lines_[first_no - 1]
    if "\t" in first and "," not in first and ";" not in first:
        problems.append(
            Problem(
                source,
                first_no,
                None,
                "separates columns with tabs; save it as CSV (columns separated by , or ;)",
            )
        )
        return None
    sep = detect_separator(first)
    reader = csv.reader(_io.StringIO(text, newline=""), delimiter=sep, strict=True)
    header: list[str] | None = None
    header_line = 1
    rows: list[list[str]] = []
    lines: list[int] = []
    line = 0
    # A spreadsheet shows one row per record (a quoted cell may hold a line break).
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            problems.append(Problem(source, line + 1, None, _csv_error(e)))
            return None
        line += 1
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        if header is None:
            header, header_line = cells, line
            continue
        rows.append(cells)
        lines.append(line)
    if header is None:
        problems.append(
            Problem(source, None, None, "is empty; it needs a header line naming the columns")
        )
        return None
    return _make_table(
        name, source, header, header_line, rows, lines, problems, decimal_comma=sep == ";"
    )


def _make_table(
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


# ------------------------------------------------------------------- workbooks


def _cell_text(v: object) -> str:
    """An Excel cell value as the text a CSV export would hold."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            return str(v)
        return str(int(v)) if v.is_integer() else repr(v)
    return str(v).strip()


def _unreadable(path: Path, e: BaseException) -> RawCase:
    return RawCase(
        path,
        {},
        path.name,
        {},
        {},
        problems=[
            Problem(
                path.name,
                None,
                None,
                f"is not a readable .xlsx workbook ({type(e).__name__}); "
                "save it from Excel as 'Excel Workbook (.xlsx)'",
            )
        ],
    )


def _has_formulas(path: Path) -> bool:
    """Whether any worksheet holds a formula (then a second read finds those with no saved
    result, which a data-only read shows as empty). Sheets are scanned in chunks."""
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                with z.open(info) as f:
                    tail = b""
                    while chunk := f.read(1 << 20):
                        data = tail + chunk
                        if b"<f>" in data or b"<f " in data:
                            return True
                        tail = data[-2:]
    return False


def _unpacked_size(path: Path) -> int | None:
    """The bytes a workbook unpacks to: the sum of the uncompressed sizes in its zip
    directory (reading a member stops at its declared size). ``None`` when it is not a zip
    (openpyxl then says why it cannot be read)."""
    try:
        with zipfile.ZipFile(path) as z:
            return sum(info.file_size for info in z.infolist())
    except Exception:  # not a zip: openpyxl's own reading below says so
        return None


def _read_workbook(path: Path) -> RawCase:
    size = _unpacked_size(path)
    if size is not None and size > MAX_WORKBOOK_UNPACKED_BYTES:
        return RawCase(
            path,
            {},
            path.name,
            {},
            {},
            problems=[
                Problem(
                    path.name,
                    None,
                    None,
                    f"unpacks to {megabytes(size)}, above the limit of "
                    f"{MAX_WORKBOOK_UNPACKED_BYTES / 2**20:g} MB; a case workbook unpacks to "
                    "a few MB: delete the unused formatted rows and columns of its sheets and "
                    "save it again (or check that this is the right file)",
                )
            ],
        )
    try:
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        wbf = (
            openpyxl.load_workbook(path, read_only=True, data_only=False)
            if _has_formulas(path)
            else None
        )
    except Exception as e:  # openpyxl raises many types (zip, XML, its own) for broken files
        return _unreadable(path, e)
    try:
        return _workbook_case(path, wb, wbf)
    except Exception as e:  # a sheet whose XML is broken fails only when read
        return _unreadable(path, e)
    finally:
        wb.close()
        if wbf is not None:
            wbf.close()


def _workbook_case(path: Path, wb: object, wbf: object | None) -> RawCase:
    problems: list[Problem] = []
    label = path.name
    sheets = {ws.title.strip(): ws for ws in wb.worksheets}  # type: ignore[attr-defined]
    fsheets = (
        {ws.title.strip(): ws for ws in wbf.worksheets}  # type: ignore[attr-defined]
        if wbf is not None
        else {}
    )
    titles = list(sheets)

    def missing(source: str, name: str, what: str) -> None:
        near = [t for t in titles if t.lower() == name]
        hint = f"; found sheet '{near[0]}': rename it {name}" if near else ""
        problems.append(Problem(source, None, None, f"sheet is missing; it holds {what}{hint}"))

    meta: dict[str, object] = {}
    meta_lines: dict[str, int] = {}
    meta_source = f"{label} sheet {CASE_SHEET}"
    if CASE_SHEET not in sheets:
        missing(meta_source, CASE_SHEET, "key, value rows: name, dates, budget")
    else:
        try:
            rows = _sheet_rows(sheets[CASE_SHEET], fsheets.get(CASE_SHEET))
        except HeaderTooWide as e:
            problems.append(e.problem(meta_source))
            rows = []
        if rows and rows[0][1] and rows[0][1][0] not in CASE_KEYS:
            rows = rows[1:]  # the header row (key, value)
        for line, cells in rows:
            key = cells[0] if cells else ""
            value = cells[1] if len(cells) > 1 else ""
            if not key:
                continue
            if key in meta_lines:
                problems.append(
                    Problem(
                        meta_source,
                        line,
                        key,
                        f"appears twice (first on line {meta_lines[key]}); keep one",
                    )
                )
                continue
            meta[key] = value
            meta_lines[key] = line
    tables: dict[str, RawTable] = {}
    for schema in TABLES:
        source = f"{label} sheet {schema.name}"
        if schema.name not in sheets:
            if not schema.optional or any(t.lower() == schema.name for t in titles):
                missing(source, schema.name, schema.purpose)
            continue
        try:
            rows = _sheet_rows(sheets[schema.name], fsheets.get(schema.name))
        except HeaderTooWide as e:
            problems.append(e.problem(source))
            continue
        if not rows:
            problems.append(
                Problem(source, None, None, "is empty; it needs a header row naming the columns")
            )
            continue
        (hline, header), body = rows[0], rows[1:]
        t = _make_table(
            schema.name, source, header, hline, [c for _, c in body], [n for n, _ in body], problems
        )
        if t is not None:
            tables[schema.name] = t
    return RawCase(path, meta, meta_source, meta_lines, tables, {label: path}, problems)


def _sheet_rows(ws: object, formulas: object | None = None) -> list[tuple[int, list[str]]]:
    """Non-empty rows as (spreadsheet line, text cells). A formula with no saved result (the
    workbook was written by a program and never opened in Excel) is shown as its formula.

    The first non-empty row (the header) sets the width of the sheet, whatever dimension the
    sheet declares: formatted empty cells (even one at XFD1048576) are never padded out. A
    later row is cut to that width unless it has a value beyond it; then it keeps its cells
    up to its last value, for the validator to report.
    """
    for sheet in (ws, formulas):
        if sheet is not None:
            sheet.reset_dimensions()  # type: ignore[attr-defined]
    values = ws.iter_rows(values_only=True)  # type: ignore[attr-defined]
    with_f = (
        formulas.iter_rows(values_only=True)  # type: ignore[attr-defined]
        if formulas is not None
        else None
    )
    out: list[tuple[int, list[str]]] = []
    width: int | None = None
    for i, row in enumerate(values, start=1):
        frow = next(with_f, None) if with_f is not None else None
        if _empty_beyond(row, 0) and (frow is None or _empty_beyond(frow, 0)):
            continue  # no cells (a line skipped in the sheet's XML), or formatted ones only
        if (
            width is not None
            and len(row) > width
            and _empty_beyond(row, width)
            and (frow is None or _empty_beyond(frow, width))
        ):
            row = row[:width]  # formatted empty cells only
        cells = [_cell_text(v) for v in row]
        if frow is not None:
            for j, v in enumerate(row):
                f = frow[j] if j < len(frow) else None
                if v is None and isinstance(f, str) and f.startswith("="):
                    cells[j] = f
        while cells and not cells[-1]:
            cells.pop()
        if any(cells):
            out.append((i, cells))
            if width is None:
                width = len(cells)
                if width > MAX_COLUMNS:
                    raise HeaderTooWide(i, width)
    return out


class HeaderTooWide(Exception):
    """A sheet whose header row reaches past :data:`MAX_COLUMNS` (a stray value far right)."""

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


def _empty_beyond(row: Sequence[object], width: int) -> bool:
    """Whether a row holds no value after its first ``width`` cells (counted in C: no copy
    of the 16,384 cells of a row with a formatted cell in column XFD)."""
    if len(row) <= width:
        return True
    return row.count(None) - row[:width].count(None) == len(row) - width


# ------------------------------------------------------------------------ YAML


class YamlMap(dict):  # type: ignore[type-arg]
    """A mapping read from YAML that remembers where it starts (``line``) and the line of
    each of its keys (``lines``)."""

    line: int | None = None
    lines: dict[object, int]


class YamlList(list):  # type: ignore[type-arg]
    """A sequence read from YAML that remembers where it starts and the line of each item."""

    line: int | None = None
    lines: dict[object, int]


class _LineLoader(yaml.SafeLoader):
    """A safe loader that remembers lines, refuses repeated keys and keeps invalid dates as
    text (so that the validator can say which value is wrong, and where)."""


class _ShortRepr(reprlib.Repr):
    """reprlib for YAML containers too (subclasses of dict and list): a value shown in a
    message stays short even when YAML aliases make it huge."""

    def repr1(self, x: object, level: int) -> str:
        if isinstance(x, dict) and type(x) is not dict:
            return self.repr_dict(x, level)
        if isinstance(x, list) and type(x) is not list:
            return self.repr_list(x, level)
        return super().repr1(x, level)


_SHORT = _ShortRepr()


def shown(v: object, limit: int = 80) -> str:
    """A value as a message shows it: containers shortened, long text cut to ``limit``,
    control characters escaped (a trailing newline shows as ``\\n``)."""
    text = _SHORT.repr(v) if isinstance(v, dict | list | tuple | set) else str(v)
    text = escaped(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


_shown = shown


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> YamlMap:
    own = {id(k) for k, _ in node.value if k.tag != "tag:yaml.org,2002:merge"}
    loader.flatten_mapping(node)  # merged keys (<<: *x) come first; own keys override them
    out = YamlMap()
    out.line = node.start_mark.line + 1
    out.lines = {}
    first: dict[object, int] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool | dt.date) and key is not None:
            key = _shown(key)
        line = key_node.start_mark.line + 1
        if id(key_node) in own:
            if key in first:
                loader.duplicates.append((key, line, first[key]))  # type: ignore[attr-defined]
            else:
                first[key] = line
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = line
    return out


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> YamlList:
    out = YamlList(loader.construct_object(n, deep=True) for n in node.value)
    out.line = node.start_mark.line + 1
    out.lines = {i: n.start_mark.line + 1 for i, n in enumerate(node.value)}
    return out


def _construct_timestamp(loader: _LineLoader, node: yaml.ScalarNode) -> object:
    try:
        return loader.construct_yaml_timestamp(node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)  # e.g. 2020-02-30: reported by the validator


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def load_yaml_with_lines(
    text: str, source: str, problems: list[Problem]
) -> tuple[object, dict[str, int]]:
    """Parse YAML safely (data only, never code). Returns the data and ``{key: line}`` of the
    top-level mapping; nested lines are available through :func:`yaml_line`. A key given
    twice in one mapping is a problem."""
    try:
        loader = _LineLoader(text)
    except yaml.reader.ReaderError as e:  # a control character the YAML reader refuses
        line = text[: e.position].count("\n") + 1 if isinstance(e.position, int) else None
        char = e.character if isinstance(e.character, int) else 0
        problems.append(
            Problem(
                source,
                line,
                None,
                f"holds the control character 0x{char:02x}, which YAML does not allow; remove it",
            )
        )
        return None, {}
    except yaml.YAMLError as e:
        problems.append(Problem(source, None, None, f"is not valid YAML: {e}"))
        return None, {}
    loader.duplicates = []  # type: ignore[attr-defined]
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else None
        problems.append(
            Problem(
                source, line, None, f"is not valid YAML: {e.problem or e.context}{_yaml_hint(e)}"
            )
        )
        return None, {}
    except yaml.YAMLError as e:
        problems.append(Problem(source, None, None, f"is not valid YAML: {e}"))
        return None, {}
    except (ValueError, TypeError, OverflowError, RecursionError) as e:
        problems.append(Problem(source, None, None, f"is not valid YAML: {e}"))
        return None, {}
    finally:
        loader.dispose()
    for key, line, first in loader.duplicates:  # type: ignore[attr-defined]
        problems.append(
            Problem(source, line, str(key), f"key appears twice (first on line {first}); keep one")
        )
    top = {str(k): v for k, v in data.lines.items()} if isinstance(data, YamlMap) else {}
    return data, top


def _yaml_hint(e: yaml.MarkedYAMLError) -> str:
    if "'\\t'" in str(e.problem):
        return "; indent with spaces, not tabs"
    return ""


def yaml_line(mapping: object, key: object) -> int | None:
    """The line of ``key`` in a mapping (or of item ``key`` in a list) parsed by
    :func:`load_yaml_with_lines`, if known."""
    lines = getattr(mapping, "lines", None)
    return lines.get(key) if isinstance(lines, dict) else None


def yaml_start(node: object) -> int | None:
    """The line where a mapping or list parsed by :func:`load_yaml_with_lines` starts."""
    return getattr(node, "line", None)


# --------------------------------------------------------------------- writing


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_case_csv(
    folder: str | os.PathLike[str], meta: Mapping[str, object], tables: Mapping[str, pd.DataFrame]
) -> Path:
    """Write a case folder: ``case.yaml`` and one comma-separated UTF-8 CSV per table."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    (out / CASE_FILE).write_text(
        yaml.safe_dump(dict(meta), sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    for name, df in tables.items():
        df.to_csv(out / f"{name}.csv", index=False, lineterminator="\n")
    return out


def write_case_workbook(
    path: str | os.PathLike[str], meta: Mapping[str, object], tables: Mapping[str, pd.DataFrame]
) -> Path:
    """Write a case as one workbook: a ``case`` sheet and one sheet per table, with real
    Excel date, number and boolean cells where the schema says so."""
    import openpyxl

    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = CASE_SHEET
    ws.append(["key", "value"])
    for k, v in meta.items():
        ws.append([k, _typed_cell(v)])
    for name, df in tables.items():
        ws = wb.create_sheet(name)
        schema = TABLES_BY_NAME.get(name)
        kinds = [
            schema.by_name[c].kind if schema and c in schema.by_name else Kind.TEXT
            for c in df.columns
        ]
        ws.append([str(c) for c in df.columns])
        for row in df.itertuples(index=False):
            ws.append([_typed_cell(v, k) for v, k in zip(row, kinds, strict=True)])
        for cell in ws[1]:
            cell.font = openpyxl.styles.Font(bold=True)
        ws.freeze_panes = "A2"
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
    wb.properties.creator = "intervet-plan"
    wb.properties.created = wb.properties.modified = dt.datetime(2019, 12, 19)
    with atomic_file(out) as tmp:
        wb.save(tmp)
    return out


def _typed_cell(v: object, kind: Kind = Kind.TEXT) -> object:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    if isinstance(v, dt.date | int | float | bool) and kind == Kind.TEXT:
        return v
    s = str(v)
    if s == "":
        return None
    try:
        if kind == Kind.DATE:
            return dt.date.fromisoformat(s)
        if kind == Kind.INT:
            return int(s)
        if kind == Kind.NUMBER:
            f = float(s)
            return int(f) if f.is_integer() else f
        if kind == Kind.BOOL:
            return s.lower() in ("true", "yes", "1")
    except ValueError:
        return s
    return s


def read_table_csv(path: Path, problems: list[Problem]) -> RawTable | None:
    """Read one CSV file (``,`` or ``;``, BOM accepted) as text cells; problems are appended."""
    if not Path(path).is_file():
        problems.append(Problem(str(path), None, None, "file not found"))
        return None
    return _read_csv(Path(path), Path(path).stem, Path(path).name, problems)
