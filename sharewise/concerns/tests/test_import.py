"""Importing people and concerns from CSV: every bad row named with what to fix,
nothing saved unless every row is good, and nothing imported twice."""

import csv
import io
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from conftest import record_concern
from sharewise.audittrail.models import Entry
from sharewise.background import working
from sharewise.concerns import importing, importjobs
from sharewise.concerns.import_views import ImportForm
from sharewise.concerns.models import Concern, ImportJob, ImportUpload
from sharewise.people.models import Person

HEADER = [
    "person_ref",
    "given_name",
    "family_name",
    "date_of_birth",
    "nhs_number",
    "team",
    "start_date",
    "concern_ref",
    "occurred_at",
    "categories",
    "facts",
    "immediate_action",
    "sharing_view",
    "injury",
    "information_source",
    "severity",
    "who_was_told",
    "recorded_by",
    "risk_indicators",
]
TEAMS = ("Day team", "Night team", "Community North")


def when(days_ago, minutes=0):
    moment = timezone.localtime() - timedelta(days=days_ago, minutes=minutes)
    return moment.strftime("%d/%m/%Y %H:%M")


def row(i, **overrides):
    """Concern i, about person i // 10."""
    p = i // 10
    values = {
        "person_ref": f"P{p:05}",
        "given_name": f"Given{p}",
        "family_name": f"Family{p}",
        "date_of_birth": "01/02/1950",
        "nhs_number": "",
        "team": TEAMS[p % 3],
        "start_date": "",
        "concern_ref": f"C{i:06}",
        "occurred_at": when(1 + i % 700, i % 600),
        "categories": "neglect; Psychological or emotional abuse",
        "facts": f"Found without a drink on the morning round ({i}).",
        "immediate_action": "Gave a drink and told the nurse in charge.",
        "sharing_view": "not_asked",
        "injury": "none",
        "information_source": "observed",
        "severity": "low",
        "who_was_told": "Nurse in charge",
        "recorded_by": "",
        "risk_indicators": "",
    }
    values.update(overrides)
    return values


def csv_bytes(rows, header=HEADER, encoding="utf-8"):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def run(cast, data, user=None, **kwargs):
    return importing.run(
        importing.parse(data), organisation=cast.org, user=user or cast.sarah, **kwargs
    )


def messages(result):
    return [str(e) for e in result.errors]


def nothing_saved(cast):
    return (
        not Concern.objects.exists()
        and Person.objects.count() == 7
        and not Entry.objects.filter(action__startswith="imported").exists()
    )


# The big file


@pytest.mark.slow
def test_a_10000_row_file_with_3_bad_rows_imports_nothing_then_the_corrected_file_imports_once(
    cast,
):
    # Spreadsheet rows: header is 1, so concern i is on row i + 2.
    bad = {
        100: {"categories": "neglect; Theft"},
        5001: {"occurred_at": when(-3)},
        9002: {"facts": ""},
    }
    rows = [row(i, **bad.get(i, {})) for i in range(10_000)]

    result = run(cast, csv_bytes(rows))

    assert sorted({e.row for e in result.errors}) == [102, 5003, 9004]
    assert messages(result) == [
        "Row 102: categories: 'Theft' is not a category in your policy. Use one of: physical, "
        "domestic, sexual, psychological, financial, modern_slavery, discriminatory, "
        "organisational, neglect, self_neglect, child_sexual_exploitation, "
        "child_criminal_exploitation",
        "Row 5003: occurred_at: When it happened cannot be in the future",
        "Row 9004: facts: Say what happened, in facts - what you saw or were told, not what "
        "you think.",
    ]
    assert result.summary() == "Nothing was imported: 3 problems to fix in the file."
    assert nothing_saved(cast)

    corrected = csv_bytes([row(i) for i in range(10_000)])
    started = time.perf_counter()
    result = run(cast, corrected)
    elapsed = time.perf_counter() - started
    assert result.errors == []
    assert Concern.objects.count() == 10_000
    assert Person.objects.filter(organisation=cast.org).exclude(external_ref="").count() == 1000
    assert "Added 1000 new people and matched 0" in result.summary()
    assert "Imported 10000 concerns" in result.summary()
    assert elapsed < 120, f"10,000 rows took {elapsed:.0f} s"

    again = run(cast, corrected)
    assert again.errors == []
    assert Concern.objects.count() == 10_000
    assert Person.objects.count() == 1007
    assert (len(again.people_created), again.people_matched) == (0, 1000)
    assert (len(again.concerns_created), again.concerns_skipped) == (0, 10_000)
    assert "10000 had been imported before and were left as they are" in again.summary()


# Files that cannot be read


def import_command(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_concerns",
        str(path),
        "--organisation",
        "Oakleigh Care Group",
        "--as",
        "sarah",
        *args,
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


def test_malformed_csv_is_refused_with_what_to_do(cast, tmp_path):
    unclosed = csv_bytes([row(0)]) + b'P9,"Ann,Lee,01/01/1950\n'
    path = tmp_path / "log.csv"
    path.write_bytes(unclosed)
    with pytest.raises(CommandError) as refused:
        import_command(path)
    assert "The file is not valid CSV near row" in str(refused.value)
    assert "a quotation mark that is not closed" in str(refused.value)
    assert "Nothing was imported" in str(refused.value)

    extra = csv_bytes([row(0)]).decode() + "P1,Ann,Lee,01/01/1950,,Day team,,,,,,,,,,,,,,oops\n"
    with pytest.raises(importing.FileProblem, match="Row 3 has 20 values but the header has 19"):
        importing.parse(extra.encode())
    assert nothing_saved(cast)


def test_a_windows_1252_file_is_refused_saying_save_as_csv_utf8(cast, tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes(csv_bytes([row(0, given_name="Zoë", facts="Café trip")], encoding="cp1252"))
    with pytest.raises(CommandError) as refused:
        import_command(path)
    assert "not saved as UTF-8" in str(refused.value)
    assert "Save the file as CSV UTF-8" in str(refused.value)
    assert nothing_saved(cast)


def test_utf8_with_a_byte_order_mark_is_accepted(cast):
    data = b"\xef\xbb\xbf" + csv_bytes([row(0, given_name="Zoë")])
    result = run(cast, data)
    assert result.errors == []
    assert Person.objects.get(external_ref="P00000").given_name == "Zoë"


def test_an_excel_workbook_is_refused(cast):
    with pytest.raises(importing.FileProblem, match="This is an Excel workbook, not a CSV file"):
        importing.parse(b"PK\x03\x04 rest of a zip")


def test_missing_required_columns_are_named(cast):
    header = [h for h in HEADER if h not in ("facts", "severity")]
    result = run(cast, csv_bytes([row(0)], header=header))
    assert messages(result) == [
        "Row 1: The file has no facts, severity columns: add them to the first row (they can "
        "be blank where the column reference says so)."
    ]
    assert nothing_saved(cast)


def test_a_misspelt_column_is_named(cast):
    header = [*HEADER, "catgories"]
    result = run(cast, csv_bytes([row(0)], header=header))
    assert "Unknown column 'catgories'" in messages(result)[0]
    assert nothing_saved(cast)


# Files that are too big


@override_settings(SHAREWISE_IMPORT_MAX_BYTES=1000)
def test_a_file_over_the_limit_is_refused_on_the_web_and_the_command_line(cast, as_user, tmp_path):
    data = csv_bytes([row(i) for i in range(20)])
    assert len(data) > 1000
    response = as_user(cast.sarah).post(
        "/imports/new/",
        {"file": SimpleUploadedFile("log.csv", data, "text/csv")},
    )
    assert response.status_code == 200
    assert "The file is bigger than 1 KB, the largest you can import." in response.content.decode()
    assert not ImportJob.objects.exists()

    path = tmp_path / "log.csv"
    path.write_bytes(data)
    with pytest.raises(CommandError, match="Split it into smaller files"):
        import_command(path)
    assert nothing_saved(cast)


class Unreadable(SimpleUploadedFile):
    def read(self, *args):
        raise AssertionError("the file was read")

    def chunks(self, *args):
        raise AssertionError("the file was read")


def test_a_file_just_over_50_mb_is_refused_without_reading_it(cast):
    upload = Unreadable("log.csv", b"x", "text/csv")
    upload.size = 50 * 1024 * 1024 + 1
    form = ImportForm(
        data={"organisation": cast.org.pk},
        files={"file": upload},
        organisations=cast.org.__class__.objects.filter(pk=cast.org.pk),
    )
    assert not form.is_valid()
    assert form.errors["file"] == [
        "The file is bigger than 50 MB, the largest you can import. Split it into smaller "
        "files and import each one."
    ]


# Rows that are wrong


def test_an_unknown_category_names_the_row_and_the_categories_to_use(cast):
    result = run(cast, csv_bytes([row(0), row(1, categories="Bullying")]))
    assert len(result.errors) == 1
    assert str(result.errors[0]).startswith(
        "Row 3: categories: 'Bullying' is not a category in your policy. Use one of: physical,"
    )
    assert nothing_saved(cast)


def test_a_future_time_is_refused(cast):
    result = run(cast, csv_bytes([row(0, occurred_at=when(-1))]))
    assert messages(result) == ["Row 2: occurred_at: When it happened cannot be in the future"]
    assert nothing_saved(cast)


def test_a_time_that_is_not_a_time_says_how_to_write_it(cast):
    result = run(cast, csv_bytes([row(0, occurred_at="14/03/2023"), row(1, occurred_at="soon")]))
    assert messages(result) == [
        "Row 2: occurred_at: '14/03/2023' has no time: add the 24-hour time, for example "
        "14/03/2023 22:30",
        "Row 3: occurred_at: 'soon' has no time: add the 24-hour time, for example "
        "14/03/2023 22:30",
    ]


def test_missing_facts_are_refused_like_on_the_form(cast):
    result = run(cast, csv_bytes([row(0, facts="  ")]))
    assert messages(result) == [
        "Row 2: facts: Say what happened, in facts - what you saw or were told, not what you think."
    ]
    assert nothing_saved(cast)


def test_a_team_of_another_organisation_is_out_of_scope(cast):
    result = run(cast, csv_bytes([row(0, team="Elm team")]))
    assert messages(result) == [
        "Row 2: team: 'Elm team' is not a team at Oakleigh Care Group. Use one of: "
        "Community North, Day team, Night team"
    ]
    assert nothing_saved(cast)


def test_a_person_outside_the_importers_scope_is_refused(cast):
    # Helen manages Rose House; Carol is supported in Community North.
    Person.objects.filter(pk=cast.carol.pk).update(external_ref="R-CAROL")
    result = run(
        cast,
        csv_bytes([row(0, person_ref="R-CAROL", given_name="", family_name="", team="Day team")]),
        user=cast.helen,
    )
    assert messages(result) == [
        "Row 2: person_ref: 'R-CAROL' is someone outside your scope: ask a safeguarding lead to "
        "import this row"
    ]
    result = run(cast, csv_bytes([row(0, team="Community North")]), user=cast.helen)
    assert "is outside your scope" in messages(result)[0]
    assert not Concern.objects.exists()


def test_a_reference_that_names_someone_else_is_caught(cast):
    Person.objects.filter(pk=cast.bob.pk).update(external_ref="P00000")
    result = run(cast, csv_bytes([row(0)]))
    assert messages(result) == [
        "Row 2: person_ref: 'P00000' is Bob Evans, born 19/07/1950, but this row's given name "
        "and family name and date of birth differ: check the reference"
    ]


def test_every_problem_on_a_row_is_listed_and_duplicate_references_are_named(cast):
    result = run(
        cast,
        csv_bytes(
            [
                row(0, severity="awful", immediate_action="", date_of_birth="31/02/1950"),
                row(1, concern_ref="C000000"),
            ]
        ),
    )
    assert messages(result) == [
        "Row 2: date_of_birth: '31/02/1950' is not a date: write it as day/month/year, for "
        "example 27/03/1958",
        "Row 2: severity: 'awful' is not an answer we know. Use one of: low, moderate, high, "
        "immediate",
        "Row 2: immediate_action: Say what you did straight away to keep the person safe.",
        "Row 3: concern_ref: 'C000000' is also on row 2: give every concern its own reference",
    ]


# What an import saves


def test_people_only_rows_add_people_and_match_existing_ones_by_nhs_number(cast):
    alice = row(
        0,
        nhs_number="943 476 5919",
        given_name="Alice",
        family_name="Moore",
        date_of_birth="02/03/1941",
        team="Night team",
    )
    result = run(cast, csv_bytes([alice, row(10, start_date="01/06/2019")], header=HEADER[:7]))
    assert result.errors == []
    assert (len(result.people_created), result.people_matched) == (1, 1)
    cast.alice.refresh_from_db()
    assert cast.alice.external_ref == "P00000"
    new = Person.objects.get(external_ref="P00001")
    assert (new.name, new.enrolments.get().team) == ("Given1 Family1", cast.night)
    assert new.enrolments.get().start_date.isoformat() == "2019-06-01"
    assert not Concern.objects.exists()


def test_imported_concerns_are_recorded_like_typed_ones_and_the_import_is_in_the_trail(cast):
    result = run(
        cast,
        csv_bytes([row(0, recorded_by="NIA", occurred_at=when(2), risk_indicators="none"), row(1)]),
        file_name="log.csv",
    )
    assert result.errors == []
    first = Concern.objects.get(external_ref="C000000")
    assert first.recorded_by == cast.nia
    assert Concern.objects.get(external_ref="C000001").recorded_by == cast.sarah
    assert first.categories == ["neglect", "psychological"]
    # Wishes and risk questions left blank are prompts in the policy, not failures.
    assert first.unmet_standards == []
    assert Concern.objects.get(external_ref="C000001").unmet_standards == []
    assert first.team == cast.day
    summary = Entry.objects.get(action="imported people and concerns")
    assert summary.actor == "sarah"
    assert summary.detail["file"] == "log.csv"
    assert summary.detail["concerns_created"] == 2
    assert Entry.objects.filter(action="recorded concern", actor="sarah").count() == 2


def test_a_dry_run_saves_nothing(cast, tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes(csv_bytes([row(i) for i in range(3)]))
    out, _ = import_command(path, "--dry-run")
    assert "Dry run, nothing saved. 3 rows checked." in out
    assert nothing_saved(cast)


def test_the_command_line_prints_progress_and_a_summary(cast, tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes(csv_bytes([row(i) for i in range(5)]))
    out, _ = import_command(path, "--progress-every", "2")
    assert out.splitlines() == [
        "Checking: 2 of 5 rows",
        "Checking: 4 of 5 rows",
        "Checking: 5 of 5 rows",
        "Saving: 0 of 5 concerns",
        "Saving: 2 of 5 concerns",
        "Saving: 4 of 5 concerns",
        "Saving: 5 of 5 concerns",
        "5 rows checked. Added 1 new person and matched 0 already in Sharewise. "
        "Imported 5 concerns; 0 had been imported before and were left as they are.",
    ]
    assert Concern.objects.count() == 5


def test_the_command_line_lists_every_bad_row_and_saves_nothing(cast, tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes(csv_bytes([row(0, facts=""), row(1), row(2, categories="Theft")]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported: 2 problems"):
        call_command(
            "import_concerns",
            str(path),
            "--organisation",
            "Oakleigh Care Group",
            "--as",
            "sarah",
            stderr=err,
        )
    assert err.getvalue().splitlines() == [
        "Row 2: facts: Say what happened, in facts - what you saw or were told, not what you "
        "think.",
        "Row 4: categories: 'Theft' is not a category in your policy. Use one of: physical, "
        "domestic, sexual, psychological, financial, modern_slavery, discriminatory, "
        "organisational, neglect, self_neglect, child_sexual_exploitation, "
        "child_criminal_exploitation",
    ]
    assert nothing_saved(cast)


def test_only_a_safeguarding_lead_may_import_from_the_command_line(cast, tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes(csv_bytes([row(0)]))
    with pytest.raises(CommandError, match="helen is not a safeguarding lead"):
        call_command(
            "import_concerns", str(path), "--organisation", str(cast.org.pk), "--as", "helen"
        )


# The web


@pytest.fixture
def background(monkeypatch):
    """Imports started by a request are queued; this runs what is queued, as
    `manage.py worker` would."""
    return working.run_ready


def test_a_lead_uploads_a_file_and_sees_progress_then_the_result(
    transactional_cast, as_user, background
):
    cast = transactional_cast
    wait_for_imports = background
    client = as_user(cast.sarah)
    page = client.get("/imports/new/").content.decode()
    assert 'href="/imports/columns/"' in page
    assert 'href="/imports/new/" aria-current="page">Import</a>' in page

    data = csv_bytes([row(i) for i in range(30)])
    response = client.post("/imports/new/", {"file": SimpleUploadedFile("log.csv", data)})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert response["Location"] == f"/imports/{job.pk}/"
    assert bytes(ImportUpload.objects.get(job=job).data) == data, "kept whole until run"
    wait_for_imports()

    page = client.get(response["Location"]).content.decode()
    assert "Import complete" in page
    assert "Imported 30 concerns" in page
    assert 'http-equiv="refresh"' not in page
    assert Concern.objects.count() == 30
    assert not ImportJob.objects.get(pk=job.pk).has_upload, "deleted once imported"

    bad = csv_bytes([row(100), row(101, categories="Theft"), row(102, occurred_at="tomorrow")])
    response = client.post("/imports/new/", {"file": SimpleUploadedFile("bad.csv", bad)})
    wait_for_imports()
    page = client.get(response["Location"]).content.decode()
    assert "Nothing was imported" in page
    assert "2 problems to fix" in page
    assert "&#x27;Theft&#x27; is not a category in your policy" in page
    assert "&#x27;tomorrow&#x27; has no time" in page
    assert Concern.objects.count() == 30


def test_the_progress_page_updates_itself_while_the_import_runs(cast, as_user):
    job = ImportJob.objects.create(
        organisation=cast.org,
        created_by=cast.sarah,
        file_name="log.csv",
        status=ImportJob.Status.CHECKING,
        rows_total=10_000,
        rows_done=4_000,
    )
    page = as_user(cast.sarah).get(f"/imports/{job.pk}/").content.decode()
    assert 'data-sw-poll="2"' in page and "js/progress.js" in page
    assert 'role="status" aria-live="polite"' in page
    assert "4000 of 10000 checked" in page
    assert '<progress max="100" value="40">' in page


def test_an_import_whose_worker_died_runs_again_once_and_is_failed_after_three(cast, as_user):
    """A worker killed while saving rolled everything back: the import runs again from
    the top and saves each concern once. After three dead workers it says so, stops
    refreshing, and its upload with personal data is removed."""
    from sharewise.background import queue
    from sharewise.background.models import Worker

    def die_running(worker_id):
        queue.claim_next(worker_id)
        Worker.objects.filter(worker_id=worker_id).delete()
        ImportJob.objects.filter(status="queued").update(status="saving")

    def upload():
        return SimpleUploadedFile("log.csv", csv_bytes([row(0), row(1)]))

    job = importjobs.start_import(cast.sarah, upload())
    die_running("killed")
    assert queue.recover() == (1, 0)
    assert ImportJob.objects.get(pk=job.pk).status == "queued"
    assert working.run_ready() == 1
    job.refresh_from_db()
    assert job.status == "done" and not job.has_upload
    assert Concern.objects.filter(imported=True).count() == 2, "saved once"

    doomed = importjobs.start_import(cast.sarah, upload())
    for worker_id in ("a", "b", "c"):
        die_running(worker_id)
        queue.recover()
    doomed.refresh_from_db()
    assert doomed.status == "failed" and not doomed.has_upload
    page = as_user(cast.sarah).get(f"/imports/{doomed.pk}/").content.decode()
    assert "the background worker running it stopped three times" in page
    assert "data-sw-poll" not in page
    assert Concern.objects.filter(imported=True).count() == 2


def test_an_import_no_worker_takes_up_says_so_and_stops_refreshing(cast, as_user):
    job = importjobs.start_import(cast.sarah, SimpleUploadedFile("log.csv", csv_bytes([row(0)])))
    page = as_user(cast.sarah).get(f"/imports/{job.pk}/").content.decode()
    assert "Waiting to start." in page and 'data-sw-poll="2"' in page
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=11))
    page = as_user(cast.sarah).get(f"/imports/{job.pk}/").content.decode()
    assert "no background worker has taken it up" in page
    assert "data-sw-poll" not in page
    assert job.has_upload, "kept until it is imported"


def test_a_care_worker_may_not_import(cast, as_user):
    client = as_user(cast.nia)
    assert client.get("/imports/new/").status_code == 403
    response = client.post(
        "/imports/new/", {"file": SimpleUploadedFile("log.csv", csv_bytes([row(0)]))}
    )
    assert response.status_code == 403
    assert not ImportJob.objects.exists()
    assert ">Import</a>" not in client.get("/people/").content.decode()


# The column reference


def test_the_column_reference_lists_every_column_on_the_page_and_in_the_docs(cast, as_user):
    page = as_user(cast.sarah).get("/imports/columns/").content.decode()
    docs = (Path(__file__).resolve().parents[3] / "docs" / "importing.md").read_text()
    for name in importing.COLUMNS:
        assert f"<code>{name}</code>" in page
        assert f"`{name}`" in docs
    assert "Psychological or emotional abuse" in page


def test_an_import_that_breaks_saves_nothing_and_says_so(
    transactional_cast, as_user, background, monkeypatch
):
    cast = transactional_cast

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing, "run", broken)
    client = as_user(cast.sarah)
    data = csv_bytes([row(0)])
    response = client.post("/imports/new/", {"file": SimpleUploadedFile("log.csv", data)})
    assert ImportJob.objects.get().has_upload
    background()
    page = client.get(response["Location"]).content.decode()
    assert "Nothing was imported" in page
    assert "Something went wrong while importing, so nothing was saved." in page
    assert not Concern.objects.exists()
    assert not ImportJob.objects.get().has_upload


def test_imported_history_does_not_flood_the_review_queue(cast, as_user):
    record_concern(cast, days_ago=400, facts="Historic: left without a drink.", imported=True)
    assert (
        "Nothing is waiting for your review"
        in as_user(cast.helen).get("/reviews/").content.decode()
    )
    assert (
        "Historic: left without a drink"
        in as_user(cast.helen).get(f"/people/{cast.alice.pk}/chronology/").content.decode()
    )


def test_an_unknown_risk_question_is_named_and_nothing_is_imported(cast):
    result = run(cast, csv_bytes([row(0, risk_indicators="children; weather")]))
    assert [(e.column, e.message.split(".")[0]) for e in result.errors] == [
        ("risk_indicators", "'weather' is not a risk question in your policy")
    ]
    assert not Concern.objects.exists()
    run(
        cast,
        csv_bytes(
            [
                row(
                    1,
                    risk_indicators="Children live in the home, or are in "
                    "contact with the alleged source of harm; crime",
                )
            ]
        ),
    )
    assert Concern.objects.get().risk_indicators == ["children", "crime"]
