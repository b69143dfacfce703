"""One run of a batch in an operating-system process of its own (SPEC 6).

:func:`run_isolated` starts a fresh Python (``python -m intervet_plan.batch.runner
REQUEST_JSON``) that runs :func:`run_one` in its own process group. The process is the unit
of isolation: a crash, a memory blow-up or a run past its wall-clock guard ends that run only
(its process group is killed, solver and kernel included) and is reported as a failed run.
A run never outlives the process that started it (its watcher thread ends it).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TypedDict

from intervet_plan.batch.results import STATUS_OF_EXIT, RunResult, headline
from intervet_plan.errors import IntervetError, environment_failure
from intervet_plan.outputs.folder import remove_stale_staging


class _Named(TypedDict):
    """The fields every :class:`RunResult` of a run starts from."""

    name: str
    scenario: str


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
    base: _Named = {"name": name, "scenario": str(scenario)}
    try:
        from intervet_plan import api

        plan, folder = api.run(scenario, out=out, time_limit_s=time_limit_s, report=report)
        summary = plan.summary
        code, status = plan.exit_code, str(summary["status"])
        if plan.diagnosis is not None:
            lines = plan.diagnosis.get("summary") or []
            message = "infeasible: " + ("; ".join(map(str, lines)) or "see diagnosis.json")
        else:
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


def stop_live_runs() -> None:
    """Kill the process group of every run still going in this process (e.g. on Ctrl-C)."""
    with _LIVE_LOCK:
        for p in list(_LIVE):
            _kill(p)


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
    base: _Named = {"name": name, "scenario": scenario}
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


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
