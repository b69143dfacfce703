"""Reading a case: a folder (``case.yaml`` and one CSV per table) or a workbook, dispatched
by :func:`read_case` into a :class:`RawCase` of text tables.

Reading never raises on bad content: every problem becomes a :class:`Problem` so that the
validator can report them all at once.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from intervet_plan.errors import Problem
from intervet_plan.inputs.csvfile import decode_text, read_csv_table
from intervet_plan.inputs.raw import CASE_FILE, RawCase, RawTable, reason
from intervet_plan.inputs.schemas import TABLES, TableSchema
from intervet_plan.inputs.workbook import read_workbook
from intervet_plan.inputs.yamlfile import load_yaml_with_lines


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
            return read_workbook(p)
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
                    f"cannot be opened ({reason(e)}); give a case folder "
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
        table = read_csv_table(f, schema.name, schema.file_name, problems)
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
        problems.append(Problem(CASE_FILE, None, None, f"cannot be read: {reason(e)}"))
        return {}, {}
    text = decode_text(data, CASE_FILE, problems, save_as="UTF-8 text")
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


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes, as hex (read in 1 MB chunks)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
