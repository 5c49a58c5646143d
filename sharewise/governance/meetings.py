"""Safeguarding oversight meetings: an agenda that builds itself from what needs the
organisation's attention, minutes per item, and actions followed up at the next
meeting until they are done."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.concerns.models import ConcernPerson
from sharewise.governance import actions as actionlib
from sharewise.governance.models import Action, Finding, Meeting, Minute
from sharewise.organisations.models import Service, staff_name
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


def next_due(organisation_id: int, service=None) -> date | None:
    """When the next meeting should be held: the policy's interval after the last."""
    last = Meeting.objects.filter(organisation_id=organisation_id, service=service).first()
    if last is None:
        return None
    _, policy = store.in_force(organisation_id, "governance")
    return timezone.localdate(last.held_at) + timedelta(days=policy.meeting_every_days)


def schedule(request, organisation_id: int, held_at, service_id=None) -> Meeting:
    """Plan a meeting. The agenda looks back to the previous meeting (or one interval)."""
    found = {}
    if not isinstance(held_at, datetime):
        found["held_at"] = "Give the date and time of the meeting"
    service = None
    if service_id:
        service = Service.objects.filter(organisation_id=organisation_id, pk=service_id).first()
        if service is None:
            found["service"] = (
                "Choose one of your organisation's services, or the whole organisation"
            )
    if found:
        raise ValidationError(found)
    _, policy = store.in_force(organisation_id, "governance")
    before = (
        Meeting.objects.filter(organisation_id=organisation_id, service=service)
        .filter(held_at__lt=held_at)
        .first()
    )
    try:
        period_from = (
            timezone.localdate(before.held_at)
            if before
            else timezone.localdate(held_at) - timedelta(days=policy.meeting_every_days)
        )
    except (OverflowError, ValueError):
        # Early in the year 1 the agenda's look-back leaves the calendar.
        raise ValidationError(
            {"held_at": "Give the meeting's real date: this one is too early to plan for"}
        ) from None
    meeting = Meeting.objects.create(
        organisation_id=organisation_id,
        service=service,
        held_at=held_at,
        period_from=period_from,
        chair=request.user,
        created_by=request.user,
    )
    trail.record_request(
        request,
        "meeting.schedule",
        object_type="meeting",
        object_id=meeting.pk,
        organisation_id=organisation_id,
    )
    return meeting


def _in_service(meeting):
    """People enrolled (now or in the period) with the meeting's service, or None for all."""
    if not meeting.service_id:
        return None
    return (
        Enrolment.objects.filter(team__service_id=meeting.service_id)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=meeting.period_from))
        .values("person_id")
    )


def agenda(meeting: Meeting, viewer, now=None) -> list[Section]:
    """What this meeting should discuss: built afresh from the records until the
    minutes are signed off, then the agenda as it stood at sign-off."""
    if meeting.agenda_snapshot is not None:
        return _with_minutes(meeting, _thawed(meeting.agenda_snapshot, viewer))
    return _with_minutes(meeting, _live(meeting, viewer, now))


def _live(meeting: Meeting, viewer, now=None) -> list[Section]:
    now = now or timezone.now()
    org = meeting.organisation_id
    on = timezone.localdate(meeting.held_at)
    since = timezone.make_aware(datetime.combine(meeting.period_from, datetime.min.time()))
    _, policy = store.in_force(org, "governance")
    _, patterns = store.in_force(org, "patterns")
    people = _in_service(meeting)
    visible = Person.objects.visible_to(viewer)

    def about(qs, field="person_id"):
        qs = qs.filter(**{f"{field}__in": visible.values("pk")})
        return qs if people is None else qs.filter(**{f"{field}__in": people})

    sections = []

    def section(code, title, why, rows, make, limit=SHOWN):
        shown = list(rows[: limit + 1])
        more = rows.count() - limit if len(shown) > limit else 0
        sections.append(Section(code, title, why, [make(r) for r in shown[:limit]], more))

    earlier = Action.objects.filter(
        organisation_id=org,
        done_at__isnull=True,
        minute__meeting__held_at__lt=meeting.held_at,
    ).select_related("owner", "minute__meeting", "minute__person")
    if meeting.service_id:
        earlier = earlier.filter(minute__meeting__service_id=meeting.service_id)
    section(
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
            f"{' (overdue)' if a.is_overdue(on) else ''}; agreed at the meeting on "
            f"{_date(a.minute.meeting.held_at)} about {a.minute.title}",
            reverse("action", args=[a.pk]),
            a.minute.person,
        ),
    )
    other_overdue = (
        actionlib.overdue(org, on)
        .filter(minute__isnull=True)
        .select_related("owner", "finding", "lesson")
        .order_by("due", "id")
    )
    section(
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
    waiting = Alert.objects.visible_to(viewer).filter(organisation_id=org).needing_decision()
    if meeting.service_id:
        waiting = waiting.filter(
            Q(service_id=meeting.service_id)
            | Q(
                pk__in=AlertConcern.objects.filter(concern__service_id=meeting.service_id).values(
                    "alert_id"
                )
            )
        )
    section(
        "alerts",
        "Open alerts",
        "Patterns that crossed a threshold and still wait for a decision.",
        waiting.select_related("person", "service").order_by("waiting_since", "id"),
        lambda a: Item(
            "alerts",
            "alert",
            a.pk,
            f"{a.person.name}: {a.title}" if a.person_id else a.title,
            f"Waiting {a.age_days(now)} days. {a.explanation}",
            reverse("alert", args=[a.pk]),
            a.person,
        ),
    )
    rule = patterns.risk_score
    over = scorelib.level_threshold(rule.threshold, now, rule.half_life_days)
    scores = about(
        RiskScore.objects.filter(
            organisation_id=org, level__gte=over, half_life_days=rule.half_life_days
        )
    )
    # Anyone with a concern naming the viewer: their score without it, which may fall
    # under the threshold.
    scores, fresh = scorelib.split_for(viewer, scores, now)
    over_threshold = scores.select_related("person").order_by("-level")
    if fresh:
        people = Person.objects.in_bulk([s.person_id for s in fresh])
        over_threshold = Listed(
            sorted(
                [(r.person, r.now(now)) for r in over_threshold]
                + [(people[s.person_id], s.score) for s in fresh if s.score >= rule.threshold],
                key=lambda r: -r[1],
            )
        )

    def over_item(row):
        person, score = row if isinstance(row, tuple) else (row.person, row.now(now))
        return Item(
            "over_threshold",
            "person",
            person.pk,
            person.name,
            f"Risk score {score:.1f}",
            reverse("chronology", args=[person.pk]),
            person,
        )

    section(
        "over_threshold",
        "People over the risk threshold",
        f"Risk score at or over {rule.threshold:g}, highest first.",
        over_threshold,
        over_item,
    )
    due_by = on + timedelta(days=policy.meeting_every_days)
    reviews = about(
        SharingDecision.objects.standing_refusals().filter(
            organisation_id=org, review_date__lte=due_by
        )
    )
    section(
        "reviews_due",
        "Decisions not to share due for review",
        f"Review dates on or before {_date(due_by)}, the next meeting.",
        reviews.select_related("person").order_by("review_date", "id"),
        lambda d: Item(
            "reviews_due",
            "sharing_decision",
            d.pk,
            f"{d.person.name}: {d.get_outcome_display().lower()}",
            f"Review {'was ' if d.review_date < on else ''}due {_date(d.review_date)}. "
            f"{d.question}",
            reverse("sharing_decision", args=[d.pk]),
            d.person,
        ),
    )
    refusals = about(
        ConsentRecord.objects.filter(
            organisation_id=org, outcome__in=("refused", "withdrawn"), asked_at__gte=since
        )
    )
    section(
        "refusals",
        f"Refusals of consent since {_date(meeting.period_from)}",
        "A refusal is one input to a decision, not the end of the matter.",
        refusals.select_related("person").order_by("-asked_at", "-id"),
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
    recent = about(
        SharingDecision.objects.filter(
            organisation_id=org, decided_at__gte=since, status=SharingDecision.Status.SIGNED
        )
    )
    section(
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
        limit=policy.recent_decisions,
    )
    findings = Finding.objects.filter(
        organisation_id=org, status=Finding.Status.OPEN, run__created_at__gte=since
    )
    if people is not None:
        findings = findings.filter(Q(person_id__in=people) | Q(team__service_id=meeting.service_id))
    # A finding names its person only for a viewer who may see them: one query for all.
    seen = set(visible.filter(pk__in=findings.values("person_id")).values_list("pk", flat=True))
    section(
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
    return sections


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


def record_agenda_read(request, meeting: Meeting, sections, **detail) -> None:
    """Write the read of everyone the agenda names to the trail (page and API alike)."""
    trail.record_reads(
        request,
        "viewed meeting agenda",
        sorted({i.person.pk for s in sections for i in s.items if i.person is not None}),
        organisation_id=meeting.organisation_id,
        object_type="meeting",
        object_id=meeting.pk,
        detail=detail or None,
    )


def record_minute(request, meeting: Meeting, item: Item, data: dict) -> Minute:
    """Minute one agenda item, with an action if one was agreed; all or nothing."""
    found = {}
    if len((data.get("discussion") or "").split()) < 3:
        found["discussion"] = "Say what was discussed, in at least 3 words"
    if meeting.closed_at:
        found["discussion"] = "These minutes are signed off; they cannot be added to"
    wants_action = any(data.get(k) for k in ("action", "owner", "due"))
    if wants_action:
        for name, message in actionlib.problems(
            meeting.organisation_id, data.get("action"), data.get("owner"), data.get("due")
        ).items():
            found["action" if name == "description" else name] = message
    if found:
        raise ValidationError(found)
    with transaction.atomic():
        minute = Minute.objects.create(
            meeting=meeting,
            item_kind=item.kind,
            record_type=item.record_type,
            record_id=item.record_id,
            person=item.person,
            title=item.title[:300],
            discussion=data["discussion"].strip(),
            decision=(data.get("decision") or "").strip(),
            recorded_by=request.user,
        )
        trail.record_request(
            request,
            "meeting.minute",
            object_type="meeting",
            object_id=meeting.pk,
            person_id=item.person.pk if item.person else None,
            organisation_id=meeting.organisation_id,
            detail={"minute": minute.pk, "item": item.key},
        )
        if wants_action:
            actionlib.add(
                request,
                meeting.organisation_id,
                data["action"],
                data["owner"],
                data["due"],
                minute=minute,
            )
    return minute


ITEM_FIELDS = ("kind", "record_type", "record_id", "title", "detail", "url")


def _frozen(sections: list[Section], by, at) -> dict:
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


def sign_off(request, meeting: Meeting) -> None:
    """Close the minutes and keep the agenda as it stands, all or nothing."""
    if meeting.closed_at:
        return
    if not meeting.minutes.exists():
        raise ValidationError({"minutes": "Record at least one minute before signing off"})
    now = timezone.now()
    snapshot = _frozen(_live(meeting, request.user, now), request.user, now)
    with transaction.atomic():
        closed = Meeting.objects.filter(pk=meeting.pk, closed_at__isnull=True).update(
            closed_at=now, agenda_snapshot=snapshot
        )
        if not closed:  # signed off meanwhile, with its own snapshot
            return
        meeting.closed_at, meeting.agenda_snapshot = now, snapshot
        trail.record_request(
            request,
            "meeting.sign_off",
            object_type="meeting",
            object_id=meeting.pk,
            organisation_id=meeting.organisation_id,
        )
