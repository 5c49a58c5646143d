"""Changes to the organisation's structure and staff, each written to the trail."""

from django.db import IntegrityError, transaction

from sharewise.audittrail import trail


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
    return user


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
