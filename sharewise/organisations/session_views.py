"""One's own API tokens and browser sessions: made, listed and ended by their owner
alone (another's is not found)."""

from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from sharewise.organisations import access, credentials, sessions, signin, stepup
from sharewise.organisations.forms import ApiTokenForm
from sharewise.organisations.models import token_limits


def _second_factor_needed(request):
    """Words saying why a token cannot be made yet, when the person proves who they are
    with a second factor and last did so longer ago than the policy's step-up minutes;
    None when they may."""
    if not stepup.uses_second_factor(request) or stepup.is_recent(request):
        return None
    return (
        "Confirm your second factor again before making a token: the last time was more "
        f"than {stepup.minutes(request.user)} minutes ago. Use Confirm it's you, then "
        "come back here."
    )


@login_required
def api_tokens(request):
    """Each person manages their own API tokens; the secret is shown only once. Making
    one needs the password again (and a recent second factor for those who have one),
    so a session left open is not enough to take a lasting key away."""
    secret = None
    limits = token_limits(request.user)
    form = ApiTokenForm(request.POST or None, limits=limits)
    step_up = _second_factor_needed(request)
    if request.method == "POST" and form.is_valid():
        checked = authenticate(
            request, username=request.user.username, password=form.cleaned_data["password"]
        )
        if checked is None or checked.pk != request.user.pk:
            form.add_error("password", "Your password is not right")
        elif step_up:
            form.add_error(None, step_up)
        else:
            token, secret = credentials.issue_token(
                request,
                form.cleaned_data["name"],
                form.cleaned_data["days"],
                stepup.confirmed_at(request),
                _confirmed_with(request),
            )
            form = ApiTokenForm(limits=limits)
    tokens = access.own_api_tokens(request.user)
    return render(
        request,
        "organisations/api_tokens.html",
        {
            "tokens": tokens,
            "secret": secret,
            "form": form,
            "now": timezone.now(),
            "step_up": step_up,
            "step_up_minutes": stepup.minutes(request.user),
        },
        status=400 if form.errors else 200,
    )


def _confirmed_with(request) -> str:
    via = request.session.get("second_factor_via")
    return f"password and {via}" if via else "password only: no second factor set up"


@login_required
@require_POST
def revoke_api_token(request, token_id):
    token = credentials.revoke_token(
        request, get_object_or_404(access.own_api_tokens(request.user), pk=token_id)
    )
    messages.success(request, f"Revoked {token.name}. Anything using it will stop working.")
    return redirect("api_tokens")


@login_required
@require_safe
def my_sessions(request):
    """Where you are signed in, so you can end a session you do not recognise."""
    current = request.session.session_key
    rows = list(sessions.open_sessions(request.user))
    for row in rows:
        row.browser = sessions.describe_browser(row.user_agent)
        row.is_current = row.session_key == current
    rows.sort(key=lambda row: not row.is_current)
    idle, absolute = sessions.limits_for(request.user)
    return render(
        request,
        "organisations/sessions.html",
        {"signed_in": rows, "idle_minutes": idle // 60, "absolute_hours": absolute // 3600},
    )


@login_required
@require_POST
def end_session(request, signed_in_id):
    """Sign out one of your other sessions. Someone else's is not found."""
    row = get_object_or_404(sessions.open_sessions(request.user), pk=signed_in_id)
    if row.session_key == request.session.session_key:
        messages.warning(request, "That is this session: use Sign out at the top instead.")
        return redirect("my_sessions")
    ended = sessions.end_sessions([row], "signed out from another session")
    signin.record_signed_out_elsewhere(request, ended, everywhere_else=False)
    messages.success(
        request, f"Signed out {sessions.describe_browser(row.user_agent)}. It must sign in again."
    )
    return redirect("my_sessions")


@login_required
@require_POST
def end_other_sessions(request):
    others = sessions.open_sessions(request.user).exclude(session_key=request.session.session_key)
    ended = sessions.end_sessions(list(others), "signed out everywhere else")
    signin.record_signed_out_elsewhere(request, ended, everywhere_else=True)
    if ended:
        messages.success(request, f"Signed out everywhere else ({ended} other sessions).")
    else:
        messages.info(request, "You were not signed in anywhere else.")
    return redirect("my_sessions")


@login_required
@require_POST
def still_here(request):
    """The idle warning's "Stay signed in": the middleware notes the activity."""
    return HttpResponse(status=204)
