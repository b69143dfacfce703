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
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from .errors import Problem
from .schemas import TABLES, TABLES_BY_NAME, Kind

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
    if p.is_file() and p.name == CASE_FILE:
        p = p.parent
    if p.is_dir():
        return _read_folder(p)
    if p.is_file() and p.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_workbook(p)
    label = str(path)
    if not p.exists():
        msg = "no such folder or file; give a case folder (case.yaml and CSV tables) or an .xlsx workbook"
    else:
        msg = "is neither a case folder nor an .xlsx workbook"
    return RawCase(p, {}, label, {}, {}, problems=[Problem(label, None, None, msg)])


def _read_folder(folder: Path) -> RawCase:
    problems: list[Problem] = []
    files: dict[str, Path] = {}
    meta, meta_lines = _read_case_yaml(folder / CASE_FILE, problems)
    if (folder / CASE_FILE).is_file():
        files[CASE_FILE] = folder / CASE_FILE
    tables: dict[str, RawTable] = {}
    for schema in TABLES:
        f = folder / schema.file_name
        if not f.exists():
            if not schema.optional:
                problems.append(
                    Problem(schema.file_name, None, None,
                            f"file is missing from {folder}; it holds the {schema.purpose}")
                )
            continue
        files[schema.file_name] = f
        table = _read_csv(f, schema.name, schema.file_name, problems)
        if table is not None:
            tables[schema.name] = table
    return RawCase(folder, meta, CASE_FILE, meta_lines, tables, files, problems)


def _read_case_yaml(f: Path, problems: list[Problem]) -> tuple[dict[str, object], dict[str, int]]:
    if not f.is_file():
        problems.append(Problem(CASE_FILE, None, None,
                                f"file is missing from {f.parent}; it gives name, dates and budget"))
        return {}, {}
    text = _decode(f.read_bytes(), CASE_FILE, problems)
    if text is None:
        return {}, {}
    data, lines = load_yaml_with_lines(text, CASE_FILE, problems)
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        problems.append(Problem(CASE_FILE, 1, None, "must be a mapping of key: value lines"))
        return {}, {}
    return data, lines


def _decode(data: bytes, source: str, problems: list[Problem]) -> str | None:
    if b"\x00" in data[:65536]:
        problems.append(Problem(source, None, None,
                                "is not a text file (it holds binary data); save it as CSV UTF-8"))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        problems.append(Problem(source, line, None,
                                f"is not UTF-8 text (byte 0x{data[e.start]:02x}); "
                                "save it as 'CSV UTF-8' and try again"))
        return None
    return text


def detect_separator(header_line: str) -> str:
    """``;`` when the header uses more semicolons than commas (European Excel), else ``,``."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _read_csv(f: Path, name: str, source: str, problems: list[Problem]) -> RawTable | None:
    try:
        data = f.read_bytes()
    except OSError as e:
        problems.append(Problem(source, None, None, f"cannot be read: {e.strerror}"))
        return None
    text = _decode(data, source, problems)
    if text is None:
        return None
    if not text.strip():
        problems.append(Problem(source, None, None,
                                "is empty; it needs a header line naming the columns"))
        return None
    first = next(line for line in text.splitlines() if line.strip())
    sep = detect_separator(first)
    reader = csv.reader(_io.StringIO(text, newline=""), delimiter=sep)
    header: list[str] | None = None
    header_line = 1
    rows: list[list[str]] = []
    lines: list[int] = []
    line = 0
    try:
        # A spreadsheet shows one row per record (a quoted cell may hold a line break).
        for line, cells in enumerate(reader, start=1):
            cells = [c.strip() for c in cells]
            if not any(cells):
                continue
            if header is None:
                header, header_line = cells, line
                continue
            rows.append(cells)
            lines.append(line)
    except csv.Error as e:
        problems.append(Problem(source, line + 1, None, f"is not valid CSV: {e}"))
        return None
    if header is None:
        problems.append(Problem(source, None, None,
                                "is empty; it needs a header line naming the columns"))
        return None
    return _make_table(name, source, header, header_line, rows, lines, problems)


def _make_table(name: str, source: str, header: list[str], header_line: int,
                rows: list[list[str]], lines: list[int],
                problems: list[Problem]) -> RawTable | None:
    """Check the header and square up the rows (missing trailing cells are empty)."""
    names: list[str] = []
    seen: set[str] = set()
    for i, h in enumerate(header):
        h = h.strip().lstrip("\ufeff")
        if not h:
            h = f"unnamed_{i + 1}"
        if h in seen:
            problems.append(Problem(source, header_line, h,
                                    "column appears twice in the header; keep one"))
        seen.add(h)
        names.append(h)
    width = len(names)
    squared: list[list[str]] = []
    for cells, line in zip(rows, lines, strict=True):
        if len(cells) > width and any(cells[width:]):
            problems.append(Problem(source, line, None,
                                    f"has {len(cells)} values but the header names {width} columns"))
        squared.append((cells + [""] * width)[:width])
    return RawTable(name, source, names, squared, lines)


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
        return str(int(v)) if v.is_integer() else repr(v)
    return str(v).strip()


def _read_workbook(path: Path) -> RawCase:
    problems: list[Problem] = []
    label = path.name
    try:
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as e:
        kind = type(e).__name__
        return RawCase(path, {}, label, {}, {}, problems=[
            Problem(label, None, None, f"is not a readable .xlsx workbook ({kind}); "
                    "save it from Excel as 'Excel Workbook (.xlsx)'")])
    except Exception as e:  # openpyxl raises its own exception types for broken packages
        return RawCase(path, {}, label, {}, {}, problems=[
            Problem(label, None, None, f"is not a readable .xlsx workbook ({type(e).__name__}); "
                    "save it from Excel as 'Excel Workbook (.xlsx)'")])
    try:
        sheets = {ws.title.strip(): ws for ws in wb.worksheets}
        meta: dict[str, object] = {}
        meta_lines: dict[str, int] = {}
        meta_source = f"{label} sheet {CASE_SHEET}"
        if CASE_SHEET not in sheets:
            problems.append(Problem(meta_source, None, None,
                                    "sheet is missing; it holds key, value rows: name, dates, budget"))
        else:
            rows = _sheet_rows(sheets[CASE_SHEET])
            for line, cells in rows[1:] if rows else []:
                key = cells[0] if cells else ""
                value = cells[1] if len(cells) > 1 else ""
                if key:
                    meta[key] = value
                    meta_lines[key] = line
        tables: dict[str, RawTable] = {}
        for schema in TABLES:
            source = f"{label} sheet {schema.name}"
            if schema.name not in sheets:
                if not schema.optional:
                    problems.append(Problem(source, None, None,
                                            f"sheet is missing; it holds the {schema.purpose}"))
                continue
            rows = _sheet_rows(sheets[schema.name])
            if not rows:
                problems.append(Problem(source, None, None,
                                        "is empty; it needs a header row naming the columns"))
                continue
            (hline, header), body = rows[0], rows[1:]
            t = _make_table(schema.name, source, header, hline,
                            [c for _, c in body], [n for n, _ in body], problems)
            if t is not None:
                tables[schema.name] = t
    finally:
        wb.close()
    return RawCase(path, meta, meta_source, meta_lines, tables, {label: path}, problems)


def _sheet_rows(ws: object) -> list[tuple[int, list[str]]]:
    out: list[tuple[int, list[str]]] = []
    for i, row in enumerate(ws.iter_rows(values_only=True), start=1):  # type: ignore[attr-defined]
        cells = [_cell_text(v) for v in row]
        while cells and not cells[-1]:
            cells.pop()
        if any(cells):
            out.append((i, cells))
    return out


# ------------------------------------------------------------------------ YAML


class _LineLoader(yaml.SafeLoader):
    """A safe loader that remembers the line of every mapping key."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[object, object]:
    loader.flatten_mapping(node)
    out: dict[object, object] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool | dt.date) and key is not None:
            key = str(key)
        out[key] = loader.construct_object(value_node, deep=True)
        loader.key_lines[id(out), key] = key_node.start_mark.line + 1  # type: ignore[attr-defined]
    return out


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml_with_lines(text: str, source: str,
                         problems: list[Problem]) -> tuple[object, dict[str, int]]:
    """Parse YAML safely (data only, never code). Returns the data and ``{key: line}`` of the
    top-level mapping; nested lines are available through :func:`yaml_line`."""
    loader = _LineLoader(text)
    loader.key_lines = {}  # type: ignore[attr-defined]
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark
        line = mark.line + 1 if mark is not None else None
        problems.append(Problem(source, line, None, f"is not valid YAML: {e.problem}"))
        return None, {}
    except yaml.YAMLError as e:
        problems.append(Problem(source, None, None, f"is not valid YAML: {e}"))
        return None, {}
    finally:
        loader.dispose()
    all_lines: dict[tuple[int, object], int] = loader.key_lines  # type: ignore[attr-defined]
    _YAML_LINES.update(all_lines)
    top = {str(k): v for (i, k), v in all_lines.items() if isinstance(data, dict) and i == id(data)}
    return data, top


_YAML_LINES: dict[tuple[int, object], int] = {}


def yaml_line(mapping: object, key: object) -> int | None:
    """The line of ``key`` in a mapping parsed by :func:`load_yaml_with_lines`, if known."""
    return _YAML_LINES.get((id(mapping), key))


# --------------------------------------------------------------------- writing


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_case_csv(folder: str | os.PathLike[str], meta: Mapping[str, object],
                   tables: Mapping[str, pd.DataFrame]) -> Path:
    """Write a case folder: ``case.yaml`` and one comma-separated UTF-8 CSV per table."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    (out / CASE_FILE).write_text(
        yaml.safe_dump(dict(meta), sort_keys=False, allow_unicode=True), encoding="utf-8")
    for name, df in tables.items():
        df.to_csv(out / f"{name}.csv", index=False, lineterminator="\n")
    return out


def write_case_workbook(path: str | os.PathLike[str], meta: Mapping[str, object],
                        tables: Mapping[str, pd.DataFrame]) -> Path:
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
        kinds = [schema.by_name[c].kind if schema and c in schema.by_name else Kind.TEXT
                 for c in df.columns]
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


@contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place only if the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_folder(target: Path, force: bool = False) -> Iterator[Path]:
    """Yield an empty staging folder; on success it becomes ``target``.

    An existing ``target`` is moved aside to ``<target>.prev-<YYYYmmdd-HHMMSS>`` (or removed
    with ``force``) only after the new result is complete. On failure the staging folder is
    removed and ``target`` is untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-", dir=target.parent))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if target.exists():
        if force:
            shutil.rmtree(target)
        else:
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            aside = target.with_name(f"{target.name}.prev-{stamp}")
            n = 1
            while aside.exists():
                n += 1
                aside = target.with_name(f"{target.name}.prev-{stamp}-{n}")
            target.rename(aside)
    staging.rename(target)


def read_table_csv(path: Path, problems: list[Problem]) -> RawTable | None:
    """Read one CSV file (``,`` or ``;``, BOM accepted) as text cells; problems are appended."""
    if not Path(path).is_file():
        problems.append(Problem(str(path), None, None, "file not found"))
        return None
    return _read_csv(Path(path), Path(path).stem, Path(path).name, problems)
