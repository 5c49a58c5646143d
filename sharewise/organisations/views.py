from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from sharewise.audittrail import trail
from sharewise.organisations import changes, second_factor, signin, stepup
from sharewise.organisations.access import scope_for
from sharewise.organisations.forms import (
    MembershipForm,
    SecondFactorResetForm,
    ServiceForm,
    StaffDetailsForm,
    StaffForm,
    TeamForm,
    TemporaryPasswordForm,
)
from sharewise.organisations.models import (
    ApiToken,
    Membership,
    Organisation,
    Service,
    Team,
    TemporaryPassword,
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
        .objects.filter(memberships__organisation=org)
        .distinct()
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related(
                    "team__service", "service", "organisation"
                ),
            )
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
            changes.add_membership(request, role.membership_for(user))
        messages.success(request, f"Added {user.get_full_name()}.")
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
            "memberships": member.memberships.all(),
            "apps": second_factor.authenticator_apps(member).count(),
            "passkeys": second_factor.passkeys(member).count(),
            "recovery_left": second_factor.unused_recovery_codes(member),
            "needs_factor": second_factor.required(member),
            "temporary_password": TemporaryPassword.objects.filter(user=member).exists(),
            "locked_from": list(signin.locked_pairs(member.username)),
        },
        status=status,
    )


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
        role.add_error(None, "You cannot give yourself a role: another administrator does that")
    if role.is_valid():
        if changes.add_membership(request, role.membership_for(member)):
            messages.success(request, "Role added.")
        else:
            messages.warning(request, "They already have that role there.")
        return redirect("staff_member", user_id=member.pk)
    return _staff_page(request, member, status=400, role_form=role, org=org)


@login_required
@require_POST
def remove_role(request, user_id, membership_id):
    org = _administered_organisation(request)
    membership = get_object_or_404(Membership, pk=membership_id, user_id=user_id, organisation=org)
    if membership.user == request.user and membership.role == "administrator":
        messages.warning(request, "You cannot remove your own administrator role.")
    else:
        changes.remove_membership(request, membership)
        messages.success(request, "Role removed.")
    return redirect("staff_member", user_id=user_id)


@login_required
def api_tokens(request):
    """Each person manages their own API tokens; the secret is shown only once."""
    secret = None
    if request.method == "POST":
        name = request.POST.get("name", "").strip()
        if not name:
            messages.warning(request, "Give the token a name, for example 'Reporting script'.")
        else:
            token, secret = ApiToken.issue(
                request.user, name[:100], confirmed_at=stepup.confirmed_at(request)
            )
            trail.record_request(
                request,
                "created API token",
                object_type="api token",
                object_id=token.pk,
                organisation_id=scope_for(request.user).organisation_id,
            )
    tokens = request.user.api_tokens.order_by("-created_at")
    return render(
        request,
        "organisations/api_tokens.html",
        {"tokens": tokens, "secret": secret, "step_up_minutes": stepup.minutes(request.user)},
    )


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
    )
    messages.success(request, f"Revoked {token.name}. Anything using it will stop working.")
    return redirect("api_tokens")
