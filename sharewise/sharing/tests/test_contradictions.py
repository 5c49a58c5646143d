"""A decision cannot silently contradict the signed one standing within its review
period: it needs a reason, goes to the lead, and never shows as the one that applies
until it is countersigned."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sharewise.patterns.models import Notification
from sharewise.policy import store
from sharewise.sharing import decisions, standing
from sharewise.sharing.models import Draft, SharingDecision
from sharewise.sharing.tests.stories import GROUNDS, REFUSED, by, do_not_share
from sharewise.sharing.tests.stories import share_without_consent as share

BECAUSE = "She has moved in with her daughter, away from him; the risk to others has gone."


def signed_share(cast):
    decision = decisions.record_decision(by(cast.sarah), cast.alice, GROUNDS, share())
    assert decision.status == SharingDecision.Status.SIGNED and decision.standing
    return decision


def test_not_sharing_after_a_signed_share_needs_a_reason(cast):
    first = signed_share(cast)
    with pytest.raises(ValidationError) as refused:
        decisions.record_decision(by(cast.helen), cast.alice, REFUSED, do_not_share())
    [problem] = refused.value.message_dict["contradiction_reason"]
    assert "standing decision (share without consent" in problem.lower()
    assert "review period" in problem
    assert SharingDecision.objects.count() == 1
    Notification.objects.all().delete()

    second = decisions.record_decision(
        by(cast.helen), cast.alice, REFUSED, do_not_share(contradiction_reason=BECAUSE)
    )
    assert second.contradicts_id == first.pk and second.contradiction_reason == BECAUSE
    # It goes to the lead, and until the lead signs, the signed decision stands.
    assert second.status == SharingDecision.Status.AWAITING_COUNTERSIGN
    assert second.countersign_needs_lead
    assert f"contradicts standing decision {first.pk}" in second.countersign_because
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.standing and not second.standing
    told = Notification.objects.get(recipient=cast.sarah)
    assert f"contradicting standing decision {first.pk}" in told.message
    assert told.link == f"/sharing-decisions/{second.pk}/"


def test_after_the_review_period_a_different_decision_is_ordinary(cast):
    first = signed_share(cast)
    _, policy = store.in_force(cast.org.pk, "sharing")
    SharingDecision.objects.filter(pk=first.pk).update(
        decided_at=timezone.now() - timedelta(days=policy.review_days + 2)
    )
    later = decisions.record_decision(by(cast.helen), cast.alice, REFUSED, do_not_share())
    assert later.contradicts_id is None


def test_a_lead_contradicting_gives_a_reason_and_the_other_leads_hear(cast):
    signed_share(cast)
    with pytest.raises(ValidationError) as refused:
        decisions.record_decision(by(cast.sarah), cast.alice, REFUSED, do_not_share())
    assert "contradiction_reason" in refused.value.message_dict
    made = decisions.record_decision(
        by(cast.sarah), cast.alice, REFUSED, do_not_share(contradiction_reason=BECAUSE)
    )
    assert made.contradiction_reason == BECAUSE


def test_the_rule_only_counts_a_switch_between_sharing_and_not(cast):
    now = timezone.now()
    signed = standing.Decision(1, now, "share_without_consent", standing.SIGNED)
    today = timezone.localdate()
    assert standing.contradicted([signed], "do_not_share", today, 30) == signed
    assert standing.contradicted([signed], "monitor", today, 30) == signed
    assert standing.contradicted([signed], "share_with_consent", today, 30) is None
    assert standing.contradicted([signed], "do_not_share", today + timedelta(days=31), 30) is None
    waiting = standing.Decision(1, now, "share_without_consent", standing.AWAITING)
    assert standing.contradicted([waiting], "do_not_share", today, 30) is None
    refusal = standing.Decision(2, now, "do_not_share", standing.SIGNED, review_date=today)
    assert standing.contradicted([refusal], "share_without_consent", today, 30) == refusal


def test_the_person_page_shows_the_signed_decision_and_the_newer_one_as_unsigned(cast, as_user):
    first = signed_share(cast)
    second = decisions.record_decision(
        by(cast.helen), cast.alice, REFUSED, do_not_share(contradiction_reason=BECAUSE)
    )
    html = as_user(cast.helen).get(f"/people/{cast.alice.pk}/").content.decode()
    panel = html.split("Standing decision")[1].split("Consent")[0]
    assert f'href="/sharing-decisions/{first.pk}/">Share without consent</a>' in panel
    assert "Waiting for countersignature" in panel
    assert f'href="/sharing-decisions/{second.pk}/">' in panel
    assert panel.index(f"/sharing-decisions/{first.pk}/") < panel.index("Waiting for")
    assert "not signed, so the standing decision still applies" in panel


def test_starting_a_decision_shows_the_standing_and_the_waiting_decisions(cast, as_user):
    first = signed_share(cast)
    second = decisions.record_decision(
        by(cast.helen), cast.alice, REFUSED, do_not_share(contradiction_reason=BECAUSE)
    )
    client = as_user(cast.helen)
    client.post(f"/people/{cast.alice.pk}/sharing-decisions/new/")
    draft = Draft.objects.get(decision__isnull=True)
    html = client.get(f"/sharing/drafts/{draft.pk}/purpose/").content.decode()
    standing_box = html.split('id="standing"')[1].split("</div>")[0]
    assert f"/sharing-decisions/{first.pk}/" in standing_box and "Standing decision" in standing_box
    assert f"/sharing-decisions/{second.pk}/" in standing_box
    assert "Waiting for countersignature" in standing_box


def test_the_page_names_the_missing_reason_on_the_decision_form(cast, as_user):
    signed_share(cast)
    client = as_user(cast.helen)
    client.post(f"/people/{cast.alice.pk}/sharing-decisions/new/")
    draft = Draft.objects.get(decision__isnull=True)
    draft.answers = {
        **REFUSED,
        "question": "Should we tell the council?",
        "purpose_text": "To protect her",
        "tell_person": "yes",
    }
    draft.save(update_fields=["answers"])
    review = timezone.localdate() + timedelta(days=14)
    body = {
        "outcome": "do_not_share",
        "necessity": "She has capacity, only she is at risk, and she has said no clearly.",
        "review_date_0": review.day,
        "review_date_1": review.month,
        "review_date_2": review.year,
        "go": "record",
    }
    page = client.post(f"/sharing/drafts/{draft.pk}/recommendation/", body).content.decode()
    assert "Say why you are deciding differently from the standing decision" in page
    assert 'href="#id_contradiction_reason"' in page
    assert SharingDecision.objects.count() == 1
    done = client.post(
        f"/sharing/drafts/{draft.pk}/recommendation/", {**body, "contradiction_reason": BECAUSE}
    )
    assert done.status_code == 302, done.content.decode()[:3000]
    made = SharingDecision.objects.latest("pk")
    assert made.contradiction_reason == BECAUSE
    assert made.status == SharingDecision.Status.AWAITING_COUNTERSIGN
