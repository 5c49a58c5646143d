"""The risk score and open alerts, shown on a person's page and chronology."""

from django.template.loader import render_to_string
from django.utils import timezone

from sharewise.concerns.models import Concern
from sharewise.patterns import scores
from sharewise.patterns.models import Alert
from sharewise.policy import store


def person_panel(request, person) -> str:
    ids = person.record_ids()
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


def trail_unseen(request, entries) -> set[int]:
    """Ids of those trail entries the reader may not see on a person's record: about an
    alert they may not see (an alert raised at a service because of a concern naming
    them tells of it on every record it touches), or about a concern naming them as
    the alleged source."""
    alerts = {e.object_id for e in entries if e.object_type == "alert"}
    concerns = {e.object_id for e in entries if e.object_type == "concern"}
    seen = {
        str(pk)
        for pk in Alert.objects.visible_to(request.user)
        .filter(pk__in=[int(a) for a in alerts if a.isdigit()])
        .values_list("pk", flat=True)
    }
    named = {
        str(pk)
        for pk in Concern.objects.filter(
            pk__in=[int(c) for c in concerns if c.isdigit()], source_staff=request.user
        ).values_list("pk", flat=True)
    }
    return {
        e.pk
        for e in entries
        if (e.object_type == "alert" and e.object_id not in seen)
        or (e.object_type == "concern" and e.object_id in named)
    }
