"""Tables that compare the runs of a batch (the scenario_comparison.ipynb template; its figures
are in :mod:`intervet_plan.outputs.comparison_plots`; a diff of two plans held in memory is
``solve.diff.diff_plans``), and which runs are the variants of one sweep.

Everything is read from a batch folder: ``manifest.json`` (one entry per run, see
:mod:`intervet_plan.batch.runner`) and each run's ``summary.json``. No solving here.

>>> sweep_of({"name": "baseline-budget_eur-1100000"})
Variant(scenario='baseline', key='budget_eur', value=1100000.0)
>>> sweep_of({"name": "budget_cut"}) is None
True
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from intervet_plan.outputs.labels import Labels
from intervet_plan.solve.tables import COST_PARTS

# a sweep's variant is named <name>-<key>-<value> (SPEC 6; batch.sweep.variant_name)
VARIANT_NAME = re.compile(
    r"(?P<scenario>.+?)-(?P<key>budget_eur|(?:quotas|targets)\..+\.(?:quota_min|quota|min|max))"
    r"-(?P<value>[0-9][0-9.e+-]*)"
)


class Variant(NamedTuple):
    """A run that is one variant of a sweep: the scenario varied, the key and its value."""

    scenario: str
    key: str
    value: float


def sweep_of(run: dict) -> Variant | None:
    """The sweep a run of the manifest belongs to: its ``sweep`` entry (written by
    ``intervet-plan sweep``), else its name when it reads ``<name>-<key>-<value>``."""
    known = run.get("sweep")
    if isinstance(known, dict):
        try:
            return Variant(str(known["scenario"]), str(known["key"]), float(known["value"]))
        except (KeyError, TypeError, ValueError):
            return None
    m = VARIANT_NAME.fullmatch(str(run.get("name", "")))
    if m is None:
        return None
    try:
        return Variant(m["scenario"], m["key"], float(m["value"]))
    except ValueError:
        return None


def sweeps(runs: list[dict]) -> dict[tuple[str, str], list[str]]:
    """The sweeps among a batch's runs: (scenario, key) -> the names of its variants in order
    of value. A sweep has at least two variants; any other run belongs to none."""
    groups: dict[tuple[str, str], list[tuple[float, str]]] = {}
    for r in runs:
        v = sweep_of(r)
        if v is not None:
            groups.setdefault((v.scenario, v.key), []).append((v.value, str(r["name"])))
    return {k: [n for _, n in sorted(g)] for k, g in groups.items() if len(g) >= 2}


HEADLINE_COLUMNS = [
    "scenario",
    "status",
    "exit_code",
    "placed",
    "quota",
    "placed_share",
    "cost_eur",
    "budget_eur",
    "budget_used",
    "targets_shortfall",
    "priority",
    "preferences",
    "solve_time_s",
    "gap",
]
TARGET_COLUMNS = ["scenario", "target", "min", "max", "achieved", "shortfall", "hard", "kind"]


def read_manifest(batch_dir: str | Path) -> list[dict]:
    """The runs of a batch folder, as written by ``intervet-plan batch`` or ``sweep``."""
    path = Path(batch_dir) / "manifest.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: run `intervet-plan batch` into that folder")
    runs = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(runs, list):
        raise ValueError(f"{path} is not a list of runs")
    return runs


def summaries(batch_dir: str | Path) -> dict[str, dict]:
    """Each run's summary.json content by run name (runs that wrote none are left out)."""
    out = {}
    for r in read_manifest(batch_dir):
        if r.get("folder"):
            f = Path(batch_dir) / r["folder"] / "summary.json"
            if f.is_file():
                out[r["name"]] = json.loads(f.read_text(encoding="utf-8"))
    return out


def comparison_table(batch_dir: str | Path) -> pd.DataFrame:
    """One row per run in manifest order: status, exit code, placements vs quota (persons),
    cost and budget (EUR), budget used and placed share (0..1), target shortfall (persons),
    priority and preference points, solve time (s) and gap. Runs without a plan have empty
    figures."""
    rows = []
    for r in read_manifest(batch_dir):
        ok = r.get("exit_code") == 0
        row = {c: r.get(c) for c in HEADLINE_COLUMNS if c in r}
        row["scenario"] = r["name"]
        if not ok:  # an infeasible run's summary has zero placements: not a plan
            for c in HEADLINE_COLUMNS[3:]:
                if c not in ("budget_eur", "quota"):
                    row[c] = None
        q, p = row.get("quota"), row.get("placed")
        row["placed_share"] = p / q if ok and q and p is not None else None
        rows.append(row)
    table = pd.DataFrame(rows, columns=HEADLINE_COLUMNS)
    for c in HEADLINE_COLUMNS[3:]:
        table[c] = pd.to_numeric(table[c], errors="coerce")
    return table


def failures(batch_dir: str | Path) -> pd.DataFrame:
    """The runs that failed: scenario, status, exit code and message."""
    rows = [
        {
            "scenario": r["name"],
            "status": r.get("status"),
            "exit_code": r.get("exit_code"),
            "message": r.get("message", ""),
        }
        for r in read_manifest(batch_dir)
        if r.get("exit_code") != 0
    ]
    return pd.DataFrame(rows, columns=["scenario", "status", "exit_code", "message"])


def placements_by_activity(batch_dir: str | Path) -> pd.DataFrame:
    """Long table: scenario, activity_id, activity (its label, as summary.json's ``labels``
    give it; the id when they do not), placed, quota (persons), for runs with a plan."""
    ok = {r["name"] for r in read_manifest(batch_dir) if r.get("exit_code") == 0}
    rows = [
        {
            "scenario": name,
            "activity_id": a,
            "activity": Labels.of(s).activity(a),
            "placed": int(s["placed"].get(a, 0)),
            "quota": q,
        }
        for name, s in summaries(batch_dir).items()
        if name in ok
        for a, q in s.get("quota", {}).items()
    ]
    return pd.DataFrame(rows, columns=["scenario", "activity_id", "activity", "placed", "quota"])


def costs_by_type(batch_dir: str | Path) -> pd.DataFrame:
    """One row per run with a plan: cost by type and budget (EUR)."""
    ok = {r["name"] for r in read_manifest(batch_dir) if r.get("exit_code") == 0}
    rows = [
        {"scenario": name, **{k: s["cost_eur"].get(k, 0.0) for k in (*COST_PARTS, "budget")}}
        for name, s in summaries(batch_dir).items()
        if name in ok
    ]
    return pd.DataFrame(rows, columns=["scenario", *COST_PARTS, "budget"])


def target_attainment(batch_dir: str | Path) -> pd.DataFrame:
    """Long table: scenario, target, min, max, achieved, shortfall (persons), hard, kind
    (``share`` or ``count``, as summary.json gives it)."""
    ok = {r["name"] for r in read_manifest(batch_dir) if r.get("exit_code") == 0}
    rows = []
    for name, s in summaries(batch_dir).items():
        if name not in ok:
            continue
        for t in s.get("targets", []):
            rows.append(
                {
                    "scenario": name,
                    "target": t["name"],
                    "min": t.get("min"),
                    "max": t.get("max"),
                    "achieved": t.get("achieved"),
                    "shortfall": float(t.get("shortfall") or 0.0),
                    "hard": bool(t.get("hard")),
                    "kind": t.get("kind"),
                }
            )
    return pd.DataFrame(rows, columns=TARGET_COLUMNS)


def intro(batch_dir: str | Path) -> str:
    """A short Markdown paragraph: how many runs, which succeeded, which failed."""
    runs = read_manifest(batch_dir)
    ok = [r["name"] for r in runs if r.get("exit_code") == 0]
    bad = [
        f"`{r['name']}` ({r.get('status')}, exit {r.get('exit_code')})"
        for r in runs
        if r.get("exit_code") != 0
    ]
    text = f"**{len(runs)} runs**, {len(ok)} with a plan"
    return text + (f"; failed: {', '.join(bad)}." if bad else "; none failed.")


def failures_view(batch_dir: str | Path) -> pd.DataFrame | str:
    """The failed runs as a table, or a note that none failed."""
    bad = failures(batch_dir)
    return "_Every run succeeded._" if bad.empty else bad


# ---------------------------------------------------------------------- presentation


HEADLINE_LABELS = {
    "scenario": "scenario",
    "status": "status",
    "exit_code": "exit",
    "placed": "placed",
    "quota": "quota",
    "placed_share": "placed / quota",
    "cost_eur": "cost EUR",
    "budget_eur": "budget EUR",
    "budget_used": "budget used",
    "targets_shortfall": "target shortfall (persons)",
    "priority": "priority",
    "preferences": "preference points",
    "solve_time_s": "solve s",
    "gap": "gap",
}
# formats of the labelled columns, for intervet_plan.outputs.report.show(table, **HEADLINE_FORMATS)
HEADLINE_FORMATS = {
    "placed": "{:,.0f}",
    "quota": "{:,.0f}",
    "placed / quota": "{:.1%}",
    "cost EUR": "{:,.2f}",
    "budget EUR": "{:,.2f}",
    "budget used": "{:.1%}",
    "target shortfall (persons)": "{:,.2f}",
    "priority": "{:,.0f}",
    "preference points": "{:,.0f}",
    "solve s": "{:,.1f}",
    "gap": "{:.4%}",
}


def headline_view(table: pd.DataFrame) -> pd.DataFrame:
    """The headline table with readable column names (see ``HEADLINE_FORMATS``)."""
    return table.rename(columns=HEADLINE_LABELS)
