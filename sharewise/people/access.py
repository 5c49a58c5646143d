"""Fetching a person's record: the one door every view and endpoint goes through.

Out of scope answers 404, never revealing that the record exists. Every read that
succeeds is written to the audit trail."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import render

from sharewise.audittrail import trail
from sharewise.organisations.access import TEAM_ROLES, scope_for
from sharewise.organisations.models import Team
from sharewise.people.forms import BreakGlassForm
from sharewise.people.models import BreakGlassAccess, Person

MIN_REASON_LENGTH = 10


def _session_key(request) -> str | None:
    session = getattr(request, "session", None)
    return session.session_key if session is not None else None


def break_glass_grant(request, person_id) -> BreakGlassAccess | None:
    key = _session_key(request)
    if not key:
        return None
    return (
        BreakGlassAccess.objects.filter(user=request.user, person_id=person_id, session_key=key)
        .order_by("-granted_at")
        .first()
    )


def get_person_for(
    request, person_id, *, action: str = "viewed record", via: str = "page"
) -> Person:
    """The person, if this user may see them (by scope or by break-glass in this
    session), with the read written to the trail; otherwise Http404."""
    try:
        person_id = int(person_id)
    except (TypeError, ValueError):
        raise Http404("No such record") from None
    person = Person.objects.visible_to(request.user).filter(pk=person_id).first()
    grant = None
    if person is None:
        grant = break_glass_grant(request, person_id)
        if grant is None:
            raise Http404("No such record")
        person = grant.person
    person.break_glass = grant
    trail.record_request(
        request,
        action,
        object_type="person",
        object_id=person.pk,
        person_id=person.pk,
        organisation_id=person.organisation_id,
        reason=grant.reason if grant else "",
        detail={"via": via, **({"break_glass": grant.pk} if grant else {})},
    )
    return person


def not_found_page(request, person_id, form=None):
    """The answer to a record this user may not see, the same whether or not it
    exists: it offers break-glass to those whose role may use it."""
    return render(
        request,
        "people/not_found.html",
        {
            "person_id": person_id,
            "form": form or BreakGlassForm(),
            "break_glass_refusal": break_glass_refusal(request.user),
        },
        status=404,
    )


def break_glass_refusal(user) -> str | None:
    """Why this user may not break glass, or None. It is for staff who work with
    people (care workers, team managers) meeting someone outside their teams; a lead
    sees every record already, and administrators, auditors and data protection
    officers have no need to open a person's record this way."""
    scope = scope_for(user)
    if scope.has(*TEAM_ROLES):
        return None
    if scope.has("safeguarding_lead"):
        return "As safeguarding lead you already see every record in your organisation."
    return (
        "Break-glass access is for care workers and team managers meeting someone "
        "outside their teams: your role does not open people's records."
    )


def grant_break_glass(request, person_id, reason: str) -> BreakGlassAccess:
    """Open a record outside the user's scope for this session. Raises PermissionDenied
    when their role may not break glass, ValueError with a message to show when the
    reason is too thin, Http404 when there is no such record in the user's
    organisation."""
    if refusal := break_glass_refusal(request.user):
        raise PermissionDenied(refusal)
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ValueError(
            "Give a reason of at least 10 characters: say why you need this record now"
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


def teams_user_may_enrol(user):
    """Teams this user may enrol people with: a lead's whole organisation, a manager's own teams."""
    scope = scope_for(user)
    teams = Team.objects.select_related("service").filter(is_active=True)
    if scope.case_wide_org_ids and user.has_perm("people.add_person"):
        return teams.filter(service__organisation_id__in=scope.case_wide_org_ids)
    return teams.filter(pk__in=scope.managed_team_ids)


def kept_record_for(user, person_id) -> int | None:
    """The id of the record this one is merged into, if the user may see that one;
    so an old link leads to the person's one record, and reveals nothing otherwise."""
    kept_id = (
        Person.objects.filter(pk=person_id, merged_into__isnull=False)
        .values_list("merged_into_id", flat=True)
        .first()
    )
    if kept_id and Person.objects.visible_to(user).filter(pk=kept_id).exists():
        return kept_id
    return None
