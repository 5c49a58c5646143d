"""Changes to the organisation's staff by its administrators: adding someone, their
details, a temporary password, their second factors and their single sign-on
identity; a leaver stops signing in everywhere at once. Each is written to the trail;
the pages and the API both call these."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.organisations import second_factor, sessions, single_sign_on
from sharewise.organisations.access import administered_organisation
from sharewise.organisations.models import (
    ApiToken,
    SingleSignOnIdentity,
    TemporaryPassword,
)
from sharewise.organisations.recorded import record
from sharewise.organisations.roles import grant_role, link_needs_approval

NOT_YOURSELF = "You cannot stop yourself signing in"
OWN_PASSWORD = "Change your own password under Sign-in and security"
OWN_IDENTITY = "You cannot change your own single sign-on identity: another administrator does that"


def add_staff(request, staff_form, role_form):
    """Someone new, with the temporary password the administrator gave them and their
    first role (which may wait for a lead's or the officer's approval). Returns
    (user, the role given or the request made)."""
    organisation = administered_organisation(request.user)
    with transaction.atomic():
        user = save_staff(request, staff_form, organisation.pk)
        TemporaryPassword.objects.create(user=user, set_by=request.user)
        given = grant_role(request, role_form.membership_for(user))
    return user, given


def change_details(request, member, details_form):
    """A member of staff's name, email, or whether they can sign in (never one's own)."""
    organisation = administered_organisation(request.user)
    if member == request.user and not details_form.cleaned_data.get("is_active"):
        raise ValidationError({"is_active": NOT_YOURSELF})
    return save_staff(request, details_form, organisation.pk)


@transaction.atomic
def save_staff(request, form, organisation_id):
    adding = form.instance.pk is None
    before = form.initial.get("email", "")
    user = form.save()
    fields = sorted(f for f in form.changed_data if f != "password")
    record(
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
    record(
        request,
        "stopped signing in",
        user,
        organisation_id,
        sessions_ended=ended,
        tokens_revoked=[t.hint for t in tokens],
    )


def set_temporary_password(request, member, password: str):
    """A temporary password (checked by TemporaryPasswordForm) they must change at
    their next request; their other sessions end because the password changed."""
    organisation = administered_organisation(request.user)
    if member == request.user:
        raise ValidationError(OWN_PASSWORD)
    with transaction.atomic():
        member.set_password(password)
        member.save(update_fields=["password"])
        TemporaryPassword.objects.update_or_create(user=member, defaults={"set_by": request.user})
        trail.record_request(
            request,
            "set temporary password",
            object_type="user",
            object_id=member.pk,
            organisation_id=organisation.pk,
            detail={"user": member.username},
        )


def reset_second_factors(request, member, reason: str) -> int:
    """For someone who lost their device: another administrator, never themselves.
    Returns how many second factors were removed."""
    administered_organisation(request.user)
    return second_factor.reset_for(request, member, reason)


# Single sign-on -------------------------------------------------------------------------


def identity_issuer(request, member) -> str:
    """The provider's issuer, when single sign-on is set up (else not found); refused
    for one's own identity."""
    administered_organisation(request.user)
    if not single_sign_on.is_configured():
        raise Http404("Single sign-on is not set up")
    if member == request.user:
        raise PermissionDenied(OWN_IDENTITY)
    return settings.SHAREWISE_SSO_ISSUER


@transaction.atomic
def link_single_sign_on_identity(request, member, subject):
    """Link someone's account to an identity at the provider (subject checked by
    SingleSignOnIdentityForm), or change it. The link waits for a lead's or the
    officer's approval (see roles.link_needs_approval)."""
    issuer = identity_issuer(request, member)
    organisation_id = administered_organisation(request.user).pk
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


@transaction.atomic
def unlink_single_sign_on_identity(request, member) -> bool:
    """Remove someone's link to the provider; False when there was none."""
    issuer = identity_issuer(request, member)
    identity = member.sso_identities.filter(issuer=issuer).first()
    if identity is None:
        return False
    trail.record_request(
        request,
        "unlinked single sign-on identity",
        object_type="staff member",
        object_id=identity.user_id,
        organisation_id=administered_organisation(request.user).pk,
        detail={"issuer": identity.issuer, "subject": identity.subject},
    )
    identity.delete()
    return True
