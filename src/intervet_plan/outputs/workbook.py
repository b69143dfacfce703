"""``allocation.xlsx`` of a run (SPEC 5): sheets allocation, unplaced, kpis, targets, costs,
cancelled for a re-plan (SPEC 7), then partners and hosts (the report's tables, with ids);
money as EUR, dates as dates, text never a formula."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd

from intervet_plan.domain.replan import CANCELLED_COLUMNS
from intervet_plan.outputs.folder import atomic_file
from intervet_plan.outputs.host_views import host_table
from intervet_plan.outputs.partner_views import partner_table
from intervet_plan.outputs.run_folder import RunFolder
from intervet_plan.outputs.views import cost_table, kpi_table
from intervet_plan.solve.tables import ALLOCATION_COLUMNS, MONEY_COLUMNS, UNPLACED_COLUMNS

MONEY_FORMAT = '#,##0.00 "EUR"'
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.0%"


def write_workbook(out_dir: str | Path, results: RunFolder) -> Path:
    """Write ``allocation.xlsx`` (sheets allocation, unplaced, kpis, targets, costs, then
    cancelled when the run is a re-plan: cancelled.csv's rows, then partners and hosts: the
    report's tables with each organisation's id) into ``out_dir``: header
    frozen, widths set, money as ``#,##0.00 "EUR"``, dates as dates, every text cell stored
    as text (``=SUM(A1)`` is never a formula)."""
    import openpyxl
    from openpyxl.styles import Font

    out = Path(out_dir) / "allocation.xlsx"
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    alloc = results["allocation"]
    sheets = {
        "allocation": alloc[[c for c in ALLOCATION_COLUMNS if c in alloc]],
        "unplaced": results["unplaced"][UNPLACED_COLUMNS],
        "kpis": kpi_table(results),
        "targets": results["targets"],
        "costs": cost_table(results),
    }
    if results.get("replan") is not None:  # a re-plan (a partial RunFolder may lack it)
        cancelled = results["cancelled"]
        sheets["cancelled"] = cancelled[[c for c in CANCELLED_COLUMNS if c in cancelled]]
    sheets["partners"] = partner_table(results, ids=True)
    sheets["hosts"] = host_table(results, ids=True)
    for name, df in sheets.items():
        ws = wb.create_sheet(name)
        header = [str(c) for c in df.columns]
        widths = [len(h) for h in header]
        for j, h in enumerate(header, start=1):
            cell = ws.cell(row=1, column=j)
            _set_text(cell, h)
            cell.font = Font(bold=True)
        money = [c in MONEY_COLUMNS or c.endswith("(EUR)") for c in header]
        eur_rows = set(df.index[df["unit"] == "EUR"]) if name == "kpis" else set()
        share_rows = set(df.index[df["kind"] == "share"]) if name == "targets" else set()
        for i, row in enumerate(df.itertuples(index=False), start=2):
            for j, v in enumerate(row, start=1):
                cell = ws.cell(row=i, column=j)
                shown = _set_value(cell, v)
                if money[j - 1] or (i - 2 in eur_rows and header[j - 1] in ("value", "of")):
                    if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                        cell.number_format = MONEY_FORMAT
                        shown = f"{cell.value:,.2f} EUR"
                elif isinstance(cell.value, int | float) and (
                    header[j - 1] in ("share", "attainment", "peak / max")
                    or (i - 2 in share_rows and header[j - 1] in ("min", "max", "achieved"))
                ):
                    cell.number_format = PERCENT_FORMAT
                widths[j - 1] = max(widths[j - 1], len(shown))
        for j, w in enumerate(widths, start=1):
            ws.column_dimensions[openpyxl.utils.get_column_letter(j)].width = min(w + 2, 80)
        ws.freeze_panes = "A2"
        if len(df):
            ws.auto_filter.ref = ws.dimensions
    wb.properties.creator = "intervet-plan"
    with atomic_file(out) as tmp:
        wb.save(tmp)
    return out


def _set_text(cell: object, text: str) -> None:
    cell.value = text  # type: ignore[attr-defined]
    cell.data_type = "s"  # type: ignore[attr-defined]  # never a formula, whatever it starts with
    if text[:1] in ("=", "+", "-", "@"):
        cell.quotePrefix = True  # type: ignore[attr-defined]  # Excel keeps it text when edited


def _set_value(cell: object, v: object) -> str:
    """Write one value with its Excel type; return its shown text (for the column width)."""
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, pd.Timestamp | dt.datetime):
        cell.value = pd.Timestamp(v).date()  # type: ignore[attr-defined]
        cell.number_format = DATE_FORMAT  # type: ignore[attr-defined]
        return "yyyy-mm-dd"
    if isinstance(v, dt.date):
        cell.value = v  # type: ignore[attr-defined]
        cell.number_format = DATE_FORMAT  # type: ignore[attr-defined]
        return "yyyy-mm-dd"
    if hasattr(v, "item") and not isinstance(v, str):  # numpy scalars
        v = v.item()
    if isinstance(v, bool | int | float):
        cell.value = v  # type: ignore[attr-defined]
        return f"{v:,.2f}" if isinstance(v, float) else str(v)
    text = str(v)
    if text:
        _set_text(cell, text)
    return text
