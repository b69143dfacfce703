"""Repeated problems told in one line: when more than :data:`FEW` cells of one column of one
table break the same rule (a whole column of dates exported as dd/mm/yyyy), a person reads
one line with the count, the first lines and the last, and a hint when the values show what
went wrong (:mod:`~intervet_plan.inputs.value_hints`). Fewer are told one by one, as found.

Every problem stays in :attr:`~intervet_plan.errors.InputError.problems`; ``--debug`` prints
each one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from intervet_plan.errors import Problem, RepeatedProblem
from intervet_plan.inputs.parsers import NOT_A_DATE, NOT_A_NUMBER, NOT_WHOLE
from intervet_plan.inputs.value_hints import date_hint, date_order, number_hint

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
    dates: dict[str, list[str]] = defaultdict(list)  # the order of day and month is the
    for (source, _, rule), group in groups.items():  # same in every column of a table
        if rule == NOT_A_DATE:
            dates[source] += [p.value for p in group if p.value is not None]
    orders = {source: date_order(values) for source, values in dates.items()}
    out: list[Problem | RepeatedProblem] = []
    told: set[Key] = set()
    for p in problems:
        if p.rule is None or len(groups[(p.source, p.column, p.rule)]) <= FEW:
            out.append(p)
            continue
        key = (p.source, p.column, p.rule)
        if key in told:
            continue
        told.add(key)
        group = groups[key]
        values = [q.value for q in group if q.value is not None]
        sheet = " sheet " in p.source
        hint = (
            date_hint(values, orders.get(p.source), sheet)
            if p.rule == NOT_A_DATE and values
            else number_hint(values, sheet, whole=p.rule == NOT_WHOLE)
            if p.rule in (NOT_A_NUMBER, NOT_WHOLE) and values
            else None
        )
        lines = tuple(sorted({q.line for q in group if q.line is not None}))
        out.append(RepeatedProblem(p.source, p.column, p.rule, lines, hint))
    return out
