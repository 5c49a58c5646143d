"""Changes to the organisation's structure (its services and teams), by its
administrators, each written to the trail. The pages and the API both call these."""

from django.db import transaction

from sharewise.organisations.access import administered_organisation
from sharewise.organisations.forms import ServiceForm, TeamForm
from sharewise.organisations.recorded import record


def service_form(user, data=None, service=None, **kwargs) -> ServiceForm:
    """The form that checks a service, for the administrator's organisation."""
    organisation = administered_organisation(user)
    return ServiceForm(data, instance=service, organisation=organisation, **kwargs)


def team_form(user, data=None, team=None, **kwargs) -> TeamForm:
    organisation = administered_organisation(user)
    return TeamForm(data, instance=team, organisation=organisation, **kwargs)


@transaction.atomic
def save_service(request, form: ServiceForm):
    """Add or change a service from its checked form."""
    organisation = administered_organisation(request.user)
    adding = form.instance.pk is None
    service = form.save()
    record(
        request,
        "added service" if adding else "changed service",
        service,
        organisation.pk,
        fields=sorted(form.changed_data),
    )
    return service


@transaction.atomic
def save_team(request, form: TeamForm):
    """Add or change a team from its checked form."""
    organisation = administered_organisation(request.user)
    adding = form.instance.pk is None
    team = form.save()
    record(
        request,
        "added team" if adding else "changed team",
        team,
        organisation.pk,
        fields=sorted(form.changed_data),
    )
    return team
