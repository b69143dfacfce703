"""One small exception hierarchy. Every message says what is wrong, where, and what to do."""

from __future__ import annotations

import errno
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One validation finding, located like a spreadsheet shows it.

    ``line`` is the spreadsheet line (header = 1); ``None`` for file-level problems.
    ``message`` is the complete sentence after the location. ``value`` is the cell as read
    (text) and ``rule`` the rule it breaks as said of several values ("values are not dates
    in the form YYYY-MM-DD"), when the problem is one of a kind that may repeat down a column:
    such problems may be told together as one :class:`RepeatedProblem`.
    """

    source: str
    line: int | None
    column: str | None
    message: str
    value: str | None = None
    rule: str | None = None

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f" line {self.line}"
        if self.column:
            where += (
                f", column {self.column}" if self.line is not None else f" column {self.column}"
            )
        return f"{where}: {self.message}"


FIRST_LINES = 5  # a repeated problem shows its first lines, then the last


@dataclass(frozen=True)
class RepeatedProblem:
    """Problems of one kind in one column of one table (``column`` ``None``: whole lines),
    told in one line: the count, the rule, the first lines and the last, and a hint when the
    values show what went wrong.

    >>> print(RepeatedProblem("a.csv", "d", "values are not dates", (2, 3, 4, 5, 6, 7, 8, 9)))
    a.csv, column d: 8 values are not dates (lines 2, 3, 4, 5, 6, ..., 9)
    >>> print(RepeatedProblem("a.csv", "g", "cells are empty; a value is required", (2, 3)))
    a.csv, column g: 2 cells are empty (lines 2, 3); a value is required
    """

    source: str
    column: str | None
    rule: str
    lines: tuple[int, ...]
    hint: str | None = None

    def __str__(self) -> str:
        where = f"{self.source}, column {self.column}" if self.column else self.source
        shown = [str(n) for n in self.lines]
        if len(shown) > FIRST_LINES + 2:  # never an ellipsis for one line
            shown = [*shown[:FIRST_LINES], "...", shown[-1]]
        lines = f"(line{'s' if len(self.lines) != 1 else ''} {', '.join(shown)})"
        head, sep, tail = self.rule.partition("; ")
        text = f"{len(self.lines)} {head} {lines}{sep}{tail}"
        if self.hint:
            text += f"; {self.hint}"
        return f"{where}: {text}"


class IntervetError(Exception):
    """Base class of the errors this package raises on purpose."""

    exit_code = 1


class InputError(IntervetError):
    """Invalid input (case, scenario, arguments): exit code 2."""

    exit_code = 2

    def __init__(
        self,
        problems: list[Problem] | Problem | str,
        what: str = "input",
        shown: Sequence[Problem | RepeatedProblem] | None = None,
    ) -> None:
        """``problems``: every problem; ``shown``: the same told for a person, repeated
        problems of a column in one line each (by default, every problem)."""
        if isinstance(problems, str):
            problems = [Problem(what, None, None, problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        self.shown: list[Problem | RepeatedProblem] = (
            list(shown) if shown is not None else list(self.problems)
        )
        self.what = what
        super().__init__(self.report())

    def report(self, every: bool = False) -> str:
        """The problems as printed: the count, then one line per shown problem (``every``:
        one line per problem, none told together)."""
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} found in the {self.what}:"
        lines = self.problems if every else self.shown
        text = [head, *(f"  {p}" for p in lines)]
        if not every and any(isinstance(p, RepeatedProblem) for p in lines):
            text.append(
                "Repeated problems of one column are counted on one line; "
                "rerun with --debug to list each one."
            )
        return "\n".join(text)


class InfeasibleError(IntervetError):
    """The hard constraints cannot all hold: exit code 3."""

    exit_code = 3


class NoPlanError(IntervetError):
    """The time limit was reached before any plan was found: exit code 4."""

    exit_code = 4


class EnvironmentFailure(IntervetError):
    """The machine refused a file operation (disk full, read-only, permissions, a name too
    long): exit code 1, but not a bug of intervet-plan."""

    exit_code = 1


_HINTS = {
    errno.ENOSPC: "the disk is full; free some space and run again",
    errno.EDQUOT: "the disk quota is used up; free some space and run again",
    errno.EROFS: "the file system is read-only; give an output folder on a writable disk",
    errno.EACCES: "permission denied; check the folder's permissions or choose another",
    errno.EPERM: "the operation is not permitted; check the folder's permissions",
    errno.ENAMETOOLONG: "a file name is too long; choose a shorter folder or scenario name",
    errno.EMFILE: "too many files are open; close other programs and run again",
    errno.ENOMEM: "the machine is out of memory",
    errno.EIO: "the disk reported an input/output error",
    errno.ENOTDIR: "a part of the path is a file, not a folder; give another path",
    errno.EISDIR: "a folder stands where a file should be written; give another path",
    errno.ENOENT: "a file or folder on the way is missing (was it removed while running?)",
    errno.EEXIST: "something already stands where a folder should be created",
    errno.ELOOP: "a symbolic link on the way points to itself (a loop)",
    errno.EBUSY: "the file or folder is in use by another program",
    errno.EXDEV: "the output folder is on another disk than its staging folder",
}


def environment_failure(e: BaseException) -> EnvironmentFailure | None:
    """The environment error behind ``e`` (``e`` itself or a cause in its chain), told in
    words, or None when ``e`` is not one (then it may be a bug)."""
    seen: set[int] = set()
    cur: BaseException | None = e
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, OSError) and cur.errno in _HINTS:
            where = cur.filename if cur.filename is not None else ""
            where = f" {where}" if where else ""
            return EnvironmentFailure(
                f"cannot use{where}: {cur.strerror or errno.errorcode[cur.errno]} "
                f"({errno.errorcode[cur.errno]}); {_HINTS[cur.errno]}"
            )
        cur = cur.__cause__ or cur.__context__
    return None
