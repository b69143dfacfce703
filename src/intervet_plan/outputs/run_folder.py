"""The run folder of SPEC 5: written atomically from a plan in memory, and read back as typed
tables (for the workbook and the notebook report, which never re-read the case).

>>> from intervet_plan.outputs.run_folder import read_run
>>> read_run("no/such/folder")
Traceback (most recent call last):
...
intervet_plan.errors.IntervetError: no/such/folder/summary.json not found: no/such/folder is not the output folder of a run; run 'intervet-plan run SCENARIO --out FOLDER' first
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypedDict

import pandas as pd

from intervet_plan import progress
from intervet_plan.domain.context import Context
from intervet_plan.domain.replan import CANCELLED_COLUMNS
from intervet_plan.errors import IntervetError
from intervet_plan.model.build import LEVEL_SENSE
from intervet_plan.outputs.folder import atomic_folder, check_output_folder
from intervet_plan.outputs.plan import TRADEOFF_FILE, Plan, summary_dict
from intervet_plan.outputs.tradeoff import frontier_csv
from intervet_plan.solve.fairness import RESERVE_COLUMNS, SWAP_COLUMNS
from intervet_plan.solve.tables import (
    ALLOCATION_COLUMNS,
    MONEY_COLUMNS,
    UNPLACED_COLUMNS,
    allocation_csv,
    fairness_csv,
    reserves_csv,
)
from intervet_plan.solve.tradeoff import Frontier, Point
from intervet_plan.solve.types import Status

TARGET_COLUMNS = ["name", "kind", "min", "max", "achieved", "shortfall", "hard", "met"]
FAIRNESS_FILE = "fairness.csv"
RESERVES_FILE = "reserves.csv"
# A writer of extra files (the reports): called with the staging folder.
Writer = Callable[[Path], object]


# ------------------------------------------------------------------------------ writing


def run_inputs(ctx: Context) -> list[Path]:
    """The files and folders a run reads: no output folder may hold them."""
    found: list[Path | None] = [ctx.scenario.case_path, *ctx.case.inputs.values()]
    found += [ctx.scenario.path, ctx.scenario.previous_plan]
    return [Path(p) for p in found if p is not None]


def write_outputs(
    plan: Plan, out: Path, force: bool = False, extra: dict[str, Writer] | None = None
) -> Path:
    """Write allocation.csv, unplaced.csv, summary.json (and diagnosis.json when infeasible)
    into ``out`` atomically; ``extra`` maps file names to callables writing into the staging
    folder (reports)."""
    out = check_output_folder(out, run_inputs(plan.ctx), force=force)
    with atomic_folder(out, force=force) as stage:
        write_into(plan, stage, extra)
    return out


def write_into(plan: Plan, stage: Path, extra: dict[str, Writer] | None = None) -> None:
    """Write the outputs of SPEC 5 into the (staging) folder ``stage``: first the CSV and
    JSON files (and tradeoff.csv when the plan walked a frontier), then each ``extra`` writer
    (called with ``stage``; they may read the files already there, summary.json included),
    then summary.json again with the time they took as ``timings_s.report``."""
    t0 = time.perf_counter()
    with progress.stage("writing allocation.csv, unplaced.csv and summary.json"):
        _write_tables(plan, stage)
        plan.timings["write"] = time.perf_counter() - t0
        write_summary(plan, stage)
    if extra:
        t1 = time.perf_counter()
        for _name, writer in extra.items():
            writer(stage)
        plan.timings["report"] = time.perf_counter() - t1
        write_summary(plan, stage)


def _write_tables(plan: Plan, stage: Path) -> None:
    if plan.diagnosis is not None:
        (stage / "diagnosis.json").write_text(
            json.dumps(plan.diagnosis, indent=2, default=str) + "\n", encoding="utf-8"
        )
    if plan.values:
        (stage / "allocation.csv").write_text(allocation_csv(plan.allocation), encoding="utf-8")
        plan.unplaced.to_csv(stage / "unplaced.csv", index=False, lineterminator="\n")
    if plan.audit is not None:
        (stage / FAIRNESS_FILE).write_text(fairness_csv(plan.audit.swaps), encoding="utf-8")
        (stage / RESERVES_FILE).write_text(reserves_csv(plan.audit.reserves), encoding="utf-8")
    if plan.tradeoff is not None:
        (stage / TRADEOFF_FILE).write_text(frontier_csv(plan.tradeoff), encoding="utf-8")
    if plan.ctx.replan:
        write_cancelled(plan.ctx, stage)


def write_cancelled(ctx: Context, stage: Path) -> None:
    """cancelled.csv of a re-plan (SPEC 7): header only when nothing was cancelled."""
    c = ctx.cancelled.copy()
    for col in ("start_date", "end_date"):
        c[col] = [d.isoformat() for d in c[col]]
    c.to_csv(stage / "cancelled.csv", index=False, lineterminator="\n")


def write_summary(plan: Plan, stage: Path) -> None:
    """Write ``stage/summary.json`` (:func:`~intervet_plan.outputs.plan.summary_dict`)."""
    (stage / "summary.json").write_text(
        json.dumps(summary_dict(plan), indent=2, default=str) + "\n", encoding="utf-8"
    )


# ------------------------------------------------------------------------------ reading


class RunFolder(TypedDict):
    """A run folder read back: ``allocation`` and ``unplaced`` (dates parsed, ids as text;
    empty with their columns when the run had no plan), ``summary`` and ``diagnosis`` (the
    JSON content; ``None`` when feasible), ``targets`` (one row per target, columns
    :data:`TARGET_COLUMNS`), ``organisations`` (org_id and region of each sending
    organisation; ``None`` for a folder written before summary.json gave them), ``replan``
    (summary.json's re-plan counts; ``None`` when the run is not a re-plan),
    ``cancelled`` (cancelled.csv, dates parsed; empty with its columns when absent),
    ``tradeoff`` (the placements/targets frontier of tradeoff.csv with summary.json's
    ``tradeoff``; ``None`` when the soft targets do not fall short or it was not walked:
    summary.json's ``tradeoff.note`` says why), ``fairness`` and ``reserves`` (fairness.csv
    and reserves.csv of the selection audit, SPEC 8.3-8.4: ids as text, priorities as floats,
    rank as int; empty with their columns when absent) and ``audited`` (whether the run wrote
    them: False without a plan, or for a folder written before the audit existed)."""

    out_dir: Path
    summary: dict
    diagnosis: dict | None
    allocation: pd.DataFrame
    unplaced: pd.DataFrame
    targets: pd.DataFrame
    organisations: pd.DataFrame | None
    replan: dict | None
    cancelled: pd.DataFrame
    tradeoff: Frontier | None
    fairness: pd.DataFrame
    reserves: pd.DataFrame
    audited: bool


def read_run(out_dir: str | Path) -> RunFolder:
    """Read the output folder of a run (:class:`RunFolder`); nothing else is read."""
    out = Path(out_dir)
    summary_file = out / "summary.json"
    if not summary_file.is_file():
        raise IntervetError(
            f"{summary_file} not found: {out} is not the output folder of a run; run "
            "'intervet-plan run SCENARIO --out FOLDER' first"
        )
    summary = json.loads(summary_file.read_text(encoding="utf-8"))
    diag_file = out / "diagnosis.json"
    regions = summary.get("org_region")
    return RunFolder(
        out_dir=out,
        summary=summary,
        diagnosis=json.loads(diag_file.read_text(encoding="utf-8"))
        if diag_file.is_file()
        else None,
        allocation=read_allocation(out / "allocation.csv"),
        unplaced=read_unplaced(out / "unplaced.csv"),
        targets=target_frame(summary),
        organisations=None
        if regions is None
        else pd.DataFrame({"org_id": list(regions), "region": list(regions.values())}),
        replan=summary.get("replan"),
        cancelled=read_cancelled(out / "cancelled.csv"),
        tradeoff=read_tradeoff(out, summary),
        fairness=read_audit_table(
            out / FAIRNESS_FILE, SWAP_COLUMNS, ("priority", "displaced_priority")
        ),
        reserves=read_audit_table(out / RESERVES_FILE, RESERVE_COLUMNS, ("reserve_priority",)),
        audited=(out / FAIRNESS_FILE).is_file() and (out / RESERVES_FILE).is_file(),
    )


def read_tradeoff(out: Path, summary: dict) -> Frontier | None:
    """The frontier a run walked (its file named by summary.json's ``tradeoff``, each row
    a point); None when there is none."""
    info = summary.get("tradeoff") or {}
    if not info.get("file") or not (out / info["file"]).is_file():
        return None
    a, b = info["between"]
    t = pd.read_csv(out / info["file"], encoding="utf-8")
    status = t["status"] if "status" in t else [Status.OPTIMAL.value] * len(t)
    points = [
        Point(float(va), None if pd.isna(vb) else float(vb), Status(st))
        for va, vb, st in zip(t[a], t[b], status, strict=True)
    ]
    if not points:
        return None
    end = info.get("end") or {}
    return Frontier(
        a,
        b,
        LEVEL_SENSE[a],
        LEVEL_SENSE[b],
        points,
        (float(end.get(a, points[-1].a)), float(end.get(b, 0.0))),
        float(summary.get("timings_s", {}).get("tradeoff", 0.0)),
        info.get("a_step"),
    )


def read_cancelled(path: Path) -> pd.DataFrame:
    """cancelled.csv of a re-plan (ids and reason as text, dates parsed); an empty table
    with its columns when the file is absent (not a re-plan)."""
    if not path.is_file():
        c = pd.DataFrame({k: pd.Series(dtype=object) for k in CANCELLED_COLUMNS})
    else:
        c = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    for k in ("start_date", "end_date"):
        c[k] = pd.to_datetime(c[k], format="%Y-%m-%d")
    return c


def read_audit_table(path: Path, columns: list[str], priorities: tuple[str, ...]) -> pd.DataFrame:
    """fairness.csv or reserves.csv (``columns``): text, but ``priorities`` as floats and
    ``rank`` as int; an empty table with its columns when the file is absent (no plan, or a
    folder written before the selection audit)."""
    if path.is_file():
        t = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    else:
        t = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    for c in priorities:
        t[c] = pd.to_numeric(t[c]).astype(float)
    if "rank" in t:
        t["rank"] = pd.to_numeric(t["rank"]).astype(int)
    return t[columns]


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


def read_allocation(path: Path) -> pd.DataFrame:
    """allocation.csv of a run, typed (dates, money in EUR and distance in km as floats);
    an empty table when the file is absent (no plan)."""
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


def read_unplaced(path: Path) -> pd.DataFrame:
    """unplaced.csv of a run as text; an empty table when the file is absent (no plan)."""
    if not path.is_file():
        return pd.DataFrame({c: pd.Series(dtype=object) for c in UNPLACED_COLUMNS})
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def target_frame(summary: dict) -> pd.DataFrame:
    """The targets of summary.json as a table (:data:`TARGET_COLUMNS`): shortfall in
    persons, ``met`` unknown (None) without an achieved value."""
    rows = []
    for t in summary.get("targets", []):
        achieved = t.get("achieved")
        rows.append(
            {
                "name": t["name"],
                "kind": t.get("kind"),
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
