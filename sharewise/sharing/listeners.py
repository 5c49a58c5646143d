"""New concerns about someone whose standing decision is not to share bring that
decision back at once (the seed's Example 1: the refusal must not be the end)."""

from django.dispatch import receiver

from sharewise.concerns import signals
from sharewise.concerns.models import ConcernPerson
from sharewise.patterns import signals as alert_signals
from sharewise.sharing import decisions


@receiver(signals.concern_recorded)
def review_refusal(sender, concern, at, person_ids=None, **kwargs):
    if person_ids is None:
        person_ids = list(
            ConcernPerson.objects.filter(concern=concern).values_list("person_id", flat=True)
        )
    decisions.concerns_after_refusal([concern.pk], person_ids, concern.organisation_id, at)


@receiver(signals.concerns_recorded_together)
def review_refusals(sender, concern_ids, organisation_id, **kwargs):
    links = ConcernPerson.objects.filter(concern_id__in=concern_ids)
    by_person: dict[int, list[int]] = {}
    for concern_id, person_id in links.values_list("concern_id", "person_id"):
        by_person.setdefault(person_id, []).append(concern_id)
    for person_id, ids in by_person.items():
        decisions.concerns_after_refusal(ids, [person_id], organisation_id)


@receiver(alert_signals.alert_decided)
def review_refusal_settled(sender, alert, decision, **kwargs):
    decisions.review_settled(alert, decision)
