"""The checks of each table on its own, driven by the declarative schemas of
:mod:`intervet_plan.inputs.schemas`: the ``case.yaml`` keys, the header, every cell, the
unique key. Rules across tables are in :mod:`intervet_plan.inputs.case_rules`.

A row is parsed into a dict of typed values (and ``_line``, its spreadsheet line); a cell
that breaks its rule is :data:`MISSING` there, so that later rules skip it instead of
reporting it again.
"""

from __future__ import annotations

import datetime as dt
import difflib

from intervet_plan.errors import Problem
from intervet_plan.inputs.limits import quoted, shown
from intervet_plan.inputs.parsers import (
    COUNTRY_RE,
    LANG_RE,
    NOT_A_NUMBER,
    NOT_WHOLE,
    Bad,
    parse_bool,
    parse_date,
    parse_id,
    parse_int,
    parse_number,
    split_list,
)
from intervet_plan.inputs.raw import RawCase, RawTable
from intervet_plan.inputs.schemas import CASE_KEYS, Column, Kind, TableSchema
from intervet_plan.inputs.value_hints import number_advice

Row = dict[str, object]
NUMBER_RULES = (NOT_A_NUMBER, NOT_WHOLE)


class Missing:
    """The value of a cell that is required but empty, or that breaks its rule."""

    def __repr__(self) -> str:
        return "<missing>"


MISSING = Missing()


def ok(v: object) -> bool:
    """Whether a parsed value is usable: neither :data:`MISSING` nor empty (``None``)."""
    return v is not MISSING and v is not None


def parse_cell(col: Column, v: str, decimal_comma: bool = False) -> object:
    """The typed value of a non-empty cell of column ``col``; :class:`Bad` when it breaks
    the column's rule. ``decimal_comma``: the table was read from a ``;``-separated file."""
    k = col.kind
    if k in (Kind.TEXT,):
        return v
    if k == Kind.ID:
        return parse_id(v)
    if k == Kind.ENUM:
        if v not in col.choices:
            choices = ", ".join(col.choices)
            raise Bad(f"{quoted(v)} is not one of {choices}", f"values are not one of {choices}")
        return v
    if k in (Kind.INT, Kind.NUMBER):
        x: float | int = (
            parse_int(v, decimal_comma) if k == Kind.INT else parse_number(v, decimal_comma)
        )
        if col.min is not None and col.max is not None and not col.min <= x <= col.max:
            span = f"{col.min:g}..{col.max:g}"
            raise Bad(f"{quoted(v)} is outside {span}", f"values are outside {span}")
        if col.min is not None and x < col.min:
            raise Bad(f"{quoted(v)} must be {col.min:g} or more", f"values are below {col.min:g}")
        if col.max is not None and x > col.max:
            raise Bad(f"{quoted(v)} must be {col.max:g} or less", f"values are above {col.max:g}")
        return x
    if k == Kind.BOOL:
        return parse_bool(v)
    if k == Kind.DATE:
        return parse_date(v)
    if k == Kind.COUNTRY:
        if not COUNTRY_RE.match(v):
            raise Bad(
                f"{quoted(v)} is not a two-letter ISO 3166-1 country code (XK for Kosovo)",
                "values are not two-letter ISO 3166-1 country codes (XK for Kosovo)",
            )
        return v
    if k == Kind.ID_LIST:
        items = split_list(v)
        for item in items:
            parse_id(item)
        return tuple(items)
    if k == Kind.LANG_LIST:
        items = [item.lower() for item in split_list(v)]
        for item in items:
            if not LANG_RE.match(item):
                raise Bad(
                    f"{quoted(item)} is not a two-letter ISO 639-1 language code",
                    "values hold an item that is not a two-letter ISO 639-1 language code",
                )
        return tuple(sorted(set(items)))
    if k == Kind.SECTORS:
        if v.strip() == "*":
            return None
        items = split_list(v)
        if not items:
            raise Bad(
                f"{quoted(v)} lists no sector; give sectors separated by ; or * for all",
                "values list no sector; give sectors separated by ; or * for all",
            )
        return tuple(sorted(set(items)))
    raise AssertionError(k)  # pragma: no cover


def empty_rule(col: Column) -> str:
    """The message for an empty cell of a required column (``cells are ...`` for several)."""
    if col.kind == Kind.ENUM:
        return f"is empty; a value is required (one of {', '.join(col.choices)})"
    if col.kind == Kind.SECTORS:
        return "is empty; list the sectors accepted, separated by ;, or * for all"
    return "is empty; a value is required"


FORMULA = (
    "it is a formula with no saved result: open the workbook in Excel and save it, or type "
    "the value"
)
FORMULAS = (
    "values are formulas with no saved result; open the workbook in Excel and save it, or "
    "type the values"
)


def meta_text(v: object) -> str:
    """A ``case.yaml`` value (or a ``case`` sheet cell) as the text a cell would hold."""
    if isinstance(v, dict | list | tuple | set):
        return shown(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v).strip()


def table_label(raw: RawCase, schema: TableSchema) -> str:
    """How messages name a table that was not read: its file, or its workbook sheet."""
    if raw.location.suffix.lower() in (".xlsx", ".xlsm"):
        return f"{raw.location.name} sheet {schema.name}"
    return schema.file_name


def check_meta(raw: RawCase, problems: list[Problem]) -> dict[str, object]:
    """The typed ``case.yaml`` keys (:data:`MISSING` for a bad one); problems are appended.
    Nothing is checked when the file could not be read (that was reported)."""
    src, lines = raw.meta_source, raw.meta_lines
    meta: dict[str, object] = {}
    if not raw.meta and any(p.source == src for p in problems):
        return meta
    # A key that is unknown but close to a known, absent one is a misspelling: say so
    # (other unknown keys, such as notes, are ignored like extra columns).
    misspelt: set[str] = set()
    for k in raw.meta:
        if str(k) in CASE_KEYS:
            continue
        close = difflib.get_close_matches(str(k), list(CASE_KEYS), n=1, cutoff=0.75)
        if close and close[0] not in raw.meta:
            misspelt.add(close[0])
            problems.append(
                Problem(src, lines.get(str(k)), str(k), f"unknown key; did you mean '{close[0]}'?")
            )
    for key, (kind, required, default) in CASE_KEYS.items():
        value = raw.meta.get(key)
        if isinstance(value, dict | list | tuple | set):
            problems.append(
                Problem(
                    src,
                    lines.get(key),
                    key,
                    f"{quoted(meta_text(value))} must be a single value, not a list or mapping",
                )
            )
            meta[key] = MISSING
            continue
        text = "" if value is None else meta_text(value)
        if text == "":
            if required and key not in misspelt:
                problems.append(Problem(src, lines.get(key), key, "a value is required; add it"))
            meta[key] = default if not required else MISSING
            continue
        try:
            col = Column(key, kind, min=0 if kind != Kind.TEXT else None)
            meta[key] = parse_cell(col, text)
        except Bad as e:
            msg = str(e)
            if key == "budget_eur" and "or more" in msg:
                msg = f"{quoted(text)} must be greater than 0"
            advice = number_advice(text, kind == Kind.INT) if e.rule in NUMBER_RULES else None
            if advice:
                msg += f"; {advice}"
            problems.append(Problem(src, lines.get(key), key, msg))
            meta[key] = MISSING
    budget = meta.get("budget_eur")
    if isinstance(budget, float) and budget == 0:
        problems.append(
            Problem(
                src,
                lines.get("budget_eur"),
                "budget_eur",
                f"{quoted(meta_text(raw.meta['budget_eur']))} must be greater than 0",
            )
        )
    elif isinstance(budget, float) and budget < 0.01:  # money is kept to the cent
        problems.append(
            Problem(
                src,
                lines.get("budget_eur"),
                "budget_eur",
                f"{quoted(meta_text(raw.meta['budget_eur']))} is less "
                "than a cent; give the budget in euro",
            )
        )
    start, end = meta.get("start_date"), meta.get("end_date")
    if isinstance(start, dt.date) and isinstance(end, dt.date) and start > end:
        problems.append(
            Problem(src, lines.get("end_date"), "end_date", f"'{end}' is before start_date {start}")
        )
    return meta


def check_table(schema: TableSchema, t: RawTable, label: str, problems: list[Problem]) -> list[Row]:
    """The rows of one table parsed by its schema (extra columns kept as text); problems
    (named by ``label``) are appended."""

    def add(
        line: int | None,
        column: str | None,
        message: str,
        value: str | None = None,
        rule: str | None = None,
    ) -> None:
        problems.append(Problem(label, line, column, message, value, rule))

    present = set(t.header)
    for col in schema.columns:
        if col.name not in present and not col.optional_column:
            add(1, col.name, "required column is missing from the header; add it")
    idx = {c: t.header.index(c) for c in present}
    decimal_comma = getattr(t, "decimal_comma", False)
    if not t.rows and not schema.optional:
        add(None, None, f"has a header but no rows; it must list {schema.purpose}")
    parsed: list[Row] = []
    first_line: dict[tuple[object, ...], int] = {}
    for cells, line in zip(t.rows, t.lines, strict=True):
        row: Row = {"_line": line}
        for col in schema.columns:
            if col.name not in idx:
                row[col.name] = col.default
                continue
            text = cells[idx[col.name]]
            if text == "":
                if col.required:
                    empty = empty_rule(col)
                    add(line, col.name, empty, "", empty.replace("is empty", "cells are empty"))
                    row[col.name] = MISSING
                else:
                    row[col.name] = col.default
                continue
            try:
                row[col.name] = parse_cell(col, text, decimal_comma)
            except Bad as e:
                msg, rule = str(e), e.rule
                if text.startswith("="):
                    msg, rule = f"{msg}; {FORMULA}", FORMULAS
                add(line, col.name, msg, text, rule)
                row[col.name] = MISSING
        for c in t.header:  # extra columns are kept as text
            if c not in schema.by_name and c != "_line":
                row[c] = cells[idx[c]]
        key = tuple(row.get(k) for k in schema.key)
        if all(k is not MISSING and k is not None for k in key):
            if key in first_line:
                text_key = ", ".join(f"{k:g}" if isinstance(k, float) else str(k) for k in key)
                unique = f"{' and '.join(schema.key)} must be unique"
                add(
                    line,
                    schema.key[-1] if len(schema.key) > 1 else schema.key[0],
                    f"{quoted(text_key)} repeats line {first_line[key]}; {unique}",
                    text_key,
                    f"values repeat an earlier line; {unique}",
                )
            else:
                first_line[key] = line
        parsed.append(row)
    return parsed
