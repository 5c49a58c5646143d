"""Supervision focused on judgement: a manager and one member of staff go through that
person's recent concerns, reviews and decisions with challenge prompts from policy."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.concerns.models import Concern, Review
from sharewise.governance.models import Supervision
from sharewise.organisations.access import scope_for
from sharewise.organisations.models import Membership, Role
from sharewise.patterns.models import Alert, AlertDecision
from sharewise.policy import store
from sharewise.sharing.models import SharingDecision

SUPERVISED_ROLES = (Role.CARE_WORKER, Role.TEAM_MANAGER)
PER_KIND = 15


@dataclass
class Row:
    staff: object
    last: object  # Supervision or None
    due: date | None
    overdue: bool


def supervisees(user, organisation_id: int):
    """Staff this person may supervise: a lead, every care worker and manager; a
    manager, the care workers in the teams they manage. Never themselves."""
    scope = scope_for(user)
    members = Membership.objects.filter(organisation_id=organisation_id, role__in=SUPERVISED_ROLES)
    if organisation_id not in scope.lead_org_ids:
        teams = scope.managed_team_ids
        if not teams:
            return get_user_model().objects.none()
        from sharewise.organisations.models import Team

        services = Team.objects.filter(pk__in=teams).values("service_id")
        members = members.filter(role=Role.CARE_WORKER).filter(
            Q(team_id__in=teams) | Q(service_id__in=services, team__isnull=True)
        )
    return (
        get_user_model()
        .objects.filter(pk__in=members.values("user_id"), is_active=True)
        .exclude(pk=user.pk)
        .order_by("first_name", "last_name", "username")
    )


def overview(user, organisation_id: int, today=None) -> list[Row]:
    """Each supervisee with their last session and whether the next is overdue."""
    today = today or timezone.localdate()
    _, policy = store.in_force(organisation_id, "governance")
    staff = list(supervisees(user, organisation_id))
    latest = dict(
        Supervision.objects.filter(organisation_id=organisation_id, staff__in=staff)
        .values("staff_id")
        .annotate(last=Max("id"))
        .values_list("staff_id", "last")
    )
    sessions = Supervision.objects.in_bulk(latest.values())
    rows = []
    for person in staff:
        last = sessions.get(latest.get(person.pk))
        due = last.next_due if last else None
        rows.append(Row(person, last, due, due is None or due < today))
    rows.sort(key=lambda r: (not r.overdue, r.due or date.min))
    return rows


def material(supervisor, staff, organisation_id: int, today=None) -> dict[str, list[dict]]:
    """The member of staff's recent work that the supervisor may see, newest first."""
    _, policy = store.in_force(organisation_id, "governance")
    since = timezone.now() - timedelta(days=policy.supervision_look_back_days)
    decisions = _sharing_decisions(supervisor, staff, organisation_id, since)
    decisions += _alert_decisions(supervisor, staff, organisation_id, since)
    decisions.sort(key=lambda r: r["at"], reverse=True)
    return {
        "concerns": _concerns(supervisor, staff, organisation_id, since),
        "reviews": _reviews(supervisor, staff, organisation_id, since),
        "decisions": decisions,
    }


def _first(people):
    people = list(people)
    return people[0] if people else None


def _concerns(supervisor, staff, organisation_id: int, since) -> list[dict]:
    concerns = (
        Concern.objects.visible_to(supervisor)
        .filter(organisation_id=organisation_id, recorded_by=staff, recorded_at__gte=since)
        .prefetch_related("people")
        .order_by("-recorded_at")[:PER_KIND]
    )
    return [
        _row(
            "concern",
            c.pk,
            c.recorded_at,
            _first(c.people.all()),
            f"Concern: {c.facts[:160]}",
            c.severity,
        )
        for c in concerns
    ]


def _reviews(supervisor, staff, organisation_id: int, since) -> list[dict]:
    reviews = (
        Review.objects.filter(
            reviewed_by=staff,
            reviewed_at__gte=since,
            concern__in=Concern.objects.visible_to(supervisor).filter(
                organisation_id=organisation_id
            ),
        )
        .select_related("concern")
        .prefetch_related("concern__people")
        .order_by("-reviewed_at")[:PER_KIND]
    )
    return [
        _row(
            "review",
            r.concern_id,
            r.reviewed_at,
            _first(r.concern.people.all()),
            f"Review ({r.get_outcome_display().lower()}): {r.rationale[:160]}",
        )
        for r in reviews
    ]


def _sharing_decisions(supervisor, staff, organisation_id: int, since) -> list[dict]:
    decisions = (
        SharingDecision.objects.visible_to(supervisor)
        .filter(organisation_id=organisation_id, decided_by=staff, decided_at__gte=since)
        .select_related("person")
        .order_by("-decided_at")[:PER_KIND]
    )
    return [
        _row(
            "sharing_decision",
            d.pk,
            d.decided_at,
            d.person,
            f"Sharing decision ({d.get_outcome_display().lower()}): {d.question[:160]}",
        )
        for d in decisions
    ]


def _alert_decisions(supervisor, staff, organisation_id: int, since) -> list[dict]:
    decided = (
        AlertDecision.objects.filter(
            decided_by=staff,
            decided_at__gte=since,
            alert__in=Alert.objects.visible_to(supervisor).filter(organisation_id=organisation_id),
        )
        .select_related("alert__person")
        .order_by("-decided_at")[:PER_KIND]
    )
    return [
        _row(
            "alert_decision",
            a.pk,
            a.decided_at,
            a.alert.person,
            f"Alert decided ({a.get_outcome_display().lower()}): {a.rationale[:160]}",
        )
        for a in decided
    ]


def _row(kind, pk, at, person, label, severity="") -> dict:
    return {
        "key": f"{kind}:{pk}",
        "type": kind,
        "id": pk,
        "at": at,
        "person": person,
        "person_id": person.pk if person else None,
        "label": label,
        "severity": severity,
    }


def record(request, organisation_id: int, staff, data: dict, today=None) -> Supervision:
    """Record a session. data: items (keys from material), responses {prompt index:
    text}, reflection, learning, next_due. Raises ValidationError({field: message})."""
    today = today or timezone.localdate()
    version, policy = store.in_force(organisation_id, "governance")
    found = {}
    if not supervisees(request.user, organisation_id).filter(pk=staff.pk).exists():
        found["staff"] = "You can only supervise staff in the teams you manage"
    offered = {
        r["key"]: r
        for rows in material(request.user, staff, organisation_id, today).values()
        for r in rows
    }
    chosen = [k for k in data.get("items", []) if k]
    if unknown := [k for k in chosen if k not in offered]:
        found["items"] = f"Choose from this person's recent work ({len(unknown)} not found)"
    responses = data.get("responses", {})
    prompts = [
        {"prompt": text, "response": (responses.get(str(i)) or "").strip()}
        for i, text in enumerate(policy.challenge_prompts)
    ]
    if not any(p["response"] for p in prompts):
        found["responses"] = "Answer at least one challenge question together"
    asked = {str(i) for i in range(len(policy.challenge_prompts))}
    for key in sorted(k for k, text in responses.items() if str(k) not in asked and text):
        found[f"responses.{key}"] = (
            f"There is no challenge question {key}: answer questions 0 to "
            f"{len(policy.challenge_prompts) - 1}, as the policy numbers them"
        )
    if len((data.get("reflection") or "").split()) < 3:
        found["reflection"] = "Write the staff member's reflection, in at least 3 words"
    if len((data.get("learning") or "").split()) < 3:
        found["learning"] = "Write the learning you agreed, in at least 3 words"
    next_due = data.get("next_due") or today + timedelta(days=policy.supervision_every_days)
    if not isinstance(next_due, date):
        found["next_due"] = "Give the date of the next session, for example 27 3 2027"
    elif next_due <= today:
        found["next_due"] = "The next session must be after today"
    elif next_due > today + timedelta(days=365):
        found["next_due"] = "The next session must be within a year"
    if found:
        raise ValidationError(found)
    items = [
        {k: offered[key][k] for k in ("type", "id", "label", "person_id")}
        | {"at": offered[key]["at"].isoformat()}
        for key in chosen
    ]
    with transaction.atomic():
        session = Supervision.objects.create(
            organisation_id=organisation_id,
            supervisor=request.user,
            staff=staff,
            items=items,
            prompts=[p for p in prompts if p["response"]],
            reflection=data["reflection"].strip(),
            learning=data["learning"].strip(),
            next_due=next_due,
            policy_version=version,
        )
        trail.record_request(
            request,
            "supervision.record",
            object_type="supervision",
            object_id=session.pk,
            organisation_id=organisation_id,
            detail={"staff": staff.pk, "items": len(items)},
        )
    return session


@dataclass
class Own:
    sessions: list
    due: date | None
    overdue: bool


def own(user, organisation_id: int, today=None) -> Own:
    """A member of staff's own supervision record, newest first, and when the next
    session is due (now, if there has never been one)."""
    today = today or timezone.localdate()
    sessions = list(
        Supervision.objects.filter(organisation_id=organisation_id, staff=user).select_related(
            "supervisor"
        )[:100]
    )
    due = sessions[0].next_due if sessions else None
    return Own(sessions, due, due is None or due < today)


def shown_items(session: Supervision, visible: set[int]) -> list[dict]:
    """What was discussed, as this reader may see it: a record about someone outside
    their services keeps its place in the list but not its words, which may name them."""
    return [
        i | {"label": "A record about someone you cannot see now"}
        if i.get("person_id") and i["person_id"] not in visible
        else i
        for i in session.items
    ]


def sessions_for(user, organisation_id: int):
    """Sessions this person may read: theirs as supervisor or supervisee, or any for a
    lead."""
    qs = Supervision.objects.filter(organisation_id=organisation_id)
    if organisation_id in scope_for(user).lead_org_ids:
        return qs
    return qs.filter(Q(supervisor=user) | Q(staff=user))
