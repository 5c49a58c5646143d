"""The organisations step of `manage.py sweep` (found by patterns.sweep through hooks):
drafts kept when a session ran out are deleted after a day, given back or not."""

from sharewise.organisations.models import KeptDraft


def due(organisation_id, now) -> list[tuple[str, int]]:
    stale = KeptDraft.objects.filter(
        user__memberships__organisation_id=organisation_id, kept_at__lt=now - KeptDraft.KEPT_FOR
    )
    deleted, _ = KeptDraft.objects.filter(pk__in=list(stale.values_list("pk", flat=True))).delete()
    return [("kept draft(s) deleted after a day", deleted)]
