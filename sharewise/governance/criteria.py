"""The audit's questions: one query per criterion code in the governance policy.

Each takes (organisation id, period start, period end, criterion, now) and returns the
records that fail, as Failures. A record belongs to the period when its relevant date
falls in [start, end). Counting and filtering happen in the database; Python only
walks sets that stay small (alerts, consents, decisions, disclosures), so an audit of
an organisation with a million concerns stays quick."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db.models import Count, F, OuterRef, Q, Subquery

from sharewise.concerns.models import AwaitingReview, Concern, ConcernPerson
from sharewise.disclosures.models import Disclosure
from sharewise.governance.criteria_common import (
    Failure,
    _count,
    _day,
    _days,
    _listed,
    _span,
    _whole_days,
    _words,
)
from sharewise.governance.criteria_sharing import (
    decision_incomplete,
    decision_review_overdue,
    refusal_not_reviewed,
    refusal_without_capacity_view,
)
from sharewise.patterns.models import Alert, AlertDecision, AlertEvent, CaseForDecision
from sharewise.people.models import BreakGlassAccess
from sharewise.policy import store
from sharewise.policy.documents import CRITERIA, Criterion
from sharewise.policy.models import PolicyVersion

# Alerts ------------------------------------------------------------------------------

# Events that start a wait for a decision.
_WAIT_STARTS = (AlertEvent.Kind.REOPENED, AlertEvent.Kind.MONITORING_ENDED)


def alert_undecided(org_id: int, start, end, criterion: Criterion, now) -> list[Failure]:
    """Each case for decision opened in the period that waited longer than the policy
    allows, or still does: once, however many rules fired in it. Then each wait of an
    alert decided on its own before alerts were decided together."""
    allowed = timedelta(days=criterion.days)
    found = []
    cases = (
        CaseForDecision.objects.filter(
            organisation_id=org_id, opened_at__gte=start, opened_at__lt=end
        )
        .annotate(rules=Count("alerts"))
        .values("id", "person_id", "opened_at", "decided_at", "rules")
        .order_by("id")
    )
    for case in cases:
        began, ended = case["opened_at"], case["decided_at"]
        opened = f"Case for decision ({_count(case['rules'], 'rule')}) opened {_day(began)}"
        if ended is None and now - began > allowed:
            summary = (
                f"{opened} still waiting for a decision after "
                f"{_days(_whole_days(now - began))}; the policy allows {criterion.days}."
            )
        elif ended is not None and ended - began > allowed:
            summary = (
                f"{opened} was decided after {_days(_whole_days(ended - began))}; "
                f"the policy allows {criterion.days}."
            )
        else:
            continue
        found.append(Failure("case", case["id"], summary, person_id=case["person_id"]))
    return found + _alert_waits_alone(org_id, start, end, criterion, now)


def _alert_waits_alone(org_id: int, start, end, criterion: Criterion, now) -> list[Failure]:
    """Waits ended by a decision that was not a case's (made before alerts were
    decided together): walked alert by alert, as they were decided."""
    allowed = timedelta(days=criterion.days)
    reopened = AlertEvent.objects.filter(
        alert__organisation_id=org_id, kind__in=_WAIT_STARTS, at__gte=start, at__lt=end
    ).values("alert_id")
    alerts = list(
        Alert.objects.filter(organisation_id=org_id)
        .filter(Q(raised_at__gte=start, raised_at__lt=end) | Q(pk__in=reopened))
        .filter(pk__in=AlertDecision.objects.filter(case__isnull=True).values("alert_id"))
        .values("id", "person_id", "raised_at")
        .order_by("id")
    )
    ids = [a["id"] for a in alerts]
    starts, decided = defaultdict(list), defaultdict(list)
    for alert_id, at in AlertEvent.objects.filter(
        alert_id__in=ids, kind__in=_WAIT_STARTS
    ).values_list("alert_id", "at"):
        starts[alert_id].append(at)
    for alert_id, at, case_id in AlertDecision.objects.filter(alert_id__in=ids).values_list(
        "alert_id", "decided_at", "case_id"
    ):
        decided[alert_id].append((at, case_id))
    found = []
    for alert in alerts:
        pk = alert["id"]
        # Walk the alert's history: a wait starts when raised or reopened, ends when decided.
        timeline = sorted(
            [(alert["raised_at"], 0, "start", None)]
            + [(at, 0, "start", None) for at in starts[pk]]
            + [(at, 1, "decided", case_id) for at, case_id in decided[pk]]
        )
        waits, since = [], None
        for at, _, what, case_id in timeline:
            if what == "start" and since is None:
                since = at
            elif what == "decided" and since is not None:
                if case_id is None:  # a case's waits are counted as the case
                    waits.append((since, at))
                since = None
        summary = None
        for began, ended in waits:
            if not (start <= began < end):
                continue
            raised = f"Alert raised {_day(alert['raised_at'])}"
            if began != alert["raised_at"]:
                raised += f" (waiting again from {_day(began)})"
            if ended - began > allowed:
                summary = (
                    f"{raised} was decided after {_days(_whole_days(ended - began))}; "
                    f"the policy allows {criterion.days}."
                )
        if summary:
            found.append(Failure("alert", pk, summary, person_id=alert["person_id"]))
    return found


def alert_rationale_short(org_id: int, start, end, criterion: Criterion, now) -> list[Failure]:
    """Decisions on alerts whose written reasons are shorter than the patterns policy
    the decider was held to (the version recorded with the decision): once per case
    for decision, whose one decision each of its alerts records."""
    rows = AlertDecision.objects.filter(
        alert__organisation_id=org_id, decided_at__gte=start, decided_at__lt=end
    ).values_list(
        "id", "alert_id", "alert__person_id", "decided_at", "rationale", "policy_version", "case_id"
    )
    need_of: dict[int, int] = {}
    found, cases = [], set()
    for _, alert_id, person_id, decided_at, rationale, version_id, case_id in rows:
        if case_id is not None:
            if case_id in cases:
                continue
            cases.add(case_id)
        if version_id not in need_of:
            version = PolicyVersion.objects.get(pk=version_id)
            need_of[version_id] = store.validated(version).decisions.min_rationale_words
        need, words = need_of[version_id], _words(rationale)
        if words < need:
            what, pk = ("Case for decision", case_id) if case_id else ("Alert", alert_id)
            found.append(
                Failure(
                    "case" if case_id else "alert",
                    pk,
                    f"{what} decided {_day(decided_at)} with reasons of "
                    f"{_count(words, 'word')}; the policy asks for at least {need}.",
                    person_id=person_id,
                )
            )
    return found


# Disclosures --------------------------------------------------------------------------


def disclosure_unjustified(org_id: int, start, end, criterion: Criterion, now) -> list[Failure]:
    """Disclosures that sent a field beyond the minimum with no justification, or one
    shorter than the criterion's words."""
    rows = Disclosure.objects.filter(
        organisation_id=org_id, kind=Disclosure.Kind.REFERRAL, sent_at__gte=start, sent_at__lt=end
    ).values_list(
        "id",
        "person_id",
        "sent_at",
        "minimum_fields",
        "sent_fields",
        "justifications",
        "policy_version",
    )
    labels_of: dict[int, dict[str, str]] = {}
    found = []
    for pk, person_id, sent_at, minimum, sent, why, version_id in rows.order_by("sent_at", "id"):
        extra = [f for f in sent or () if f not in set(minimum or ())]
        thin = [f for f in extra if _words((why or {}).get(f)) < criterion.min_words]
        if not thin:
            continue
        if version_id not in labels_of:
            policy = store.validated(PolicyVersion.objects.get(pk=version_id))
            labels_of[version_id] = {c: f.label for c, f in policy.fields.items()}
        labels = labels_of[version_id]
        names = _listed([labels.get(f, f).lower() for f in thin])
        summary = (
            f"Disclosure sent {_day(sent_at)} included {len(extra)} "
            f"field{'s' if len(extra) != 1 else ''} beyond the minimum; "
            f"{names} had no justification of at least {criterion.min_words} words."
        )
        found.append(Failure("disclosure", pk, summary, person_id=person_id))
    return found


def break_glass_unreviewed(org_id: int, start, end, criterion: Criterion, now) -> list[Failure]:
    """Access outside someone's role, granted in the period, still not reviewed after
    the policy's days."""
    rows = BreakGlassAccess.objects.filter(
        person__organisation_id=org_id,
        granted_at__gte=start,
        granted_at__lt=min(end, now - timedelta(days=criterion.days)),
        reviewed_at__isnull=True,
    ).values_list("id", "person_id", "granted_at")
    return [
        Failure(
            "break_glass",
            pk,
            f"Break-glass access on {_day(granted_at)} has not been reviewed after "
            f"{_days(_whole_days(now - granted_at))}; the policy allows {criterion.days}.",
            person_id=person_id,
        )
        for pk, person_id, granted_at in rows.order_by("granted_at", "id")
    ]


# Concerns -----------------------------------------------------------------------------


def _first_person():
    return Subquery(
        ConcernPerson.objects.filter(concern_id=OuterRef("pk"))
        .order_by("id")
        .values("person_id")[:1]
    )


def concern_reviewed_late(org_id: int, start, end, criterion: Criterion, now) -> list[Failure]:
    """Concerns recorded in the period (not imported) reviewed after their review time,
    or still waiting past it."""
    in_period = Concern.objects.filter(
        organisation_id=org_id, imported=False, recorded_at__gte=start, recorded_at__lt=end
    )
    late = (
        in_period.filter(review__reviewed_at__gt=F("review_due_at"))
        .annotate(person=_first_person())
        .values_list(
            "id", "team_id", "person", "recorded_at", "review_due_at", "review__reviewed_at"
        )
        .order_by("recorded_at", "id")
    )
    found = []
    for pk, team_id, person_id, recorded_at, due, reviewed in late:
        found.append(
            Failure(
                "concern",
                pk,
                f"Concern recorded {_day(recorded_at)} was reviewed {_span(reviewed - due)} after its "
                "review time.",
                person_id=person_id,
                team_id=team_id,
            )
        )
    waiting = (
        AwaitingReview.objects.filter(
            organisation_id=org_id,
            due_at__lt=now,
            concern__imported=False,
            concern__recorded_at__gte=start,
            concern__recorded_at__lt=end,
        )
        .annotate(
            person=Subquery(
                ConcernPerson.objects.filter(concern_id=OuterRef("concern_id"))
                .order_by("id")
                .values("person_id")[:1]
            )
        )
        .values_list("concern_id", "team_id", "person", "concern__recorded_at", "due_at")
        .order_by("concern__recorded_at", "concern_id")
    )
    for pk, team_id, person_id, recorded_at, due in waiting:
        found.append(
            Failure(
                "concern",
                pk,
                f"Concern recorded {_day(recorded_at)} is still waiting for review, {_span(now - due)} "
                "past its review time.",
                person_id=person_id,
                team_id=team_id,
            )
        )
    return found


def recording_standards(org_id: int, start, end, criterion: Criterion, now) -> list[Failure]:
    """Teams where too many of the period's concerns missed a recording standard (only
    teams with enough concerns for the rate to mean something)."""
    rows = (
        Concern.objects.filter(
            organisation_id=org_id, imported=False, recorded_at__gte=start, recorded_at__lt=end
        )
        .order_by()
        .values("team_id")
        .annotate(total=Count("id"), unmet=Count("id", filter=~Q(unmet_standards=[])))
        .values_list("team_id", "total", "unmet")
    )
    found = []
    for team_id, total, unmet in sorted(rows):
        if total < max(criterion.min_concerns, 1) or unmet / total <= criterion.max_rate:
            continue
        found.append(
            Failure(
                "team",
                team_id,
                f"{unmet} of the team's {total} concerns in the period ({unmet / total:.0%}) "
                f"missed a recording standard; the policy allows {criterion.max_rate:.0%}.",
                team_id=team_id,
            )
        )
    return found


Query = Callable[[int, datetime, datetime, Criterion, datetime], list[Failure]]

QUERIES: dict[str, Query] = {
    "alert_undecided": alert_undecided,
    "refusal_without_capacity_view": refusal_without_capacity_view,
    "refusal_not_reviewed": refusal_not_reviewed,
    "decision_incomplete": decision_incomplete,
    "disclosure_unjustified": disclosure_unjustified,
    "concern_reviewed_late": concern_reviewed_late,
    "recording_standards": recording_standards,
    "alert_rationale_short": alert_rationale_short,
    "break_glass_unreviewed": break_glass_unreviewed,
    "decision_review_overdue": decision_review_overdue,
}
assert set(QUERIES) == set(CRITERIA)
