"""Information-sharing agreements, what came back from a disclosure, and what was told
without a referral: Sarah keeps the agreements; a referral to the council without a
current one asks her why sharing is still lawful; the council's silence is chased;
its section 42 outcome reaches Alice's chronology."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from sharewise.disclosures import agreements, referrals, responses, sweep, told
from sharewise.disclosures.content import digest
from sharewise.disclosures.models import Agreement, Chase, Disclosure
from sharewise.disclosures.tests.test_referrals import (
    by,
    directory,
    example_3,
    ready,
)
from sharewise.governance import evidence_figures
from sharewise.patterns import sweep as patterns_sweep
from sharewise.patterns.models import Notification
from sharewise.retention.facts import last_enquiry_closed


def council_agreement(cast):
    return Agreement.objects.get(
        organisation=cast.org, partner_organisation__iexact=("Northshire County Council")
    )


def sent_referral(cast, **change):
    referral = ready(cast, example_3(cast))
    if change:
        referral = referrals.change(by(cast.sarah), referral, **change)
    referral, _ = referrals.preview(by(cast.sarah), referral)
    return referrals.send(by(cast.sarah), referral).disclosure


# Done when: a referral to a partner without a current agreement asks for a reason ----


def test_a_referral_under_a_current_agreement_records_which_it_rested_on(cast):
    disclosure = sent_referral(cast)
    assert disclosure.agreement == council_agreement(cast)
    assert disclosure.no_agreement_reason == ""


def test_a_referral_without_a_current_agreement_is_not_sent_until_the_sender_says_why(cast):
    referral = ready(cast, example_3(cast))
    agreement = council_agreement(cast)
    Agreement.objects.filter(pk=agreement.pk).update(
        review_on=timezone.localdate() - timedelta(days=1)
    )
    referral, _ = referrals.preview(by(cast.sarah), referral)
    with pytest.raises(ValidationError) as error:
        referrals.send(by(cast.sarah), referral)
    words = error.value.message_dict["no_agreement_reason"][0]
    assert "lapsed: its review date was" in words and "Say why sharing is still lawful" in words
    referral.refresh_from_db()
    assert referral.status == "draft" and not Disclosure.objects.exists()

    reason = "Article 6(1)(e) public task: the council's enquiry duty cannot wait for renewal"
    referrals.change(by(cast.sarah), referral, no_agreement_reason=reason)
    referral, _ = referrals.preview(by(cast.sarah), referral)
    disclosure = referrals.send(by(cast.sarah), referral).disclosure
    assert disclosure.agreement is None and disclosure.no_agreement_reason == reason


def test_the_builder_warns_why_no_agreement_covers_it_and_the_api_refuses(cast, as_user, api):
    referral = ready(cast, example_3(cast))
    agreements.retire(by(cast.sarah), council_agreement(cast))
    page = as_user(cast.sarah).get(reverse("referral", args=[referral.pk])).content.decode()
    assert "No current agreement" in page and "has been retired" in page
    assert 'name="no_agreement_reason"' in page

    answer = api(cast.sarah).get(f"/api/v1/referrals/{referral.pk}").json()
    assert answer["agreement_id"] is None and "has been retired" in answer["agreement_problem"]
    referrals.preview(by(cast.sarah), referral)
    refused = api(cast.sarah).post(f"/api/v1/referrals/{referral.pk}/send")
    assert refused.status_code == 422
    assert "Say why sharing is still lawful" in refused.content.decode()


def test_a_reason_too_short_is_shown_beside_the_field(cast, as_user):
    referral = ready(cast, example_3(cast))
    agreements.retire(by(cast.sarah), council_agreement(cast))
    page = as_user(cast.sarah).post(
        reverse("referral", args=[referral.pk]), {"no_agreement_reason": "urgent"}
    )
    html = page.content.decode()
    assert "nhsuk-form-group--error" in html
    assert "Say in a few words why sharing is lawful without a current agreement" in html


def test_a_changed_agreement_is_a_new_version_and_the_disclosure_keeps_the_old(cast):
    disclosure = sent_referral(cast)
    old = disclosure.agreement
    new = agreements.change(by(cast.sarah), old, {"review_on": old.review_on + timedelta(days=365)})
    assert new.pk != old.pk and new.version == 2 and new.replaces == old
    old.refresh_from_db()
    assert old.replaced_at is not None and old.review_on != new.review_on
    disclosure.refresh_from_db()
    assert disclosure.agreement_id == old.pk
    with pytest.raises(ValueError, match="never edited"):
        old.title = "Changed in place"
        old.save()


def test_a_care_worker_cannot_keep_agreements_nor_read_them(cast, as_user, api):
    directory(cast)
    assert as_user(cast.tom).get(reverse("add_agreement")).status_code == 403
    assert as_user(cast.tom).get(reverse("agreement_list")).status_code == 403
    refused = api(cast.tom).post(
        "/api/v1/agreements",
        {
            "partner_organisation": "Northshire Police",
            "title": "Police protocol",
            "purposes": ["crime"],
            "article_6": ["e"],
            "secure_channel": "Phone",
            "starts_on": "2026-01-01",
            "review_on": "2027-01-01",
            "contact_name": "DS Ellis",
        },
    )
    assert refused.status_code == 403
    assert "Only safeguarding leads keep information-sharing agreements" in refused.content.decode()
    # Another organisation's lead does not find them.
    agreement = council_agreement(cast)
    assert api(cast.olivia).get(f"/api/v1/agreements/{agreement.pk}").status_code == 404


def test_the_lead_adds_an_agreement_checked_against_the_policies(cast, api):
    answer = api(cast.sarah).post(
        "/api/v1/agreements",
        {
            "partner_organisation": "Northshire Police",
            "title": "Police protocol",
            "purposes": ["crime", "lunch"],
            "article_6": ["e"],
            "secure_channel": "Phone",
            "starts_on": "2026-01-01",
            "review_on": "2025-01-01",
            "contact_name": "DS Ellis",
        },
    )
    assert answer.status_code == 422
    assert "Not known here: lunch" in answer.content.decode()


def test_the_oversight_dashboard_lists_agreements_due_for_review(cast, as_user):
    directory(cast)
    today = timezone.localdate()
    Agreement.objects.filter(partner_organisation="Northshire Police").update(
        review_on=today + timedelta(days=10), title="Police protocol"
    )
    Agreement.objects.filter(partner_organisation="Northshire Children's Services").update(
        review_on=today - timedelta(days=3), title="Childrens MASH agreement"
    )
    page = as_user(cast.sarah).get(reverse("oversight")).content.decode()
    due = page.split("Information-sharing agreements due for review")[1]
    assert "Police protocol" in due and "Childrens MASH agreement" in due and "Lapsed" in due
    assert "Information sharing with Northshire County Council" not in due


# Done when: a disclosure unacknowledged past the policy's days raises a chaser ----------


def test_an_unacknowledged_disclosure_is_chased_once_to_the_sender_and_the_lead(cast, api):
    decision = example_3(cast)
    told_by_helen = api(cast.helen).post(
        f"/api/v1/sharing-decisions/{decision.pk}/told", _told_payload()
    )
    disclosure = Disclosure.objects.get(pk=told_by_helen.json()["id"])
    soon = disclosure.sent_at + timedelta(days=6)
    assert sweep.due(cast.org.pk, soon) == [("unacknowledged disclosure(s) chased", 0)]
    later = disclosure.sent_at + timedelta(days=8)
    assert sweep.due(cast.org.pk, later) == [("unacknowledged disclosure(s) chased", 1)]
    assert sweep.due(cast.org.pk, later) == [("unacknowledged disclosure(s) chased", 0)]
    chased = Notification.objects.filter(link=reverse("disclosure", args=[disclosure.pk]))
    assert {n.recipient for n in chased} == {cast.helen, cast.sarah}
    message = chased.first().message
    assert "No acknowledgement yet: what was told on" in message
    assert "Northshire Police" in message and "Alice" not in message
    assert not Notification.objects.filter(recipient__in=[cast.david, cast.nia]).exists()


def test_manage_py_sweep_chases_a_referral_too(cast):
    disclosure = sent_referral(cast)
    swept = patterns_sweep.run(disclosure.sent_at + timedelta(days=8))
    assert swept.more["unacknowledged disclosure(s) chased"] == 1
    link = reverse("disclosure", args=[disclosure.pk])
    message = Notification.objects.get(recipient=cast.sarah, link=link).message
    assert message.startswith("No acknowledgement yet: a referral sent on")


def test_an_acknowledged_disclosure_is_not_chased(cast):
    disclosure = sent_referral(cast)
    responses.record(
        by(cast.sarah),
        disclosure,
        "acknowledgement",
        {"acknowledged_at": disclosure.sent_at, "acknowledged_by": "Duty"},
    )
    assert sweep.chase(cast.org.pk, disclosure.sent_at + timedelta(days=30)) == 0
    assert not Chase.objects.exists()


# Done when: a section 42 outcome appears in the chronology -----------------------------


def test_a_section_42_outcome_appears_in_the_chronology(cast, as_user):
    disclosure = sent_referral(cast)
    today = timezone.localdate()
    responses.record(
        by(cast.sarah),
        disclosure,
        "outcome",
        {
            "enquiry_opened": True,
            "enquiry_opened_on": today - timedelta(days=0),
            "enquiry_outcome": "risk_reduced",
            "enquiry_closed_on": today,
            "person_wanted": "To keep her money safe",
            "wanted_achieved": "partly",
        },
    )
    page = as_user(cast.sarah).get(reverse("chronology", args=[cast.alice.pk])).content.decode()
    assert "Section 42 outcome from Northshire County Council" in page
    assert "outcome: risk reduced" in page
    assert "what the person wanted (To keep her money safe): partly achieved" in page
    assert last_enquiry_closed([cast.alice.pk]) == {cast.alice.pk: today}


def test_a_correction_keeps_what_it_replaced(cast, api):
    disclosure = sent_referral(cast)
    when = disclosure.sent_at.isoformat()
    path = f"/api/v1/disclosures/{disclosure.pk}/responses"
    first = api(cast.sarah).post(
        path, {"kind": "acknowledgement", "acknowledged_at": when, "acknowledged_by": "Duty"}
    )
    assert first.status_code == 201
    again = {"kind": "acknowledgement", "acknowledged_at": when, "acknowledged_by": "Team lead"}
    refused = api(cast.sarah).post(path, again)
    assert refused.status_code == 422 and "say why" in refused.content.decode()
    fixed = api(cast.sarah).post(path, {**again, "correction_reason": "Wrong name taken down"})
    assert fixed.status_code == 201 and fixed.json()["replaces_id"] == first.json()["id"]
    history = api(cast.sarah).get(path).json()
    assert [(r["acknowledged_by"], r["current"]) for r in history] == [
        ("Team lead", True),
        ("Duty", False),
    ]


def test_responses_and_told_disclosures_are_404_outside_scope(cast, api, as_user):
    disclosure = sent_referral(cast)
    path = f"/api/v1/disclosures/{disclosure.pk}/responses"
    assert api(cast.olivia).get(path).status_code == 404
    assert api(cast.olivia).post(path, {"kind": "outcome", "notes": "x y z"}).status_code == 404
    url = reverse("record_outcome", args=[disclosure.pk])
    assert as_user(cast.olivia).get(url).status_code == 404
    decision = disclosure.decision
    told_path = f"/api/v1/sharing-decisions/{decision.pk}/told"
    assert api(cast.olivia).post(told_path, _told_payload()).status_code == 404
    assert as_user(cast.olivia).get(reverse("record_told", args=[decision.pk])).status_code == 404
    # A care worker who may see Alice still may not record what came back.
    assert api(cast.nia).post(path, {"kind": "outcome", "notes": "x y z"}).status_code in (
        403,
        404,
    )


# Told without a referral ---------------------------------------------------------------


def _told_payload(**more):
    return {
        "recipient_organisation": "Northshire Police",
        "recipient_role": "Public protection unit",
        "channel": "phone",
        "told_at": timezone.now().isoformat(),
        "purpose": "crime",
        "categories": ["financial"],
        "what_said": "Her nephew has taken £200 from her purse.",
        **more,
    }


def test_what_was_told_by_phone_is_a_disclosure_in_what_has_been_shared(cast, api, as_user):
    decision = example_3(cast)
    answer = api(cast.sarah).post(f"/api/v1/sharing-decisions/{decision.pk}/told", _told_payload())
    assert answer.status_code == 201, answer.content
    x = Disclosure.objects.get(pk=answer.json()["id"])
    assert (x.kind, x.referral, bytes(x.pdf), x.decision) == ("told", None, b"", decision)
    assert x.agreement.partner_organisation == "Northshire Police"
    assert x.sha256 == digest(x.content)
    assert answer.json()["pdf_url"] is None

    shared = as_user(cast.sarah).get(reverse("person_disclosures", args=[cast.alice.pk]))
    assert "Told Northshire Police, Public protection unit, by phone" in shared.content.decode()
    listed = api(cast.sarah).get(f"/api/v1/people/{cast.alice.pk}/disclosures").json()
    assert [d["kind"] for d in listed] == ["told"]
    chronology = as_user(cast.sarah).get(reverse("chronology", args=[cast.alice.pk]))
    assert "Told Northshire Police, Public protection unit by phone: Her nephew" in (
        chronology.content.decode()
    )
    page = as_user(cast.sarah).get(reverse("disclosure", args=[x.pk])).content.decode()
    assert "Download the PDF" not in page and "Her nephew has taken" in page


def test_nothing_is_recorded_as_told_under_a_decision_not_to_share(cast, api):
    decision = example_3(cast, outcome="do_not_share")
    answer = api(cast.sarah).post(f"/api/v1/sharing-decisions/{decision.pk}/told", _told_payload())
    assert answer.status_code == 422
    assert "The decision is not to share" in answer.content.decode()
    assert not Disclosure.objects.exists()


def test_telling_someone_without_an_agreement_needs_a_reason(cast, as_user):
    decision = example_3(cast)
    form = {
        "recipient_organisation": "Dr Patel's surgery",
        "recipient_role": "GP",
        "channel": "in_person",
        "told_on": timezone.localdate().isoformat(),
        "told_time": f"{timezone.localtime():%H:%M}",
        "purpose": "health",
        "what_said": "Alice seems anxious about money since her nephew's visits.",
    }
    url = reverse("record_told", args=[decision.pk])
    page = as_user(cast.sarah).post(url, form)
    assert "There is no information-sharing agreement with Dr Patel" in page.content.decode()
    assert not Disclosure.objects.exists()
    done = as_user(cast.sarah).post(
        url, {**form, "no_agreement_reason": "Health care: article 9(2)(h), her GP treats her"}
    )
    assert done.status_code == 302
    x = Disclosure.objects.get()
    assert x.agreement is None and x.no_agreement_reason.startswith("Health care")
    assert told.told_words(x).startswith("Told Dr Patel's surgery, GP in person:")


# The evidence pack ---------------------------------------------------------------------


def test_the_evidence_pack_counts_what_came_back_and_keeps_referrals_apart(cast, api):
    disclosure = sent_referral(cast)
    decision = disclosure.decision
    api(cast.sarah).post(f"/api/v1/sharing-decisions/{decision.pk}/told", _told_payload())
    responses.record(
        by(cast.sarah),
        disclosure,
        "acknowledgement",
        {"acknowledged_at": disclosure.sent_at, "acknowledged_by": "Duty"},
    )
    responses.record(
        by(cast.sarah),
        disclosure,
        "outcome",
        {
            "enquiry_opened": True,
            "enquiry_opened_on": timezone.localdate(),
            "enquiry_outcome": "risk_removed",
            "enquiry_closed_on": timezone.localdate(),
            "person_wanted": "For it to stop",
            "wanted_achieved": "fully",
        },
    )
    today = timezone.localdate()
    f = evidence_figures.disclosure_figures(cast.org.pk, today - timedelta(days=1), today)
    assert (f["sent"], f["told"], f["to_partners"]) == (1, 1, 2)
    assert (f["acknowledged"], f["acknowledged_in_time"], f["enquiries_opened"]) == (1, 1, 1)
    assert {r["code"]: r["count"] for r in f["by_enquiry_outcome"] if r["count"]} == {
        "risk_removed": 1
    }
    assert {r["code"]: r["count"] for r in f["wanted_achieved"] if r["count"]} == {"fully": 1}
    assert [r["count"] for r in f["by_template"]] == [1]  # the told one is no template
