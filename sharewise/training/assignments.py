"""Giving staff a practice case or a policy to read, and marking their part done. The
pages, the API, the learning log and audit actions all assign through `assign`; a
finished attempt or a confirmed read receipt marks it done through `mark_done`."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.organisations.access import scope_for
from sharewise.organisations.models import Membership, Role, Team
from sharewise.patterns.notices import notify
from sharewise.policy import store
from sharewise.training import applies, casebook
from sharewise.training.models import Assigned, Assignment, Receipt

ONLY_LEADS = "Only safeguarding leads assign training."


def reach(organisation_id: int, roles=(), team_ids=(), staff_ids=()) -> set[int]:
    """The active staff that roles, teams and named staff reach: those holding one of
    the roles (all roles when none is named) in one of the teams (the whole
    organisation when none is named; a team's service-wide managers work in it too),
    and the staff named. Nobody when nothing is named."""
    teams = list(Team.objects.filter(pk__in=team_ids).values_list("pk", "service_id"))
    memberships = Membership.objects.filter(
        organisation_id=organisation_id, user__is_active=True
    ).exclude(role=Role.ADMINISTRATOR)
    if roles:
        memberships = memberships.filter(role__in=list(roles))
    if teams:
        memberships = memberships.filter(
            Q(team_id__in=[t for t, _ in teams]) | Q(service_id__in={s for _, s in teams})
        )
    people = set()
    if roles or teams:
        people = set(memberships.values_list("user_id", flat=True))
    named = set(
        get_user_model()
        .objects.filter(pk__in=list(staff_ids), is_active=True)
        .values_list("pk", flat=True)
    )
    return people | named


def reaches(assignment: Assignment) -> set[int]:
    """The active staff an assignment is for now (see `reach`)."""
    return reach(
        assignment.organisation_id,
        assignment.roles,
        assignment.teams.values_list("pk", flat=True),
        assignment.staff.values_list("pk", flat=True),
    )


def add_new(assignment: Assignment, now=None) -> set[int]:
    """Add everyone the assignment now reaches who is not on it yet; returns who. A
    policy to read is done at once for anyone who already confirmed the version in
    force."""
    have = set(assignment.assigned.values_list("staff_id", flat=True))
    new = reaches(assignment) - have
    now = now or timezone.now()
    Assigned.objects.bulk_create(
        [Assigned(assignment=assignment, staff_id=pk, added_at=now) for pk in new],
        ignore_conflicts=True,
    )
    if new and assignment.what == Assignment.What.POLICY:
        version, _ = store.in_force(assignment.organisation_id, assignment.policy_kind)
        for receipt in Receipt.objects.filter(policy=version, staff_id__in=new):
            Assigned.objects.filter(
                assignment=assignment, staff_id=receipt.staff_id, completed_at__isnull=True
            ).update(completed_at=now, receipt=receipt)
    return new


def add_reached(assignment: Assignment, now=None) -> int:
    """Add everyone the assignment now reaches who is not on it yet (staff who joined a
    team after it was made); nobody is ever taken off. Returns how many were added."""
    return len(add_new(assignment, now))


def tell_assigned(assignment: Assignment, staff_ids) -> None:
    """Tell staff they have training to do: what and when, never about a person."""
    notify(
        staff_ids,
        f"You have training to do by {assignment.due:%-d %B %Y}: {title(assignment)}",
        reverse("your_training"),
    )


def title(assignment: Assignment) -> str:
    """What an assignment asks, in words."""
    if assignment.what == Assignment.What.CASE:
        name = casebook.titles().get(assignment.case_code, assignment.case_code)
        return f"practice case “{name}”"
    return f"read the {applies.TITLES.get(assignment.policy_kind, assignment.policy_kind).lower()}"


@transaction.atomic
def assign(
    request,
    *,
    organisation_id: int,
    what: str,
    due: date,
    case_code: str = "",
    policy_kind: str = "",
    roles=(),
    team_ids=(),
    staff_ids=(),
    note: str = "",
    source: str = Assignment.Source.LEAD,
    source_id: int | None = None,
    via: str = "page",
) -> Assignment:
    """Make an assignment and give it to everyone it reaches. The caller has checked
    the permission and the choices (the form or the API schema)."""
    assignment = Assignment.objects.create(
        organisation_id=organisation_id,
        what=what,
        case_code=case_code if what == Assignment.What.CASE else "",
        policy_kind=policy_kind if what == Assignment.What.POLICY else "",
        roles=sorted(set(roles)),
        due=due,
        note=note.strip(),
        source=source,
        source_id=source_id,
        created_by=request.user,
    )
    assignment.teams.set(
        Team.objects.filter(pk__in=team_ids, service__organisation_id=organisation_id)
    )
    assignment.staff.set(
        Membership.objects.filter(organisation_id=organisation_id, user_id__in=staff_ids)
        .values_list("user_id", flat=True)
        .distinct()
    )
    reached = add_new(assignment)
    tell_assigned(assignment, reached)
    trail.record_request(
        request,
        "assigned training",
        object_type="training assignment",
        object_id=assignment.pk,
        organisation_id=organisation_id,
        detail={
            "what": what,
            "case": assignment.case_code,
            "policy": assignment.policy_kind,
            "reached": len(reached),
            "source": source,
            "via": via,
        },
    )
    return assignment


def mark_done(staff, *, case_code: str = "", attempt=None, policy_kind: str = "", receipt=None):
    """Mark done this member of staff's open assignments of the case (by a finished
    attempt) or of the policy (by a receipt for the version in force). Returns how many."""
    open_ = Assigned.objects.filter(
        staff=staff, completed_at__isnull=True, assignment__withdrawn_at__isnull=True
    )
    now = timezone.now()
    if attempt is not None:
        return open_.filter(
            assignment__what=Assignment.What.CASE, assignment__case_code=case_code
        ).update(completed_at=now, attempt=attempt)
    if receipt is not None:
        return open_.filter(
            assignment__what=Assignment.What.POLICY, assignment__policy_kind=policy_kind
        ).update(completed_at=now, receipt=receipt)
    return 0


# Assigning from the pages and the API: the permission and the checks, then `assign`.

ROLES_ASSIGNED = [r for r in Role if r != Role.ADMINISTRATOR]
NOBODY = (
    "Nobody matches: choose roles, teams or named staff that reach at least one member of staff"
)


def make(
    request,
    *,
    what: str,
    due: date,
    case_code: str = "",
    policy_kind: str = "",
    roles=(),
    team_ids=(),
    staff_ids=(),
    note: str = "",
    source: str = Assignment.Source.LEAD,
    source_id: int | None = None,
    via: str = "page",
) -> Assignment:
    """Assign training as the signed-in lead. PermissionDenied for anyone else;
    ValidationError naming each field to fix, saving nothing."""
    if not request.user.has_perm("training.assign"):
        raise PermissionDenied(ONLY_LEADS)
    organisation_id = min(scope_for(request.user).lead_org_ids)
    problems: dict[str, str] = {}
    if what == Assignment.What.CASE:
        if case_code not in casebook.titles():
            problems["case_code"] = "Choose a practice case"
    elif what == Assignment.What.POLICY:
        if policy_kind not in applies.KINDS:
            problems["policy_kind"] = "Choose a policy to read: " + ", ".join(applies.KINDS)
    else:
        problems["what"] = "Choose a practice case or a policy to read"
    if due < timezone.localdate():
        problems["due"] = "The due date must be today or in the future"
    if unknown := set(roles) - set(ROLES_ASSIGNED):
        problems["roles"] = f"There is no role called {sorted(unknown)[0]!r} to assign to"
    teams = set(
        Team.objects.filter(
            pk__in=list(team_ids), service__organisation_id=organisation_id
        ).values_list("pk", flat=True)
    )
    if set(team_ids) - teams:
        problems["teams"] = "Choose teams of your organisation"
    staff = set(
        Membership.objects.filter(organisation_id=organisation_id, user_id__in=list(staff_ids))
        .exclude(role=Role.ADMINISTRATOR)
        .values_list("user_id", flat=True)
    )
    if set(staff_ids) - staff:
        problems["staff"] = "Choose members of your organisation's staff"
    if source not in Assignment.Source.values:
        problems["source"] = "Say where the assignment comes from: lead, lesson or action"
    elif (source == Assignment.Source.LEAD) != (source_id is None):
        problems["source_id"] = (
            "Give the lesson or action it comes from"
            if source_id is None
            else "Only an assignment from a lesson or action names one"
        )
    if not problems and not reach(organisation_id, roles, teams, staff):
        problems["__all__"] = NOBODY
    if problems:
        raise ValidationError(problems)
    return assign(
        request,
        organisation_id=organisation_id,
        what=what,
        due=due,
        case_code=case_code,
        policy_kind=policy_kind,
        roles=roles,
        team_ids=teams,
        staff_ids=staff,
        note=note,
        source=source,
        source_id=source_id,
        via=via,
    )


@transaction.atomic
def withdraw(request, assignment: Assignment, reason: str, *, via: str = "page") -> Assignment:
    """Withdraw an assignment, saying why: it stays, with who has done it, but nobody
    is reminded of it again."""
    if not request.user.has_perm("training.assign"):
        raise PermissionDenied(ONLY_LEADS)
    reason = (reason or "").strip()
    if len(reason.split()) < 2:
        raise ValidationError({"reason": "Say why it is withdrawn, in a few words"})
    if assignment.withdrawn_at:
        raise ValidationError(
            {"reason": f"It was already withdrawn on {assignment.withdrawn_at:%-d %B %Y}"}
        )
    assignment.withdrawn_at = timezone.now()
    assignment.withdrawn_by = request.user
    assignment.withdrawn_reason = reason
    assignment.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
    trail.record_request(
        request,
        "withdrew training assignment",
        object_type="training assignment",
        object_id=assignment.pk,
        organisation_id=assignment.organisation_id,
        reason=reason,
        detail={"via": via} if via != "page" else {},
    )
    return assignment


def with_progress(assignments):
    """Assignments with how many they reach and how many have done them."""
    return assignments.annotate(
        reached_count=Count("assigned", distinct=True),
        done_count=Count("assigned", filter=Q(assigned__completed_at__isnull=False), distinct=True),
    )


def overdue_count(assignment: Assignment, today=None) -> int:
    today = today or timezone.localdate()
    if assignment.withdrawn_at or assignment.due >= today:
        return 0
    return getattr(assignment, "reached_count", 0) - getattr(assignment, "done_count", 0)


def who(assignment: Assignment):
    """Each member of staff the assignment reaches, done first then by name, with the
    attempt or receipt that did it."""
    return assignment.assigned.select_related("staff", "attempt", "receipt").order_by(
        "completed_at", "staff__first_name", "staff__last_name"
    )


def open_for(user):
    """This member of staff's assignments still to do (not withdrawn), soonest first."""
    return (
        Assigned.objects.filter(
            staff=user, completed_at__isnull=True, assignment__withdrawn_at__isnull=True
        )
        .select_related("assignment")
        .order_by("assignment__due", "id")
    )


def addressed(assignment: Assignment) -> str:
    """Whom the assignment was given to, in words: "Care workers in Night team; Tom
    Bradley"."""
    labels = dict(Role.choices)
    roles = ", ".join(f"{labels.get(r, r)}s" for r in assignment.roles)
    teams = ", ".join(t.name for t in assignment.teams.all())
    named = ", ".join(s.get_full_name() or s.username for s in assignment.staff.all())
    groups = " in ".join(p for p in (roles or ("Everyone" if teams else ""), teams) if p)
    return "; ".join(p for p in (groups, named) if p)
