"""The evidence pack's figures: what the period's records count, as plain numbers and
unsuppressed (the document suppresses small numbers as it writes them)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from itertools import pairwise

from django.db.models import Count, F, Max, OuterRef, Q, Subquery
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.concerns.models import Concern
from sharewise.disclosures.models import Disclosure, Response
from sharewise.governance import measures
from sharewise.governance.models import (
    Action,
    AuditRun,
    Finding,
    Job,
    Lesson,
    Supervision,
)
from sharewise.organisations.models import Membership, Role, Service
from sharewise.patterns.models import RULE_TITLES, Alert, AlertConcern, AlertDecision
from sharewise.patterns.models import Outcome as AlertOutcome
from sharewise.policy import store
from sharewise.sharing.models import ConsentOutcome, SharingDecision
from sharewise.sharing.models import Outcome as SharingOutcome
from sharewise.training import figures as training

SUPERVISED_ROLES = (Role.CARE_WORKER, Role.TEAM_MANAGER)

Progress = Callable[[int, str], None]


# Figures


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The period as [first moment, moment after the last day), local time."""
    return measures.day_start(start), measures.day_start(end + timedelta(days=1))


def _listed(counts: Counter, labels: dict[str, str]) -> list[dict]:
    """Every code the policy knows (so a zero shows), then any others found."""
    rows = [{"code": c, "label": label, "count": counts.get(c, 0)} for c, label in labels.items()]
    rows += [
        {"code": c, "label": c, "count": n} for c, n in sorted(counts.items()) if c not in labels
    ]
    return rows


def _exploded(queryset, field_name: str) -> Counter:
    """Count records under each code of a JSON list field, grouping by the stored list
    in the database so only the distinct lists come back."""
    counts: Counter = Counter()
    for codes, n in queryset.order_by().values_list(field_name).annotate(n=Count("pk")):
        for code in set(codes or ()):
            counts[code] += n
    return counts


def _grouped(queryset, field_name: str) -> Counter:
    return Counter(dict(queryset.order_by().values_list(field_name).annotate(n=Count("pk"))))


def _months(start: date, end: date) -> list[date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def concern_figures(organisation_id: int, start: date, end: date, unseen_by=None) -> dict:
    """unseen_by: the id of a member of staff whose pack this is: concerns naming them
    as the alleged source are not counted (a count must not tell them of one)."""
    # By when it happened: an imported concern's recorded_at is the day of the import.
    lo, hi = bounds(start, end)
    concerns = Concern.objects.filter(
        organisation_id=organisation_id, occurred_at__gte=lo, occurred_at__lt=hi
    )
    if unseen_by is not None:
        concerns = concerns.exclude(source_staff_id=unseen_by)
    _, recording = store.in_force(organisation_id, "recording")
    by_service = _grouped(concerns, "service_id")
    services = [
        {"label": s.name, "count": by_service.get(s.pk, 0)}
        for s in Service.objects.filter(organisation_id=organisation_id).order_by("name", "pk")
        if s.is_active or by_service.get(s.pk)
    ]
    # One pass, a range per month: cheaper than truncating every row's time zone.
    months = _months(start, end)
    edges = [max(lo, measures.day_start(m)) for m in months] + [hi]
    by_month = concerns.order_by().aggregate(
        **{
            f"m{i}": Count("pk", filter=Q(occurred_at__gte=a, occurred_at__lt=b))
            for i, (a, b) in enumerate(pairwise(edges))
        }
    )
    return {
        "total": concerns.count(),
        "by_category": _listed(_exploded(concerns, "categories"), recording.category_labels()),
        "by_service": services,
        "by_month": [
            {"month": f"{m:%Y-%m}", "label": f"{m:%B %Y}", "count": by_month[f"m{i}"]}
            for i, m in enumerate(months)
        ],
    }


def alert_figures(organisation_id: int, start: date, end: date, unseen_by=None) -> dict:
    """Alerts raised in the period, and what had been decided about them by its end
    (so a pack for a past period reads the same whenever it is made). unseen_by: as
    for concern_figures; alerts about them or holding a concern naming them."""
    lo, hi = bounds(start, end)
    first = AlertDecision.objects.filter(alert=OuterRef("pk"), decided_at__lt=hi).order_by(
        "decided_at", "id"
    )
    alerts = Alert.objects.filter(
        organisation_id=organisation_id, raised_at__gte=lo, raised_at__lt=hi
    )
    if unseen_by is not None:
        alerts = alerts.exclude(source_staff_id=unseen_by).exclude(
            pk__in=AlertConcern.objects.filter(concern__source_staff_id=unseen_by).values(
                "alert_id"
            )
        )
    rows = list(
        alerts.annotate(
            first_decided=Subquery(first.values("decided_at")[:1]),
            first_outcome=Subquery(first.values("outcome")[:1]),
        )
        .order_by()
        .values_list("rule", "raised_at", "first_decided", "first_outcome")
    )
    raised = Counter(rule for rule, *_ in rows)
    decided = Counter(rule for rule, _, when, _ in rows if when is not None)
    outcomes = Counter(outcome for *_, outcome in rows if outcome)
    days = [measures.days_between(when, at) for _, at, when, _ in rows if when is not None]
    rules = dict(RULE_TITLES)
    rules |= {r: r for r in sorted(raised) if r not in rules}
    return {
        "raised": len(rows),
        "decided": len(days),
        "median_days_to_decision": None if not days else round(measures.median(days), 1),
        "by_rule": [
            {"code": r, "label": label, "raised": raised.get(r, 0), "decided": decided.get(r, 0)}
            for r, label in rules.items()
        ],
        "outcomes": _listed(outcomes, dict(AlertOutcome.choices)),
    }


def sharing_figures(organisation_id: int, start: date, end: date) -> dict:
    """Signed sharing decisions made in the period."""
    lo, hi = bounds(start, end)
    decisions = SharingDecision.objects.filter(
        organisation_id=organisation_id,
        status=SharingDecision.Status.SIGNED,
        decided_at__gte=lo,
        decided_at__lt=hi,
    )
    _, policy = store.in_force(organisation_id, "sharing")
    total = decisions.count()
    consent = _grouped(decisions, "consent_outcome")
    none = "None: not sharing, or sharing without identifying the person"
    return {
        "decisions": total,
        "by_outcome": _listed(_grouped(decisions, "outcome"), dict(SharingOutcome.choices)),
        "with_consent": consent.get(ConsentOutcome.GIVEN, 0),
        "without_consent": total - consent.get(ConsentOutcome.GIVEN, 0),
        "by_consent": _listed(consent, dict(ConsentOutcome.choices)),
        "override_grounds": _listed(
            _exploded(decisions, "override_grounds"), policy.ground_labels()
        ),
        "article_6": _listed(_grouped(decisions, "article_6"), {**policy.article_6, "": none}),
        "article_9": _listed(_grouped(decisions, "article_9"), {**policy.article_9, "": none}),
    }


def disclosure_figures(organisation_id: int, start: date, end: date) -> dict:
    """Referrals (the minimum and templates are theirs), what was told without one, and
    what came back from both: acknowledgements, section 42 enquiries and outcomes."""
    lo, hi = bounds(start, end)
    in_period = Disclosure.objects.filter(
        organisation_id=organisation_id, sent_at__gte=lo, sent_at__lt=hi
    )
    sent = in_period.filter(kind=Disclosure.Kind.REFERRAL)
    counts = sent.order_by().aggregate(
        n=Count("pk"), within=Count("pk", filter=Q(beyond_minimum=0))
    )
    templates = (
        sent.order_by()
        .values_list("template", "template_title")
        .annotate(n=Count("pk"))
        .order_by("template_title", "template")
    )
    by_template: dict[str, dict] = {}
    for code, title, n in templates:
        # One row per template, even if its title changed during the period.
        row = by_template.setdefault(code, {"code": code, "label": title, "count": 0})
        row["count"] += n
    return {
        "sent": counts["n"],
        "within_minimum": counts["within"],
        "beyond_minimum": counts["n"] - counts["within"],
        "by_template": list(by_template.values()),
        "told": in_period.filter(kind=Disclosure.Kind.TOLD).count(),
        **_came_back(organisation_id, in_period),
    }


def _came_back(organisation_id, in_period) -> dict:
    """Of the referrals and told disclosures sent in the period: how many were
    acknowledged (and within the policy's chase days), how many opened a section 42
    enquiry, how the enquiries ended and whether what the person wanted was achieved,
    as currently recorded (a correction counts, what it replaced does not)."""
    _, policy = store.in_force(organisation_id, "referrals")
    answered = in_period.filter(kind__in=(Disclosure.Kind.REFERRAL, Disclosure.Kind.TOLD))
    now_recorded = Response.objects.filter(
        disclosure=OuterRef("pk"), replaced_by__isnull=True
    ).order_by("-recorded_at", "-id")
    acked = answered.annotate(
        acked_at=Subquery(
            now_recorded.filter(kind=Response.Kind.ACKNOWLEDGEMENT).values("acknowledged_at")[:1]
        )
    ).order_by()
    days = timedelta(days=policy.acknowledgement_chase_days)
    ack = acked.aggregate(
        n=Count("pk"),
        acked=Count("pk", filter=Q(acked_at__isnull=False)),
        in_time=Count("pk", filter=Q(acked_at__lte=F("sent_at") + days)),
    )
    outcomes = Response.objects.filter(
        disclosure__in=answered.values("pk"),
        kind=Response.Kind.OUTCOME,
        replaced_by__isnull=True,
    )
    opened = outcomes.filter(enquiry_opened=True)
    return {
        "to_partners": ack["n"],
        "acknowledged": ack["acked"],
        "acknowledged_in_time": ack["in_time"],
        "chase_days": policy.acknowledgement_chase_days,
        "enquiries_opened": opened.count(),
        "enquiries_not_opened": outcomes.filter(enquiry_opened=False).count(),
        "by_enquiry_outcome": _listed(
            _grouped(opened.exclude(enquiry_outcome=""), "enquiry_outcome"),
            dict(Response.EnquiryOutcome.choices),
        ),
        "wanted_achieved": _listed(
            _grouped(outcomes.exclude(wanted_achieved=""), "wanted_achieved"),
            dict(Response.Achieved.choices),
        ),
    }


def audit_figures(organisation_id: int, start: date, end: date) -> dict:
    lo, hi = bounds(start, end)
    runs = AuditRun.objects.filter(
        organisation_id=organisation_id, status=Job.DONE, created_at__gte=lo, created_at__lt=hi
    )
    raised = Finding.objects.filter(organisation_id=organisation_id, run__in=runs.values("pk"))
    _, policy = store.in_force(organisation_id, "governance")
    return {
        "runs": runs.count(),
        "findings_raised": raised.count(),
        "findings_closed": Finding.objects.filter(
            organisation_id=organisation_id, closed_at__gte=lo, closed_at__lt=hi
        ).count(),
        "by_criterion": _listed(
            _grouped(raised, "criterion"), {c.code: c.title for c in policy.criteria}
        ),
    }


def supervision_figures(organisation_id: int, start: date, end: date, now=None) -> dict:
    """Care workers and team managers: supervised in the period, and overdue now (no
    supervision in the last supervision_every_days)."""
    lo, hi = bounds(start, end)
    now = now or timezone.now()
    _, policy = store.in_force(organisation_id, "governance")
    staff_ids = (
        Membership.objects.filter(
            organisation_id=organisation_id, role__in=SUPERVISED_ROLES, user__is_active=True
        )
        .values("user_id")
        .distinct()
    )
    staff = staff_ids.count()
    sessions = Supervision.objects.filter(
        organisation_id=organisation_id, staff_id__in=staff_ids, held_at__gte=lo, held_at__lt=hi
    )
    supervised = sessions.values("staff_id").distinct().count()
    since = now - timedelta(days=policy.supervision_every_days)
    recent = (
        Supervision.objects.filter(organisation_id=organisation_id, staff_id__in=staff_ids)
        .values("staff_id")
        .annotate(last=Max("held_at"))
        .filter(last__gte=since)
        .count()
    )
    return {
        "staff": staff,
        "sessions": sessions.count(),
        "supervised": supervised,
        "not_supervised": staff - supervised,
        "overdue": staff - recent,
        "up_to_date": recent,
        "every_days": policy.supervision_every_days,
    }


ACTION_SOURCES = {
    "finding": "From audit findings",
    "minute": "From oversight meetings",
    "lesson": "From the learning log",
    "other": "Other",
}


def learning_figures(organisation_id: int, start: date, end: date, now=None) -> dict:
    """Lessons recorded, actions agreed in the period (done by its end), and the
    measure of each lesson recorded in the period or whose after window overlaps it."""
    lo, hi = bounds(start, end)
    now = min(now or timezone.now(), hi)
    lessons = Lesson.objects.filter(organisation_id=organisation_id)
    recorded = lessons.filter(recorded_at__gte=lo, recorded_at__lt=hi)
    actions = Action.objects.filter(
        organisation_id=organisation_id, created_at__gte=lo, created_at__lt=hi
    )
    none = Q(finding__isnull=True, minute__isnull=True)
    sources = actions.order_by().aggregate(
        from_finding=Count("pk", filter=Q(finding__isnull=False)),
        from_minute=Count("pk", filter=Q(finding__isnull=True, minute__isnull=False)),
        from_lesson=Count("pk", filter=none & Q(lesson__isnull=False)),
        from_other=Count("pk", filter=none & Q(lesson__isnull=True)),
        done=Count("pk", filter=Q(done_at__lt=hi)),
        n=Count("pk"),
    )
    patterns = dict(Lesson.Pattern.choices)
    shown = []
    for lesson in lessons.filter(recorded_at__lt=hi).order_by("changed_on", "pk"):
        after_end = lesson.changed_on + timedelta(days=lesson.window_days)
        in_period = lo <= lesson.recorded_at < hi
        overlaps = lesson.changed_on <= end and after_end > start
        if not (in_period or overlaps):
            continue
        result = measures.before_after(lesson, now=now)
        shown.append(
            {
                "pattern": lesson.failure_pattern,
                "pattern_label": patterns.get(lesson.failure_pattern, lesson.failure_pattern),
                "changed_on": lesson.changed_on.isoformat(),
                "window_days": lesson.window_days,
                **result,
            }
        )
    return {
        "lessons": recorded.count(),
        "by_pattern": _listed(_grouped(recorded, "failure_pattern"), patterns),
        "actions_agreed": sources["n"],
        "actions_done": sources["done"],
        "actions_open": sources["n"] - sources["done"],
        "actions_by_source": [
            {"code": code, "label": label, "count": sources[f"from_{code}"]}
            for code, label in ACTION_SOURCES.items()
        ],
        "measures": shown,
    }


def training_figures(organisation_id: int, start: date, end: date) -> dict:
    """Training due in the period and whether done, practice by failure pattern, and
    how many staff confirmed each policy in force at its end. Counts only: no names."""
    lo, hi = bounds(start, end)
    found = training.evidence(organisation_id, lo, hi)
    patterns = dict(Lesson.Pattern.choices)
    for row in found["attempts_by_pattern"]:
        row["label"] = patterns.get(row["code"], row["code"].replace("_", " ").capitalize())
    return found


TOPICS = (
    ("concerns", "Counting concerns", concern_figures),
    ("alerts", "Counting alerts and their decisions", alert_figures),
    ("sharing", "Counting sharing decisions", sharing_figures),
    ("disclosures", "Counting disclosures", disclosure_figures),
    ("audits", "Counting audits and findings", audit_figures),
    ("supervision", "Counting supervision", supervision_figures),
    ("learning", "Measuring lessons and actions", learning_figures),
    ("training", "Counting training", training_figures),
)


def figures(
    organisation_id: int,
    start: date,
    end: date,
    progress: Progress | None = None,
    unseen_by=None,
) -> dict:
    """The period's figures (dates inclusive) as plain numbers, unsuppressed: small
    numbers are held back when they are shown (render_html), not here. unseen_by: who
    the pack is for (see concern_figures)."""
    position, head = trail.head()
    out: dict = {
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "generated_at": timezone.now().isoformat(),
        # The trail as it stood: anyone can later check that the chain still holds it.
        "trail_head": {"position": position, "hash": head},
    }
    for i, (key, step, topic) in enumerate(TOPICS):
        if progress:
            progress(5 + 65 * i // len(TOPICS), step)
        if topic in (concern_figures, alert_figures):
            out[key] = topic(organisation_id, start, end, unseen_by)
        else:
            out[key] = topic(organisation_id, start, end)
    if progress:
        progress(70, "Figures counted")
    return out
