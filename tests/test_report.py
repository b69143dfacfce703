"""Reports of a run (SPEC 5): the notebook executed through papermill, its HTML export (no
code, figures embedded), the Excel workbook (formula-looking text stays text), the figures on
empty tables, and the report template committed without outputs."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import nbformat
import openpyxl
import pandas as pd
import pytest
import yaml

from conftest import run_cli, tiny_tables, write_case
from intervet_plan.errors import InputError, IntervetError
from intervet_plan.outputs import (
    attainment_plots,
    figure,
    flow_graph,
    placement_plots,
    report,
    run_folder,
)
from intervet_plan.outputs.standalone import outside_references
from intervet_plan.outputs.workbook import write_workbook

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = report.template_path(report.REPORT_TEMPLATE)
HEADINGS = [
    "Words used in this report",
    "Headline figures",
    "Quota attainment per activity",
    "Timeline of placements",
    "Cohorts per host",
    "Hosts",
    "Targets",
    "Gender and inclusion",
    "Budget by cost type and activity",
    "Partners",
    "Flows from Western Balkans countries to hosts",
    "Preference satisfaction",
    "Unplaced applicants",
    "Selection audit",
    "Reserves",
    "Scenario settings",
    "Solver and reproducibility",
]
INFEASIBLE = "Why the scenario is infeasible"
IMG = re.compile(r'<img[^>]*src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


def _tiny_run(root: Path, edit=None, scenario: dict | None = None) -> tuple[int, str, str, Path]:
    meta, tables = tiny_tables()
    for r in tables["participants"]:
        if r["participant_id"] == "P6":
            r["participant_id"] = "1.5e3"  # a valid id that a spreadsheet would take as a number
    if edit:
        edit(meta, tables)
    write_case(root / "case", meta, tables)
    sc = scenario or {
        "name": "tiny",
        "case": "case",
        "targets": [
            {
                "name": "women",
                "share_of": {"gender": "F"},
                "among": {"participant_type": "learner"},
                "min": 0.5,
            },
            {"name": "serbians", "count_of": {"country": "RS"}, "min": 3, "hard": False},
        ],
    }
    (root / "s.yaml").write_text(yaml.safe_dump(sc), encoding="utf-8")
    out = root / "out"
    code, stdout, err = run_cli("run", str(root / "s.yaml"), "--out", str(out))
    return code, stdout, err, out


@pytest.fixture(scope="module")
def feasible(tmp_path_factory: pytest.TempPathFactory) -> Path:
    code, _, err, out = _tiny_run(tmp_path_factory.mktemp("feasible"))
    assert code == 0, err
    return out


def _text_of(html: str) -> str:
    return re.sub(r"<style.*?</style>|<script.*?</script>", "", html, flags=re.S)


def test_run_writes_report_files_and_records_their_time(feasible: Path):
    names = {p.name for p in feasible.iterdir()}
    assert {"report.html", "report.ipynb", "allocation.xlsx", "solver.log"} <= names
    assert not [n for n in names if n.startswith(".")]  # no temporary files left
    summary = json.loads((feasible / "summary.json").read_text())
    assert summary["timings_s"]["report"] > 0
    assert "HiGHS" in (feasible / "solver.log").read_text()
    nb = nbformat.read(str(feasible / "report.ipynb"), as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and 'output_dir = "."' in injected[0].source


def test_report_html_has_no_code_and_every_section(feasible: Path):
    html = (feasible / "report.html").read_text(encoding="utf-8")
    body = _text_of(html)
    assert outside_references(html) == []  # self-contained: nothing from a CDN
    for code_text in ("from intervet_plan", "report.show(", "scenario_path", "output_dir"):
        assert code_text not in body
    assert "injected-parameters" not in body
    assert not re.search(r'class="[^"]*jp-InputArea-editor', body)  # no code input areas
    assert not re.search(r'class="[^"]*jp-InputPrompt', body)
    assert "Traceback" not in body and "Error" not in body
    for h in HEADINGS:
        assert re.search(rf"<h2[^>]*>{re.escape(h)}", body), h
    assert INFEASIBLE not in body  # a plan: no word of infeasibility
    assert "<title>Allocation report: tiny" in html
    images = IMG.findall(body)
    assert len(images) >= 6
    assert all(base64.b64decode(b)[:8] == b"\x89PNG\r\n\x1a\n" for b in images)
    assert 'alt="Cohorts per host: 3 offers with placements at 3 hosts' in body
    assert "1.5e3" not in body  # applicants appear only as counts
    # no blackouts: no "What the stop cancelled" section and nothing about it in summary.json
    assert "What the stop cancelled" not in body and "No mobility" not in body
    summary = json.loads((feasible / "summary.json").read_text(encoding="utf-8"))
    assert "blackouts" not in summary and "blackout_effect" not in summary


def test_report_warns_when_soft_targets_fall_short(feasible: Path):
    """serbians (a count of 3 among the 2 Serbian applicants) is 1 short whatever the plan:
    the frontier is the plan's own point, and the headline says that giving up placements
    would not help."""
    assert (feasible / "tradeoff.csv").read_text() == "placements,targets\n4,1\n"
    html = (feasible / "report.html").read_text(encoding="utf-8")
    warning = "Soft targets fall short by 1; giving up placements would not reduce the shortfall."
    assert 'class="alert alert-warning"' in html and warning in html
    body = _text_of(html)
    assert re.search(r"<h2[^>]*>What the targets cost", body)
    assert body.index(warning) < body.index("Quota attainment per activity")
    assert body.index(">Targets<") < body.index("What the targets cost")
    assert "No other plan does better on targets without giving up placements." in body


def test_run_folder_reads_back_whole_without_the_case(feasible: Path, tmp_path: Path):
    import shutil

    copy = tmp_path / "copy"  # far from the case and the scenario: nothing else is read
    shutil.copytree(feasible, copy)
    res = run_folder.read_run(copy)
    assert list(res["targets"]["kind"]) == ["share", "count"]  # kept, never guessed
    assert list(res["targets"]["met"]) == [True, False]  # 2 Serbians of 3 wanted
    orgs = dict(zip(res["organisations"]["org_id"], res["organisations"]["region"], strict=True))
    assert set(orgs) == set(res["allocation"]["org_id"]) and set(orgs.values()) <= {"EU", "WB"}
    assert res["diagnosis"] is None and len(res["unplaced"]) == 2


def test_workbook_sheets_frozen_header_and_text_never_formula(feasible: Path):
    wb = openpyxl.load_workbook(feasible / "allocation.xlsx")
    assert wb.sheetnames == [
        *("allocation", "unplaced", "kpis", "targets", "costs", "partners", "hosts")
    ]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
        assert ws.column_dimensions["A"].width > 5
    alloc = wb["allocation"]
    header = [c.value for c in alloc[1]]
    assert header[:3] == ["participant_id", "activity_id", "org_id"]
    row2 = dict(zip(header, alloc[2], strict=True))
    assert row2["total_eur"].number_format == '#,##0.00 "EUR"'
    assert row2["start_date"].is_date
    unplaced = {r[0].value: r[0] for r in wb["unplaced"].iter_rows(min_row=2)}
    cell = unplaced["1.5e3"]
    assert cell.data_type == "s" and cell.value == "1.5e3"
    costs = {r[0].value: r[-1].value for r in wb["costs"].iter_rows(min_row=2)}
    assert costs["total"] == 7002 and costs["budget"] == 100000


def test_workbook_formula_looking_text_stays_text(tmp_path: Path):
    text = ["=SUM(A1)", "+33", "-2+3", "@cmd", "=1+1"]
    alloc = pd.DataFrame({c: [None] * len(text) for c in run_folder.empty_allocation().columns})
    alloc["participant_id"] = text
    alloc["offer_id"] = text[::-1]
    alloc["total_eur"] = [1.5] * len(text)
    alloc["start_date"] = pd.Timestamp("2020-03-02")
    res = {
        "allocation": alloc,
        "unplaced": pd.DataFrame(
            {"participant_id": text, "activities": "LEARN", "reason": "capacity", "detail": text}
        ),
        "summary": {"quota": {"LEARN": 3}, "placed": {"LEARN": 5}, "cost_eur": {"budget": 10}},
        "targets": pd.DataFrame(columns=run_folder.TARGET_COLUMNS),
    }
    path = write_workbook(tmp_path, res)
    wb = openpyxl.load_workbook(path)
    got = [c.value for c in wb["allocation"]["A"][1:]]
    assert got == text
    for ws in (wb["allocation"], wb["unplaced"]):
        for row in ws.iter_rows(min_row=2):
            for c in row:
                if isinstance(c.value, str):
                    assert c.data_type == "s", (ws.title, c.coordinate, c.value)
    assert [c.value for c in wb["unplaced"]["D"][1:]] == text
    assert wb["allocation"]["H2"].is_date  # start_date


def test_infeasible_run_writes_report_with_diagnosis(tmp_path: Path):
    def edit(meta, tables):
        for r in tables["host_capacity"]:
            r["max_concurrent"] = "0"

    sc = {"name": "inf", "case": "case", "quotas": {"LEARN": {"quota_min": 3}}}
    code, stdout, err, out = _tiny_run(tmp_path, edit, sc)
    assert code == 3, err
    assert {"report.html", "report.ipynb", "allocation.xlsx", "diagnosis.json"} <= {
        p.name for p in out.iterdir()
    }
    assert outside_references((out / "report.html").read_text(encoding="utf-8")) == []
    body = _text_of((out / "report.html").read_text(encoding="utf-8"))
    conflict = "the minimum of 3 placements for Work-based learning is short by 1"
    assert conflict in body and "quota_min" not in body
    # no plan: right after the title the ways out, then the glossary and the headline; the
    # conflicts under their heading; the plan's sections and charts skipped
    order = [
        "<h1",
        "Any one of these makes the plan possible",
        "<h2[^>]*>Words used in this report",
        "<h2[^>]*>Headline figures",
        f"<h2[^>]*>{INFEASIBLE}",
        conflict,
        "<h2[^>]*>Solver and reproducibility",
    ]
    at = [re.search(x, body).start() for x in order]  # type: ignore[union-attr]
    assert at == sorted(at), order
    assert "optimality gap" not in body and "<img" not in body
    assert "alert-warning" not in body and "What the targets cost" not in body
    for h in HEADINGS:
        shown = h in (
            "Words used in this report",
            "Headline figures",
            "Scenario settings",
            "Solver and reproducibility",
        )
        assert bool(re.search(rf"<h2[^>]*>{re.escape(h)}", body)) == shown, h
    assert re.search(rf"<h2[^>]*>{INFEASIBLE}", body)
    wb = openpyxl.load_workbook(out / "allocation.xlsx")
    assert wb["allocation"].max_row == 1  # the header only
    assert "Traceback" not in stdout + err


def test_a_failed_report_keeps_the_earlier_result(feasible: Path, tmp_path: Path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text("earlier")  # an earlier result: --force may replace it

    def broken(*args, **kwargs):
        raise IntervetError("the report notebook failed")

    monkeypatch.setattr(report, "render_notebook", broken)
    scenario = feasible.parent / "s.yaml"
    code, _, err = run_cli("run", str(scenario), "--out", str(out), "--force")
    assert code == 1 and "the report notebook failed" in err
    assert [p.name for p in out.iterdir()] == ["summary.json"]
    assert (out / "summary.json").read_text() == "earlier"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging folder left


def test_parameters_are_checked_against_the_template(tmp_path: Path):
    assert report.parameter_names(TEMPLATE) == {"output_dir"}
    with pytest.raises(InputError, match="code: is not a parameter of the template"):
        report.render_notebook(TEMPLATE, {"code": "1"}, tmp_path)
    with pytest.raises(InputError, match="output_dir: is a list"):
        report.render_notebook(TEMPLATE, {"output_dir": ["."]}, tmp_path)
    report.check_parameters(
        {"batch_dir": 'a"b\\c\n__import__("os")', "output_dir": None},
        {"batch_dir", "output_dir"},
    )
    assert list(tmp_path.iterdir()) == []


def test_committed_template_has_no_outputs_and_only_calls_the_package():
    nb = nbformat.read(str(TEMPLATE), as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and code[0] is params[0]
    imports = [
        line
        for c in code
        for line in c.source.splitlines()
        if line.startswith(("import ", "from "))
    ]
    assert imports == [
        "from intervet_plan.outputs import attainment_plots, placement_plots, report, run_folder, "
        "views",
        "from intervet_plan.outputs import diagnosis_views",
        "from intervet_plan.outputs import shortfall_views",
        "from intervet_plan.outputs import replan_views",
        "from intervet_plan.outputs import blackout_views",
        "from intervet_plan.outputs import host_views",
        "from intervet_plan.outputs import breakdown_views",
        "from intervet_plan.outputs import partner_views",
        "from intervet_plan.outputs import flow_graph",
        "from intervet_plan.outputs import preference_views",
        "from intervet_plan.outputs import selection_views",
        "from intervet_plan.outputs import settings_views",
    ]


def test_figures_on_empty_tables():
    import matplotlib.pyplot as plt

    empty_alloc = run_folder.empty_allocation()
    empty_unplaced = pd.DataFrame(columns=["participant_id", "activities", "reason", "detail"])
    summary = {"quota": {}, "placed": {}, "cost_eur": {"budget": 1000.0}}
    figs = [
        attainment_plots.quota_attainment(summary),
        placement_plots.timeline(empty_alloc),
        placement_plots.cohorts_gantt(empty_alloc),
        attainment_plots.targets_chart(pd.DataFrame(columns=run_folder.TARGET_COLUMNS)),
        attainment_plots.budget_chart(empty_alloc, summary),
        placement_plots.flows_heatmap(empty_alloc),
        flow_graph.flows_network(empty_alloc),
        attainment_plots.preference_satisfaction(empty_alloc),
        attainment_plots.unplaced_reasons(empty_unplaced),
    ]
    for f in figs:
        assert type(f).__name__ == "Figure"
        assert figure.to_png(f)[:4] == b"\x89PNG"
    assert plt.get_fignums() == []  # nothing left in pyplot's global state
