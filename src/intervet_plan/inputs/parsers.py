"""The value parsers shared by the case tables and the scenario file: numbers (within the
limits of :mod:`intervet_plan.inputs.limits`), whole numbers, dates, booleans, identifiers,
country and language codes, lists in a cell.

A value that breaks its rule raises :class:`Bad`, whose text is the message: the value as
the caller shows it, then the rule.

>>> parse_number("2,5", decimal_comma=True)
2.5
>>> parse_int("1e3")
1000
>>> number_text("1.5e6")
1500000
>>> parse_date("2020-01-31T00:00")
datetime.date(2020, 1, 31)
"""

from __future__ import annotations

import datetime as dt
import math
import re

from intervet_plan.inputs.limits import (
    ID_MAX_CHARS,
    ID_RULE,
    INT_LIMIT,
    NUMBER_LIMIT,
    id_problem,
    quoted,
    shown,
)

COUNTRY_RE = re.compile(r"\A[A-Z]{2}\Z")  # \Z: no trailing newline, whatever the call
LANG_RE = re.compile(r"\A[a-z]{2}\Z")
ISO_DATE = r"\d{4}-\d{2}-\d{2}"
# A date in a table cell, also with a midnight time (as some exports write it).
DATE_RE = re.compile(rf"^({ISO_DATE})(?:[T ]00:00(?::00(?:\.0+)?)?)?$")
TRUE = {"true", "yes", "1"}
FALSE = {"false", "no", "0"}
DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+")
# A number given as text: YAML 1.1 reads 1e6 and 1.5e6 as text (it wants 1.0e+6).
NUMBER_TEXT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


class Bad(ValueError):
    """A value that breaks its rule; the text is the message (the value, then the rule).

    ``rule`` is the rule as said of several values ("values are not numbers"), so that a
    column where many values break it can be told in one line; ``None`` when such a line
    would say less than the messages themselves.
    """

    def __init__(self, message: str, rule: str | None = None) -> None:
        super().__init__(message)
        self.rule = rule


NOT_A_NUMBER = "values are not numbers"
NOT_FINITE = "values are not finite numbers"
NOT_WHOLE = "values are not whole numbers"
NOT_A_DATE = "values are not dates in the form YYYY-MM-DD"
NOT_A_BOOLEAN = "values are not booleans (true/false, yes/no or 1/0)"
NOT_AN_ID = f"values are not valid identifiers ({ID_RULE}, at most {ID_MAX_CHARS} characters)"


class TooLarge(Bad):
    """A number beyond :data:`~intervet_plan.inputs.limits.NUMBER_LIMIT` (or, for a whole
    number, :data:`~intervet_plan.inputs.limits.INT_LIMIT`)."""


def finite_number(x: float, shown_as: str) -> float:
    """``x`` when it is finite and within :data:`NUMBER_LIMIT`; ``shown_as`` is the value
    as the message shows it (quoted)."""
    if not math.isfinite(x):
        raise Bad(f"{shown_as} is not a finite number", NOT_FINITE)
    if abs(x) > NUMBER_LIMIT:
        raise TooLarge(
            f"{shown_as} is too large; it must be {NUMBER_LIMIT:.0f} or less",
            f"values are too large; they must be {NUMBER_LIMIT:.0f} or less",
        )
    return x


def whole_number(x: float, shown_as: str) -> int:
    """``x`` as an int when it is a whole number within :data:`INT_LIMIT`; ``shown_as`` is
    the value as the message shows it (quoted)."""
    if not math.isfinite(x) or not float(x).is_integer():
        raise Bad(f"{shown_as} is not a whole number", NOT_WHOLE)
    if abs(x) > INT_LIMIT:
        raise TooLarge(
            f"{shown_as} is too large; it must be {INT_LIMIT} or less",
            f"values are too large; they must be {INT_LIMIT} or less",
        )
    return int(x)


def parse_number(v: str, decimal_comma: bool = False) -> float:
    """A finite number written as text. ``decimal_comma``: the cell comes from a
    ``;``-separated file, where ``2,5`` means 2.5 (European Excel)."""
    s = v.strip()
    if DECIMAL_COMMA.fullmatch(s):
        if not decimal_comma:
            raise Bad(
                f"{quoted(v)} is not a number; write decimals with a point (a decimal comma "
                "is read only in files separated by ;)",
                NOT_A_NUMBER,
            )
        s = s.replace(",", ".")
    if s.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        raise Bad(f"{quoted(v)} is not a finite number", NOT_FINITE)
    try:
        x = float(s)
    except ValueError:
        raise Bad(f"{quoted(v)} is not a number", NOT_A_NUMBER) from None
    return finite_number(x, quoted(v))


def parse_int(v: str, decimal_comma: bool = False) -> int:
    """A whole number written as text (``1e3`` and ``2.0`` are whole numbers)."""
    try:
        x = parse_number(v, decimal_comma)
    except TooLarge:
        raise TooLarge(
            f"{quoted(v)} is too large; it must be {INT_LIMIT} or less",
            f"values are too large; they must be {INT_LIMIT} or less",
        ) from None
    except Bad:
        raise Bad(f"{quoted(v)} is not a whole number", NOT_WHOLE) from None
    return whole_number(x, quoted(v))


def parse_date(v: str) -> dt.date:
    """A date written ``YYYY-MM-DD`` (a midnight time after it is accepted)."""
    m = DATE_RE.match(v.strip())
    try:
        if not m:
            raise ValueError
        return dt.date.fromisoformat(m.group(1))
    except ValueError:
        raise Bad(f"{quoted(v)} is not a date in the form YYYY-MM-DD", NOT_A_DATE) from None


def parse_bool(v: str) -> bool:
    """true/false, yes/no or 1/0, in any case."""
    s = v.strip().lower()
    if s in TRUE:
        return True
    if s in FALSE:
        return False
    raise Bad(f"{quoted(v)} is not a boolean (true/false, yes/no or 1/0)", NOT_A_BOOLEAN)


def parse_id(v: str) -> str:
    """An identifier (SPEC 2; the rule is :func:`intervet_plan.inputs.limits.id_problem`)."""
    problem = id_problem(v)
    if problem is not None:
        raise Bad(problem, NOT_AN_ID)
    return v


def split_list(v: str) -> list[str]:
    """The items of a list cell: separated by ``;``, stripped, empty items dropped."""
    return [x.strip() for x in v.split(";") if x.strip()]


def number_text(v: object) -> object:
    """``v``, or the number it writes when it is text such as ``1e6`` (which YAML 1.1 reads
    as text); other text is returned as it is (and refused as not a number)."""
    if isinstance(v, str) and NUMBER_TEXT.fullmatch(v.strip()):
        x = float(v)
        return int(x) if x.is_integer() and abs(x) <= INT_LIMIT else x
    return v


def date_value(v: object) -> dt.date:
    """A date read from YAML: a date, a timestamp (its date) or text ``YYYY-MM-DD`` (YAML
    keeps an impossible date such as 2020-02-30 as text: it is refused here)."""
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str) and re.fullmatch(ISO_DATE, v.strip()):
        try:
            return dt.date.fromisoformat(v.strip())
        except ValueError:  # e.g. 2020-02-30
            pass
    raise Bad(f"'{shown(v)}' is not a date in the form YYYY-MM-DD")
