"""Repeated problems of one column told in one line (issue 13), with their exact messages:
the count, the first lines and the last, and a hint when the values show what went wrong
(dd/mm/yyyy or mm/dd/yyyy dates, decimal commas, a wrong separator). Up to three problems of
a kind in a column are still told one by one; ``--debug`` lists every problem; invalid input
still exits 2, with no traceback and nothing written."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
import yaml

from conftest import run_cli, tiny_tables, write_case, write_workbook
from intervet_plan.errors import InputError, RepeatedProblem
from intervet_plan.inputs.case import load_case
from intervet_plan.inputs.value_hints import date_hint, date_order, number_hint

INTERVET = Path(__file__).resolve().parents[1] / "data" / "intervet_wb"
DATES = ("available_from", "available_to", "graduation_date")
FOOTER = (
    "Repeated problems of one column are counted on one line; rerun with --debug to list each one."
)
NOT_DATES = "values are not dates in the form YYYY-MM-DD"
EXPORT = "export the dates as YYYY-MM-DD, or as date cells in a workbook"


def intervet(tmp_path: Path) -> Path:
    """A copy of the INTERVET WB case to break."""
    return Path(shutil.copytree(INTERVET, tmp_path / "case"))


def rewrite(
    path: Path, columns: tuple[str, ...], cell: Callable[[str], str], sep: str = ","
) -> None:
    """Rewrite the non-empty cells of ``columns`` with ``cell`` (CSV with ``sep``)."""
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    idx = [rows[0].index(c) for c in columns]
    for r in rows[1:]:
        for i in idx:
            r[i] = cell(r[i]) if r[i] else r[i]
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, delimiter=sep, lineterminator="\n").writerows(rows)


def dmy(v: str) -> str:
    return f"{v[8:10]}/{v[5:7]}/{v[:4]}"


def mdy(v: str) -> str:
    return f"{v[5:7]}/{v[8:10]}/{v[:4]}"


def errors(target: Path, *extra: str) -> list[str]:
    """The lines ``intervet-plan validate TARGET`` prints; it must exit 2 and print nothing
    on stdout."""
    code, out, err = run_cli("validate", str(target), *extra)
    assert (code, out) == (2, ""), err
    assert "Traceback" not in err
    return err.splitlines()


# ----------------------------------------------------------------- dates


def test_intervet_with_dd_mm_yyyy_dates_gives_one_line_per_column(tmp_path: Path) -> None:
    case = intervet(tmp_path)
    rewrite(case / "participants.csv", DATES, dmy)
    hint = "they look like dd/mm/yyyy"
    assert errors(case) == [
        f"1864 problems found in the case {case}:",
        f"  participants.csv, column available_from: 898 {NOT_DATES} (lines 2, 3, 4, 5, 6, "
        f"..., 899); {hint} (e.g. '15/03/2022'): {EXPORT}",
        f"  participants.csv, column available_to: 898 {NOT_DATES} (lines 2, 3, 4, 5, 6, "
        f"..., 899); {hint} (e.g. '14/11/2022'): {EXPORT}",
        # the example is a value whose day is above 12 (line 12 holds 05/07/2022)
        f"  participants.csv, column graduation_date: 68 {NOT_DATES} (lines 12, 16, 75, 104, "
        f"107, ..., 874); {hint} (e.g. '19/06/2021'): {EXPORT}",
        FOOTER,
    ]


def test_mm_dd_yyyy_dates_are_told_apart_by_the_values_above_12(tmp_path: Path) -> None:
    case = intervet(tmp_path)
    rewrite(case / "participants.csv", DATES, mdy)
    lines = errors(case)
    assert lines[1] == (
        f"  participants.csv, column available_from: 898 {NOT_DATES} (lines 2, 3, 4, 5, 6, "
        f"..., 899); they look like mm/dd/yyyy (e.g. '03/15/2022'): {EXPORT}"
    )
    assert len(lines) == 5


def test_debug_lists_every_problem_before_or_after_the_command(tmp_path: Path) -> None:
    case = intervet(tmp_path)
    rewrite(case / "participants.csv", DATES, dmy)
    first = (
        "  participants.csv line 2, column available_from: '15/03/2022' is not a date in the "
        "form YYYY-MM-DD"
    )
    for lines in (
        errors(case, "--debug"),
        run_cli("--debug", "validate", str(case))[2].split("\n"),
    ):
        assert lines[0] == f"1864 problems found in the case {case}:"
        assert lines[1] == first and FOOTER not in lines
        assert len([x for x in lines if x.startswith("  participants.csv line ")]) == 1864
    with pytest.raises(InputError) as e:
        load_case(case)
    assert len(e.value.problems) == 1864  # every problem stays reachable from Python
    assert [type(p) for p in e.value.shown] == [RepeatedProblem] * 3


def test_run_on_such_a_case_exits_2_and_writes_nothing(tmp_path: Path, monkeypatch) -> None:
    case = intervet(tmp_path)
    rewrite(case / "participants.csv", DATES, dmy)
    scenario = tmp_path / "s.yaml"
    scenario.write_text(yaml.safe_dump({"name": "dmy", "case": str(case)}))
    monkeypatch.chdir(tmp_path)
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    code, out, err = run_cli("run", str(scenario), "--out", str(tmp_path / "out"))
    assert code == 2 and "Traceback" not in err
    assert err.splitlines()[1].startswith("  participants.csv, column available_from: 898 values")
    assert err.splitlines()[-1] == FOOTER
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before


def tiny_dates(tmp_path: Path, n: int, value: str = "01/01/2020", column: str = "available_from"):
    meta, tables = tiny_tables()
    for r in tables["participants"][:n]:
        r[column] = value
    return write_case(tmp_path / "tiny", meta, tables)


def test_three_repeated_problems_are_still_told_one_by_one(tmp_path: Path) -> None:
    folder = tiny_dates(tmp_path, 3)
    assert errors(folder) == [
        f"3 problems found in the case {folder}:",
        *(
            f"  participants.csv line {n}, column available_from: '01/01/2020' is not a date "
            "in the form YYYY-MM-DD"
            for n in (2, 3, 4)
        ),
    ]


def test_four_are_one_line_and_no_day_above_12_says_the_order_is_unknown(tmp_path: Path) -> None:
    folder = tiny_dates(tmp_path, 4)
    assert errors(folder) == [
        f"4 problems found in the case {folder}:",
        f"  participants.csv, column available_from: 4 {NOT_DATES} (lines 2, 3, 4, 5); they "
        "look like dd/mm/yyyy or mm/dd/yyyy (e.g. '01/01/2020'), and no day above 12 tells "
        f"which: {EXPORT}",
        FOOTER,
    ]


def test_the_order_of_a_table_is_decided_by_all_its_date_columns(tmp_path: Path) -> None:
    meta, tables = tiny_tables()
    for r in tables["participants"]:
        r["available_from"], r["available_to"] = dmy(r["available_from"]), dmy(r["available_to"])
    folder = write_case(tmp_path / "tiny", meta, tables)
    lines = errors(folder)
    # available_from holds no day above 12 (01/01, 01/03), available_to does (31/12)
    assert lines[1] == (
        f"  participants.csv, column available_from: 6 {NOT_DATES} (lines 2, 3, 4, 5, 6, 7); "
        f"they look like dd/mm/yyyy (e.g. '01/01/2020'): {EXPORT}"
    )
    assert lines[2].endswith(f"they look like dd/mm/yyyy (e.g. '31/12/2020'): {EXPORT}")


def test_mixed_problems_in_one_column_are_counted_by_kind(tmp_path: Path) -> None:
    meta, tables = tiny_tables()
    for r in tables["participants"][:4]:
        r["gender"] = ""
    tables["participants"][4]["gender"] = "female"
    folder = write_case(tmp_path / "tiny", meta, tables)
    assert errors(folder) == [
        f"5 problems found in the case {folder}:",
        "  participants.csv, column gender: 4 cells are empty (lines 2, 3, 4, 5); a value is "
        "required (one of F, M, X)",
        "  participants.csv line 6, column gender: 'female' is not one of F, M, X",
        FOOTER,
    ]


def test_workbook_with_text_dates_in_dd_mm_yyyy(tmp_path: Path) -> None:
    meta, tables = tiny_tables()
    path = write_workbook(tmp_path / "case.xlsx", meta, tables)
    wb = openpyxl.load_workbook(path)
    ws = wb["participants"]
    col = [c.value for c in ws[1]].index("available_to")
    for row in ws.iter_rows(min_row=2):
        row[col].value = row[col].value.strftime("%d/%m/%Y")  # a date cell becomes text
    wb.save(path)
    assert errors(path) == [
        f"6 problems found in the case {path}:",
        f"  case.xlsx sheet participants, column available_to: 6 {NOT_DATES} (lines 2, 3, 4, "
        "5, 6, 7); they look like dd/mm/yyyy (e.g. '31/12/2020'), typed as text: make them "
        "date cells (Excel: Data > Text to Columns > Date DMY), or write them as YYYY-MM-DD",
        FOOTER,
    ]


# ----------------------------------------------------------------- numbers


def test_decimal_commas_in_lat_and_lon(tmp_path: Path) -> None:
    case = intervet(tmp_path)
    rewrite(case / "organisations.csv", ("lat", "lon"), lambda v: v.replace(".", ","))
    advice = "write decimals with a point, or save the file with columns separated by ;, where a decimal comma is read"
    assert errors(case) == [
        f"28 problems found in the case {case}:",
        "  organisations.csv, column lat: 14 values are not numbers (lines 2, 3, 4, 5, 6, ..., "
        f"15); they use a decimal comma (e.g. '41,3275' is written 41.3275): {advice}",
        "  organisations.csv, column lon: 14 values are not numbers (lines 2, 3, 4, 5, 6, ..., "
        f"15); they use a decimal comma (e.g. '19,8187' is written 19.8187): {advice}",
        FOOTER,
    ]


def test_amounts_with_thousands_separators_and_a_decimal_comma(tmp_path: Path) -> None:
    case = intervet(tmp_path)
    rewrite(case / "activities.csv", ("org_support_eur",), lambda v: "1.234,50")
    assert errors(case) == [
        f"7 problems found in the case {case}:",
        "  activities.csv, column org_support_eur: 7 values are not numbers (lines 2, 3, 4, 5, "
        "6, 7, 8); they use a decimal comma and '.' between thousands (e.g. '1.234,50' is "
        "written 1234.50): write numbers with a decimal point and no thousands separator",
        FOOTER,
    ]


def test_a_budget_with_a_decimal_comma_is_told_how_to_write_it(tmp_path: Path) -> None:
    case = intervet(tmp_path)
    text = (case / "case.yaml").read_text()
    (case / "case.yaml").write_text(
        "\n".join(
            "budget_eur: 1.234.567,50" if x.startswith("budget_eur:") else x
            for x in text.splitlines()
        )
    )
    assert errors(case)[1] == (
        "  case.yaml line 4, column budget_eur: '1.234.567,50' is not a number; write it with "
        "a decimal point and no thousands separator: 1234567.50"
    )


def test_a_file_separated_by_semicolons_with_decimal_commas_is_read(tmp_path: Path) -> None:
    case = intervet(tmp_path)
    rewrite(case / "organisations.csv", ("lat", "lon"), lambda v: v.replace(".", ","), sep=";")
    rewrite(case / "participants.csv", (), str, sep=";")  # list cells are quoted
    code, out, err = run_cli("validate", str(case))
    assert (code, err) == (0, "")


def test_excel_sep_line_is_read_and_lines_keep_their_numbers(tmp_path: Path) -> None:
    case = intervet(tmp_path)
    rewrite(case / "organisations.csv", ("region",), lambda v: "wb" if v == "WB" else v, sep=";")
    path = case / "organisations.csv"
    path.write_text("sep=;\n" + path.read_text())
    # the WB organisations are on lines 2, 3, 4, 7, 10 and 11 of the file without sep=;
    assert errors(case) == [
        f"6 problems found in the case {case}:",
        "  organisations.csv, column region: 6 values are not one of EU, WB (lines 3, 4, 5, 8, "
        "11, 12)",
        FOOTER,
    ]


# ----------------------------------------------------------------- separators


def test_a_tab_separated_file_is_named_with_what_to_do(tmp_path: Path) -> None:
    case = intervet(tmp_path)
    rewrite(case / "participants.csv", (), str, sep="\t")
    assert errors(case)[1:] == [
        "  participants.csv line 1: separates columns with tabs; save it as CSV (columns "
        "separated by , or ;)"
    ]


def test_a_pipe_separated_file_is_named_with_what_to_do(tmp_path: Path) -> None:
    case = intervet(tmp_path)
    rewrite(case / "offers.csv", (), str, sep="|")
    assert errors(case)[1:] == [
        "  offers.csv line 1: separates columns with '|'; save it as CSV (columns separated "
        "by , or ;)"
    ]


def test_semicolon_lines_in_one_quoted_cell(tmp_path: Path) -> None:
    """A CSV saved from a sheet that held each line in one cell, separated by ;."""
    case = intervet(tmp_path)
    path = case / "participants.csv"
    with path.open(newline="") as f:
        rows = list(csv.reader(f))
    with path.open("w", newline="") as f:
        csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(
            [";".join(r)] for r in rows
        )
    assert errors(case)[1:] == [
        "  participants.csv line 1: holds all its columns in one quoted cell per line, "
        "separated by ';' (header 'participant_id;org_id;activities;...'); open it in a "
        "spreadsheet, split the column (Excel: Data > Text to Columns) and save it as CSV "
        "(columns separated by , or ;)"
    ]


@pytest.mark.parametrize("sep, said, named", [(";", "';'", "';'"), ("\t", "tabs", "Tab")])
def test_workbook_sheet_with_every_column_in_one(
    tmp_path: Path, sep: str, said: str, named: str
) -> None:
    meta, tables = tiny_tables()
    path = write_workbook(tmp_path / "case.xlsx", meta, tables)
    wb = openpyxl.load_workbook(path)
    ws = wb["offers"]
    rows = [[str(v) for v in r] for r in ws.iter_rows(values_only=True)]
    ws.delete_rows(1, ws.max_row)
    for r in rows:
        ws.append([sep.join(r)])  # a CSV pasted into column A
    wb.save(path)
    header = sep.join(["offer_id", "host_id", "activity_id", "..."]).replace("\t", "\\t")
    assert errors(path)[1:] == [
        f"  case.xlsx sheet offers line 1: holds all its columns in one column, separated by "
        f"{said} (header '{header}'); split it in Excel (Data > Text to Columns, delimited "
        f"by {named}) and save the workbook, or give the tables as CSV files"
    ]


def test_a_misplaced_separator_on_many_lines_is_one_line_told_first(tmp_path: Path) -> None:
    """Unquoted decimal commas in a comma-separated file: the lines that do not fit the
    header come before what the shifted cells break."""
    case = intervet(tmp_path)
    path = case / "organisations.csv"
    rewrite(path, ("lat", "lon"), lambda v: v.replace(".", ","))
    path.write_text(path.read_text().replace('"', ""))
    lines = errors(case)
    assert lines[1] == (
        "  organisations.csv: 14 lines have more values than the header names columns (lines "
        "2, 3, 4, 5, 6, ..., 15); is a separator or quote misplaced? (a cell that holds the "
        "separator, such as a decimal comma, must be in quotes)"
    )
    assert all(x.startswith("  organisations.csv, column ") for x in lines[2:-1])


def test_a_project_window_typo_is_one_line_per_column(tmp_path: Path) -> None:
    case = intervet(tmp_path)
    meta = yaml.safe_load((case / "case.yaml").read_text())
    meta["start_date"] = "2021-01-01"
    (case / "case.yaml").write_text(yaml.safe_dump(meta, sort_keys=False))
    lines = errors(case)
    assert lines[1].startswith(
        "  offers.csv, column start_date: 75 values are outside the project window 2021-01-01 "
        "to 2023-04-18 (lines 4, 5, 6, 12, 17, ..., 212)"
    )
    assert lines[2].startswith("  offers.csv, column end_date: 71 values are outside")


# ----------------------------------------------------------------- the hints on their own

DATE_HINTS = [
    (
        ["2020-03-15 10:30"] * 4,
        "they look like dates with a time of day (e.g. '2020-03-15 10:30'): keep the date only, as YYYY-MM-DD",
    ),
    (
        ["43905"] * 4,
        "they look like day numbers of Excel (e.g. '43905' is 2020-03-15): format the column as dates before saving, or write them as YYYY-MM-DD",
    ),
    (["2020/03/15"] * 4, f"they look like yyyy/mm/dd (e.g. '2020/03/15'): {EXPORT}"),
    (
        ["15.03.2020", "16.03.2020", "x", "y"],
        f"most look like dd.mm.yyyy (e.g. '15.03.2020'): {EXPORT}",
    ),
    (
        ["15/03/2020", "03/15/2020", "01/01/2020", "02/02/2020"],
        f"they look like dd/mm/yyyy and mm/dd/yyyy mixed (e.g. '15/03/2020'): {EXPORT}",
    ),
    (["15/03/20"] * 4, f"they look like dd/mm/yy (e.g. '15/03/20'): {EXPORT}"),
    (["soon", "later", "never", "15/03/2020"], None),
]


@pytest.mark.parametrize("values, hint", DATE_HINTS)
def test_date_hints(values: list[str], hint: str | None) -> None:
    assert date_hint(values, date_order(values), sheet=False) == hint


NUMBER_HINTS = [
    (
        ["€ 350", "€ 200"],
        False,
        "they hold a currency sign (e.g. '€ 350' is written 350): write the number of euro only",
    ),
    (
        ["1.234,50 EUR"],
        False,
        "they hold a currency sign (e.g. '1.234,50 EUR' is written 1234.50): write the number of euro only",
    ),
    (
        ["1,234.50"],
        False,
        "they separate thousands (e.g. '1,234.50' is written 1234.50): write numbers without thousands separators, with a decimal point",
    ),
    (
        ["1 234,5"],
        False,
        "they separate thousands (e.g. '1 234,5' is written 1234.5): write numbers without thousands separators, with a decimal point",
    ),
    (
        ["1,000"],
        True,
        "they separate thousands (e.g. '1,000' is written 1000): write numbers without thousands separators, with a decimal point",
    ),
    (
        ["1.000"],
        True,
        "they separate thousands (e.g. '1.000' is written 1000): write numbers without thousands separators, with a decimal point",
    ),
    (["2,5"], True, None),  # not a whole number, whatever the separator
    (
        ["0,5"],
        False,
        "they use a decimal comma (e.g. '0,5' is written 0.5): write decimals with a point, or save the file with columns separated by ;, where a decimal comma is read",
    ),
    (["many", "few"], False, None),
]


@pytest.mark.parametrize("values, whole, hint", NUMBER_HINTS)
def test_number_hints(values: list[str], whole: bool, hint: str | None) -> None:
    assert number_hint(values, sheet=False, whole=whole) == hint


def test_problems_without_a_rule_are_never_told_together(tiny_case: Path) -> None:
    """Every required column missing from a header is its own line (they all are line 1)."""
    (tiny_case / "participants.csv").write_text("participant_id,notes\nP1,x\n")
    lines = errors(tiny_case)
    assert len(lines) == 1 + 7 and FOOTER not in lines
    assert all("required column is missing from the header" in x for x in lines[1:])
