"""The risk score and open alerts, shown on a person's page and chronology."""

from django.template.loader import render_to_string
from django.utils import timezone

from sharewise.patterns.models import Alert, RiskScore
from sharewise.policy import store


def person_panel(request, person) -> str:
    ids = person.record_ids() if hasattr(person, "record_ids") else [person.pk]
    _, policy = store.in_force(person.organisation_id, "patterns")
    risk = RiskScore.objects.filter(person_id__in=ids).first()
    score = round(risk.now(), 1) if risk else 0.0
    alerts = list(
        Alert.objects.visible_to(request.user)
        .needing_decision()
        .filter(person_id__in=ids)
        .order_by("waiting_since")
    )
    return render_to_string(
        "patterns/person_panel.html",
        {
            "person": person,
            "score": score,
            "over": score >= policy.risk_score.threshold,
            "threshold": policy.risk_score.threshold,
            "alerts": alerts,
            "now": timezone.now(),
        },
        request=request,
    )


def person_badges(request, people) -> dict:
    """The risk score beside each person in a list, when it amounts to at least one
    low-level concern (below that it fades into noise in a long list)."""
    people = list(people)
    if not people:
        return {}
    _, policy = store.in_force(people[0].organisation_id, "patterns")
    now = timezone.now()
    badges = {}
    for risk in RiskScore.objects.filter(person__in=people, level__isnull=False):
        score = round(risk.now(now), 1)
        if score >= 1:
            threshold = policy.risk_score.threshold
            badges[risk.person_id] = render_to_string(
                "patterns/risk_badge.html",
                {"score": score, "over": score >= threshold, "near": score >= threshold / 2},
            )
    return badges
