"""The referrals and disclosures API: the seed's Example 3 built, previewed and sent
through the API, with the same need-to-know rules and audit trail as the pages."""

import hashlib
import json

import pytest

from sharewise.audittrail.models import Entry
from sharewise.disclosures.models import Disclosure, Referral
from sharewise.disclosures.tests.test_referrals import example_3

INPUTS = {
    "money_involved": "£200 in cash from her purse",
    "immediate_risk": "No: her nephew is not visiting this week",
    "s42_criteria": "(a) care and support needs; (b) financial abuse; (c) cannot protect herself",
}


def fields(response):
    return {e["field"] for e in response.json()["errors"]}


def by_code(referral):
    return {f["code"]: f for f in referral["fields"]}


@pytest.fixture
def patch(client, api):
    def for_user(user):
        secret = api(user).secret
        return lambda path, data: client.patch(
            path,
            data=json.dumps(data),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        )

    return for_user


def start(cast, api, user=None, decision=None):
    decision = decision or example_3(cast)
    return api(user or cast.sarah).post(
        "/api/v1/referrals",
        {"decision_id": decision.pk, "template": "local_authority_adults"},
    )


def ready(cast, api, patch):
    """A referral to the council with the sender's fields filled in."""
    referral = start(cast, api).json()
    response = patch(cast.sarah)(
        f"/api/v1/referrals/{referral['id']}",
        {"inputs": INPUTS, "partner_id": cast.partners.council.pk},
    )
    assert response.status_code == 200, response.json()
    return response.json()


def sent(cast, api, patch):
    referral = ready(cast, api, patch)
    preview = api(cast.sarah).get(f"/api/v1/referrals/{referral['id']}/preview").json()
    response = api(cast.sarah).post(f"/api/v1/referrals/{referral['id']}/send")
    assert response.status_code == 201, response.json()
    return preview, response.json()


def test_a_lead_starts_a_referral_with_the_minimum_and_names_redacted(cast, api):
    response = start(cast, api)
    assert response.status_code == 201, response.json()
    referral = response.json()
    assert referral["person_id"] == cast.alice.pk and referral["status"] == "draft"
    assert referral["recipient_organisation"] == "Northshire County Council"
    f = by_code(referral)
    assert f["medication"]["included"] is False and f["medication"]["value"] is None
    assert f["medication"]["reason"].startswith("Not needed")
    assert f["what_happened"]["included"] is True
    assert "Bob Evans" not in f["what_happened"]["value"]
    assert "Her nephew" in f["alleged_source"]["value"]
    bob = [r for r in referral["redactions"] if r["text"] == "Bob Evans"]
    assert bob and bob[0]["field"] == "what_happened" and bob[0]["applied"] is True
    assert referral["previewed"] is False and referral["preview_sha256"] is None
    assert Entry.objects.filter(
        action="started referral", person_id=cast.alice.pk, detail__via="api"
    ).exists()


def test_reading_a_referral_is_written_to_the_trail(cast, api):
    referral = start(cast, api).json()
    response = api(cast.sarah).get(f"/api/v1/referrals/{referral['id']}")
    assert response.status_code == 200
    assert response.json() == referral
    assert Entry.objects.filter(
        action="viewed referral", person_id=cast.alice.pk, detail__via="api"
    ).exists()


def test_a_care_worker_cannot_start_a_referral(cast, api):
    response = start(cast, api, user=cast.nia)
    assert response.status_code == 403
    assert not Referral.objects.exists()


def test_another_organisations_lead_cannot_see_the_decision(cast, api):
    response = start(cast, api, user=cast.olivia)
    assert response.status_code == 404
    assert not Referral.objects.exists()


def test_another_organisations_lead_cannot_see_the_referral(cast, api):
    referral = start(cast, api).json()
    assert api(cast.olivia).get(f"/api/v1/referrals/{referral['id']}").status_code == 404
    assert api(cast.nia).get(f"/api/v1/referrals/{referral['id']}").status_code == 404


def test_a_decision_not_to_share_cannot_be_referred(cast, api):
    response = start(cast, api, decision=example_3(cast, outcome="do_not_share"))
    assert response.status_code == 422
    assert "decision" in fields(response)
    assert not Referral.objects.exists()


def test_a_field_added_without_a_reason_is_refused_when_it_is_added(cast, api, patch):
    referral = ready(cast, api, patch)
    url = f"/api/v1/referrals/{referral['id']}"
    response = patch(cast.sarah)(
        url,
        {
            "choices": {"medication": {"include": True}},
            "partner_id": cast.partners.police.pk,
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "choices.medication.why", "message": "Medication: say why the recipient needs it"}
    ]
    # Nothing of the change is kept: the field stays out, the recipient unchanged.
    now = api(cast.sarah).get(url).json()
    assert by_code(now)["medication"]["included"] is False
    assert now["partner_id"] == cast.partners.council.pk
    assert now["choices"] == referral["choices"]
    left_out = patch(cast.sarah)(
        url, {"choices": {"what_happened": {"include": False, "why": "too"}}}
    )
    assert left_out.status_code == 422
    assert fields(left_out) == {"choices.what_happened.why"}
    with_reason = patch(cast.sarah)(
        url,
        {"choices": {"medication": {"include": True, "why": "The council asked for her tablets"}}},
    )
    assert with_reason.status_code == 200
    assert by_code(with_reason.json())["medication"]["included"] is True
    assert "medication" not in with_reason.json()["problems"]


def test_a_field_with_nothing_held_cannot_be_added(cast, api, patch):
    referral = ready(cast, api, patch)
    url = f"/api/v1/referrals/{referral['id']}"
    held = {f["code"] for f in referral["fields"] if f["available"]}
    empty = next(f["code"] for f in referral["fields"] if f["code"] not in held)
    response = patch(cast.sarah)(
        url, {"choices": {empty: {"include": True, "why": "The council wants everything we hold"}}}
    )
    assert response.status_code == 422
    assert fields(response) == {f"choices.{empty}.include"}


def test_the_preview_json_names_the_pdfs_sha256(cast, api, patch):
    referral = ready(cast, api, patch)
    url = f"/api/v1/referrals/{referral['id']}/preview"
    preview = api(cast.sarah).get(url)
    assert preview.status_code == 200
    body = preview.json()
    assert body["problems"] == {}
    assert {s["title"] for s in body["content"]["sections"]} >= {"The concern"}
    pdf = api(cast.sarah).get(url, {"format": "pdf"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert hashlib.sha256(pdf.content).hexdigest() == body["sha256"]
    again = api(cast.sarah).get(f"/api/v1/referrals/{referral['id']}").json()
    assert again["previewed"] is True and again["preview_sha256"] == body["sha256"]
    assert api(cast.sarah).get(url, {"format": "docx"}).status_code == 422


def test_what_is_sent_is_what_was_previewed(cast, api, patch):
    preview, disclosure = sent(cast, api, patch)
    assert disclosure["sha256"] == preview["sha256"]
    assert disclosure["content"] == preview["content"]
    assert disclosure["sent_by"] == "Sarah Whitfield" and disclosure["dpo_approved_by"] is None
    assert "medication" not in disclosure["sent_fields"] and disclosure["beyond_minimum"] == 0
    fetched = api(cast.sarah).get(f"/api/v1/disclosures/{disclosure['id']}")
    assert fetched.status_code == 200
    assert fetched.json()["sha256"] == preview["sha256"]
    # The PDF downloads with the same token (the page's address would ask to sign in).
    assert fetched.json()["pdf_url"] == f"/api/v1/disclosures/{disclosure['id']}/pdf"
    assert Entry.objects.filter(
        action="viewed disclosure", person_id=cast.alice.pk, detail__via="api"
    ).exists()
    # Sent is sent: it cannot change, or go again.
    url = f"/api/v1/referrals/{disclosure['referral_id']}"
    assert api(cast.sarah).post(f"{url}/send").status_code == 422
    assert Disclosure.objects.count() == 1


def test_sending_without_a_preview_is_refused(cast, api, patch):
    referral = ready(cast, api, patch)
    response = api(cast.sarah).post(f"/api/v1/referrals/{referral['id']}/send")
    assert response.status_code == 422
    assert "preview" in fields(response)


def test_the_disclosure_log_is_for_the_dpo_and_leads(cast, api, patch):
    _, disclosure = sent(cast, api, patch)
    response = api(cast.david).get("/api/v1/disclosures")
    assert response.status_code == 200
    log = response.json()
    assert log["count"] == 1 and log["results"][0]["id"] == disclosure["id"]
    assert log["results"][0]["person_id"] == cast.alice.pk
    assert Entry.objects.filter(
        action="listed disclosures", person_id=cast.alice.pk, actor=cast.david.username
    ).exists()
    assert api(cast.david).get("/api/v1/disclosures", {"beyond_minimum": True}).json()["count"] == 0
    assert api(cast.helen).get("/api/v1/disclosures").status_code == 403
    assert api(cast.olivia).get("/api/v1/disclosures").json()["count"] == 0


def test_what_has_been_shared_about_a_person(cast, api, patch):
    _, disclosure = sent(cast, api, patch)
    response = api(cast.helen).get(f"/api/v1/people/{cast.alice.pk}/disclosures")
    assert response.status_code == 200
    shared = response.json()
    assert len(shared) == 1
    assert shared[0]["id"] == disclosure["id"]
    assert shared[0]["recipient_organisation"] == "Northshire County Council"
    assert shared[0]["sent_fields"] == len(disclosure["sent_fields"])
    assert api(cast.nia).get(f"/api/v1/people/{cast.alice.pk}/disclosures").status_code == 403
    assert api(cast.olivia).get(f"/api/v1/people/{cast.alice.pk}/disclosures").status_code == 404


def test_restoring_a_name_needs_a_reason(cast, api, patch):
    referral = start(cast, api).json()
    bob = next(r for r in referral["redactions"] if r["text"] == "Bob Evans")
    url = f"/api/v1/referrals/{referral['id']}"
    restore = {"field": "what_happened", "start": bob["start"], "end": bob["end"]}
    response = patch(cast.sarah)(url, {"redactions": [{**restore, "action": "restore"}]})
    assert response.status_code == 422
    assert "redactions" in fields(response)
    assert Referral.objects.get(pk=referral["id"]).redactions == []
    reason = "Bob is the witness the council must speak to"
    response = patch(cast.sarah)(
        url, {"redactions": [{**restore, "action": "restore", "reason": reason}]}
    )
    assert response.status_code == 200
    changed = response.json()
    assert "Bob Evans saw him" in by_code(changed)["what_happened"]["value"]
    assert changed["choices"][0]["reason"] == reason
    assert next(r for r in changed["redactions"] if r["text"] == "Bob Evans")["applied"] is False


def test_only_builders_change_a_referral(cast, api, patch):
    referral = start(cast, api).json()
    url = f"/api/v1/referrals/{referral['id']}"
    response = patch(cast.david)(url, {"inputs": INPUTS})
    assert response.status_code == 403
    assert patch(cast.nia)(url, {"inputs": INPUTS}).status_code == 404
    assert Referral.objects.get(pk=referral["id"]).inputs == {}
