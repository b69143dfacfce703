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
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from conftest import run_cli, tiny_tables, write_case
from intervet_plan import api


@pytest.fixture
def women(tmp_path: Path) -> Path:
    meta, tables = tiny_tables()
    tables["activities"][0]["quota"] = "4"
    write_case(tmp_path / "tiny", meta, tables)
    s = tmp_path / "women.yaml"
    target = {
        "name": "women",
        "share_of": {"gender": "F"},
        "among": {"participant_type": "learner"},
        "min": 1.0,
    }
    s.write_text(yaml.safe_dump({"name": "women", "case": "tiny", "targets": [target]}))
    return s


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
    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "tight"
    code, _, stderr = run_cli(
        "tradeoff", str(root / "scenarios" / "budget_tight.yaml"),
        "--between", "placements,targets", "--points", "5", "--out", str(out),
    )  # fmt: skip
    assert code == 0, stderr
    assert (out / "tradeoff.csv").read_text() == "placements,targets\n619,67.25\n618,0.0\n"
