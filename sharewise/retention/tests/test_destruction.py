"""Destroying a person past retention: their personal content is gone from every
table, the counts the organisation reports are not, and the audit trail still
verifies. A legal hold blocks it, and only the data protection officer approves it."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from conftest import record_concern
from sharewise.audittrail import trail
from sharewise.concerns import recording
from sharewise.disclosures import responses
from sharewise.disclosures.models import Disclosure
from sharewise.governance import evidence_figures
from sharewise.people.models import Enrolment, Person
from sharewise.retention import due, review
from sharewise.retention.models import Destruction, LegalHold
from sharewise.rights import operations as rights
from tests.test_permission_matrix import build_world

FAR = 30 * 366  # days on: every retention period the policy ships has run


@pytest.fixture
def years_on(monkeypatch):
    """Thirty years on, as far as the retention rule can tell (records keep their dates,
    which the trail vouches for)."""
    later = timezone.localdate() + timedelta(days=FAR)
    monkeypatch.setattr(review, "today", lambda: later)
    return later


def _alice_with_a_history(cast, api):
    """Alice as the demo would have her: concerns, an amendment, a cumulative alert,
    capacity, consent, sharing decisions, a referral sent as a disclosure, a record of
    hers merged into hers, break-glass, governance records and reads in the trail."""
    build_world(cast)
    request = SimpleNamespace(user=cast.nia, META={})
    recording.amend(
        request,
        cast.concern,
        {"facts": "Alice Moore's call bell was out of reach; NHS 943 476 5919."},
        "Alice asked that it be said exactly",
    )
    record_concern(
        cast, person=cast.bob, team=cast.day, by=cast.tom, facts="Bob saw Alice Moore fall."
    )
    # What came back from the council names her too.
    sent = Disclosure.objects.get(person=cast.alice, kind="referral")
    responses.record(
        SimpleNamespace(user=cast.sarah, META={}),
        sent,
        "outcome",
        {
            "enquiry_opened": True,
            "enquiry_opened_on": timezone.localdate(),
            "enquiry_outcome": "risk_reduced",
            "enquiry_closed_on": timezone.localdate(),
            "person_wanted": "Alice Moore wanted to stay at home",
            "wanted_achieved": "fully",
            "notes": "Alice Moore's daughter was told; NHS 9434765919",
        },
    )
    # She asked for her records, and the response was prepared: it names her throughout.
    asked = rights.log_request(
        SimpleNamespace(user=cast.david, META={}),
        cast.alice,
        {
            "requester": "person",
            "requester_name": "Alice Moore",
            "contact": "Room 4, Rose House",
            "received_on": timezone.localdate(),
        },
    )
    rights.check_identity(SimpleNamespace(user=cast.sarah, META={}), asked, "Known to staff")
    rights.prepare(SimpleNamespace(user=cast.sarah, META={}), asked)
    assert api(cast.sarah).get(f"/api/v1/people/{cast.alice.pk}").status_code == 200
    assert api(cast.sarah).post("/api/v1/people/search", {"q": "Alice Moore"}).status_code == 200
    # She left our care; her records' periods run from then.
    Enrolment.objects.filter(person__in=[cast.alice, *cast.alice.merged_records.all()]).update(
        end_date=timezone.localdate() - timedelta(days=1)
    )


def _needles(person_names, nhs):
    words = set()
    for full in person_names:
        words.add(full)
        words.update(p for p in full.split() if len(p) >= 3)
    words.update({nhs, f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}"})
    return re.compile(
        "|".join(rf"(?<![A-Za-z0-9]){re.escape(w)}(?![A-Za-z0-9])" for w in words), re.I
    )


def _everywhere(pattern) -> list[str]:
    """Every text, JSON or binary value in every table of the database that matches."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            names = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                for name, value in zip(names, row, strict=True):
                    if isinstance(value, memoryview | bytes | bytearray):
                        value = bytes(value).decode("latin-1")
                    elif not isinstance(value, str):
                        if value is None or isinstance(value, int | float):
                            continue
                        value = str(value)
                    if pattern.search(value):
                        found.append(f"{table}.{name}: {value[:120]!r}")
    return found


def _figures(cast):
    today = timezone.localdate()
    out = evidence_figures.figures(cast.org.pk, today - timedelta(days=400), today)
    out.pop("generated_at"), out.pop("trail_head")
    return out


def test_destroying_a_person_removes_them_everywhere_keeps_the_counts_and_the_trail(
    cast, api, years_on
):
    _alice_with_a_history(cast, api)
    twin = cast.alice.merged_records.get()
    pattern = _needles(["Alice Moore", f"{twin.given_name} {twin.family_name}"], "9434765919")
    assert _everywhere(pattern), "the scene names Alice"
    kept = SessionStore()
    kept.update({"step_up_kept": {"data": [["reason", ["Alice Moore is at risk"]]]}, "x": 1})
    kept.create()
    before = _figures(cast)

    proposed = api(cast.sarah).post("/api/v1/destructions", {"person_ids": [cast.alice.pk]})
    assert proposed.status_code == 201, proposed.content
    destruction_id = proposed.json()["id"]
    refused = api(cast.sarah).post(
        f"/api/v1/destructions/{destruction_id}/approve", {"note": "Checked the list"}
    )
    assert refused.status_code == 403
    assert "data protection officer" in refused.json()["message"]
    assert Person.objects.get(pk=cast.alice.pk).given_name == "Alice"

    approved = api(cast.david).post(
        f"/api/v1/destructions/{destruction_id}/approve",
        {"note": "Checked no review, claim or inquest is open."},
    )
    assert approved.status_code == 200, approved.content
    body = approved.json()
    assert body["status"] == "done"
    assert body["counts"]["people"] == 2  # hers and the record merged into hers
    assert body["counts"]["concerns"] >= 3 and body["counts"]["disclosures"] == 1

    left = _everywhere(pattern)
    assert left == [], "\n".join(left)
    # Sessions are encoded, so read: the kept answers naming her are gone, not the session.
    assert SessionStore(kept.session_key).load() == {"x": 1}
    assert _figures(cast) == before

    trail.seal_pending(everything=True)
    call_command("verify_trail", "--records", "--workers", "1")
    destruction = Destruction.objects.get(pk=destruction_id)
    assert len(destruction.certificate_sha256) == 64
    assert not pattern.search(destruction.certificate)
    assert str(cast.alice.pk) in destruction.certificate
    pdf = api(cast.david).get(f"/api/v1/destructions/{destruction_id}/certificate")
    assert pdf.status_code == 200 and bytes(pdf.content).startswith(b"%PDF")
    # Bob's concern keeps its words, with her name taken out.
    bobs = cast.bob.concerns.get()
    assert bobs.facts == "Bob saw [destroyed] fall."
    # Destroyed once: she is off the review list and cannot be proposed again.
    assert cast.alice.pk not in [r.person.pk for r in review.review_list(cast.org.pk).due]
    again = api(cast.david).post("/api/v1/destructions", {"person_ids": [cast.alice.pk]})
    assert again.status_code == 422
    assert "destroyed already" in str(again.json())


def test_a_legal_hold_blocks_destruction_until_it_is_lifted(cast, api, as_user, years_on):
    Enrolment.objects.filter(person=cast.dennis).update(
        end_date=timezone.localdate() - timedelta(days=1)
    )
    record_concern(cast, person=cast.dennis, team=cast.day, by=cast.tom)
    held = api(cast.sarah).post(
        f"/api/v1/people/{cast.dennis.pk}/legal-holds",
        {"reason": "Safeguarding Adults Review under way"},
    )
    assert held.status_code == 201
    hold_id = held.json()["id"]

    listed = api(cast.david).get("/api/v1/retention/review").json()
    assert cast.dennis.pk in [r["person_id"] for r in listed["held"]]
    assert cast.dennis.pk not in [r["person_id"] for r in listed["due"]]

    refused = api(cast.david).post("/api/v1/destructions", {"person_ids": [cast.dennis.pk]})
    assert refused.status_code == 422
    assert "under a legal hold" in str(refused.json())
    page = as_user(cast.david).post(
        "/retention/destructions/propose/", {"people": [cast.dennis.pk]}, follow=True
    )
    assert "under a legal hold" in page.content.decode()
    assert not Destruction.objects.exists()

    # A hold placed after the proposal still stops the approval.
    lifted = api(cast.sarah).post(
        f"/api/v1/legal-holds/{hold_id}/lift", {"reason": "The review has reported"}
    )
    assert lifted.status_code == 200
    proposed = api(cast.david).post("/api/v1/destructions", {"person_ids": [cast.dennis.pk]})
    assert proposed.status_code == 201
    LegalHold.objects.create(
        organisation=cast.org, person=cast.dennis, reason="Inquest", placed_by=cast.sarah
    )
    blocked = api(cast.david).post(
        f"/api/v1/destructions/{proposed.json()['id']}/approve", {"note": "Checked the list"}
    )
    assert blocked.status_code == 422 and "under a legal hold" in str(blocked.json())
    assert Person.objects.get(pk=cast.dennis.pk).given_name == "Dennis"

    LegalHold.objects.update(lifted_at=timezone.now(), lifted_by=cast.sarah)
    done = as_user(cast.david).post(
        f"/retention/destructions/{proposed.json()['id']}/", {"note": "Checked the list"}
    )
    assert done.status_code == 302
    assert Person.objects.get(pk=cast.dennis.pk).given_name == "Destroyed"


def test_only_the_officer_approves_and_nobody_outside_sees(cast, api, as_user, years_on):
    Enrolment.objects.filter(person=cast.dennis).update(
        end_date=timezone.localdate() - timedelta(days=1)
    )
    proposed = api(cast.sarah).post("/api/v1/destructions", {"person_ids": [cast.dennis.pk]})
    assert proposed.status_code == 201
    path = f"/api/v1/destructions/{proposed.json()['id']}/approve"
    for who in (cast.nia, cast.helen, cast.grace, cast.owen):
        assert api(who).post(path, {"note": "Checked the list"}).status_code == 403
    assert api(cast.sarah).post(path, {"note": "Checked the list"}).status_code == 403
    assert api(cast.olivia).post(path, {"note": "Checked the list"}).status_code == 404
    page = as_user(cast.sarah).post(
        f"/retention/destructions/{proposed.json()['id']}/", {"note": "Checked the list"}
    )
    assert page.status_code == 403
    assert Person.objects.get(pk=cast.dennis.pk).given_name == "Dennis"
    # Another organisation's person is not found, for holds as for everything else.
    assert (
        api(cast.olivia)
        .post(f"/api/v1/people/{cast.dennis.pk}/legal-holds", {"reason": "Just in case"})
        .status_code
        == 404
    )
    # Someone still in our care, or not yet due, cannot be proposed.
    early = api(cast.david).post("/api/v1/destructions", {"person_ids": [cast.alice.pk]})
    assert early.status_code == 422 and "still in our care" in str(early.json())


def test_the_sweep_makes_the_months_review_once_and_tells_the_officer(cast):
    from sharewise.patterns.models import Notification
    from sharewise.retention import sweep
    from sharewise.retention.models import Review

    Enrolment.objects.filter(person=cast.dennis).update(
        end_date=timezone.localdate() - timedelta(days=1)
    )
    now = (timezone.now() + timedelta(days=FAR)).replace(day=2)
    assert sweep.due(cast.org.pk, now) == [("retention review(s) made", 1)]
    assert sweep.due(cast.org.pk, now) == [("retention review(s) made", 0)]
    made = Review.objects.get()
    assert cast.dennis.pk in made.due_ids
    told = Notification.objects.get(recipient=cast.david)
    assert "due for destruction" in told.message and "Dennis" not in told.message


def test_the_lead_changes_a_retention_period_as_a_new_policy_version(cast, as_user):
    from django.test import Client

    from sharewise.organisations.models import ApiToken
    from sharewise.policy import store

    page = as_user(cast.sarah).get("/policy/retention/")
    assert "Adult safeguarding records" in page.content.decode()
    document = store.in_force(cast.org.pk, "retention")[0].document
    adults = next(p for p in document["periods"] if p["code"] == "adult_safeguarding")
    adults["years"] = 6
    _, secret = ApiToken.issue(cast.sarah, "test", confirmed_at=timezone.now())
    answer = Client().put(
        "/api/v1/policies/retention",
        {"document": document, "note": "Our Safeguarding Adults Board keeps six years"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert answer.status_code == 200, answer.content
    version, policy = store.in_force(cast.org.pk, "retention")
    assert version.version == 2 and policy.period("adult_safeguarding").years == 6
    Enrolment.objects.filter(person=cast.dennis).update(
        end_date=timezone.localdate() - timedelta(days=1)
    )
    (row,) = review.rows_for(cast.org.pk, [cast.dennis])
    adult = next(d for d in row.dues if d.code == "adult_safeguarding")
    left = timezone.localdate() - timedelta(days=1)
    assert adult.on == due.add_years(left, 6)
    # The person is due when the last of their kinds is: the trail's text, 8 years on.
    assert row.on == max(d.on for d in row.dues) > adult.on
