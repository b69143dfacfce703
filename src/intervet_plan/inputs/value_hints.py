"""What refused values look like, and what to do: dates written dd/mm/yyyy or mm/dd/yyyy
(the order decided by the values above 12), with a time of day or as Excel day numbers;
numbers with a decimal comma, thousands separators or a currency sign.

>>> date_order(["15/03/2020", "01/04/2020"])
'dm'
>>> date_hint(["15/03/2020", "01/04/2020"], "dm", sheet=False)
"they look like dd/mm/yyyy (e.g. '15/03/2020'): export the dates as YYYY-MM-DD, or as date cells in a workbook"
>>> number_hint(["44,8125", "43,8563"], sheet=False, whole=False)
"they use a decimal comma (e.g. '44,8125' is written 44.8125): write decimals with a point, or save the file with columns separated by ;, where a decimal comma is read"
>>> number_advice("1.000.000,50", whole=False)
'write it with a decimal point and no thousands separator: 1000000.50'
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from intervet_plan.inputs.limits import quoted

# ------------------------------------------------------------------ dates

DAY_MONTH = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})")
YEAR_FIRST = re.compile(r"\d{4}([/.])\d{1,2}\1\d{1,2}")
WITH_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}.*")
EXCEL_DAY = re.compile(r"\d{5}(?:\.0+)?")  # days since 1899-12-30, as a date cell's number
EXCEL_EPOCH = dt.date(1899, 12, 30)


def date_order(values: list[str]) -> str | None:
    """The order of day and month that dd/mm or mm/dd dates show, decided by the values above
    12: ``dm``, ``md``, ``mixed`` (both), ``either`` (none above 12); ``None`` when no value
    has that form."""
    above: set[str] | None = None  # where a value above 12 stands
    for v in values:
        m = DAY_MONTH.fullmatch(v.strip())
        if m:
            above = above if above is not None else set()
            if int(m.group(1)) > 12:
                above.add("first")
            if int(m.group(3)) > 12:
                above.add("second")
    if above is None:
        return None
    if len(above) == 2:
        return "mixed"
    return "dm" if "first" in above else "md" if above else "either"


def _date_kind(v: str, order: str | None) -> str | None:
    """The format of a date written otherwise than YYYY-MM-DD, in words, or ``None``."""
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
        return "dates with a time of day"
    if EXCEL_DAY.fullmatch(v):
        return "day numbers of Excel"
    return None


def date_hint(values: list[str], order: str | None, sheet: bool) -> str | None:
    """What dates refused in one column look like (when at least half share a format), and
    what to do; ``order`` is :func:`date_order` of the table's refused dates; ``sheet``: the
    table is a workbook sheet."""
    kinds = Counter(k for v in values if (k := _date_kind(v, order)) is not None)
    if not kinds:
        return None
    kind, n = kinds.most_common(1)[0]
    if n * 2 < len(values):
        return None
    look = "they look like" if n == len(values) else "most look like"
    example = _telling_example([v for v in values if _date_kind(v, order) == kind], order)
    if kind == "day numbers of Excel":
        day = EXCEL_EPOCH + dt.timedelta(days=int(float(example)))
        return (
            f"{look} {kind} (e.g. {quoted(example)} is {day.isoformat()}): format the "
            "column as dates before saving, or write them as YYYY-MM-DD"
        )
    if kind == "dates with a time of day":
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


def number_hint(values: list[str], sheet: bool, whole: bool) -> str | None:
    """What numbers refused in one column look like (when at least half share a way of
    writing them), and what to do; ``sheet``: the table is a workbook sheet; ``whole``: the
    column holds whole numbers."""
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


def number_advice(v: str, whole: bool) -> str | None:
    """For one refused number (a ``case.yaml`` value): how to write it, when it is written
    with a decimal comma, thousands separators or a currency sign; else ``None``."""
    kind = _number_kind(v, whole)
    if kind is None:
        return None
    number = _as_number(v, kind, whole)
    return f"write it with a decimal point and no thousands separator: {number}"
