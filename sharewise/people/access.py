"""Fetching a person's record: the one door every view and endpoint goes through.

Out of scope answers 404, never revealing that the record exists. Every read that
succeeds is written to the audit trail."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from sharewise.audittrail import trail
from sharewise.organisations.access import TEAM_ROLES, scope_for
from sharewise.organisations.models import Team
from sharewise.people.forms import BreakGlassForm
from sharewise.people.models import BreakGlassAccess, Enrolment, Person, PersonMerge


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
    request,
    person_id,
    *,
    action: str = "viewed record",
    via: str = "page",
    include_merged: bool = False,
) -> Person:
    """The person, if this user may see them (by scope or by break-glass in this
    session), with the read written to the trail; otherwise Http404. A record merged
    into another is found only with include_merged."""
    try:
        person_id = int(person_id)
    except (TypeError, ValueError):
        raise Http404("No such record") from None
    visible = Person.objects.visible_to(request.user, include_merged=include_merged)
    person = visible.filter(pk=person_id).first()
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


def trail_people_listed(request, query: str, page_number: int, people, *, via="page") -> None:
    """Write that a page of the people list (or a search of it) was shown."""
    detail = {"q": query, "page": page_number, "shown": [p.pk for p in people]}
    trail.record_request(
        request,
        "searched people" if query else "listed people",
        object_type="person list",
        organisation_id=scope_for(request.user).organisation_id,
        detail=detail | ({"via": via} if via != "page" else {}),
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


def get_people_to_merge(request, person_id, other_id, *, via="page") -> tuple[Person, Person]:
    """Two records a safeguarding lead may merge: the first must be one the user may
    see (else 404) before their role is asked (else 403), then the second (else 404),
    so the merge page and the API answer alike. Records already merged are found, so
    that merging them again is refused with the reason."""

    def fetch(pk):
        return get_person_for(request, pk, action="opened to merge", via=via, include_merged=True)

    person = fetch(person_id)
    if not request.user.has_perm("people.merge_person"):
        raise PermissionDenied("Only safeguarding leads can merge records.")
    return person, fetch(other_id)


def merges_visible_to(user):
    """Merges (and their undoing) in the organisations where this user is a lead: the
    only role that merges. Others are refused."""
    if not user.has_perm("people.merge_person"):
        raise PermissionDenied("Only safeguarding leads can merge records.")
    return PersonMerge.objects.filter(
        organisation_id__in=scope_for(user).case_wide_org_ids
    ).select_related("merged_by", "undone_by")


def get_merge_for(user, merge_id) -> PersonMerge:
    return _one(merges_visible_to(user), merge_id)


def break_glass_visible_to(user):
    """Break-glass openings in this user's organisations, for those who review them
    (leads and data protection officers); others are refused."""
    if not user.has_perm("people.review_break_glass"):
        raise PermissionDenied(
            "Only safeguarding leads and data protection officers review break-glass access."
        )
    return BreakGlassAccess.objects.filter(
        person__organisation_id__in=scope_for(user).organisation_ids
    ).select_related("user", "person", "reviewed_by")


def get_break_glass_for(user, grant_id) -> BreakGlassAccess:
    return _one(break_glass_visible_to(user), grant_id)


def enrolments_of(person: Person):
    """Every enrolment of the person's records (merged ones too), newest first."""
    return Enrolment.objects.filter(person_id__in=person.record_ids()).select_related(
        "team__service"
    )


def _one(queryset, pk):
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404("Not found")
    return found
