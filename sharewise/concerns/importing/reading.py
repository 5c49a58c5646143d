"""Reading an import file: its bytes into numbered rows, and its header checked,
before any row's values are."""

import csv
import hashlib
import io
from dataclasses import dataclass

from django.conf import settings

from sharewise.concerns.importing.columns import (
    COLUMNS,
    CONCERN_COLUMNS,
    CONCERN_ONLY,
    PERSON_COLUMNS,
)


def max_bytes() -> int:
    return getattr(settings, "SHAREWISE_IMPORT_MAX_BYTES", 50 * 1024 * 1024)


class FileProblem(Exception):
    """The file as a whole cannot be imported; the message says what to do."""


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, dict]]  # (spreadsheet row number, {column: value})
    digest: str = ""


def size_text(n: int) -> str:
    if n >= 1_048_576:
        return f"{round(n / 1_048_576, 1):g} MB"
    return f"{round(n / 1024, 1):g} KB"


def check_size(size: int) -> None:
    limit = max_bytes()
    if size > limit:
        raise FileProblem(
            f"The file is bigger than {size_text(limit)}, the largest you can import. Split it "
            "into smaller files and import each one."
        )


def _decode(data: bytes) -> str:
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise FileProblem(
            "This is an Excel workbook, not a CSV file. In Excel choose File, Save As, "
            "'CSV UTF-8 (Comma delimited)', and import that file."
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileProblem(
            "The file is saved as UTF-16 (Unicode text). Save the file as CSV UTF-8 "
            "('CSV UTF-8 (Comma delimited)' in Excel) and import it again."
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise FileProblem(
            f"The file is not saved as UTF-8 (from line {line} it looks like Windows-1252 or "
            "Latin-1, which Excel uses for plain 'CSV'). Save the file as CSV UTF-8 "
            "('CSV UTF-8 (Comma delimited)' in Excel's Save As) and import it again."
        ) from None


def _column_name(text: str) -> str:
    return "_".join(text.strip().lower().replace("-", " ").split())


def parse(data: bytes) -> Table:
    """Numbered rows from a CSV file's bytes, or FileProblem saying what to fix."""
    check_size(len(data))
    text = _decode(data)
    if "\x00" in text:
        raise FileProblem("The file contains null characters, so it is not a CSV file.")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise FileProblem("The file is empty: the first row must name the columns.")
        header = [_column_name(h) for h in header]
        rows = []
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue  # spreadsheets often end with blank rows
            if len(values) > len(header):
                raise FileProblem(
                    f"Row {number} has {len(values)} values but the header has {len(header)} "
                    "columns. A value probably contains a comma without quotes around it: "
                    "save the file from your spreadsheet as CSV again rather than editing it "
                    "by hand."
                )
            rows.append((number, dict(zip(header, (v.strip() for v in values), strict=False))))
    except csv.Error as error:
        raise FileProblem(
            f"The file is not valid CSV near row {reader.line_num}: {error}. This usually "
            "means a quotation mark that is not closed. Save the file from your spreadsheet "
            "as CSV again."
        ) from None
    if not rows:
        raise FileProblem("The file has a header row but no rows under it.")
    return Table(header=header, rows=rows, digest=hashlib.sha256(data).hexdigest())


def header_problems(header: list[str]) -> list[str]:
    problems = []
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        problems.append(
            f"Unknown column{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(repr(h) for h in unknown)}: check the spelling against the column "
            "reference, or delete the column."
        )
    doubled = sorted({h for h in header if header.count(h) > 1})
    if doubled:
        problems.append(f"These columns appear twice: {', '.join(doubled)}. Keep one of each.")
    needed = [c.name for c in PERSON_COLUMNS if c.required]
    if any(h in CONCERN_ONLY for h in header):
        needed += [c.name for c in CONCERN_COLUMNS if c.required]
    missing = [name for name in needed if name not in header]
    if missing:
        problems.append(
            f"The file has no {', '.join(missing)} column{'s' if len(missing) > 1 else ''}: "
            "add them to the first row (they can be blank where the column reference says so)."
        )
    return problems
