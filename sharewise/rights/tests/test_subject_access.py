"""Subject access: Alice asks for everything held about her. Her response holds every
record about her, nobody else's name, and is sent as a frozen disclosure whose SHA-256
is kept; a request past its deadline is flagged."""

import io
import json
import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from conftest import record_concern, signed_in
from sharewise.audittrail.models import Entry
from sharewise.concerns.models import Amendment, ConcernPerson
from sharewise.disclosures.models import Disclosure
from sharewise.patterns import sweep as patterns_sweep
from sharewise.patterns.models import Notification
from sharewise.rights import destroying, exporting, operations, sweep
from sharewise.rights.models import Rectification, SubjectAccessRequest
from sharewise.rights.tests import scene
from sharewise.sharing.models import CapacityAssessment, ConsentRecord, SharingDecision

by = scene.by


def _pdf_text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_response_holds_every_record_about_her_and_nothing_about_bob(cast):
    s = scene.build(cast)
    operations.check_identity(by(cast.sarah), s.sar, "Known to staff")
    trail_before = set(Entry.objects.filter(person_id=cast.alice.pk).values_list("pk", flat=True))
    content = exporting.gather(s.sar).content

    def ids(section):
        return {record["id"] for record in content[section]}

    about_alice = set(
        ConcernPerson.objects.filter(person=cast.alice).values_list("concern_id", flat=True)
    )
    assert ids("concerns") == about_alice
    assert s.bobs.pk not in ids("concerns")
    assert ids("sharing_decisions") == set(
        SharingDecision.objects.filter(person=cast.alice).values_list("pk", flat=True)
    )
    assert ids("disclosures") == {s.disclosure.pk}
    assert ids("consent") == set(
        ConsentRecord.objects.filter(person=cast.alice).values_list("pk", flat=True)
    )
    assert ids("capacity") == set(
        CapacityAssessment.objects.filter(person=cast.alice).values_list("pk", flat=True)
    )
    assert ids("record_reads") == trail_before
    assert content["format"] == "sharewise-subject-access" and content["version"] == 1
    assert {e["kind"] for e in content["chronology"]} >= {"concern", "disclosure", "consent"}


def _names(person):
    """Their full name, and their family name when it is 4 letters or more."""
    names = [person.name]
    if len(person.family_name) >= 4:
        names.append(person.family_name)
    return names


def _naming_everyone(cast):
    """Concerns about each of the cast naming the others, by full name and family name."""
    record_concern(
        cast,
        person=cast.bob,
        team=cast.day,
        by=cast.tom,
        facts="Bob Evans argued with Alice Moore at tea; Moore was upset and Mrs Fisher saw.",
    )
    record_concern(
        cast,
        person=cast.carol,
        team=cast.community,
        by=cast.priya,
        facts="Carol Hughes said Fiona Kerr's mother shouts; Kerr is 12. Mr Ward phoned.",
    )
    record_concern(
        cast,
        person=cast.dennis,
        team=cast.day,
        by=cast.tom,
        facts="Dennis Ward fell; Evans helped him up and Bob Evans called staff.",
    )


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(subject=st.sampled_from(["alice", "bob", "carol", "dennis", "edna", "fiona"]))
def test_no_response_names_anyone_else_in_the_cast(cast_with_story, subject):
    cast = cast_with_story
    person = getattr(cast, subject)
    sar = operations.log_request(
        by(cast.david),
        person,
        {
            "requester": "person",
            "requester_name": person.name,
            "contact": "By hand",
            "received_on": cast.today,
        },
    )
    operations.check_identity(by(cast.david), sar, "Known to staff")
    sar = operations.prepare(by(cast.david), sar)
    texts = {
        "JSON": exporting.canonical(sar.export_json).decode(),
        "PDF": _pdf_text(bytes(sar.export_pdf)),
    }
    own = {part for part in (person.given_name, person.family_name)}
    others = [p for p in (cast.alice, cast.bob, cast.carol, cast.dennis, cast.edna, cast.fiona)]
    others = [p for p in others if p.pk != person.pk]
    if person.pk == cast.alice.pk:
        others.append(cast.tom)  # the alleged source of one of her concerns
    for other in others:
        full = f"{other.first_name} {other.last_name}" if hasattr(other, "first_name") else None
        names = [full, other.last_name] if full else _names(other)
        for name in names:
            if name in own:
                continue
            for where, text in texts.items():
                assert not re.search(rf"\b{re.escape(name)}\b", text), (
                    f"{name} appears in the {where} of {person.name}'s response"
                )
    # Her own name stays, and the names of staff acting in their role.
    assert person.name in texts["PDF"]


@pytest.fixture
def cast_with_story(cast):
    scene.build(cast)
    _naming_everyone(cast)
    return cast


def test_the_sha256_kept_is_of_the_pdf_bytes_sent_and_the_json_digest_too(cast, as_user):
    s = scene.build(cast)
    sar = scene.ready_to_send(cast, s.sar)
    disclosure = operations.send(by(cast.david), sar, "letter")
    sar.refresh_from_db()
    assert sar.status == SubjectAccessRequest.Status.SENT
    assert disclosure.kind == Disclosure.Kind.SUBJECT_ACCESS
    assert disclosure.decision is None and disclosure.referral is None
    assert disclosure.sha256 == exporting.sha256(bytes(disclosure.pdf))
    assert disclosure.sha256 == sar.export_sha256
    assert disclosure.content == sar.export_json
    assert sar.export_json_sha256 == exporting.sha256(exporting.canonical(disclosure.content))
    assert disclosure.recipient_name == "Alice Moore"
    assert disclosure.dpo_approved_by == cast.david
    assert bytes(disclosure.pdf).startswith(b"%PDF")
    # It is in what has been shared about her, like any disclosure.
    client = as_user(cast.david)
    shared = client.get(reverse("person_disclosures", args=[cast.alice.pk])).content.decode()
    assert "Subject access response" in shared
    chronology = client.get(reverse("chronology", args=[cast.alice.pk])).content.decode()
    assert "Subject access request" in chronology


def test_every_redaction_is_kept_with_its_reason_in_the_response_and_on_the_request(cast):
    s = scene.build(cast)
    operations.check_identity(by(cast.sarah), s.sar, "Known to staff")
    sar = operations.prepare(by(cast.sarah), s.sar)
    shown = sar.export_json["redactions"]
    assert len(shown) == len(sar.redactions) >= 5
    assert all(r["reason"] and r["label"] for r in shown)
    assert all("party" not in r for r in shown)  # who it was stays on the request
    reasons = {r["reason"] for r in shown}
    assert exporting.REASONS["staff_source"] in reasons
    assert exporting.REASONS["person"] in reasons
    assert exporting.REASONS["third_party"] in reasons
    text = json.dumps(sar.export_json)
    assert "Gary Quinn" not in text  # the family member named as the alleged source
    assert "Nia Okafor" in text  # staff in their professional role are named


def test_not_verified_cannot_be_prepared_nor_sent(cast):
    sar = scene.request_from_alice(cast)
    with pytest.raises(ValidationError) as refused:
        operations.prepare(by(cast.david), sar)
    assert "identity" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        operations.send(by(cast.david), sar, "letter")
    assert "Their identity is not verified" in str(refused.value)


def test_the_officers_approval_is_required_and_a_lead_cannot_give_it(cast):
    sar = scene.request_from_alice(cast)
    operations.check_identity(by(cast.sarah), sar, "Known to staff")
    sar = operations.prepare(by(cast.sarah), sar)
    with pytest.raises(PermissionDenied):
        operations.approve(by(cast.sarah), sar)
    with pytest.raises(PermissionDenied):
        operations.send(by(cast.sarah), sar, "letter")
    with pytest.raises(ValidationError, match="must approve"):
        operations.send(by(cast.david), sar, "letter")
    sar = operations.approve(by(cast.david), sar)
    # Prepared again after approval: what was approved is no longer what would be sent.
    sar = operations.prepare(by(cast.sarah), sar)
    with pytest.raises(ValidationError, match="must approve"):
        operations.send(by(cast.david), sar, "letter")


def test_an_extension_needs_reasons_moves_the_deadline_and_is_told_in_the_first_month(cast):
    received = cast.today - timedelta(days=10)
    sar = scene.request_from_alice(cast, received_on=received)
    first = sar.deadline
    with pytest.raises(ValidationError) as refused:
        operations.extend(by(cast.david), sar, 2, "", cast.today)
    assert "reasons" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        operations.extend(by(cast.sarah), sar, 1, "Many records", cast.today)
    sar = operations.extend(by(cast.david), sar, 2, "Ten years of records", cast.today)
    assert sar.deadline > first
    assert sar.deadline == operations.deadlines.deadline(received, 2)
    with pytest.raises(ValidationError, match="two further months at most"):
        operations.extend(by(cast.david), sar, 1, "Still more", cast.today)
    late = scene.request_from_alice(cast, received_on=cast.today - timedelta(days=40))
    with pytest.raises(ValidationError, match="within the first month"):
        operations.extend(by(cast.david), late, 1, "Complex", cast.today)


def test_a_request_past_its_deadline_is_flagged_on_the_list_the_dashboard_and_the_api(
    cast, as_user, api
):
    late = scene.request_from_alice(cast, received_on=cast.today - timedelta(days=40))
    scene.request_from_alice(cast)  # three days old: on time
    page = as_user(cast.david).get(reverse("subject_access_requests")).content.decode()
    assert "Overdue" in page and "1 request due within 7 days or overdue" in page
    found = {
        x["id"]: x["due"] for x in api(cast.sarah).get("/api/v1/subject-access-requests").json()
    }
    assert found[late.pk] == "overdue"
    assert sorted(found.values()) == ["on_time", "overdue"]
    board = as_user(cast.sarah).get(reverse("oversight")).content.decode()
    assert "Subject access requests due or overdue" in board
    assert reverse("subject_access_request", args=[late.pk]) in board


def test_the_sweep_tells_the_officer_once_when_due_and_once_when_overdue_naming_no_one(cast):
    from django.utils import timezone

    soon = scene.request_from_alice(cast, received_on=cast.today - timedelta(days=28))
    late = scene.request_from_alice(cast, received_on=cast.today - timedelta(days=40))
    now = timezone.now()
    swept = patterns_sweep.run(now).more
    assert swept["subject access request(s) overdue notified"] == 1
    assert swept["subject access request(s) falling due notified"] == 1
    assert set(dict(sweep.due(cast.org.pk, now)).values()) == {0}
    # (The month's retention review is the officer's other notice.)
    told = Notification.objects.filter(recipient=cast.david, link__startswith="/subject-access/")
    assert sorted(n.link for n in told) == sorted(
        reverse("subject_access_request", args=[x.pk]) for x in (soon, late)
    )
    assert not any("Alice" in n.message or "Moore" in n.message for n in told)
    assert not Notification.objects.filter(recipient=cast.sarah).exists()


def test_care_workers_and_managers_are_refused_and_another_organisation_finds_nothing(
    cast, as_user, api
):
    sar = scene.request_from_alice(cast)
    for user in (cast.nia, cast.helen):
        assert (
            as_user(user).get(reverse("subject_access_request", args=[sar.pk])).status_code == 403
        )
        assert api(user).get(f"/api/v1/subject-access-requests/{sar.pk}").status_code == 403
        person_page = as_user(user).get(reverse("person", args=[cast.alice.pk])).content.decode()
        assert "Subject access" not in person_page
    assert (
        as_user(cast.olivia).get(reverse("subject_access_request", args=[sar.pk])).status_code
        == 404
    )
    assert api(cast.olivia).get(f"/api/v1/subject-access-requests/{sar.pk}").status_code == 404
    assert api(cast.olivia).get("/api/v1/subject-access-requests").json() == []
    person_page = as_user(cast.david).get(reverse("person", args=[cast.alice.pk])).content.decode()
    assert reverse("person_rights", args=[cast.alice.pk]) in person_page
    assert reverse("subject_access_requests") in person_page  # in the menu


def test_every_read_of_the_export_is_on_the_trail(cast, as_user, api):
    sar = scene.ready_to_send(cast, scene.request_from_alice(cast))
    as_user(cast.david).get(reverse("sar_export", args=[sar.pk, "pdf"]))
    as_user(cast.david).get(reverse("sar_preview", args=[sar.pk]))
    response = api(cast.david).get(f"/api/v1/subject-access-requests/{sar.pk}/export")
    assert exporting.sha256(response.content) == sar.export_json_sha256
    actions = list(
        Entry.objects.filter(person_id=cast.alice.pk, actor_id=cast.david.pk).values_list(
            "action", flat=True
        )
    )
    assert "downloaded subject access export (pdf)" in actions
    assert "downloaded subject access export (json)" in actions
    assert "viewed subject access export" in actions


def test_the_api_runs_a_request_from_logging_to_sending(cast, api):
    david = api(cast.david)
    made = david.post(
        f"/api/v1/people/{cast.alice.pk}/subject-access-requests",
        {
            "requester": "representative",
            "requester_name": "Jane Moore",
            "relationship": "Daughter",
            "authority": "Lasting power of attorney for property and affairs, seen",
            "contact": "jane@example.org",
            "received_on": cast.today.isoformat(),
        },
    )
    assert made.status_code == 201, made.content
    sar_id = made.json()["id"]
    path = f"/api/v1/subject-access-requests/{sar_id}"
    assert david.post(f"{path}/prepare").status_code == 422  # identity not checked
    assert david.post(f"{path}/identity", {"method": "LPA and passport seen"}).status_code == 200
    prepared = david.post(f"{path}/prepare").json()
    assert prepared["export_sha256"] and prepared["status"] == "with_dpo"
    assert api(cast.sarah).post(f"{path}/approve", {}).status_code == 403
    assert david.post(f"{path}/approve", {"note": "Checked"}).json()["dpo_approved"]
    sent = david.post(f"{path}/send", {"channel": "secure_email"}).json()
    assert sent["status"] == "sent"
    disclosure = Disclosure.objects.get(pk=sent["disclosure_id"])
    assert disclosure.sha256 == prepared["export_sha256"]
    assert disclosure.recipient_name == "Jane Moore"


def test_a_rectification_becomes_an_amendment_linked_on_both_sides(cast, as_user, api):
    concern = record_concern(cast, facts="Alice refused her tea.")
    made = api(cast.sarah).post(
        f"/api/v1/people/{cast.alice.pk}/rectifications",
        {
            "requester_name": "Alice Moore",
            "received_on": cast.today.isoformat(),
            "concern_id": concern.pk,
            "what_is_wrong": "I did not refuse tea: I asked for coffee instead.",
        },
    )
    assert made.status_code == 201, made.content
    found = Rectification.objects.get(pk=made.json()["id"])
    assert (
        api(cast.david)
        .post(
            f"/api/v1/rectifications/{found.pk}/amendments",
            {"changes": {"facts": "Alice asked for coffee instead of tea."}, "reason": "She said"},
        )
        .status_code
        == 403
    )  # the officer does not amend concerns; a lead does
    corrected = api(cast.sarah).post(
        f"/api/v1/rectifications/{found.pk}/amendments",
        {"changes": {"facts": "Alice asked for coffee instead of tea."}, "reason": "As she said"},
    )
    assert corrected.status_code == 201, corrected.content
    amendment = Amendment.objects.get(concern=concern)
    assert corrected.json()["amendment_ids"] == [amendment.pk]
    assert corrected.json()["status"] == "amended"
    assert f"Rectification request {found.pk}" in amendment.reason
    concern_page = as_user(cast.sarah).get(reverse("concern", args=[concern.pk])).content.decode()
    assert reverse("rectification", args=[found.pk]) in concern_page
    page = as_user(cast.sarah).get(reverse("rectification", args=[found.pk])).content.decode()
    assert reverse("concern", args=[concern.pk]) in page and "Amendment to concern" in page


def test_a_rectification_refused_keeps_the_reasons(cast):
    found = operations.log_rectification(
        by(cast.david),
        cast.alice,
        {"requester_name": "Alice Moore", "received_on": cast.today, "what_is_wrong": "Wrong"},
    )
    with pytest.raises(ValidationError):
        operations.refuse_rectification(by(cast.david), found, "")
    found = operations.refuse_rectification(by(cast.david), found, "The record is accurate")
    assert found.status == Rectification.Status.REFUSED and found.decided_by == cast.david


def test_destroying_blanks_what_was_said_and_sent_but_keeps_the_rows_and_dates(cast):
    sar = scene.ready_to_send(cast, scene.request_from_alice(cast))
    operations.log_rectification(
        by(cast.david),
        cast.alice,
        {"requester_name": "Alice Moore", "received_on": cast.today, "what_is_wrong": "Wrong"},
    )
    kept_for_bob = scene.request_from_alice(cast)
    SubjectAccessRequest.objects.filter(pk=kept_for_bob.pk).update(person=cast.bob)
    counts = destroying.destroy([cast.alice.pk])
    assert counts == {"subject access requests": 1, "rectification requests": 1}
    sar.refresh_from_db()
    assert sar.export_json is None and sar.export_pdf is None and sar.redactions == []
    assert "Alice" not in sar.requester_name and sar.received_on and sar.deadline
    assert "Moore" not in Rectification.objects.get(person=cast.alice).requester_name
    kept_for_bob.refresh_from_db()
    assert kept_for_bob.requester_name == "Alice Moore"


def test_staff_in_their_role_and_the_services_names_stay_though_someone_shares_a_word(cast):
    from sharewise.people.models import Person

    for first, family in (("Eileen", "Marsh"), ("Lily", "Rose")):
        Person.objects.create(
            organisation=cast.org,
            given_name=first,
            family_name=family,
            date_of_birth=cast.alice.date_of_birth,
        )
    record_concern(cast, facts="Eileen Marsh and Marsh's visitor were loud; Lily Rose slept.")
    sar = scene.request_from_alice(cast)
    content = exporting.gather(sar).content
    text = json.dumps(content)
    assert "Eileen" not in text and "Marsh's" not in text and "Lily Rose" not in text
    assert "Rose House" in text  # a service, not Lily
    assert content["concerns"][0]["recorded_by"] == "Nia Okafor"
    # Helen Marsh, the team manager, read Alice's record: named, as staff are.
    assert signed_in(cast.helen).get(reverse("person", args=[cast.alice.pk])).status_code == 200
    reads = exporting.gather(sar).content["record_reads"]
    assert any(r["staff"] == "Helen Marsh" for r in reads)


def test_a_step_left_incomplete_says_what_to_fix_on_the_request_page(cast, as_user):
    sar = scene.request_from_alice(cast)
    response = as_user(cast.david).post(reverse("sar_extend", args=[sar.pk]), {"months": "1"})
    page = response.content.decode()
    assert response.status_code == 200 and "<title>Error:" in page
    assert "Enter why more time is needed" in page
    sar.refresh_from_db()
    assert sar.extension_months == 0


def test_the_first_name_alone_of_someone_in_the_same_concern_is_taken_out(cast):
    record_concern(
        cast,
        facts="Bob pushed past her in the corridor; Alice said Bob does it every day.",
        source_person=cast.bob,
        source_kind="person_supported",
    )
    content = exporting.gather(scene.request_from_alice(cast)).content
    facts = content["concerns"][0]["what_happened"]
    assert "Bob" not in facts and "Alice said" in facts
    assert content["concerns"][0]["alleged_source"] == "[another person]"
