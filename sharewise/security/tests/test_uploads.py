"""Uploads are refused by size before they are read, and by name and first bytes before
anything is saved: a file that is not CSV never reaches the import."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sharewise.audittrail.models import Entry
from sharewise.concerns.models import ImportJob
from sharewise.security.uploads import HEAD, UploadProblem, check_csv

HEADER = b"person_ref,given_name,family_name,date_of_birth\n"


class NeverRead:
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def test_a_body_over_the_cap_is_refused_before_it_is_read(cast, as_user, settings):
    sixty_mb = str(60 * 1024 * 1024)
    page = as_user(cast.sarah).post(
        "/imports/new/",
        data=b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=sixty_mb,
        **{"wsgi.input": NeverRead()},
    )
    assert page.status_code == 413
    assert "bigger than 51 MB, the most Sharewise accepts" in page.content.decode()
    assert not ImportJob.objects.exists()
    refused = Entry.objects.get(action="refused a request too large", actor=cast.sarah)
    assert refused.detail["path"] == "/imports/new/" and refused.detail["bytes"] == int(sixty_mb)

    answer = as_user(cast.sarah).post(
        "/api/v1/concerns",
        data=b"",
        content_type="application/json",
        CONTENT_LENGTH=sixty_mb,
        **{"wsgi.input": NeverRead()},
    )
    assert answer.status_code == 413
    assert answer.json()["message"].startswith("What you sent is bigger than 51 MB")


def test_uploads_spill_to_disk_instead_of_memory(settings):
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 2_621_440
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 2_621_440
    assert settings.SHAREWISE_MAX_REQUEST_BYTES < 60 * 1024 * 1024


@pytest.mark.parametrize(
    "name, data, says",
    [
        ("log.xlsx", HEADER, "The file must be a CSV file, named like log.csv."),
        ("log.csv.exe", HEADER, "The file must be a CSV file"),
        (".log.csv", HEADER, "its name starts with a dot"),
        ("log.csv", b"PK\x03\x04" + b"\x00" * 40, "This is an Excel workbook, not a CSV file."),
        ("log.csv", b"GIF89a\x01\x00\x01\x00\x00\x00", "holds binary data or UTF-16 text"),
        ("log.csv", HEADER + b"1,Ann,Smith\x00,01/01/1950\n", "holds binary data"),
        ("log.csv", "person_ref,given_name\n1,Zoë\n".encode("latin-1"), "not saved as UTF-8"),
        ("log.csv", b"just some words\nand more\n", "row of column names separated by commas"),
    ],
)
def test_a_file_that_is_not_a_plain_csv_is_refused_with_what_to_fix(
    cast, as_user, name, data, says
):
    page = as_user(cast.sarah).post("/imports/new/", {"file": SimpleUploadedFile(name, data)})
    assert page.status_code == 200
    assert says in page.content.decode()
    assert not ImportJob.objects.exists()


def test_only_the_first_bytes_are_looked_at_even_mid_character(cast, as_user, settings):
    # A character split by the end of the head is not taken for bad UTF-8.
    row = "1,Zoë,Ñúñez,01/01/1950\n".encode()
    body = HEADER + row * (HEAD // len(row) + 50)
    assert not body[:HEAD].decode("utf-8", errors="ignore").endswith("\n")
    page = as_user(cast.sarah).post("/imports/new/", {"file": SimpleUploadedFile("log.csv", body)})
    assert page.status_code == 302
    assert ImportJob.objects.get().file_name == "log.csv"


def test_folders_in_a_files_name_are_dropped(cast, as_user):
    body = HEADER + b"1,Ann,Smith,01/01/1950\n"
    named = SimpleUploadedFile("..\\..\\settings\\log.csv", body)
    assert as_user(cast.sarah).post("/imports/new/", {"file": named}).status_code == 302
    job = ImportJob.objects.get()
    assert job.file_name == "log.csv"
    assert job.has_upload  # kept in the database: no path on any disk to escape

    class Named:  # as a caller other than Django's form parsing might hand it over
        name, size = "../settings/log.csv", len(body)

    sent_otherwise = Named()
    with pytest.raises(UploadProblem, match="a plain name, without folders"):
        check_csv(sent_otherwise, 1024)


def test_an_api_body_over_the_data_limit_is_refused_not_counted_as_a_server_error(
    cast, api, client
):
    before = client.get("/healthz").json()["server_errors"]["since_start"]
    huge = {"q": "x" * 100, "padding": "y" * 3_000_000}
    answer = api(cast.sarah).post("/api/v1/people/search", huge)
    assert answer.status_code == 413
    assert answer.json()["message"].startswith("What you sent is too big")
    assert client.get("/healthz").json()["server_errors"]["since_start"] == before
