"""Progress on stderr (intervet_plan.progress) and the markers of solver.log.

The command line is run with stderr captured (not a terminal), so each stage is a line; with
``progress.AFTER_S = 0`` every stage is shown as it starts, however short. stdout stays as it
was: the tests of the other commands parse it.
"""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest
import yaml

from conftest import run_cli
from intervet_plan import progress
from intervet_plan.solve.driver import LOG_NOTE


@pytest.fixture
def every_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "AFTER_S", 0.0)


LEVELS = ["placements", "stability", "targets", "priority", "preferences", "cost"]
RUN_STAGES = [
    "reading the scenario and its case",
    "building the model",
    *(f"solving level {i} of 6: {name}" for i, name in enumerate(LEVELS, 1)),
    "checking the selection: blocking swaps and reserves",
    "placements/targets frontier: where it ends",
    "placements/targets frontier: point 1 of 3",
    "placements/targets frontier: point 2 of 3",
    "placements/targets frontier: point 3 of 3",
    "writing allocation.csv, unplaced.csv and summary.json",
    "writing allocation.xlsx",
]


def _seconds_masked(text: str) -> str:
    return re.sub(r"\d+\.\d+ s\b", "_ s", text)


def test_run_prints_a_line_per_stage_and_leaves_stdout_alone(
    women: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    quiet = run_cli("run", str(women), "--no-report", "--out", str(tmp_path / "quiet"))
    monkeypatch.setattr(progress, "AFTER_S", 0.0)
    code, stdout, err = run_cli("run", str(women), "--no-report", "--out", str(tmp_path / "o"))
    assert code == 0, err
    assert err.splitlines() == RUN_STAGES
    # stdout is what it was without progress (the folder and the seconds aside)
    assert _seconds_masked(stdout.replace(str(tmp_path / "o"), "OUT")) == _seconds_masked(
        quiet[1].replace(str(tmp_path / "quiet"), "OUT")
    )
    assert not any(line in stdout for line in RUN_STAGES)


def test_the_report_stage_says_what_it_does(women: Path, tmp_path: Path, every_stage: None):
    out = tmp_path / "o"
    code, _, err = run_cli("run", str(women), "--out", str(out))
    assert code == 0, err
    assert err.splitlines()[-1] == "writing the report (running its notebook)"
    # the second run into the same folder knows how long the report took last time
    code, _, err = run_cli("run", str(women), "--out", str(out))
    assert code == 0, err
    assert re.fullmatch(r"writing the report \(about \d+ s last time\)", err.splitlines()[-1])


def test_solver_log_marks_each_level_in_order(women: Path, tmp_path: Path):
    out = tmp_path / "o"
    code, _, err = run_cli("run", str(women), "--no-report", "--out", str(out))
    assert code == 0, err
    log = (out / "solver.log").read_text(encoding="utf-8")
    assert log.startswith(LOG_NOTE) and log.count(LOG_NOTE) == 1  # once, at the top
    opened = re.findall(r"^==== level (\d+) of (\d+): (\w+) \((max|min)\) ====$", log, re.M)
    assert [(int(i), int(n), name) for i, n, name, _ in opened] == [
        (i, 6, name) for i, name in enumerate(LEVELS, 1)
    ]
    senses = {name: sense for _, _, name, sense in opened}
    assert senses == {
        "placements": "max",
        "stability": "min",
        "targets": "min",
        "priority": "max",
        "preferences": "max",
        "cost": "min",
    }
    closed = re.findall(r"^---- level (\d+): (\w+), value ([\d,.]+) \(", log, re.M)
    assert [int(i) for i, _, _ in closed] == list(range(1, 7))
    assert [v for _, _, v in closed][:3] == ["5", "0", "2"]  # placements, stability, targets
    # each level's block sits between its marker and its closing line
    starts = [log.index(f"==== level {i} of 6") for i in range(1, 7)]
    ends = [log.index(f"---- level {i}:") for i in range(1, 7)]
    assert all(s < e for s, e in zip(starts, ends, strict=True))
    assert all(e < s for e, s in zip(ends, starts[1:], strict=False))
    assert "LP has" not in log[: starts[0]]  # nothing of HiGHS before the first marker


def test_note_on_badly_scaled_says_what_is_checked():
    assert "badly scaled" in LOG_NOTE
    assert "EUR" in LOG_NOTE and "0/1" in LOG_NOTE
    assert "checked against every row" in LOG_NOTE
    assert "intervet-plan check" in LOG_NOTE


def test_tradeoff_prints_its_points(women: Path, tmp_path: Path, every_stage: None):
    out = tmp_path / "t"
    code, stdout, err = run_cli(
        "tradeoff", str(women), "--between", "placements,targets", "--out", str(out)
    )
    assert code == 0, err
    assert err.splitlines() == [
        "reading the scenario and its case",
        "building the model",
        "placements/targets frontier: where it ends",
        "placements/targets frontier: point 1 of 3",
        "placements/targets frontier: point 2 of 3",
        "placements/targets frontier: point 3 of 3",
    ]
    assert "frontier:" not in stdout


def test_batch_prints_each_run_then_the_comparison(women: Path, tmp_path: Path, every_stage: None):
    other = tmp_path / "other.yaml"
    other.write_text(yaml.safe_dump({"name": "other", "case": "tiny", "budget_eur": 3000}))
    out = tmp_path / "batch"
    code, stdout, err = run_cli("batch", str(women), str(other), "--out", str(out), "--no-report")
    assert code == 0, err
    lines = err.splitlines()
    done = [line for line in lines if line.startswith("batch: ")]
    assert len(done) == 2
    assert done[0].startswith("batch: 1 of 2 runs done (")
    assert done[1].startswith("batch: 2 of 2 runs done (")
    assert {re.search(r"\((\w+): optimal\)", d).group(1) for d in done} == {"women", "other"}  # type: ignore[union-attr]
    assert lines.index("writing comparison.html") > lines.index(done[1])
    assert "writing comparison.html" not in stdout and "runs done" not in stdout


def test_progress_is_off_unless_shown(capsys: pytest.CaptureFixture[str]):
    with progress.stage("nothing to see"):
        pass
    counter = progress.counter("batch", 2, "run")
    counter.done("a")
    assert capsys.readouterr() == ("", "") and counter.stream is None


def test_a_stage_is_shown_once_it_lasts(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(progress, "AFTER_S", 0.2)
    err = io.StringIO()
    with progress.shown(err):
        with progress.stage("quick"):
            pass
        with progress.stage("slow"):
            time.sleep(0.8)
    assert err.getvalue() == "slow\n"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_bar_that_is_erased(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(progress, "AFTER_S", 0.0)
    tty = _Terminal()
    with progress.shown(tty), progress.stages(2) as begin:
        begin("solving level 1 of 2: placements")
        time.sleep(0.4)
        begin("solving level 2 of 2: cost")
        time.sleep(0.4)
    text = tty.getvalue()
    assert "\n" not in text  # redrawn in place with carriage returns
    assert "solving level 1 of 2: placements" in text and "solving level 2 of 2: cost" in text
    assert text.rstrip("\r").rsplit("\r", 1)[-1].strip() == ""  # erased at the end
