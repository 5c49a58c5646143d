"""Concerns listed through the API as the pages list them (by person, dates, status,
team; the review queue), and imports started and followed as from the Import page."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import record_concern
from sharewise.audittrail.models import Entry
from sharewise.concerns.models import Concern, ImportJob
from sharewise.concerns.tests.test_import import background, csv_bytes, row  # noqa: F401


def ids(response):
    assert response.status_code == 200, response.json()
    return {c["id"] for c in response.json()["results"]}


def test_concerns_listed_by_person_and_by_the_days_they_happened(cast, api):
    recent = record_concern(cast, days_ago=2)
    older = record_concern(cast, days_ago=40)
    bobs = record_concern(cast, person=cast.bob, team=cast.day, by=cast.tom, days_ago=2)
    sarah = api(cast.sarah)
    assert ids(sarah.get("/api/v1/concerns", {"person_id": cast.alice.pk})) == {
        recent.pk,
        older.pk,
    }
    since = (cast.today - timedelta(days=10)).isoformat()
    assert ids(sarah.get("/api/v1/concerns", {"from": since})) == {recent.pk, bobs.pk}
    until = (cast.today - timedelta(days=10)).isoformat()
    assert ids(sarah.get("/api/v1/concerns", {"to": until})) == {older.pk}
    assert ids(sarah.get("/api/v1/concerns", {"team_id": cast.day.pk})) == {bobs.pk}
    bad = sarah.get("/api/v1/concerns", {"from": "last week"})
    assert bad.status_code == 422
    assert "from" in str(bad.json())


def test_a_persons_concerns_read_through_the_api_are_in_their_trail(cast, api):
    record_concern(cast, days_ago=2)
    api(cast.nia).get("/api/v1/concerns", {"person_id": cast.alice.pk})
    assert Entry.objects.filter(
        action="listed concerns", person_id=cast.alice.pk, actor="nia"
    ).exists()


def test_someone_out_of_scope_is_not_found_when_listing_their_concerns(cast, api):
    record_concern(cast, days_ago=2)
    tom = api(cast.tom).get("/api/v1/concerns", {"person_id": cast.alice.pk})
    missing = api(cast.tom).get("/api/v1/concerns", {"person_id": 987654321})
    assert tom.status_code == missing.status_code == 404
    assert tom.json() == missing.json()
    assert api(cast.olivia).get("/api/v1/concerns", {"person_id": cast.alice.pk}).status_code == 404


def test_the_review_queue_through_the_api(cast, api):
    waiting = record_concern(cast, days_ago=1)
    reviewed = record_concern(cast, days_ago=3)
    helen = api(cast.helen)
    helen.post(
        f"/api/v1/concerns/{reviewed.pk}/review",
        {"outcome": "monitor", "rationale": "Bell position added to the night checklist."},
    )
    assert ids(helen.get("/api/v1/concerns/awaiting-review")) == {waiting.pk}
    assert ids(helen.get("/api/v1/concerns", {"status": "awaiting_review"})) == {waiting.pk}
    assert ids(helen.get("/api/v1/concerns", {"status": "reviewed"})) == {reviewed.pk}
    # Care workers review nothing; another organisation's lead sees none of these.
    assert api(cast.nia).get("/api/v1/concerns/awaiting-review").status_code == 403
    assert ids(api(cast.olivia).get("/api/v1/concerns/awaiting-review")) == set()


def test_a_lead_imports_a_csv_file_through_the_api_and_follows_it(
    transactional_cast,
    api,
    client,
    background,  # noqa: F811
):
    cast = transactional_cast
    secret = api(cast.sarah).secret
    response = client.post(
        "/api/v1/imports",
        {"file": SimpleUploadedFile("log.csv", csv_bytes([row(i) for i in range(3)]))},
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 202, response.json()
    job = response.json()
    assert (job["status"], job["file_name"]) == ("queued", "log.csv")
    background()
    done = api(cast.sarah).get(f"/api/v1/imports/{job['id']}").json()
    assert done["status"] == "done"
    assert "Imported 3 concerns" in done["summary"]
    assert Concern.objects.count() == 3


def test_an_import_sent_as_a_csv_body_is_checked_as_an_upload_is(cast, api, client):
    secret = api(cast.sarah).secret
    workbook = client.post(
        "/api/v1/imports",
        b"PK\x03\x04 rest of a zip",
        content_type="text/csv",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert workbook.status_code == 422
    assert workbook.json()["errors"][0]["field"] == "file"
    assert "Excel workbook" in str(workbook.json())
    assert not ImportJob.objects.exists()
    sent = client.post(
        "/api/v1/imports?file_name=log.csv",
        csv_bytes([row(0)]),
        content_type="text/csv",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert sent.status_code == 202, sent.json()
    assert ImportJob.objects.get().organisation == cast.org


def test_only_leads_import_and_only_for_their_own_organisation(cast, api, client):
    data = csv_bytes([row(0)])
    for role in ("nia", "helen", "david", "owen"):
        secret = api(getattr(cast, role)).secret
        response = client.post(
            "/api/v1/imports",
            data,
            content_type="text/csv",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        )
        assert response.status_code == 403, role
    assert not ImportJob.objects.exists()
    job = ImportJob.objects.create(
        organisation=cast.org, created_by=cast.sarah, file_name="log.csv", status="done"
    )
    assert api(cast.olivia).get(f"/api/v1/imports/{job.pk}").status_code == 404
    assert api(cast.helen).get(f"/api/v1/imports/{job.pk}").status_code == 403
    assert api(cast.sarah).get(f"/api/v1/imports/{job.pk}").json()["status"] == "done"
    elsewhere = api(cast.olivia).secret
    refused = client.post(
        f"/api/v1/imports?organisation_id={cast.org.pk}",
        data,
        content_type="text/csv",
        HTTP_AUTHORIZATION=f"Bearer {elsewhere}",
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "organisation_id"
