"""One small exception hierarchy. Every message says what is wrong, where, and what to do."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One validation finding, located like a spreadsheet shows it.

    ``line`` is the spreadsheet line (header = 1); ``None`` for file-level problems.
    ``message`` is the complete sentence after the location.
    """

    source: str
    line: int | None
    column: str | None
    message: str
    value: str | None = None

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f" line {self.line}"
        if self.column:
            where += (
                f", column {self.column}" if self.line is not None else f" column {self.column}"
            )
        return f"{where}: {self.message}"


class IntervetError(Exception):
    """Base class of the errors this package raises on purpose."""

    exit_code = 1


class InputError(IntervetError):
    """Invalid input (case, scenario, arguments): exit code 2."""

    exit_code = 2

    def __init__(self, problems: list[Problem] | Problem | str, what: str = "input") -> None:
        if isinstance(problems, str):
            problems = [Problem(what, None, None, problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        self.what = what
        super().__init__(self.report())

    def report(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} found in the {self.what}:"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])


class InfeasibleError(IntervetError):
    """The hard constraints cannot all hold: exit code 3."""

    exit_code = 3


class NoPlanError(IntervetError):
    """The time limit was reached before any plan was found: exit code 4."""

    exit_code = 4
