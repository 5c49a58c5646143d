"""One's own API tokens: listed and revoked by their owner (another's is not found).
Making one needs the password and a recent second factor in a browser."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from sharewise.organisations import access, credentials
from sharewise.organisations.models import ApiToken

router = Router(tags=["API tokens"])


class TokenOut(Schema):
    id: int
    name: str
    hint: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


def _token_out(t: ApiToken) -> TokenOut:
    return TokenOut(
        id=t.pk,
        name=t.name,
        hint=t.hint,
        created_at=t.created_at,
        expires_at=t.expires_at,
        last_used_at=t.last_used_at,
        revoked_at=t.revoked_at,
    )


@router.get("/api-tokens", response=list[TokenOut], summary="Your own API tokens")
def api_tokens(request):
    return [_token_out(t) for t in access.own_api_tokens(request.user)]


@router.delete(
    "/api-tokens/{token_id}",
    response={204: None},
    summary="Revoke one of your own API tokens: anything using it stops working",
)
def revoke_api_token(request, token_id: int):
    token = get_object_or_404(access.own_api_tokens(request.user), pk=token_id)
    credentials.revoke_token(request, token)
    return Status(204, None)
