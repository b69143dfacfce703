"""Writing a case: a folder of ``case.yaml`` and CSV tables, or one workbook."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import yaml

from intervet_plan.inputs.raw import CASE_FILE, CASE_SHEET
from intervet_plan.inputs.schemas import TABLES_BY_NAME, Kind
from intervet_plan.outputs.folder import atomic_file


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
