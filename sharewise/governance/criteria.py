"""The audit's questions: one query per criterion code in the governance policy.

Each takes (organisation id, period start, period end, criterion, now) and returns the
records that fail, as Failures. A record belongs to the period when its relevant date
falls in [start, end). Counting and filtering happen in the database; Python only
walks sets that stay small (alerts, consents, decisions, disclosures), so an audit of
an organisation with a million concerns stays quick."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone

from sharewise.concerns.models import AwaitingReview, Concern, ConcernPerson
from sharewise.disclosures.models import Disclosure
from sharewise.patterns.models import Alert, AlertDecision, AlertEvent, CaseForDecision
from sharewise.people.models import BreakGlassAccess, CareNote
from sharewise.policy import store
from sharewise.policy.documents import CRITERIA, Criterion
from sharewise.policy.models import PolicyVersion
from sharewise.sharing import framework, standing
from sharewise.sharing.models import (
    NOT_SHARING,
    CapacityAssessment,
    ConsentCapacity,
    ConsentOutcome,
    ConsentRecord,
    Outcome,
    SharingDecision,
)


@dataclass(frozen=True)
class Failure:
    record_type: str
    record_id: int
    summary: str
    person_id: int | None = None
    team_id: int | None = None


def _day(moment) -> str:
    if isinstance(moment, datetime):
        moment = timezone.localtime(moment)
    return f"{moment:%-d %B %Y}"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _words(text) -> int:
    return len((text or "").split())


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}" if n == 1 else f"{n} {thing}s"


def _listed(words: list[str]) -> str:
    return " and ".join([", ".join(words[:-1]), words[-1]] if len(words) > 1 else words)


def _whole_days(span: timedelta) -> int:
    return max(int(span.total_seconds() // 86400), 0)


def _span(span: timedelta) -> str:
    """A lateness in words: days once it is a day or more, else hours."""
    hours = int(span.total_seconds() // 3600)
    return _days(hours // 24) if hours >= 24 else _count(max(hours, 1), "hour")


REFUSALS = (ConsentOutcome.REFUSED, ConsentOutcome.WITHDRAWN)
# A decision counts as made once signed or waiting for its countersignature.
MADE = (SharingDecision.Status.SIGNED, SharingDecision.Status.AWAITING_COUNTERSIGN)


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


# Consent and sharing decisions -------------------------------------------------------


def refusal_without_capacity_view(
    org_id: int, start, end, criterion: Criterion, now
) -> list[Failure]:
    """A refusal where capacity was presumed though a recorded diagnosis gave reason to
    doubt it, or where an assessed capacity was claimed with no assessment behind it."""
    consents = list(
        ConsentRecord.objects.filter(
            organisation_id=org_id, outcome__in=REFUSALS, asked_at__gte=start, asked_at__lt=end
        )
        .values("id", "person_id", "asked_at", "outcome", "capacity", "capacity_assessment_id")
        .order_by("asked_at", "id")
    )
    presumed = [c for c in consents if c["capacity_assessment_id"] is None]
    doubt = set()
    words = [w for w in (w.strip() for w in criterion.words) if w]
    if presumed and words:
        match = Q()
        for word in words:
            match |= Q(text__icontains=word)
        doubt = set(
            CareNote.objects.filter(
                match,
                person_id__in={c["person_id"] for c in presumed},
                kind=CareNote.Kind.DIAGNOSIS,
            ).values_list("person_id", flat=True)
        )
    _, sharing = store.in_force(org_id, "sharing")
    current = timedelta(days=sharing.capacity_current_days)
    found = []
    for consent in consents:
        what = "withdrawn" if consent["outcome"] == ConsentOutcome.WITHDRAWN else "refused"
        said = f"Consent {what} {_day(consent['asked_at'])}"
        if consent["capacity_assessment_id"] is not None:
            continue
        if consent["capacity"] in (ConsentCapacity.HAS_CAPACITY, ConsentCapacity.LACKS_CAPACITY):
            label = ConsentCapacity(consent["capacity"]).label.lower()
            summary = f"{said}: recorded as '{label}' with no capacity assessment behind it."
        elif consent["person_id"] in doubt:
            # An assessment recorded separately, still current when asked, is a view.
            asked = consent["asked_at"]
            if CapacityAssessment.objects.filter(
                person_id=consent["person_id"],
                assessed_at__gte=asked - current,
                assessed_at__lte=asked + timedelta(days=1),
            ).exists():
                continue
            summary = (
                f"{said} with capacity presumed, though a recorded diagnosis gives reason "
                "to doubt capacity for this decision; no capacity assessment was recorded."
            )
        else:
            continue
        found.append(Failure("consent", consent["id"], summary, person_id=consent["person_id"]))
    return found


def _risk_rose(person_id: int, after) -> tuple:
    """(when risk first rose after a moment, concerns recorded since): the first new
    concern about the person, or alert raised or reopened about them."""
    concerns = Concern.objects.filter(
        pk__in=ConcernPerson.objects.filter(person_id=person_id).values("concern_id"),
        recorded_at__gt=after,
    )
    first_concern = concerns.order_by("recorded_at").values_list("recorded_at", flat=True).first()
    # Reviews of a decision or a concern are not new risk; their concerns already count.
    alerts = Alert.objects.filter(person_id=person_id).exclude(
        rule__in=("decision_review", "overdue_review")
    )
    first_alert = min(
        [
            *alerts.filter(raised_at__gt=after).values_list("raised_at", flat=True)[:1],
            *AlertEvent.objects.filter(
                alert__in=alerts, kind=AlertEvent.Kind.REOPENED, at__gt=after
            )
            .order_by("at")
            .values_list("at", flat=True)[:1],
        ],
        default=None,
    )
    rose = min([m for m in (first_concern, first_alert) if m is not None], default=None)
    return rose, concerns.count() if rose else 0


def refusal_not_reviewed(org_id: int, start, end, criterion: Criterion, now) -> list[Failure]:
    """A refusal (consent refused or withdrawn, or a decision not to share) after which
    risk rose, with no new sharing decision within the policy's days of it rising."""
    allowed = timedelta(days=criterion.days)
    refusals = [
        (
            "consent",
            pk,
            person_id,
            at,
            "Consent was withdrawn"
            if outcome == ConsentOutcome.WITHDRAWN
            else "Sharing was refused",
        )
        for pk, person_id, at, outcome in ConsentRecord.objects.filter(
            organisation_id=org_id, outcome__in=REFUSALS, asked_at__gte=start, asked_at__lt=end
        ).values_list("id", "person_id", "asked_at", "outcome")
    ] + [
        ("sharing_decision", pk, person_id, at, "A decision not to share was made")
        for pk, person_id, at in SharingDecision.objects.filter(
            organisation_id=org_id,
            outcome__in=NOT_SHARING,
            status=SharingDecision.Status.SIGNED,
            decided_at__gte=start,
            decided_at__lt=end,
        ).values_list("id", "person_id", "decided_at")
    ]
    refusals.sort(key=lambda r: (r[3], r[1]))
    found = []
    for record_type, pk, person_id, at, said in refusals:
        rose, new = _risk_rose(person_id, at)
        if rose is None:
            continue
        later = SharingDecision.objects.filter(
            person_id=person_id, status__in=MADE, decided_at__gt=at
        )
        if record_type == "sharing_decision":
            later = later.exclude(pk=pk)
        # A decision, or consent asked again, before risk rose replaced this refusal;
        # a later refusal is audited in its own right.
        if later.filter(decided_at__lt=rose).exists():
            continue
        if (
            record_type == "consent"
            and ConsentRecord.objects.filter(
                person_id=person_id, asked_at__gt=at, asked_at__lt=rose
            )
            .exclude(pk=pk)
            .exists()
        ):
            continue
        review = (
            later.filter(decided_at__gte=rose)
            .order_by("decided_at")
            .values_list("decided_at", flat=True)
            .first()
        )
        waited = (review or now) - rose
        if waited <= allowed:
            continue  # reviewed in time, or still within the time allowed
        summary = f"{said} on {_day(at)}; risk rose from {_day(rose)} ("
        summary += f"{_count(new, 'concern')} recorded since)" if new else "an alert was raised)"
        if review is None:
            summary += (
                f", and no sharing decision has been made in the {_days(_whole_days(waited))} "
                f"since; the policy allows {criterion.days}."
            )
        else:
            summary += (
                f", and the next sharing decision came after {_days(_whole_days(waited))}; "
                f"the policy allows {criterion.days}."
            )
        found.append(Failure(record_type, pk, summary, person_id=person_id))
    return found


_IDENTIFYING = (Outcome.SHARE_WITH_CONSENT, Outcome.SHARE_WITHOUT_CONSENT)


def decision_incomplete(org_id: int, start, end, criterion: Criterion, now) -> list[Failure]:
    """Signed decisions missing what makes them defensible (the lawful basis for an
    identifying share, the override ground, written reasons, whether the person was
    told and why not, the review date of a decision not to share), or resting on a
    lawful basis the sharing policy's table says does not fit the decision (recorded
    before such decisions were refused)."""
    sharing = ~Q(outcome__in=NOT_SHARING)
    identifying = Q(outcome__in=_IDENTIFYING)
    gaps = (
        (identifying & Q(article_6=""), "no UK GDPR Article 6 lawful basis"),
        (identifying & Q(article_9=""), "no Article 9 condition"),
        (
            identifying & Q(article_9="g", schedule_1=""),
            "no Schedule 1 condition for Article 9(2)(g)",
        ),
        (
            Q(outcome=Outcome.SHARE_WITHOUT_CONSENT, override_grounds=[]),
            "no ground for sharing without consent",
        ),
        (Q(necessity__regex=r"^\s*$"), "no written reasons"),
        (
            Q(departs=True, departure_rationale__regex=r"^\s*$"),
            "no reasons for departing from the recommendation",
        ),
        (sharing & Q(person_told=""), "not saying whether the person was told"),
        (
            sharing & Q(person_told="no", not_told_reason__regex=r"^\s*$"),
            "no reason for not telling the person",
        ),
        (Q(outcome__in=NOT_SHARING, review_date__isnull=True), "no review date"),
    )
    any_gap = Q()
    for condition, _ in gaps:
        any_gap |= condition
    decisions = SharingDecision.objects.filter(
        organisation_id=org_id,
        status=SharingDecision.Status.SIGNED,
        decided_at__gte=start,
        decided_at__lt=end,
    )
    failing = list(decisions.filter(any_gap).values_list("id", flat=True).order_by("decided_at"))
    missing = defaultdict(list)
    for condition, words in gaps:
        for pk in decisions.filter(condition, pk__in=failing).values_list("id", flat=True):
            missing[pk].append(words)
    for pk, words in _contradictions(org_id, decisions.filter(outcome__in=_IDENTIFYING)):
        missing[pk].append(words)
    failing = list(missing)
    if not failing:
        return []
    rows = SharingDecision.objects.filter(pk__in=failing).values_list(
        "id", "person_id", "decided_at", "outcome"
    )
    return [
        Failure(
            "sharing_decision",
            pk,
            f"Decision '{Outcome(outcome).label}' of {_day(decided_at)} was recorded with "
            + "; ".join(missing[pk])
            + ".",
            person_id=person_id,
        )
        for pk, person_id, decided_at, outcome in sorted(rows, key=lambda r: (r[2], r[0]))
    ]


def _contradictions(org_id: int, decisions):
    """(decision id, words) for each lawful basis that does not fit its decision."""
    _, policy = store.in_force(org_id, "sharing")
    rows = list(
        decisions.exclude(article_6="", article_9="", schedule_1="").values(
            "id",
            "outcome",
            "consent_outcome",
            "consent__outcome",
            "capacity",
            "not_sought_reason",
            "override_grounds",
            "answers",
            "facts",
            "article_6",
            "article_9",
            "schedule_1",
        )
    )
    # Records made before decisions kept their concerns' categories: read them.
    older = [r["id"] for r in rows if "categories" not in (r["facts"] or {})]
    categories = defaultdict(set)
    for pk, codes in SharingDecision.concerns.through.objects.filter(
        sharingdecision_id__in=older
    ).values_list("sharingdecision_id", "concern__categories"):
        categories[pk] |= set(codes or ())
    for r in rows:
        answers, facts = r["answers"] or {}, r["facts"] or {}
        grounds = set(r["override_grounds"] or ()) or set(answers.get("grounds") or ())
        choice = framework.Choice(
            outcome=r["outcome"],
            consent=r["consent_outcome"],
            consent_recorded=r["consent__outcome"] == ConsentOutcome.GIVEN,
            capacity=r["capacity"],
            not_sought_reason=r["not_sought_reason"],
            grounds=frozenset(grounds),
            at_risk=bool(facts.get("is_child"))
            or answers.get("at_risk", "unsure") != "no"
            or "child_at_risk" in grounds,
            categories=frozenset(facts.get("categories") or categories[r["id"]]),
            article_6=r["article_6"],
            article_9=r["article_9"],
            schedule_1=r["schedule_1"],
        )
        for name, problem in framework.basis_problems(choice, policy).items():
            code = getattr(choice, name)
            named = getattr(policy, name).get(code, code) if code else name
            yield r["id"], f"{named}, which does not fit it ({problem.split('. ', 1)[-1]})"


def decision_review_overdue(org_id: int, start, end, criterion: Criterion, now) -> list[Failure]:
    """Decisions not to share whose review fell due in the period (and has passed) while
    they stood, and that still stand, or were replaced late, past the policy's days.
    Whether and until when a decision stood is sharing.standing's answer."""
    today = timezone.localdate(now)
    grace = timedelta(days=criterion.days)
    first_day, last_day = timezone.localdate(start), timezone.localdate(end)
    due = list(
        SharingDecision.objects.filter(
            organisation_id=org_id,
            outcome__in=NOT_SHARING,
            status=SharingDecision.Status.SIGNED,
            review_date__gte=first_day,
            review_date__lt=min(last_day, today),
        )
        .values_list("id", "person_id", "decided_at", "review_date")
        .order_by("review_date", "id")
    )
    periods = _standing_periods({person_id for _, person_id, _, _ in due})
    found = []
    for pk, person_id, decided_at, review_date in due:
        if pk not in periods:
            continue  # replaced before it was ever countersigned: it never stood
        _, until = periods[pk]
        if until is None:
            if today - review_date <= grace:
                continue
            late = (today - review_date).days
            summary = (
                f"Decision not to share of {_day(decided_at)} was due for review on "
                f"{_day(review_date)}; no new decision has been made ({_days(late)} overdue)."
            )
        else:
            late = (timezone.localdate(until) - review_date).days
            if timedelta(days=late) <= grace:
                continue
            summary = (
                f"Decision not to share of {_day(decided_at)} was due for review on "
                f"{_day(review_date)}; the next decision came {_days(late)} late."
            )
        found.append(Failure("sharing_decision", pk, summary, person_id=person_id))
    return found


def _standing_periods(person_ids) -> dict:
    """{decision id: (stood from, until or None)} for these people's decisions."""
    by_person = defaultdict(list)
    for row in SharingDecision.objects.filter(person_id__in=person_ids).values_list(
        "person_id", "id", "decided_at", "outcome", "status", "countersigned_at", "review_date"
    ):
        by_person[row[0]].append(standing.Decision(*row[1:]))
    periods = {}
    for past in by_person.values():
        periods |= standing.stood(past)
    return periods


# Disclosures --------------------------------------------------------------------------


def disclosure_unjustified(org_id: int, start, end, criterion: Criterion, now) -> list[Failure]:
    """Disclosures that sent a field beyond the minimum with no justification, or one
    shorter than the criterion's words."""
    rows = Disclosure.objects.filter(
        organisation_id=org_id, sent_at__gte=start, sent_at__lt=end
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
