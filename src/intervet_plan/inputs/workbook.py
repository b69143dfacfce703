"""Reading a case workbook (.xlsx): a ``case`` sheet of key, value rows and one sheet per
table, cells turned into the text a CSV export would hold.

Reading never raises on bad content: every problem becomes a :class:`Problem`.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Sequence
from pathlib import Path

from intervet_plan.errors import Problem
from intervet_plan.inputs.limits import MAX_COLUMNS, MAX_WORKBOOK_UNPACKED_BYTES, megabytes
from intervet_plan.inputs.raw import CASE_SHEET, HeaderTooWide, RawCase, RawTable, make_table
from intervet_plan.inputs.schemas import CASE_KEYS, TABLES


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


def read_workbook(path: Path) -> RawCase:
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
        t = make_table(
            schema.name,
            source,
            header,
            hline,
            [c for _, c in body],
            [n for n, _ in body],
            problems,
            sheet=True,
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


def _empty_beyond(row: Sequence[object], width: int) -> bool:
    """Whether a row holds no value after its first ``width`` cells (counted in C: no copy
    of the 16,384 cells of a row with a formatted cell in column XFD)."""
    if len(row) <= width:
        return True
    return row.count(None) - row[:width].count(None) == len(row) - width
