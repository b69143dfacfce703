"""Input limits (issue 9): identifiers per SPEC 2 (matched whole, at most 64 characters),
workbooks whose sheets declare a huge dimension, workbooks and CSV tables too large to read,
numbers that YAML 1.1 reads as text. Each refusal is an exit-2 problem naming the limit and
the value, found before any work starts and before anything is written."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.styles import Font, PatternFill

import intervet_plan.inputs.csvfile
import intervet_plan.inputs.workbook
from conftest import run_cli, tiny_tables, write_case, write_workbook
from intervet_plan.domain.context import build_context
from intervet_plan.errors import InputError
from intervet_plan.inputs.case import Case, load_case
from intervet_plan.inputs.limits import ID_MAX_CHARS, id_problem
from intervet_plan.inputs.parsers import parse_id
from intervet_plan.inputs.scenario_file import load_scenario

RULE = "is not a valid identifier (a letter or digit first, then letters, digits, _ . - only)"


def case_problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as exc:
        load_case(path)
    assert exc.value.exit_code == 2
    return [str(p) for p in exc.value.problems]


def scenario_problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as exc:
        load_scenario(path)
    assert exc.value.exit_code == 2
    return [str(p) for p in exc.value.problems]


def listing(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.fixture
def scenario_dir(tiny_case: Path) -> Path:
    """A folder beside the tiny case (``../tiny`` from it) to hold scenario files."""
    d = tiny_case.parent / "scenarios"
    d.mkdir()
    return d


def write_scenario(folder: Path, text: str) -> Path:
    p = folder / "s.yaml"
    p.write_text(text, encoding="utf-8")
    return p


# ------------------------------------------------------------------ identifiers


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("P1\n", f"'P1\\n' {RULE}"),
        ("_P1", f"'_P1' {RULE}"),
        ("-P1", f"'-P1' {RULE}"),
        (".P1", f"'.P1' {RULE}"),
        ("P 1", f"'P 1' {RULE}"),
        ("A" * 65, f"'{'A' * 65}' is 65 characters long; an identifier has at most 64"),
        ("A" * 250, f"'{'A' * 77}...' is 250 characters long; an identifier has at most 64"),
    ],
)
def test_identifier_rule(value: str, message: str) -> None:
    assert id_problem(value) == message
    with pytest.raises(ValueError) as exc:
        parse_id(value)
    assert str(exc.value) == message


@pytest.mark.parametrize("value", ["P1", "9", "a.b-c_d", "A" * ID_MAX_CHARS, "1e6", "x_"])
def test_valid_identifiers(value: str) -> None:
    assert id_problem(value) is None
    assert parse_id(value) == value


def test_case_identifiers_are_checked_whole_and_for_length(tmp_path: Path) -> None:
    meta, tables = tiny_tables()
    tables["participants"][0]["participant_id"] = "_P1"
    tables["participants"][1]["participant_id"] = "P" * 65
    tables["participants"][2]["activities"] = "LEARN;-X"
    tables["offers"][0]["offer_id"] = "O\n1"
    assert case_problems(write_case(tmp_path / "case", meta, tables)) == [
        f"participants.csv line 2, column participant_id: '_P1' {RULE}",
        f"participants.csv line 3, column participant_id: '{'P' * 65}' is 65 characters "
        "long; an identifier has at most 64",
        f"participants.csv line 4, column activities: '-X' {RULE}",
        f"offers.csv line 2, column offer_id: 'O\\n1' {RULE}",
    ]


def test_a_cell_with_a_trailing_newline_is_read_stripped(tmp_path: Path) -> None:
    """Cells are read as stripped text, so a line break after an id in a (quoted) CSV cell
    never reaches the identifier: it is read as P1. (parse_id itself refuses 'P1\\n'.)"""
    meta, tables = tiny_tables()
    tables["participants"][0]["participant_id"] = "P1\n"
    case = load_case(write_case(tmp_path / "case", meta, tables))
    assert "P1" in case.participants.index
    assert not any("\n" in p for p in case.participants.index)


def test_a_64_character_identifier_is_accepted(tmp_path: Path) -> None:
    meta, tables = tiny_tables()
    long_id = "P" * 64
    tables["participants"][0]["participant_id"] = long_id
    case = load_case(write_case(tmp_path / "case", meta, tables))
    assert long_id in case.participants.index


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ('"nl\\n"', f"'nl\\n' {RULE}"),
        ("_s1", f"'_s1' {RULE}"),
        ("-s1", f"'-s1' {RULE}"),
        ("s" * 65, f"'{'s' * 65}' is 65 characters long; an identifier has at most 64"),
    ],
)
def test_scenario_name_rule(scenario_dir: Path, name: str, rule: str) -> None:
    p = write_scenario(scenario_dir, f"name: {name}\ncase: ../tiny\n")
    assert scenario_problems(p) == [f"{p} line 1, column name: {rule}"]


def test_a_64_character_scenario_name_is_accepted(scenario_dir: Path) -> None:
    p = write_scenario(scenario_dir, f"name: {'s' * 64}\ncase: ../tiny\n")
    assert load_scenario(p).name == "s" * 64


def test_scenario_filter_and_target_names_follow_the_identifier_rule(scenario_dir: Path) -> None:
    p = write_scenario(
        scenario_dir,
        "name: s1\ncase: ../tiny\ntargets:\n"
        '  - {name: "t\\n", share_of: {gender: F}, min: 0.1}\n'
        '  - {name: t2, count_of: {org_id: [RS_BEL, "BA_SAR\\n"]}, min: 1}\n'
        f"  - {{name: t3, share_of: {{gender: F}}, among: {{activity_id: {'L' * 70}}}, "
        "min: 0.1}\n",
    )
    assert scenario_problems(p) == [
        f"{p} line 4, column targets[0].name: 't\\n' {RULE}",
        f"{p} line 5, column targets[1].count_of.org_id: 'BA_SAR\\n' {RULE}",
        f"{p} line 6, column targets[2].among.activity_id: '{'L' * 70}' is 70 characters "
        "long; an identifier has at most 64",
    ]


def test_country_codes_with_a_trailing_newline_are_refused(scenario_dir: Path) -> None:
    p = write_scenario(
        scenario_dir,
        "name: s1\ncase: ../tiny\n"
        'targets: [{name: t, share_of: {country: "RS\\n"}, min: 0.1}]\n'
        'blackouts: [{from: 2020-03-01, to: 2020-03-31, countries: ["ES\\n"]}]\n',
    )
    assert scenario_problems(p) == [
        f"{p} line 3, column targets[0].share_of.country: 'RS\\n' is not a two-letter ISO "
        "3166-1 country code (XK for Kosovo)",
        f"{p} line 4, column blackouts[0].countries: 'ES\\n' is not a two-letter country code "
        "(XK for Kosovo)",
    ]


@pytest.mark.parametrize("length", [65, 250])
def test_run_refuses_a_long_scenario_name_before_writing(
    scenario_dir: Path, monkeypatch: pytest.MonkeyPatch, length: int
) -> None:
    root = scenario_dir.parent
    monkeypatch.chdir(root)  # the default output folder is reports/<name> in here
    name = "x" * length
    p = write_scenario(scenario_dir, f"name: {name}\ncase: ../tiny\n")
    before = listing(root)
    code, out, err = run_cli("run", str(p), "--no-report")
    shown = name if length <= 80 else name[:77] + "..."
    assert code == 2, err
    assert "Traceback" not in out + err
    assert err.splitlines() == [
        f"1 problem found in the scenario {p}:",
        f"  {p} line 1, column name: '{shown}' is {length} characters long; an identifier "
        "has at most 64",
    ]
    assert not (root / "reports").exists()
    assert listing(root) == before


# ---------------------------------------------------------------- workbook sheets


def _stray_cells(src: Path, dst: Path) -> Path:
    """``src`` with formatted empty cells: XFD1048576 of every sheet, XFD1 (beside the
    header) of participants, and one just right of the header in a data row of offers."""
    wb = openpyxl.load_workbook(src)
    for ws in wb.worksheets:
        c = ws["XFD1048576"]
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="FFFF00")
    wb["participants"]["XFD1"].font = Font(italic=True)
    wb["offers"].cell(3, 12).fill = PatternFill("solid", fgColor="FF0000")
    wb.save(dst)
    return dst


def assert_same_case(a: Case, b: Case) -> None:
    for f in ("name", "start_date", "end_date", "budget_eur", "inclusion_support_eur"):
        assert getattr(a, f) == getattr(b, f)
    assert a.org_support_threshold == b.org_support_threshold
    for t in ("organisations", "activities", "participants", "offers", "travel_bands"):
        pd.testing.assert_frame_equal(getattr(a, t), getattr(b, t))
    for t in ("host_capacity", "country_groups"):
        pd.testing.assert_series_equal(getattr(a, t), getattr(b, t))
    pd.testing.assert_frame_equal(a.daily_rates, b.daily_rates)


def test_formatted_empty_cells_far_away_are_ignored(tmp_path: Path) -> None:
    meta, tables = tiny_tables()
    plain = write_workbook(tmp_path / "tiny.xlsx", meta, tables)
    stray = _stray_cells(plain, tmp_path / "stray.xlsx")
    ws = openpyxl.load_workbook(stray, read_only=True)["participants"]
    assert ws.calculate_dimension() == "A1:XFD1048576"  # what the sheet declares
    assert_same_case(load_case(stray), load_case(plain))
    code, out, err = run_cli("validate", str(stray))
    assert (code, err) == (0, "")
    assert out == run_cli("validate", str(plain))[1]


def test_a_value_beyond_the_header_is_still_reported(tmp_path: Path) -> None:
    meta, tables = tiny_tables()
    plain = write_workbook(tmp_path / "tiny.xlsx", meta, tables)
    stray = _stray_cells(plain, tmp_path / "stray.xlsx")
    wb = openpyxl.load_workbook(stray)
    wb["host_capacity"]["Z2"] = "oops"
    wb["daily_rates"]["XFD3"] = 7
    wb.save(stray)
    assert case_problems(stray) == [
        "stray.xlsx sheet host_capacity line 2: has 26 values but the header names 2 "
        "columns; is a separator or quote misplaced?",
        "stray.xlsx sheet daily_rates line 3: has 16384 values but the header names 4 "
        "columns; is a separator or quote misplaced?",
    ]


def test_a_formula_beyond_the_header_is_still_reported(tmp_path: Path) -> None:
    meta, tables = tiny_tables()
    book = write_workbook(tmp_path / "tiny.xlsx", meta, tables)
    wb = openpyxl.load_workbook(book)
    wb["host_capacity"]["E2"] = "=1+1"  # written by a program: no saved result
    wb.save(book)
    assert case_problems(book) == [
        "tiny.xlsx sheet host_capacity line 2: has 5 values but the header names 2 "
        "columns; is a separator or quote misplaced?",
    ]


# ----------------------------------------------------------------- sizes on disk


def _inflated(src: Path, dst: Path, extra_bytes: int) -> Path:
    """``src`` with ``extra_bytes`` of blanks inside the participants sheet's XML: a member
    that unpacks large but compresses to almost nothing."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        sheet = next(
            n for n in zin.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")
        )
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == sheet:
                data = data.replace(b"</worksheet>", b" " * extra_bytes + b"</worksheet>")
            zout.writestr(info.filename, data)
    return dst


def test_a_workbook_that_unpacks_too_large_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(intervet_plan.inputs.workbook, "MAX_WORKBOOK_UNPACKED_BYTES", 1024 * 1024)
    meta, tables = tiny_tables()
    plain = write_workbook(tmp_path / "tiny.xlsx", meta, tables)
    book = _inflated(plain, tmp_path / "book.xlsx", 2 * 1024 * 1024)
    assert book.stat().st_size < 64 * 1024  # small on disk
    with zipfile.ZipFile(book) as z:
        unpacked = sum(i.file_size for i in z.infolist())
    mb = f"{unpacked / 1024 / 1024:.1f}"
    assert mb == "2.0"

    def no_openpyxl(*args: object, **kwargs: object) -> None:
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(openpyxl, "load_workbook", no_openpyxl)
    code, out, err = run_cli("validate", str(book))
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.splitlines() == [
        f"1 problem found in the case {book}:",
        f"  book.xlsx: unpacks to {mb} MB, above the limit of 1 MB; a case workbook unpacks "
        "to a few MB: delete the unused formatted rows and columns of its sheets and save it "
        "again (or check that this is the right file)",
    ]


def test_a_workbook_under_the_limit_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(intervet_plan.inputs.workbook, "MAX_WORKBOOK_UNPACKED_BYTES", 1024 * 1024)
    meta, tables = tiny_tables()
    plain = write_workbook(tmp_path / "tiny.xlsx", meta, tables)
    book = _inflated(plain, tmp_path / "book.xlsx", 100 * 1024)
    assert_same_case(load_case(book), load_case(plain))


def test_a_csv_table_too_large_is_refused_unread(
    tiny_case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(intervet_plan.inputs.csvfile, "MAX_CSV_BYTES", 1024 * 1024)
    f = tiny_case / "participants.csv"
    f.write_bytes(f.read_bytes() + b"\n" * (3 * 1024 * 1024 // 2))  # blank lines: 1.5 MB
    read = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        assert self.name != "participants.csv", "the table was read"
        return read(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    code, out, err = run_cli("validate", str(tiny_case))
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.splitlines() == [
        f"1 problem found in the case {tiny_case}:",
        "  participants.csv: is 1.5 MB, above the limit of 1 MB for a table; the tables of a "
        "national round are a few MB: check that this is the right file",
    ]


def test_the_limits_leave_room_for_a_national_round() -> None:
    """A national round (27,000 applicants, ``generate --scale 30``) unpacks to 18 MB as a
    workbook; its largest CSV table is 2.6 MB."""
    assert intervet_plan.inputs.workbook.MAX_WORKBOOK_UNPACKED_BYTES >= 10 * 18 * 1024 * 1024
    assert intervet_plan.inputs.csvfile.MAX_CSV_BYTES >= 10 * 3 * 1024 * 1024


# ------------------------------------------------------ numbers YAML reads as text


@pytest.mark.parametrize(
    ("text", "value"),
    [("1e6", 1e6), ("1E6", 1e6), ("1.5e6", 1.5e6), ("1.5E+6", 1.5e6), ("'2500000'", 2.5e6)],
)
def test_budget_in_scientific_notation(
    scenario_dir: Path, tiny_case: Path, text: str, value: float
) -> None:
    p = write_scenario(scenario_dir, f"name: s1\ncase: ../tiny\nbudget_eur: {text}\n")
    scenario = load_scenario(p)
    assert scenario.budget_eur == value
    assert build_context(load_case(tiny_case), scenario).budget_eur == value


def test_budget_1e6_in_case_yaml(tiny_case: Path) -> None:
    f = tiny_case / "case.yaml"
    f.write_text(f.read_text().replace("budget_eur: '100000'", "budget_eur: 1e6"))
    assert "budget_eur: 1e6\n" in f.read_text()
    assert load_case(tiny_case).budget_eur == 1000000.0


def test_whole_numbers_in_scientific_notation(scenario_dir: Path) -> None:
    p = write_scenario(
        scenario_dir,
        "name: s1\ncase: ../tiny\nquotas: {LEARN: {quota: 3e0}}\nsolver: {time_limit_s: 3e2}\n",
    )
    s = load_scenario(p)
    assert s.quotas == {"LEARN": {"quota": 3}}
    assert s.solver.time_limit_s == 300.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("budget_eur: lots", "line 3, column budget_eur: 'lots' is not a number"),
        ("budget_eur: 1e6x", "line 3, column budget_eur: '1e6x' is not a number"),
        ("budget_eur: 1,000", "line 3, column budget_eur: '1,000' is not a number"),
        ("budget_eur: 1e400", "line 3, column budget_eur: '1e400' is not a finite number"),
        ("budget_eur: 2e13", "line 3, column budget_eur: '2e13' is too large; it must be "
         "1000000000000 or less"),
        ("quotas: {LEARN: {quota: 2.5e0}}",
         "line 3, column quotas.LEARN.quota: '2.5e0' is not a whole number"),
    ],
)  # fmt: skip
def test_text_that_is_not_a_number_is_still_refused(
    scenario_dir: Path, text: str, message: str
) -> None:
    p = write_scenario(scenario_dir, f"name: s1\ncase: ../tiny\n{text}\n")
    assert scenario_problems(p) == [f"{p} {message}"]


# ------------------------------------------------------------------------ sweeps


def test_a_sweep_whose_variant_name_is_too_long_writes_nothing(
    tiny_case: Path, tmp_path: Path
) -> None:
    name = "n" * 48  # 1000 makes a 64-character variant name, 1000000 one of 67
    s = tmp_path / "s.yaml"
    s.write_text(f"name: {name}\ncase: {tiny_case}\n", encoding="utf-8")
    out = tmp_path / "sweep"
    before = listing(tmp_path)
    code, stdout, err = run_cli(
        "sweep", str(s), "--vary", "budget_eur=1000,1000000", "--out", str(out)
    )
    assert code == 2 and "Traceback" not in stdout + err
    vname = f"{name}-budget_eur-1000000"
    assert len(vname) == 67
    assert err.splitlines() == [
        "1 problem found in the arguments:",
        f"  --vary: 'budget_eur': value '1000000' makes the variant name '{vname}', 67 "
        "characters long; a scenario name has at most 64: shorten the scenario's name",
    ]
    assert not out.exists()
    assert listing(tmp_path) == before


def test_a_header_reaching_far_right_is_refused_unpadded(tmp_path: Path) -> None:
    """A value in XFD1 would make every row 16,384 cells wide: refused before the rows."""
    import openpyxl

    meta, tables = tiny_tables()
    book = write_workbook(tmp_path / "far.xlsx", meta, tables)
    wb = openpyxl.load_workbook(book)
    wb["participants"]["XFD1"] = "stray"
    wb.save(book)
    code, _, err = run_cli("validate", str(book))
    assert code == 2
    assert (
        "far.xlsx sheet participants line 1: the header row reaches column 16,384, above the "
        "limit of 200 columns; delete the stray cells to the right of the table"
    ) in err
    folder = write_case(tmp_path / "wide", meta, tables)
    text = (folder / "offers.csv").read_text().splitlines()
    text[0] += "," + ",".join(f"c{i}" for i in range(300))
    (folder / "offers.csv").write_text("\n".join(text) + "\n")
    code, _, err = run_cli("validate", str(folder))
    assert code == 2
    assert "offers.csv line 1: the header row reaches column 308, above the limit of 200" in err
