"""What every change to the organisation does besides the change: a trail entry, and a
notice to whoever must act on it."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from sharewise.audittrail import trail
from sharewise.organisations.extensions import hooks


def record(request, action, obj, organisation_id, **detail):
    trail.record_request(
        request,
        action,
        object_type=obj._meta.model_name,
        object_id=obj.pk,
        organisation_id=organisation_id,
        detail=detail,
    )


def tell(user_ids, message):
    """Through the notices hook of a later app (patterns keeps notifications)."""
    user_ids = set(
        get_user_model()
        .objects.filter(pk__in=user_ids, is_active=True)
        .values_list("pk", flat=True)
    )
    if not user_ids:
        return
    for notify in hooks("notices", "notify"):
        notify(user_ids, message, reverse("role_requests"))
