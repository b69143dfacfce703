"""``check`` compares every column of a hand-edited allocation with the case (SPEC 6) and reports
duplicated rows; ``diff`` reports duplicated rows too.

The tiny case's plan (``run`` without targets), line by line of allocation.csv:

====  ===========  ========  ====  ==========  =========  ======  ==============  ====  ======
line  participant  org       ctry  host        distance   gender  fewer_opp.      rank  status
====  ===========  ========  ====  ==========  =========  ======  ==============  ====  ======
2     P1 in O1     RS_BEL    RS    ES_SEV ES   2351.826   F       false           1     planned
3     P2 in O2     RS_BEL    RS    SI_MAR SI   421.151    M       true            1     planned
4     P3 in O2     BA_SAR    BA    SI_MAR SI   370.120    F       false                 planned
5     P5 in O3     IT_FOR    IT    RS_BEL RS   670.535    F       false           1     planned
====  ===========  ========  ====  ==========  =========  ======  ==============  ====  ======
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import yaml

from conftest import run_cli, tiny_tables, write_case
from intervet_plan import api
from intervet_plan.inputs.allocation import read_allocation
from intervet_plan.solve.check import Violation, check_allocation
from intervet_plan.solve.diff import diff_allocations, diff_frames, diff_text


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(case folder, scenario, allocation.csv of its plan), solved once for the module."""
    root = tmp_path_factory.mktemp("columns")
    case = write_case(root / "tiny", *tiny_tables())
    scenario = root / "s.yaml"
    scenario.write_text(yaml.safe_dump({"name": "s", "case": "tiny"}))
    code, _, err = run_cli("run", str(scenario), "--no-report", "--out", str(root / "out"))
    assert code == 0, err
    return case, scenario, root / "out" / "allocation.csv"


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write_rows(path: Path, rows: list[dict[str, str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return path


def edited(alloc: Path, out: Path, line: int, **cells: str) -> Path:
    """A copy of ``alloc`` with the cells of file line ``line`` (2 = first row) replaced."""
    rows = read_rows(alloc)
    rows[line - 2].update(cells)
    return write_rows(out, rows)


SWAPS = re.compile(r"^(no blocking swap: |\d+ blocking swaps? \()", re.M)


def check_cli(case: Path, alloc: Path, *extra: str) -> tuple[int, str]:
    """Exit code and the rule part of check's output (before its blocking swaps, SPEC 8.3,
    which test_fairness checks; here only that they are there)."""
    code, stdout, err = run_cli("check", str(case), str(alloc), *extra)
    assert "Traceback" not in err
    found = SWAPS.search(stdout)
    assert found, stdout
    return code, stdout[: found.start()]


def test_plan_as_written_breaks_no_rule(solved):
    case, _, alloc = solved
    rows = read_rows(alloc)
    assert [(r["participant_id"], r["offer_id"]) for r in rows] == [
        ("P1", "O1"),
        ("P2", "O2"),
        ("P3", "O2"),
        ("P5", "O3"),
    ]
    assert check_cli(case, alloc) == (0, f"{alloc}: no rule broken\n")


EDITS = [
    (
        2,
        {"host_id": "SI_MAR"},
        "column.host_id [P1, O1]: host_id is 'SI_MAR' (line 2), the case gives 'ES_SEV'",
    ),
    (
        3,
        {"start_date": "2020-04-07"},
        "column.start_date [P2, O2]: start_date is '2020-04-07' (line 3), "
        "the case gives '2020-04-06'",
    ),
    (
        5,
        {"end_date": "2020-05-16"},
        "column.end_date [P5, O3]: end_date is '2020-05-16' (line 5), the case gives '2020-05-15'",
    ),
    (4, {"gender": "M"}, "column.gender [P3, O2]: gender is 'M' (line 4), the case gives 'F'"),
    (
        3,
        {"fewer_opportunities": "No"},
        "column.fewer_opportunities [P2, O2]: fewer_opportunities is 'No' (line 3), "
        "the case gives 'true'",
    ),
    (
        2,
        {"preference_rank": "2"},
        "column.preference_rank [P1, O1]: preference_rank is '2' (line 2), the case gives '1'",
    ),
    (
        4,
        {"preference_rank": "1"},
        "column.preference_rank [P3, O2]: preference_rank is '1' (line 4), the case gives ''",
    ),
    (
        5,
        {"status": "fixed"},
        "column.status [P5, O3]: status is 'fixed' (line 5), the case gives 'planned'",
    ),
    (
        4,
        {"org_id": "RS_BEL"},
        "column.org_id [P3, O2]: org_id is 'RS_BEL' (line 4), the case gives 'BA_SAR'",
    ),
    (
        2,
        {"sending_country": "BA"},
        "column.sending_country [P1, O1]: sending_country is 'BA' (line 2), the case gives 'RS'",
    ),
    (
        3,
        {"distance_km": "421.152"},
        "column.distance_km [P2, O2]: distance_km is '421.152' (line 3), the case gives '421.151'",
    ),
    (
        2,
        {"end_date": "not-a-date"},
        "column.end_date [P1, O1]: end_date is 'not-a-date' (line 2), which is not a date in "
        "the form YYYY-MM-DD; the case gives '2020-03-29'",
    ),
    (
        3,
        {"distance_km": "abc"},
        "column.distance_km [P2, O2]: distance_km is 'abc' (line 3), which is not a number; "
        "the case gives '421.151'",
    ),
    (
        3,
        {"fewer_opportunities": "maybe"},
        "column.fewer_opportunities [P2, O2]: fewer_opportunities is 'maybe' (line 3), which "
        "is not a boolean (true/false, yes/no or 1/0); the case gives 'true'",
    ),
    (
        2,
        {"travel_eur": "abc"},
        "cost [P1, O1]: travel_eur is abc, SPEC 3.4 gives 360.00",
    ),
]


@pytest.mark.parametrize(
    ("line", "cells", "want"), EDITS, ids=[f"{next(iter(c))}={v}" for _, c, v in EDITS]
)
def test_a_changed_column_is_one_violation(solved, tmp_path, line, cells, want):
    case, _, alloc = solved
    path = edited(alloc, tmp_path / "edited.csv", line, **cells)
    assert [str(v) for v in check_allocation(api.load(solved[1]), read_allocation(path))] == [want]
    assert check_cli(case, path) == (3, f"1 rule violation in {path}:\n  {want}\n")


def test_cells_that_mean_the_same_agree(solved, tmp_path):
    """Distances within half a metre, booleans in any spelling, whole ranks written as
    decimals, dates with a midnight time (as Excel saves them) all agree with the case."""
    case, _, alloc = solved
    rows = read_rows(alloc)
    rows[0].update(distance_km="2351.8264", fewer_opportunities="NO", preference_rank="1.0")
    rows[1].update(distance_km="421.1505", fewer_opportunities="Yes")
    rows[2].update(fewer_opportunities="0", start_date="2020-04-06 00:00:00")
    rows[3].update(fewer_opportunities="False")
    path = write_rows(tmp_path / "same.csv", rows)
    assert check_cli(case, path) == (0, f"{path}: no rule broken\n")


def test_an_exact_duplicate_line_is_duplicate_row(solved, tmp_path):
    case, _, alloc = solved
    rows = read_rows(alloc)
    path = write_rows(tmp_path / "dup.csv", [*rows, dict(rows[1])])
    assert check_cli(case, path) == (
        3,
        f"1 rule violation in {path}:\n  duplicate_row [P2, O2]: line 6 repeats line 3 exactly\n",
    )


def test_same_placement_with_other_content_stays_one_per_offer(solved, tmp_path):
    """The first row of a placement is the one checked; a differing later row is
    one_per_offer, and a copy of that later row is a duplicate of it."""
    case, scenario, alloc = solved
    rows = read_rows(alloc)
    other = {**rows[0], "gender": "M"}
    path = write_rows(tmp_path / "twice.csv", [*rows, other, dict(other)])
    assert check_allocation(api.load(scenario), read_allocation(path)) == [
        Violation("one_per_offer", "P1, O1", "placed twice in the same offer (line 6)"),
        Violation("duplicate_row", "P1, O1", "line 7 repeats line 6 exactly"),
    ]
    assert check_cli(case, path)[0] == 3


def test_status_follows_the_fixed_placements_of_a_replan(solved, tmp_path):
    """Re-planning from the plan as of 2020-04-01: P1 in O1 (from 2020-03-02) is fixed, so the
    plan as written (all `planned`) disagrees on that row only."""
    case, _, alloc = solved
    replan = tmp_path / "replan.yaml"
    replan.write_text(
        yaml.safe_dump(
            {"name": "r", "case": str(case), "previous_plan": str(alloc), "as_of": "2020-04-01"}
        )
    )
    want = "column.status [P1, O1]: status is 'planned' (line 2), the case gives 'fixed'"
    assert check_cli(case, alloc, "--scenario", str(replan)) == (
        3,
        f"1 rule violation in {alloc}:\n  {want}\n",
    )
    fixed = edited(alloc, tmp_path / "fixed.csv", 2, status="fixed")
    assert check_cli(case, fixed, "--scenario", str(replan)) == (
        0,
        f"{fixed}: no rule broken\n",
    )


def test_diff_reports_duplicated_rows(solved, tmp_path):
    _, _, alloc = solved
    rows = read_rows(alloc)
    old = write_rows(tmp_path / "old.csv", [*rows, dict(rows[3])])  # P5 in O3 twice
    moved = [{**r, "offer_id": "O1"} if r["participant_id"] == "P3" else r for r in rows]
    new = write_rows(tmp_path / "new.csv", [*moved, dict(rows[1]), dict(rows[1])])  # P2 x3
    d = diff_allocations(old, new)
    assert d.fillna("").to_dict("records") == [
        {
            "participant_id": "P5",
            "change": "duplicate",
            "old_offer_id": "O3",
            "new_offer_id": "",
            "old_start_date": "2020-05-11",
            "new_start_date": "",
            "why": "",
        },
        *[
            {
                "participant_id": "P2",
                "change": "duplicate",
                "old_offer_id": "",
                "new_offer_id": "O2",
                "old_start_date": "",
                "new_start_date": "2020-04-06",
                "why": "",
            }
        ]
        * 2,
        {
            "participant_id": "P3",
            "change": "moved",
            "old_offer_id": "O2",
            "new_offer_id": "O1",
            "old_start_date": "2020-04-06",
            "new_start_date": "2020-04-06",
            "why": "",
        },
    ]
    assert diff_text(d) == (
        "moved 1, added 0, dropped 0, duplicate 3 (participants changed: 1)\n"
        f"  duplicate P5: O3 appears 2 times in {old}\n"
        f"  duplicate P2: O2 appears 3 times in {new}\n"
        f"  duplicate P2: O2 appears 3 times in {new}\n"
        "  moved   P3: O2 -> O1"
    )
    assert diff_text(d, old_label="OLD", new_label="NEW").splitlines()[1] == (
        "  duplicate P5: O3 appears 2 times in OLD"
    )


def test_diff_text_without_duplicates_is_what_the_cli_prints(solved, tmp_path):
    _, _, alloc = solved
    rows = read_rows(alloc)
    moved = [{**r, "offer_id": "O1"} if r["participant_id"] == "P3" else r for r in rows]
    new = write_rows(tmp_path / "new.csv", [*moved[1:], {**rows[0], "participant_id": "P4"}])
    text = diff_text(diff_allocations(alloc, new))
    assert text == (
        "moved 1, added 1, dropped 1 (participants changed: 3)\n"
        "  dropped P1: O1\n"
        "  moved   P3: O2 -> O1\n"
        "  added   P4: O1"
    )
    assert run_cli("diff", str(alloc), str(new)) == (0, text + "\n", "")


def test_check_and_diff_take_tables_in_memory(solved):
    """check_allocation and diff_frames need no file: a table read once, or built in code
    (without ``_line``, rows are numbered as in a file with a header)."""
    _, scenario, alloc = solved
    table = read_allocation(alloc)
    ctx = api.load(scenario)
    assert check_allocation(ctx, table.drop(columns="_line")) == []
    moved = table.copy()
    moved.loc[moved["participant_id"] == "P3", "offer_id"] = "O1"
    assert diff_frames(table, moved).to_dict("records") == [
        {
            "participant_id": "P3",
            "change": "moved",
            "old_offer_id": "O2",
            "new_offer_id": "O1",
            "old_start_date": "2020-04-06",
            "new_start_date": "2020-04-06",
            "why": None,
        }
    ]
    found = {(v.rule, v.ids) for v in check_allocation(ctx, moved.drop(columns="_line"))}
    assert ("eligibility.sector", "P3, O1") in found
