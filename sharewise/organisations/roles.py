"""Roles: given by administrators (never their own), and where a role opens case
content, approved by a second person, a safeguarding lead or the data protection
officer; single sign-on links wait for the same approvers. Each step is written to the
trail and told to whoever acts next. The pages and the API both call these."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.organisations.access import (
    APPROVER_ROLES,
    administered_organisation,
    scope_for,
)
from sharewise.organisations.models import (
    Membership,
    Role,
    RoleRequest,
    SingleSignOnIdentity,
    staff_name,
)
from sharewise.organisations.recorded import record, tell

# Every role but administrator opens people's records, or findings about them.
CASE_ACCESS_ROLES = frozenset(Role) - {Role.ADMINISTRATOR}
OWN_ROLES = "You cannot change your own roles: another administrator does that."


def add_membership(request, membership) -> bool:
    """False when they already hold that role there."""
    try:
        with transaction.atomic():
            membership.save()
            _record_added(request, membership)
    except IntegrityError:
        return False
    return True


@transaction.atomic
def remove_membership(request, membership):
    administered_organisation(request.user)
    if membership.user_id == request.user.pk:
        raise PermissionDenied(OWN_ROLES)
    record(
        request,
        "removed role",
        membership,
        membership.organisation_id,
        user=membership.user_id,
        role=membership.role,
        service=membership.service_id,
        team=membership.team_id,
    )
    membership.delete()


def link_needs_approval(identity, organisation_id, by=None):
    """Ask the organisation's leads and officers (but not whoever made the link, nor
    its owner) to approve a new link."""
    maker = staff_name(by) if by else "Their provider's verified email"
    tell(
        _approvers(organisation_id, by.pk if by else None, identity.user_id),
        f"{maker} linked {staff_name(identity.user)}'s Sharewise account to an identity "
        "at your organisation's provider: approve or decline it before it signs anyone in",
    )


def _organisation_of(user_id):
    return (
        Membership.objects.filter(user_id=user_id)
        .order_by("organisation_id")
        .values_list("organisation_id", flat=True)
        .first()
    )


def may_decide_link(user, identity) -> str | None:
    return _why_not_decide(
        user,
        _organisation_of(identity.user_id),
        identity.user_id,
        identity.linked_by_id,
        "a single sign-on link",
        "single sign-on links",
    )


def _open_link(request, identity):
    if problem := may_decide_link(request.user, identity):
        raise PermissionDenied(problem)
    identity = SingleSignOnIdentity.objects.select_for_update().filter(pk=identity.pk).first()
    if identity is None or identity.approved_at is not None:
        raise ValidationError("This link was already decided")
    return identity


def approve_identity_link(request, identity):
    with transaction.atomic():
        identity = _open_link(request, identity)
        identity.approved_by, identity.approved_at = request.user, timezone.now()
        identity.save(update_fields=["approved_by", "approved_at"])
        _record_link(request, "approved single sign-on identity", identity)
    if identity.linked_by_id:
        tell(
            {identity.linked_by_id},
            f"{staff_name(request.user)} approved {staff_name(identity.user)}'s single "
            "sign-on identity",
        )
    return identity


def decline_identity_link(request, identity, reason: str):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why you decline it, for the administrator"})
    with transaction.atomic():
        identity = _open_link(request, identity)
        _record_link(request, "declined single sign-on identity", identity, reason)
        identity.delete()
    if identity.linked_by_id:
        tell(
            {identity.linked_by_id},
            f"{staff_name(request.user)} declined {staff_name(identity.user)}'s single "
            f"sign-on identity: {reason}",
        )


def _record_link(request, action, identity, reason=""):
    trail.record_request(
        request,
        action,
        object_type="staff member",
        object_id=identity.user_id,
        organisation_id=_organisation_of(identity.user_id),
        reason=reason,
        detail={"issuer": identity.issuer, "subject": identity.subject},
    )


# Roles with case access: asked for by an administrator, approved by a second person --


def grant_role(request, membership) -> Membership | RoleRequest:
    """Give someone a role. The administrator role is given at once; a role with case
    access becomes a request that a safeguarding lead or the data protection officer
    must approve. Raises PermissionDenied for one's own roles, ValidationError when
    they hold it already or it already waits for approval."""
    administered_organisation(request.user)
    if membership.user_id == request.user.pk:
        raise PermissionDenied(OWN_ROLES)
    if membership.role not in CASE_ACCESS_ROLES:
        if not add_membership(request, membership):
            raise ValidationError({"role": "They already have that role there"})
        return membership
    if _holds(membership):
        raise ValidationError({"role": "They already have that role there"})
    same = dict(
        user_id=membership.user_id,
        organisation_id=membership.organisation_id,
        role=membership.role,
        service_id=membership.service_id,
        team_id=membership.team_id,
    )
    with transaction.atomic():
        if RoleRequest.objects.select_for_update().filter(status="pending", **same).exists():
            raise ValidationError(
                {"role": "That role already waits for a lead's or the officer's approval"}
            )
        asked = RoleRequest.objects.create(requested_by=request.user, **same)
        _record_request(request, "requested role", asked)
    tell(
        approvers_of(asked),
        f"{staff_name(request.user)} asks that {staff_name(asked.user)} become "
        f"{asked.get_role_display().lower()} ({asked.scope_label}): approve or decline it",
    )
    return asked


def approvers_of(asked: RoleRequest) -> set[int]:
    """Who may decide a request: the organisation's leads and officers, except the one
    who asked and the one who would receive it."""
    return _approvers(asked.organisation_id, asked.requested_by_id, asked.user_id)


def _approvers(organisation_id, *leave_out) -> set[int]:
    return set(
        Membership.objects.filter(
            organisation_id=organisation_id, role__in=APPROVER_ROLES, user__is_active=True
        ).values_list("user_id", flat=True)
    ) - set(leave_out)


def may_decide(user, asked: RoleRequest) -> str | None:
    """Why this user may not decide this request, or None when they may."""
    return _why_not_decide(user, asked.organisation_id, asked.user_id, asked.requested_by_id)


def _why_not_decide(
    user, organisation_id, receiver_id, asker_id, what="a role", whats="roles"
) -> str | None:
    scope = scope_for(user)
    if not (organisation_id in scope.case_wide_org_ids and scope.has(*APPROVER_ROLES)):
        return f"Only a safeguarding lead or the data protection officer approves {whats}."
    if receiver_id == user.pk:
        return f"Someone else decides {what} you would receive."
    if asker_id == user.pk:
        return f"Someone else decides {what} you asked for."
    return None


def approve_role_request(request, asked: RoleRequest) -> RoleRequest:
    """Raises PermissionDenied when this user may not decide it, ValidationError when
    it is already decided."""
    _check_decider(request.user, asked)
    with transaction.atomic():
        asked = RoleRequest.objects.select_for_update().get(pk=asked.pk)
        _check_open(asked)
        membership = asked.membership()
        if not _holds(membership):
            membership.save()
            _record_added(request, membership, role_request=asked.pk)
        _decide(request, asked, RoleRequest.Status.APPROVED, "")
    tell(
        {asked.requested_by_id},
        f"{staff_name(request.user)} approved {staff_name(asked.user)} as "
        f"{asked.get_role_display().lower()} ({asked.scope_label})",
    )
    return asked


def decline_role_request(request, asked: RoleRequest, reason: str) -> RoleRequest:
    _check_decider(request.user, asked)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why you decline it, for the administrator"})
    with transaction.atomic():
        asked = RoleRequest.objects.select_for_update().get(pk=asked.pk)
        _check_open(asked)
        _decide(request, asked, RoleRequest.Status.DECLINED, reason)
    tell(
        {asked.requested_by_id},
        f"{staff_name(request.user)} declined {staff_name(asked.user)} as "
        f"{asked.get_role_display().lower()} ({asked.scope_label}): {reason}",
    )
    return asked


def _record_added(request, membership, **detail):
    record(
        request,
        "added role",
        membership,
        membership.organisation_id,
        user=membership.user_id,
        role=membership.role,
        service=membership.service_id,
        team=membership.team_id,
        **detail,
    )


def _holds(membership) -> bool:
    return Membership.objects.filter(
        user_id=membership.user_id,
        organisation_id=membership.organisation_id,
        role=membership.role,
        service_id=membership.service_id,
        team_id=membership.team_id,
    ).exists()


def _check_decider(user, asked):
    if problem := may_decide(user, asked):
        raise PermissionDenied(problem)


def _check_open(asked):
    if asked.status != RoleRequest.Status.PENDING:
        raise ValidationError(f"This request was already {asked.get_status_display().lower()}")


def _decide(request, asked, status, reason):
    asked.status = status
    asked.decided_by = request.user
    asked.decided_at = timezone.now()
    asked.reason = reason
    asked.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    _record_request(
        request,
        "approved role request"
        if status == RoleRequest.Status.APPROVED
        else "declined role request",
        asked,
        reason=reason,
    )


def _record_request(request, action, asked, reason=""):
    trail.record_request(
        request,
        action,
        object_type="role request",
        object_id=asked.pk,
        organisation_id=asked.organisation_id,
        reason=reason,
        detail={
            "user": asked.user_id,
            "role": asked.role,
            "service": asked.service_id,
            "team": asked.team_id,
            "requested_by": asked.requested_by_id,
        },
    )
