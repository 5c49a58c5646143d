"""The organisation's staff: listed and read by its leads and administrators; added,
changed, given a temporary password, their second factors reset and their single
sign-on identity linked by its administrators, as on the staff pages (never for
oneself)."""

from django.core.exceptions import ValidationError
from ninja import Field, Router, Schema, Status

from sharewise.api.inputs import Input
from sharewise.api.organisations.common import RoleOut, checked, role_out, scope_choice
from sharewise.organisations import access, staffing, stepup
from sharewise.organisations.forms import (
    MembershipForm,
    SecondFactorResetForm,
    SingleSignOnIdentityForm,
    StaffDetailsForm,
    StaffForm,
    TemporaryPasswordForm,
)
from sharewise.organisations.models import SingleSignOnIdentity

router = Router(tags=["Staff"])


class StaffOut(Schema):
    id: int
    username: str
    name: str
    first_name: str
    last_name: str
    email: str
    is_active: bool
    roles: list[RoleOut]
    roles_waiting: list[RoleOut] = Field(
        description="Roles with case access waiting for a lead's or the officer's approval"
    )


def _staff_out(user) -> StaffOut:
    return StaffOut(
        id=user.pk,
        username=user.username,
        name=user.get_full_name(),
        first_name=user.first_name,
        last_name=user.last_name,
        email=user.email,
        is_active=user.is_active,
        roles=[role_out(m) for m in user.memberships.all()],
        roles_waiting=[role_out(r) for r in getattr(user, "waiting", [])],
    )


@router.get(
    "/staff",
    response=list[StaffOut],
    summary="Staff with their roles and teams (leads and administrators)",
)
def staff(request):
    return [_staff_out(u) for u in access.staff_visible_to(request.user)]


@router.get(
    "/staff/{user_id}",
    response=StaffOut,
    summary="One member of staff with their roles (leads and administrators)",
)
def staff_member(request, user_id: int):
    return _staff_out(access.get_staff_member_seen_by(request.user, user_id))


class StaffIn(Input):
    username: str = Field(description="Letters, digits and . _ - only, for example j.okafor")
    first_name: str
    last_name: str
    email: str = ""
    password: str = Field(description="A temporary password they must change when they sign in")
    role: str = Field(description="Their first role, as for POST /staff/{user_id}/roles")
    service_id: int | None = None
    team_id: int | None = None


@router.post(
    "/staff",
    response={201: StaffOut},
    summary="Add a member of staff with a temporary password and a first role "
    "(administrators); a role with case access waits for approval",
)
def add_staff(request, payload: StaffIn):
    organisation = access.administered_organisation(request.user)
    values = payload.model_dump()
    scope = scope_choice(values.pop("service_id"), values.pop("team_id"))
    role = MembershipForm({"role": values.pop("role"), "scope": scope}, organisation=organisation)
    form = StaffForm(values)
    problems = {}
    for each, renames in ((form, {}), (role, {"scope": _scope_field(payload)})):
        try:
            checked(each, **renames)
        except ValidationError as error:
            problems.update(error.error_dict)
    if problems:
        raise ValidationError(problems)
    user, _ = staffing.add_staff(request, form, role)
    return Status(201, _staff_out(access.get_staff_member_for(request.user, user.pk)))


def _scope_field(payload) -> str:
    return "team_id" if payload.team_id is not None else "service_id"


class StaffChangeIn(Input):
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    is_active: bool | None = Field(None, description="False when they leave: they stop signing in")


@router.patch(
    "/staff/{user_id}",
    response=StaffOut,
    summary="Change a member of staff's name, email or whether they sign in "
    "(administrators; never stopping oneself): only what you send changes",
)
def edit_staff(request, user_id: int, payload: StaffChangeIn):
    member = access.get_staff_member_for(request.user, user_id)
    data = {f: getattr(member, f) for f in ("first_name", "last_name", "email", "is_active")}
    data.update(payload.model_dump(exclude_unset=True))
    form = StaffDetailsForm(data, instance=member)
    checked(form)
    staffing.change_details(request, member, form)
    return _staff_out(access.get_staff_member_for(request.user, user_id))


class PasswordIn(Input):
    password: str = Field(description="Give it to them in person: they must change it")


@router.post(
    "/staff/{user_id}/temporary-password",
    response={204: None},
    summary="Give someone else a temporary password (administrators); their other sessions end",
)
def set_temporary_password(request, user_id: int, payload: PasswordIn):
    member = access.get_staff_member_for(request.user, user_id)
    form = TemporaryPasswordForm(payload.model_dump(), member=member)
    staffing.set_temporary_password(request, member, checked(form)["password"])
    return Status(204, None)


class ResetIn(Input):
    reason: str = Field(description="How you know they lost their device, at least 10 characters")


class ResetOut(Schema):
    removed: int


@router.post(
    "/staff/{user_id}/second-factors/reset",
    response=ResetOut,
    summary="Remove every second factor of someone who lost theirs (administrators, "
    "never their own; needs a recently confirmed token)",
)
def reset_second_factors(request, user_id: int, payload: ResetIn):
    member = access.get_staff_member_for(request.user, user_id)
    stepup.require_for_api(request, "reset someone's second factors")
    reason = checked(SecondFactorResetForm(payload.model_dump()))["reason"]
    return ResetOut(removed=staffing.reset_second_factors(request, member, reason))


class IdentityIn(Input):
    subject: str = Field(description="Their identifier at the organisation's identity provider")


class IdentityOut(Schema):
    issuer: str
    subject: str
    approved: bool


@router.put(
    "/staff/{user_id}/single-sign-on",
    response=IdentityOut,
    summary="Link someone to their identity at the organisation's provider, or change "
    "it (administrators, never their own); it waits for a lead's or the officer's "
    "approval. Not found when single sign-on is not set up",
)
def link_identity(request, user_id: int, payload: IdentityIn):
    member = access.get_staff_member_for(request.user, user_id)
    issuer = staffing.identity_issuer(request, member)
    form = SingleSignOnIdentityForm(
        payload.model_dump(), member=member, issuer=issuer, subject_claim="sub"
    )
    identity = staffing.link_single_sign_on_identity(request, member, checked(form)["subject"])
    return _identity_out(identity)


def _identity_out(identity: SingleSignOnIdentity) -> IdentityOut:
    return IdentityOut(
        issuer=identity.issuer, subject=identity.subject, approved=identity.approved_at is not None
    )


@router.delete(
    "/staff/{user_id}/single-sign-on",
    response={204: None},
    summary="Remove someone's single sign-on identity (administrators, never their own)",
)
def unlink_identity(request, user_id: int):
    member = access.get_staff_member_for(request.user, user_id)
    staffing.unlink_single_sign_on_identity(request, member)
    return Status(204, None)
