"""Referrals that really leave: secure email goes through a mail server (a local one,
started here) and is sent only once that server accepted it; a portal or phone referral
is not sent until its sender confirms when, by whom and with what reference."""

import hashlib
import io
import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from conftest import signed_in
from sharewise.disclosures import referrals
from sharewise.disclosures.models import Delivery, Disclosure, Referral
from sharewise.disclosures.tests.smtp_sink import no_mail_server, smtp_sink
from sharewise.disclosures.tests.test_referrals import by, example_3, ready


def final_preview(cast, channel="council"):
    decision = example_3(cast)
    referral = ready(cast, decision, partner=getattr(cast.partners, channel))
    referral, _ = referrals.preview(by(cast.sarah), referral)
    return referral


def shown_as_sent(cast, as_user, api, referral) -> list[str]:
    """Every place that would say the referral was sent, and whether it does."""
    said = []
    lead, officer = signed_in(cast.sarah, Client()), signed_in(cast.david, Client())
    if "Alice Moore" in officer.get("/disclosures/").content.decode():
        said.append("disclosure log")
    shared = lead.get(f"/people/{cast.alice.pk}/disclosures/").content.decode()
    if "Nothing has been shared about Alice Moore" not in shared:
        said.append("what has been shared")
    person = lead.get(f"/people/{cast.alice.pk}/").content.decode()
    if "(0 disclosures)" not in person:
        said.append("person page")
    chronology = lead.get(f"/people/{cast.alice.pk}/chronology/").content.decode()
    if "Sent to" in chronology:
        said.append("chronology")
    decision = lead.get(f"/sharing-decisions/{referral.decision_id}/").content.decode()
    if f"Referral {referral.pk}</a> to" in decision and ": sent</p>" in decision:
        said.append("decision's referral list")
    client = api(cast.sarah)
    if client.get(f"/api/v1/referrals/{referral.pk}").json()["sent"]:
        said.append("API referral")
    if client.get(f"/api/v1/people/{cast.alice.pk}/disclosures").json():
        said.append("API what has been shared")
    if client.get("/api/v1/disclosures").json()["count"]:
        said.append("API disclosure log")
    return said


def test_secure_email_delivers_the_exact_frozen_pdf(cast, settings):
    referral = final_preview(cast)
    with smtp_sink(settings) as sink:
        sending = referrals.send(by(cast.sarah), referral)
    assert sending.sent
    disclosure = sending.disclosure
    [(sender, recipients, message)] = sink.received
    assert recipients == ["adults@northshire.example"]
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    received = attachment.get_content()
    assert hashlib.sha256(received).hexdigest() == disclosure.sha256 == referral.preview_sha256
    # Nothing about Alice in the envelope: only who it is from and whom to call back.
    text = message["Subject"] + message.get_body(("plain",)).get_content()
    assert "Alice" not in text and "Moore" not in text and "£200" not in text
    assert "Sarah" in text and "01632 960 101" in text and "Oakleigh" in text
    assert message["Reply-To"] == cast.sarah.email
    assert disclosure.delivery == Disclosure.How.EMAIL
    assert disclosure.delivered_to == "adults@northshire.example"
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.SENT
    assert Delivery.objects.get().outcome == Delivery.Outcome.ACCEPTED


def test_a_refused_address_leaves_the_referral_not_sent_and_it_can_be_tried_again(
    cast, settings, as_user, api
):
    referral = final_preview(cast)
    client = as_user(cast.sarah)
    with smtp_sink(settings, refuse="550 5.1.1 <adults@northshire.example>: no such mailbox"):
        response = client.post(f"/referrals/{referral.pk}/send/")
    assert response.url == f"/referrals/{referral.pk}/delivery/"
    page = client.get(response.url).content.decode()
    assert "Not sent: the email did not go" in page
    assert "550 5.1.1 &lt;adults@northshire.example&gt;: no such mailbox" in page
    assert "Try sending again" in page
    assert not Disclosure.objects.exists()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.FINAL
    assert shown_as_sent(cast, as_user, api, referral) == []
    attempt = Delivery.objects.get()
    assert attempt.outcome == Delivery.Outcome.FAILED and "550" in attempt.error
    # Final means final: the builder cannot change it while it waits.
    assert client.get(f"/referrals/{referral.pk}/").url == f"/referrals/{referral.pk}/delivery/"
    with smtp_sink(settings) as sink:
        response = client.post(f"/referrals/{referral.pk}/send/")
    disclosure = Disclosure.objects.get()
    assert response.url == f"/disclosures/{disclosure.pk}/"
    assert len(sink.received) == 1
    assert Delivery.objects.filter(outcome=Delivery.Outcome.ACCEPTED).count() == 1


def test_an_unreachable_mail_server_is_said_plainly(cast, settings, as_user, api):
    referral = final_preview(cast)
    with no_mail_server(settings):
        sending = referrals.send(by(cast.sarah), referral)
    assert not sending.sent
    assert sending.error.startswith("Could not reach the mail server")
    assert not Disclosure.objects.exists()
    with no_mail_server(settings):
        response = api(cast.sarah).post(f"/api/v1/referrals/{referral.pk}/send")
    assert response.status_code == 502
    assert response.json()["sent"] is False
    assert "Could not reach the mail server" in response.json()["error"]
    assert shown_as_sent(cast, as_user, api, referral) == []


def test_a_portal_referral_is_not_sent_until_its_submission_is_confirmed(
    cast, as_user, api, settings
):
    referral = final_preview(cast, "mash")
    client = as_user(cast.sarah)
    preview = client.get(f"/referrals/{referral.pk}/preview/").content.decode()
    assert "Make it final, then submit it on the portal" in preview
    assert "Send this referral" not in preview
    with smtp_sink(settings) as sink:
        response = client.post(f"/referrals/{referral.pk}/send/")
    assert sink.received == []
    assert response.url == f"/referrals/{referral.pk}/delivery/"
    page = client.get(response.url).content.decode()
    assert "Not sent yet: submit it on the portal" in page
    assert "Download this PDF" in page and "https://mash.northshire.example/refer" in page
    assert "Until you confirm, the referral is not shown as sent anywhere." in page
    assert shown_as_sent(cast, as_user, api, referral) == []
    assert api(cast.sarah).get(f"/api/v1/referrals/{referral.pk}").json()["status"] == "final"

    # Asked plainly for what is missing, nothing recorded.
    response = client.post(
        f"/referrals/{referral.pk}/confirm-submitted/",
        {"submitted_on": "", "submitted_time": "10:15", "submitted_by": "", "reference": ""},
    )
    page = response.content.decode()
    assert (
        "Enter the date it was submitted" in page and "Enter the reference the partner gave" in page
    )
    assert not Disclosure.objects.exists()

    when = timezone.localtime()
    response = client.post(
        f"/referrals/{referral.pk}/confirm-submitted/",
        {
            "submitted_on": f"{when:%Y-%m-%d}",
            "submitted_time": f"{when:%H:%M}",
            "submitted_by": "Sarah Khan",
            "reference": "MASH-2026-0042",
        },
    )
    disclosure = Disclosure.objects.get()
    assert response.url == f"/disclosures/{disclosure.pk}/"
    assert disclosure.delivery == Disclosure.How.CONFIRMED
    assert disclosure.submitted_by_name == "Sarah Khan"
    assert disclosure.receipt_reference == "MASH-2026-0042"
    assert disclosure.confirmed_by == cast.sarah
    assert abs(disclosure.sent_at - when.replace(second=0, microsecond=0)) < timedelta(minutes=1)
    page = client.get(response.url).content.decode()
    assert "by Sarah Khan, reference MASH-2026-0042" in page
    assert sorted(shown_as_sent(cast, as_user, api, referral)) == sorted(
        [
            "disclosure log",
            "what has been shared",
            "person page",
            "chronology",
            "decision's referral list",
            "API referral",
            "API what has been shared",
            "API disclosure log",
        ]
    )


def test_a_phone_referral_is_confirmed_through_the_api(cast, api):
    referral = final_preview(cast, "police")
    client = api(cast.sarah)
    response = client.post(f"/api/v1/referrals/{referral.pk}/send")
    assert response.status_code == 202
    assert response.json()["sent"] is False and "by phone on 101" in response.json()["message"]
    assert not Disclosure.objects.exists()
    url = f"/api/v1/referrals/{referral.pk}/confirm-submitted"
    response = client.post(
        url, {"submitted_at": "2999-01-01T10:00:00Z", "submitted_by": "Sarah", "reference": "X1"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "submitted_at"
    at = (timezone.now() - timedelta(minutes=5)).isoformat()
    response = client.post(
        url, {"submitted_at": at, "submitted_by": "Sarah Khan", "reference": "PPU/123"}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["receipt_reference"] == "PPU/123"
    assert response.json()["delivery"] == "confirmed"
    assert response.json()["confirmed_by"] == cast.sarah.get_full_name()
    again = client.post(url, {"submitted_at": at, "submitted_by": "Sarah", "reference": "PPU/124"})
    assert again.status_code == 422 and Disclosure.objects.count() == 1


def test_the_pdf_names_the_referrer_and_how_to_call_them_back(cast):
    referral = final_preview(cast)
    text = "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(bytes(referral.preview_pdf))).pages
    )
    flat = " ".join(text.split())
    assert cast.sarah.get_full_name() in flat
    assert "Safeguarding lead" in flat
    assert "01632 960 101" in flat
    assert cast.sarah.email in flat
    assert cast.org.name in flat
    assert f"{timezone.localdate():%-d %B %Y}" in flat


def test_without_a_phone_number_the_referral_cannot_be_sent(cast, as_user):
    from sharewise.disclosures.models import StaffContact

    referral = final_preview(cast)
    StaffContact.objects.filter(user=cast.sarah).update(phone="")
    client = as_user(cast.sarah)
    page = client.get(f"/referrals/{referral.pk}/preview/").content.decode()
    assert "Add a work phone number for Sarah" in page
    assert "Send this referral by secure email" not in page
    response = client.post("/account/contact-details/", {"job_title": "", "phone": "12"})
    assert "Enter a phone number, like 01632 960 001" in response.content.decode()
    client.post("/account/contact-details/", {"job_title": "Lead", "phone": "01632 960 555"})
    page = client.get(f"/referrals/{referral.pk}/preview/").content.decode()
    assert "Send this referral by secure email" in page
    assert "01632 960 555" in page


def test_a_reason_typed_without_its_box_is_kept_and_the_page_says_what_is_missing(cast, as_user):
    decision = example_3(cast)
    referral = ready(cast, decision)
    client = as_user(cast.sarah)
    url = f"/referrals/{referral.pk}/"
    client.post(
        url,
        {
            "partner": cast.partners.council.pk,
            "why_medication": "The council must know she takes donepezil",
            "redact_reason": "It names the visitor",
            "go": "save",
        },
    )
    page = client.get(url).content.decode()
    assert 'value="The council must know she takes donepezil"' in page
    assert "Medication: you gave a reason to send it; tick “Send medication” to send it" in page
    assert 'value="It names the visitor"' in page
    assert "Take out more: type the words to take out" in page
    # Ticking the box later uses the reason that was kept.
    client.post(
        url,
        {
            "partner": cast.partners.council.pk,
            "include_medication": "yes",
            "why_medication": "The council must know she takes donepezil",
            "go": "save",
        },
    )
    referral.refresh_from_db()
    assert referral.choices["medication"] == {
        "include": True,
        "why": "The council must know she takes donepezil",
    }
    assert "why_medication" not in referral.typed
    page = client.get(url).content.decode()
    assert "you gave a reason to send it" not in page


def test_the_sender_of_an_email_referral_waits_for_the_mail_server_not_a_guess(cast, settings):
    """Two presses at once send one email: the second is told it is being sent."""
    referral = final_preview(cast)
    Referral.objects.filter(pk=referral.pk).update(status=Referral.Status.FINAL)
    Delivery.objects.create(referral=referral, to="adults@northshire.example", by=cast.sarah)
    with smtp_sink(settings) as sink, pytest.raises(ValidationError) as error:
        referrals.send(by(cast.sarah), referral)
    assert "being sent now" in json.dumps(error.value.message_dict)
    assert sink.received == []


def test_after_a_refusal_the_sender_takes_it_back_and_sends_it_to_a_corrected_address(
    cast, settings, as_user
):
    referral = final_preview(cast)
    client = as_user(cast.sarah)
    with smtp_sink(settings, refuse="550 5.1.1 No such user"):
        client.post(f"/referrals/{referral.pk}/send/")
    cast.partners.council.email = "duty@northshire.example"
    cast.partners.council.save()
    response = client.post(f"/referrals/{referral.pk}/reopen/")
    assert response.url == f"/referrals/{referral.pk}/"
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DRAFT
    client.post(
        url := f"/referrals/{referral.pk}/", {"partner": cast.partners.council.pk, "go": "preview"}
    )
    client.get(f"/referrals/{referral.pk}/preview/")
    with smtp_sink(settings) as sink:
        client.post(f"/referrals/{referral.pk}/send/")
    [(_, recipients, _)] = sink.received
    assert recipients == ["duty@northshire.example"]
    assert Disclosure.objects.get().delivered_to == "duty@northshire.example"
    # Once sent, it never goes back.
    assert client.post(f"/referrals/{referral.pk}/reopen/").status_code == 302
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT
    assert client.get(url).url == f"/referrals/{referral.pk}/delivery/"


def test_an_attempt_that_never_finished_is_not_taken_as_sent(cast, settings):
    referral = final_preview(cast)
    Referral.objects.filter(pk=referral.pk).update(status=Referral.Status.FINAL)
    stuck = Delivery.objects.create(
        referral=referral,
        to="adults@northshire.example",
        by=cast.sarah,
        started_at=timezone.now() - timedelta(minutes=10),
    )
    with smtp_sink(settings) as sink:
        sending = referrals.send(by(cast.sarah), referral)
    stuck.refresh_from_db()
    assert stuck.outcome == Delivery.Outcome.FAILED and "never heard back" in stuck.error
    assert sending.sent and len(sink.received) == 1


def test_without_a_mail_server_nothing_pretends_to_be_emailed(cast, settings, as_user):
    referral = final_preview(cast)
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    page = as_user(cast.sarah).get(f"/referrals/{referral.pk}/preview/").content.decode()
    assert "Secure email is not set up here" in page
    assert "Send this referral by secure email" not in page
    with pytest.raises(ValidationError) as error:
        referrals.send(by(cast.sarah), referral)
    assert "mail_server" in error.value.message_dict
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DRAFT and not Disclosure.objects.exists()
