"""The administrator's pages: the organisation's services and teams, and its staff
with their roles, passwords, second factors and single sign-on. Thin: reads come from
access.py, changes from structure.py, staffing.py and roles.py, which the API calls
too."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from sharewise.forms import add_errors
from sharewise.organisations import (
    access,
    roles,
    second_factor,
    signin,
    single_sign_on,
    staffing,
    stepup,
    structure,
)
from sharewise.organisations.access import scope_for
from sharewise.organisations.forms import (
    MembershipForm,
    SecondFactorResetForm,
    SingleSignOnIdentityForm,
    StaffDetailsForm,
    StaffForm,
    TemporaryPasswordForm,
)
from sharewise.organisations.models import RoleRequest, Service, Team, TemporaryPassword


@login_required
def home(request):
    if scope_for(request.user).team_ids or scope_for(request.user).case_wide_org_ids:
        return redirect("my_people")
    if request.user.has_perm("organisations.manage_organisation"):
        return redirect("organisation")
    return redirect("my_people")


@login_required
@require_safe
def organisation(request):
    org = access.administered_organisation(request.user)
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


def _structure_page(request, form, title, button):
    return render(
        request,
        "organisations/form.html",
        {
            "nav": "organisation",
            "form": form,
            "title": title,
            "button": button,
            "back": "organisation",
        },
    )


@login_required
def edit_service(request, service_id=None):
    service = access.get_service_for(request.user, service_id) if service_id else None
    form = structure.service_form(request.user, request.POST or None, service)
    if request.method == "POST" and form.is_valid():
        service = structure.save_service(request, form)
        messages.success(request, f"Saved {service.name}.")
        return redirect("organisation")
    title = f"Change {service.name}" if service else "Add a service"
    return _structure_page(request, form, title, "Save service")


@login_required
def edit_team(request, team_id=None):
    team = access.get_team_for(request.user, team_id) if team_id else None
    initial = {"service": request.GET.get("service")} if not team else None
    form = structure.team_form(request.user, request.POST or None, team, initial=initial)
    if request.method == "POST" and form.is_valid():
        team = structure.save_team(request, form)
        messages.success(request, f"Saved {team.name}.")
        return redirect("organisation")
    return _structure_page(
        request, form, f"Change {team.name}" if team else "Add a team", "Save team"
    )


@login_required
@require_safe
def staff_list(request):
    org = access.administered_organisation(request.user)
    return render(
        request,
        "organisations/staff_list.html",
        {"nav": "staff", "org": org, "staff": access.staff_of([org.pk])},
    )


@login_required
def add_staff(request):
    org = access.administered_organisation(request.user)
    form = StaffForm(request.POST or None, prefix="staff")
    role = MembershipForm(request.POST or None, organisation=org, prefix="role")
    if request.method == "POST" and form.is_valid() & role.is_valid():
        user, given = staffing.add_staff(request, form, role)
        messages.success(request, f"Added {user.get_full_name()}. {_granted(given)}")
        return redirect("staff_member", user_id=user.pk)
    return render(
        request, "organisations/add_staff.html", {"nav": "staff", "form": form, "role_form": role}
    )


@login_required
def staff_member(request, user_id):
    member = access.get_staff_member_for(request.user, user_id)
    details = StaffDetailsForm(request.POST or None, instance=member, prefix="details")
    if request.method == "POST" and details.is_valid():
        try:
            staffing.change_details(request, member, details)
        except ValidationError as error:
            add_errors(details, error)
        else:
            messages.success(request, f"Saved {member.get_full_name()}.")
            return redirect("staff_member", user_id=member.pk)
    return _staff_page(request, member, form=details)


def _staff_page(request, member, status=200, **forms):
    """The staff member's page, with whichever of its forms failed."""
    org = access.administered_organisation(request.user)
    return render(
        request,
        "organisations/staff_member.html",
        {
            "nav": "staff",
            "member": member,
            "form": forms.get("form") or StaffDetailsForm(instance=member, prefix="details"),
            "role_form": forms.get("role_form") or MembershipForm(organisation=org, prefix="role"),
            "reset_form": forms.get("reset_form") or SecondFactorResetForm(prefix="reset"),
            "password_form": forms.get("password_form")
            or TemporaryPasswordForm(member=member, prefix="password"),
            "memberships": member.memberships.all(),
            "waiting": RoleRequest.objects.filter(
                user=member, organisation=org, status=RoleRequest.Status.PENDING
            ),
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


def _granted(given) -> str:
    if isinstance(given, RoleRequest):
        return (
            f"{given.get_role_display()} ({given.scope_label}) now waits for a safeguarding "
            "lead or the data protection officer to approve it."
        )
    return "Role added."


@login_required
@require_POST
@stepup.confirm_it_is_you("reset someone's second factors")
def reset_second_factors(request, user_id):
    """For someone who lost their device: another administrator, never themselves."""
    member = access.get_staff_member_for(request.user, user_id)
    form = SecondFactorResetForm(request.POST, prefix="reset")
    if form.is_valid():
        try:
            removed = staffing.reset_second_factors(request, member, form.cleaned_data["reason"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                f"Removed {removed} second factor{'s' if removed != 1 else ''} of "
                f"{member.get_full_name()}. They set one up again when they next sign in.",
            )
            return redirect("staff_member", user_id=member.pk)
    return _staff_page(request, member, status=400, reset_form=form)


@login_required
@require_POST
def set_temporary_password(request, user_id):
    """A temporary password they must change at their next request; their other
    sessions end because the password changed."""
    member = access.get_staff_member_for(request.user, user_id)
    form = TemporaryPasswordForm(request.POST, member=member, prefix="password")
    if form.is_valid():
        try:
            staffing.set_temporary_password(request, member, form.cleaned_data["password"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                f"Set a temporary password for {member.get_full_name()}. They must choose "
                "their own when they next sign in.",
            )
            return redirect("staff_member", user_id=member.pk)
    return _staff_page(request, member, status=400, password_form=form)


@login_required
@require_POST
def add_role(request, user_id):
    member = access.get_staff_member_for(request.user, user_id)
    org = access.administered_organisation(request.user)
    role = MembershipForm(request.POST, organisation=org, prefix="role")
    if role.is_valid():
        try:
            given = roles.grant_role(request, role.membership_for(member))
        except PermissionDenied as refused:
            role.add_error(None, str(refused))
        except ValidationError as problem:
            add_errors(role, problem)
        else:
            messages.success(request, _granted(given))
            return redirect("staff_member", user_id=member.pk)
    elif member == request.user:
        role.add_error(None, roles.OWN_ROLES)
    return _staff_page(request, member, status=400, role_form=role)


def _single_sign_on_section(member, form=None):
    if not single_sign_on.is_configured():
        return {"sso_enabled": False}
    issuer = settings.SHAREWISE_SSO_ISSUER
    identity = member.sso_identities.filter(issuer=issuer).select_related("linked_by").first()
    return {
        "sso_enabled": True,
        "sso_identity": identity,
        "sso_form": form
        or _identity_form(member, initial={"subject": identity.subject if identity else ""}),
    }


def _identity_form(member, data=None, **kwargs):
    return SingleSignOnIdentityForm(
        data,
        member=member,
        issuer=settings.SHAREWISE_SSO_ISSUER,
        subject_claim=settings.SHAREWISE_SSO_SUBJECT_CLAIM,
        prefix="sso",
        **kwargs,
    )


@login_required
@require_POST
def single_sign_on_identity(request, user_id):
    """An administrator links a member of staff to their identity at the
    organisation's provider, changes it or removes it; never their own."""
    member = access.get_staff_member_for(request.user, user_id)
    try:
        staffing.identity_issuer(request, member)  # not found when single sign-on is off
        refused = None
    except PermissionDenied as error:
        refused = error
    form = _identity_form(member, request.POST)
    if refused:
        form.add_error(None, str(refused))
    elif request.POST.get("sso-remove") == "yes":
        staffing.unlink_single_sign_on_identity(request, member)
        messages.success(request, "Single sign-on identity removed.")
        return redirect("staff_member", user_id=member.pk)
    elif form.is_valid():
        staffing.link_single_sign_on_identity(request, member, form.cleaned_data["subject"])
        messages.success(request, "Single sign-on identity saved.")
        return redirect("staff_member", user_id=member.pk)
    return _staff_page(request, member, status=400, sso_form=form)


@login_required
@require_POST
def remove_role(request, user_id, membership_id):
    membership = access.get_membership_for(request.user, user_id, membership_id)
    try:
        roles.remove_membership(request, membership)
    except PermissionDenied as refused:
        messages.warning(request, str(refused))
    else:
        messages.success(request, "Role removed.")
    return redirect("staff_member", user_id=user_id)
