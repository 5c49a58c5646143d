"""Every concern written is judged at once, in the same transaction."""

from django.dispatch import receiver

from sharewise.concerns import signals
from sharewise.patterns import alerts


@receiver(signals.concern_recorded)
def judge_concern(sender, concern, at, **kwargs):
    alerts.evaluate_concerns(
        concern.organisation_id,
        [concern.pk],
        at=at,
        fresh=True,
        recording_version=concern.policy_version,  # already loaded by record()
    )


@receiver(signals.concern_amended)
def judge_amended_concern(sender, concern, at, **kwargs):
    alerts.evaluate_concerns(concern.organisation_id, [concern.pk], at=at)


@receiver(signals.concerns_recorded_together)
def judge_concerns(sender, concern_ids, organisation_id, **kwargs):
    alerts.evaluate_concerns(organisation_id, concern_ids, fresh=True)
