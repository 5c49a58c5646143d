"""Notifications asked for by the apps below this one (organisations.changes), which
cannot import it: found through organisations.extensions.hooks."""

from sharewise.patterns.models import Notification


def notify(user_ids, message: str, link: str = "") -> None:
    Notification.objects.bulk_create(
        Notification(recipient_id=user_id, message=message, link=link)
        for user_id in sorted(user_ids)
    )
