"""Reading cases: CSV dialects (``;``, BOM, decimal comma, quotes, CRLF, blank lines), extra
columns, and the promise that a CSV folder, a workbook and shuffled rows give the same Case."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from conftest import tiny_tables, write_case, write_workbook
from intervet_plan.errors import InputError
from intervet_plan.inputs.case import Case, load_case
from intervet_plan.inputs.csvfile import detect_separator
from intervet_plan.inputs.files import read_case

FRAMES = ("organisations", "activities", "participants", "offers", "travel_bands", "daily_rates")
SERIES = ("host_capacity", "country_groups")
SCALARS = (
    "name",
    "start_date",
    "end_date",
    "budget_eur",
    "inclusion_support_eur",
    "org_support_threshold",
)


def assert_same_case(a: Case, b: Case) -> None:
    """Every table and every scalar of two cases is equal (not where they were read from)."""
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), obj=name)
    for name in SERIES:
        pd.testing.assert_series_equal(getattr(a, name), getattr(b, name), obj=name)
    for name in SCALARS:
        assert getattr(a, name) == getattr(b, name), name


@pytest.fixture
def reference(tiny_case: Path) -> Case:
    return load_case(tiny_case)


def test_detect_separator() -> None:
    assert detect_separator("a,b,c") == ","
    assert detect_separator("a;b;c") == ";"
    assert detect_separator('name;"x, y";z') == ";"


def test_semicolon_csv_with_bom_and_decimal_comma(tmp_path: Path, reference: Case) -> None:
    meta, tables = tiny_tables()
    for r in tables["organisations"]:
        r["lat"] = r["lat"].replace(".", ",")
        r["lon"] = r["lon"].replace(".", ",")
    tables["activities"][0]["org_support_eur"] = "350,00"
    folder = write_case(tmp_path / "semi", meta, tables, sep=";", bom=True)
    head = (folder / "organisations.csv").read_bytes()
    assert head.startswith(b"\xef\xbb\xbforg_id;") and b"44,8125" in head
    # cells holding ; (lists) are quoted by the writer, as Excel does
    assert b'"en;es"' in (folder / "participants.csv").read_bytes()
    assert_same_case(load_case(folder), reference)


def test_bom_in_a_comma_file(tmp_path: Path, reference: Case) -> None:
    meta, tables = tiny_tables()
    assert_same_case(load_case(write_case(tmp_path / "bom", meta, tables, bom=True)), reference)


def test_decimal_comma_is_refused_in_a_comma_file(tmp_path: Path) -> None:
    meta, tables = tiny_tables()
    tables["activities"][0]["org_support_eur"] = "350,5"
    with pytest.raises(InputError) as e:
        load_case(write_case(tmp_path / "c", meta, tables))
    assert [str(p) for p in e.value.problems] == [
        "activities.csv line 2, column org_support_eur: '350,5' is not a number; write "
        "decimals with a point (a decimal comma is read only in files separated by ;)"
    ]


def test_decimal_point_still_works_in_a_semicolon_file(tmp_path: Path, reference: Case) -> None:
    meta, tables = tiny_tables()
    assert_same_case(load_case(write_case(tmp_path / "s", meta, tables, sep=";")), reference)


def test_quoted_cells_with_separators_quotes_and_line_breaks(tmp_path: Path) -> None:
    meta, tables = tiny_tables()
    tables["organisations"][0]["name"] = 'Chamber of Commerce, "Serbia"'
    tables["organisations"][4]["name"] = "Uniser\nForli"
    tables["organisations"][1]["lat"] = "north"  # its row is spreadsheet line 3
    folder = write_case(tmp_path / "q", meta, tables)
    text = (folder / "organisations.csv").read_text()
    assert '"Chamber of Commerce, ""Serbia"""' in text and '"Uniser\nForli"' in text
    with pytest.raises(InputError) as e:
        load_case(folder)
    assert [str(p) for p in e.value.problems] == [
        "organisations.csv line 3, column lat: 'north' is not a number"
    ]
    tables["organisations"][1]["lat"] = "43.8563"
    case = load_case(write_case(tmp_path / "q2", meta, tables))
    assert case.organisations.loc["RS_BEL", "name"] == 'Chamber of Commerce, "Serbia"'
    assert case.organisations.loc["IT_FOR", "name"] == "Uniser\nForli"


def test_crlf_line_endings_and_spaces_around_cells(tiny_case: Path, reference: Case) -> None:
    for f in tiny_case.glob("*.csv"):
        text = f.read_text()
        f.write_bytes(text.replace(",", " , ").replace("\n", "\r\n").encode())
    assert_same_case(load_case(tiny_case), reference)


def test_blank_lines_are_skipped_but_counted(tiny_case: Path, reference: Case) -> None:
    f = tiny_case / "participants.csv"
    lines = f.read_text().splitlines()
    f.write_text("\n".join([lines[0], "", *lines[1:3], ",,,", *lines[3:], "", ""]) + "\n")
    assert_same_case(load_case(tiny_case), reference)
    f.write_text(f.read_text().replace("\nP3,BA_SAR,LEARN,F,", "\nP3,BA_SAR,LEARN,woman,"))
    with pytest.raises(InputError) as e:
        load_case(tiny_case)
    # header 1, blank 2, P1 3, P2 4, an empty row 5, P3 6: as a spreadsheet numbers them
    assert [str(p) for p in e.value.problems] == [
        "participants.csv line 6, column gender: 'woman' is not one of F, M, X"
    ]


def test_missing_trailing_cells_are_empty(tiny_case: Path, reference: Case) -> None:
    f = tiny_case / "offers.csv"
    f.write_text(f.read_text().replace(",*,\n", ",*\n"))
    assert_same_case(load_case(tiny_case), reference)


def test_extra_columns_are_kept(tmp_path: Path) -> None:
    meta, tables = tiny_tables()
    for i, r in enumerate(tables["participants"]):
        r["notes"] = f"note {i}"
    tables["offers"][0]["room"] = "B12"
    case = load_case(write_case(tmp_path / "x", meta, tables))
    assert case.participants.loc["P2", "notes"] == "note 1"
    assert case.offers.loc["O1", "room"] == "B12" and case.offers.loc["O2", "room"] == ""
    wb_case = load_case(write_workbook(tmp_path / "x.xlsx", meta, tables))
    assert wb_case.participants.loc["P2", "notes"] == "note 1"


def test_columns_in_another_order(tiny_case: Path, reference: Case) -> None:
    for f in tiny_case.glob("*.csv"):
        rows = [line.split(",") for line in f.read_text().splitlines()]
        f.write_text("\n".join(",".join(reversed(r)) for r in rows) + "\n")
    assert_same_case(load_case(tiny_case), reference)


def test_raw_tables_keep_text_and_spreadsheet_lines(tiny_case: Path) -> None:
    raw = read_case(tiny_case)
    assert raw.problems == []
    t = raw.tables["offers"]
    assert t.header[:3] == ["offer_id", "host_id", "activity_id"]
    assert t.lines == [2, 3, 4, 5] and t.column("sectors") == ["tourism", "*", "*", "*"]
    assert not t.decimal_comma


# ----------------------------------------------------------------- workbooks


def test_workbook_and_csv_folder_give_the_same_case(tmp_path: Path, reference: Case) -> None:
    meta, tables = tiny_tables()
    path = write_workbook(tmp_path / "tiny.xlsx", meta, tables)
    wb = openpyxl.load_workbook(path)
    assert wb["participants"]["H2"].is_date  # available_from: a real Excel date cell
    assert wb["offers"]["D2"].is_date and wb["case"]["B3"].is_date
    assert isinstance(wb["organisations"]["E2"].value, float)
    assert isinstance(wb["activities"]["E2"].value, int)
    assert wb["participants"]["E2"].value is False  # fewer_opportunities: a boolean cell
    case = load_case(path)
    assert_same_case(case, reference)
    assert case.source("offers") == "tiny.xlsx sheet offers"


def test_workbook_typed_by_hand(tmp_path: Path, reference: Case) -> None:
    """Cells as a planner types them: ids and groups as numbers, dates with a time part,
    booleans as 1/0 numbers, the case sheet without a header row."""
    meta, tables = tiny_tables()
    path = write_workbook(tmp_path / "hand.xlsx", meta, tables)
    wb = openpyxl.load_workbook(path)
    ws = wb["country_groups"]
    for row in ws.iter_rows(min_row=2):
        row[1].value = int(row[1].value)
    ws = wb["daily_rates"]
    for row in ws.iter_rows(min_row=2):
        row[0].value = int(row[0].value)
    ws = wb["participants"]
    for row in ws.iter_rows(min_row=2):
        row[4].value = int(bool(row[4].value))
        row[7].value = dt.datetime.combine(row[7].value, dt.time(0, 0))
    wb["case"].delete_rows(1)
    wb.save(path)
    assert_same_case(load_case(path), reference)


def test_shuffled_rows_give_the_same_case(tmp_path: Path, reference: Case) -> None:
    meta, tables = tiny_tables()
    rng = random.Random(2019)
    for rows in tables.values():
        rng.shuffle(rows)
    assert_same_case(load_case(write_case(tmp_path / "shuffled", meta, tables)), reference)
    assert_same_case(load_case(write_workbook(tmp_path / "shuffled.xlsx", meta, tables)), reference)


def test_case_yaml_path_may_be_given_for_its_folder(tiny_case: Path, reference: Case) -> None:
    assert_same_case(load_case(tiny_case / "case.yaml"), reference)
