"""A `next` link sends staff back to a page of this site, never elsewhere: every form
that reads one refuses an address off the site before saving anything."""

import io
import logging

import pytest

from conftest import CAST_PASSWORD
from sharewise.audittrail.models import Entry
from sharewise.sharing.models import CapacityAssessment, ConsentRecord

ELSEWHERE = [
    "https://evil.example/login",
    "//evil.example/",
    "http:evil.example",
    "https:///evil.example",
    "/\\evil.example",
    "javascript:alert(1)",
]

CONSENT = {
    "purpose": "Telling the local authority about her son's calls",
    "outcome": "refused",
    "explained_how": "Sat with her and explained who would be told and why.",
    "persons_words": "No. Leave it.",
    "capacity": "presumed",
}
CAPACITY = {
    "decision": "Whether to agree to the local authority being told about the bruising",
    "help_given": "Explained in short sentences with her daughter present.",
    "can_understand": "yes",
    "can_retain": "yes",
    "can_use_or_weigh": "yes",
    "can_communicate": "yes",
    "impairment": "no",
    "evidence": "Repeated back what we discussed and weighed it.",
}


def refused_links():
    return Entry.objects.filter(action="refused a return address leaving Sharewise")


@pytest.mark.parametrize("elsewhere", ELSEWHERE)
def test_a_valid_consent_with_a_link_elsewhere_is_refused_and_not_saved(cast, as_user, elsewhere):
    client = as_user(cast.nia)
    form = f"/people/{cast.alice.pk}/consent/new/"

    shown = client.get(form, {"next": elsewhere})
    assert shown.status_code == 400
    assert "Something in the link is not right" in shown.content.decode()

    sent = client.post(f"{form}?next={elsewhere}", CONSENT)
    assert sent.status_code == 400
    assert not ConsentRecord.objects.exists()
    assert refused_links().filter(actor=cast.nia).count() == 2


def test_consent_goes_back_to_the_page_on_this_site_it_came_from(cast, as_user):
    client = as_user(cast.nia)
    back = f"/people/{cast.alice.pk}/chronology/"
    sent = client.post(f"/people/{cast.alice.pk}/consent/new/?next={back}", CONSENT)
    assert sent.status_code == 302 and sent["Location"] == back
    assert ConsentRecord.objects.get().persons_words == "No. Leave it."
    assert not refused_links().exists()


@pytest.mark.parametrize("elsewhere", ELSEWHERE[:2])
def test_a_capacity_assessment_with_a_link_elsewhere_is_refused_and_not_saved(
    cast, as_user, elsewhere
):
    client = as_user(cast.helen)
    sent = client.post(f"/people/{cast.alice.pk}/capacity/new/?next={elsewhere}", CAPACITY)
    assert sent.status_code == 400
    assert not CapacityAssessment.objects.exists()
    assert refused_links().filter(actor=cast.helen).exists()


def test_a_capacity_assessment_goes_back_on_this_site_or_to_itself(cast, as_user):
    client = as_user(cast.helen)
    back = f"/people/{cast.alice.pk}/sharing/"
    sent = client.post(f"/people/{cast.alice.pk}/capacity/new/?next={back}", CAPACITY)
    assert sent["Location"] == back
    plain = client.post(f"/people/{cast.alice.pk}/capacity/new/", CAPACITY)
    newest = CapacityAssessment.objects.order_by("-pk").first()
    assert plain["Location"] == f"/capacity-assessments/{newest.pk}/"


@pytest.mark.parametrize("elsewhere", ELSEWHERE[:2])
def test_signing_in_never_follows_a_link_elsewhere(cast, client, elsewhere):
    signed_in = client.post(
        f"/sign-in/?next={elsewhere}",
        {"username": cast.nia.username, "password": CAST_PASSWORD, "next": elsewhere},
    )
    assert signed_in.status_code == 302
    assert "evil" not in signed_in["Location"]
    assert signed_in["Location"].startswith("/")


def test_a_refused_return_link_is_logged_as_a_security_event(cast, as_user):
    handler = logging.getLogger("django.security").handlers[0]
    written = io.StringIO()
    old = handler.setStream(written)
    try:
        as_user(cast.nia).get(
            f"/people/{cast.alice.pk}/consent/new/", {"next": "https://evil.example/"}
        )
    finally:
        handler.setStream(old)
    logged = written.getvalue()
    assert "django.security.DisallowedRedirect" in logged
    assert "evil.example" not in logged
