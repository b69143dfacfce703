"""The notebook report of a run or a batch: locate a template, execute it with papermill,
export it to HTML with nbconvert, and display figures and tables inside it.

Parameters reach a notebook as Python literals only (paths, numbers, flags): the notebook
reads the run folder itself (:func:`intervet_plan.outputs.run_folder.read_run`), so no
scenario content is ever turned into code.

>>> from intervet_plan.outputs import report
>>> report.check_parameters({"output_dir": "."}, {"output_dir"})
>>> report.check_parameters({"code": "x"}, {"output_dir"})
Traceback (most recent call last):
...
intervet_plan.errors.InputError: 1 problem found in the report parameters:
  code: is not a parameter of the template; it takes output_dir
"""

from __future__ import annotations

import ast
import contextlib
import copy
import json
import logging
import math
import re
import time
from pathlib import Path

import pandas as pd

from intervet_plan import progress
from intervet_plan.errors import InputError, IntervetError, Problem, environment_failure
from intervet_plan.outputs.folder import atomic_file
from intervet_plan.outputs.run_folder import read_run
from intervet_plan.outputs.workbook import write_workbook

REPORT_KERNEL = "intervet-plan"
EXECUTION_TIMEOUT_S = 600  # per cell
REPORT_TEMPLATE = "allocation_report.ipynb"


def template_path(name: str) -> Path:
    """The notebook template ``name`` (e.g. ``allocation_report.ipynb``): the one place
    that knows where templates live (``outputs/templates/`` of the installed package, so
    that a wheel installed anywhere finds them)."""
    return Path(__file__).resolve().parent / "templates" / name


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


def warn(text: str | None) -> None:
    """Display plain ``text`` in a warning box (nothing when None): a notebook's alert."""
    from IPython.display import HTML, display

    if text:
        display(HTML(warning_html(text)))


def warning_html(text: str) -> str:
    """Plain text in a warning box, styled inline (the HTML report fetches no stylesheet).

    >>> warning_html("Soft targets fall short by 1 & more.").split("</strong> ")[1]
    'Soft targets fall short by 1 &amp; more.</div>'
    """
    import html

    style = (
        "border-left: 6px solid #C44E52; background: #FDF0F0; color: #1a1a1a; "
        "padding: 0.6em 1em; margin: 0.8em 0; font-size: 1.05em"
    )
    return (
        f'<div class="alert alert-warning" role="alert" style="{style}">'
        f"<strong>Warning:</strong> {html.escape(text)}</div>"
    )


def figure_html(fig: object) -> str:
    """A figure as an ``<img>`` holding its PNG as base64, with its title as alt text (so
    the HTML report works when mailed and reads in a screen reader)."""
    import base64
    import html

    from intervet_plan.outputs.figure import to_png

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
    """A table as HTML: money (columns ``*_eur`` or ``... (EUR)``) to the cent with thousands
    separators, other numbers plainly, missing values blank; text escaped. Columns of numbers
    are right-aligned, columns of text left-aligned (their headers likewise).

    >>> t = pd.DataFrame({"activity": ["Job shadowing"], "cost (EUR)": [1234.5]})
    >>> re.findall(r'<td style="text-align: (\\w+)[^"]*">([^<]*)<', format_table(t))
    [('left', 'Job shadowing'), ('right', '1,234.50')]
    """
    import html

    columns = []
    for c in df.columns:
        fmt = formats.get(c)
        if fmt is None and (str(c).endswith("_eur") or str(c).endswith("(EUR)")):
            fmt = "{:,.2f}"
        cells = [_fmt(v, fmt) for v in df[c]]
        shown = [v for v in cells if v and v not in BLANKS]
        right = bool(shown) and all(NUMBER.match(v) for v in shown)
        columns.append((str(c), cells, "right" if right else "left"))

    def cell(tag: str, text: str, align: str) -> str:
        keep = (
            "; white-space: nowrap"
            if tag == "td" and (align == "right" or DATE.match(text))
            else ""
        )
        return f'<{tag} style="text-align: {align}{keep}">{html.escape(text)}</{tag}>'

    head = "".join(cell("th", name, align) for name, _, align in columns)
    rows = [
        "<tr>" + "".join(cell("td", cells[i], align) for _, cells, align in columns) + "</tr>"
        for i in range(len(df))
    ]
    return (
        f'<table class="dataframe" border="0"><thead><tr>{head}</tr></thead>\n'
        f"<tbody>{chr(10).join(rows)}</tbody></table>"
    )


# a cell that reads as a number: 1,234.50, -3, 59.4%, 12.5 %, EUR 1,000.00, 3 of 4
NUMBER = re.compile(
    r"^(EUR )?[-+\u2212]?\d[\d,]*(\.\d+)?( ?%)?( EUR)?( of \d[\d,]*)?( \(\d+(\.\d+)? ?%\))?$"
)
BLANKS = ("n/a", "-", "\u2014")
DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")  # a date or a month, kept on one line


def _fmt(v: object, fmt: str | None) -> str:
    if hasattr(v, "item") and not isinstance(v, str):  # numpy scalars
        v = v.item()
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
    stage: str | None = None,
) -> tuple[Path, Path]:
    """Execute ``template`` with papermill into ``out_dir/<name>.ipynb`` (cwd ``out_dir``),
    then export ``out_dir/<name>.html``: no code, no prompts, no parameters cells, figures
    embedded. ``log_path`` receives the notebook's output as it runs. ``stage`` is what the
    command's progress says meanwhile (default ``writing <name>.html``); on a terminal, a bar
    over the notebook's cells. Returns both paths."""
    template, out_dir = Path(template), Path(out_dir)
    check_parameters(parameters, parameter_names(template))
    text = stage or f"writing {name}.html"
    bar = progress.bar_options(text)
    with progress.stage(text) if bar is None else contextlib.nullcontext():
        ipynb, html = out_dir / f"{name}.ipynb", out_dir / f"{name}.html"
        _execute(template, ipynb, parameters, out_dir, log_path, bar or False)
        with progress.stage(f"{text}: to HTML") if bar else contextlib.nullcontext():
            export_html(ipynb, html)
    return ipynb, html


def _execute(
    template: Path,
    ipynb: Path,
    parameters: dict,
    out_dir: Path,
    log_path: Path | None,
    bar: dict | bool,
) -> None:
    """Execute the notebook with papermill (``bar``: its progress bar's tqdm options)."""
    import papermill

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
            progress_bar=bar,
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


def _literal_path(path: Path) -> str:
    """A path as papermill takes it: papermill fills ``{name}`` fields of paths with
    parameters (``str.format``), so braces are doubled to be read literally."""
    return str(path).replace("{", "{{").replace("}", "}}")


def export_html(ipynb: Path, html: Path, title: str | None = None) -> Path:
    """Export an executed notebook to standalone HTML for readers: no input cells or
    prompts, the papermill ``injected-parameters`` and ``parameters`` cells removed (and,
    for an infeasible run, the plan's sections, tagged ``plan``), no stderr output, images
    embedded as base64 PNG, nothing loaded from outside the page (``standalone``)."""
    import nbformat
    from nbconvert.preprocessors import TagRemovePreprocessor

    from intervet_plan.outputs.standalone import html_exporter

    nb = nbformat.read(str(ipynb), as_version=4)
    nb = copy.deepcopy(nb)
    # an infeasible run has no plan: its report skips the plan's sections (tag ``plan``)
    drop = "plan" if _run_status(ipynb) == "infeasible" else "infeasible"
    nb.cells = [c for c in nb.cells if drop not in c.get("metadata", {}).get("tags", [])]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")
            ]
    title = title or nb.metadata.get("title") or _title_from(ipynb)
    nb.metadata["title"] = title
    exporter = html_exporter(  # self-contained: no script, style or font from the internet
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
    with atomic_file(html) as tmp:
        tmp.write_text(body, encoding="utf-8")
    return html


def _run_status(ipynb: Path) -> str | None:
    """The status in summary.json beside a run's notebook (None for other notebooks)."""
    f = ipynb.parent / "summary.json"
    if not f.is_file():
        return None
    return json.loads(f.read_text(encoding="utf-8")).get("status")


def _title_from(ipynb: Path) -> str:
    """A run's report is titled by its scenario (from summary.json beside it); any other
    notebook by its file name."""
    f = ipynb.parent / "summary.json"
    if f.is_file():
        s = json.loads(f.read_text(encoding="utf-8"))
        return f"Allocation report: {s.get('scenario')} ({s.get('case')})"
    return ipynb.stem.replace("_", " ").capitalize()


def write_reports(out_dir: Path, notebook: bool = True, last_s: float | None = None) -> float:
    """Write ``allocation.xlsx`` and (with ``notebook``) ``report.ipynb`` and ``report.html``
    into a run's output folder, which must already hold summary.json. ``last_s``: the seconds
    the last report of this run took, for the progress line. Returns seconds."""
    t0 = time.perf_counter()
    with progress.stage("writing allocation.xlsx"):
        write_workbook(out_dir, read_run(out_dir))
    if notebook:
        template = template_path(REPORT_TEMPLATE)
        if not template.is_file():
            raise IntervetError(
                f"the report template {template} is missing; reinstall intervet-plan from its "
                "source tree, or rerun with --no-report"
            )
        about = f"about {last_s:.0f} s last time" if last_s else "running its notebook"
        render_notebook(
            template, {"output_dir": "."}, Path(out_dir), stage=f"writing the report ({about})"
        )
    return time.perf_counter() - t0
