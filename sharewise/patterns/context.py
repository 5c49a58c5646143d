from sharewise.patterns.models import Notification


def navigation(request):
    """The header's Oversight link and unread notification count."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "see_oversight": user.has_perm("patterns.see_oversight"),
        "unread_notifications": Notification.objects.filter(
            recipient=user, read_at__isnull=True
        ).count(),
    }
