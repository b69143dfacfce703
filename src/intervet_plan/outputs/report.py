"""Reports of a run: read its output files back into tables, write the Excel workbook, and
execute the notebook template with papermill, then export it to HTML with nbconvert.

Parameters reach a notebook as Python literals only (paths, numbers, flags): the notebook
reads the data files itself through this module, so no scenario content is ever turned into
code.

>>> from intervet_plan.outputs import report
>>> report.check_parameters({"output_dir": "."}, {"scenario_path", "output_dir"})
>>> report.check_parameters({"code": "x"}, {"output_dir"})
Traceback (most recent call last):
...
intervet_plan.errors.InputError: 1 problem found in the report parameters:
  code: is not a parameter of the template; it takes output_dir
"""

from __future__ import annotations

import ast
import copy
import datetime as dt
import json
import logging
import math
import os
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from intervet_plan.errors import InputError, IntervetError, Problem, environment_failure
from intervet_plan.solve.tables import ALLOCATION_COLUMNS, MONEY_COLUMNS, UNPLACED_COLUMNS

REPORT_KERNEL = "intervet-plan"
EXECUTION_TIMEOUT_S = 600  # per cell
TEMPLATE = Path(__file__).resolve().parents[3] / "notebooks" / "allocation_report.ipynb"
MONEY_FORMAT = '#,##0.00 "EUR"'
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.0%"
TARGET_COLUMNS = ["name", "kind", "min", "max", "achieved", "shortfall", "hard", "met"]


# ------------------------------------------------------------------------------ reading


def load_results(out_dir: str | Path, scenario_path: str | Path | None = None) -> dict:
    """The outputs of a run as tables: ``allocation`` and ``unplaced`` (DataFrames, dates
    parsed, ids as text; empty with their columns when the run had no plan), ``summary`` and
    ``diagnosis`` (dicts; ``None`` when feasible) and ``targets`` (a DataFrame).

    With ``scenario_path`` the case is read too (through the package): ``organisations``
    (with each one's region), ``activities``, ``offers``, and each target's kind
    (``share`` or ``count``)."""
    out = Path(out_dir)
    summary_file = out / "summary.json"
    if not summary_file.is_file():
        raise IntervetError(
            f"{summary_file} not found: {out} is not the output folder of a run; run "
            "'intervet-plan run SCENARIO --out FOLDER' first"
        )
    summary = json.loads(summary_file.read_text(encoding="utf-8"))
    diag_file = out / "diagnosis.json"
    res: dict = {
        "out_dir": out,
        "summary": summary,
        "diagnosis": json.loads(diag_file.read_text(encoding="utf-8"))
        if diag_file.is_file()
        else None,
        "allocation": _read_allocation(out / "allocation.csv"),
        "unplaced": _read_unplaced(out / "unplaced.csv"),
        "organisations": None,
        "activities": None,
        "offers": None,
    }
    kinds: dict[str, str] = {}
    if scenario_path:
        from intervet_plan.domain.context import load_context

        ctx = load_context(scenario_path)
        res["organisations"] = ctx.case.organisations.reset_index()
        res["activities"] = ctx.case.activities.reset_index()
        res["offers"] = ctx.case.offers.reset_index()
        kinds = {t.name: t.kind for t in ctx.targets}
    res["targets"] = _targets(summary, kinds)
    return res


def empty_allocation() -> pd.DataFrame:
    """An allocation table with no rows (a run with no plan), typed as when read."""
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in ALLOCATION_COLUMNS})
    for c in ("start_date", "end_date"):
        empty[c] = pd.to_datetime(empty[c])
    for c in ("distance_km", *MONEY_COLUMNS):
        empty[c] = empty[c].astype(float)
    empty["fewer_opportunities"] = empty["fewer_opportunities"].astype(bool)
    empty["preference_rank"] = empty["preference_rank"].astype("Int64")
    return empty


def _read_allocation(path: Path) -> pd.DataFrame:
    if not path.is_file():
        return empty_allocation()
    a = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    for c in ("start_date", "end_date"):
        a[c] = pd.to_datetime(a[c], format="%Y-%m-%d")
    for c in ("distance_km", *MONEY_COLUMNS):
        a[c] = pd.to_numeric(a[c]).astype(float)
    a["fewer_opportunities"] = a["fewer_opportunities"].str.lower().eq("true")
    a["preference_rank"] = pd.to_numeric(a["preference_rank"].replace("", None)).astype("Int64")
    return a


def _read_unplaced(path: Path) -> pd.DataFrame:
    if not path.is_file():
        return pd.DataFrame({c: pd.Series(dtype=object) for c in UNPLACED_COLUMNS})
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def _targets(summary: dict, kinds: dict[str, str]) -> pd.DataFrame:
    rows = []
    for t in summary.get("targets", []):
        kind = kinds.get(t["name"])
        if kind is None:
            bounded = [v for v in (t.get("min"), t.get("max"), t.get("achieved")) if v is not None]
            kind = "share" if all(float(v) <= 1 for v in bounded) else "count"
        achieved = t.get("achieved")
        rows.append(
            {
                "name": t["name"],
                "kind": kind,
                "min": t.get("min"),
                "max": t.get("max"),
                "achieved": achieved,
                "shortfall": float(t.get("shortfall") or 0.0),
                "hard": bool(t.get("hard")),
                # unknown (None) without a value: no plan, or nobody in the target's scope
                "met": None if achieved is None else float(t.get("shortfall") or 0.0) <= 1e-9,
            }
        )
    return pd.DataFrame(rows, columns=TARGET_COLUMNS, dtype=object)


# ------------------------------------------------------------------------------- tables


def quota_table(res: dict) -> pd.DataFrame:
    """Per activity: placed, quota, quota_min and placed / quota."""
    s = res["summary"]
    rows = [
        {
            "activity_id": a,
            "placed": int(s.get("placed", {}).get(a, 0)),
            "quota": int(q),
            "quota_min": int(s.get("quota_min", {}).get(a, 0)),
        }
        for a, q in sorted(s.get("quota", {}).items())
    ]
    t = pd.DataFrame(rows, columns=["activity_id", "placed", "quota", "quota_min"])
    t["attainment"] = (t["placed"] / t["quota"].where(t["quota"] > 0)).astype(float)
    return t


def cost_table(res: dict) -> pd.DataFrame:
    """Cost per activity by cost type (EUR), then rows ``total``, ``budget`` and
    ``remaining``."""
    a = res["allocation"]
    cols = list(MONEY_COLUMNS)
    by = a.groupby("activity_id")[cols].sum() if len(a) else pd.DataFrame(columns=cols)
    by.insert(0, "placements", a.groupby("activity_id").size() if len(a) else [])
    acts = sorted(res["summary"].get("quota", {}) or by.index)
    by = by.reindex(acts, fill_value=0.0)
    by["placements"] = by["placements"].astype(int)
    by.index.name = "activity_id"
    by = by.reset_index()
    total = {"activity_id": "total", "placements": int(len(a))}
    total.update({c: float(a[c].sum()) if len(a) else 0.0 for c in cols})
    budget = float(res["summary"].get("cost_eur", {}).get("budget") or 0.0)
    extra = pd.DataFrame(
        [
            total,
            {"activity_id": "budget", "total_eur": budget},
            {"activity_id": "remaining", "total_eur": budget - total["total_eur"]},
        ]
    )
    return pd.concat([by, extra], ignore_index=True)[["activity_id", "placements", *cols]]


def kpi_table(res: dict) -> pd.DataFrame:
    """The headline figures: status, placements vs plan, money vs budget, targets met,
    unplaced applicants. Columns figure, value, of (plan or limit), share, unit."""
    s = res["summary"]
    placed = sum(s.get("placed", {}).values())
    planned = sum(s.get("quota", {}).values())
    cost = s.get("cost_eur", {})
    spent, budget = float(cost.get("total") or 0.0), float(cost.get("budget") or 0.0)
    t = res["targets"]
    met = sum(m is True for m in t["met"])
    hard_missed = sum(m is False and bool(h) for m, h in zip(t["met"], t["hard"], strict=True))
    gap = s.get("solver", {}).get("gap")
    rows = [
        ("status", s.get("status"), None, None, ""),
        ("placements", placed, planned, placed / planned if planned else None, "placements"),
        ("cost", spent, budget, spent / budget if budget else None, "EUR"),
        ("targets met", met, len(t), met / len(t) if len(t) else None, "targets"),
        (
            "hard targets missed",
            hard_missed,
            int(t["hard"].sum()) if len(t) else 0,
            None,
            "targets",
        ),
        ("applicants left out", len(res["unplaced"]), None, None, "applicants"),
        ("optimality gap", gap, None, None, "relative"),
    ]
    return pd.DataFrame(rows, columns=["figure", "value", "of", "share", "unit"], dtype=object)


def headline_table(res: dict) -> pd.DataFrame:
    """The headline figures as display text: figure, value, plan or limit, share."""
    rows = []
    for r in kpi_table(res).itertuples(index=False):
        if r.unit == "EUR":
            value, of = f"EUR {r.value:,.2f}", f"EUR {r.of:,.2f}"
        elif r.figure == "optimality gap":
            value, of = ("" if r.value is None else f"{r.value:.4%}"), ""
        else:
            value = (
                ""
                if r.value is None
                else (f"{r.value:,}" if isinstance(r.value, int) else str(r.value))
            )
            of = "" if r.of is None or pd.isna(r.of) else f"{int(r.of):,}"
        share = "" if r.share is None or pd.isna(r.share) else f"{r.share:.1%}"
        rows.append((r.figure, value, of, share))
    return pd.DataFrame(rows, columns=["figure", "value", "planned / limit", "share"])


def target_display(res: dict) -> pd.DataFrame:
    """Targets as display text: shares in percent, counts as numbers, shortfall in persons."""
    rows = []
    for r in res["targets"].itertuples(index=False):

        def show(v: object, kind: str = r.kind) -> str:
            if v is None or pd.isna(v):
                return ""
            return f"{float(v):.1%}" if kind == "share" else f"{float(v):g}"

        rows.append(
            (
                r.name,
                r.kind,
                show(r.min),
                show(r.max),
                show(r.achieved) or "n/a",
                f"{r.shortfall:g}",
                "hard" if r.hard else "soft",
                "n/a" if r.met is None else ("yes" if r.met else "no"),
            )
        )
    return pd.DataFrame(
        rows,
        columns=[
            "target",
            "kind",
            "min",
            "max",
            "achieved",
            "shortfall (persons)",
            "hard/soft",
            "met",
        ],
    )


def unplaced_table(res: dict) -> pd.DataFrame:
    """Applicants left out: activity applied for x reason (an applicant who applied for two
    activities counts under each)."""
    u = res["unplaced"]
    if u.empty:
        return pd.DataFrame(
            columns=["activity_id", "no_eligible_offer", "capacity", "not_selected", "total"]
        )
    e = u.assign(activity_id=u["activities"].str.split(";")).explode("activity_id")
    t = pd.crosstab(e["activity_id"], e["reason"])
    for r in ("no_eligible_offer", "capacity", "not_selected"):
        if r not in t:
            t[r] = 0
    t = t[["no_eligible_offer", "capacity", "not_selected"]]
    t["total"] = t.sum(axis=1)
    return t.reset_index().rename_axis(columns=None)


def capacity_table(res: dict) -> pd.DataFrame | None:
    """For an infeasible run: each quota minimum's capacity bottleneck (from diagnosis.json);
    ``None`` when there is none."""
    d = res.get("diagnosis") or {}
    rows = d.get("capacity") or []
    return pd.DataFrame(rows) if rows else None


def level_table(res: dict) -> pd.DataFrame:
    """Each objective level the solver ran: status, the plan's value, gap and time."""
    rows = res["summary"].get("levels", [])
    return pd.DataFrame(rows, columns=["level", "status", "value", "gap", "time_s"])


def timing_table(res: dict) -> pd.DataFrame:
    """Seconds per step of the run (the report's own time is recorded in summary.json once
    the report is written, so a report does not show it)."""
    t = {k: v for k, v in res["summary"].get("timings_s", {}).items() if k != "report" or v}
    return pd.DataFrame({"step": list(t), "seconds": list(t.values())})


def checksum_table(res: dict) -> pd.DataFrame:
    i = res["summary"].get("inputs_sha256", {})
    return pd.DataFrame({"input": list(i), "sha256": list(i.values())})


def solver_table(res: dict) -> pd.DataFrame:
    s = res["summary"]
    v = s.get("solver", {})
    rows = [
        ("scenario", s.get("scenario")),
        ("case", s.get("case")),
        ("status", s.get("status")),
        ("solver", f"{v.get('name')} {v.get('version')}"),
        ("gap", v.get("gap")),
        ("solve time (s)", v.get("time_s")),
        ("seed", v.get("seed")),
        ("intervet-plan version", s.get("version")),
    ]
    return pd.DataFrame(rows, columns=["item", "value"])


# ------------------------------------------------------------------------- notebook display


def show(obj: object, **formats: str) -> None:
    """Display a figure (as an embedded PNG), a table (HTML, no index; ``formats`` maps a
    column to a format string such as ``"{:,.2f}"``) or markdown text in a notebook."""
    from IPython.display import HTML, Markdown, display
    from matplotlib.figure import Figure

    if obj is None:
        return
    if isinstance(obj, Figure):
        display(HTML(figure_html(obj)))
    elif isinstance(obj, pd.DataFrame):
        display(HTML(format_table(obj, **formats)) if len(obj) else Markdown("*none*"))
    else:
        display(Markdown(str(obj)))


def figure_html(fig: object) -> str:
    """A figure as an ``<img>`` holding its PNG as base64, with its title as alt text (so
    the HTML report works when mailed and reads in a screen reader)."""
    import base64
    import html

    from intervet_plan.outputs.plots import to_png

    sup = getattr(fig, "_suptitle", None)
    titles = [sup.get_text() if sup is not None else ""]
    titles += [ax.get_title(loc) for ax in fig.axes for loc in ("left", "center")]  # type: ignore[attr-defined]
    alt = next((t for t in titles if t), "figure")
    data = base64.b64encode(to_png(fig)).decode("ascii")  # type: ignore[arg-type]
    return (
        f'<img alt="{html.escape(alt)}" style="max-width: 100%; height: auto" '
        f'src="data:image/png;base64,{data}">'
    )


def format_table(df: pd.DataFrame, **formats: str) -> str:
    """A table as HTML: money (``*_eur``) to the cent with thousands separators, other
    numbers plainly, missing values blank; text escaped."""
    out = df.copy()
    for c in out.columns:
        fmt = formats.get(c)
        if fmt is None and str(c).endswith("_eur"):
            fmt = "{:,.2f}"
        col = out[c]
        out[c] = [_fmt(v, fmt) for v in col]
    return out.to_html(index=False, escape=True, na_rep="", border=0, classes="dataframe")


def _fmt(v: object, fmt: str | None) -> str:
    if hasattr(v, "item") and not isinstance(v, str):  # numpy scalars
        v = v.item()  # type: ignore[union-attr]
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if fmt is not None and isinstance(v, int | float):
        return fmt.format(v)
    if isinstance(v, float):
        return f"{v:,.6g}" if abs(v) < 1e6 else f"{v:,.2f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def headline(res: dict) -> str:
    """One markdown paragraph with the run's verdict."""
    s = res["summary"]
    k = kpi_table(res).set_index("figure")
    placed, planned = k.at["placements", "value"], k.at["placements", "of"]
    spent, budget = k.at["cost", "value"], k.at["cost", "of"]
    text = (
        f"**Scenario {_md_escape(s.get('scenario'))}** on case {_md_escape(s.get('case'))}: "
        f"status **{_md_escape(s.get('status'))}**. "
    )
    if s.get("status") == "infeasible":
        text += (
            "The hard constraints cannot all hold, so there is no plan: see *Why the "
            "scenario is infeasible* below for the smallest relaxation."
        )
    else:
        text += (
            f"{placed:,} of {planned:,} planned mobilities placed; EUR {spent:,.2f} of a "
            f"budget of EUR {budget:,.2f}"
            + (f" ({spent / budget:.1%})" if budget else "")
            + f"; {k.at['targets met', 'value']} of {k.at['targets met', 'of']} targets met."
        )
    return text


def title(res: dict) -> str:
    """The report's title as markdown."""
    s = res["summary"]
    return f"# Allocation report: {_md_escape(s.get('scenario'))}"


def diagnosis_text(res: dict) -> str:
    d = res.get("diagnosis")
    if not d:
        return "The hard constraints all hold: no diagnosis was needed."
    lines = [
        "The hard constraints cannot all hold. The smallest relaxation that would allow a plan:",
        "",
    ]
    lines += [f"- {_md_escape(x)}" for x in d.get("summary", [])]
    return "\n".join(lines)


def _md_escape(text: str) -> str:
    """Text shown as markdown literally (no links, emphasis or HTML)."""
    out = []
    for ch in str(text):
        out.append("\\" + ch if ch in "\\`*_{}[]()#+!<>|" else ch)
    return "".join(out)


# ------------------------------------------------------------------------------ workbook


def write_workbook(out_dir: str | Path, results: dict) -> Path:
    """Write ``allocation.xlsx`` (sheets allocation, unplaced, kpis, targets, costs) into
    ``out_dir``: header frozen, widths set, money as ``#,##0.00 "EUR"``, dates as dates,
    every text cell stored as text (``=SUM(A1)`` is never a formula)."""
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
    for name, df in sheets.items():
        ws = wb.create_sheet(name)
        header = [str(c) for c in df.columns]
        widths = [len(h) for h in header]
        for j, h in enumerate(header, start=1):
            cell = ws.cell(row=1, column=j)
            _set_text(cell, h)
            cell.font = Font(bold=True)
        money = [c in MONEY_COLUMNS for c in header]
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
                    header[j - 1] in ("share", "attainment")
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
    _replace(out, lambda tmp: wb.save(tmp))
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
        v = v.item()  # type: ignore[union-attr]
    if isinstance(v, bool | int | float):
        cell.value = v  # type: ignore[attr-defined]
        return f"{v:,.2f}" if isinstance(v, float) else str(v)
    text = str(v)
    if text:
        _set_text(cell, text)
    return text


def _replace(path: Path, write: Callable[[Path], object]) -> None:
    """Write through a temporary file beside ``path`` (created with the usual permissions),
    then move it into place: a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# ------------------------------------------------------------------------------ notebook


def parameter_names(template: Path) -> set[str]:
    """The names assigned in the template's cell tagged ``parameters``."""
    import nbformat

    nb = nbformat.read(str(template), as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise IntervetError(
            f"{template} has {len(cells)} cells tagged 'parameters'; a report template needs "
            "exactly one"
        )
    names: set[str] = set()
    for node in ast.parse(cells[0].source).body:
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else ([node.target] if isinstance(node, ast.AnnAssign) else [])
        )
        names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def check_parameters(parameters: dict, allowed: set[str]) -> None:
    """Refuse any parameter the template does not declare, and any value that is not a
    plain str, int, float, bool or None (or a string that would not stay a literal)."""
    from papermill.translators import PythonTranslator

    problems = []
    for k, v in parameters.items():
        if k not in allowed:
            problems.append(
                Problem(
                    str(k),
                    None,
                    None,
                    "is not a parameter of the template; it takes " + ", ".join(sorted(allowed)),
                )
            )
        elif v is not None and type(v) not in (str, int, float, bool):
            problems.append(
                Problem(
                    k, None, None, f"is a {type(v).__name__}; give a str, int, float, bool or None"
                )
            )
        elif isinstance(v, float) and not math.isfinite(v):
            problems.append(Problem(k, None, None, "is not a finite number"))
        elif isinstance(v, str) and ast.literal_eval(PythonTranslator.translate(v)) != v:
            problems.append(Problem(k, None, None, "cannot be passed as a plain text literal"))
    if problems:
        raise InputError(problems, "report parameters")


def kernel_name() -> str:
    """The project's own kernel (``intervet-plan``) when its kernelspec is installed, else
    the native ``python3`` kernel of the running interpreter."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(REPORT_KERNEL)
        return REPORT_KERNEL
    except NoSuchKernel:
        return "python3"


def render_notebook(
    template: Path,
    parameters: dict,
    out_dir: Path,
    name: str = "report",
    log_path: Path | None = None,
) -> tuple[Path, Path]:
    """Execute ``template`` with papermill into ``out_dir/<name>.ipynb`` (cwd ``out_dir``),
    then export ``out_dir/<name>.html``: no code, no prompts, no parameters cells, figures
    embedded. ``log_path`` receives the notebook's output as it runs. Returns both paths."""
    import papermill

    template, out_dir = Path(template), Path(out_dir)
    check_parameters(parameters, parameter_names(template))
    ipynb, html = out_dir / f"{name}.ipynb", out_dir / f"{name}.html"
    logger = logging.getLogger("papermill")
    handler, level = None, logger.level
    if log_path is not None:
        handler = logging.FileHandler(log_path, encoding="utf-8")
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    try:
        papermill.execute_notebook(
            _literal_path(template),
            _literal_path(ipynb),
            parameters=parameters,
            kernel_name=kernel_name(),
            cwd=str(out_dir),
            progress_bar=False,
            log_output=log_path is not None,
            request_save_on_cell_execute=False,
            start_timeout=120,
            execution_timeout=EXECUTION_TIMEOUT_S,
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],  # no kernel banners on stderr
        )
    except papermill.PapermillExecutionError as e:
        raise IntervetError(
            f"the report notebook failed in cell {e.exec_count}: {e.ename}: {e.evalue}; "
            "rerun with --no-report to get the plan without its report"
        ) from e
    except Exception as e:  # the kernel did not start, died or timed out
        if isinstance(e, OSError) or environment_failure(e) is not None:
            raise  # disk full, read-only folder: the command line says so plainly
        raise IntervetError(
            f"the report notebook could not be run ({type(e).__name__}: {e}); check that "
            f"the '{REPORT_KERNEL}' kernel is installed (make install), or rerun with "
            "--no-report"
        ) from e
    finally:
        if handler is not None:
            logger.removeHandler(handler)
            logger.setLevel(level)
            handler.close()
    export_html(ipynb, html)
    return ipynb, html


def _literal_path(path: Path) -> str:
    """A path as papermill takes it: papermill fills ``{name}`` fields of paths with
    parameters (``str.format``), so braces are doubled to be read literally."""
    return str(path).replace("{", "{{").replace("}", "}}")


def export_html(ipynb: Path, html: Path, title: str | None = None) -> Path:
    """Export an executed notebook to standalone HTML for readers: no input cells or
    prompts, the papermill ``injected-parameters`` and ``parameters`` cells removed, no
    stderr output, images embedded as base64 PNG."""
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = nbformat.read(str(ipynb), as_version=4)
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")
            ]
    title = title or nb.metadata.get("title") or _title_from(ipynb)
    nb.metadata["title"] = title
    exporter = HTMLExporter(
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags=("injected-parameters", "parameters")),
        enabled=True,
    )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    _replace(html, lambda tmp: tmp.write_text(body, encoding="utf-8"))
    return html


def _title_from(ipynb: Path) -> str:
    """A run's report is titled by its scenario (from summary.json beside it); any other
    notebook by its file name."""
    f = ipynb.parent / "summary.json"
    if f.is_file():
        s = json.loads(f.read_text(encoding="utf-8"))
        return f"Allocation report: {s.get('scenario')} ({s.get('case')})"
    return ipynb.stem.replace("_", " ").capitalize()


def write_reports(out_dir: Path, scenario_path: str | Path | None, notebook: bool = True) -> float:
    """Write ``allocation.xlsx`` and (with ``notebook``) ``report.ipynb`` and ``report.html``
    into a run's output folder, which must already hold summary.json. Returns seconds."""
    t0 = time.perf_counter()
    write_workbook(out_dir, load_results(out_dir))
    if notebook:
        if not TEMPLATE.is_file():
            raise IntervetError(
                f"the report template {TEMPLATE} is missing; reinstall intervet-plan from its "
                "source tree, or rerun with --no-report"
            )
        params = {
            "scenario_path": str(Path(scenario_path).resolve()) if scenario_path else "",
            "output_dir": ".",
        }
        render_notebook(TEMPLATE, params, Path(out_dir))
    return time.perf_counter() - t0
