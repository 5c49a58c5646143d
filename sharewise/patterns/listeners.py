"""Every concern written is judged at once, in the same transaction."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from sharewise.concerns import signals
from sharewise.organisations.models import Service, Team
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


for model in (Team, Service):
    post_save.connect(judging.forget_team_names, sender=model, dispatch_uid=f"names-{model}")
    post_delete.connect(judging.forget_team_names, sender=model, dispatch_uid=f"gone-{model}")
