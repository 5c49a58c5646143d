"""Waiting for a second person: roles with case access and single sign-on links, which
a safeguarding lead or the data protection officer approves or declines. Thin: reads
come from access.py, decisions from roles.py, which the API calls too."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from sharewise.organisations import access, roles
from sharewise.organisations.forms import DeclineRoleForm


@login_required
@require_safe
def role_requests(request):
    """Roles with case access waiting for a safeguarding lead or the data protection
    officer: approve or decline."""
    waiting = list(access.role_requests_waiting_for(request.user))
    for asked in waiting:
        asked.refusal = roles.may_decide(request.user, asked)
    links = list(access.identity_links_waiting_for(request.user))
    for link in links:
        link.refusal = roles.may_decide_link(request.user, link)
    return render(
        request,
        "organisations/role_requests.html",
        {"nav": "role_requests", "waiting": waiting, "links": links, "form": DeclineRoleForm()},
    )


def _decide(request, decide, *args, done: str):
    """Approve or decline something waiting for approval, saying what happened or why
    not, and go back to the list."""
    try:
        decide(request, *args)
    except (PermissionDenied, ValidationError) as refused:
        messages.error(request, _words(refused))
    else:
        messages.success(request, done)
    return redirect("role_requests")


def _words(refused) -> str:
    if isinstance(refused, ValidationError):
        return refused.messages[0]
    return str(refused) or "Your role does not allow this."


def _reason(request) -> str:
    form = DeclineRoleForm(request.POST)
    form.is_valid()
    return form.cleaned_data.get("reason", "")


@login_required
@require_POST
def approve_identity_link(request, link_id):
    link = access.get_identity_link_for(request.user, link_id)
    return _decide(
        request,
        roles.approve_identity_link,
        link,
        done=f"Approved: {link.user.get_full_name()} can sign in with their organisation's account.",
    )


@login_required
@require_POST
def decline_identity_link(request, link_id):
    link = access.get_identity_link_for(request.user, link_id)
    return _decide(
        request,
        roles.decline_identity_link,
        link,
        _reason(request),
        done=f"Declined: the link for {link.user.get_full_name()} is removed.",
    )


@login_required
@require_POST
def approve_role_request(request, request_id):
    asked = access.get_role_request_for(request.user, request_id)
    return _decide(
        request,
        roles.approve_role_request,
        asked,
        done=f"Approved: {asked.user.get_full_name()} is now "
        f"{asked.get_role_display().lower()} ({asked.scope_label}).",
    )


@login_required
@require_POST
def decline_role_request(request, request_id):
    asked = access.get_role_request_for(request.user, request_id)
    return _decide(
        request,
        roles.decline_role_request,
        asked,
        _reason(request),
        done=f"Declined: {asked.user.get_full_name()} does not become "
        f"{asked.get_role_display().lower()}.",
    )
