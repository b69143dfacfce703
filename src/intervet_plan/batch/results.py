"""What a batch leaves behind (SPEC 6): one :class:`RunResult` per run, the
:class:`Manifest` written to ``<out_dir>/manifest.json``, the comparison report
``<out_dir>/comparison.html`` (+ ``comparison.ipynb``) and the table printed on the terminal.

Exit codes of a run (SPEC 6): 0 ok, 1 internal error (or a crashed worker), 2 invalid input,
3 infeasible, 4 no plan within the time limit (or the wall-clock guard).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from intervet_plan.outputs.folder import atomic_file

STATUS_OF_EXIT = {1: "error", 2: "invalid", 3: "infeasible", 4: "no_plan"}
COMPARISON_TEMPLATE = "scenario_comparison.ipynb"


@dataclass
class RunResult:
    """One run of a batch: what happened and its headline figures (from summary.json).

    ``folder`` is relative to the batch folder (``None`` when nothing was written, e.g.
    invalid input); ``sweep`` says which scenario, key and value a sweep's variant has. Money in euro; ``budget_used`` is a share (0..1); ``targets_shortfall``
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
    sweep: dict | None = None  # a sweep's variant: {"scenario", "key", "value"}

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def to_dict(self) -> dict:
        """JSON-ready: non-finite numbers become null (manifest.json is strict JSON)."""
        d = {
            k: None if isinstance(v, float) and not math.isfinite(v) else v
            for k, v in asdict(self).items()
        }
        for k in ("traceback", "sweep"):
            if d[k] is None:
                del d[k]
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


def write_manifest(manifest: Manifest) -> None:
    """Write ``manifest.json`` (strict JSON, one entry per run in the order given) atomically."""
    with atomic_file(manifest.path) as tmp:
        text = json.dumps(manifest.to_list(), indent=2, allow_nan=False)
        tmp.write_text(text + "\n", encoding="utf-8")


def render_comparison(batch_dir: Path) -> Path:
    """Execute the ``scenario_comparison.ipynb`` template on a batch folder; write
    ``comparison.ipynb`` and ``comparison.html`` there and return the HTML path."""
    from intervet_plan.outputs.report import render_notebook, template_path

    batch_dir = Path(batch_dir).absolute()
    _, html = render_notebook(
        template_path(COMPARISON_TEMPLATE),
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
