"""Repeated problems told in one line: when more than :data:`FEW` cells of one column of one
table break the same rule (a whole column of dates exported as dd/mm/yyyy), a person reads
one line with the count, the first lines and the last, and a hint when the values show what
went wrong (a date format, a decimal comma). Fewer are told one by one, as found.

Every problem stays in :attr:`~intervet_plan.errors.InputError.problems`; ``--debug`` prints
each one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from intervet_plan.errors import Problem, RepeatedProblem
from intervet_plan.inputs.limits import quoted
from intervet_plan.inputs.parsers import NOT_A_DATE, NOT_A_NUMBER, NOT_WHOLE

FEW = 3  # up to this many problems of one kind in one column are told one by one

Key = tuple[str, str | None, str]


def summarise(problems: Iterable[Problem]) -> list[Problem | RepeatedProblem]:
    """``problems`` (in the order they are reported) with the problems of one rule in one
    column of one table told in one :class:`RepeatedProblem`, at the place of the first,
    when there are more than :data:`FEW`."""
    problems = list(problems)
    groups: dict[Key, list[Problem]] = defaultdict(list)
    for p in problems:
        if p.rule is not None:
            groups[(p.source, p.column, p.rule)].append(p)
    orders = _date_orders(groups)
    out: list[Problem | RepeatedProblem] = []
    told: set[Key] = set()
    for p in problems:
        key = (p.source, p.column, p.rule or "")
        group = groups.get(key, []) if p.rule is not None else []
        if len(group) <= FEW:
            out.append(p)
        elif key not in told:
            told.add(key)
            values = [q.value for q in group if q.value is not None]
            sheet = " sheet " in p.source
            hint = _hint(p.rule or "", values, orders.get(p.source), sheet)
            lines = tuple(sorted({q.line for q in group if q.line is not None}))
            out.append(RepeatedProblem(p.source, p.column, p.rule or "", lines, hint))
    return out


# ------------------------------------------------------------------ dates

DAY_MONTH = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})")
YEAR_FIRST = re.compile(r"\d{4}([/.])\d{1,2}\1\d{1,2}")
WITH_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}.*")
EXCEL_DAY = re.compile(r"\d{5}(?:\.0+)?")  # days since 1899-12-30, as a date cell's number
EXCEL_EPOCH = dt.date(1899, 12, 30)


def _date_orders(groups: dict[Key, list[Problem]]) -> dict[str, str]:
    """Per table, the order of day and month that its dd/mm or mm/dd dates show, decided by
    the values above 12 in every date column of the table: ``dm``, ``md``, ``mixed``, or
    ``either`` when no value tells."""
    above: dict[str, set[str]] = {}  # where a value above 12 stands: "day first" / "second"
    for (source, _, rule), group in groups.items():
        if rule != NOT_A_DATE:
            continue
        for p in group:
            m = DAY_MONTH.fullmatch((p.value or "").strip())
            if m:
                seen = above.setdefault(source, set())
                if int(m.group(1)) > 12:
                    seen.add("first")
                if int(m.group(3)) > 12:
                    seen.add("second")
    return {
        source: "mixed"
        if len(seen) == 2
        else "dm"
        if "first" in seen
        else "md"
        if seen
        else "either"
        for source, seen in above.items()
    }


def _date_kind(v: str, order: str | None) -> str | None:
    """The format a date written otherwise than YYYY-MM-DD has, in words, or ``None``."""
    v = v.strip()
    m = DAY_MONTH.fullmatch(v)
    if m:
        sep, year = m.group(2), "yyyy" if len(m.group(4)) == 4 else "yy"
        return {
            "dm": f"dd{sep}mm{sep}{year}",
            "md": f"mm{sep}dd{sep}{year}",
            "mixed": f"dd{sep}mm{sep}{year} and mm{sep}dd{sep}{year} mixed",
        }.get(order or "", f"dd{sep}mm{sep}{year} or mm{sep}dd{sep}{year}")
    if YEAR_FIRST.fullmatch(v):
        sep = v[4]
        return f"yyyy{sep}mm{sep}dd"
    if WITH_TIME.fullmatch(v):
        return "a date with a time of day"
    if EXCEL_DAY.fullmatch(v):
        return "day numbers of Excel"
    return None


def _date_hint(values: list[str], order: str | None, sheet: bool) -> str | None:
    kinds = Counter(k for v in values if (k := _date_kind(v, order)) is not None)
    if not kinds:
        return None
    kind, n = kinds.most_common(1)[0]
    if n * 2 < len(values):
        return None
    look = "they look like" if n == len(values) else "most look like"
    examples = [v for v in values if _date_kind(v, order) == kind]
    example = _telling_example(examples, order)
    if kind == "day numbers of Excel":
        day = EXCEL_EPOCH + dt.timedelta(days=int(float(example)))
        return (
            f"{look} {kind} (e.g. {quoted(example)} is {day.isoformat()}): format the "
            "column as dates before saving, or write them as YYYY-MM-DD"
        )
    if kind == "a date with a time of day":
        return f"{look} {kind} (e.g. {quoted(example)}): keep the date only, as YYYY-MM-DD"
    said = f"{look} {kind} (e.g. {quoted(example)})"
    if order == "either" and DAY_MONTH.fullmatch(example.strip()):
        said += ", and no day above 12 tells which"
    if sheet:
        dmy = {"dm": "DMY", "md": "MDY"}.get(order or "")
        split = f" (Excel: Data > Text to Columns > Date {dmy})" if dmy else ""
        return f"{said}, typed as text: make them date cells{split}, or write them as YYYY-MM-DD"
    return f"{said}: export the dates as YYYY-MM-DD, or as date cells in a workbook"


def _telling_example(values: list[str], order: str | None) -> str:
    """The first value, or for dd/mm and mm/dd dates the first whose day is above 12 (the
    value that tells the order)."""
    for v in values:
        m = DAY_MONTH.fullmatch(v.strip())
        if m and (
            (order == "dm" and int(m.group(1)) > 12) or (order == "md" and int(m.group(3)) > 12)
        ):
            return v
    return values[0]


# ------------------------------------------------------------------ numbers

DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")  # 0,5
EURO_GROUPS = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?")  # 1.234,50
COMMA_GROUPS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+\.\d+")  # 1,234.50
SPACE_GROUPS = re.compile(r"[+-]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?")  # 1 234,50
COMMA_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+")  # 1,234 (in a whole number)
CURRENCY_SIGN = re.compile(r"€|EUR|\$|£", re.IGNORECASE)
CURRENCY = re.compile(r"(?:€|EUR|\$|£)\s*[+-]?\d[\d.,\s]*|[+-]?\d[\d.,\s]*\s*(?:€|EUR)", re.I)


def _number_kind(v: str, whole: bool) -> str | None:
    """How a number that was refused is written: with a currency sign, with thousands
    separators, with a decimal comma; ``None`` when it is none of these. ``whole``: the
    column holds whole numbers (then 1,234 and 1.234 separate thousands)."""
    v = v.strip()
    if CURRENCY.fullmatch(v):
        return "currency"
    if COMMA_GROUPS.fullmatch(v) or (whole and COMMA_THOUSANDS.fullmatch(v)):
        return "comma groups"
    if EURO_GROUPS.fullmatch(v):
        return "euro groups" if "," in v else "dot groups" if whole else None
    if SPACE_GROUPS.fullmatch(v):
        return "space groups"
    if DECIMAL_COMMA.fullmatch(v):
        return None if whole else "decimal comma"
    return None


def _as_number(v: str, kind: str, whole: bool) -> str:
    """How a value of ``kind`` is written with a decimal point and no separators."""
    v = v.strip()
    if kind == "currency":
        v = CURRENCY_SIGN.sub("", v).strip()
        inner = _number_kind(v, whole)
        return _as_number(v, inner, whole) if inner else v
    if kind == "comma groups":
        return v.replace(",", "")
    if kind == "dot groups":
        return v.replace(".", "")
    if kind == "euro groups":
        return v.replace(".", "").replace(",", ".")
    if kind == "space groups":
        v = re.sub(r"[ \u00a0\u202f]", "", v)
    return v.replace(",", ".")


def _number_hint(values: list[str], sheet: bool, whole: bool) -> str | None:
    kinds = Counter(k for v in values if (k := _number_kind(v, whole)) is not None)
    if not kinds:
        return None
    kind, n = kinds.most_common(1)[0]
    if n * 2 < len(values):
        return None
    look = "they" if n == len(values) else "most"
    example = next(v for v in values if _number_kind(v, whole) == kind)
    e = f"{quoted(example)} is written {_as_number(example, kind, whole)}"
    if kind == "currency":
        return f"{look} hold a currency sign (e.g. {e}): write the number of euro only"
    if kind in ("comma groups", "dot groups", "space groups"):
        return (
            f"{look} separate thousands (e.g. {e}): write numbers without thousands "
            "separators, with a decimal point"
        )
    if kind == "euro groups":
        return (
            f"{look} use a decimal comma and '.' between thousands (e.g. {e}): write numbers "
            "with a decimal point and no thousands separator"
        )
    if sheet:
        return (
            f"{look} are text with a decimal comma (e.g. {e}): type them as numbers, or "
            "write decimals with a point"
        )
    return (
        f"{look} use a decimal comma (e.g. {e}): write decimals with a point, or save the "
        "file with columns separated by ;, where a decimal comma is read"
    )


def _hint(rule: str, values: list[str], order: str | None, sheet: bool) -> str | None:
    """What the values of a repeated problem show, and what to do; ``None`` when they show
    nothing recognisable."""
    if not values:
        return None
    if rule == NOT_A_DATE:
        return _date_hint(values, order, sheet)
    if rule in (NOT_A_NUMBER, NOT_WHOLE):
        return _number_hint(values, sheet, whole=rule == NOT_WHOLE)
    return None
