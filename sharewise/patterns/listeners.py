"""Every concern written is judged at once, in the same transaction."""

from django.dispatch import receiver

from sharewise.concerns import signals
from sharewise.patterns import judging, operations


@receiver(signals.concern_recorded)
def judge_concern(sender, concern, at, person_ids=None, **kwargs):
    judging.evaluate_concerns(
        concern.organisation_id,
        [concern.pk],
        at=at,
        fresh=True,
        recording_version=concern.policy_version,  # already loaded by record()
        concern=concern,
        person_ids=person_ids,
    )


@receiver(signals.concern_amended)
def judge_amended_concern(sender, concern, at, **kwargs):
    judging.evaluate_concerns(concern.organisation_id, [concern.pk], at=at)


@receiver(signals.concern_reviewed)
def close_overdue_review(sender, concern, review, **kwargs):
    operations.settle_overdue_review(concern, review)


@receiver(signals.concerns_recorded_together)
def judge_concerns(sender, concern_ids, organisation_id, **kwargs):
    judging.evaluate_concerns(organisation_id, concern_ids, fresh=True)
