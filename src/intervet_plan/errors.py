"""One small exception hierarchy. Every message says what is wrong, where, and what to do."""

from __future__ import annotations

import errno
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
