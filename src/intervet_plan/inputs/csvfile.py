"""Reading one CSV table (``,`` or ``;`` separated, UTF-8 with or without BOM) as text cells.

Reading never raises on bad content: every problem becomes a :class:`Problem`.
"""

from __future__ import annotations

import csv
import io as _io
import re
from pathlib import Path

from intervet_plan.errors import Problem
from intervet_plan.inputs.limits import MAX_CSV_BYTES, megabytes
from intervet_plan.inputs.raw import RawTable, make_table, reason


def decode_text(
    data: bytes, source: str, problems: list[Problem], save_as: str = "'CSV UTF-8'"
) -> str | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        problems.append(
            Problem(source, None, None, f"is UTF-16 text; save it as {save_as} and try again")
        )
        return None
    if data.startswith(b"PK\x03\x04"):
        problems.append(
            Problem(source, None, None, f"is a zip or Excel file, not text; save it as {save_as}")
        )
        return None
    if b"\x00" in data:
        problems.append(
            Problem(
                source,
                None,
                None,
                f"is not a text file (it holds binary data); save it as {save_as}",
            )
        )
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        problems.append(
            Problem(
                source,
                line,
                None,
                f"is not UTF-8 text (byte 0x{data[e.start]:02x}); "
                f"save it as {save_as} and try again",
            )
        )
        return None
    return text


LINE_BREAK = re.compile(r"\r\n|\n|\r")
# the line "sep=;" that Excel writes and reads before the header, after any blank lines
EXCEL_SEP = re.compile(r"\A((?:[ \t]*(?:\r\n|\n|\r))*)[ \t]*sep=([,;\t|])[ \t]*(?:\r\n|\n|\r|\Z)")


def detect_separator(header_line: str) -> str:
    """``;`` when the header uses more semicolons than commas (European Excel), else ``,``."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _csv_error(e: csv.Error) -> str:
    text = str(e)
    if "unexpected end of data" in text:
        return (
            'has a quoted cell that starts here but is never closed (a " is missing); '
            "close the quote or remove it"
        )
    if "expected after" in text:
        return (
            "has text right after the closing quote of a cell; inside a quoted cell write "
            'a quote as "" (two quotes)'
        )
    if "field larger than field limit" in text:
        return "has a cell longer than 131072 characters; is a quote left open?"
    return f"is not valid CSV: {text}"


def read_csv_table(f: Path, name: str, source: str, problems: list[Problem]) -> RawTable | None:
    try:
        size = f.stat().st_size
        if size > MAX_CSV_BYTES:  # refused before it is read into memory
            problems.append(
                Problem(
                    source,
                    None,
                    None,
                    f"is {megabytes(size)}, above the limit of {MAX_CSV_BYTES / 2**20:g} MB "
                    "for a table; the tables of a national round are a few MB: check that "
                    "this is the right file",
                )
            )
            return None
        data = f.read_bytes()
    except OSError as e:
        problems.append(Problem(source, None, None, f"cannot be read: {reason(e)}"))
        return None
    text = decode_text(data, source, problems)
    if text is None:
        return None
    if not text.strip():
        problems.append(
            Problem(source, None, None, "is empty; it needs a header line naming the columns")
        )
        return None
    lines_ = text.splitlines()
    first_no = next(i for i, line in enumerate(lines_, start=1) if line.strip())
    first = lines_[first_no - 1]
    excel_sep = EXCEL_SEP.match(text)
    if excel_sep:  # Excel's "sep=;" line names the separator; the header follows it
        breaks = len(LINE_BREAK.findall(excel_sep.group(0)))
        text = "\n" * breaks + text[excel_sep.end() :]  # the same line numbers
    other = next(
        (s for s in ("\t", "|") if s in first and "," not in first and ";" not in first), None
    )
    if other is not None and not excel_sep:
        said = "tabs" if other == "\t" else f"'{other}'"
        problems.append(
            Problem(
                source,
                first_no,
                None,
                f"separates columns with {said}; save it as CSV (columns separated by , or ;)",
            )
        )
        return None
    sep = excel_sep.group(2) if excel_sep else detect_separator(first)
    reader = csv.reader(_io.StringIO(text, newline=""), delimiter=sep, strict=True)
    header: list[str] | None = None
    header_line = 1
    rows: list[list[str]] = []
    lines: list[int] = []
    line = 0
    # A spreadsheet shows one row per record (a quoted cell may hold a line break).
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            problems.append(Problem(source, line + 1, None, _csv_error(e)))
            return None
        line += 1
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        if header is None:
            header, header_line = cells, line
            continue
        rows.append(cells)
        lines.append(line)
    if header is None:
        problems.append(
            Problem(source, None, None, "is empty; it needs a header line naming the columns")
        )
        return None
    return make_table(
        name, source, header, header_line, rows, lines, problems, decimal_comma=sep == ";"
    )


def read_table_csv(path: Path, problems: list[Problem]) -> RawTable | None:
    """Read one CSV file (``,`` or ``;``, BOM accepted) as text cells; problems are appended."""
    if not Path(path).is_file():
        problems.append(Problem(str(path), None, None, "file not found"))
        return None
    return read_csv_table(Path(path), Path(path).stem, Path(path).name, problems)
