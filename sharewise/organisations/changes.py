"""Changes to the organisation's structure and staff, each written to the trail."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.organisations import sessions
from sharewise.organisations.models import ApiToken


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
    return user


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
            _record(
                request,
                "added role",
                membership,
                membership.organisation_id,
                user=membership.user_id,
                role=membership.role,
                service=membership.service_id,
                team=membership.team_id,
            )
    except IntegrityError:
        return False
    return True


@transaction.atomic
def remove_membership(request, membership):
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
    """Link someone's account to an identity at the provider, or change it."""
    from sharewise.organisations.models import SingleSignOnIdentity

    identity = SingleSignOnIdentity.objects.filter(user=member, issuer=issuer).first()
    before = identity.subject if identity else None
    SingleSignOnIdentity.objects.update_or_create(
        user=member,
        issuer=issuer,
        defaults={
            "subject": subject,
            "how": SingleSignOnIdentity.How.ADMINISTRATOR,
            "linked_by": request.user,
            "linked_at": timezone.now(),
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
