"""CSV files for download, safe to open in a spreadsheet. A cell that begins with =, +,
-, @, a tab or a carriage return would be read by Excel or LibreOffice as a formula
(which can run commands or send data away), so such text is prefixed with a single
quote, as OWASP advises. Numbers are left as numbers. Every CSV export writes through
here (a test refuses csv.writer anywhere else)."""

import csv
import io
from decimal import Decimal

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        text = str(value)
        return "'" + text if text.startswith(FORMULA_STARTS) else text
    return value


class SafeWriter:
    """csv.writer's writerow and writerows, every cell made safe."""

    def __init__(self, file, **options):
        self._writer = csv.writer(file, **options)

    def writerow(self, row):
        return self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(file, **options) -> SafeWriter:
    return SafeWriter(file, **options)


def csv_response(filename: str, header, rows) -> HttpResponse:
    """A CSV download (UTF-8 with a byte-order mark, so Excel reads accents right)."""
    text = io.StringIO()
    out = writer(text)
    out.writerow(header)
    out.writerows(rows)
    response = HttpResponse("\ufeff" + text.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
