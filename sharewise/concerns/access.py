"""The one way to read concerns and imports: scoped fetches (404 outside scope, the
read written to the trail), the lists a user may see, and what a draft may name."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from sharewise.concerns import recording, visibility
from sharewise.concerns.chronology import person_ids_for
from sharewise.concerns.models import Concern, ConcernPerson, ImportJob
from sharewise.days import on_days
from sharewise.organisations.access import scope_for, scopes_for
from sharewise.organisations.models import Membership, Organisation, Role, Team
from sharewise.people.access import break_glass_grant, get_person_for
from sharewise.people.models import Enrolment, Person

# A concern's status in lists: waiting for its review (and past due), or reviewed.
STATUSES = ("open", "awaiting_review", "overdue", "reviewed")


def get_concern_for(request, concern_id, *, action="viewed concern", via="page") -> Concern:
    """A concern this user may see, with the read written to the trail against each
    person it is about; otherwise Http404."""
    concern = (
        Concern.objects.visible_to(request.user)
        .select_related(
            "service", "team", "recorded_by", "source_staff", "source_person", "policy_version"
        )
        .filter(pk=concern_id)
        .first()
    )
    if concern is None:
        concern = _through_break_glass(request, concern_id)
    if concern is None:
        raise Http404("No such concern")
    for person in concern.people.all():
        recording.write_trail(request, action, concern, person, via=via)
    return concern


def _through_break_glass(request, concern_id):
    concern = Concern.objects.exclude(source_staff=request.user).filter(pk=concern_id).first()
    if concern is None:
        return None
    if any(break_glass_grant(request, pid) for pid in concern.people.values_list("pk", flat=True)):
        return concern
    return None


def name_people(concerns, viewer) -> dict:
    """Set people_shown (the people each concern is about whom the viewer may see) and
    people_unseen (how many others) on each concern; returns the people shown by id.
    Lists never name, nor give the id of, someone the viewer may not see."""
    about: dict[int, list[int]] = {}
    for concern_id, person_id in ConcernPerson.objects.filter(
        concern_id__in=[c.pk for c in concerns]
    ).values_list("concern_id", "person_id"):
        about.setdefault(concern_id, []).append(person_id)
    ids = {p for ps in about.values() for p in ps}
    shown = Person.objects.visible_to(viewer, include_merged=True).in_bulk(ids)
    for c in concerns:
        mine = about.get(c.pk, [])
        c.people_shown = [shown[p] for p in mine if p in shown]
        c.people_unseen = len(mine) - len(c.people_shown)
    return shown


def who_may_see(user_ids, concern_ids) -> set[int]:
    """Those of these members of staff who may see every one of these concerns, by the
    one rule (concerns.visibility): for choosing who hears of a record made from them."""
    user_ids, concern_ids = set(user_ids), list(concern_ids)
    if not user_ids or not concern_ids:
        return user_ids
    about: dict[int, set[int]] = {}
    for concern_id, person_id in ConcernPerson.objects.filter(
        concern_id__in=concern_ids
    ).values_list("concern_id", "person_id"):
        about.setdefault(concern_id, set()).add(person_id)
    # A person is known to the teams of their own record, of records merged into it and
    # of the record it was merged into.
    people = {p for ps in about.values() for p in ps}
    family: dict[int, set[int]] = {p: {p} for p in people}
    for pk, kept in Person.objects.filter(
        Q(pk__in=people) | Q(merged_into__in=people), merged_into__isnull=False
    ).values_list("pk", "merged_into_id"):
        family.setdefault(pk, {pk}).add(kept)
        family.setdefault(kept, {kept}).add(pk)
    teams: dict[int, set[int]] = {}
    for person_id, team_id in (
        Enrolment.objects.current_or_recent()
        .filter(person_id__in={r for rs in family.values() for r in rs})
        .values_list("person_id", "team_id")
    ):
        teams.setdefault(person_id, set()).add(team_id)
    reach = [
        visibility.ConcernReach(
            organisation_id,
            frozenset(
                t for p in about.get(pk, ()) for r in family.get(p, {p}) for t in teams.get(r, ())
            ),
            source_staff_id,
        )
        for pk, organisation_id, source_staff_id in Concern.objects.filter(
            pk__in=concern_ids
        ).values_list("pk", "organisation_id", "source_staff_id")
    ]
    return {
        user_id
        for user_id, scope in scopes_for(user_ids).items()
        if all(visibility.concern_rule(user_id, scope).allows(r) for r in reach)
    }


def concerns_listed(
    request,
    *,
    person_id=None,
    since=None,
    until=None,
    status=None,
    team_id=None,
    service_id=None,
    via="page",
):
    """The concerns this user may see, filtered: about a person (and records merged
    into theirs; 404 outside scope, and the read written against them), occurred
    between two days (inclusive), by status (STATUSES), team or service."""
    concerns = Concern.objects.visible_to(request.user)
    if person_id is not None:
        person = get_person_for(request, person_id, action="listed concerns", via=via)
        concerns = concerns.filter(links__person_id__in=person_ids_for(person))
    if status in ("open", "awaiting_review"):
        concerns = concerns.filter(review__isnull=True)
    elif status == "overdue":
        concerns = concerns.filter(review__isnull=True, review_due_at__lt=timezone.now())
    elif status == "reviewed":
        concerns = concerns.filter(review__isnull=False)
    elif status is not None:
        raise ValidationError({"status": [f"Use {', '.join(STATUSES)}"]})
    concerns = on_days(concerns, "occurred_at", since, until)
    if team_id is not None:
        concerns = concerns.filter(team_id=team_id)
    if service_id is not None:
        concerns = concerns.filter(service_id=service_id)
    return concerns.distinct()


def review_queue_for(user):
    """Concerns waiting for this team manager's or lead's review; PermissionDenied for
    anyone who reviews nothing."""
    scope = scope_for(user)
    if not (scope.managed_team_ids or scope.has("safeguarding_lead")):
        raise PermissionDenied("Only team managers and safeguarding leads review concerns.")
    return Concern.objects.for_review_by(user)


def named_in_draft(user, organisation_id, *, team_id, source_staff_id=None, source_person_id=None):
    """(team, member of staff, person supported) a new concern names by id, each one
    the recorder may name; otherwise ValidationError naming the field."""
    team = (
        Team.objects.select_related("service")
        .filter(pk=team_id, service__organisation_id=organisation_id)
        .first()
    )
    if team is None:
        raise ValidationError({"team": ["Choose a team of your organisation"]})
    staff = person = None
    if source_staff_id is not None:
        staff = (
            get_user_model()
            .objects.filter(pk=source_staff_id, memberships__organisation_id=organisation_id)
            .first()
        )
        if staff is None:
            raise ValidationError(
                {"source_staff": ["Choose a member of your organisation's staff"]}
            )
    if source_person_id is not None:
        person = Person.objects.visible_to(user).filter(pk=source_person_id).first()
        if person is None:
            raise ValidationError(
                {"source_person": ["Choose a person you can see, or describe them instead"]}
            )
    return team, staff, person


def import_organisations(user):
    """The organisations this user may import people and concerns for: those they are a
    safeguarding lead of. PermissionDenied for anyone else."""
    if not user.has_perm("concerns.import_concerns"):
        raise PermissionDenied("Only safeguarding leads import people and concerns.")
    ids = Membership.objects.filter(user=user, role=Role.SAFEGUARDING_LEAD).values(
        "organisation_id"
    )
    return Organisation.objects.filter(pk__in=ids).order_by("name")


def get_import_job_for(user, job_id) -> ImportJob:
    """An import of an organisation this user imports for; otherwise Http404 (or
    PermissionDenied for someone who imports nothing)."""
    job = (
        ImportJob.objects.filter(pk=job_id, organisation__in=import_organisations(user))
        .select_related("created_by")
        .first()
    )
    if job is None:
        raise Http404("No such import")
    return job
