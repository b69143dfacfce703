"""The report's "Re-plan after the disruption" section (SPEC 7), on the tiny re-plan of
test_replan (worked by hand there): before as_of 2020-05-01, P3 went ahead (done), P1 was
cut short, P2 was cancelled by the blackout and P6 by its status; of the planned rows P5 is
kept and P4 (withdrawn) dropped; P2 is placed again (added)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from conftest import run_cli
from intervet_plan.outputs import replan_views, run_folder
from test_replan import write_replan

SENTENCE = (
    "Of the 4 placements that started before 2020-05-01, 2 never took place (1 cancelled by "
    "the stop 2020-03-20 to 2020-04-30, 1 marked cancelled in the previous plan), 1 was cut "
    "short by it and 1 went ahead; of the 2 planned ones, 1 is kept, 0 moved and 1 dropped; "
    "1 placement is added."
)


@pytest.fixture(scope="module")
def replan_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("replan")
    code, _, err = run_cli("run", str(write_replan(root)), "--out", str(root / "out"))
    assert code == 0, err
    return root / "out"


def _text(html: str) -> str:
    body = re.sub(r"<style.*?</style>|<script.*?</script>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def test_read_run_gives_the_counts_and_the_cancellations(replan_out: Path):
    res = run_folder.read_run(replan_out)
    assert res["replan"] == {
        "fixed": 1,
        "interrupted": 1,
        "cancelled": 2,
        "kept": 1,
        "moved": 0,
        "dropped": 1,
        "added": 1,
    }
    c = res["cancelled"]
    assert list(c["participant_id"]) == ["P2", "P6"] and list(c["reason"]) == ["blackout", "status"]
    assert str(c["start_date"].dtype).startswith("datetime64")
    assert replan_views.replan_text(res) == "## Re-plan after the disruption\n\n" + SENTENCE
    by = replan_views.cancelled_table(res)
    assert by is not None
    assert by.values.tolist() == [
        ["a blackout covers its start", "Work-based learning", 1],
        ["marked cancelled in the previous plan", "Teaching assignment", 1],
    ]
    assert list(by.columns) == ["reason", "activity", "cancelled placements"]
    ex = replan_views.cancelled_examples(res)
    assert ex is not None and list(ex["participant"]) == ["P2", "P6"]
    assert list(ex["activity"]) == ["Work-based learning", "Teaching assignment"]
    assert replan_views.cancelled_note(res) is None  # 2 rows: no more than the examples


def test_report_says_what_was_cancelled_and_replanned(replan_out: Path):
    html = (replan_out / "report.html").read_text(encoding="utf-8")
    assert re.search(r"<h2[^>]*>Re-plan after the disruption", html)
    text = _text(html)
    assert SENTENCE in text
    assert "cut short by the stop 1" in text and "added by the re-plan 1" in text
    # right after the headline figures, before the quota section
    assert text.index("Headline figures") < text.index(SENTENCE) < text.index("Quota attainment")
    assert "Traceback" not in text and "Error" not in text
    # a re-plan tells what became of the previous plan, not what its blackout closed
    assert "What the stop cancelled" not in text
    summary = run_folder.read_run(replan_out)["summary"]
    assert "blackout_effect" not in summary and summary["blackouts"][0]["from"] == "2020-03-20"


def test_a_plain_run_has_no_replan_section(tmp_path: Path):
    s = write_replan(tmp_path)
    text = yaml.safe_load(s.read_text())
    for k in ("previous_plan", "as_of", "withdrawn"):
        del text[k]
    plain = tmp_path / "plain.yaml"
    plain.write_text(yaml.safe_dump(text))
    code, _, err = run_cli("run", str(plain), "--out", str(tmp_path / "out"))
    assert code == 0, err
    res = run_folder.read_run(tmp_path / "out")
    assert res["replan"] is None and res["cancelled"].empty
    assert list(res["cancelled"].columns) == [
        "participant_id",
        "offer_id",
        "start_date",
        "end_date",
        "reason",
    ]
    assert replan_views.replan_text(res) is None and replan_views.replan_table(res) is None
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Re-plan" not in html and "never took place" not in html
    # the same blackout, planned from scratch: the report tells what it closed instead
    assert "What the stop cancelled" in html
