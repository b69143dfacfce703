"""Many scenarios at once (SPEC 6 ``batch`` and ``sweep``).

Each scenario runs in its own operating-system process (a fresh Python running
:func:`run_one`), started from a thread pool of ``jobs`` threads on this machine or from a
task on a dask.distributed cluster. The process is the unit of isolation: a crash, a memory
blow-up or a run past its wall-clock guard ends that run only (its process group is killed,
solver and kernel included) and is reported as a failed run; the other runs go on.

Every run writes ``<out_dir>/<scenario name>/`` through :func:`intervet_plan.api.run`; the batch
then writes ``<out_dir>/manifest.json`` (one entry per run, in the order given) and the
comparison report ``<out_dir>/comparison.html`` (+ ``comparison.ipynb``).

Exit codes of a run (SPEC 6): 0 ok, 1 internal error (or a crashed worker), 2 invalid input,
3 infeasible, 4 no plan within the time limit (or the wall-clock guard).

>>> parse_vary("budget_eur=900000, 1.1e6")
('budget_eur', ['900000', '1.1e6'])
>>> variant_name("baseline", "quotas.WBL_SHORT.quota", 300.0)
'baseline-quotas.WBL_SHORT.quota-300'
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from intervet_plan.errors import InputError, IntervetError, Problem, environment_failure
from intervet_plan.outputs.folder import (
    atomic_file,
    check_output_folder,
    move_aside,
    remove_stale_staging,
)

# Names a run folder may not take: they are the batch's own files and folders.
RESERVED_NAMES = frozenset({"scenarios", "manifest.json", "comparison.html", "comparison.ipynb"})
STATUS_OF_EXIT = {1: "error", 2: "invalid", 3: "infeasible", 4: "no_plan"}
COMPARISON_TEMPLATE = "scenario_comparison.ipynb"
GUARD_FACTOR, GUARD_SLACK_S = 3.0, 60.0


# ------------------------------------------------------------------------------ results


@dataclass
class RunResult:
    """One run of a batch: what happened and its headline figures (from summary.json).

    ``folder`` is relative to the batch folder (``None`` when nothing was written, e.g.
    invalid input). Money in euro; ``budget_used`` is a share (0..1); ``targets_shortfall``
    is in persons (sum over soft and hard targets); times in seconds.
    """

    name: str
    scenario: str
    status: str
    exit_code: int
    folder: str | None = None
    message: str = ""
    wall_time_s: float | None = None
    placed: int | None = None
    quota: int | None = None
    cost_eur: float | None = None
    budget_eur: float | None = None
    budget_used: float | None = None
    targets_shortfall: float | None = None
    priority: float | None = None
    preferences: float | None = None
    solve_time_s: float | None = None
    gap: float | None = None
    traceback: str | None = None

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def to_dict(self) -> dict:
        """JSON-ready: non-finite numbers become null (manifest.json is strict JSON)."""
        d = {
            k: None if isinstance(v, float) and not math.isfinite(v) else v
            for k, v in asdict(self).items()
        }
        if d["traceback"] is None:
            del d["traceback"]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> RunResult:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})


@dataclass
class Manifest:
    """The outcome of a batch: the runs in the order given, and the comparison report."""

    out_dir: Path
    runs: list[RunResult]
    comparison: Path | None = None
    comparison_error: str | None = None
    wall_time_s: float = 0.0

    @property
    def path(self) -> Path:
        return self.out_dir / "manifest.json"

    @property
    def ok(self) -> bool:
        """Every run succeeded (exit 0)."""
        return all(r.ok for r in self.runs)

    @property
    def failed(self) -> list[RunResult]:
        return [r for r in self.runs if not r.ok]

    def to_list(self) -> list[dict]:
        return [r.to_dict() for r in self.runs]


def headline(summary: dict) -> dict:
    """The headline figures of one run from its summary.json content."""
    cost = summary.get("cost_eur") or {}
    total, budget = cost.get("total"), cost.get("budget")
    objective = summary.get("objective") or {}
    solver = summary.get("solver") or {}
    targets = summary.get("targets") or []
    return {
        "placed": sum((summary.get("placed") or {}).values()),
        "quota": sum((summary.get("quota") or {}).values()),
        "cost_eur": total,
        "budget_eur": budget,
        "budget_used": round(total / budget, 6) if total is not None and budget else None,
        "targets_shortfall": round(sum(float(t.get("shortfall") or 0) for t in targets), 6),
        "priority": objective.get("priority"),
        "preferences": objective.get("preferences"),
        "solve_time_s": solver.get("time_s"),
        "gap": solver.get("gap"),
    }


# --------------------------------------------------------------------------- one run


def run_one(
    scenario: str | Path,
    out: str | Path,
    name: str,
    time_limit_s: float | None = None,
    report: bool = True,
) -> dict:
    """Run one scenario in this process into folder ``out``; never raises.

    Returns a :class:`RunResult` as a dict (JSON-ready). The folder in the result is the
    folder's name (the batch keeps each run in ``<out_dir>/<name>/``).
    """
    t0 = time.perf_counter()
    out = Path(out)
    base = {"name": name, "scenario": str(scenario)}
    try:
        from intervet_plan import api

        plan, folder = api.run(scenario, out=out, time_limit_s=time_limit_s, report=report)
        summary = json.loads((Path(folder) / "summary.json").read_text(encoding="utf-8"))
        if plan.diagnosis is not None:
            lines = plan.diagnosis.get("summary") or []
            code, status = 3, "infeasible"
            message = "infeasible: " + ("; ".join(map(str, lines)) or "see diagnosis.json")
        else:
            code, status = 0, str(summary.get("status", "optimal"))
            h = headline(summary)
            message = (
                f"{status}: {h['placed']} of {h['quota']} placed, EUR {h['cost_eur']:,.2f} "
                f"of {h['budget_eur']:,.2f}"
            )
        result = RunResult(
            **base, status=status, exit_code=code, folder=Path(folder).name, message=message
        )
        for k, v in headline(summary).items():
            setattr(result, k, v)
    except IntervetError as e:
        code = e.exit_code
        result = RunResult(
            **base,
            status=STATUS_OF_EXIT.get(code, "error"),
            exit_code=code,
            folder=out.name if code == 3 and (out / "summary.json").is_file() else None,
            message=str(e),
        )
    except BaseException as e:  # an internal error: keep the trace for the manifest
        failure = environment_failure(e)
        result = (
            RunResult(**base, status="error", exit_code=1, message=f"error: {failure}")
            if failure is not None
            else RunResult(
                **base,
                status="error",
                exit_code=1,
                message=f"internal error: {type(e).__name__}: {e}",
                traceback=traceback.format_exc(),
            )
        )
    result.wall_time_s = round(time.perf_counter() - t0, 3)
    return result.to_dict()


_LIVE: set[subprocess.Popen] = set()
_LIVE_LOCK = threading.Lock()


def _kill(proc: subprocess.Popen) -> None:
    """Kill a run's whole process group (the run, its solver, its notebook kernel)."""
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover
            proc.kill()
    except (ProcessLookupError, PermissionError, OSError):
        pass


def run_isolated(
    scenario: str,
    out: str,
    name: str,
    time_limit_s: float | None = None,
    report: bool = True,
    guard_s: float | None = None,
) -> dict:
    """Run one scenario in a fresh Python process of its own (see :func:`run_one`).

    ``guard_s``: wall-clock limit of the whole run; past it the process group is killed and
    the run reported as exit 4. A process that dies without a result gives exit 1. This is
    also what a Dask task runs on its worker, so the guard holds there too.
    """
    t0 = time.perf_counter()
    fd, result_file = tempfile.mkstemp(prefix="intervet-run-", suffix=".json")
    os.close(fd)
    request = {
        "run": {
            "scenario": scenario,
            "out": out,
            "name": name,
            "time_limit_s": time_limit_s,
            "report": report,
        },
        "result": result_file,
    }
    base = {"name": name, "scenario": scenario}
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "intervet_plan.batch.runner", json.dumps(request)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=os.name == "posix",
        )
        with _LIVE_LOCK:
            _LIVE.add(proc)
        try:
            _, err = proc.communicate(timeout=guard_s)
            timed_out = False
        except subprocess.TimeoutExpired:
            _kill(proc)
            _, err = proc.communicate()
            timed_out = True
        finally:
            with _LIVE_LOCK:
                _LIVE.discard(proc)
        if timed_out:
            remove_stale_staging(Path(out))
            return RunResult(
                **base,
                status="timeout",
                exit_code=4,
                message=f"no plan within the wall-clock guard of {guard_s:g} s "
                "(3 x the time limit + 60 s); the run was stopped",
                wall_time_s=round(time.perf_counter() - t0, 3),
            ).to_dict()
        text = Path(result_file).read_text(encoding="utf-8")
        if proc.returncode == 0 and text.strip():
            return json.loads(text)
        remove_stale_staging(Path(out))
        how = (
            f"was killed by signal {-proc.returncode}"
            if proc.returncode < 0
            else f"ended with code {proc.returncode}"
        )
        tail = err.decode("utf-8", "replace").strip().splitlines()[-5:]
        return RunResult(
            **base,
            status="error",
            exit_code=1,
            message=f"the worker process {how} before reporting a result"
            + (": " + " | ".join(tail) if tail else ""),
            wall_time_s=round(time.perf_counter() - t0, 3),
        ).to_dict()
    except Exception as e:  # e.g. the process could not be started
        return RunResult(
            **base,
            status="error",
            exit_code=1,
            message=f"could not run the worker process: {type(e).__name__}: {e}",
            wall_time_s=round(time.perf_counter() - t0, 3),
        ).to_dict()
    finally:
        Path(result_file).unlink(missing_ok=True)
        Path(result_file + ".part").unlink(missing_ok=True)


def _watch_parent(interval_s: float = 1.0) -> None:
    """End this run's process group (solver and kernel included) as soon as the process that
    started it is gone (a batch killed with SIGKILL, a Dask worker that died): a run never
    outlives its batch."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(interval_s)
            if os.getppid() != parent:
                if os.name == "posix":
                    os.killpg(os.getpgid(0), signal.SIGKILL)
                os._exit(1)

    threading.Thread(target=watch, name="intervet-parent-watch", daemon=True).start()


def _child_main(argv: Sequence[str]) -> int:
    """Entry point of a run's process: ``python -m intervet_plan.batch.runner REQUEST_JSON``."""
    _watch_parent()
    request = json.loads(argv[0])
    result = run_one(**request["run"])
    tmp = request["result"] + ".part"
    Path(tmp).write_text(json.dumps(result), encoding="utf-8")
    os.replace(tmp, request["result"])
    return 0


# ------------------------------------------------------------------------------ batch


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
    for j in (j for j in jobs if j.failed is not None):  # no folder: any unique label will do
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
) -> Manifest:
    """Run every scenario into ``out_dir/<name>/``, write ``out_dir/manifest.json`` and the
    comparison report; return the :class:`Manifest`.

    ``jobs`` processes at a time on this machine, or every run as a task of the Dask cluster
    at ``dask_address`` (its workers must see the same paths). ``time_limit_s`` overrides each
    scenario's solver time limit (seconds, whole run of the solver); a run still going after
    3 x that limit + 60 s is stopped and reported with exit 4. ``report``: each run's notebook
    report; ``comparison``: the batch's comparison report. A failing run never stops the
    others. Raises :class:`InputError` (exit 2) before running anything when the arguments
    are invalid, two scenarios share a name, or ``out_dir`` is not a safe output folder
    (``inputs``: what no output folder may hold; default the scenario files and their
    cases). An earlier run's folder in ``out_dir`` is moved aside, never deleted.
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
    client = _connect(dask_address) if dask_address else None  # before writing anything
    try:
        manifest = _run_all(
            todo, Path(out_dir).absolute(), jobs, client, time_limit_s, report, progress
        )
    finally:
        if client is not None:
            client.close()  # type: ignore[attr-defined]
    _write_manifest(manifest)
    if comparison:
        try:
            manifest.comparison = render_comparison(manifest.out_dir)
        except Exception as e:  # the runs are done and recorded; say what failed
            manifest.comparison_error = f"{type(e).__name__}: {e}"
    manifest.wall_time_s = round(time.perf_counter() - t0, 3)
    return manifest


def _run_all(
    todo: list[_Job],
    out_dir: Path,
    jobs: int,
    client: object | None,
    time_limit_s: float | None,
    report: bool,
    progress: bool,
) -> Manifest:
    """Run the jobs (those refused while reading count as done) and collect their results
    in the order given."""
    out_dir.mkdir(parents=True, exist_ok=True)
    results: dict[int, RunResult] = {}
    from tqdm import tqdm

    bar = tqdm(
        total=len(todo),
        desc="batch",
        unit="run",
        file=sys.stderr,
        disable=not progress or not sys.stderr.isatty(),
    )

    def done(i: int, r: RunResult) -> None:
        results[i] = r
        bar.set_postfix_str(f"{r.name}: {r.status}", refresh=False)
        bar.update(1)

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
        with _LIVE_LOCK:
            for p in list(_LIVE):
                _kill(p)
        raise
    pool.shutdown(wait=True)


def _connect(address: str) -> object:
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
    client: object, calls: list[tuple[int, dict]], done: Callable[[int, RunResult], None]
) -> None:
    from distributed import as_completed as dask_completed

    futures: dict = {}
    try:
        batch_id = uuid.uuid4().hex[:8]  # keys unique across batches sharing a scheduler
        for i, kw in calls:
            key = f"intervet-{kw['name']}-{batch_id}-{i}"
            fut = client.submit(run_isolated, **kw, pure=False, key=key)  # type: ignore[attr-defined]
            futures[fut] = (i, kw)
        for fut in dask_completed(list(futures), loop=client.loop):  # type: ignore[attr-defined]
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
        client.cancel(list(futures), force=True)  # type: ignore[attr-defined]
        raise


def _write_manifest(manifest: Manifest) -> None:
    with atomic_file(manifest.path) as tmp:
        text = json.dumps(manifest.to_list(), indent=2, allow_nan=False)
        tmp.write_text(text + "\n", encoding="utf-8")


def notebooks_dir() -> Path:
    """The folder of the notebook templates (``notebooks/`` of the source tree)."""
    return Path(__file__).resolve().parents[3] / "notebooks"


def render_comparison(batch_dir: Path) -> Path:
    """Execute ``notebooks/scenario_comparison.ipynb`` on a batch folder; write
    ``comparison.ipynb`` and ``comparison.html`` there and return the HTML path."""
    from intervet_plan.outputs.report import render_notebook

    batch_dir = Path(batch_dir).absolute()
    _, html = render_notebook(
        notebooks_dir() / COMPARISON_TEMPLATE,
        {"batch_dir": str(batch_dir)},
        batch_dir,
        name="comparison",
    )
    return Path(html)


def results_text(manifest: Manifest) -> str:
    """A short table of a batch's runs, for the terminal."""
    lines = [f"{'run':<36} {'status':<11} {'exit':>4} {'placed':>12} {'cost EUR':>14} {'used':>7}"]
    for r in manifest.runs:
        placed = f"{r.placed}/{r.quota}" if r.placed is not None and r.exit_code == 0 else "-"
        cost = f"{r.cost_eur:,.0f}" if r.cost_eur is not None and r.exit_code == 0 else "-"
        used = f"{r.budget_used:.1%}" if r.budget_used is not None and r.exit_code == 0 else "-"
        lines.append(
            f"{r.name:<36} {r.status:<11} {r.exit_code:>4} {placed:>12} {cost:>14} {used:>7}"
        )
    for r in manifest.failed:
        first = r.message.strip().splitlines()
        detail = " ".join(s.strip() for s in first[:3])
        lines.append(f"  {r.name} (exit {r.exit_code}): {detail[:300]}")
    n_bad = len(manifest.failed)
    lines.append(
        f"{len(manifest.runs) - n_bad} of {len(manifest.runs)} runs succeeded in "
        f"{manifest.wall_time_s:.1f} s; manifest {manifest.path}"
    )
    if manifest.comparison is not None:
        lines.append(f"comparison report {manifest.comparison}")
    elif manifest.comparison_error:
        lines.append(f"comparison report failed: {manifest.comparison_error}")
    return "\n".join(lines)


# ------------------------------------------------------------------------------ sweep

VARY_FORMS = (
    "budget_eur",
    "quotas.<activity>.quota",
    "quotas.<activity>.quota_min",
    "targets.<target name>.min",
    "targets.<target name>.max",
)


def _vary_error(message: str) -> InputError:
    return InputError(Problem("--vary", None, None, message), "arguments")


def parse_vary(vary: str) -> tuple[str, list[str]]:
    """Split ``KEY=V1,V2,...`` into the key and the value texts (not yet checked)."""
    key, eq, values = vary.partition("=")
    key = key.strip()
    items = [v.strip() for v in values.split(",")]
    if not eq or not key or not any(items):
        raise _vary_error(
            f"'{vary}' is not KEY=V1,V2,...; KEY is one of {', '.join(VARY_FORMS)} "
            "(e.g. budget_eur=900000,1100000)"
        )
    if any(not v for v in items):
        raise _vary_error(f"'{vary}' has an empty value; separate values by single commas")
    return key, items


def _number_text(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def variant_name(name: str, key: str, value: float) -> str:
    """``<name>-<key>-<value>`` (SPEC 6), the value written without a useless ``.0``."""
    return f"{name}-{key}-{_number_text(value)}"


def _split_key(key: str) -> tuple[str, str | None, str | None]:
    """(kind, item, field) of a --vary key: ('budget_eur', None, None),
    ('quotas', activity, 'quota'), ('targets', target name, 'min')."""
    forms = ", ".join(VARY_FORMS)
    if key == "budget_eur":
        return "budget_eur", None, None
    for kind, suffixes in (("quotas", ("quota_min", "quota")), ("targets", ("min", "max"))):
        if not key.startswith(kind + "."):
            continue
        rest = key[len(kind) + 1 :]
        for suffix in suffixes:
            if rest.endswith("." + suffix) and len(rest) > len(suffix) + 1:
                return kind, rest[: -len(suffix) - 1], suffix
        raise _vary_error(f"unknown key '{key}'; the key must be one of {forms}")
    raise _vary_error(f"unknown key '{key}'; the key must be one of {forms}")


def make_sweep(scenario: Path, vary: str, out_dir: Path) -> list[Path]:
    """Write one variant of ``scenario`` per value of ``vary`` (``KEY=V1,V2,...``) into
    ``out_dir/scenarios/<name>-<key>-<value>.yaml`` and return their paths.

    KEY is ``budget_eur`` (euro), ``quotas.<activity>.quota`` or ``.quota_min`` (persons), or
    ``targets.<target name>.min`` or ``.max`` (a share, or persons for a count target). The
    variants name the case (and a previous plan) by absolute path. Every variant is checked
    against the scenario rules and the case before any file is written (:class:`InputError`,
    exit 2, naming the key and the valid forms).
    """
    from intervet_plan.inputs.case import load_case
    from intervet_plan.inputs.limits import ID_MAX_CHARS, id_problem
    from intervet_plan.inputs.scenario import check_against_case
    from intervet_plan.inputs.scenario_file import load_scenario, parse_scenario
    from intervet_plan.inputs.yamlfile import load_yaml_with_lines

    src = Path(scenario).absolute()
    base = load_scenario(src)
    key, texts = parse_vary(vary)
    kind, item, fld = _split_key(key)
    if kind == "quotas":
        case = load_case(base.case_path)
        if item not in case.activities.index:
            from intervet_plan.inputs.scenario import suggest

            raise _vary_error(
                f"'{key}': '{item}' is not an activity_id of the case; "
                f"{suggest(str(item), tuple(case.activities.index), 'activities')}"
            )
    elif kind == "targets":
        names = [t.name for t in base.targets]
        if item not in names:
            raise _vary_error(
                f"'{key}': the scenario has no target named '{item}'; "
                + (f"its targets: {', '.join(names)}" if names else "it has no targets")
            )
        case = None
    else:
        case = None

    values: list[float] = []
    for t in texts:
        try:
            x = float(t)
        except ValueError:
            x = math.nan
        if not math.isfinite(x):
            raise _vary_error(f"'{key}': value '{t}' is not a number")
        if kind == "quotas" and not x.is_integer():
            raise _vary_error(f"'{key}': value '{t}' is not a whole number")
        values.append(x)
    shown = [_number_text(x) for x in values]
    dupes = sorted({s for s in shown if shown.count(s) > 1})
    if dupes:
        raise _vary_error(f"'{key}': value {', '.join(dupes)} is given twice")

    problems: list[Problem] = []
    data, _ = load_yaml_with_lines(src.read_text(encoding="utf-8-sig"), str(src), problems)
    plain = _plain(data)
    plain["case"] = str(base.case_path)
    if base.previous_plan is not None:
        plain["previous_plan"] = str(base.previous_plan)
    variants: list[tuple[str, dict]] = []
    for x, text in zip(values, shown, strict=True):
        vname = variant_name(base.name, key, x)
        if len(vname) > ID_MAX_CHARS:  # it names the variant's file and run folder
            raise _vary_error(
                f"'{key}': value '{text}' makes the variant name '{vname}', "
                f"{len(vname)} characters long; a scenario name has at most {ID_MAX_CHARS}: "
                "shorten the scenario's name" + (" or the target's" if kind == "targets" else "")
            )
        if id_problem(vname) is not None:
            raise _vary_error(f"'{key}': value '{text}' does not make a valid scenario name")
        d = {"name": vname, **_plain(data)}  # a fresh deep copy; dates stay dates
        d["name"], d["case"] = vname, plain["case"]
        if "previous_plan" in plain:
            d["previous_plan"] = plain["previous_plan"]
        v: int | float = int(x) if x.is_integer() else x
        if kind == "budget_eur":
            d["budget_eur"] = v
        elif kind == "quotas":
            quotas = d.get("quotas") or {}
            d["quotas"] = quotas
            entry = quotas.get(item) or {}
            quotas[item] = entry
            entry[fld] = v
        else:
            for t in d.get("targets") or []:
                if isinstance(t, dict) and t.get("name") == item:
                    t[fld] = v
        label = f"variant {vname}"
        try:
            sc = parse_scenario(d, base=src.parent, label=label)
        except InputError as e:
            problems.extend(e.problems)
            continue
        if case is not None:
            problems.extend(replace(p, source=label) for p in check_against_case(sc, case))
        variants.append((vname, d))
    if problems:
        raise InputError(problems, f"--vary {key} variants")

    folder = Path(out_dir).absolute() / "scenarios"
    move_aside(folder)  # the variants of an earlier sweep into this folder are kept
    folder.mkdir(parents=True, exist_ok=True)
    import yaml

    paths = []
    for vname, d in variants:
        p = folder / f"{vname}.yaml"
        text = (
            f"# variant of {src} with {key} = {vname.rsplit('-', 1)[-1]}, "
            "written by intervet-plan sweep\n"
            + yaml.safe_dump(d, sort_keys=False, allow_unicode=True)
        )
        with atomic_file(p) as tmp:
            tmp.write_text(text, encoding="utf-8")
        paths.append(p)
    return paths


def _plain(data: object) -> object:
    """YAML containers as plain dicts and lists (for yaml.safe_dump)."""
    if isinstance(data, dict):
        return {k: _plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_plain(v) for v in data]
    return data


def run_sweep(scenario: Path, vary: str, out_dir: Path, **batch_options: object) -> Manifest:
    """:func:`make_sweep` then :func:`run_batch` over the variants into ``out_dir``."""
    address = batch_options.get("dask_address")
    if address:  # an unreachable scheduler is refused before the variants are written
        _connect(str(address)).close()  # type: ignore[attr-defined]
    from intervet_plan.inputs.scenario_file import load_scenario

    reads = [Path(scenario), load_scenario(scenario).case_path]
    out_dir = check_output_folder(Path(out_dir), reads)  # before the variants are written
    variants = make_sweep(scenario, vary, out_dir)
    return run_batch(variants, out_dir, inputs=reads, **batch_options)  # type: ignore[arg-type]


def default_sweep_dir(scenario: Path) -> Path:
    """``reports/<name>-sweep`` for a scenario (its name read from the file)."""
    from intervet_plan.inputs.scenario_file import load_scenario

    return Path("reports") / f"{load_scenario(scenario).name}-sweep"


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
