"""``diff`` says why a placement changed after a re-plan (SPEC 7), and allocation.xlsx of a
re-plan has a ``cancelled`` sheet: on the hand-worked re-plan of test_replan.

The previous plan (test_replan's, with each offer's end_date) against the re-plan: P1 in O1
is interrupted (ends 2020-03-19 instead of 2020-03-29, the day before the blackout
2020-03-20 to 2020-04-30); P2's O2 was to start on 2020-04-06, inside the blackout: cancelled,
and P2 is placed again in O5; P3's O2 is done and kept (no change); P4 withdrew; P6's O6 was
cancelled by its status and P6 is not placed again (O3, the only TEACH offer left, holds P5);
P5 keeps O3.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from conftest import run_cli
from intervet_plan import api
from intervet_plan.inputs.allocation import RunNotes
from intervet_plan.inputs.scenario import Blackout
from intervet_plan.solve.diff import diff_frames
from test_replan import PREVIOUS, write_replan

# the end_date of each previous-plan row: the end of its offer
PREVIOUS_ENDS = ["2020-03-29", "2020-05-03", "2020-05-03", "2020-03-13", "2020-06-28", "2020-05-15"]
HEAD = "moved 1, added 0, dropped 2, interrupted 1 (participants changed: 4)"
WHY = [
    "  interrupted P1: O1 -- ends 2020-03-19 instead of 2020-03-29, the day before the blackout",
    "  moved   P2: O2 -> O5 -- cancelled: it was to start on 2020-04-06, inside the blackout "
    "2020-03-20 to 2020-04-30; placed again in O5",
    "  dropped P4: O5 -- withdrew (listed under withdrawn)",
    "  dropped P6: O6 -- cancelled: the previous plan's status says cancelled; not placed "
    "again: no room (the only eligible offer is full or at their host's limit of participants "
    "at a time)",
]
PLAIN = [
    "  interrupted P1: O1 -- ends 2020-03-19 instead of 2020-03-29",
    "  moved   P2: O2 -> O5",
    "  dropped P4: O5",
    "  dropped P6: O6",
]


@pytest.fixture(scope="module")
def replan(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the previous plan with end dates, the re-plan's run folder), run once."""
    root = tmp_path_factory.mktemp("diffwhy")
    s = write_replan(root)
    PREVIOUS.assign(end_date=PREVIOUS_ENDS).to_csv(root / "prev.csv", index=False)
    code, _out, err = run_cli("run", str(s), "--out", str(root / "out"), "--no-report")
    assert code == 0, err
    return root / "prev.csv", root / "out"


def diff_lines(old: Path, new: Path) -> list[str]:
    code, out, err = run_cli("diff", str(old), str(new))
    assert (code, err) == (0, "")
    return out.splitlines()


def test_diff_of_a_replan_says_why(replan):
    prev, out = replan
    assert diff_lines(prev, out / "allocation.csv") == [HEAD, *WHY]


def test_diff_outside_a_run_folder_has_no_reasons_but_the_rows(replan, tmp_path):
    """Plain CSVs diff as before; only what the rows themselves say (an interrupted status
    and its end_date) is told, without the blackout, which only summary.json gives."""
    prev, out = replan
    for new in (tmp_path / "new.csv", tmp_path / "alone" / "allocation.csv"):
        new.parent.mkdir(exist_ok=True)
        shutil.copy(out / "allocation.csv", new)
        assert diff_lines(prev, new) == [HEAD, *PLAIN]
    # a run folder's allocation.csv diffs against itself as no change at all
    assert diff_lines(out / "allocation.csv", out / "allocation.csv") == [
        "moved 0, added 0, dropped 0 (participants changed: 0)"
    ]


def test_diff_with_part_of_the_run_folder(replan, tmp_path):
    """Without summary.json the blackout is unknown: "cancelled by a blackout"; without
    unplaced.csv nothing is said of the participants left out."""
    prev, out = replan
    folder = tmp_path / "part"
    folder.mkdir()
    for name in ("allocation.csv", "cancelled.csv"):
        shutil.copy(out / name, folder / name)
    assert diff_lines(prev, folder / "allocation.csv") == [
        HEAD,
        PLAIN[0],
        "  moved   P2: O2 -> O5 -- cancelled by a blackout; placed again in O5",
        "  dropped P4: O5",
        "  dropped P6: O6 -- cancelled: the previous plan's status says cancelled",
    ]


def test_diff_without_the_old_end_dates(replan, tmp_path):
    """A previous plan without end_date (test_replan's) still shows the interruption."""
    prev, out = replan
    old = tmp_path / "prev.csv"
    pd.read_csv(prev, dtype=str).drop(columns="end_date").to_csv(old, index=False)
    assert diff_lines(old, out / "allocation.csv")[1] == (
        "  interrupted P1: O1 -- ends 2020-03-19, the day before the blackout"
    )


def test_api_diff_of_a_replan_plan(tmp_path):
    """api.diff takes the re-plan's Plan and gives the reasons its run folder would."""
    before = api.solve(api.build(api.load(write_replan(tmp_path / "a", {"blackouts": []}))))
    plan = api.solve(api.build(api.load(write_replan(tmp_path / "b"))))
    d = api.diff(before.allocation, plan)
    assert list(d.columns)[-1] == "why"
    got = {(r.participant_id, r.change): r.why for r in d.itertuples()}
    assert got == {
        ("P1", "interrupted"): "ends 2020-03-19 instead of 2020-03-29, the day before the blackout",
        ("P2", "moved"): "cancelled: it was to start on 2020-04-06, inside the blackout "
        "2020-03-20 to 2020-04-30; placed again in O5",
    }
    # two tables alone: the interruption only, from the rows
    assert api.diff(before, plan.allocation)["why"].tolist() == [
        "ends 2020-03-19 instead of 2020-03-29",
        None,
    ]


def test_workbook_of_a_replan_has_a_cancelled_sheet(replan, tmp_path):
    _prev, out = replan
    wb = openpyxl.load_workbook(out / "allocation.xlsx")
    assert wb.sheetnames == [
        *("allocation", "unplaced", "kpis", "targets", "costs", "cancelled", "partners", "hosts")
    ]
    rows = [tuple(c.value for c in row) for row in wb["cancelled"].iter_rows()]
    day = dt.datetime
    assert rows == [
        ("participant_id", "offer_id", "start_date", "end_date", "reason"),
        ("P2", "O2", day(2020, 4, 6), day(2020, 5, 3), "blackout"),
        ("P6", "O6", day(2020, 3, 9), day(2020, 3, 13), "status"),
    ]
    assert wb["cancelled"]["C2"].number_format == "yyyy-mm-dd"

    # a run that is not a re-plan has no cancelled sheet
    s = write_replan(tmp_path)
    text = yaml.safe_load(s.read_text())
    for k in ("previous_plan", "as_of", "withdrawn"):
        del text[k]
    s.write_text(yaml.safe_dump(text))
    code, _out, err = run_cli("run", str(s), "--out", str(tmp_path / "out"), "--no-report")
    assert code == 0, err
    wb = openpyxl.load_workbook(tmp_path / "out" / "allocation.xlsx")
    assert wb.sheetnames == [
        *("allocation", "unplaced", "kpis", "targets", "costs", "partners", "hosts")
    ]


def test_a_blackout_of_some_countries_is_named_with_them():
    """The blackout named is one that covers the start and applies to the old row's host or
    sending country; when none does, the cancellation is told without it."""
    old = pd.DataFrame(
        {
            "participant_id": ["P1", "P2"],
            "offer_id": ["O1", "O2"],
            "start_date": ["2020-04-06", "2020-04-06"],
            "sending_country": ["AL", "AL"],
            "host_country": ["RS", "ES"],
        }
    )
    cancelled = old[["participant_id", "offer_id", "start_date"]].assign(reason="blackout")
    stop = Blackout(dt.date(2020, 3, 20), dt.date(2020, 4, 30), frozenset({"RS", "BA"}))
    d = diff_frames(old, old.iloc[:0], RunNotes(cancelled=cancelled, blackouts=(stop,)))
    assert d["why"].tolist() == [
        "cancelled: it was to start on 2020-04-06, inside the blackout 2020-03-20 to "
        "2020-04-30 (BA, RS)",
        "cancelled by a blackout",
    ]
