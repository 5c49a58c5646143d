"""The audit's criteria about consent and sharing decisions: refusals without a view on
capacity or not reviewed as risk rose, decisions incomplete or contradicting one
another, and decisions not to share overdue for review."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from sharewise.concerns.models import Concern, ConcernPerson
from sharewise.governance.criteria_common import (
    MADE,
    REFUSALS,
    Failure,
    _count,
    _day,
    _days,
    _whole_days,
)
from sharewise.patterns.models import Alert, AlertEvent
from sharewise.people.models import CareNote
from sharewise.policy import store
from sharewise.policy.documents import Criterion
from sharewise.sharing import framework, standing
from sharewise.sharing.models import (
    NOT_SHARING,
    CapacityAssessment,
    ConsentCapacity,
    ConsentOutcome,
    ConsentRecord,
    Outcome,
    SharingDecision,
)

# Consent and sharing decisions -------------------------------------------------------


def refusal_without_capacity_view(
    org_id: int, start, end, criterion: Criterion, now
) -> list[Failure]:
    """A refusal where capacity was presumed though a recorded diagnosis gave reason to
    doubt it, or where an assessed capacity was claimed with no assessment behind it."""
    consents = list(
        ConsentRecord.objects.filter(
            organisation_id=org_id, outcome__in=REFUSALS, asked_at__gte=start, asked_at__lt=end
        )
        .values("id", "person_id", "asked_at", "outcome", "capacity", "capacity_assessment_id")
        .order_by("asked_at", "id")
    )
    presumed = [c for c in consents if c["capacity_assessment_id"] is None]
    doubt = set()
    words = [w for w in (w.strip() for w in criterion.words) if w]
    if presumed and words:
        match = Q()
        for word in words:
            match |= Q(text__icontains=word)
        doubt = set(
            CareNote.objects.filter(
                match,
                person_id__in={c["person_id"] for c in presumed},
                kind=CareNote.Kind.DIAGNOSIS,
            ).values_list("person_id", flat=True)
        )
    _, sharing = store.in_force(org_id, "sharing")
    current = timedelta(days=sharing.capacity_current_days)
    found = []
    for consent in consents:
        what = "withdrawn" if consent["outcome"] == ConsentOutcome.WITHDRAWN else "refused"
        said = f"Consent {what} {_day(consent['asked_at'])}"
        if consent["capacity_assessment_id"] is not None:
            continue
        if consent["capacity"] in (ConsentCapacity.HAS_CAPACITY, ConsentCapacity.LACKS_CAPACITY):
            label = ConsentCapacity(consent["capacity"]).label.lower()
            summary = f"{said}: recorded as '{label}' with no capacity assessment behind it."
        elif consent["person_id"] in doubt:
            # An assessment recorded separately, still current when asked, is a view.
            asked = consent["asked_at"]
            if CapacityAssessment.objects.filter(
                person_id=consent["person_id"],
                assessed_at__gte=asked - current,
                assessed_at__lte=asked + timedelta(days=1),
            ).exists():
                continue
            summary = (
                f"{said} with capacity presumed, though a recorded diagnosis gives reason "
                "to doubt capacity for this decision; no capacity assessment was recorded."
            )
        else:
            continue
        found.append(Failure("consent", consent["id"], summary, person_id=consent["person_id"]))
    return found


def _risk_rose(person_id: int, after) -> tuple:
    """(when risk first rose after a moment, concerns recorded since): the first new
    concern about the person, or alert raised or reopened about them."""
    concerns = Concern.objects.filter(
        pk__in=ConcernPerson.objects.filter(person_id=person_id).values("concern_id"),
        recorded_at__gt=after,
    )
    first_concern = concerns.order_by("recorded_at").values_list("recorded_at", flat=True).first()
    # Reviews of a decision or a concern are not new risk; their concerns already count.
    alerts = Alert.objects.filter(person_id=person_id).exclude(
        rule__in=("decision_review", "overdue_review")
    )
    first_alert = min(
        [
            *alerts.filter(raised_at__gt=after).values_list("raised_at", flat=True)[:1],
            *AlertEvent.objects.filter(
                alert__in=alerts, kind=AlertEvent.Kind.REOPENED, at__gt=after
            )
            .order_by("at")
            .values_list("at", flat=True)[:1],
        ],
        default=None,
    )
    rose = min([m for m in (first_concern, first_alert) if m is not None], default=None)
    return rose, concerns.count() if rose else 0


def refusal_not_reviewed(org_id: int, start, end, criterion: Criterion, now) -> list[Failure]:
    """A refusal (consent refused or withdrawn, or a decision not to share) after which
    risk rose, with no new sharing decision within the policy's days of it rising."""
    allowed = timedelta(days=criterion.days)
    refusals = [
        (
            "consent",
            pk,
            person_id,
            at,
            "Consent was withdrawn"
            if outcome == ConsentOutcome.WITHDRAWN
            else "Sharing was refused",
        )
        for pk, person_id, at, outcome in ConsentRecord.objects.filter(
            organisation_id=org_id, outcome__in=REFUSALS, asked_at__gte=start, asked_at__lt=end
        ).values_list("id", "person_id", "asked_at", "outcome")
    ] + [
        ("sharing_decision", pk, person_id, at, "A decision not to share was made")
        for pk, person_id, at in SharingDecision.objects.filter(
            organisation_id=org_id,
            outcome__in=NOT_SHARING,
            status=SharingDecision.Status.SIGNED,
            decided_at__gte=start,
            decided_at__lt=end,
        ).values_list("id", "person_id", "decided_at")
    ]
    refusals.sort(key=lambda r: (r[3], r[1]))
    found = []
    for record_type, pk, person_id, at, said in refusals:
        rose, new = _risk_rose(person_id, at)
        if rose is None:
            continue
        later = SharingDecision.objects.filter(
            person_id=person_id, status__in=MADE, decided_at__gt=at
        )
        if record_type == "sharing_decision":
            later = later.exclude(pk=pk)
        # A decision, or consent asked again, before risk rose replaced this refusal;
        # a later refusal is audited in its own right.
        if later.filter(decided_at__lt=rose).exists():
            continue
        if (
            record_type == "consent"
            and ConsentRecord.objects.filter(
                person_id=person_id, asked_at__gt=at, asked_at__lt=rose
            )
            .exclude(pk=pk)
            .exists()
        ):
            continue
        review = (
            later.filter(decided_at__gte=rose)
            .order_by("decided_at")
            .values_list("decided_at", flat=True)
            .first()
        )
        waited = (review or now) - rose
        if waited <= allowed:
            continue  # reviewed in time, or still within the time allowed
        summary = f"{said} on {_day(at)}; risk rose from {_day(rose)} ("
        summary += f"{_count(new, 'concern')} recorded since)" if new else "an alert was raised)"
        if review is None:
            summary += (
                f", and no sharing decision has been made in the {_days(_whole_days(waited))} "
                f"since; the policy allows {criterion.days}."
            )
        else:
            summary += (
                f", and the next sharing decision came after {_days(_whole_days(waited))}; "
                f"the policy allows {criterion.days}."
            )
        found.append(Failure(record_type, pk, summary, person_id=person_id))
    return found


_IDENTIFYING = (Outcome.SHARE_WITH_CONSENT, Outcome.SHARE_WITHOUT_CONSENT)


def decision_incomplete(org_id: int, start, end, criterion: Criterion, now) -> list[Failure]:
    """Signed decisions missing what makes them defensible (the lawful basis for an
    identifying share, the override ground, written reasons, whether the person was
    told and why not, the review date of a decision not to share), or resting on a
    lawful basis the sharing policy's table says does not fit the decision (recorded
    before such decisions were refused)."""
    sharing = ~Q(outcome__in=NOT_SHARING)
    identifying = Q(outcome__in=_IDENTIFYING)
    gaps = (
        (identifying & Q(article_6=""), "no UK GDPR Article 6 lawful basis"),
        (identifying & Q(article_9=""), "no Article 9 condition"),
        (
            identifying & Q(article_9="g", schedule_1=""),
            "no Schedule 1 condition for Article 9(2)(g)",
        ),
        (
            Q(outcome=Outcome.SHARE_WITHOUT_CONSENT, override_grounds=[]),
            "no ground for sharing without consent",
        ),
        (Q(necessity__regex=r"^\s*$"), "no written reasons"),
        (
            Q(departs=True, departure_rationale__regex=r"^\s*$"),
            "no reasons for departing from the recommendation",
        ),
        (sharing & Q(person_told=""), "not saying whether the person was told"),
        (
            sharing & Q(person_told="no", not_told_reason__regex=r"^\s*$"),
            "no reason for not telling the person",
        ),
        (Q(outcome__in=NOT_SHARING, review_date__isnull=True), "no review date"),
    )
    any_gap = Q()
    for condition, _ in gaps:
        any_gap |= condition
    decisions = SharingDecision.objects.filter(
        organisation_id=org_id,
        status=SharingDecision.Status.SIGNED,
        decided_at__gte=start,
        decided_at__lt=end,
    )
    failing = list(decisions.filter(any_gap).values_list("id", flat=True).order_by("decided_at"))
    missing = defaultdict(list)
    for condition, words in gaps:
        for pk in decisions.filter(condition, pk__in=failing).values_list("id", flat=True):
            missing[pk].append(words)
    for pk, words in _contradictions(org_id, decisions.filter(outcome__in=_IDENTIFYING)):
        missing[pk].append(words)
    failing = list(missing)
    if not failing:
        return []
    rows = SharingDecision.objects.filter(pk__in=failing).values_list(
        "id", "person_id", "decided_at", "outcome"
    )
    return [
        Failure(
            "sharing_decision",
            pk,
            f"Decision '{Outcome(outcome).label}' of {_day(decided_at)} was recorded with "
            + "; ".join(missing[pk])
            + ".",
            person_id=person_id,
        )
        for pk, person_id, decided_at, outcome in sorted(rows, key=lambda r: (r[2], r[0]))
    ]


def _contradictions(org_id: int, decisions):
    """(decision id, words) for each lawful basis that does not fit its decision."""
    _, policy = store.in_force(org_id, "sharing")
    rows = list(
        decisions.exclude(article_6="", article_9="", schedule_1="").values(
            "id",
            "outcome",
            "consent_outcome",
            "consent__outcome",
            "capacity",
            "not_sought_reason",
            "override_grounds",
            "answers",
            "facts",
            "article_6",
            "article_9",
            "schedule_1",
        )
    )
    # Records made before decisions kept their concerns' categories: read them.
    older = [r["id"] for r in rows if "categories" not in (r["facts"] or {})]
    categories = defaultdict(set)
    for pk, codes in SharingDecision.concerns.through.objects.filter(
        sharingdecision_id__in=older
    ).values_list("sharingdecision_id", "concern__categories"):
        categories[pk] |= set(codes or ())
    for r in rows:
        answers, facts = r["answers"] or {}, r["facts"] or {}
        grounds = set(r["override_grounds"] or ()) or set(answers.get("grounds") or ())
        choice = framework.Choice(
            outcome=r["outcome"],
            consent=r["consent_outcome"],
            consent_recorded=r["consent__outcome"] == ConsentOutcome.GIVEN,
            capacity=r["capacity"],
            not_sought_reason=r["not_sought_reason"],
            grounds=frozenset(grounds),
            at_risk=bool(facts.get("is_child"))
            or answers.get("at_risk", "unsure") != "no"
            or "child_at_risk" in grounds,
            categories=frozenset(facts.get("categories") or categories[r["id"]]),
            article_6=r["article_6"],
            article_9=r["article_9"],
            schedule_1=r["schedule_1"],
        )
        for name, problem in framework.basis_problems(choice, policy).items():
            code = getattr(choice, name)
            named = getattr(policy, name).get(code, code) if code else name
            yield r["id"], f"{named}, which does not fit it ({problem.split('. ', 1)[-1]})"


def decision_review_overdue(org_id: int, start, end, criterion: Criterion, now) -> list[Failure]:
    """Decisions not to share whose review fell due in the period (and has passed) while
    they stood, and that still stand, or were replaced late, past the policy's days.
    Whether and until when a decision stood is sharing.standing's answer."""
    today = timezone.localdate(now)
    grace = timedelta(days=criterion.days)
    first_day, last_day = timezone.localdate(start), timezone.localdate(end)
    due = list(
        SharingDecision.objects.filter(
            organisation_id=org_id,
            outcome__in=NOT_SHARING,
            status=SharingDecision.Status.SIGNED,
            review_date__gte=first_day,
            review_date__lt=min(last_day, today),
        )
        .values_list("id", "person_id", "decided_at", "review_date")
        .order_by("review_date", "id")
    )
    periods = _standing_periods({person_id for _, person_id, _, _ in due})
    found = []
    for pk, person_id, decided_at, review_date in due:
        if pk not in periods:
            continue  # replaced before it was ever countersigned: it never stood
        _, until = periods[pk]
        if until is None:
            if today - review_date <= grace:
                continue
            late = (today - review_date).days
            summary = (
                f"Decision not to share of {_day(decided_at)} was due for review on "
                f"{_day(review_date)}; no new decision has been made ({_days(late)} overdue)."
            )
        else:
            late = (timezone.localdate(until) - review_date).days
            if timedelta(days=late) <= grace:
                continue
            summary = (
                f"Decision not to share of {_day(decided_at)} was due for review on "
                f"{_day(review_date)}; the next decision came {_days(late)} late."
            )
        found.append(Failure("sharing_decision", pk, summary, person_id=person_id))
    return found


def _standing_periods(person_ids) -> dict:
    """{decision id: (stood from, until or None)} for these people's decisions."""
    by_person = defaultdict(list)
    for row in SharingDecision.objects.filter(person_id__in=person_ids).values_list(
        "person_id", "id", "decided_at", "outcome", "status", "countersigned_at", "review_date"
    ):
        by_person[row[0]].append(standing.Decision(*row[1:]))
    periods = {}
    for past in by_person.values():
        periods |= standing.stood(past)
    return periods
