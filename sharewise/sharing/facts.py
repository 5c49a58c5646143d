"""What Sharewise already knows about a person when a sharing decision is made: the
framework's facts (from concerns, alerts, scores, consent and capacity on record), and
the framework's recommendation for a set of answers."""

import math
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from sharewise.concerns.models import Concern, ConcernPerson
from sharewise.patterns import scores
from sharewise.patterns.models import Alert, AlertConcern
from sharewise.people.models import age_on
from sharewise.policy import store
from sharewise.sharing import framework, proposals
from sharewise.sharing.models import (
    CapacityAssessment,
    ConsentOutcome,
    ConsentRecord,
    SharingDecision,
)


def current_assessment(person, policy, at=None) -> CapacityAssessment | None:
    """The latest capacity assessment about sharing, while it still counts."""
    at = at or timezone.now()
    since = at - timedelta(days=policy.capacity_current_days)
    return (
        CapacityAssessment.objects.filter(person=person, assessed_at__gte=since)
        .order_by("-assessed_at", "-id")
        .first()
    )


def facts_for(person, concern_ids=(), at=None, viewer=None):
    """(framework.Facts, capacity assessment used or None) for this person now. Concerns
    and alerts naming the viewer as the alleged source are left out, so nobody learns
    of an allegation against them from the framework."""
    at = at or timezone.now()
    org = person.organisation_id
    _, policy = store.in_force(org, "sharing")
    _, patterns = store.in_force(org, "patterns")
    _, appropriate = store.in_force(org, "appropriate_policy")
    _, recording_policy = store.in_force(org, "recording")
    ids = person.record_ids()
    assessment = current_assessment(person, policy, at)
    concerns = Concern.objects.filter(
        pk__in=ConcernPerson.objects.filter(person_id__in=ids).values("concern_id")
    )
    alerts = Alert.objects.needing_decision()
    if viewer is not None:
        concerns = concerns.exclude(source_staff=viewer)
        alerts = alerts.exclude(source_staff=viewer).exclude(
            pk__in=AlertConcern.objects.filter(concern__source_staff=viewer).values("alert_id")
        )
    record = proposals.read(
        concerns,
        alerts,
        chosen=concern_ids,
        at=at,
        sharing=policy,
        recording=recording_policy,
    )
    consent = (
        ConsentRecord.objects.filter(person_id__in=ids)
        .order_by("-asked_at", "-id")
        .values_list("outcome", flat=True)
        .first()
    )
    facts = framework.Facts(
        is_child=age_on(person.date_of_birth, timezone.localdate(at)) < 18,
        assessed_capacity=assessment.conclusion if assessment else "",
        best_interests=assessment.best_interests
        if assessment and assessment.lacks_capacity
        else "",
        open_alerts=alerts.filter(person_id__in=ids).count(),
        # As the viewer may see it, and down to one decimal, so a score shown as 5.9 is
        # never judged "at" 6.
        risk_score=math.floor(scores.risk_score_seen_by(person, viewer, at) * 10) / 10,
        risk_threshold=patterns.risk_score.threshold,
        staff_implicated=record.staff_implicated,
        appropriate_policy_adopted=appropriate.adopted,
        standing=SharingDecision.objects.filter(person_id__in=ids, standing=True)
        .values_list("outcome", flat=True)
        .first()
        or "",
        consent_recorded=consent == ConsentOutcome.GIVEN,
        categories=record.categories,
        proposals=record.proposals,
        cues=record.cues,
    )
    return facts, assessment


def answers_from(data: dict) -> framework.Answers:
    """The framework's answers from a draft or API body (missing answers: defaults)."""
    known = framework.Answers.__dataclass_fields__
    values = {k: v for k, v in data.items() if k in known and v is not None}
    for key, value in values.items():
        if key in ("grounds", "accepted"):
            values[key] = frozenset(value)
        elif key == "rebuttals":
            values[key] = {str(k): str(v) for k, v in dict(value).items()}
        else:
            values[key] = str(value)
    return framework.Answers(**values)


def assess(person, data: dict, concern_ids=(), viewer=None):
    """(recommendation, facts, policy version) for these answers; records nothing.
    Raises ValidationError for answers outside the allowed values."""
    version, policy = store.in_force(person.organisation_id, "sharing")
    answers = answers_from(data)
    if found := framework.problems(answers, policy):
        raise ValidationError({k: [v] for k, v in found.items()})
    facts, _ = facts_for(person, concern_ids, viewer=viewer)
    return framework.recommend(answers, facts, policy), facts, version
