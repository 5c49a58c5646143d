"""Before-and-after measures for the learning log: did the change a lesson led to make
a difference? Each measure is one number for a window of time, worked out in the
database (an organisation may hold a million concerns), with how many records it rests
on, so a number drawn from a handful of records can be held back."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
)
from django.utils import timezone

from sharewise.concerns.models import Concern
from sharewise.days import day_start
from sharewise.disclosures.models import Disclosure
from sharewise.patterns.models import Alert, AlertConcern, AlertDecision
from sharewise.policy import store
from sharewise.sharing.models import ConsentOutcome, ConsentRecord, SharingDecision
from sharewise.training import figures as training_figures

DAY = 86400.0


def median(values) -> float | None:
    """The middle value (the mean of the two middle ones for an even count); None
    when there are no values."""
    values = list(values)
    if not values:
        return None
    return float(statistics.median(values))


def share(part, whole) -> float | None:
    """part as a percentage of whole; None when whole is nothing (no rate to give)."""
    if not whole or whole <= 0:
        return None
    return 100.0 * part / whole


@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    unit: str  # "days", "%" or "points"
    better: str  # "lower" or "higher"
    compute: Callable[..., tuple[float | None, int]]
    # Measures of records each made by one member of staff can be split into those
    # made by staff who did the training assigned from a lesson and those who did not.
    staff_field: str = ""
    needs_lesson: bool = False


def _first_decisions(organisation_id: int, start: datetime, end: datetime):
    """Alerts whose first decision falls in [start, end), with that moment."""
    first = AlertDecision.objects.filter(alert=OuterRef("pk")).order_by("decided_at", "id")
    return (
        Alert.objects.filter(organisation_id=organisation_id)
        .annotate(first_decided=Subquery(first.values("decided_at")[:1]))
        .filter(first_decided__gte=start, first_decided__lt=end)
    )


def days_between(later: datetime, earlier: datetime) -> float:
    return max((later - earlier).total_seconds(), 0.0) / DAY


def days_to_escalation_decision(organisation_id, start, end):
    # From when the first of the alert's concerns was recorded: what staff knew,
    # not when the harm happened (a historic concern can be years old).
    earliest = AlertConcern.objects.filter(alert=OuterRef("pk")).order_by("concern__recorded_at")
    rows = (
        _first_decisions(organisation_id, start, end)
        .annotate(first_concern=Subquery(earliest.values("concern__recorded_at")[:1]))
        .exclude(first_concern=None)
        .values_list("first_decided", "first_concern")
    )
    days = [days_between(decided, known) for decided, known in rows]
    return median(days), len(days)


def days_alert_to_decision(organisation_id, start, end):
    rows = _first_decisions(organisation_id, start, end).values_list("first_decided", "raised_at")
    days = [days_between(decided, raised) for decided, raised in rows]
    return median(days), len(days)


def _rate(queryset, met: Q) -> tuple[float | None, int]:
    counts = queryset.order_by().aggregate(n=Count("pk"), met=Count("pk", filter=met))
    return share(counts["met"], counts["n"]), counts["n"]


def _by(staff: Q | None) -> Q:
    return staff if staff is not None else Q()


def refusals_reviewed(organisation_id, start, end, staff=None):
    # Measured from when the person refused (asked_at), not when it was typed in.
    _, policy = store.in_force(organisation_id, "sharing")
    deadline = ExpressionWrapper(
        OuterRef("asked_at") + timedelta(days=policy.review_days), output_field=DateTimeField()
    )
    followed = SharingDecision.objects.filter(
        person_id=OuterRef("person_id"),
        decided_at__gte=OuterRef("asked_at"),
        decided_at__lte=deadline,
    ).exclude(status=SharingDecision.Status.DECLINED)
    refusals = (
        ConsentRecord.objects.filter(
            organisation_id=organisation_id,
            outcome__in=(ConsentOutcome.REFUSED, ConsentOutcome.WITHDRAWN),
            asked_at__gte=start,
            asked_at__lt=end,
        )
        .filter(_by(staff))
        .annotate(followed=Exists(followed))
    )
    return _rate(refusals, Q(followed=True))


def referrals_within_minimum(organisation_id, start, end, staff=None):
    # Only referrals have a minimum: what was told is free text, a subject access
    # response the person's own.
    sent = Disclosure.objects.filter(
        organisation_id=organisation_id,
        kind=Disclosure.Kind.REFERRAL,
        sent_at__gte=start,
        sent_at__lt=end,
    ).filter(_by(staff))
    return _rate(sent, Q(beyond_minimum=0))


def _recorded(organisation_id, start, end):
    # Imported concerns carry the import's date as recorded_at, and were written in
    # another system: they say nothing about practice in the window.
    return Concern.objects.filter(
        organisation_id=organisation_id,
        recorded_at__gte=start,
        recorded_at__lt=end,
        imported=False,
    )


def concerns_reviewed_in_time(organisation_id, start, end):
    # A concern not reviewed and not yet due cannot be judged either way.
    reviewed = Q(review__isnull=False)
    judged = _recorded(organisation_id, start, end).filter(
        reviewed | Q(review_due_at__lte=timezone.now())
    )
    return _rate(judged, Q(review__reviewed_at__lte=F("review_due_at")))


def recording_standards_met(organisation_id, start, end, staff=None):
    # Required standards cannot be left unmet on the form, so the measure of practice
    # is whether the prompts that applied were answered too.
    return _rate(
        _recorded(organisation_id, start, end).filter(_by(staff)),
        Q(unmet_standards=[], prompts_left=[]),
    )


def practice_scores(organisation_id, start, end, lesson=None):
    """Mean score of practice attempts at the cases of the lesson's failure pattern."""
    codes = training_figures.cases_of_pattern(lesson.failure_pattern) if lesson else []
    mean, n = training_figures.mean_score(organisation_id, codes, start, end)
    return (None if mean is None else float(mean)), n


MEASURES: dict[str, Measure] = {
    m.code: m
    for m in (
        Measure(
            "days_to_escalation_decision",
            "Days from the first concern to a decision on the alert",
            "days",
            "lower",
            days_to_escalation_decision,
        ),
        Measure(
            "days_alert_to_decision",
            "Days from an alert being raised to its decision",
            "days",
            "lower",
            days_alert_to_decision,
        ),
        Measure(
            "refusals_reviewed",
            "Refusals of consent followed by a sharing decision in time",
            "%",
            "higher",
            refusals_reviewed,
            staff_field="recorded_by",
        ),
        Measure(
            "referrals_within_minimum",
            "Referrals sent with no more than the minimum",
            "%",
            "higher",
            referrals_within_minimum,
            staff_field="sent_by",
        ),
        Measure(
            "concerns_reviewed_in_time",
            "Concerns reviewed in time",
            "%",
            "higher",
            concerns_reviewed_in_time,
        ),
        Measure(
            "recording_standards_met",
            "Concerns meeting every recording standard",
            "%",
            "higher",
            recording_standards_met,
            staff_field="recorded_by",
        ),
        Measure(
            "practice_scores",
            "Mean practice score on cases of the lesson's failure pattern",
            "points",
            "higher",
            practice_scores,
            needs_lesson=True,
        ),
    )
}

CHOICES = [(code, m.label) for code, m in MEASURES.items()]


def _rounded(value):
    return None if value is None else round(value, 1)


def before_after(lesson, now: datetime | None = None) -> dict:
    """The lesson's measure over window_days before the change and the same span after
    it (the after window cut short at now while it is still running)."""
    now = now or timezone.now()
    measure = MEASURES.get(lesson.measure)
    changed = day_start(lesson.changed_on)
    span = timedelta(days=lesson.window_days)
    after_end = changed + span
    result = {
        "measure": lesson.measure,
        "label": measure.label if measure else "Measure no longer available",
        "unit": measure.unit if measure else "",
        "better": measure.better if measure else "",
        "before": None,
        "after": None,
        "n_before": 0,
        "n_after": 0,
        "change": None,
        "improved": None,
        "after_complete": now >= after_end,
    }
    if measure is None:
        return result
    extra = (lesson,) if getattr(measure, "needs_lesson", False) else ()
    org = lesson.organisation_id
    before, n_before = measure.compute(org, changed - span, min(changed, now), *extra)
    after, n_after = (None, 0)
    if now > changed:
        after, n_after = measure.compute(org, changed, min(after_end, now), *extra)
    before, after = _rounded(before), _rounded(after)
    result |= {"before": before, "after": after, "n_before": n_before, "n_after": n_after}
    if before is not None and after is not None:
        change = round(after - before, 1)
        result["change"] = change
        result["improved"] = change < 0 if measure.better == "lower" else change > 0
    return result


def trained_against_untrained(lesson, trained_ids, now: datetime | None = None) -> dict | None:
    """The lesson's measure after the change, for records made by staff who did the
    training assigned from the lesson against those made by everyone else. None when
    the measure cannot be split by who made the record."""
    now = now or timezone.now()
    measure = MEASURES.get(lesson.measure)
    if measure is None or not measure.staff_field:
        return None
    changed = day_start(lesson.changed_on)
    end = min(changed + timedelta(days=lesson.window_days), now)
    if end <= changed:
        return None
    done = Q(**{f"{measure.staff_field}__in": sorted(trained_ids)})
    trained, n_trained = measure.compute(lesson.organisation_id, changed, end, staff=done)
    others, n_others = measure.compute(lesson.organisation_id, changed, end, staff=~done)
    return {
        "label": measure.label,
        "unit": measure.unit,
        "trained": _rounded(trained),
        "n_trained": n_trained,
        "untrained": _rounded(others),
        "n_untrained": n_others,
    }
