"""Importing historic people and concerns from a CSV file.

Shared by the command line, the web import, the API and the tests: parse() turns the
file's bytes into numbered rows (reading), run() checks every row, people and teams in
people_rows and concerns in concern_rows, and only when all are good saves them in one
transaction (running)."""

from sharewise.concerns.importing.checking import RowError
from sharewise.concerns.importing.columns import (
    COLUMNS,
    CONCERN_COLUMNS,
    PERSON_COLUMNS,
    Column,
)
from sharewise.concerns.importing.reading import (
    FileProblem,
    Table,
    check_size,
    max_bytes,
    parse,
    size_text,
)
from sharewise.concerns.importing.running import Progress, Result, run

__all__ = [
    "COLUMNS",
    "CONCERN_COLUMNS",
    "PERSON_COLUMNS",
    "Column",
    "FileProblem",
    "Progress",
    "Result",
    "RowError",
    "Table",
    "check_size",
    "max_bytes",
    "parse",
    "run",
    "size_text",
]
