"""Every validation rule of SPEC 2, with its exact message, and the promise that invalid input
exits 2, names file, line and column, prints no traceback and writes nothing."""

from __future__ import annotations

import os
import random
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import run_cli, tiny_tables, write_case, write_workbook
from intervet_plan.errors import InputError
from intervet_plan.inputs.case import Case, load_case

Meta = dict
Tables = dict[str, list[dict]]
Edit = Callable[[Meta, Tables], None]


def problems(path: Path) -> list[str]:
    """The problems ``load_case`` reports, as printed (``FILE line N, column C: rule``)."""
    with pytest.raises(InputError) as exc:
        load_case(path)
    assert exc.value.exit_code == 2
    return [str(p) for p in exc.value.problems]


def broken(tmp_path: Path, edit: Edit) -> list[str]:
    meta, tables = tiny_tables()
    edit(meta, tables)
    return problems(write_case(tmp_path / "case", meta, tables))


def cell(table: str, row: int, column: str, value: str) -> Edit:
    """Set one cell (row 0 is spreadsheet line 2)."""

    def edit(meta: Meta, tables: Tables) -> None:
        tables[table][row][column] = value

    return edit


def drop_column(table: str, column: str) -> Edit:
    def edit(meta: Meta, tables: Tables) -> None:
        for r in tables[table]:
            del r[column]

    return edit


def test_the_tiny_case_is_valid(tiny_case: Path) -> None:
    case = load_case(tiny_case)
    assert isinstance(case, Case)
    assert list(case.organisations.index) == ["BA_SAR", "ES_SEV", "IT_FOR", "RS_BEL", "SI_MAR"]
    assert case.activities.loc["LEARN", "quota"] == 3
    assert case.activities.loc["TEACH", "participant_type"] == "staff"
    assert len(case.participants) == 6 and len(case.offers) == 4
    assert case.budget_eur == 100000.0 and case.inclusion_support_eur == 100.0
    assert case.org_support_threshold == 100


# ----------------------------------------------------------------- column rules

COLUMN_RULES = [
    # id
    (
        "id",
        cell("offers", 0, "offer_id", "O 1"),
        "offers.csv line 2, column offer_id: 'O 1' is not a valid identifier "
        "(a letter or digit first, then letters, digits, _ . - only)",
    ),
    (
        "id-unicode",
        cell("offers", 1, "offer_id", "Ö2"),
        "offers.csv line 3, column offer_id: 'Ö2' is not a valid identifier "
        "(a letter or digit first, then letters, digits, _ . - only)",
    ),
    # enum
    (
        "enum",
        cell("participants", 15 - 15, "gender", "female"),
        "participants.csv line 2, column gender: 'female' is not one of F, M, X",
    ),
    (
        "enum-case",
        cell("organisations", 0, "region", "wb"),
        "organisations.csv line 2, column region: 'wb' is not one of EU, WB",
    ),
    (
        "enum-type",
        cell("activities", 1, "participant_type", "teacher"),
        "activities.csv line 3, column participant_type: 'teacher' is not one of learner, staff",
    ),
    (
        "enum-direction",
        cell("activities", 0, "direction", "WB->EU"),
        "activities.csv line 2, column direction: 'WB->EU' is not one of WB_TO_EU, EU_TO_WB",
    ),
    # int
    (
        "int",
        cell("activities", 0, "quota", "2.5"),
        "activities.csv line 2, column quota: '2.5' is not a whole number",
    ),
    (
        "int-text",
        cell("offers", 0, "seats", "two"),
        "offers.csv line 2, column seats: 'two' is not a whole number",
    ),
    (
        "int-huge",
        cell("activities", 0, "quota", "1e20"),
        "activities.csv line 2, column quota: '1e20' is too large; it must be 1000000000 or less",
    ),
    (
        "int-overflow",
        cell("activities", 0, "quota", "1e400"),
        "activities.csv line 2, column quota: '1e400' is not a whole number",
    ),
    # number
    (
        "number",
        cell("organisations", 0, "lat", "north"),
        "organisations.csv line 2, column lat: 'north' is not a number",
    ),
    (
        "number-nan",
        cell("activities", 0, "org_support_eur", "nan"),
        "activities.csv line 2, column org_support_eur: 'nan' is not a finite number",
    ),
    (
        "number-inf",
        cell("activities", 0, "extra_eur", "1e400"),
        "activities.csv line 2, column extra_eur: '1e400' is not a finite number",
    ),
    (
        "number-huge",
        cell("daily_rates", 0, "eur_per_day", "1e13"),
        "daily_rates.csv line 2, column eur_per_day: '1e13' is too large; "
        "it must be 1000000000000 or less",
    ),
    (
        "number-decimal-comma-in-comma-file",
        cell("organisations", 0, "lat", "44,8"),
        "organisations.csv line 2, column lat: '44,8' is not a number; write decimals with a "
        "point (a decimal comma is read only in files separated by ;)",
    ),
    # min / max
    (
        "min-0",
        cell("activities", 0, "quota", "-1"),
        "activities.csv line 2, column quota: '-1' must be 0 or more",
    ),
    (
        "min-1-seats",
        cell("offers", 0, "seats", "0"),
        "offers.csv line 2, column seats: '0' must be 1 or more",
    ),
    (
        "min-1-max-mobilities",
        cell("participants", 0, "max_mobilities", "0"),
        "participants.csv line 2, column max_mobilities: '0' must be 1 or more",
    ),
    (
        "min-priority",
        cell("participants", 0, "priority", "-0.5"),
        "participants.csv line 2, column priority: '-0.5' must be 0 or more",
    ),
    (
        "min-travel-days",
        cell("activities", 0, "travel_days", "-2"),
        "activities.csv line 2, column travel_days: '-2' must be 0 or more",
    ),
    (
        "min-capacity",
        cell("host_capacity", 0, "max_concurrent", "-1"),
        "host_capacity.csv line 2, column max_concurrent: '-1' must be 0 or more",
    ),
    (
        "min-eur",
        cell("travel_bands", 0, "eur", "-20"),
        "travel_bands.csv line 2, column eur: '-20' must be 0 or more",
    ),
    (
        "range-lat",
        cell("organisations", 0, "lat", "91"),
        "organisations.csv line 2, column lat: '91' is outside -90..90",
    ),
    (
        "range-lon",
        cell("organisations", 1, "lon", "-180.5"),
        "organisations.csv line 3, column lon: '-180.5' is outside -180..180",
    ),
    # bool
    (
        "bool",
        cell("participants", 0, "fewer_opportunities", "maybe"),
        "participants.csv line 2, column fewer_opportunities: 'maybe' is not a boolean "
        "(true/false, yes/no or 1/0)",
    ),
    # date
    (
        "date-impossible",
        cell("participants", 0, "available_from", "2020-02-30"),
        "participants.csv line 2, column available_from: '2020-02-30' is not a date in the "
        "form YYYY-MM-DD",
    ),
    (
        "date-format",
        cell("offers", 0, "start_date", "02/03/2020"),
        "offers.csv line 2, column start_date: '02/03/2020' is not a date in the form YYYY-MM-DD",
    ),
    (
        "date-time",
        cell("participants", 0, "graduation_date", "2020-01-01T10:00"),
        "participants.csv line 2, column graduation_date: '2020-01-01T10:00' is not a date in "
        "the form YYYY-MM-DD",
    ),
    # country code
    (
        "country",
        cell("organisations", 0, "country", "SRB"),
        "organisations.csv line 2, column country: 'SRB' is not a two-letter ISO 3166-1 country "
        "code (XK for Kosovo)",
    ),
    (
        "country-lower",
        cell("country_groups", 0, "country", "ba"),
        "country_groups.csv line 2, column country: 'ba' is not a two-letter ISO 3166-1 country "
        "code (XK for Kosovo)",
    ),
    # language code lists
    (
        "languages",
        cell("participants", 0, "languages", "en;eng"),
        "participants.csv line 2, column languages: 'eng' is not a two-letter ISO 639-1 "
        "language code",
    ),
    (
        "languages-offer",
        cell("offers", 0, "languages", "es;Spanish"),
        "offers.csv line 2, column languages: 'spanish' is not a two-letter ISO 639-1 "
        "language code",
    ),
    # id lists
    (
        "id-list-activities",
        cell("participants", 0, "activities", "LEARN;bad id"),
        "participants.csv line 2, column activities: 'bad id' is not a valid identifier "
        "(a letter or digit first, then letters, digits, _ . - only)",
    ),
    (
        "id-list-preferences",
        cell("participants", 0, "preferences", "ES SEV"),
        "participants.csv line 2, column preferences: 'ES SEV' is not a valid identifier "
        "(a letter or digit first, then letters, digits, _ . - only)",
    ),
    # sectors
    (
        "sectors-none",
        cell("offers", 0, "sectors", " ; "),
        "offers.csv line 2, column sectors: ';' lists no sector; give sectors separated by ; "
        "or * for all",
    ),
    (
        "sectors-empty",
        cell("offers", 0, "sectors", ""),
        "offers.csv line 2, column sectors: is empty; list the sectors accepted, separated by ;, "
        "or * for all",
    ),
    # required empty cells
    (
        "empty-id",
        cell("offers", 0, "offer_id", ""),
        "offers.csv line 2, column offer_id: is empty; a value is required",
    ),
    (
        "empty-enum",
        cell("participants", 0, "gender", ""),
        "participants.csv line 2, column gender: is empty; a value is required (one of F, M, X)",
    ),
    (
        "empty-date",
        cell("participants", 0, "available_to", ""),
        "participants.csv line 2, column available_to: is empty; a value is required",
    ),
    (
        "empty-bool",
        cell("participants", 0, "fewer_opportunities", ""),
        "participants.csv line 2, column fewer_opportunities: is empty; a value is required",
    ),
    (
        "empty-number",
        cell("organisations", 0, "lat", ""),
        "organisations.csv line 2, column lat: is empty; a value is required",
    ),
    (
        "empty-sector",
        cell("participants", 0, "sector", ""),
        "participants.csv line 2, column sector: is empty; a value is required",
    ),
    # missing required columns
    (
        "missing-column-offers",
        drop_column("offers", "seats"),
        "offers.csv line 1, column seats: required column is missing from the header; add it",
    ),
    (
        "missing-column-participants",
        drop_column("participants", "gender"),
        "participants.csv line 1, column gender: required column is missing from the header; "
        "add it",
    ),
    (
        "missing-column-bands",
        drop_column("travel_bands", "max_km"),
        "travel_bands.csv line 1, column max_km: required column is missing from the header; "
        "add it",
    ),
    # duplicate keys
    (
        "duplicate-participant",
        cell("participants", 1, "participant_id", "P1"),
        "participants.csv line 3, column participant_id: 'P1' repeats line 2; participant_id "
        "must be unique",
    ),
    (
        "duplicate-offer",
        cell("offers", 3, "offer_id", "O2"),
        "offers.csv line 5, column offer_id: 'O2' repeats line 3; offer_id must be unique",
    ),
    (
        "duplicate-rate",
        cell("daily_rates", 2, "group", "1"),
        "daily_rates.csv line 4, column participant_type: '1, learner' repeats line 2; group and "
        "participant_type must be unique",
    ),
    (
        "duplicate-band",
        cell("travel_bands", 6, "min_km", "4000"),
        "travel_bands.csv line 8, column min_km: '4000' repeats line 7; min_km must be unique",
    ),
    (
        "duplicate-country",
        cell("country_groups", 1, "country", "BA"),
        "country_groups.csv line 3, column country: 'BA' repeats line 2; country must be unique",
    ),
]


@pytest.mark.parametrize("edit, message", [pytest.param(e, m, id=i) for i, e, m in COLUMN_RULES])
def test_column_rule(tmp_path: Path, edit: Edit, message: str) -> None:
    assert message in broken(tmp_path, edit)


@pytest.mark.parametrize(
    "edit, message",
    [
        pytest.param(e, m, id=i)
        for i, e, m in COLUMN_RULES
        if i
        in (
            "enum",
            "int",
            "number",
            "bool",
            "date-impossible",
            "languages",
            "sectors-none",
            "empty-enum",
            "missing-column-offers",
            "duplicate-participant",
            "range-lat",
        )
    ],
)
def test_a_broken_cell_gives_exactly_one_problem(tmp_path: Path, edit: Edit, message: str) -> None:
    assert broken(tmp_path, edit) == [message]


def test_optional_columns_may_be_left_out(tmp_path: Path) -> None:
    meta, tables = tiny_tables()
    for table, column in [
        ("participants", "languages"),
        ("participants", "graduation_date"),
        ("participants", "priority"),
        ("participants", "preferences"),
        ("participants", "max_mobilities"),
        ("activities", "quota_min"),
        ("activities", "travel_days"),
        ("activities", "org_support_after_eur"),
        ("activities", "extra_eur"),
        ("activities", "label"),
        ("organisations", "name"),
        ("organisations", "city"),
        ("offers", "languages"),
    ]:
        drop_column(table, column)(meta, tables)
    del tables["host_capacity"]
    case = load_case(write_case(tmp_path / "case", meta, tables))
    assert (case.participants["max_mobilities"] == 1).all()
    assert (case.participants["priority"] == 0).all()
    assert (case.activities["travel_days"] == 2).all()
    assert (case.activities["quota_min"] == 0).all()
    assert (case.activities["org_support_after_eur"] == case.activities["org_support_eur"]).all()
    assert case.participants["graduation_date"].isna().all()
    assert len(case.host_capacity) == 0


def test_booleans_lists_and_stars_are_read(tmp_path: Path) -> None:
    meta, tables = tiny_tables()
    for i, v in enumerate(["TRUE", "No", "1", "0", "yes", "False"]):
        tables["participants"][i]["fewer_opportunities"] = v
    tables["participants"][0]["languages"] = " EN ; es ;"
    tables["offers"][0]["sectors"] = "tourism; ict"
    case = load_case(write_case(tmp_path / "case", meta, tables))
    assert case.participants["fewer_opportunities"].tolist() == [
        True,
        False,
        True,
        False,
        True,
        False,
    ]
    assert case.participants.loc["P1", "languages"] == ("en", "es")
    assert case.offers.loc["O1", "sectors"] == ("ict", "tourism")
    assert case.offers.loc["O2", "sectors"] is None  # * accepts every sector


# ----------------------------------------------------------------- cross-table rules

CROSS_RULES = [
    (
        "unknown-org",
        cell("participants", 0, "org_id", "RS_BELG"),
        "participants.csv line 2, column org_id: 'RS_BELG' is not an org_id in organisations.csv",
    ),
    (
        "unknown-activity",
        cell("participants", 0, "activities", "LEARN;LAERN"),
        "participants.csv line 2, column activities: 'LAERN' is not an activity_id in "
        "activities.csv",
    ),
    (
        "unknown-preference",
        cell("participants", 0, "preferences", "ES_SEV;XX_HOST"),
        "participants.csv line 2, column preferences: 'XX_HOST' is not an org_id in "
        "organisations.csv",
    ),
    (
        "repeated-preference",
        cell("participants", 0, "preferences", "ES_SEV;SI_MAR;ES_SEV"),
        "participants.csv line 2, column preferences: 'ES_SEV' is listed twice; rank each host "
        "once",
    ),
    (
        "unknown-host",
        cell("offers", 0, "host_id", "ES_SEVILLA"),
        "offers.csv line 2, column host_id: 'ES_SEVILLA' is not an org_id in organisations.csv",
    ),
    (
        "unknown-offer-activity",
        cell("offers", 0, "activity_id", "LEARNING"),
        "offers.csv line 2, column activity_id: 'LEARNING' is not an activity_id in activities.csv",
    ),
    (
        "unknown-capacity-host",
        cell("host_capacity", 0, "host_id", "NOWHERE"),
        "host_capacity.csv line 2, column host_id: 'NOWHERE' is not an org_id in organisations.csv",
    ),
    (
        "wb-participant-in-eu-to-wb",
        cell("participants", 0, "activities", "TEACH"),
        "participants.csv line 2, column activities: 'TEACH' is an EU_TO_WB activity: it needs a "
        "sending organisation in region EU, but RS_BEL is in region WB",
    ),
    (
        "eu-participant-in-wb-to-eu",
        cell("participants", 4, "activities", "LEARN"),
        "participants.csv line 6, column activities: 'LEARN' is a WB_TO_EU activity: it needs a "
        "sending organisation in region WB, but IT_FOR is in region EU",
    ),
    (
        "wb-host-for-wb-to-eu",
        cell("offers", 0, "host_id", "RS_BEL"),
        "offers.csv line 2, column host_id: 'RS_BEL' is in region WB, but LEARN is WB_TO_EU: its "
        "hosts must be in region EU",
    ),
    (
        "eu-host-for-eu-to-wb",
        cell("offers", 2, "host_id", "SI_MAR"),
        "offers.csv line 4, column host_id: 'SI_MAR' is in region EU, but TEACH is EU_TO_WB: its "
        "hosts must be in region WB",
    ),
    (
        "available-from-after-to",
        cell("participants", 0, "available_to", "2019-12-31"),
        "participants.csv line 2, column available_to: '2019-12-31' is before available_from "
        "2020-01-01",
    ),
    (
        "offer-start-after-end",
        cell("offers", 0, "end_date", "2020-03-01"),
        "offers.csv line 2, column end_date: '2020-03-01' is before start_date 2020-03-02",
    ),
    (
        "offer-starts-before-window",
        cell("offers", 0, "start_date", "2019-12-31"),
        "offers.csv line 2, column start_date: '2019-12-31' is outside the project window "
        "2020-01-01 to 2020-12-31",
    ),
    (
        "offer-ends-after-window",
        cell("offers", 3, "end_date", "2021-01-01"),
        "offers.csv line 5, column end_date: '2021-01-01' is outside the project window "
        "2020-01-01 to 2020-12-31",
    ),
    (
        "country-not-in-groups",
        cell("organisations", 0, "country", "XK"),
        "organisations.csv line 2, column country: 'XK' is not listed in country_groups.csv; add "
        "its group",
    ),
    (
        "missing-daily-rate",
        lambda m, t: t.__setitem__(
            "daily_rates",
            [
                r
                for r in t["daily_rates"]
                if (r["group"], r["participant_type"]) != ("3", "learner")
            ],
        ),
        "offers.csv line 3, column host_id: 'SI_MAR' is in SI (group 3), but daily_rates.csv has "
        "no rate for group 3 and participant_type learner; add that row",
    ),
    (
        "quota-min-above-quota",
        cell("activities", 0, "quota_min", "4"),
        "activities.csv line 2, column quota_min: '4' is greater than quota 3",
    ),
    (
        "band-overlap",
        cell("travel_bands", 2, "min_km", "400"),
        "travel_bands.csv line 4, column min_km: '400' overlaps the band 100-500 of line 3; bands "
        "may not overlap",
    ),
    (
        "band-gap",
        cell("travel_bands", 2, "min_km", "600"),
        "travel_bands.csv line 4, column min_km: '600' leaves a gap after the band 100-500 of "
        "line 3; start it at 500",
    ),
    (
        "band-unbounded-not-last",
        cell("travel_bands", 5, "max_km", ""),
        "travel_bands.csv line 7, column max_km: is empty but this is not the last band; only the "
        "last band may be unbounded",
    ),
    (
        "band-max-not-above-min",
        cell("travel_bands", 0, "max_km", "10"),
        "travel_bands.csv line 2, column max_km: '10' must be greater than min_km 10",
    ),
]


@pytest.mark.parametrize("edit, message", [pytest.param(e, m, id=i) for i, e, m in CROSS_RULES])
def test_cross_table_rule(tmp_path: Path, edit: Edit, message: str) -> None:
    assert broken(tmp_path, edit) == [message]


def test_missing_daily_rate_is_reported_once_per_group_and_type(tmp_path: Path) -> None:
    def edit(meta: Meta, tables: Tables) -> None:
        tables["daily_rates"] = [r for r in tables["daily_rates"] if r["group"] != "2"]
        tables["offers"].append(dict(tables["offers"][0], offer_id="O5"))

    assert broken(tmp_path, edit) == [
        "offers.csv line 2, column host_id: 'ES_SEV' is in ES (group 2), but daily_rates.csv "
        "has no rate for group 2 and participant_type learner; add that row",
        "offers.csv line 5, column host_id: 'BA_SAR' is in BA (group 2), but daily_rates.csv "
        "has no rate for group 2 and participant_type staff; add that row",
    ]


def test_bands_may_come_in_any_order(tmp_path: Path) -> None:
    meta, tables = tiny_tables()
    tables["travel_bands"].reverse()
    case = load_case(write_case(tmp_path / "case", meta, tables))
    assert case.travel_bands["min_km"].tolist() == [10, 100, 500, 2000, 3000, 4000, 8000]


# ----------------------------------------------------------------- case.yaml


def meta_edit(**changes: object) -> Edit:
    def edit(meta: Meta, tables: Tables) -> None:
        for k, v in changes.items():
            if v is None:
                meta.pop(k)
            else:
                meta[k] = v

    return edit


CASE_RULES = [
    ("missing-name", meta_edit(name=None), "case.yaml column name: a value is required; add it"),
    (
        "missing-start",
        meta_edit(start_date=None),
        "case.yaml column start_date: a value is required; add it",
    ),
    (
        "missing-budget",
        meta_edit(budget_eur=None),
        "case.yaml column budget_eur: a value is required; add it",
    ),
    (
        "empty-end",
        meta_edit(end_date=""),
        "case.yaml line 3, column end_date: a value is required; add it",
    ),
    (
        "bad-date",
        meta_edit(start_date="2020-02-30"),
        "case.yaml line 2, column start_date: '2020-02-30' is not a date in the form YYYY-MM-DD",
    ),
    (
        "bad-date-format",
        meta_edit(end_date="31.12.2020"),
        "case.yaml line 3, column end_date: '31.12.2020' is not a date in the form YYYY-MM-DD",
    ),
    (
        "budget-zero",
        meta_edit(budget_eur="0"),
        "case.yaml line 4, column budget_eur: '0' must be greater than 0",
    ),
    (
        "budget-negative",
        meta_edit(budget_eur=-5),
        "case.yaml line 4, column budget_eur: '-5' must be greater than 0",
    ),
    (
        "budget-below-a-cent",
        meta_edit(budget_eur="0.001"),
        "case.yaml line 4, column budget_eur: '0.001' is less than a cent; give the budget in euro",
    ),
    (
        "budget-text",
        meta_edit(budget_eur="lots"),
        "case.yaml line 4, column budget_eur: 'lots' is not a number",
    ),
    (
        "budget-list",
        meta_edit(budget_eur=[1, 2]),
        "case.yaml line 4, column budget_eur: '[1, 2]' must be a single value, not a list or "
        "mapping",
    ),
    (
        "inclusion-negative",
        meta_edit(inclusion_support_eur="-1"),
        "case.yaml line 5, column inclusion_support_eur: '-1' must be 0 or more",
    ),
    (
        "threshold-not-int",
        meta_edit(org_support_threshold="1.5"),
        "case.yaml line 6, column org_support_threshold: '1.5' is not a whole number",
    ),
    (
        "misspelt-key",
        lambda m, t: m.__setitem__("budjet_eur", m.pop("budget_eur")),
        "case.yaml line 6, column budjet_eur: unknown key; did you mean 'budget_eur'?",
    ),
]


@pytest.mark.parametrize("edit, message", [pytest.param(e, m, id=i) for i, e, m in CASE_RULES])
def test_case_yaml_rule(tmp_path: Path, edit: Edit, message: str) -> None:
    assert broken(tmp_path, edit) == [message]


def test_case_start_after_end(tmp_path: Path) -> None:
    out = broken(tmp_path, meta_edit(start_date="2021-01-01", end_date="2020-12-31"))
    assert out[0] == (
        "case.yaml line 3, column end_date: '2020-12-31' is before start_date 2021-01-01"
    )


def test_case_yaml_keys_that_are_not_typos_are_ignored(tmp_path: Path) -> None:
    meta, tables = tiny_tables()
    meta["notes"] = "figures from the 2019 application"
    assert load_case(write_case(tmp_path / "case", meta, tables)).name == "tiny"


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "- name: x\n- budget_eur: 5\n",
            "case.yaml line 1: holds a list; it must be key: value lines (name, start_date, "
            "end_date, budget_eur)",
        ),
        (
            "",
            "case.yaml line 1: is empty; give name, start_date, end_date and budget_eur as "
            "key: value lines",
        ),
        (
            "name: x\n\tstart_date: 2020-01-01\n",
            "case.yaml line 2: is not valid YAML: found character '\\t' that cannot start any token; "
            "indent with spaces, not tabs",
        ),
        (
            "name: [x\n",
            "case.yaml line 2: is not valid YAML: expected ',' or ']', but got '<stream end>'",
        ),
        (
            "name: tiny\nstart_date: 2020-02-30\nend_date: 2020-12-31\nbudget_eur: 5\n",
            "case.yaml line 2, column start_date: '2020-02-30' is not a date in the form YYYY-MM-DD",
        ),
        (
            "name: tiny\nstart_date: 2020-01-01\nend_date: 2020-12-31\nbudget_eur: 5\nbudget_eur: 6\n",
            "case.yaml line 5, column budget_eur: key appears twice (first on line 4); keep one",
        ),
        (
            "name: tiny\nstart_date: 2020-01-01\nend_date: 2020-12-31\nbudget_eur: .nan\n",
            "case.yaml line 4, column budget_eur: 'nan' is not a finite number",
        ),
        (
            "name: !!python/object/apply:os.system ['echo hi']\n",
            "case.yaml line 1: is not valid YAML: could not determine a constructor for the tag "
            "'tag:yaml.org,2002:python/object/apply:os.system'",
        ),
    ],
)
def test_case_yaml_file(tiny_case: Path, text: str, message: str) -> None:
    (tiny_case / "case.yaml").write_text(text, encoding="utf-8")
    assert problems(tiny_case) == [message]


def test_unquoted_yaml_dates_and_numbers_are_read(tiny_case: Path) -> None:
    (tiny_case / "case.yaml").write_text(
        "name: tiny\nstart_date: 2020-01-01\nend_date: 2020-12-31\nbudget_eur: 100000.5\n",
        encoding="utf-8",
    )
    case = load_case(tiny_case)
    assert case.budget_eur == 100000.5 and str(case.end_date) == "2020-12-31"
    assert case.org_support_threshold == 100 and case.inclusion_support_eur == 0


# ----------------------------------------------------------------- files


@pytest.mark.parametrize(
    "name",
    [
        "organisations.csv",
        "activities.csv",
        "participants.csv",
        "offers.csv",
        "travel_bands.csv",
        "country_groups.csv",
        "daily_rates.csv",
        "case.yaml",
    ],
)
def test_missing_file(tiny_case: Path, name: str) -> None:
    (tiny_case / name).unlink()
    out = problems(tiny_case)
    assert len(out) == 1 and out[0].startswith(f"{name}: file is missing from {tiny_case}")


def test_missing_file_with_other_case_is_named(tiny_case: Path) -> None:
    (tiny_case / "offers.csv").rename(tiny_case / "Offers.csv")
    assert problems(tiny_case) == [
        f"offers.csv: file is missing from {tiny_case}; it holds the time slots offered by "
        "hosts; found 'Offers.csv': rename it offers.csv"
    ]


def test_host_capacity_is_optional(tiny_case: Path) -> None:
    (tiny_case / "host_capacity.csv").unlink()
    assert len(load_case(tiny_case).host_capacity) == 0


def test_host_capacity_with_a_header_only_means_no_limits(tiny_case: Path) -> None:
    (tiny_case / "host_capacity.csv").write_text("host_id,max_concurrent\n")
    assert len(load_case(tiny_case).host_capacity) == 0


_rng = random.Random(7)
GARBAGE = bytes(_rng.randrange(1, 256) for _ in range(400))

FILE_PROBLEMS = [
    ("empty", b"", "participants.csv: is empty; it needs a header line naming the columns"),
    (
        "blank",
        b" \n\r\n\n",
        "participants.csv: is empty; it needs a header line naming the columns",
    ),
    (
        "header-only",
        b"participant_id,org_id,activities,gender,fewer_opportunities,sector,"
        b"available_from,available_to\n",
        "participants.csv: has a header but no rows; it must list the applicants",
    ),
    (
        "binary",
        b"\x00\x01\x02garbage\x00",
        "participants.csv: is not a text file (it holds binary data); save it as 'CSV UTF-8'",
    ),
    (
        "random-bytes",
        b"\x93\xa7garbage\x81\n\xfe",
        "participants.csv line 1: is not UTF-8 text (byte 0x93); save it as 'CSV UTF-8' and "
        "try again",
    ),
    (
        "latin-1",
        "participant_id,org_id\nP1,Forlì\n".encode("latin-1"),
        "participants.csv line 2: is not UTF-8 text (byte 0xec); save it as 'CSV UTF-8' and "
        "try again",
    ),
    (
        "utf-16",
        "participant_id,org_id\n".encode("utf-16"),
        "participants.csv: is UTF-16 text; save it as 'CSV UTF-8' and try again",
    ),
    (
        "xlsx-saved-as-csv",
        b"PK\x03\x04\x14\x00rest of a zip",
        "participants.csv: is a zip or Excel file, not text; save it as 'CSV UTF-8'",
    ),
    (
        "tabs",
        b"participant_id\torg_id\tgender\nP1\tRS_BEL\tF\n",
        "participants.csv line 1: separates columns with tabs; save it as CSV (columns "
        "separated by , or ;)",
    ),
]


@pytest.mark.parametrize("data, message", [pytest.param(d, m, id=i) for i, d, m in FILE_PROBLEMS])
def test_unreadable_table(tiny_case: Path, data: bytes, message: str) -> None:
    (tiny_case / "participants.csv").write_bytes(data)
    assert problems(tiny_case) == [message]


def test_unclosed_quote_names_the_row_where_it_opens(tiny_case: Path) -> None:
    text = (tiny_case / "participants.csv").read_text()
    (tiny_case / "participants.csv").write_text(text.replace("\nP3,", '\nP3,"', 1))
    assert problems(tiny_case) == [
        'participants.csv line 4: has a quoted cell that starts here but is never closed (a " '
        "is missing); close the quote or remove it"
    ]


def test_text_after_a_closing_quote(tiny_case: Path) -> None:
    text = (tiny_case / "offers.csv").read_text()
    (tiny_case / "offers.csv").write_text(text.replace("\nO2,", '\n"O2"x,', 1))
    assert problems(tiny_case) == [
        "offers.csv line 3: has text right after the closing quote of a cell; inside a quoted "
        'cell write a quote as "" (two quotes)'
    ]


def test_row_with_too_many_values(tiny_case: Path) -> None:
    text = (tiny_case / "host_capacity.csv").read_text()
    (tiny_case / "host_capacity.csv").write_text(text.replace("ES_SEV,2", "ES_SEV,2,3"))
    assert problems(tiny_case) == [
        "host_capacity.csv line 2: has 3 values but the header names 2 columns; is a separator "
        "or quote misplaced?"
    ]


def test_repeated_header_column(tiny_case: Path) -> None:
    text = (tiny_case / "host_capacity.csv").read_text()
    (tiny_case / "host_capacity.csv").write_text(
        text.replace("max_concurrent", "max_concurrent,host_id").replace("ES_SEV,2", "ES_SEV,2,x")
    )
    assert problems(tiny_case) == [
        "host_capacity.csv line 1, column host_id: column appears twice in the header; keep one"
    ]


def test_folder_that_does_not_exist(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    assert problems(missing) == [
        f"{missing}: no such folder or file; give a case folder (case.yaml and CSV tables) or "
        "an .xlsx workbook"
    ]


def test_single_csv_instead_of_a_folder(tiny_case: Path) -> None:
    f = tiny_case / "offers.csv"
    assert problems(f) == [
        f"{f}: is a single CSV file; give the folder that holds case.yaml and all the CSV "
        "tables, or an .xlsx workbook"
    ]


# ----------------------------------------------------------------- workbooks


@pytest.fixture
def tiny_xlsx(tmp_path: Path) -> Path:
    meta, tables = tiny_tables()
    return write_workbook(tmp_path / "tiny.xlsx", meta, tables)


@pytest.mark.parametrize("data", [b"", b"not a workbook at all", GARBAGE])
def test_garbage_xlsx(tmp_path: Path, data: bytes) -> None:
    f = tmp_path / "case.xlsx"
    f.write_bytes(data)
    assert problems(f) == [
        "case.xlsx: is not a readable .xlsx workbook (BadZipFile); save it from Excel as "
        "'Excel Workbook (.xlsx)'"
    ]


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    f = tmp_path / "case.xlsx"
    with zipfile.ZipFile(f, "w") as z:
        z.writestr("hello.txt", "hi")
    out = problems(f)
    assert len(out) == 1 and out[0].startswith("case.xlsx: is not a readable .xlsx workbook")


def test_truncated_workbook(tiny_xlsx: Path) -> None:
    data = tiny_xlsx.read_bytes()
    tiny_xlsx.write_bytes(data[: len(data) // 2])
    out = problems(tiny_xlsx)
    assert len(out) == 1 and out[0].startswith("tiny.xlsx: is not a readable .xlsx workbook")


def test_workbook_with_a_broken_sheet(tiny_xlsx: Path) -> None:
    data = {i: z for i, z in _zip_items(tiny_xlsx)}
    sheet = "xl/worksheets/sheet3.xml"
    data[sheet] = data[sheet][: len(data[sheet]) // 2]
    with zipfile.ZipFile(tiny_xlsx, "w") as z:
        for name, content in data.items():
            z.writestr(name, content)
    out = problems(tiny_xlsx)
    assert len(out) == 1 and out[0].startswith("tiny.xlsx: is not a readable .xlsx workbook")


def _zip_items(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


def _edit_workbook(path: Path, edit: Callable[[openpyxl.Workbook], None]) -> Path:
    wb = openpyxl.load_workbook(path)
    edit(wb)
    wb.save(path)
    return path


def test_workbook_with_a_missing_sheet(tiny_xlsx: Path) -> None:
    _edit_workbook(tiny_xlsx, lambda wb: wb.remove(wb["offers"]))
    assert problems(tiny_xlsx) == [
        "tiny.xlsx sheet offers: sheet is missing; it holds the time slots offered by hosts"
    ]


def test_workbook_sheet_named_in_another_case(tiny_xlsx: Path) -> None:
    def rename(wb: openpyxl.Workbook) -> None:
        ws = wb["offers"]
        ws.title = "tmp"  # openpyxl refuses a title equal but for case to a current one
        ws.title = "Offers"

    _edit_workbook(tiny_xlsx, rename)
    assert problems(tiny_xlsx) == [
        "tiny.xlsx sheet offers: sheet is missing; it holds the time slots offered by hosts; "
        "found sheet 'Offers': rename it offers"
    ]


def test_workbook_without_case_sheet(tiny_xlsx: Path) -> None:
    _edit_workbook(tiny_xlsx, lambda wb: wb.remove(wb["case"]))
    assert problems(tiny_xlsx) == [
        "tiny.xlsx sheet case: sheet is missing; it holds key, value rows: name, dates, budget"
    ]


def test_workbook_cell_problems_name_sheet_line_and_column(tiny_xlsx: Path) -> None:
    def edit(wb: openpyxl.Workbook) -> None:
        wb["participants"]["D3"] = "female"  # gender of P2
        wb["activities"]["E2"] = "=1+2"  # a formula never computed by Excel
        wb["case"]["B5"] = -10  # budget_eur
        wb["case"].append(["name", "again"])

    _edit_workbook(tiny_xlsx, edit)
    assert problems(tiny_xlsx) == [
        "tiny.xlsx sheet case line 5, column budget_eur: '-10' must be greater than 0",
        "tiny.xlsx sheet case line 8, column name: appears twice (first on line 2); keep one",
        "tiny.xlsx sheet activities line 2, column quota: '=1+2' is not a whole number; it is a "
        "formula with no saved result: open the workbook in Excel and save it, or type the "
        "value",
        "tiny.xlsx sheet participants line 3, column gender: 'female' is not one of F, M, X",
    ]


def test_workbook_sheet_with_header_only(tiny_xlsx: Path) -> None:
    _edit_workbook(tiny_xlsx, lambda wb: wb["offers"].delete_rows(2, 10))
    assert problems(tiny_xlsx) == [
        "tiny.xlsx sheet offers: has a header but no rows; it must list the time slots offered "
        "by hosts"
    ]


def test_workbook_empty_sheet(tiny_xlsx: Path) -> None:
    def edit(wb: openpyxl.Workbook) -> None:
        wb.remove(wb["offers"])
        wb.create_sheet("offers")

    _edit_workbook(tiny_xlsx, edit)
    assert problems(tiny_xlsx) == [
        "tiny.xlsx sheet offers: is empty; it needs a header row naming the columns"
    ]


# ----------------------------------------------------------------- collecting everything


def test_every_problem_is_collected_in_file_and_line_order(tmp_path: Path) -> None:
    def edit(meta: Meta, tables: Tables) -> None:
        meta["budget_eur"] = "0"
        tables["participants"][4]["gender"] = "female"
        tables["participants"][1]["available_from"] = "2020-13-01"
        tables["participants"][1]["gender"] = "?"
        tables["offers"][2]["seats"] = "0"
        tables["organisations"][3]["lat"] = "200"

    meta, tables = tiny_tables()
    edit(meta, tables)
    folder = write_case(tmp_path / "case", meta, tables)
    code, out, err = run_cli("validate", str(folder))
    assert code == 2 and out == ""
    assert err.splitlines() == [
        f"6 problems found in the case {folder}:",
        "  case.yaml line 4, column budget_eur: '0' must be greater than 0",
        "  organisations.csv line 5, column lat: '200' is outside -90..90",
        "  participants.csv line 3, column gender: '?' is not one of F, M, X",
        "  participants.csv line 3, column available_from: '2020-13-01' is not a date in the "
        "form YYYY-MM-DD",
        "  participants.csv line 6, column gender: 'female' is not one of F, M, X",
        "  offers.csv line 4, column seats: '0' must be 1 or more",
    ]


def test_a_single_problem_says_problem(tmp_path: Path) -> None:
    meta, tables = tiny_tables()
    tables["participants"][0]["gender"] = "f"
    folder = write_case(tmp_path / "case", meta, tables)
    code, out, err = run_cli("validate", str(folder))
    assert (code, err.splitlines()[0]) == (2, f"1 problem found in the case {folder}:")


def test_a_broken_reference_table_does_not_flood_the_others(tiny_case: Path) -> None:
    (tiny_case / "organisations.csv").write_text("org_id,country,lat,lon,region\n")
    assert problems(tiny_case) == [
        "organisations.csv: has a header but no rows; it must list the sending and host "
        "organisations"
    ]


def test_long_values_are_cut_in_messages(tmp_path: Path) -> None:
    out = broken(tmp_path, cell("participants", 0, "gender", "x" * 500))
    assert out == [f"participants.csv line 2, column gender: '{'x' * 77}...' is not one of F, M, X"]


# ----------------------------------------------------------------- the command line


def _listing(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


BROKEN_INPUTS: list[tuple[str, Callable[[Path], Path]]] = [
    ("bad-cell", lambda d: _write(d, cell("participants", 0, "gender", "female"))),
    ("cross-table", lambda d: _write(d, cell("participants", 0, "activities", "TEACH"))),
    ("budget", lambda d: _write(d, meta_edit(budget_eur="-1"))),
    ("missing-file", lambda d: _unlink(_write(d, None), "offers.csv")),
    ("binary-file", lambda d: _put(_write(d, None), "offers.csv", b"\x00\xff" * 50)),
    ("non-utf8", lambda d: _put(_write(d, None), "offers.csv", "Forlì".encode("cp1252"))),
    ("yaml-list", lambda d: _put(_write(d, None), "case.yaml", b"- a\n- b\n")),
    ("no-folder", lambda d: d / "nowhere"),
    ("garbage-xlsx", lambda d: _put(d, "case.xlsx", GARBAGE) / "case.xlsx"),
]


def _write(folder: Path, edit: Edit | None) -> Path:
    meta, tables = tiny_tables()
    if edit is not None:
        edit(meta, tables)
    return write_case(folder / "case", meta, tables)


def _unlink(folder: Path, name: str) -> Path:
    (folder / name).unlink()
    return folder


def _put(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return folder


@pytest.mark.parametrize("make", [pytest.param(m, id=i) for i, m in BROKEN_INPUTS])
def test_validate_exits_2_without_traceback_or_output_files(
    tmp_path: Path, make, monkeypatch
) -> None:
    target = make(tmp_path)
    monkeypatch.chdir(tmp_path)
    before = _listing(tmp_path)
    code, out, err = run_cli("validate", str(target))
    assert code == 2
    assert "Traceback" not in out + err and "internal error" not in err
    assert err.startswith(("1 problem found", "2 problems found"))
    assert " line " in err or ": " in err
    assert _listing(tmp_path) == before


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("validate",),
        ("validate", "a", "b"),
        ("frobnicate",),
        ("run",),
        ("run", "s.yaml", "--time-limit", "soon"),
    ],
)
def test_bad_arguments_exit_2(args: tuple[str, ...]) -> None:
    code, out, err = run_cli(*args)
    assert code == 2 and "Traceback" not in out + err and "error:" in err


def test_validate_a_valid_case_exits_0(tiny_case: Path) -> None:
    code, out, err = run_cli("validate", str(tiny_case))
    assert (code, err) == (0, "")
    assert out.startswith("case tiny: valid")


def test_validate_a_valid_workbook_exits_0(tmp_path: Path) -> None:
    meta, tables = tiny_tables()
    code, out, err = run_cli("validate", str(write_workbook(tmp_path / "t.xlsx", meta, tables)))
    assert (code, err) == (0, "")


# ----------------------------------------------------------------- properties

TABLE_COLUMNS = [(t, c) for t, rows in tiny_tables()[1].items() for c in rows[0]]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    where=st.sampled_from(TABLE_COLUMNS),
    row=st.integers(0, 10),
    value=st.one_of(
        st.text(max_size=12),
        st.sampled_from(
            [
                "",
                "nan",
                "-1",
                "1e400",
                "1,5",
                "2020-02-30",
                "*",
                ";",
                "TRUE",
                "0",
                "1e20",
                "'",
                '"',
                "x;y",
                "XK",
                "LEARN;TEACH",
                "ES_SEV;ES_SEV",
                "9999-12-31",
            ]
        ),
    ),
)
def test_any_cell_value_gives_a_case_or_located_problems(
    tmp_path_factory, where, row, value
) -> None:
    table, column = where
    meta, tables = tiny_tables()
    rows = tables[table]
    rows[row % len(rows)][column] = value
    folder = write_case(tmp_path_factory.mktemp("c"), meta, tables)
    try:
        load_case(folder)
    except InputError as e:
        assert e.problems and e.exit_code == 2
        for p in e.problems:
            assert p.source.endswith((".csv", ".yaml")) and p.message, p
            if p.column is not None and p.source != "case.yaml":
                assert p.line is not None, p  # a cell or header problem names its line


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.sampled_from(["participants.csv", "offers.csv", "case.yaml", "travel_bands.csv"]),
    cut=st.floats(0, 1),
    junk=st.binary(max_size=40),
)
def test_truncated_or_garbled_files_give_problems_not_crashes(
    tmp_path_factory, name, cut, junk
) -> None:
    meta, tables = tiny_tables()
    folder = write_case(tmp_path_factory.mktemp("c"), meta, tables)
    data = (folder / name).read_bytes()
    (folder / name).write_bytes(data[: int(len(data) * cut)] + junk)
    try:
        load_case(folder)
    except InputError as e:
        assert e.problems and all(p.message for p in e.problems)


def test_no_file_is_left_open_or_written_by_validation(tiny_case: Path) -> None:
    before = {p: os.stat(p).st_mtime_ns for p in tiny_case.iterdir()}
    load_case(tiny_case)
    assert {p: os.stat(p).st_mtime_ns for p in tiny_case.iterdir()} == before
