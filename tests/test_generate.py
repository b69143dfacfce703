"""The generator: deterministic per seed, reproduces the shipped case, and scales."""

from __future__ import annotations

from pathlib import Path

from conftest import run_cli
from intervet_plan.generate import DEFAULT_SEED, generate_case
from intervet_plan.inputs.case import load_case

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "intervet_wb"
FILES = [
    "case.yaml",
    "organisations.csv",
    "activities.csv",
    "participants.csv",
    "offers.csv",
    "host_capacity.csv",
    "travel_bands.csv",
    "country_groups.csv",
    "daily_rates.csv",
]


def test_regenerating_the_shipped_case_gives_identical_files(tmp_path: Path):
    code, _, err = run_cli(
        "generate", str(tmp_path / "wb"), "--scale", "1", "--seed", str(DEFAULT_SEED)
    )
    assert code == 0, err
    for f in FILES:
        assert (tmp_path / "wb" / f).read_bytes() == (SHIPPED / f).read_bytes(), f


def test_same_seed_same_bytes_other_seed_other_case(tmp_path: Path):
    a, b, c = (
        generate_case(tmp_path / n, scale=2, seed=s) for n, s in (("a", 5), ("b", 5), ("c", 6))
    )
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in FILES)
    assert (a / "participants.csv").read_bytes() != (c / "participants.csv").read_bytes()


def test_shipped_case_is_intervet(tmp_path: Path):
    case = load_case(SHIPPED)
    assert len(case.organisations) == 14
    assert case.activities["quota"].to_dict() == {
        "JOB_SHADOW": 54,
        "SUMMER_SCHOOL": 36,
        "TEACHING_ASSIGN": 26,
        "THEMATIC_TEAM": 72,
        "TRAINING_ASSIGN": 18,
        "WBL_LONG": 56,
        "WBL_SHORT": 360,
    }
    assert case.budget_eur == 2_000_000
    ratio = len(case.participants) / case.activities["quota"].sum()
    assert 1.3 <= ratio <= 1.6
    assert 0.25 <= case.participants["fewer_opportunities"].mean() <= 0.35


def test_scale_10_is_valid_and_ten_times_larger(tmp_path: Path):
    one = load_case(SHIPPED)
    ten = load_case(generate_case(tmp_path / "x10", scale=10, seed=3))
    assert 9 <= len(ten.participants) / len(one.participants) <= 11
    assert 9 <= len(ten.offers) / len(one.offers) <= 11
    assert ten.activities["quota"].sum() == 10 * one.activities["quota"].sum()


def test_workbook_output_validates(tmp_path: Path):
    code, out, err = run_cli("generate", str(tmp_path / "wb.xlsx"), "--xlsx")
    assert code == 0, err
    code, out, err = run_cli("validate", str(tmp_path / "wb.xlsx"))
    assert code == 0, err
    assert out.startswith("case INTERVET WB: valid")
