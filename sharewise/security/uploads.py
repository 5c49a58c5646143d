"""Checks on an uploaded file before anything reads it whole: its name, its size, and
its first bytes. The request as a whole is capped earlier (SafetyMiddleware)."""

import codecs
import csv
from pathlib import PurePosixPath

HEAD = 64 * 1024  # enough to see what a file is, never the whole of a large one


class UploadProblem(Exception):
    """The file cannot be accepted; the message says what to do."""


def check_csv(upload, max_bytes: int) -> None:
    """A CSV file: named *.csv, at most max_bytes, UTF-8 text without NUL bytes whose
    first line reads as comma-separated columns."""
    _check_name(upload.name or "", (".csv",))
    if upload.size is None or upload.size > max_bytes:
        raise UploadProblem("The file is too big to import. Split it into smaller files.")
    upload.seek(0)
    head = upload.read(HEAD)
    upload.seek(0)
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise UploadProblem(
            "This is an Excel workbook, not a CSV file. In Excel choose File, Save As, "
            "'CSV UTF-8 (Comma delimited)', and import that file."
        )
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
        raise UploadProblem(
            "The file holds binary data or UTF-16 text, not CSV. Save it as "
            "'CSV UTF-8 (Comma delimited)' and import it again."
        )
    try:
        # Not final: the head may end in the middle of a character.
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError:
        raise UploadProblem(
            "The file is not saved as UTF-8. Save it as 'CSV UTF-8 (Comma delimited)' "
            "(in Excel's Save As) and import it again."
        ) from None
    first = text.splitlines()[0] if text.strip() else ""
    columns = next(csv.reader([first]), [])
    if len(columns) < 2 or not all(c.strip() for c in columns):
        raise UploadProblem(
            "The file does not start with a row of column names separated by commas. "
            "See the column reference, and save the file as CSV."
        )


def _check_name(name: str, extensions: tuple[str, ...]) -> None:
    if any(part in name for part in ("/", "\\", "\x00")) or name != PurePosixPath(name).name:
        raise UploadProblem("The file name must be a plain name, without folders.")
    if name.startswith(".") or any(ord(c) < 32 for c in name):
        raise UploadProblem(
            "Rename the file: its name starts with a dot or holds control characters."
        )
    if not name.lower().endswith(extensions):
        raise UploadProblem(
            f"The file must be a {' or '.join(e.lstrip('.').upper() for e in extensions)} "
            f"file, named like log{extensions[0]}."
        )
