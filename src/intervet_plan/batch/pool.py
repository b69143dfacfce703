"""Many scenarios at once (SPEC 6 ``batch``): each run in its own process (see
:mod:`intervet_plan.batch.runner`), started from a thread pool of ``jobs`` threads on this
machine or as a task on a dask.distributed cluster. A failing run never stops the others.

Every run writes ``<out_dir>/<scenario name>/`` through :func:`intervet_plan.api.run`; the batch
then writes ``<out_dir>/manifest.json`` and the comparison report (see
:mod:`intervet_plan.batch.results`).
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

from intervet_plan import progress as stages
from intervet_plan.batch.results import Manifest, RunResult, render_comparison, write_manifest
from intervet_plan.batch.runner import run_isolated, stop_live_runs
from intervet_plan.errors import InputError, IntervetError, Problem
from intervet_plan.outputs.folder import check_output_folder, move_aside

if TYPE_CHECKING:
    from distributed import Client

# Names a run folder may not take: they are the batch's own files and folders.
RESERVED_NAMES = frozenset({"scenarios", "manifest.json", "comparison.html", "comparison.ipynb"})
GUARD_FACTOR, GUARD_SLACK_S = 3.0, 60.0


class BatchOptions(TypedDict, total=False):
    """The options of :func:`run_batch` that a sweep passes on."""

    jobs: int
    dask_address: str | None
    time_limit_s: float | None
    report: bool
    progress: bool
    comparison: bool


@dataclass
class _Job:
    scenario: Path
    name: str
    guard_s: float | None
    failed: RunResult | None = None  # refused before running (e.g. invalid scenario file)
    case: Path | None = None  # the case it reads: no output folder may hold it


def _prepare(
    scenarios: Sequence[Path], time_limit_s: float | None
) -> tuple[list[_Job], list[Problem]]:
    """Read each scenario's name and solver time limit; refuse duplicate or reserved names."""
    from intervet_plan.inputs.scenario_file import load_scenario

    jobs: list[_Job] = []
    for s in scenarios:
        path = Path(s).absolute()
        try:
            sc = load_scenario(path)
        except IntervetError as e:
            jobs.append(
                _Job(
                    path,
                    path.stem,
                    None,
                    RunResult(path.stem, str(path), "invalid", e.exit_code, message=str(e)),
                )
            )
            continue
        limit = time_limit_s if time_limit_s is not None else sc.solver.time_limit_s
        guard = None if limit is None else limit * GUARD_FACTOR + GUARD_SLACK_S
        jobs.append(_Job(path, sc.name, guard, case=sc.case_path))
    problems: list[Problem] = []
    paths = [j.scenario for j in jobs]
    for p in sorted({p for p in paths if paths.count(p) > 1}):
        problems.append(Problem(str(p), None, None, "is given twice; give each scenario once"))
    seen: dict[str, Path] = {}
    for j in (j for j in jobs if j.failed is None):
        if j.name in seen and seen[j.name] != j.scenario:
            problems.append(
                Problem(
                    str(j.scenario),
                    None,
                    None,
                    f"scenario name '{j.name}' is also the name of {seen[j.name]}; each run "
                    "writes <out>/<name>/, so the names in one batch must differ",
                )
            )
        seen.setdefault(j.name, j.scenario)
        if j.name in RESERVED_NAMES or j.name.startswith("."):
            problems.append(
                Problem(
                    str(j.scenario),
                    None,
                    None,
                    f"scenario name '{j.name}' is reserved in a batch folder; rename the scenario",
                )
            )
    for j in jobs:  # no folder: any unique label will do
        if j.failed is None:
            continue
        if j.name in seen:
            j.name = j.failed.name = str(j.scenario)
        seen.setdefault(j.name, j.scenario)
    return jobs, problems


def run_batch(
    scenarios: Sequence[Path],
    out_dir: Path,
    jobs: int = 1,
    dask_address: str | None = None,
    time_limit_s: float | None = None,
    report: bool = True,
    progress: bool = True,
    comparison: bool = True,
    inputs: Sequence[Path] | None = None,
    sweep: tuple[str, str] | None = None,
) -> Manifest:
    """Run every scenario into ``out_dir/<name>/``, write ``out_dir/manifest.json`` and the
    comparison report; return the :class:`Manifest`.

    ``jobs`` processes at a time on this machine, or every run as a task of the Dask cluster
    at ``dask_address`` (its workers must see the same paths). ``time_limit_s`` overrides each
    scenario's solver time limit (seconds, whole run of the solver); a run still going after
    3 x that limit + 60 s is stopped and reported with exit 4. ``report``: each run's notebook
    report; ``comparison``: the batch's comparison report; ``progress``: a bar over the runs
    on stderr (a line per run when stderr is not a terminal), then the comparison's stage
    (:mod:`intervet_plan.progress`). A failing run never stops the
    others. Raises :class:`InputError` (exit 2) before running anything when the arguments
    are invalid, two scenarios share a name, or ``out_dir`` is not a safe output folder
    (``inputs``: what no output folder may hold; default the scenario files and their
    cases). An earlier run's folder in ``out_dir`` is moved aside, never deleted.
    ``sweep`` = (scenario name, key) when the scenarios are the variants of a sweep: the
    manifest then gives each variant's ``sweep`` (scenario, key and value).
    """
    t0 = time.perf_counter()
    problems: list[Problem] = []
    if not scenarios:
        problems.append(Problem("arguments", None, None, "give at least one scenario file"))
    if jobs < 1:
        problems.append(Problem("--jobs", None, None, f"'{jobs}' must be 1 or more"))
    if time_limit_s is not None and not (time_limit_s > 0 and math.isfinite(time_limit_s)):
        problems.append(
            Problem("--time-limit", None, None, f"'{time_limit_s:g}' must be a number above 0")
        )
    if problems:
        raise InputError(problems, "arguments")
    todo, problems = _prepare(scenarios, time_limit_s)
    if problems:
        raise InputError(problems, "batch")
    reads = [*(inputs if inputs is not None else scenarios)]
    reads += [j.case for j in todo if j.case is not None]
    out_dir = check_output_folder(Path(out_dir), reads)
    for name in ("manifest.json", "comparison.html", "comparison.ipynb"):  # an earlier batch's
        move_aside(out_dir / name)
    client = connect_dask(dask_address) if dask_address else None  # before writing anything
    # progress on stderr: a bar over the runs, then "writing comparison.html"
    with stages.shown() if progress and not stages.active() else nullcontext():
        try:
            manifest = _run_all(todo, Path(out_dir).absolute(), jobs, client, time_limit_s, report)
        finally:
            if client is not None:
                client.close()
        if sweep is not None:
            _mark_sweep(manifest.runs, *sweep)
        write_manifest(manifest)
        if comparison:
            try:
                manifest.comparison = render_comparison(manifest.out_dir)
            except Exception as e:  # the runs are done and recorded; say what failed
                manifest.comparison_error = f"{type(e).__name__}: {e}"
    manifest.wall_time_s = round(time.perf_counter() - t0, 3)
    return manifest


def _mark_sweep(runs: list[RunResult], scenario: str, key: str) -> None:
    """Give each variant ``<scenario>-<key>-<value>`` its ``sweep`` entry."""
    prefix = f"{scenario}-{key}-"
    for r in runs:
        if r.name.startswith(prefix):
            try:
                value = float(r.name[len(prefix) :])
            except ValueError:
                continue
            r.sweep = {"scenario": scenario, "key": key, "value": value}


def _run_all(
    todo: list[_Job],
    out_dir: Path,
    jobs: int,
    client: Client | None,
    time_limit_s: float | None,
    report: bool,
) -> Manifest:
    """Run the jobs (those refused while reading count as done) and collect their results
    in the order given."""
    out_dir.mkdir(parents=True, exist_ok=True)
    results: dict[int, RunResult] = {}
    bar = stages.counter("batch", len(todo), "run")

    def done(i: int, r: RunResult) -> None:
        results[i] = r
        bar.done(f"{r.name}: {r.status}")

    for i, j in enumerate(todo):
        if j.failed is not None:
            done(i, j.failed)
    pending = [(i, j) for i, j in enumerate(todo) if j.failed is None]
    calls = [
        (
            i,
            {
                "scenario": str(j.scenario),
                "out": str(out_dir / j.name),
                "name": j.name,
                "time_limit_s": time_limit_s,
                "report": report,
                "guard_s": j.guard_s,
            },
        )
        for i, j in pending
    ]
    try:
        if client is not None:
            _run_on_dask(client, calls, done)
        else:
            _run_local(jobs, calls, done)
    finally:
        bar.close()
    return Manifest(out_dir, [results[i] for i in range(len(todo))])


def _run_local(
    jobs: int, calls: list[tuple[int, dict]], done: Callable[[int, RunResult], None]
) -> None:
    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="intervet-run")
    futures = {pool.submit(run_isolated, **kw): (i, kw) for i, kw in calls}
    try:
        for fut in as_completed(futures):
            i, kw = futures[fut]
            try:
                r = RunResult.from_dict(fut.result())
            except Exception as e:  # pragma: no cover - run_isolated does not raise
                r = RunResult(kw["name"], kw["scenario"], "error", 1, message=str(e))
            done(i, r)
    except BaseException:  # Ctrl-C: stop every run still going (they are in own sessions)
        pool.shutdown(wait=False, cancel_futures=True)
        stop_live_runs()
        raise
    pool.shutdown(wait=True)


def connect_dask(address: str) -> Client:
    """A dask.distributed Client of the scheduler at ``address`` (InputError when none)."""
    from distributed import Client

    try:
        return Client(address, timeout="15s", set_as_default=False)
    except Exception as e:
        raise InputError(
            Problem(
                "--dask",
                None,
                None,
                f"cannot connect to a Dask scheduler at '{address}' ({type(e).__name__}: {e}); "
                "start one with `dask scheduler` and `dask worker ADDRESS`",
            ),
            "arguments",
        ) from None


def _run_on_dask(
    client: Client, calls: list[tuple[int, dict]], done: Callable[[int, RunResult], None]
) -> None:
    from distributed import as_completed as dask_completed

    futures: dict = {}
    try:
        batch_id = uuid.uuid4().hex[:8]  # keys unique across batches sharing a scheduler
        for i, kw in calls:
            key = f"intervet-{kw['name']}-{batch_id}-{i}"
            fut = client.submit(run_isolated, **kw, pure=False, key=key)
            futures[fut] = (i, kw)
        for fut in dask_completed(list(futures), loop=client.loop):
            i, kw = futures[fut]
            try:
                r = RunResult.from_dict(fut.result())
            except Exception as e:  # the task failed: e.g. its worker died
                r = RunResult(
                    kw["name"],
                    kw["scenario"],
                    "error",
                    1,
                    message=f"the Dask task failed: {type(e).__name__}: {e}",
                )
            done(i, r)
    except BaseException:
        client.cancel(list(futures), force=True)
        raise
