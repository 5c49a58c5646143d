"""Every change to people's records, each written to the audit trail in the same
transaction, so nothing is changed without a trace and no trace is left half-written.
Views and API endpoints both call these."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.organisations.access import scope_for
from sharewise.people.access import break_glass_refusal
from sharewise.people.models import BreakGlassAccess, Enrolment, Person

MIN_REASON_LENGTH = 10


@transaction.atomic
def add_person(request, *, person: Person, team, start_date, detail=None) -> Person:
    person.full_clean()
    person.save()
    enrolment = Enrolment(person=person, team=team, start_date=start_date)
    enrolment.full_clean()
    enrolment.save()
    trail.record_request(
        request,
        "added person",
        object_type="person",
        object_id=person.pk,
        person_id=person.pk,
        organisation_id=person.organisation_id,
        detail={"team": team.pk, "start_date": start_date.isoformat(), **(detail or {})},
    )
    return person


@transaction.atomic
def add_enrolment(request, enrolment: Enrolment) -> Enrolment:
    enrolment.full_clean()
    enrolment.save()
    trail.record_request(
        request,
        "added enrolment",
        object_type="enrolment",
        object_id=enrolment.pk,
        person_id=enrolment.person_id,
        organisation_id=enrolment.person.organisation_id,
        detail={
            "team": enrolment.team_id,
            "start_date": enrolment.start_date.isoformat(),
            "end_date": enrolment.end_date.isoformat() if enrolment.end_date else None,
        },
    )
    return enrolment


@transaction.atomic
def review_break_glass(request, grant: BreakGlassAccess, note: str) -> BreakGlassAccess:
    """Mark someone's break-glass opening reviewed. Raises ValidationError for one's own:
    someone else reviews it."""
    if grant.reviewed_at is not None:
        return grant
    if grant.user_id == request.user.pk:
        raise ValidationError({"note": "Someone else reviews your own break-glass access"})
    grant.reviewed_by = request.user
    grant.reviewed_at = timezone.now()
    grant.review_note = note
    grant.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
    trail.record_request(
        request,
        "reviewed break-glass access",
        object_type="break-glass",
        object_id=grant.pk,
        person_id=grant.person_id,
        organisation_id=grant.person.organisation_id,
        reason=note,
    )
    return grant


def grant_break_glass(request, person_id, reason: str) -> BreakGlassAccess:
    """Open a record outside the user's scope for this session. Raises PermissionDenied
    when their role may not break glass, ValidationError on the reason when it is too
    thin, Http404 when there is no such record in the user's organisation."""
    if refusal := break_glass_refusal(request.user):
        raise PermissionDenied(refusal)
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationError(
            {"reason": "Give a reason of at least 10 characters: say why you need this record now"}
        )
    scope = scope_for(request.user)
    person = Person.objects.filter(pk=person_id, organisation_id__in=scope.organisation_ids).first()
    if person is None:
        raise Http404("No such record")
    if not request.session.session_key:
        request.session.save()
    with transaction.atomic():
        grant = BreakGlassAccess.objects.create(
            user=request.user,
            person=person,
            reason=reason,
            session_key=request.session.session_key,
        )
        trail.record_request(
            request,
            "break-glass access",
            object_type="person",
            object_id=person.pk,
            person_id=person.pk,
            organisation_id=person.organisation_id,
            reason=reason,
            detail={"break_glass": grant.pk},
        )
    return grant
