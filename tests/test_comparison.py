"""comparison.html's figures on hand-made batch folders (a manifest and summary.json files, no
solving): a line only through the variants of one sweep, labels that do not overlap, activity
labels instead of ids."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from matplotlib.figure import Figure

from intervet_plan.outputs import comparison, comparison_plots


def write_batch(folder: Path, runs: list[dict]) -> Path:
    """A batch folder: manifest.json from ``runs`` (name, placed, cost_eur and optional
    sweep/status/exit_code) and a summary.json for each run with a plan."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest = []
    for r in runs:
        ok = r.get("exit_code", 0) == 0
        entry = {
            "name": r["name"],
            "scenario": f"/s/{r['name']}.yaml",
            "status": r.get("status", "optimal"),
            "exit_code": r.get("exit_code", 0),
            "folder": r["name"],
            "placed": r.get("placed"),
            "quota": 10,
            "cost_eur": r.get("cost_eur"),
            "budget_eur": r.get("budget_eur", 5000.0),
        }
        if "sweep" in r:
            entry["sweep"] = r["sweep"]
        manifest.append(entry)
        run = folder / r["name"]
        run.mkdir()
        summary = {
            "scenario": r["name"],
            "status": entry["status"],
            "placed": {"LEARN": r.get("placed") or 0, "TEACH": 0} if ok else {},
            "quota": {"LEARN": 9, "TEACH": 1},
            "cost_eur": {"total": r.get("cost_eur") or 0.0, "budget": entry["budget_eur"]},
            "targets": [],
            "labels": {"activities": {"LEARN": "Work-based learning", "TEACH": "Teaching"}},
        }
        (run / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def drawn_lines(fig: Figure) -> list:
    """The lines of the frontier through two points or more (the quota line aside)."""
    ax = fig.axes[0]
    return [line for line in ax.lines if line.get_gid() != "quota" and len(line.get_xdata()) > 1]


def test_unrelated_scenarios_are_points_without_a_line(tmp_path: Path):
    batch = write_batch(
        tmp_path / "b",
        [
            {"name": "baseline", "placed": 10, "cost_eur": 4000.0},
            {"name": "budget_cut", "placed": 6, "cost_eur": 2500.0, "budget_eur": 2500.0},
            {"name": "covid", "placed": 9, "cost_eur": 3900.0},
            {"name": "balance", "placed": 10, "cost_eur": 4000.4},
        ],
    )
    fig = comparison_plots.frontier(batch)
    assert isinstance(fig, Figure)
    assert drawn_lines(fig) == []
    assert "no sweep" in fig.axes[0].get_title()
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[:4] == ["baseline", "budget_cut", "covid", "balance"]
    text = comparison_plots.frontier_text(batch)
    assert "not variants of one scenario" in text and "no line joins them" in text
    assert "balance and baseline lie on one spot (10 placements" in text


def test_one_line_per_sweep_from_names_or_the_manifest(tmp_path: Path):
    runs = [
        {"name": "base-budget_eur-2000", "placed": 8, "cost_eur": 1990.0},
        {"name": "base-budget_eur-1000", "placed": 4, "cost_eur": 990.0},
        {"name": "base-budget_eur-3000", "placed": 10, "cost_eur": 2600.0},
        {"name": "base-quotas.LEARN.quota-3", "placed": 4, "cost_eur": 1200.0},
        {"name": "base-quotas.LEARN.quota-5", "placed": 6, "cost_eur": 1800.0},
        # the manifest knows this sweep, whatever the names say
        {"name": "a", "placed": 5, "cost_eur": 1500.0, "sweep": _v("other", "budget_eur", 2)},
        {"name": "b", "placed": 3, "cost_eur": 900.0, "sweep": _v("other", "budget_eur", 1)},
        {"name": "alone-budget_eur-5000", "placed": 10, "cost_eur": 2600.0},  # one variant
        {"name": "covid", "placed": 9, "cost_eur": 2400.0},
        {"name": "base-budget_eur-500", "status": "infeasible", "exit_code": 3},
    ]
    batch = write_batch(tmp_path / "b", runs)
    fig = comparison_plots.frontier(batch)
    assert isinstance(fig, Figure)
    lines = {line.get_gid(): line for line in drawn_lines(fig)}
    assert set(lines) == {
        "sweep:base:budget_eur",
        "sweep:base:quotas.LEARN.quota",
        "sweep:other:budget_eur",
    }
    budget = lines["sweep:base:budget_eur"]
    assert list(budget.get_xdata()) == [990.0, 1990.0, 2600.0]  # in order of the budget
    assert list(lines["sweep:other:budget_eur"].get_xdata()) == [900.0, 1500.0]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "base, by budget (EUR) (no plan at EUR 500)" in legend
    assert "base, by quota of LEARN" in legend
    assert "alone-budget_eur-5000" in legend and "covid" in legend  # points of their own
    text = comparison_plots.frontier_text(batch)
    assert "**base**, budget from EUR 500 to EUR 3 k; no plan at EUR 500." in text
    assert "**base**, quota of LEARN from 3 to 5." in text


def _v(scenario: str, key: str, value: float) -> dict:
    return {"scenario": scenario, "key": key, "value": value}


def test_labels_do_not_overlap_and_stay_inside(tmp_path: Path):
    runs = [
        {"name": f"base-budget_eur-{b}", "placed": p, "cost_eur": c, "budget_eur": b}
        for b, p, c in [
            (1000000, 9, 990000.0),
            (1010000, 9, 1000000.0),
            (1020000, 10, 1005000.0),
            (1030000, 10, 1005000.0),  # the same plan as 1020000: one label for both
            (5000000, 10, 1010000.0),
        ]
    ]
    fig = comparison_plots.frontier(write_batch(tmp_path / "b", runs))
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == ["1.00 M", "1.01 M", "1.02 M, 1.03 M", "5.00 M"]
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    frame = ax.get_window_extent(renderer)
    for i, a in enumerate(boxes):
        assert frame.x0 <= a.x0 and a.x1 <= frame.x1 and frame.y0 <= a.y0 and a.y1 <= frame.y1
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b), (a, b)


def test_placements_are_named_by_activity_label(tmp_path: Path):
    batch = write_batch(tmp_path / "b", [{"name": "baseline", "placed": 9, "cost_eur": 10.0}])
    table = comparison.placements_by_activity(batch)
    assert list(table["activity"]) == ["Work-based learning", "Teaching"]
    fig = comparison_plots.placements_figure(table)
    assert isinstance(fig, Figure)
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "Work-based learning" in legend and "LEARN" not in legend


@pytest.mark.parametrize(
    ("name", "variant"),
    [
        ("baseline-budget_eur-1100000", ("baseline", "budget_eur", 1100000.0)),
        ("my-plan-quotas.WBL-S.quota_min-3", ("my-plan", "quotas.WBL-S.quota_min", 3.0)),
        ("x-targets.women.min-0.25", ("x", "targets.women.min", 0.25)),
        ("x-targets.women.max-1e-05", ("x", "targets.women.max", 1e-05)),
        ("budget_cut", None),
        ("x-budget_eur-lots", None),
    ],
)
def test_variant_names(name: str, variant: tuple | None):
    assert comparison.sweep_of({"name": name}) == variant
