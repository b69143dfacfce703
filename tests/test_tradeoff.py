"""The frontier between two adjacent objective levels (SPEC 8.2), worked by hand on the tiny
case (tests/conftest.py), and the refusals of ``intervet-plan tradeoff``.

The scenario ``women``: LEARN's quota raised to 4 and one soft target, every placed learner a
woman (``share_of: {gender: F}, among: learner, min: 1.0``), so its shortfall is the number
of placed learners who are not women. Eligible learners (SPEC 3.1): P1 (F) for O1 and O2,
P2 (M) for O1 and O2, P3 (F) for O2 only (sector), P4 (X) for O1 and O2; O1 and O2 have two
seats each, so all four learners fit (P3 in O2). TEACH (quota 1) takes one of P5, P6.

- placements optimum: 4 learners + 1 teacher = 5; the targets then: 4 learners, 2 women,
  shortfall 4 - 2 = 2. The scenario's own point is (5, 2).
- targets optimised first: shortfall 0 needs no man nor X among the learners: P1, P3 and
  one teacher, 3 placements: the walk ends at (3, 0).
- between: 4 placements leave out one learner, at best P2 or P4: shortfall 3 - 2 = 1.

So tradeoff.csv is (5, 2), (4, 1), (3, 0); with ``--points 2`` the two ends only.

``run`` of the same scenario finds its soft target 2 persons short, so it walks the same
frontier into its own folder (SPEC 8.2: what meeting the targets would cost in placements).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from conftest import run_cli
from intervet_plan import api
from intervet_plan.errors import NoPlanError
from intervet_plan.model.build import Goal
from intervet_plan.outputs import run_folder, shortfall, shortfall_views
from intervet_plan.outputs.tradeoff import frontier_csv, frontier_figure
from intervet_plan.solve.tradeoff import Frontier, Point
from intervet_plan.solve.types import Status

ROOT = Path(__file__).resolve().parents[1]


def test_frontier_worked_by_hand(women: Path, tmp_path: Path) -> None:
    out = tmp_path / "frontier"
    code, stdout, stderr = run_cli(
        "tradeoff", str(women), "--between", "placements,targets", "--out", str(out)
    )
    assert code == 0, stderr
    assert (out / "tradeoff.csv").read_text() == "placements,targets\n5,2\n4,1\n3,0\n"
    assert "2 fewer placements meet every soft target." in stdout


def test_points_evenly_spaced(women: Path, tmp_path: Path) -> None:
    out = tmp_path / "two"
    code, _, stderr = run_cli(
        "tradeoff", str(women), "--between", "placements,targets", "--points", "2",
        "--out", str(out),
    )  # fmt: skip
    assert code == 0, stderr
    assert (out / "tradeoff.csv").read_text() == "placements,targets\n5,2\n3,0\n"


def test_default_folder_and_html(women: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, stderr = run_cli("tradeoff", str(women), "--between", "placements,targets")
    assert code == 0, stderr
    page = tmp_path / "reports" / "women-tradeoff-placements-targets" / "tradeoff.html"
    text = page.read_text()
    assert "The scenario&#x27;s plan: 5 placements, 2 persons short of the targets." in text
    assert "1 fewer placement leaves the soft targets 1 person short (instead of 2)." in text
    assert "2 fewer placements meet every soft target." in text
    assert 'src="data:image/png;base64,' in text
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", text)


def test_api_returns_the_frontier(women: Path) -> None:
    df = api.tradeoff(women, "placements,targets")
    expected = pd.DataFrame({"placements": [5, 4, 3], "targets": [2, 1, 0]}).astype("Int64")
    pd.testing.assert_frame_equal(df, expected)
    assert df.attrs["sentences"][-1] == (
        "Giving up more placements does not improve targets any further."
    )


ORDER = "placements, stability, targets, priority, preferences, cost"


@pytest.mark.parametrize(
    ("between", "message"),
    [
        (
            "placements,budget",
            "'budget' is not an objective level of this scenario; its levels in order are: "
            + ORDER,
        ),
        (
            "targets,placements",
            f"'targets' must come before 'placements' in the scenario's objective order "
            f"({ORDER}); give --between placements,targets",
        ),
        (
            "placements,priority",
            f"'placements' and 'priority' are not adjacent in the scenario's objective order "
            f"({ORDER}): targets lies between them; choose two neighbouring levels",
        ),
        ("placements", "give two objective levels as A,B (e.g. placements,targets), not "),
    ],
)
def test_refusals(women: Path, tmp_path: Path, between: str, message: str) -> None:
    out = tmp_path / "refused"
    code, _, stderr = run_cli("tradeoff", str(women), "--between", between, "--out", str(out))
    assert code == 2
    assert "--between: " + message in stderr
    assert not out.exists()


@pytest.mark.slow
def test_budget_tight_frontier(tmp_path: Path) -> None:
    """The shipped budget_tight (EUR 1.1 M): 619 placements leave the soft targets 67.25
    persons short; one placement fewer meets both (checked by a solve with placements >= 618
    and the targets level alone)."""
    out = tmp_path / "tight"
    code, _, stderr = run_cli(
        "tradeoff", str(ROOT / "scenarios" / "budget_tight.yaml"),
        "--between", "placements,targets", "--points", "5", "--out", str(out),
    )  # fmt: skip
    assert code == 0, stderr
    assert (out / "tradeoff.csv").read_text() == "placements,targets\n619,67.25\n618,0\n"


# ------------------------------------------------------- a run whose soft targets fall short


def _text(page: str) -> str:
    body = re.sub(r"<style.*?</style>|<script.*?</script>", "", page, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def test_csv_writes_whole_numbers_without_decimals_and_keeps_fractions() -> None:
    f = Frontier(
        "placements", "targets", Goal.MAXIMISE, Goal.MINIMISE,
        [Point(619, 67.25, Status.OPTIMAL), Point(618.0, 0.0, Status.OPTIMAL),
         Point(617.0, 1 / 3, Status.FEASIBLE), Point(616.0, None, Status.NO_PLAN)],
        (610, 0), 1.0, 1.0,
    )  # fmt: skip
    assert frontier_csv(f) == (
        "placements,targets,status\n619,67.25,optimal\n618,0,optimal\n"
        "617,0.333333,feasible\n616,,no_plan\n"
    )
    ticks = frontier_figure(f).axes[0].get_xticks()
    assert all(float(t).is_integer() for t in ticks)  # whole placements on the x axis


def test_run_walks_the_frontier_worked_by_hand(women: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    code, stdout, stderr = run_cli("run", str(women), "--no-report", "--out", str(out))
    assert code == 0, stderr
    assert (out / "tradeoff.csv").read_text() == "placements,targets\n5,2\n4,1\n3,0\n"
    assert (
        "\n  soft targets fall 2 short; meeting them would cost 2 placements (tradeoff.csv)\n"
        in stdout
    )
    summary = json.loads((out / "summary.json").read_text())
    assert summary["tradeoff"] == {
        "between": ["placements", "targets"],
        "file": "tradeoff.csv",
        "end": {"placements": 3, "targets": 0},
        "a_step": 1,
        "proven": True,
        "note": None,
    }
    assert summary["timings_s"]["tradeoff"] > 0
    # what the report shows, from the folder alone
    res = run_folder.read_run(out)
    assert shortfall_views.shortfall_warning(res) == (
        "Soft targets fall short by 2; meeting them would cost 2 placements (5 -> 3)."
    )
    text = shortfall_views.targets_cost_text(res)
    assert text is not None and text.startswith("## What the targets cost\n")
    assert "- 1 fewer placement leaves the soft targets 1 person short (instead of 2)." in text
    table = shortfall_views.targets_cost_table(res)
    assert table is not None
    # tradeoff.csv is one of a run's own files: --force replaces the folder
    code, _, stderr = run_cli("run", str(women), "--no-report", "--out", str(out), "--force")
    assert code == 0, stderr
    assert not list(tmp_path.glob("run.prev-*"))
    assert table.values.tolist() == [
        ["5", "0", "2", "the scenario's plan"],
        ["4", "1", "1", "leaves the soft targets 1 person short"],
        ["3", "2", "0", "meets every soft target"],
    ]
    assert shortfall_views.targets_cost_figure(res) is not None


@pytest.mark.parametrize(
    ("order", "note"),
    [
        (
            ["placements", "priority", "targets"],
            "'placements' and 'targets' are not adjacent in the scenario's objective order "
            "(placements, priority, targets): priority lies between them",
        ),
        (
            ["placements", "cost"],
            "targets is not among the scenario's objective levels (placements, cost), so the "
            "plan does not trade placements for targets",
        ),
    ],
)
def test_run_says_why_it_walks_no_frontier(
    women: Path, tmp_path: Path, order: list[str], note: str
) -> None:
    sc = yaml.safe_load(women.read_text())
    sc["objective"] = order
    s = tmp_path / "apart.yaml"
    s.write_text(yaml.safe_dump(sc))
    out = tmp_path / "apart"
    code, stdout, stderr = run_cli("run", str(s), "--no-report", "--out", str(out))
    assert code == 0, stderr
    assert not (out / "tradeoff.csv").exists()
    assert json.loads((out / "summary.json").read_text())["tradeoff"] == {
        "between": ["placements", "targets"],
        "file": None,
        "note": note,
    }
    assert f"  soft targets fall 2 short; what meeting them would cost is unknown: {note}\n" in (
        stdout
    )
    res = run_folder.read_run(out)
    assert shortfall_views.shortfall_warning(res) == (
        f"Soft targets fall short by 2; what meeting them would cost in placements is not "
        f"known: {note}."
    )
    text = shortfall_views.targets_cost_text(res)
    assert text is not None and text.endswith(f"was not worked out: {note}.")
    assert shortfall_views.targets_cost_table(res) is None


def test_a_failed_walk_never_fails_the_run(women: Path, tmp_path: Path, monkeypatch) -> None:
    def no_time(*args, **kwargs):
        raise NoPlanError("no plan found within the time limit")

    monkeypatch.setattr(shortfall, "frontier", no_time)
    out = tmp_path / "failed"
    code, stdout, stderr = run_cli("run", str(women), "--no-report", "--out", str(out))
    assert code == 0, stderr
    assert not (out / "tradeoff.csv").exists() and (out / "allocation.csv").is_file()
    note = json.loads((out / "summary.json").read_text())["tradeoff"]["note"]
    assert note == "the frontier could not be walked: no plan found within the time limit"
    assert note in stdout


def test_the_walk_takes_at_most_as_long_as_the_solve_without_a_time_limit(
    women: Path, tmp_path: Path, monkeypatch
) -> None:
    limits: list[float | None] = []
    walk = shortfall.frontier

    def recorded(model, settings, *args, **kwargs):
        limits.append(settings.time_limit_s)
        return walk(model, settings, *args, **kwargs)

    monkeypatch.setattr(shortfall, "frontier", recorded)
    monkeypatch.setattr(shortfall, "WALK_MIN_S", 0.0)
    code, _, stderr = run_cli("run", str(women), "--no-report", "--out", str(tmp_path / "a"))
    assert code == 0, stderr
    solve_s = json.loads((tmp_path / "a" / "summary.json").read_text())["timings_s"]["solve"]
    # the solve's own seconds (summary.json rounds them to the millisecond)
    assert len(limits) == 1 and limits[0] == pytest.approx(solve_s, abs=5e-4)
    monkeypatch.setattr(shortfall, "WALK_MIN_S", 60.0)
    code, _, stderr = run_cli("run", str(women), "--no-report", "--out", str(tmp_path / "b"))
    assert code == 0, stderr
    assert limits[1] == 60.0
    limited = women.read_text() + "solver: {time_limit_s: 7}\n"
    (women.parent / "limited.yaml").write_text(limited)
    scenario = str(women.parent / "limited.yaml")
    code, _, stderr = run_cli("run", scenario, "--no-report", "--out", str(tmp_path / "c"))
    assert code == 0, stderr
    assert limits[2] == 7.0


@pytest.mark.slow
def test_budget_tight_run_shows_what_the_targets_cost(tmp_path: Path) -> None:
    out = tmp_path / "tight"
    code, stdout, stderr = run_cli(
        "run", str(ROOT / "scenarios" / "budget_tight.yaml"), "--out", str(out)
    )
    assert code == 0, stderr
    assert (out / "tradeoff.csv").read_text() == "placements,targets\n619,67.25\n618,0\n"
    assert (
        "\n  soft targets fall 67.25 short; meeting them would cost 1 placement (tradeoff.csv)\n"
        in stdout
    )
    text = _text((out / "report.html").read_text(encoding="utf-8"))
    warning = "Soft targets fall short by 67.25; meeting them would cost 1 placement (619 -> 618)."
    assert text.index("Headline figures") < text.index(warning) < text.index("Quota attainment")
    section = text.index("What the targets cost")
    assert text.index("Targets") < section < text.index("Budget by cost type")
    assert "619 0 67.25 the scenario's plan 618 1 0 meets every soft target" in text
    assert "1 fewer placement meets every soft target." in text
    assert 'alt="What targets cost in placements"' in (out / "report.html").read_text()


@pytest.mark.slow
def test_baseline_run_has_no_shortfall_and_no_frontier(tmp_path: Path) -> None:
    out = tmp_path / "baseline"
    code, stdout, stderr = run_cli(
        "run", str(ROOT / "scenarios" / "baseline.yaml"), "--out", str(out)
    )
    assert code == 0, stderr
    assert not (out / "tradeoff.csv").exists()
    summary = json.loads((out / "summary.json").read_text())
    assert "tradeoff" not in summary and "tradeoff" not in summary["timings_s"]
    assert "soft targets fall" not in stdout
    text = _text((out / "report.html").read_text(encoding="utf-8"))
    assert "Soft targets fall short" not in text and "What the targets cost" not in text
