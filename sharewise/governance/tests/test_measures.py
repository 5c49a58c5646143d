"""The learning log's measures: each worked out on a few records counted by hand, and
the before and after windows either side of a change."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from conftest import record_concern
from sharewise.concerns.models import Concern, Review
from sharewise.disclosures.models import Disclosure, Referral
from sharewise.governance import measures
from sharewise.governance.models import Lesson
from sharewise.patterns.models import Alert, AlertConcern, AlertDecision
from sharewise.policy import store
from sharewise.sharing.models import ConsentRecord, SharingDecision

# Pure helpers

values = st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=1)


@given(values)
def test_the_median_lies_between_the_smallest_and_largest(xs):
    m = measures.median(xs)
    assert min(xs) <= m <= max(xs)


@given(values, st.randoms(use_true_random=False))
def test_the_median_does_not_depend_on_order(xs, rnd):
    shuffled = list(xs)
    rnd.shuffle(shuffled)
    assert measures.median(shuffled) == measures.median(xs)


@given(st.lists(st.integers(-1000, 1000), min_size=1).filter(lambda xs: len(xs) % 2 == 1))
def test_the_median_of_an_odd_count_is_one_of_the_values(xs):
    assert measures.median(xs) in xs
    below = sum(1 for x in xs if x < measures.median(xs))
    assert below <= len(xs) // 2


def test_no_values_have_no_median():
    assert measures.median([]) is None
    assert measures.median([1, 4]) == 2.5


@given(st.integers(0, 10_000), st.integers(0, 10_000))
def test_a_share_is_a_percentage_of_the_whole(a, b):
    part, whole = min(a, b), max(a, b)
    result = measures.share(part, whole)
    if whole == 0:
        assert result is None
    else:
        assert 0 <= result <= 100
        assert result == pytest.approx(100 * part / whole)
        assert measures.share(whole, whole) == 100


# Records made by hand, at exact moments


def at(days):
    """A moment `days` ago (fractions allowed), fixed for the whole test."""
    return NOW - timedelta(days=days)


NOW = timezone.now()


def concern_at(cast, days, **answers):
    concern = record_concern(cast, **answers)
    Concern.objects.filter(pk=concern.pk).update(
        recorded_at=at(days), review_due_at=at(days) + timedelta(hours=24)
    )
    concern.refresh_from_db()
    return concern


def alert(cast, subject, raised_days, concerns=()):
    version, _ = store.in_force(cast.org.pk, "patterns")
    made = Alert.objects.create(
        organisation=cast.org,
        rule="cumulative",
        subject=subject,
        person=cast.bob,
        policy_version=version,
        explanation="Made for the test",
        raised_at=at(raised_days),
    )
    for c in concerns:
        AlertConcern.objects.create(alert=made, concern=c)
    return made


def decide(cast, made, days, outcome="monitor"):
    version, _ = store.in_force(cast.org.pk, "patterns")
    return AlertDecision.objects.create(
        alert=made,
        decided_by=cast.sarah,
        decided_at=at(days),
        outcome=outcome,
        rationale="Reasons enough for the test to pass its checks today.",
        policy_version=version,
    )


def decision(cast, person, days, status="signed", outcome="share_without_consent"):
    version, _ = store.in_force(cast.org.pk, "sharing")
    return SharingDecision.objects.create(
        organisation=cast.org,
        person=person,
        question="Share?",
        purpose="To keep them safe",
        consent_outcome="refused",
        capacity="presumed",
        answers={},
        facts={},
        recommendation=outcome,
        recommendation_reasons=[],
        outcome=outcome,
        necessity="Needed",
        decided_by=cast.sarah,
        decided_at=at(days),
        policy_version=version,
        status=status,
        standing=status == "signed",
    )


def consent(cast, person, days, outcome="refused"):
    return ConsentRecord.objects.create(
        organisation=cast.org,
        person=person,
        purpose="Tell the council",
        asked_at=at(days),
        outcome=outcome,
        capacity="presumed",
        recorded_by=cast.nia,
    )


def disclosure(cast, days, beyond=0, template="council_s42", title="Council adult safeguarding"):
    made = decision(cast, cast.alice, days + 1)
    version, _ = store.in_force(cast.org.pk, "referrals")
    referral = Referral.objects.create(
        organisation=cast.org,
        person=cast.alice,
        decision=made,
        template=template,
        purpose="safeguarding",
        policy_version=version,
        created_by=cast.sarah,
        status=Referral.Status.SENT,
    )
    return Disclosure.objects.create(
        organisation=cast.org,
        person=cast.alice,
        referral=referral,
        decision=made,
        template=template,
        template_title=title,
        policy_version=version,
        content={},
        pdf=b"%PDF",
        sha256="0" * 64,
        beyond_minimum=beyond,
        recipient_organisation="Northshire County Council",
        recipient_role="Adult safeguarding team",
        channel="secure_email",
        sent_by=cast.sarah,
        sent_at=at(days),
    )


def review(cast, concern, hours_after_due):
    return Review.objects.create(
        concern=concern,
        reviewed_by=cast.helen,
        reviewed_at=concern.review_due_at + timedelta(hours=hours_after_due),
        outcome="monitor",
        rationale="Looked at it",
    )


# Each measure against a hand count


def test_alert_measures_count_alerts_first_decided_in_the_window(cast):
    first, second, third = (
        concern_at(cast, d, person=cast.bob, team=cast.day) for d in (10, 9, 7.5)
    )
    a = alert(cast, "test:a", 8, [first, second])
    decide(cast, a, 6)  # its first decision: 2 days after raising, 4 after the first concern
    b = alert(cast, "test:b", 5, [third])
    decide(cast, b, 1)  # 4 days after raising, 6.5 after its concern
    c = alert(cast, "test:c", 30, [first])
    decide(cast, c, 20)  # first decided before the window
    decide(cast, c, 3, outcome="no_further_action")
    alert(cast, "test:d", 2, [third])  # never decided

    window = (at(7), NOW)
    assert measures.days_alert_to_decision(cast.org.pk, *window) == (pytest.approx(3.0), 2)
    assert measures.days_to_escalation_decision(cast.org.pk, *window) == (
        pytest.approx(5.25),
        2,
    )
    assert measures.days_alert_to_decision(cast.org.pk, at(100), at(50)) == (None, 0)


def test_refusals_reviewed_counts_a_decision_within_the_policys_review_days(cast):
    _, sharing = store.in_force(cast.org.pk, "sharing")
    assert sharing.review_days == 28
    consent(cast, cast.alice, 20)
    decision(cast, cast.alice, 10)  # 10 days later: reviewed
    consent(cast, cast.bob, 15, outcome="withdrawn")
    decision(cast, cast.bob, 16)  # before the withdrawal: does not count
    decision(cast, cast.bob, 14, status="declined")  # countersignature declined
    consent(cast, cast.dennis, 29.5)
    decision(cast, cast.dennis, 1)  # 28.5 days later: too late
    consent(cast, cast.carol, 40)  # before the window
    decision(cast, cast.carol, 39)
    consent(cast, cast.carol, 5, outcome="given")  # not a refusal

    value, n = measures.refusals_reviewed(cast.org.pk, at(30), NOW)
    assert n == 3
    assert value == pytest.approx(100 / 3)


def test_referrals_within_minimum(cast):
    disclosure(cast, 5)
    disclosure(cast, 4)
    disclosure(cast, 3, beyond=2)
    disclosure(cast, 40, beyond=1)  # outside the window
    value, n = measures.referrals_within_minimum(cast.org.pk, at(30), NOW)
    assert (round(value, 2), n) == (66.67, 3)


def test_concerns_reviewed_in_time_leaves_out_imports_and_concerns_not_yet_due(cast):
    on_time = concern_at(cast, 5)
    late = concern_at(cast, 4)
    concern_at(cast, 3)  # never reviewed, long past due: late
    concern_at(cast, 0.1)  # not reviewed but not yet due: not judged
    concern_at(cast, 2, imported=True)
    outside = concern_at(cast, 40)
    review(cast, on_time, -2)
    review(cast, late, 3)
    review(cast, outside, -1)
    value, n = measures.concerns_reviewed_in_time(cast.org.pk, at(30), NOW)
    assert n == 3
    assert value == pytest.approx(100 / 3)


def test_recording_standards_met(cast):
    concern_at(cast, 5)
    concern_at(cast, 4)
    concern_at(cast, 3)
    # A standard the policy does not require is a prompt: left blank it is not a
    # failure on the concern, but the measure of recording practice counts it.
    blank = concern_at(cast, 2, persons_wishes="")
    assert blank.unmet_standards == [] and blank.prompts_left == ["wishes"]
    # Recorded under a policy that required it then (kept on the concern, for audits).
    required_then = concern_at(cast, 2)
    Concern.objects.filter(pk=required_then.pk).update(unmet_standards=["wishes"])
    concern_at(cast, 1, imported=True)
    Concern.objects.filter(imported=True).update(unmet_standards=["wishes"])  # not counted
    outside = concern_at(cast, 50)
    Concern.objects.filter(pk=outside.pk).update(unmet_standards=["wishes"])  # outside
    assert measures.recording_standards_met(cast.org.pk, at(30), NOW) == (60.0, 5)


def test_no_records_no_rate(cast):
    for measure in measures.MEASURES.values():
        assert measure.compute(cast.org.pk, at(30), NOW) == (None, 0), measure.code


def test_every_measure_says_which_way_is_better():
    assert measures.CHOICES == [(code, m.label) for code, m in measures.MEASURES.items()]
    for m in measures.MEASURES.values():
        assert (m.unit, m.better) in {("days", "lower"), ("%", "higher"), ("points", "higher")}


# Before and after


def lesson(cast, measure, changed_days, window_days=30):
    return Lesson.objects.create(
        organisation=cast.org,
        title="Alice Moore's referral",
        source=Lesson.Source.INTERNAL_REVIEW,
        what_happened="Too much was sent",
        failure_pattern=Lesson.Pattern.OVER_SHARING,
        measure=measure,
        changed_on=timezone.localdate(NOW) - timedelta(days=changed_days),
        window_days=window_days,
        recorded_by=cast.sarah,
    )


def test_before_and_after_a_change_that_worked(cast):
    change = lesson(cast, "referrals_within_minimum", changed_days=10)
    disclosure(cast, 25)
    disclosure(cast, 20, beyond=3)  # before: 1 of 2 within the minimum
    disclosure(cast, 45)  # more than 30 days before the change: outside
    disclosure(cast, 8)
    disclosure(cast, 5)
    disclosure(cast, 2)  # after: 3 of 3
    result = measures.before_after(change, now=NOW)
    assert result == {
        "measure": "referrals_within_minimum",
        "label": "Referrals sent with no more than the minimum",
        "unit": "%",
        "better": "higher",
        "before": 50.0,
        "after": 100.0,
        "n_before": 2,
        "n_after": 3,
        "change": 50.0,
        "improved": True,
        "after_complete": False,
    }
    later = measures.before_after(change, now=NOW + timedelta(days=25))
    assert later["after_complete"] is True


def test_improved_follows_which_way_is_better(cast):
    slower = lesson(cast, "days_alert_to_decision", changed_days=10)
    decide(cast, alert(cast, "test:before", 15), 14)  # 1 day, before
    decide(cast, alert(cast, "test:after", 6), 3)  # 3 days, after
    result = measures.before_after(slower, now=NOW)
    assert (result["before"], result["after"], result["change"]) == (1.0, 3.0, 2.0)
    assert result["improved"] is False  # lower is better

    fewer = lesson(cast, "referrals_within_minimum", changed_days=10)
    disclosure(cast, 20)
    disclosure(cast, 5, beyond=1)
    result = measures.before_after(fewer, now=NOW)
    assert (result["before"], result["after"], result["improved"]) == (100.0, 0.0, False)


def test_before_after_with_nothing_after_yet(cast):
    future = lesson(cast, "referrals_within_minimum", changed_days=-5)
    disclosure(cast, 3)
    result = measures.before_after(future, now=NOW)
    assert (result["before"], result["n_before"]) == (100.0, 1)
    assert (result["after"], result["n_after"], result["change"], result["improved"]) == (
        None,
        0,
        None,
        None,
    )
    gone = lesson(cast, "a_measure_since_removed", changed_days=5)
    result = measures.before_after(gone, now=NOW)
    assert result["label"] == "Measure no longer available"
    assert result["improved"] is None


def test_the_windows_are_either_side_of_midnight_on_the_day_of_the_change(cast, monkeypatch):
    seen = []
    fake = SimpleNamespace(
        code="x",
        label="X",
        unit="%",
        better="higher",
        compute=lambda o, s, e: seen.append((s, e)) or (None, 0),
    )
    monkeypatch.setitem(measures.MEASURES, "x", fake)
    change = lesson(cast, "x", changed_days=10, window_days=7)
    measures.before_after(change, now=NOW)
    midnight = measures.day_start(change.changed_on)
    assert seen == [
        (midnight - timedelta(days=7), midnight),
        (midnight, midnight + timedelta(days=7)),
    ]
