"""``batch`` and ``sweep`` (SPEC 6): runs in processes or on a Dask cluster, a manifest, a
comparison report; a failing run never stops the others; the analyst's workbook runs."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from conftest import run_cli
from intervet_plan.batch.pool import run_batch
from intervet_plan.batch.runner import run_isolated
from intervet_plan.batch.sweep import make_sweep
from intervet_plan.errors import InputError
from intervet_plan.inputs.scenario_file import load_scenario
from intervet_plan.outputs.report import template_path
from intervet_plan.outputs.standalone import outside_references

ROOT = Path(__file__).resolve().parents[1]


def write_scenario(folder: Path, name: str, case: Path, **extra: object) -> Path:
    s = folder / f"{name}.yaml"
    data = {
        "name": name,
        "case": str(case),
        "targets": [
            {
                "name": "women",
                "share_of": {"gender": "F"},
                "among": {"participant_type": "learner"},
                "min": 0.5,
            }
        ],
        **extra,
    }
    s.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return s


@pytest.fixture
def scenario(tiny_case: Path, tmp_path: Path) -> Path:
    return write_scenario(tmp_path, "tiny", tiny_case)


def manifest(out: Path) -> list[dict]:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def image_cells(ipynb: Path) -> dict[str, int]:
    """For each code cell of an executed notebook: how many PNG images it shows."""
    nb = nbformat.read(str(ipynb), as_version=4)
    return {
        c.source: sum(
            "image/png" in o.get("data", {})
            or "data:image/png" in o.get("data", {}).get("text/html", "")
            for o in c.outputs
        )
        for c in nb.cells
        if c.cell_type == "code"
    }


def test_budget_sweep_gives_variants_manifest_and_frontier(scenario: Path, tmp_path: Path):
    out = tmp_path / "sweep"
    code, stdout, err = run_cli(
        "sweep",
        str(scenario),
        "--vary",
        "budget_eur=3000, 1e5",
        "--out",
        str(out),
        "--jobs",
        "2",
        "--no-report",
    )
    assert code == 0, err
    names = ["tiny-budget_eur-3000", "tiny-budget_eur-100000"]
    for n in names:
        assert n in stdout
        variant = load_scenario(out / "scenarios" / f"{n}.yaml")
        assert variant.name == n and variant.case_path.is_absolute()
        assert (out / n / "summary.json").is_file() and (out / n / "allocation.csv").is_file()
        assert not (out / n / "report.html").exists()  # --no-report
    runs = manifest(out)
    assert [r["name"] for r in runs] == names
    assert [r["exit_code"] for r in runs] == [0, 0]
    assert [r["folder"] for r in runs] == names
    assert [r["budget_eur"] for r in runs] == [3000.0, 100000.0]
    assert runs[0]["placed"] < runs[1]["placed"] == 4  # the money buys placements
    assert all(r["cost_eur"] <= r["budget_eur"] for r in runs)
    assert [r["sweep"] for r in runs] == [
        {"scenario": "tiny", "key": "budget_eur", "value": v} for v in (3000.0, 100000.0)
    ]
    html = (out / "comparison.html").read_text(encoding="utf-8")
    assert 'alt="What each variant buys' in html and "data:image/png;base64," in html
    assert "<strong>tiny</strong>, budget from EUR 3 k to EUR 100 k." in html
    assert "comparison_plots.frontier" not in html  # no code in the HTML
    assert outside_references(html) == []  # self-contained: nothing from a CDN
    images = image_cells(out / "comparison.ipynb")
    frontier = "show(comparison_plots.frontier_text(batch_dir))\nshow(comparison_plots.frontier(batch_dir))"
    assert images[frontier] == 1


def test_a_broken_scenario_does_not_stop_the_others(
    scenario: Path, tiny_case: Path, tmp_path: Path
):
    unknown = write_scenario(tmp_path, "unknown_activity", tiny_case, quotas={"NOPE": {"quota": 1}})
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("name: [unclosed\n", encoding="utf-8")
    out = tmp_path / "batch"
    code, stdout, err = run_cli(
        "batch", str(unknown), str(scenario), str(bad_yaml), "--out", str(out), "--jobs", "2"
    )
    assert code == 1, err
    runs = {r["name"]: r for r in manifest(out)}
    assert list(runs) == ["unknown_activity", "tiny", "bad"]  # the order given
    assert runs["tiny"]["exit_code"] == 0 and runs["tiny"]["status"] == "optimal"
    assert (out / "tiny" / "report.html").is_file()  # each run's own report
    for name in ("unknown_activity", "bad"):
        assert runs[name]["exit_code"] == 2 and runs[name]["status"] == "invalid"
        assert runs[name]["folder"] is None and not (out / name).exists()
    assert "NOPE" in runs["unknown_activity"]["message"]
    assert "not valid YAML" in runs["bad"]["message"]
    assert "unknown_activity (exit 2)" in stdout
    html = (out / "comparison.html").read_text(encoding="utf-8")
    assert "Failed runs" in html and "unknown_activity" in html
    assert not list(out.glob(".*staging*"))


def test_batch_on_a_dask_cluster(scenario: Path, tiny_case: Path, tmp_path: Path):
    from distributed import LocalCluster

    cut = write_scenario(tmp_path, "tiny_cut", tiny_case, budget_eur=3000)
    infeasible = write_scenario(
        tmp_path, "too_tight", tiny_case, budget_eur=1000, quotas={"LEARN": {"quota_min": 1}}
    )
    out = tmp_path / "dask"
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        m = run_batch(
            [scenario, cut, infeasible],
            out,
            dask_address=cluster.scheduler_address,
            report=False,
            progress=False,
            comparison=False,
        )
    assert [r.name for r in m.runs] == ["tiny", "tiny_cut", "too_tight"]
    assert [r.exit_code for r in m.runs] == [0, 0, 3], [r.message for r in m.runs]
    assert [r.placed for r in m.runs[:2]] == [4, 1]
    assert (out / "tiny_cut" / "summary.json").is_file()
    too_tight = manifest(out)[2]
    assert (too_tight["status"], too_tight["folder"]) == ("infeasible", "too_tight")
    assert "budget short" in too_tight["message"]
    assert (out / "too_tight" / "diagnosis.json").is_file()


@pytest.mark.parametrize(
    ("vary", "says"),
    [
        ("budget=1000,2000", "unknown key 'budget'"),
        ("quotas.NOPE.quota=1,2", "'NOPE' is not an activity_id"),
        ("targets.nobody.min=0.1", "no target named 'nobody'"),
        ("budget_eur=1000,lots", "'lots' is not a number"),
        ("budget_eur=-5", "greater than 0"),
        ("quotas.LEARN.quota=1.5", "not a whole number"),
        ("budget_eur", "KEY=V1,V2"),
    ],
)
def test_bad_vary_exits_2_and_writes_nothing(scenario: Path, tmp_path: Path, vary: str, says: str):
    out = tmp_path / "sweep"
    code, _, err = run_cli("sweep", str(scenario), "--vary", vary, "--out", str(out))
    assert code == 2
    assert says in err
    assert not out.exists()


def test_sweep_variants_of_quotas_and_targets(scenario: Path, tmp_path: Path):
    q = make_sweep(scenario, "quotas.LEARN.quota=1,2", tmp_path / "q")
    assert [p.stem for p in q] == ["tiny-quotas.LEARN.quota-1", "tiny-quotas.LEARN.quota-2"]
    assert load_scenario(q[1]).quotas == {"LEARN": {"quota": 2}}
    t = make_sweep(scenario, "targets.women.min=0.25,0.75", tmp_path / "t")
    assert [p.stem for p in t] == ["tiny-targets.women.min-0.25", "tiny-targets.women.min-0.75"]
    assert load_scenario(t[0]).targets[0].min == 0.25


def test_duplicate_names_are_refused_before_running(scenario: Path, tmp_path: Path):
    twin = tmp_path / "sub"
    twin.mkdir()
    (twin / "tiny.yaml").write_text(scenario.read_text(), encoding="utf-8")
    out = tmp_path / "batch"
    with pytest.raises(InputError, match="names in one batch must differ"):
        run_batch([scenario, twin / "tiny.yaml"], out)
    code, _, err = run_cli("batch", str(scenario), str(scenario), "--out", str(out))
    assert code == 2 and "given twice" in err
    assert not out.exists()


def test_wall_clock_guard_and_crashed_worker(
    scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    out = tmp_path / "runs" / "tiny"
    r = run_isolated(str(scenario), str(out), "tiny", guard_s=0.2)
    assert (r["exit_code"], r["status"], r["folder"]) == (4, "timeout", None)
    assert not out.exists() and not list(out.parent.glob(".tiny.staging-*"))
    monkeypatch.setattr(sys, "executable", "/bin/false")
    r = run_isolated(str(scenario), str(out), "tiny")
    assert (r["exit_code"], r["status"]) == (1, "error")
    assert "worker process ended with code 1" in r["message"]


@pytest.mark.slow
def test_explore_notebook_runs_top_to_bottom(tmp_path: Path):
    import papermill

    from intervet_plan.outputs.report import kernel_name

    out = tmp_path / "explore.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "explore.ipynb"),
        str(out),
        kernel_name=kernel_name(),
        cwd=str(ROOT),
        progress_bar=False,
    )
    nb = nbformat.read(str(out), as_version=4)
    text = "\n".join(
        o.get("text", "") + str(o.get("data", {}).get("text/plain", ""))
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
    )
    assert "(country, host) limits added; status optimal" in text
    assert not any(o.output_type == "error" for c in nb.cells for o in c.get("outputs", []))
    # the relaxed target binds: the relaxation changes who is placed (section 5)
    change = re.search(
        r"relaxing fewer_opportunities_learners from 40% to 38%: (\d+) applicants placed "
        r"instead of (\d+) others, (\d+) placements moved",
        text,
    )
    assert change is not None, text
    assert int(change[1]) == int(change[2]) > 0
    points = re.search(r"priority points ([\d,]+) -> ([\d,]+)", text)
    assert points is not None and points[1] != points[2]


def test_notebooks_are_committed_without_outputs():
    for path in (template_path("scenario_comparison.ipynb"), ROOT / "notebooks" / "explore.ipynb"):
        name = path.name
        nb = nbformat.read(str(path), as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in code), name
        tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, name
