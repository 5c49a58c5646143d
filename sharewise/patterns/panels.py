"""The risk score and open alerts, shown on a person's page and chronology."""

from django.template.loader import render_to_string
from django.utils import timezone

from sharewise.concerns.models import Concern
from sharewise.patterns import scores
from sharewise.patterns.models import Alert
from sharewise.policy import store


def person_panel(request, person) -> str:
    ids = person.record_ids() if hasattr(person, "record_ids") else [person.pk]
    _, policy = store.in_force(person.organisation_id, "patterns")
    risk = scores.risk_seen_by(request.user, person)
    score = round(risk.score, 1) if risk else 0.0
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
    for risk in scores.risk_scores_seen_by(request.user, people, now).values():
        if risk.level is None:
            continue
        score = round(risk.score, 1)
        if score >= 1:
            threshold = policy.risk_score.threshold
            badges[risk.person_id] = render_to_string(
                "patterns/risk_badge.html",
                {"score": score, "over": score >= threshold, "near": score >= threshold / 2},
            )
    return badges


def trail_unseen(request):
    """Entries about a concern naming the reader as the alleged source, or made because
    of one (an alert raised or reopened by it): their record's history must not tell
    them of it. A test of an entry, or None when nothing is hidden."""
    hidden = set(Concern.objects.filter(source_staff=request.user).values_list("pk", flat=True))
    if not hidden:
        return None
    named = {str(pk) for pk in hidden}

    def unseen(entry) -> bool:
        if entry.object_type == "concern":
            return entry.object_id in named
        ids = (entry.detail or {}).get("concern_ids") or ()
        return entry.object_type == "alert" and any(i in hidden for i in ids)

    return unseen
