from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from sharewise.audittrail import trail
from sharewise.organisations import (
    changes,
    second_factor,
    sessions,
    signin,
    single_sign_on,
    stepup,
)
from sharewise.organisations.access import scope_for
from sharewise.organisations.forms import (
    ApiTokenForm,
    DeclineRoleForm,
    MembershipForm,
    SecondFactorResetForm,
    ServiceForm,
    SingleSignOnIdentityForm,
    StaffDetailsForm,
    StaffForm,
    TeamForm,
    TemporaryPasswordForm,
)
from sharewise.organisations.models import (
    ApiToken,
    Membership,
    Organisation,
    RoleRequest,
    Service,
    Team,
    TemporaryPassword,
    token_limits,
)


def _administered_organisation(request) -> Organisation:
    if not request.user.has_perm("organisations.manage_organisation"):
        raise PermissionDenied
    return get_object_or_404(Organisation, pk=min(scope_for(request.user).admin_org_ids))


@login_required
def home(request):
    if scope_for(request.user).team_ids or scope_for(request.user).case_wide_org_ids:
        return redirect("my_people")
    if request.user.has_perm("organisations.manage_organisation"):
        return redirect("organisation")
    return redirect("my_people")


@login_required
def organisation(request):
    org = _administered_organisation(request)
    services = Service.objects.filter(organisation=org).prefetch_related(
        Prefetch(
            "teams",
            queryset=Team.objects.annotate(
                people=Count("enrolments", filter=Q(enrolments__end_date__isnull=True))
            ),
        )
    )
    return render(
        request,
        "organisations/organisation.html",
        {"nav": "organisation", "org": org, "services": services},
    )


@login_required
def edit_service(request, service_id=None):
    org = _administered_organisation(request)
    service = get_object_or_404(Service, pk=service_id, organisation=org) if service_id else None
    form = ServiceForm(request.POST or None, instance=service, organisation=org)
    if request.method == "POST" and form.is_valid():
        service = changes.save_service(request, form)
        messages.success(request, f"Saved {service.name}.")
        return redirect("organisation")
    return render(
        request,
        "organisations/form.html",
        {
            "nav": "organisation",
            "form": form,
            "title": f"Change {service.name}" if service else "Add a service",
            "button": "Save service",
            "back": "organisation",
        },
    )


@login_required
def edit_team(request, team_id=None):
    org = _administered_organisation(request)
    team = get_object_or_404(Team, pk=team_id, service__organisation=org) if team_id else None
    initial = {"service": request.GET.get("service")} if not team else None
    form = TeamForm(request.POST or None, instance=team, organisation=org, initial=initial)
    if request.method == "POST" and form.is_valid():
        team = changes.save_team(request, form, org.pk)
        messages.success(request, f"Saved {team.name}.")
        return redirect("organisation")
    return render(
        request,
        "organisations/form.html",
        {
            "nav": "organisation",
            "form": form,
            "title": f"Change {team.name}" if team else "Add a team",
            "button": "Save team",
            "back": "organisation",
        },
    )


def _staff_of(org):
    return (
        get_user_model()
        # Someone whose first role still waits for approval is staff already.
        .objects.filter(Q(memberships__organisation=org) | Q(role_requests__organisation=org))
        .distinct()
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related(
                    "team__service", "service", "organisation"
                ),
            ),
            Prefetch(
                "role_requests",
                queryset=RoleRequest.objects.filter(
                    organisation=org, status=RoleRequest.Status.PENDING
                ).select_related("team__service", "service", "organisation"),
                to_attr="waiting",
            ),
        )
        .order_by("last_name", "first_name")
    )


@login_required
def staff_list(request):
    org = _administered_organisation(request)
    return render(
        request,
        "organisations/staff_list.html",
        {"nav": "staff", "org": org, "staff": _staff_of(org)},
    )


@login_required
def add_staff(request):
    org = _administered_organisation(request)
    form = StaffForm(request.POST or None, prefix="staff")
    role = MembershipForm(request.POST or None, organisation=org, prefix="role")
    if request.method == "POST" and form.is_valid() & role.is_valid():
        with transaction.atomic():
            user = changes.save_staff(request, form, org.pk)
            TemporaryPassword.objects.create(user=user, set_by=request.user)
            given = changes.grant_role(request, role.membership_for(user))
        messages.success(request, f"Added {user.get_full_name()}. {_granted(given)}")
        return redirect("staff_member", user_id=user.pk)
    return render(
        request, "organisations/add_staff.html", {"nav": "staff", "form": form, "role_form": role}
    )


@login_required
def staff_member(request, user_id):
    org = _administered_organisation(request)
    member = get_object_or_404(_staff_of(org), pk=user_id)
    details = StaffDetailsForm(request.POST or None, instance=member, prefix="details")
    role = MembershipForm(organisation=org, prefix="role")
    if request.method == "POST":
        if member == request.user and not request.POST.get("details-is_active"):
            details.add_error("is_active", "You cannot stop yourself signing in")
        if details.is_valid():
            changes.save_staff(request, details, org.pk)
            messages.success(request, f"Saved {member.get_full_name()}.")
            return redirect("staff_member", user_id=member.pk)
    return _staff_page(request, member, form=details, role_form=role)


def _staff_page(request, member, status=200, **forms):
    """The staff member's page, with whichever of its forms failed."""
    return render(
        request,
        "organisations/staff_member.html",
        {
            "nav": "staff",
            "member": member,
            "form": forms.get("form") or StaffDetailsForm(instance=member, prefix="details"),
            "role_form": forms.get("role_form")
            or MembershipForm(organisation=forms.get("org") or _org_of(request), prefix="role"),
            "reset_form": forms.get("reset_form") or SecondFactorResetForm(prefix="reset"),
            "password_form": forms.get("password_form")
            or TemporaryPasswordForm(member=member, prefix="password"),
            **_roles_of(member, forms.get("org") or _org_of(request)),
            **_single_sign_on_section(member, forms.get("sso_form")),
            "apps": second_factor.authenticator_apps(member).count(),
            "passkeys": second_factor.passkeys(member).count(),
            "recovery_left": second_factor.unused_recovery_codes(member),
            "needs_factor": second_factor.required(member),
            "temporary_password": TemporaryPassword.objects.filter(user=member).exists(),
            "locked_from": list(signin.locked_pairs(member.username)),
        },
        status=status,
    )


def _roles_of(member, org) -> dict:
    return {
        "memberships": member.memberships.all(),
        "waiting": RoleRequest.objects.filter(
            user=member, organisation=org, status=RoleRequest.Status.PENDING
        ),
    }


def _granted(given) -> str:
    if isinstance(given, RoleRequest):
        return (
            f"{given.get_role_display()} ({given.scope_label}) now waits for a safeguarding "
            "lead or the data protection officer to approve it."
        )
    return "Role added."


def _org_of(request):
    return get_object_or_404(Organisation, pk=min(scope_for(request.user).admin_org_ids))


@login_required
@require_POST
@stepup.confirm_it_is_you("reset someone's second factors")
def reset_second_factors(request, user_id):
    """For someone who lost their device: another administrator, never themselves."""
    org = _administered_organisation(request)
    member = get_object_or_404(_staff_of(org), pk=user_id)
    form = SecondFactorResetForm(request.POST, prefix="reset")
    if form.is_valid():
        try:
            removed = second_factor.reset_for(request, member, form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            messages.success(
                request,
                f"Removed {removed} second factor{'s' if removed != 1 else ''} of "
                f"{member.get_full_name()}. They set one up again when they next sign in.",
            )
            return redirect("staff_member", user_id=member.pk)
    return _staff_page(request, member, status=400, reset_form=form, org=org)


@login_required
@require_POST
def set_temporary_password(request, user_id):
    """A temporary password they must change at their next request; their other
    sessions end because the password changed."""
    org = _administered_organisation(request)
    member = get_object_or_404(_staff_of(org), pk=user_id)
    form = TemporaryPasswordForm(request.POST, member=member, prefix="password")
    if member == request.user:
        form.add_error(None, "Change your own password under Sign-in and security")
    if form.is_valid():
        with transaction.atomic():
            member.set_password(form.cleaned_data["password"])
            member.save(update_fields=["password"])
            TemporaryPassword.objects.update_or_create(
                user=member, defaults={"set_by": request.user}
            )
            trail.record_request(
                request,
                "set temporary password",
                object_type="user",
                object_id=member.pk,
                organisation_id=org.pk,
                detail={"user": member.username},
            )
        messages.success(
            request,
            f"Set a temporary password for {member.get_full_name()}. They must choose "
            "their own when they next sign in.",
        )
        return redirect("staff_member", user_id=member.pk)
    return _staff_page(request, member, status=400, password_form=form, org=org)


@login_required
@require_POST
def add_role(request, user_id):
    org = _administered_organisation(request)
    member = get_object_or_404(_staff_of(org), pk=user_id)
    role = MembershipForm(request.POST, organisation=org, prefix="role")
    if member == request.user:
        role.add_error(None, changes.OWN_ROLES)
    if role.is_valid():
        try:
            given = changes.grant_role(request, role.membership_for(member))
        except ValidationError as problem:
            role.add_error(None, problem.messages[0])
        else:
            messages.success(request, _granted(given))
            return redirect("staff_member", user_id=member.pk)
    return _staff_page(request, member, status=400, role_form=role, org=org)


def _single_sign_on_section(member, form=None):
    if not single_sign_on.is_configured():
        return {"sso_enabled": False}
    issuer = settings.SHAREWISE_SSO_ISSUER
    identity = member.sso_identities.filter(issuer=issuer).select_related("linked_by").first()
    return {
        "sso_enabled": True,
        "sso_identity": identity,
        "sso_form": form
        or SingleSignOnIdentityForm(
            member=member,
            issuer=issuer,
            subject_claim=settings.SHAREWISE_SSO_SUBJECT_CLAIM,
            prefix="sso",
            initial={"subject": identity.subject if identity else ""},
        ),
    }


@login_required
@require_POST
def single_sign_on_identity(request, user_id):
    """An administrator links a member of staff to their identity at the
    organisation's provider, changes it or removes it; never their own."""
    org = _administered_organisation(request)
    member = get_object_or_404(_staff_of(org), pk=user_id)
    if not single_sign_on.is_configured():
        raise Http404
    issuer = settings.SHAREWISE_SSO_ISSUER
    form = SingleSignOnIdentityForm(
        request.POST,
        member=member,
        issuer=issuer,
        subject_claim=settings.SHAREWISE_SSO_SUBJECT_CLAIM,
        prefix="sso",
    )
    removing = request.POST.get("sso-remove") == "yes"
    if member == request.user:
        form.add_error(
            None,
            "You cannot change your own single sign-on identity: another administrator does that",
        )
    elif removing:
        identity = member.sso_identities.filter(issuer=issuer).first()
        if identity:
            changes.unlink_single_sign_on_identity(request, identity, org.pk)
        messages.success(request, "Single sign-on identity removed.")
        return redirect("staff_member", user_id=member.pk)
    elif form.is_valid():
        changes.link_single_sign_on_identity(
            request, member, issuer, form.cleaned_data["subject"], org.pk
        )
        messages.success(request, "Single sign-on identity saved.")
        return redirect("staff_member", user_id=member.pk)
    return _staff_page(request, member, status=400, sso_form=form, org=org)


@login_required
@require_POST
def remove_role(request, user_id, membership_id):
    org = _administered_organisation(request)
    membership = get_object_or_404(Membership, pk=membership_id, user_id=user_id, organisation=org)
    try:
        changes.remove_membership(request, membership)
    except PermissionDenied as refused:
        messages.warning(request, str(refused))
    else:
        messages.success(request, "Role removed.")
    return redirect("staff_member", user_id=user_id)


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
def role_requests(request):
    """Roles with case access waiting for a safeguarding lead or the data protection
    officer: approve or decline."""
    if not changes.may_decide_roles(request.user):
        raise PermissionDenied
    waiting = list(changes.pending_for(request.user))
    for asked in waiting:
        asked.refusal = changes.may_decide(request.user, asked)
    links = list(changes.identity_links_waiting(request.user))
    for link in links:
        link.refusal = changes.may_decide_link(request.user, link)
    return render(
        request,
        "organisations/role_requests.html",
        {"nav": "role_requests", "waiting": waiting, "links": links, "form": DeclineRoleForm()},
    )


def _identity_link(request, link_id):
    if not changes.may_decide_roles(request.user):
        raise PermissionDenied
    return get_object_or_404(changes.identity_links_waiting(request.user), pk=link_id)


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


def _reason(request) -> str:
    form = DeclineRoleForm(request.POST)
    form.is_valid()
    return form.cleaned_data.get("reason", "")


@login_required
@require_POST
def approve_identity_link(request, link_id):
    link = _identity_link(request, link_id)
    return _decide(
        request,
        changes.approve_identity_link,
        link,
        done=f"Approved: {link.user.get_full_name()} can sign in with their organisation's account.",
    )


@login_required
@require_POST
def decline_identity_link(request, link_id):
    link = _identity_link(request, link_id)
    return _decide(
        request,
        changes.decline_identity_link,
        link,
        _reason(request),
        done=f"Declined: the link for {link.user.get_full_name()} is removed.",
    )


def _role_request(request, request_id) -> RoleRequest:
    if not changes.may_decide_roles(request.user):
        raise PermissionDenied
    return get_object_or_404(
        RoleRequest.objects.select_related("user", "service", "team__service", "organisation"),
        pk=request_id,
        organisation_id__in=scope_for(request.user).case_wide_org_ids,
    )


@login_required
@require_POST
def approve_role_request(request, request_id):
    asked = _role_request(request, request_id)
    return _decide(
        request,
        changes.approve_role_request,
        asked,
        done=f"Approved: {asked.user.get_full_name()} is now "
        f"{asked.get_role_display().lower()} ({asked.scope_label}).",
    )


@login_required
@require_POST
def decline_role_request(request, request_id):
    asked = _role_request(request, request_id)
    return _decide(
        request,
        changes.decline_role_request,
        asked,
        _reason(request),
        done=f"Declined: {asked.user.get_full_name()} does not become "
        f"{asked.get_role_display().lower()}.",
    )


def _words(refused) -> str:
    if isinstance(refused, ValidationError):
        return refused.messages[0]
    return str(refused) or "Your role does not allow this."


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
            token, secret = ApiToken.issue(
                request.user,
                form.cleaned_data["name"][:100],
                days=form.cleaned_data["days"],
                confirmed_at=stepup.confirmed_at(request),
            )
            trail.record_request(
                request,
                "created API token",
                object_type="api token",
                object_id=token.pk,
                organisation_id=scope_for(request.user).organisation_id,
                detail={
                    "token": token.hint,
                    "expires": token.expires_at.isoformat(),
                    "confirmed with": _confirmed_with(request),
                },
            )
            form = ApiTokenForm(limits=limits)
    tokens = request.user.api_tokens.order_by("-created_at")
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
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    token.revoke()
    trail.record_request(
        request,
        "revoked API token",
        object_type="api token",
        object_id=token.pk,
        organisation_id=scope_for(request.user).organisation_id,
        detail={"token": token.hint},
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
