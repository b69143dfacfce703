"""The report's sections "Selection audit" and "Reserves" (SPEC 8.3, 8.4), on the tiny
fairness case of test_fairness (worked by hand there): P3 (priority 1) could take P4's seat
(priority 0) in O2, kept by the targets; reserves.csv gives P2's seat in O2 two reserves, P4's
seat one and P5's seat in O3 one, and P1's seat in O1 none: 3 of the 4 placements have a
reserve, and O1 (Work-based learning at Incoma, from 2020-03-02) is the one offer with none.
Activities and hosts appear by name, offers by id (to trace the row)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import run_cli, tiny_tables, write_case
from intervet_plan.outputs import run_folder, selection_views
from intervet_plan.solve.fairness import SWAP_COLUMNS
from test_fairness import fair_case

AUDIT = (
    "1 applicant was passed over for someone of lower priority, in 1 blocking swap, kept by "
    "the targets."
)
NOBODY = (
    "Nobody was passed over for someone of lower priority: every unplaced applicant who could "
    "have taken a seat has a priority no higher than its holder's."
)
RESERVES = "3 of 4 placements have a reserve; 1 has none."
NO_RESERVE = (
    "1 offer has no reserve for any of its placements: if someone placed there withdraws, "
    "nobody can be called in their place."
)


@pytest.fixture(scope="module")
def fair_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fair")
    code, out, err = run_cli("run", str(fair_case(root)), "--out", str(root / "out"))
    assert code == 0, out + err
    return root / "out"


def _text(html: str) -> str:
    body = re.sub(r"<style.*?</style>|<script.*?</script>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def test_read_run_gives_both_tables_typed(fair_out: Path):
    res = run_folder.read_run(fair_out)
    assert res["audited"]
    f = res["fairness"]
    assert f.values.tolist() == [
        [
            "P3",
            1.0,
            "O2",
            "P4",
            0.0,
            "targets",
            "x_learners would fall from 1 to 0, below its minimum of 1",
        ]
    ]
    assert str(f["priority"].dtype) == "float64" == str(f["displaced_priority"].dtype)
    r = res["reserves"]
    assert list(r.columns) == [
        "offer_id",
        "participant_id",
        "rank",
        "reserve_participant_id",
        "reserve_priority",
    ]
    assert r["rank"].tolist() == [1, 2, 1, 1] and str(r["rank"].dtype) == "int64"
    assert r["reserve_priority"].tolist() == [1.5, 1.0, 1.0, 0.0]


def test_views_worked_by_hand(fair_out: Path):
    res = run_folder.read_run(fair_out)
    text = selection_views.audit_text(res)
    assert text is not None and text.startswith("## Selection audit\n\n")
    assert text.endswith("\n\n" + AUDIT)
    table = selection_views.audit_table(res)
    assert table is not None
    assert table.values.tolist() == [
        [
            "P3",
            1.0,
            "O2",
            "Work-based learning",
            "ZNI (SI)",
            "P4",
            0.0,
            "the targets",
            "x_learners would fall from 1 to 0, below its minimum of 1",
        ]
    ]
    assert selection_views.audit_note(res) == "The full list is in `fairness.csv`."
    reserves = selection_views.reserves_text(res)
    assert reserves is not None and reserves.endswith("\n\n" + RESERVES)
    by = selection_views.reserve_table(res)
    assert by is not None
    assert by.values.tolist() == [
        ["Work-based learning", 3, 2, 0],
        ["Teaching assignment", 1, 1, 0],
        ["total", 4, 3, 0],
    ]
    assert list(by.columns) == ["activity", "placements", "with a reserve", "with 3 reserves"]
    assert selection_views.unreserved_text(res) == NO_RESERVE
    offers = selection_views.unreserved_offers(res)
    assert offers is not None
    assert offers.values.tolist() == [["O1", "Work-based learning", "Incoma (ES)", "2020-03-02", 1]]
    assert selection_views.unreserved_note(res) is None  # no more than the table shows


def test_report_shows_both_sections_after_the_unplaced_applicants(fair_out: Path):
    html = (fair_out / "report.html").read_text(encoding="utf-8")
    assert re.search(r"<h2[^>]*>Selection audit", html) and re.search(r"<h2[^>]*>Reserves", html)
    text = _text(html)
    assert AUDIT in text and RESERVES in text and NO_RESERVE in text
    assert "The full list is in fairness.csv ." in text
    assert "P3 1 O2 Work-based learning ZNI (SI) P4 0 the targets x_learners would fall" in text
    assert "Work-based learning 3 2 0 Teaching assignment 1 1 0 total 4 3 0" in text
    assert "O1 Work-based learning Incoma (ES) 2020-03-02 1" in text
    at = [text.index(h) for h in ("Unplaced applicants", AUDIT, RESERVES, "Solver and")]
    assert at == sorted(at)
    assert "Traceback" not in text and "Error" not in text


def test_a_plan_without_blocking_swaps_says_nobody_was_passed_over(tmp_path: Path):
    """The tiny case without targets: priority comes right after placements (test_fairness)."""
    meta, tables = tiny_tables()
    write_case(tmp_path / "case", meta, tables)
    path = tmp_path / "plain.yaml"
    path.write_text(yaml.safe_dump({"name": "plain", "case": "case"}), encoding="utf-8")
    code, out, err = run_cli("run", str(path), "--out", str(tmp_path / "out"))
    assert code == 0, out + err
    res = run_folder.read_run(tmp_path / "out")
    assert res["fairness"].empty and res["audited"]
    assert selection_views.audit_table(res) is None and selection_views.audit_note(res) is None
    text = _text((tmp_path / "out" / "report.html").read_text(encoding="utf-8"))
    assert NOBODY in text and "fairness.csv ." not in text


def test_a_folder_from_before_the_audit_says_so(fair_out: Path, tmp_path: Path):
    old = tmp_path / "old"
    shutil.copytree(fair_out, old)
    (old / "fairness.csv").unlink()
    (old / "reserves.csv").unlink()
    res = run_folder.read_run(old)
    assert not res["audited"] and res["fairness"].empty and res["reserves"].empty
    assert list(res["fairness"].columns) == SWAP_COLUMNS
    assert str(res["reserves"]["rank"].dtype) == "int64"
    text = selection_views.audit_text(res)
    assert text is not None and "no `fairness.csv`" in text and NOBODY not in text
    assert "no `reserves.csv`" in str(selection_views.reserves_text(res))
    for view in (
        selection_views.reserve_table,
        selection_views.unreserved_text,
        selection_views.unreserved_offers,
        selection_views.unreserved_note,
    ):
        assert view(res) is None


def test_an_infeasible_run_has_neither_section(tmp_path: Path):
    """Two learners of gender X wanted as a hard target; the case has one (P4)."""
    path = fair_case(tmp_path)
    scenario = yaml.safe_load(path.read_text(encoding="utf-8"))
    scenario["targets"][0].update(min=2, hard=True)
    path.write_text(yaml.safe_dump(scenario), encoding="utf-8")
    code, out, err = run_cli("run", str(path), "--out", str(tmp_path / "out"))
    assert code == 3, out + err
    names = {p.name for p in (tmp_path / "out").iterdir()}
    assert "report.html" in names and not {"fairness.csv", "reserves.csv"} & names
    res = run_folder.read_run(tmp_path / "out")
    assert res["fairness"].empty and res["reserves"].empty and not res["audited"]
    for view in (
        selection_views.audit_text,
        selection_views.audit_table,
        selection_views.audit_note,
        selection_views.reserves_text,
        selection_views.reserve_table,
        selection_views.unreserved_text,
        selection_views.unreserved_offers,
        selection_views.unreserved_note,
    ):
        assert view(res) is None
    text = _text((tmp_path / "out" / "report.html").read_text(encoding="utf-8"))
    assert "Selection audit" not in text and "Reserves" not in text
    assert "Nobody was passed over" not in text and "Traceback" not in text
