"""An oversight meeting's agenda, built from what needs the organisation's attention:
one small function per section, run in order (SECTIONS), each computed from what the
viewer may see. Once the minutes are signed off the agenda is kept as it stood."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from sharewise.concerns.models import ConcernPerson
from sharewise.governance import actions as actionlib
from sharewise.governance.models import Action, Finding, Meeting
from sharewise.organisations.models import staff_name
from sharewise.patterns import scores as scorelib
from sharewise.patterns.models import Alert, AlertConcern, RiskScore
from sharewise.people.models import Enrolment, Person
from sharewise.policy import store
from sharewise.sharing.models import NOT_SHARING, ConsentRecord, SharingDecision

SHOWN = 25  # per section; the rest are counted and linked


@dataclass
class Item:
    kind: str
    record_type: str
    record_id: int | None
    title: str
    detail: str = ""
    url: str = ""
    person: Person | None = None
    minutes: list = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.record_type}:{self.record_id or ''}"


class Listed(list):
    """A list a section can count like a queryset."""

    def count(self):
        return len(self)


@dataclass
class Section:
    code: str
    title: str
    why: str
    items: list[Item] = field(default_factory=list)
    more: int = 0


def _date(d) -> str:
    return f"{d:%-d %B %Y}"


def _in_service(meeting):
    """People enrolled (now or in the period) with the meeting's service, or None for all."""
    if not meeting.service_id:
        return None
    return (
        Enrolment.objects.filter(team__service_id=meeting.service_id)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=meeting.period_from))
        .values("person_id")
    )


@dataclass
class Scope:
    """What every section of one meeting's agenda is built from."""

    meeting: Meeting
    viewer: object
    now: datetime
    on: date  # the meeting's day
    since: datetime  # the start of the period it looks back over
    policy: object  # the governance policy in force
    patterns: object  # the pattern policy in force
    in_service: object  # people of the meeting's service, or None for all
    visible: object  # people the viewer may see

    @property
    def org(self) -> int:
        return self.meeting.organisation_id

    def about(self, qs, field="person_id"):
        """Records about people the viewer may see (and of the meeting's service)."""
        qs = qs.filter(**{f"{field}__in": self.visible.values("pk")})
        return qs if self.in_service is None else qs.filter(**{f"{field}__in": self.in_service})


def _scope(meeting: Meeting, viewer, now=None) -> Scope:
    org = meeting.organisation_id
    _, policy = store.in_force(org, "governance")
    _, patterns = store.in_force(org, "patterns")
    return Scope(
        meeting=meeting,
        viewer=viewer,
        now=now or timezone.now(),
        on=timezone.localdate(meeting.held_at),
        since=timezone.make_aware(datetime.combine(meeting.period_from, datetime.min.time())),
        policy=policy,
        patterns=patterns,
        in_service=_in_service(meeting),
        visible=Person.objects.visible_to(viewer),
    )


def _section(code, title, why, rows, make, limit=None) -> Section:
    """The first `limit` rows (SHOWN unless given) as items; the rest counted."""
    limit = SHOWN if limit is None else limit
    shown = list(rows[: limit + 1])
    more = rows.count() - limit if len(shown) > limit else 0
    return Section(code, title, why, [make(r) for r in shown[:limit]], more)


def follow_up(s: Scope) -> Section:
    earlier = Action.objects.filter(
        organisation_id=s.org,
        done_at__isnull=True,
        minute__meeting__held_at__lt=s.meeting.held_at,
    ).select_related("owner", "minute__meeting", "minute__person")
    if s.meeting.service_id:
        earlier = earlier.filter(minute__meeting__service_id=s.meeting.service_id)
    return _section(
        "follow_up",
        "Actions from earlier meetings",
        "Every action stays on the agenda until it is done.",
        earlier.order_by("due", "id"),
        lambda a: Item(
            "follow_up",
            "action",
            a.pk,
            a.description,
            f"{staff_name(a.owner)}, due {_date(a.due)}"
            f"{' (overdue)' if a.is_overdue(s.on) else ''}; agreed at the meeting on "
            f"{_date(a.minute.meeting.held_at)} about {a.minute.title}",
            reverse("action", args=[a.pk]),
            a.minute.person,
        ),
    )


def overdue_actions(s: Scope) -> Section:
    other_overdue = (
        actionlib.overdue(s.org, s.on)
        .filter(minute__isnull=True)
        .select_related("owner", "finding", "lesson")
        .order_by("due", "id")
    )
    return _section(
        "overdue_actions",
        "Overdue actions from audits and lessons",
        "Agreed actions past their due date.",
        other_overdue,
        lambda a: Item(
            "overdue_actions",
            "action",
            a.pk,
            a.description,
            f"{staff_name(a.owner)}, due {_date(a.due)}; from "
            + (f"audit finding: {a.finding.title}" if a.finding_id else "")
            + (f"lesson: {a.lesson.title}" if a.lesson_id else ""),
            reverse("action", args=[a.pk]),
        ),
    )


def open_alerts(s: Scope) -> Section:
    waiting = Alert.objects.visible_to(s.viewer).filter(organisation_id=s.org).needing_decision()
    if s.meeting.service_id:
        service = s.meeting.service_id
        waiting = waiting.filter(
            Q(service_id=service)
            | Q(pk__in=AlertConcern.objects.filter(concern__service_id=service).values("alert_id"))
        )
    return _section(
        "alerts",
        "Open alerts",
        "Patterns that crossed a threshold and still wait for a decision.",
        waiting.select_related("person", "service").order_by("waiting_since", "id"),
        lambda a: Item(
            "alerts",
            "alert",
            a.pk,
            f"{a.person.name}: {a.title}" if a.person_id else a.title,
            f"Waiting {a.age_days(s.now)} days. {a.explanation}",
            reverse("alert", args=[a.pk]),
            a.person,
        ),
    )


def _over_threshold_rows(s: Scope):
    """People scored at or over the threshold, highest first: stored scores, but for
    anyone with a concern naming the viewer, their score without it, which may fall
    under the threshold."""
    rule = s.patterns.risk_score
    over = scorelib.level_threshold(rule.threshold, s.now, rule.half_life_days)
    scores = s.about(
        RiskScore.objects.filter(
            organisation_id=s.org, level__gte=over, half_life_days=rule.half_life_days
        )
    )
    scores, fresh = scorelib.split_for(s.viewer, scores, s.now)
    rows = scores.select_related("person").order_by("-level")
    if not fresh:
        return rows
    people = Person.objects.in_bulk([f.person_id for f in fresh])
    return Listed(
        sorted(
            [(r.person, r.now(s.now)) for r in rows]
            + [(people[f.person_id], f.score) for f in fresh if f.score >= rule.threshold],
            key=lambda r: -r[1],
        )
    )


def over_threshold(s: Scope) -> Section:
    def item(row):
        person, score = row if isinstance(row, tuple) else (row.person, row.now(s.now))
        return Item(
            "over_threshold",
            "person",
            person.pk,
            person.name,
            f"Risk score {score:.1f}",
            reverse("chronology", args=[person.pk]),
            person,
        )

    return _section(
        "over_threshold",
        "People over the risk threshold",
        f"Risk score at or over {s.patterns.risk_score.threshold:g}, highest first.",
        _over_threshold_rows(s),
        item,
    )


def reviews_due(s: Scope) -> Section:
    due_by = s.on + timedelta(days=s.policy.meeting_every_days)
    reviews = s.about(
        SharingDecision.objects.standing_refusals().filter(
            organisation_id=s.org, review_date__lte=due_by
        )
    )
    return _section(
        "reviews_due",
        "Decisions not to share due for review",
        f"Review dates on or before {_date(due_by)}, the next meeting.",
        reviews.select_related("person").order_by("review_date", "id"),
        lambda d: Item(
            "reviews_due",
            "sharing_decision",
            d.pk,
            f"{d.person.name}: {d.get_outcome_display().lower()}",
            f"Review {'was ' if d.review_date < s.on else ''}due {_date(d.review_date)}. "
            f"{d.question}",
            reverse("sharing_decision", args=[d.pk]),
            d.person,
        ),
    )


def refusals(s: Scope) -> Section:
    refused = s.about(
        ConsentRecord.objects.filter(
            organisation_id=s.org, outcome__in=("refused", "withdrawn"), asked_at__gte=s.since
        )
    )
    return _section(
        "refusals",
        f"Refusals of consent since {_date(s.meeting.period_from)}",
        "A refusal is one input to a decision, not the end of the matter.",
        refused.select_related("person").order_by("-asked_at", "-id"),
        lambda c: Item(
            "refusals",
            "consent",
            c.pk,
            f"{c.person.name}: {c.get_outcome_display().lower()}",
            f"Asked {_date(c.asked_at)} about: {c.purpose}",
            reverse("person_sharing", args=[c.person_id]),
            c.person,
        ),
    )


def recent_decisions(s: Scope) -> Section:
    recent = s.about(
        SharingDecision.objects.filter(
            organisation_id=s.org, decided_at__gte=s.since, status=SharingDecision.Status.SIGNED
        )
    )
    return _section(
        "recent_decisions",
        "Recent sharing decisions: quality check",
        "Is each one lawful, proportionate, reasoned, and was the person told?",
        recent.select_related("person", "decided_by").order_by("-decided_at", "-id"),
        lambda d: Item(
            "recent_decisions",
            "sharing_decision",
            d.pk,
            f"{d.person.name}: {d.get_outcome_display().lower()}",
            f"Decided by {staff_name(d.decided_by)} on {_date(d.decided_at)}"
            + (" against the recommendation" if d.departs else "")
            + (" (not sharing)" if d.outcome in NOT_SHARING else ""),
            reverse("sharing_decision", args=[d.pk]),
            d.person,
        ),
        limit=s.policy.recent_decisions,
    )


def new_findings(s: Scope) -> Section:
    findings = Finding.objects.filter(
        organisation_id=s.org, status=Finding.Status.OPEN, run__created_at__gte=s.since
    )
    if s.in_service is not None:
        findings = findings.filter(
            Q(person_id__in=s.in_service) | Q(team__service_id=s.meeting.service_id)
        )
    # A finding names its person only for a viewer who may see them: one query for all.
    seen = set(s.visible.filter(pk__in=findings.values("person_id")).values_list("pk", flat=True))
    return _section(
        "findings",
        "New audit findings",
        "Found by audits since the last meeting and not yet given an action.",
        findings.select_related("person").order_by("severity", "id"),
        lambda f: Item(
            "findings",
            "finding",
            f.pk,
            f.title,
            f.summary,
            reverse("finding", args=[f.pk]),
            f.person if f.person_id in seen else None,
        ),
    )


# The agenda, in the order the meeting takes it.
SECTIONS = (
    follow_up,
    overdue_actions,
    open_alerts,
    over_threshold,
    reviews_due,
    refusals,
    recent_decisions,
    new_findings,
)


def live(meeting: Meeting, viewer, now=None) -> list[Section]:
    """The agenda as the records stand now, section by section."""
    scope = _scope(meeting, viewer, now)
    return [section(scope) for section in SECTIONS]


def agenda(meeting: Meeting, viewer, now=None) -> list[Section]:
    """What this meeting should discuss: built afresh from the records until the
    minutes are signed off, then the agenda as it stood at sign-off."""
    if meeting.agenda_snapshot is not None:
        return _with_minutes(meeting, _thawed(meeting.agenda_snapshot, viewer))
    return _with_minutes(meeting, live(meeting, viewer, now))


def _with_minutes(meeting: Meeting, sections: list[Section]) -> list[Section]:
    minutes = list(
        meeting.minutes.select_related("recorded_by", "person").prefetch_related("actions__owner")
    )
    by_key = {}
    for m in minutes:
        by_key.setdefault(f"{m.item_kind}:{m.record_type}:{m.record_id or ''}", []).append(m)
    for s in sections:
        for item in s.items:
            item.minutes = by_key.get(item.key, [])
    other = Section("other", "Any other business", "Anything else the meeting discussed.")
    other.items = [Item("other", "", None, "Any other business", minutes=by_key.get("other::", []))]
    sections.append(other)
    return sections


def find_item(sections, key: str) -> Item | None:
    return next((i for s in sections for i in s.items if i.key == key), None)


ITEM_FIELDS = ("kind", "record_type", "record_id", "title", "detail", "url")


def frozen(sections: list[Section], by, at) -> dict:
    """The agenda as plain data, to show ever after exactly as the meeting saw it."""
    return {
        "by": by.pk,
        "at": at.isoformat(),
        "sections": [
            {
                "code": s.code,
                "title": s.title,
                "why": s.why,
                "more": s.more,
                "items": [
                    {
                        **{name: getattr(i, name) for name in ITEM_FIELDS},
                        "person_id": i.person.pk if i.person else None,
                    }
                    for i in s.items
                ],
            }
            for s in sections
            if s.code != "other"
        ],
    }


def _thawed(snapshot: dict, viewer) -> list[Section]:
    """The frozen agenda as sections, each item shown only if the viewer may still see
    its person and, for an alert, the alert (never one naming them as the source)."""
    items = [i for s in snapshot["sections"] for i in s["items"]]
    people = Person.objects.visible_to(viewer).in_bulk(
        {i["person_id"] for i in items if i["person_id"]}
    )
    alerts = set(
        Alert.objects.visible_to(viewer)
        .filter(pk__in=[i["record_id"] for i in items if i["record_type"] == "alert"])
        .values_list("pk", flat=True)
    )
    named = set()
    if snapshot.get("by") != getattr(viewer, "pk", None):
        # Scores were worked out for the lead who signed off; a viewer named as the
        # source in a concern about someone sees their own score for them, not this one.
        named = set(
            ConcernPerson.objects.filter(concern__source_staff_id=viewer.pk).values_list(
                "person_id", flat=True
            )
        )

    def shown(i):
        if i["person_id"] and i["person_id"] not in people:
            return False
        if i["record_type"] == "alert" and i["record_id"] not in alerts:
            return False
        return not (i["kind"] == "over_threshold" and i["person_id"] in named)

    return [
        Section(
            s["code"],
            s["title"],
            s["why"],
            [
                Item(**{n: i[n] for n in ITEM_FIELDS}, person=people.get(i["person_id"]))
                for i in s["items"]
                if shown(i)
            ],
            s["more"],
        )
        for s in snapshot["sections"]
    ]
