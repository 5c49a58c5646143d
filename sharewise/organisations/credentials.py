"""One's own API tokens: made (in a browser, after proving who you are) and revoked by
their owner alone, each written to the trail. The pages and the API both call these."""

from django.db import transaction

from sharewise.audittrail import trail
from sharewise.organisations.access import scope_for
from sharewise.organisations.models import ApiToken


@transaction.atomic
def issue_token(request, name: str, days: int, confirmed_at, confirmed_with: str):
    """A new token of the signed-in person; returns (token, its secret, shown once)."""
    token, secret = ApiToken.issue(request.user, name[:100], days=days, confirmed_at=confirmed_at)
    trail.record_request(
        request,
        "created API token",
        object_type="api token",
        object_id=token.pk,
        organisation_id=scope_for(request.user).organisation_id,
        detail={
            "token": token.hint,
            "expires": token.expires_at.isoformat(),
            "confirmed with": confirmed_with,
        },
    )
    return token, secret


@transaction.atomic
def revoke_token(request, token: ApiToken) -> ApiToken:
    """Revoke one of one's own tokens (access.own_api_tokens finds it)."""
    token.revoke()
    trail.record_request(
        request,
        "revoked API token",
        object_type="api token",
        object_id=token.pk,
        organisation_id=scope_for(request.user).organisation_id,
        detail={"token": token.hint},
    )
    return token
