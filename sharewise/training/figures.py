"""What training shows elsewhere: coverage by team for the dashboard, one member of
staff's results for supervision, practice scores for the learning log, and the
de-identified figures of the evidence pack. Read-only, and each figure is one grouped
query whatever the number of staff or attempts."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Avg, Count, Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst

from sharewise.organisations.access import scope_for
from sharewise.organisations.models import Membership, Role, Team
from sharewise.policy.models import PolicyVersion
from sharewise.training import applies, assignments, casebook, receipts
from sharewise.training.models import Assigned, Assignment, Attempt, Receipt

STAFF_ROLES = (Role.CARE_WORKER, Role.TEAM_MANAGER)
RECENT_DAYS = 90
POINTS_SHOWN = 3


def kind_label(kind: str) -> str:
    return applies.TITLES.get(kind, kind.replace("_", " ").capitalize())


def what_label(assignment: Assignment) -> str:
    return capfirst(assignments.title(assignment))


def in_force(organisation_id: int, at: datetime | None = None) -> dict[str, PolicyVersion]:
    """The version in force of each policy staff confirm (at a moment, or now), in
    one query: an organisation has a handful of versions, not one per member of staff."""
    versions = PolicyVersion.objects.filter(
        organisation_id=organisation_id, kind__in=list(applies.KINDS)
    ).order_by("kind", "-version")
    if at is not None:
        versions = versions.filter(created_at__lt=at)
    found: dict[str, PolicyVersion] = {}
    for v in versions.only("pk", "kind", "version"):
        found.setdefault(v.kind, v)
    return found


# Oversight dashboard: coverage by team


def teams_seen_by(user):
    """The teams whose coverage this person may see: every team for a lead, the teams
    they manage for a team manager."""
    scope = scope_for(user)
    return (
        Team.objects.filter(
            Q(service__organisation_id__in=scope.lead_org_ids) | Q(pk__in=scope.managed_team_ids),
            is_active=True,
        )
        .select_related("service")
        .order_by("service__name", "name")
    )


def coverage_by_team(user, today: date | None = None) -> list[dict]:
    """Per team the person may see: its care workers and managers, how many have
    training assigned, have done all of it, have some overdue; their mean practice
    score over the last 90 days; and how many confirmed every policy version in force."""
    today = today or timezone.localdate()
    teams = list(teams_seen_by(user))
    if not teams:
        return []
    org = scope_for(user).organisation_id
    team_ids = [t.pk for t in teams]
    live = Assigned.objects.filter(
        staff_id=OuterRef("user_id"),
        assignment__organisation_id=org,
        assignment__withdrawn_at__isnull=True,
    )
    open_ = live.filter(completed_at__isnull=True)
    # A version is asked of the roles its policy applies to, from the first change on
    # (the shipped version 1 asks nobody).
    confirmed = Q()
    for kind, version in in_force(org).items():
        if version.version > 1:
            confirmed &= ~Q(role__in=applies.roles_for(kind)) | Q(
                Exists(Receipt.objects.filter(staff_id=OuterRef("user_id"), policy_id=version.pk))
            )
    members = (
        Membership.objects.filter(team_id__in=team_ids, role__in=STAFF_ROLES, user__is_active=True)
        .annotate(
            has_assigned=Exists(live),
            has_open=Exists(open_),
            has_overdue=Exists(open_.filter(assignment__due__lt=today)),
        )
        .order_by()
        .values("team_id")
        .annotate(
            staff=Count("user_id", distinct=True),
            assigned=Count("user_id", distinct=True, filter=Q(has_assigned=True)),
            done=Count("user_id", distinct=True, filter=Q(has_assigned=True, has_open=False)),
            overdue=Count("user_id", distinct=True, filter=Q(has_overdue=True)),
            # With no policy to confirm, everyone has confirmed all there is.
            confirmed=Count("user_id", distinct=True, filter=confirmed or None),
        )
    )
    counts = {row["team_id"]: row for row in members}
    scores = _recent_scores_by_team(org, team_ids)
    rows = []
    for team in teams:
        c = counts.get(team.pk, {})
        s = scores.get(team.pk, {})
        staff = c.get("staff", 0)
        rows.append(
            {
                "team": team,
                "staff": staff,
                "assigned": c.get("assigned", 0),
                "done": c.get("done", 0),
                "overdue": c.get("overdue", 0),
                "mean_score": None if s.get("mean") is None else round(s["mean"]),
                "attempts": s.get("attempts", 0),
                "confirmed": c.get("confirmed", 0),
            }
        )
    return rows


def _recent_scores_by_team(org: int, team_ids: list[int]) -> dict[int, dict]:
    """{team: {mean, attempts}} over the last 90 days: attempts summed per member of
    staff first (one pass over the window in the covering index), then added to each
    team they work in, so the cost follows the attempts in the window, not attempts x
    memberships."""
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    # (staff, score) straight from the covering index, summed here: SQLite would
    # rather group along the staff index and read every attempt.
    per_staff: dict[int, list[int]] = {}
    for staff_id, score in (
        Attempt.objects.filter(organisation_id=org, finished_at__gte=since, score__isnull=False)
        .order_by()
        .values_list("staff_id", "score")
    ):
        found = per_staff.setdefault(staff_id, [0, 0])
        found[0] += score
        found[1] += 1
    teams: dict[int, list[int]] = {}
    for team_id, staff_id in (
        Membership.objects.filter(
            team_id__in=team_ids,
            role__in=STAFF_ROLES,
            user__is_active=True,
            user_id__in=list(per_staff),
        )
        .values_list("team_id", "user_id")
        .distinct()
    ):
        found = teams.setdefault(team_id, [0, 0])
        found[0] += per_staff[staff_id][0]
        found[1] += per_staff[staff_id][1]
    return {t: {"mean": total / n, "attempts": n} for t, (total, n) in teams.items() if n}


# Supervision: one member of staff's training


def _main_points(feedback) -> list[str]:
    """What went wrong first (that is what to talk about), then what went right."""
    items = [f for f in feedback or [] if isinstance(f, dict) and f.get("point")]
    wrong = [f["point"] for f in items if not f.get("right")]
    right = [f["point"] for f in items if f.get("right")]
    return (wrong + right)[:POINTS_SHOWN]


def staff_training(staff, organisation_id: int, today: date | None = None, limit=10) -> dict:
    """A member of staff's practice results (newest first), the policy versions they
    confirmed and those in force they have not, and their open assignments. The
    caller has checked that the reader may see this person's training."""
    today = today or timezone.localdate()
    attempts = [
        {
            "id": a.pk,
            "case": a.case_title,
            "case_code": a.case_code,
            "score": a.score,
            "at": a.finished_at,
            "points": _main_points(a.feedback),
            "url": reverse("practice_attempt", args=[a.pk]),
        }
        for a in Attempt.objects.filter(
            organisation_id=organisation_id, staff=staff, finished_at__isnull=False
        ).order_by("-finished_at", "-id")[:limit]
    ]
    confirmed = list(
        Receipt.objects.filter(organisation_id=organisation_id, staff=staff).order_by(
            "kind", "-version"
        )
    )
    not_confirmed = [
        {"kind": c.kind, "label": c.title, "version": c.version} for c in receipts.to_confirm(staff)
    ]
    open_ = [
        {
            "what": what_label(a.assignment),
            "due": a.assignment.due,
            "overdue": a.assignment.due < today,
            "id": a.assignment_id,
        }
        for a in Assigned.objects.filter(
            staff=staff,
            assignment__organisation_id=organisation_id,
            assignment__withdrawn_at__isnull=True,
            completed_at__isnull=True,
        )
        .select_related("assignment")
        .order_by("assignment__due", "id")
    ]
    return {
        "attempts": attempts,
        "confirmed": [
            {
                "kind": r.kind,
                "label": kind_label(r.kind),
                "version": r.version,
                "at": r.confirmed_at,
            }
            for r in confirmed
        ],
        "not_confirmed": not_confirmed,
        "assignments": open_,
        "overdue": sum(a["overdue"] for a in open_),
    }


# Learning log


def cases_of_pattern(pattern: str) -> list[str]:
    return sorted(code for code, p in casebook.failure_patterns().items() if p == pattern)


def mean_score(organisation_id: int, case_codes, start: datetime, end: datetime):
    """(mean score, attempts) of the attempts at these cases finished in [start, end)."""
    found = (
        Attempt.objects.filter(
            organisation_id=organisation_id,
            case_code__in=list(case_codes),
            finished_at__gte=start,
            finished_at__lt=end,
            score__isnull=False,
        )
        .order_by()
        .aggregate(mean=Avg("score"), n=Count("pk"))
    )
    return found["mean"], found["n"]


def _from(source: str, source_id: int):
    return Assignment.objects.filter(source=source, source_id=source_id)


def completed_staff(organisation_id: int, source: str, source_id: int) -> set[int]:
    """Staff who have done training assigned from this lesson or action."""
    return set(
        Assigned.objects.filter(
            assignment__in=_from(source, source_id).filter(organisation_id=organisation_id),
            completed_at__isnull=False,
        ).values_list("staff_id", flat=True)
    )


def assignments_from(organisation_id: int, source: str, source_id: int, today=None):
    """The assignments made from a lesson or action, with how many they reach and
    how many have done them."""
    today = today or timezone.localdate()
    made = (
        _from(source, source_id)
        .filter(organisation_id=organisation_id)
        .annotate(
            reached=Count("assigned", distinct=True),
            done=Count("assigned", distinct=True, filter=Q(assigned__completed_at__isnull=False)),
        )
        .order_by("due", "id")
    )
    return [
        {
            "id": a.pk,
            "what": what_label(a),
            "due": a.due,
            "reached": a.reached,
            "done": a.done,
            "overdue": a.withdrawn_at is None and a.due < today and a.done < a.reached,
            "withdrawn": a.withdrawn_at is not None,
        }
        for a in made
    ]


# Evidence pack


def evidence(organisation_id: int, lo: datetime, hi: datetime, now=None) -> dict:
    """The period [lo, hi) in plain unsuppressed counts, naming nobody: assignments due
    in it and whether done, practice attempts and mean score by failure pattern, and
    per policy staff confirm, the share of the staff it applies to who confirmed the
    version in force at the period's end."""
    now = min(now or timezone.now(), hi)
    staff_ids = (
        Membership.objects.filter(organisation_id=organisation_id, user__is_active=True)
        .exclude(role=Role.ADMINISTRATOR)
        .values("user_id")
        .distinct()
    )
    return {
        **_assignments_due(organisation_id, lo, hi, now),
        "attempts_by_pattern": _practice_by_pattern(organisation_id, lo, hi),
        "staff": staff_ids.count(),
        "policies": _policies_confirmed(organisation_id, hi, staff_ids),
    }


def _assignments_due(organisation_id: int, lo: datetime, hi: datetime, now) -> dict:
    due = Assigned.objects.filter(
        assignment__organisation_id=organisation_id,
        assignment__withdrawn_at__isnull=True,
        assignment__due__gte=timezone.localdate(lo),
        assignment__due__lt=timezone.localdate(hi),
    )
    # Done on time: on or before the day it was due, in local time.
    counts = due.order_by().aggregate(
        n=Count("pk"),
        done=Count("pk", filter=Q(completed_at__lt=hi)),
        on_time=Count(
            "pk", filter=Q(completed_at__lt=hi, completed_at__date__lte=F("assignment__due"))
        ),
    )
    overdue = due.filter(
        Q(completed_at__isnull=True) | Q(completed_at__gte=hi),
        assignment__due__lt=timezone.localdate(now),
    ).count()
    return {
        "assigned": counts["n"],
        "done": counts["done"],
        "done_on_time": counts["on_time"],
        "not_done": counts["n"] - counts["done"],
        "overdue": overdue,
    }


def _practice_by_pattern(organisation_id: int, lo: datetime, hi: datetime) -> list[dict]:
    patterns = casebook.failure_patterns()
    by_pattern: dict[str, dict] = {}
    for code, n, mean in (
        Attempt.objects.filter(
            organisation_id=organisation_id,
            finished_at__gte=lo,
            finished_at__lt=hi,
            score__isnull=False,
        )
        .order_by()
        .values_list("case_code")
        .annotate(n=Count("pk"), mean=Avg("score"))
    ):
        pattern = patterns.get(code) or "other"
        row = by_pattern.setdefault(pattern, {"code": pattern, "attempts": 0, "total": 0.0})
        row["attempts"] += n
        row["total"] += float(mean) * n
    return [
        {
            "code": r["code"],
            "attempts": r["attempts"],
            "mean_score": round(r["total"] / r["attempts"], 1) if r["attempts"] else None,
        }
        for r in sorted(by_pattern.values(), key=lambda r: r["code"])
    ]


def _policies_confirmed(organisation_id: int, hi: datetime, staff_ids) -> list[dict]:
    versions = in_force(organisation_id, at=hi)
    confirmed = dict(
        Receipt.objects.filter(
            policy_id__in=[v.pk for v in versions.values()],
            staff_id__in=staff_ids,
            confirmed_at__lt=hi,
        )
        .order_by()
        .values_list("kind")
        .annotate(n=Count("staff_id", distinct=True))
    )
    # Each policy is asked of the roles it applies to, so each has its own whole.
    asked = {
        kind: staff_ids.filter(role__in=applies.roles_for(kind)).count() for kind in applies.KINDS
    }
    return [
        {
            "kind": kind,
            "label": label,
            "version": versions[kind].version if kind in versions else None,
            "staff": asked[kind],
            "confirmed": confirmed.get(kind, 0) if kind in versions else 0,
        }
        for kind, label in applies.TITLES.items()
        # Asked from the first change on, or when a lead assigned it to read.
        if (kind in versions and versions[kind].version > 1) or confirmed.get(kind)
    ]
