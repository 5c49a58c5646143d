"""Changes to the organisation's structure and staff, each written to the trail."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.organisations import sessions
from sharewise.organisations.access import scope_for
from sharewise.organisations.extensions import hooks
from sharewise.organisations.models import ApiToken, Membership, Role, RoleRequest, staff_name

# Every role but administrator opens people's records, or findings about them.
CASE_ACCESS_ROLES = frozenset(Role) - {Role.ADMINISTRATOR}
APPROVER_ROLES = (Role.SAFEGUARDING_LEAD, Role.DATA_PROTECTION_OFFICER)
OWN_ROLES = "You cannot change your own roles: another administrator does that."


def _record(request, action, obj, organisation_id, **detail):
    trail.record_request(
        request,
        action,
        object_type=obj._meta.model_name,
        object_id=obj.pk,
        organisation_id=organisation_id,
        detail=detail,
    )


@transaction.atomic
def save_service(request, form):
    adding = form.instance.pk is None
    service = form.save()
    _record(
        request,
        "added service" if adding else "changed service",
        service,
        service.organisation_id,
        fields=sorted(form.changed_data),
    )
    return service


@transaction.atomic
def save_team(request, form, organisation_id):
    adding = form.instance.pk is None
    team = form.save()
    _record(
        request,
        "added team" if adding else "changed team",
        team,
        organisation_id,
        fields=sorted(form.changed_data),
    )
    return team


@transaction.atomic
def save_staff(request, form, organisation_id):
    adding = form.instance.pk is None
    before = form.initial.get("email", "")
    user = form.save()
    fields = sorted(f for f in form.changed_data if f != "password")
    _record(
        request,
        "added staff member" if adding else "changed staff member",
        user,
        organisation_id,
        fields=fields,
    )
    if not adding and "is_active" in form.changed_data and not user.is_active:
        stop_everything_of(request, user, organisation_id)
    if not adding and "email" in form.changed_data and before:
        _tell_old_address(before)
    return user


# A password reset link goes to the account's email: one an administrator just set could
# be theirs. For this long no link goes to it, and the old address hears of the change.
EMAIL_SETTLES = timedelta(hours=72)


def _tell_old_address(address):
    send_mail(
        "Your Sharewise email address was changed",
        "An administrator changed the email address of your Sharewise account. If you "
        "did not expect this, tell your safeguarding lead or data protection officer now.",
        None,
        [address],
        fail_silently=True,
    )


def email_recently_changed(user) -> bool:
    """Whether an administrator changed this account's email within EMAIL_SETTLES."""
    from sharewise.audittrail.models import Entry

    changes = Entry.objects.filter(
        action="changed staff member",
        object_type=user._meta.model_name,
        object_id=str(user.pk),
        at__gte=timezone.now() - EMAIL_SETTLES,
    ).values_list("detail", flat=True)
    return any("email" in (detail or {}).get("fields", []) for detail in changes)


def stop_everything_of(request, user, organisation_id):
    """A leaver: every session they have ends and every API token they hold is revoked
    now, not when each would have run out."""
    ended = sessions.end_every_session_of(user, "no longer signs in")
    tokens = list(ApiToken.objects.filter(user=user, revoked_at__isnull=True))
    ApiToken.objects.filter(pk__in=[t.pk for t in tokens]).revoke_all()
    _record(
        request,
        "stopped signing in",
        user,
        organisation_id,
        sessions_ended=ended,
        tokens_revoked=[t.hint for t in tokens],
    )


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
    if membership.user_id == request.user.pk:
        raise PermissionDenied(OWN_ROLES)
    _record(
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


@transaction.atomic
def link_single_sign_on_identity(request, member, issuer, subject, organisation_id):
    """Link someone's account to an identity at the provider, or change it. The link
    waits for a lead's or the officer's approval (see link_needs_approval)."""
    from sharewise.organisations.models import SingleSignOnIdentity

    identity = SingleSignOnIdentity.objects.filter(user=member, issuer=issuer).first()
    before = identity.subject if identity else None
    if before == subject:
        return identity
    identity, _ = SingleSignOnIdentity.objects.update_or_create(
        user=member,
        issuer=issuer,
        defaults={
            "subject": subject,
            "how": SingleSignOnIdentity.How.ADMINISTRATOR,
            "linked_by": request.user,
            "linked_at": timezone.now(),
            "approved_by": None,
            "approved_at": None,
        },
    )
    trail.record_request(
        request,
        "linked single sign-on identity",
        object_type="staff member",
        object_id=member.pk,
        organisation_id=organisation_id,
        detail={"issuer": issuer, "subject": subject, "replaced": before},
    )
    link_needs_approval(identity, organisation_id, by=request.user)
    return identity


def link_needs_approval(identity, organisation_id, by=None):
    """Ask the organisation's leads and officers (but not whoever made the link, nor
    its owner) to approve a new link."""
    maker = staff_name(by) if by else "Their provider's verified email"
    _tell(
        _approvers(organisation_id, by.pk if by else None, identity.user_id),
        f"{maker} linked {staff_name(identity.user)}'s Sharewise account to an identity "
        "at your organisation's provider: approve or decline it before it signs anyone in",
    )


def identity_links_waiting(user):
    """Links waiting in the organisations where this user approves."""
    from sharewise.organisations.models import SingleSignOnIdentity

    scope = scope_for(user)
    if not scope.has(*APPROVER_ROLES):
        return SingleSignOnIdentity.objects.none()
    owners = Membership.objects.filter(organisation_id__in=scope.case_wide_org_ids).values(
        "user_id"
    )
    return SingleSignOnIdentity.objects.filter(
        approved_at__isnull=True, user_id__in=owners
    ).select_related("user", "linked_by")


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
    from sharewise.organisations.models import SingleSignOnIdentity

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
        _tell(
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
        _tell(
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


@transaction.atomic
def unlink_single_sign_on_identity(request, identity, organisation_id):
    trail.record_request(
        request,
        "unlinked single sign-on identity",
        object_type="staff member",
        object_id=identity.user_id,
        organisation_id=organisation_id,
        detail={"issuer": identity.issuer, "subject": identity.subject},
    )
    identity.delete()


# Roles with case access: asked for by an administrator, approved by a second person --


def grant_role(request, membership) -> Membership | RoleRequest:
    """Give someone a role. The administrator role is given at once; a role with case
    access becomes a request that a safeguarding lead or the data protection officer
    must approve. Raises PermissionDenied for one's own roles, ValidationError when
    they hold it already or it already waits for approval."""
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
    _tell(
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


def may_decide_roles(user) -> bool:
    return scope_for(user).has(*APPROVER_ROLES)


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


def pending_for(user):
    """Requests waiting in the organisations where this user approves roles."""
    scope = scope_for(user)
    if not scope.has(*APPROVER_ROLES):
        return RoleRequest.objects.none()
    return RoleRequest.objects.filter(
        status=RoleRequest.Status.PENDING, organisation_id__in=scope.case_wide_org_ids
    ).select_related("user", "requested_by", "service", "team__service", "organisation")


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
    _tell(
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
    _tell(
        {asked.requested_by_id},
        f"{staff_name(request.user)} declined {staff_name(asked.user)} as "
        f"{asked.get_role_display().lower()} ({asked.scope_label}): {reason}",
    )
    return asked


def _record_added(request, membership, **detail):
    _record(
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


def _tell(user_ids, message):
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
