"""Everything the referral pages let someone do, done through the API alone: a referral
beyond the minimum built, countersigned by the data protection officer, sent to a
portal and confirmed; read back, listed and downloaded with a token. Each new
operation refuses whom the page refuses."""

import hashlib
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from sharewise.api.tests import test_disclosures_api as builder_tests
from sharewise.api.tests.test_disclosures_api import INPUTS, fields
from sharewise.audittrail.models import Entry
from sharewise.disclosures import referrals
from sharewise.disclosures.models import Referral
from sharewise.disclosures.tests.test_referrals import by, example_3, ready

patch = builder_tests.patch  # the fixture sending a PATCH with someone's token


@pytest.fixture
def put(client, api):
    def for_user(user):
        secret = api(user).secret
        return lambda path, data: client.generic(
            "PUT",
            path,
            json.dumps(data),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        )

    return for_user


def _sent_by_portal(cast):
    """A referral to the children's MASH, sent and confirmed (without the API)."""
    referral = ready(cast, example_3(cast), partner=cast.partners.mash)
    referral, _ = referrals.preview(by(cast.sarah), referral)
    referral = referrals.send(by(cast.sarah), referral).referral
    return referrals.confirm_submitted(
        by(cast.sarah),
        referral,
        submitted_at=timezone.now(),
        submitted_by="Sarah Whitfield",
        reference="MASH-77",
    )


def test_a_referral_beyond_the_minimum_goes_all_the_way_through_the_api(cast, api, patch, as_user):
    sarah, david = api(cast.sarah), api(cast.david)
    decision = example_3(cast)
    started = sarah.post(
        "/api/v1/referrals", {"decision_id": decision.pk, "template": "local_authority_adults"}
    )
    assert started.status_code == 201, started.json()
    url = f"/api/v1/referrals/{started.json()['id']}"
    changed = patch(cast.sarah)(
        url,
        {
            "inputs": INPUTS,
            "partner_id": cast.partners.mash.pk,
            "choices": {"care_notes": {"include": True, "why": "The council asked for everything"}},
        },
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["needs_dpo"] == "it includes whole records: care notes"
    preview = sarah.get(f"{url}/preview").json()
    refused = sarah.post(f"{url}/send")
    assert refused.status_code == 422 and "approval" in fields(refused)

    asked = sarah.post(f"{url}/ask-approval")
    assert asked.status_code == 200, asked.json()
    assert asked.json()["status"] == "awaiting_dpo"
    assert sarah.post(f"{url}/approve", {"note": "I approve my own"}).status_code == 403
    too_short = david.post(f"{url}/approve", {"note": "Fine"})
    assert too_short.status_code == 422 and "note" in fields(too_short)
    approved = david.post(f"{url}/approve", {"note": "The enquiry officer needs the full picture"})
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "draft"

    waiting = sarah.post(f"{url}/send")
    assert waiting.status_code == 202, waiting.json()
    delivery = sarah.get(f"{url}/delivery").json()
    assert delivery["status"] == "final" and delivery["sent"] is False
    assert "portal" in delivery["next_step"]
    confirmed = sarah.post(
        f"{url}/confirm-submitted",
        {
            "submitted_at": timezone.now().isoformat(),
            "submitted_by": "Sarah Whitfield",
            "reference": "MASH-1234",
        },
    )
    assert confirmed.status_code == 201, confirmed.json()
    disclosure = confirmed.json()
    assert disclosure["dpo_approved_by"] == "David Lin"
    assert "care_notes" in disclosure["sent_fields"]
    assert disclosure["sha256"] == preview["sha256"]
    assert sarah.get(f"{url}/delivery").json()["disclosure_id"] == disclosure["id"]

    # The frozen PDF downloads with the token: the same bytes as the page's download.
    pdf = sarah.get(disclosure["pdf_url"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == disclosure["sha256"]
    page = as_user(cast.sarah).get(f"/disclosures/{disclosure['id']}/pdf/")
    assert page.content == pdf.content


def test_asking_for_a_countersignature_is_for_the_referrals_builders(cast, api):
    referral = ready(cast, example_3(cast))
    url = f"/api/v1/referrals/{referral.pk}/ask-approval"
    assert api(cast.nia).post(url).status_code == 404
    assert api(cast.olivia).post(url).status_code == 404
    assert api(cast.david).post(url).status_code == 403
    # It keeps to the minimum: nothing to countersign, and nothing changes.
    kept = api(cast.sarah).post(url)
    assert kept.status_code == 422 and "approval" in fields(kept)
    assert Referral.objects.get(pk=referral.pk).status == "draft"


def test_only_the_data_protection_officer_countersigns(cast, api):
    referral = ready(cast, example_3(cast))
    referral = referrals.change(
        by(cast.sarah),
        referral,
        choices={"care_notes": {"include": True, "why": "The council asked for everything"}},
    )
    referrals.ask_approval(by(cast.sarah), referral)
    note = {"note": "The enquiry officer needs the full picture"}
    url = f"/api/v1/referrals/{referral.pk}/approve"
    for someone in (cast.sarah, cast.helen, cast.nia, cast.olivia, cast.grace):
        assert api(someone).post(url, note).status_code == 403
    assert api(cast.david).post("/api/v1/referrals/999999/approve", note).status_code == 404
    assert Referral.objects.get(pk=referral.pk).dpo_approved_by is None
    assert api(cast.david).post(url, note).status_code == 200
    assert Entry.objects.filter(
        action="countersigned referral", person_id=cast.alice.pk, detail__via="api"
    ).exists()


def test_a_final_referral_not_yet_sent_is_reopened(cast, api):
    referral = ready(cast, example_3(cast), partner=cast.partners.mash)
    referral, _ = referrals.preview(by(cast.sarah), referral)
    referrals.send(by(cast.sarah), referral)
    url = f"/api/v1/referrals/{referral.pk}/reopen"
    assert api(cast.nia).post(url).status_code == 404
    assert api(cast.olivia).post(url).status_code == 404
    assert api(cast.david).post(url).status_code == 403
    response = api(cast.sarah).post(url)
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "draft"
    again = api(cast.sarah).post(url)
    assert again.status_code == 422 and "status" in fields(again)


def test_a_sent_referral_cannot_be_reopened(cast, api):
    disclosure = _sent_by_portal(cast)
    response = api(cast.sarah).post(f"/api/v1/referrals/{disclosure.referral_id}/reopen")
    assert response.status_code == 422 and "status" in fields(response)


def test_a_referrals_delivery_is_read_by_those_who_work_on_it(cast, api):
    referral = ready(cast, example_3(cast))
    url = f"/api/v1/referrals/{referral.pk}/delivery"
    assert api(cast.nia).get(url).status_code == 404
    assert api(cast.olivia).get(url).status_code == 404
    response = api(cast.david).get(url)
    assert response.status_code == 200
    assert response.json()["status"] == "draft" and response.json()["attempts"] == []
    assert Entry.objects.filter(
        action="opened referral to send", actor=cast.david.username, detail__via="api"
    ).exists()


def test_a_persons_referrals_are_listed_with_filters(cast, api):
    disclosure = _sent_by_portal(cast)
    draft = ready(cast, example_3(cast))
    sarah = api(cast.sarah)
    listed = sarah.get("/api/v1/referrals", {"person_id": cast.alice.pk})
    assert listed.status_code == 200
    assert {r["id"] for r in listed.json()} == {disclosure.referral_id, draft.pk}
    sent = sarah.get("/api/v1/referrals", {"person_id": cast.alice.pk, "status": "sent"}).json()
    assert [(r["id"], r["disclosure_id"]) for r in sent] == [
        (disclosure.referral_id, disclosure.pk)
    ]
    today = timezone.localdate()
    assert len(sarah.get("/api/v1/referrals", {"from": today, "to": today}).json()) == 2
    tomorrow = today + timedelta(days=1)
    assert sarah.get("/api/v1/referrals", {"from": tomorrow}).json() == []
    assert sarah.get("/api/v1/referrals", {"person_id": cast.bob.pk}).json() == []
    assert sarah.get("/api/v1/referrals", {"status": "lost"}).status_code == 422
    assert Entry.objects.filter(
        action="listed referrals", person_id=cast.alice.pk, detail__via="api"
    ).exists()
    # Need to know: a care worker works on none; another organisation's lead, and a
    # manager who built none, see none of Sarah's.
    assert api(cast.nia).get("/api/v1/referrals").status_code == 403
    assert api(cast.olivia).get("/api/v1/referrals").json() == []
    assert api(cast.helen).get("/api/v1/referrals").json() == []


def test_the_disclosure_log_filters_by_partner_and_dates(cast, api):
    disclosure = _sent_by_portal(cast)
    david = api(cast.david)
    today = timezone.localdate()

    def count(**filters):
        return david.get("/api/v1/disclosures", filters).json()["count"]

    assert count(partner_id=cast.partners.mash.pk) == 1
    assert count(partner_id=cast.partners.council.pk) == 0
    assert count(**{"from": today, "to": today}) == 1
    assert count(to=today - timedelta(days=1)) == 0
    assert count(person_id=cast.alice.pk) == 1 and count(person_id=cast.bob.pk) == 0
    bad = david.get("/api/v1/disclosures", {"from": "yesterday"})
    assert bad.status_code == 422
    assert disclosure.pk == david.get("/api/v1/disclosures").json()["results"][0]["id"]


def test_the_frozen_pdf_is_for_those_who_may_see_the_disclosure(cast, api):
    disclosure = _sent_by_portal(cast)
    url = f"/api/v1/disclosures/{disclosure.pk}/pdf"
    for someone in (cast.nia, cast.olivia, cast.grace, cast.owen):
        response = api(someone).get(url)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
    response = api(cast.helen).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert bytes(response.content) == bytes(disclosure.pdf)
    assert Entry.objects.filter(
        action="downloaded disclosure", actor=cast.helen.username, detail__via="api"
    ).exists()


def test_ones_own_contact_details_are_read_and_set_through_the_api(cast, api, put):
    url = "/api/v1/me/contact-details"
    before = api(cast.nia).get(url)
    assert before.status_code == 200
    assert before.json()["phone"] == "" and before.json()["job_title"] == ""
    bad = put(cast.nia)(url, {"job_title": "Night carer", "phone": "ring me"})
    assert bad.status_code == 422 and "phone" in fields(bad)
    assert api(cast.nia).get(url).json()["phone"] == ""
    response = put(cast.nia)(url, {"job_title": "Night carer", "phone": "01632 960 555"})
    assert response.status_code == 200
    assert response.json()["phone"] == "01632 960 555"
    assert api(cast.nia).get(url).json()["job_title"] == "Night carer"
    # Each person's own: Helen's are untouched.
    assert api(cast.helen).get(url).json()["phone"] == ""
    assert Entry.objects.filter(
        action="changed contact details for referrals", actor=cast.nia.username
    ).exists()


@pytest.mark.parametrize(
    "path",
    [
        "/disclosures/",
        "/partners/",
        "/people/{alice}/disclosures/",
        "/disclosures/{disclosure}/",
        "/disclosures/{disclosure}/pdf/",
        "/referrals/{referral}/preview/",
        "/referrals/{referral}/delivery/",
    ],
)
def test_pages_that_only_read_refuse_a_post(cast, as_user, path):
    disclosure = _sent_by_portal(cast)
    path = path.format(
        alice=cast.alice.pk, disclosure=disclosure.pk, referral=disclosure.referral_id
    )
    assert as_user(cast.sarah).post(path).status_code == 405
