"""Input limits, in one place: what an identifier may be, and how large an input may be.

Each limit is checked before any work starts (reading a table, opening a workbook, solving,
writing a folder), so that input beyond it is refused at once as invalid input (exit 2) with
the limit and the value named, never after minutes of work or with a traceback.

>>> id_problem("RS_BEL") is None
True
>>> id_problem("nl\\n")
"'nl\\\\n' is not a valid identifier (a letter or digit first, then letters, digits, _ . - only)"
>>> id_problem("x" * 65).partition("' ")[2]
'is 65 characters long; an identifier has at most 64'
"""

from __future__ import annotations

import re
import reprlib

# Identifiers (SPEC 2): a letter or digit first (so that no identifier written to a CSV can
# be read by a spreadsheet as a formula: = + - @), then letters, digits, _ . -, matched as a
# whole (no trailing newline: always use ID_RE.fullmatch, never match with $).
ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.-]*"
ID_RE = re.compile(ID_PATTERN)
# Identifiers name output folders and files (reports/<scenario name>/, sweep variants
# <name>-<key>-<value>.yaml): 64 characters keep every such path far below the 255-byte
# limit of a file name on common file systems.
ID_MAX_CHARS = 64
ID_RULE = "a letter or digit first, then letters, digits, _ . - only"

# Whole numbers in inputs (quotas, seats, days, thresholds): no count in a mobility programme
# comes near; a larger one is a typo.
INT_LIMIT = 10**9
# Other numbers (EUR, km, weights): a larger one is a typo and would overflow the model's
# arithmetic.
NUMBER_LIMIT = 1e12

# A workbook (.xlsx) may unpack to at most this many bytes in all (the sum of the
# uncompressed sizes in its zip directory, which bound what can be read from it). A national
# round of 27,000 applicants (generate --scale 30) unpacks to 18 MB and validates in 9 s; a
# workbook far above this limit is a zip bomb or a sheet full of formatted empty cells, and
# would take many minutes and gigabytes.
MAX_WORKBOOK_UNPACKED_BYTES = 256 * 1024 * 1024
# A CSV table may be at most this large on disk (it is read whole into memory). The national
# round's largest table (participants.csv) is 2.6 MB.
MAX_CSV_BYTES = 256 * 1024 * 1024
# Columns of a table's header: the widest table has 15; a value far to the right (XFD1) would
# make every row 16,384 cells wide.
MAX_COLUMNS = 200

# Values shown in messages are cut to this many characters.
SHOWN_CHARS = 80

# Control characters as messages show them (a trailing newline as \n, visible).
_CONTROL = {i: f"\\x{i:02x}" for i in (*range(32), 127)} | {10: "\\n", 13: "\\r", 9: "\\t"}


def escaped(text: str) -> str:
    """``text`` with its control characters escaped: ``'nl\\n'`` shows as ``nl\\n``."""
    return text.translate(_CONTROL)


class _ShortRepr(reprlib.Repr):
    """reprlib for YAML containers too (subclasses of dict and list): a value shown in a
    message stays short even when YAML aliases make it huge."""

    def repr1(self, x: object, level: int) -> str:
        if isinstance(x, dict) and type(x) is not dict:
            return self.repr_dict(x, level)
        if isinstance(x, list) and type(x) is not list:
            return self.repr_list(x, level)
        return super().repr1(x, level)


_SHORT = _ShortRepr()


def shown(v: object, limit: int = SHOWN_CHARS) -> str:
    """A value as a message shows it: containers shortened, long text cut to ``limit``,
    control characters escaped (a trailing newline shows as ``\\n``)."""
    text = _SHORT.repr(v) if isinstance(v, dict | list | tuple | set) else str(v)
    text = escaped(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def quoted(value: object) -> str:
    """A value as a message shows it: in quotes, cut to :data:`SHOWN_CHARS`, with quotes and
    control characters escaped (so that a trailing newline is visible)."""
    v = str(value)
    if len(v) > SHOWN_CHARS:
        v = v[: SHOWN_CHARS - 3] + "..."
    return "'" + escaped(v).replace("'", "\\'") + "'"


def id_problem(value: str) -> str | None:
    """``None`` when ``value`` is a valid identifier (SPEC 2), else the message (the value
    quoted, then the rule it breaks)."""
    if not ID_RE.fullmatch(value):
        return f"{quoted(value)} is not a valid identifier ({ID_RULE})"
    if len(value) > ID_MAX_CHARS:
        return (
            f"{quoted(value)} is {len(value)} characters long; "
            f"an identifier has at most {ID_MAX_CHARS}"
        )
    return None


def megabytes(n: int) -> str:
    """Bytes as a message shows them: ``700.0 MB`` (1 MB = 1024 * 1024 bytes)."""
    return f"{n / (1024 * 1024):.1f} MB"
