"""The evidence pack: a de-identified account of a period for commissioners and
inspectors, as figures, one HTML document and its PDF, built in the background.

What it holds is counts, rates and medians only, under labels the organisation's
policies define (categories, rules, grounds, templates, services). It never holds a
name, date of birth, NHS number or anything staff typed: lesson titles, reasons and
notes are left out, a lesson being shown by its failure pattern and measure.

Small numbers: any count from 1 to small_number - 1 is shown as "<5" (for the default
of 5), and a rate or median worked out from fewer than small_number records is not
shown, nor is a percentage that would give away a count under small_number of the
records it counts or leaves out. Where a hidden count could be worked out by taking the others from a total
shown beside it, a second count is hidden too ("Not shown")."""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import pairwise

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from sharewise.audittrail import trail
from sharewise.concerns.models import Concern
from sharewise.disclosures.models import Disclosure
from sharewise.governance import charts, jobs, measures
from sharewise.governance.models import (
    Action,
    AuditRun,
    EvidencePack,
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

logger = logging.getLogger(__name__)


MAX_YEARS = 2
FAILED = (
    "Something went wrong while building the evidence pack. Try again; if it happens "
    "again, tell your administrator the time you tried."
)
HIDDEN = "Not shown"
SUPERVISED_ROLES = (Role.CARE_WORKER, Role.TEAM_MANAGER)

Progress = Callable[[int, str], None]


# Small numbers


def suppress(n: int, threshold: int) -> str:
    """A count as it may be shown: "<5" (for a threshold of 5) for 1 to threshold - 1,
    so a handful of people cannot be picked out. Zero is shown as "0": it says that
    nothing happened, which is about nobody, and hiding it would make a period with
    no concerns look like one with a few."""
    if n < 0:
        raise ValueError("a count cannot be negative")
    if 0 < n < threshold:
        return f"<{threshold}"
    return f"{n:,}"


def too_few(threshold: int) -> str:
    return f"Not shown: fewer than {threshold}"


GIVES_AWAY = "Not shown: it would give away a count under {}"


def rate_text(value: float | None, n: int, unit: str, threshold: int) -> str:
    """A percentage or a median in days, or why it is not shown: one from fewer than
    threshold records could give away a small count, and so could a percentage of n
    records shown beside n when what it counts, or what it leaves out, is 1 to
    threshold - 1 (80% of 5 is 4 of them, and 1 not)."""
    if n == 0 or value is None:
        return "No records"
    if n < threshold:
        return too_few(threshold)
    if unit == "%":
        return GIVES_AWAY.format(threshold) if small_share(value, n, threshold) else f"{value:.1f}%"
    return f"{value:.1f} days"


def small_share(percent: float, n: int, threshold: int) -> bool:
    counted = round(percent * n / 100)
    return 0 < counted < threshold or 0 < n - counted < threshold


class Cells:
    """Counts that appear together, with the totals they add up to, so that a hidden
    count cannot be worked out from the others: where a total is shown and only one
    of its parts is hidden, the smallest other non-zero part is hidden too (a zero if
    there is none, the total if nothing else is left); where a hidden total's parts
    are all shown, one of them is hidden. Repeated until nothing changes (each part
    can itself be a total)."""

    def __init__(self, threshold: int):
        self.threshold = threshold
        self.values: dict[str, int] = {}
        self.groups: list[tuple[str, list[str]]] = []
        self._solved: dict[str, tuple[int | None, str]] | None = None

    def add(self, key: str, value: int) -> str:
        self.values[key] = int(value)
        return key

    def group(self, total: str, parts: list[str]) -> None:
        self.groups.append((total, list(parts)))

    def solve(self) -> dict[str, tuple[int | None, str]]:
        t = self.threshold
        hidden = {k for k, v in self.values.items() if 0 < v < t}
        secondary: set[str] = set()
        changed = True
        while changed:
            changed = False
            for total, parts in self.groups:
                parts_hidden = [p for p in parts if p in hidden]
                exposed = (total not in hidden and len(parts_hidden) == 1) or (
                    total in hidden and not parts_hidden
                )
                if not exposed:
                    continue
                # Rather a count than a zero, and a zero than the total.
                candidates = sorted(
                    (p for p in parts if p not in hidden),
                    key=lambda p: (self.values[p] == 0, self.values[p], p),
                )
                pick = candidates[0] if candidates else total
                hidden.add(pick)
                secondary.add(pick)
                changed = True
        self._solved = {
            k: (None, HIDDEN if k in secondary else suppress(v, t))
            if k in hidden
            else (v, suppress(v, t))
            for k, v in self.values.items()
        }
        return self._solved

    def shown(self, key: str) -> str:
        if self._solved is None:
            self.solve()
        return self._solved[key][1]

    def bar(self, key: str, label: str) -> tuple[str, int | None, str]:
        if self._solved is None:
            self.solve()
        value, shown = self._solved[key]
        return (label, value, shown)


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
    lo, hi = bounds(start, end)
    sent = Disclosure.objects.filter(
        organisation_id=organisation_id, sent_at__gte=lo, sent_at__lt=hi
    )
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


TOPICS = (
    ("concerns", "Counting concerns", concern_figures),
    ("alerts", "Counting alerts and their decisions", alert_figures),
    ("sharing", "Counting sharing decisions", sharing_figures),
    ("disclosures", "Counting disclosures", disclosure_figures),
    ("audits", "Counting audits and findings", audit_figures),
    ("supervision", "Counting supervision", supervision_figures),
    ("learning", "Measuring lessons and actions", learning_figures),
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


# The document


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


@dataclass
class Block:
    caption: str
    head: list[str]
    rows: list[list[str]]
    chart: str = ""
    text_columns: int = 1  # leading columns of words rather than numbers


@dataclass
class Section:
    key: str
    title: str
    lead: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _block(cells: Cells, caption: str, head: list[str], items: list[tuple[str, str]]) -> Block:
    """A one-column table of counts and its bar chart: items are (label, cell key)."""
    chart = charts.bar_chart(caption, [cells.bar(key, label) for label, key in items])
    return Block(
        caption,
        head,
        [[label, cells.shown(key)] for label, key in items],
        mark_safe(chart),  # noqa: S308
    )


def _counted(cells: Cells, prefix: str, rows: list[dict], total: str | None) -> list[tuple]:
    keys = [cells.add(f"{prefix}:{i}", r["count"]) for i, r in enumerate(rows)]
    if total is not None:
        cells.group(total, keys)
    return [(r["label"], k) for r, k in zip(rows, keys, strict=True)]


def _concerns_section(f: dict, t: int) -> Section:
    cells = Cells(t)
    total = cells.add("total", f["total"])
    categories = _counted(cells, "category", f["by_category"], None)
    services = _counted(cells, "service", f["by_service"], total)
    months = _counted(cells, "month", f["by_month"], total)
    return Section(
        "concerns",
        "Concerns",
        [
            f"Concerns that happened in the period: {cells.shown(total)}.",
            "A concern about more than one kind of harm counts under each, so the "
            "categories can add up to more than the total.",
        ],
        [
            _block(cells, "Concerns by category of harm", ["Category", "Concerns"], categories),
            _block(cells, "Concerns by service", ["Service", "Concerns"], services),
            _block(cells, "Concerns by month", ["Month", "Concerns"], months),
        ],
    )


def _alerts_section(f: dict, t: int) -> Section:
    cells = Cells(t)
    raised = cells.add("raised", f["raised"])
    decided = cells.add("decided", f["decided"])
    waiting = cells.add("waiting", f["raised"] - f["decided"])
    cells.group(raised, [decided, waiting])
    keys = []
    for i, r in enumerate(f["by_rule"]):
        row = (
            cells.add(f"r:{i}", r["raised"]),
            cells.add(f"d:{i}", r["decided"]),
            cells.add(f"w:{i}", r["raised"] - r["decided"]),
        )
        cells.group(row[0], [row[1], row[2]])
        keys.append((r["label"], row))
    for column, total in ((0, raised), (1, decided), (2, waiting)):
        cells.group(total, [row[column] for _, row in keys])
    outcomes = _counted(cells, "outcome", f["outcomes"], decided)
    chart = charts.bar_chart("Alerts raised by rule", [cells.bar(k[0], label) for label, k in keys])
    by_rule = Block(
        "Alerts raised by rule, and whether decided by the end of the period",
        ["Rule", "Raised", "Decided", "Not decided"],
        [[label] + [cells.shown(k) for k in row] for label, row in keys],
        mark_safe(chart),  # noqa: S308
    )
    median = rate_text(f["median_days_to_decision"], f["decided"], "days", t)
    return Section(
        "alerts",
        "Alerts and decisions",
        [
            f"Alerts raised in the period: {cells.shown(raised)}, of which "
            f"{cells.shown(decided)} were decided by its end.",
            f"Median time from an alert being raised to its first decision: {median}.",
        ],
        [
            by_rule,
            _block(cells, "First decisions on alerts, by outcome", ["Outcome", "Alerts"], outcomes),
        ],
    )


def _sharing_section(f: dict, t: int) -> Section:
    cells = Cells(t)
    total = cells.add("total", f["decisions"])
    with_consent = cells.add("with", f["with_consent"])
    without = cells.add("without", f["without_consent"])
    cells.group(total, [with_consent, without])
    outcomes = _counted(cells, "outcome", f["by_outcome"], total)
    consent = _counted(cells, "consent", f["by_consent"], total)
    given = [k for (_, k), r in zip(consent, f["by_consent"], strict=True) if r["code"] == "given"]
    cells.group(without, [k for _, k in consent if k not in given])
    grounds = _counted(cells, "ground", f["override_grounds"], None)
    article_6 = _counted(cells, "a6", f["article_6"], total)
    article_9 = _counted(cells, "a9", f["article_9"], total)
    return Section(
        "sharing",
        "Sharing decisions",
        [
            f"Signed sharing decisions made in the period: {cells.shown(total)} "
            f"({cells.shown(with_consent)} where the person consented, "
            f"{cells.shown(without)} where they did not or were not asked).",
        ],
        [
            _block(cells, "Sharing decisions by outcome", ["Outcome", "Decisions"], outcomes),
            _block(cells, "Sharing decisions by consent", ["Consent", "Decisions"], consent),
            _block(
                cells,
                "Grounds relied on to share without consent",
                ["Ground", "Decisions"],
                grounds,
            ),
            _block(cells, "Lawful basis: UK GDPR Article 6", ["Basis", "Decisions"], article_6),
            _block(
                cells,
                "Condition for special category data: Article 9",
                ["Condition", "Decisions"],
                article_9,
            ),
        ],
        ["A decision can rest on more than one ground, so grounds can add up to more."],
    )


def _disclosures_section(f: dict, t: int) -> Section:
    cells = Cells(t)
    sent = cells.add("sent", f["sent"])
    within = cells.add("within", f["within_minimum"])
    beyond = cells.add("beyond", f["beyond_minimum"])
    cells.group(sent, [within, beyond])
    templates = _counted(cells, "template", f["by_template"], sent)
    return Section(
        "disclosures",
        "Disclosures",
        [f"Referrals sent in the period: {cells.shown(sent)}."],
        [
            _block(cells, "Referrals sent by template", ["Template", "Sent"], templates),
            _block(
                cells,
                "Referrals and the minimum needed",
                ["What was sent", "Sent"],
                [
                    ("No more than the minimum", within),
                    ("More than the minimum, with reasons", beyond),
                ],
            ),
        ],
    )


def _audits_section(f: dict, t: int) -> Section:
    cells = Cells(t)
    runs = cells.add("runs", f["runs"])
    raised = cells.add("raised", f["findings_raised"])
    closed = cells.add("closed", f["findings_closed"])
    criteria = _counted(cells, "criterion", f["by_criterion"], raised)
    return Section(
        "audits",
        "Audits and findings",
        [
            f"Audits run in the period: {cells.shown(runs)}. Findings they raised: "
            f"{cells.shown(raised)}. Findings closed in the period: {cells.shown(closed)}."
        ],
        [
            _block(
                cells,
                "Audits and findings",
                ["", "Count"],
                [
                    ("Audits run", runs),
                    ("Findings raised", raised),
                    ("Findings closed", closed),
                ],
            ),
            _block(cells, "Findings raised by audit question", ["Question", "Findings"], criteria),
        ],
    )


def _supervision_section(f: dict, t: int) -> Section:
    cells = Cells(t)
    staff = cells.add("staff", f["staff"])
    supervised = cells.add("supervised", f["supervised"])
    not_supervised = cells.add("not_supervised", f["not_supervised"])
    overdue = cells.add("overdue", f["overdue"])
    up_to_date = cells.add("up_to_date", f["up_to_date"])
    sessions = cells.add("sessions", f["sessions"])
    cells.group(staff, [supervised, not_supervised])
    cells.group(staff, [overdue, up_to_date])
    return Section(
        "supervision",
        "Supervision",
        [
            f"Care workers and team managers: {cells.shown(staff)}. Supervision sessions "
            f"in the period: {cells.shown(sessions)}.",
            f"Supervision is due every {f['every_days']} days; overdue is counted as at "
            "the day the pack was made.",
        ],
        [
            _block(
                cells,
                "Supervision coverage",
                ["Staff", "Count"],
                [
                    ("Supervised in the period", supervised),
                    ("Not supervised in the period", not_supervised),
                    ("Supervision up to date now", up_to_date),
                    ("Supervision overdue now", overdue),
                ],
            )
        ],
    )


def _measure_row(m: dict, t: int) -> list[str]:
    unit = m["unit"]
    before = rate_text(m["before"], m["n_before"], unit, t)
    after = rate_text(m["after"], m["n_after"], unit, t)
    both = m["n_before"] >= t and m["n_after"] >= t and m["change"] is not None
    small = (
        both
        and unit == "%"
        and (small_share(m["before"], m["n_before"], t) or small_share(m["after"], m["n_after"], t))
    )
    if small:
        change, result = "Not shown", "Not shown: small numbers"
    elif not both:
        change, result = "Not shown", "Too few records to tell"
    else:
        change = f"{m['change']:+.1f}{'%' if unit == '%' else ' days'}"
        result = "No change" if m["change"] == 0 else "Better" if m["improved"] else "Worse"
    if not m["after_complete"]:
        result += " (after period still running)"
    return [
        m["pattern_label"],
        m["label"],
        before,
        suppress(m["n_before"], t),
        after,
        suppress(m["n_after"], t),
        change,
        result,
    ]


def _learning_section(f: dict, t: int) -> Section:
    cells = Cells(t)
    lessons = cells.add("lessons", f["lessons"])
    patterns = _counted(cells, "pattern", f["by_pattern"], lessons)
    agreed = cells.add("agreed", f["actions_agreed"])
    done = cells.add("done", f["actions_done"])
    still_open = cells.add("open", f["actions_open"])
    cells.group(agreed, [done, still_open])
    sources = _counted(cells, "source", f["actions_by_source"], agreed)
    blocks = [
        _block(cells, "Lessons recorded by failure pattern", ["Pattern", "Lessons"], patterns),
        _block(
            cells,
            "Actions agreed in the period",
            ["Actions", "Count"],
            [("Done by the end of the period", done), ("Still open", still_open)],
        ),
        _block(cells, "Actions agreed, by where they came from", ["Source", "Actions"], sources),
    ]
    if f["measures"]:
        blocks.append(
            Block(
                "Did the changes work? Each lesson's measure before and after the change",
                [
                    "Failure pattern",
                    "Measure",
                    "Before",
                    "Records before",
                    "After",
                    "Records after",
                    "Change",
                    "Result",
                ],
                [_measure_row(m, t) for m in f["measures"]],
                text_columns=2,
            )
        )
    return Section(
        "learning",
        "Learning",
        [
            f"Lessons recorded in the period: {cells.shown(lessons)}. Actions agreed: "
            f"{cells.shown(agreed)}, of which {cells.shown(done)} were done by its end."
        ],
        blocks,
        [
            "Each lesson is shown by the kind of failure it fits and the measure chosen to "
            "check the change, never by its title or story. Before and after each cover the "
            "same number of days either side of the change."
        ],
    )


SECTIONS = (
    ("concerns", _concerns_section),
    ("alerts", _alerts_section),
    ("sharing", _sharing_section),
    ("disclosures", _disclosures_section),
    ("audits", _audits_section),
    ("supervision", _supervision_section),
    ("learning", _learning_section),
)


def sections(figures: dict, threshold: int) -> list[Section]:
    return [build_section(figures[key], threshold) for key, build_section in SECTIONS]


def render_html(org_name: str, start: date, end: date, figures: dict, threshold: int) -> str:
    """The pack as one standalone HTML document: every count through suppress."""
    generated = figures.get("generated_at")
    made = (
        timezone.localdate(datetime.fromisoformat(generated)) if generated else timezone.localdate()
    )
    return render_to_string(
        "governance/evidence_document.html",
        {
            "organisation": org_name,
            "period": f"{long_date(start)} to {long_date(end)}",
            "generated": long_date(made),
            "threshold": threshold,
            "sections": sections(figures, threshold),
            "trail_head": figures.get("trail_head"),
        },
    )


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported here: Pango is only needed to draw PDFs

    return HTML(string=html).write_pdf()


# Requesting and building


def period_problems(period_from, period_to, today: date | None = None) -> dict[str, str]:
    """What is wrong with a requested period, by field."""
    return jobs.period_problems(period_from, period_to, MAX_YEARS, today)


def start(request, org_id: int, period_from: date, period_to: date) -> EvidencePack:
    """Queue a pack for the period; it is built in the background once saved.
    Raises ValidationError({field: message}) and saves nothing for a bad period."""
    if found := period_problems(period_from, period_to):
        raise ValidationError(found)
    with transaction.atomic():
        pack = EvidencePack.objects.create(
            organisation_id=org_id,
            period_from=period_from,
            period_to=period_to,
            requested_by=request.user,
            step="Waiting to start",
        )
        trail.record_request(
            request,
            "evidence_pack.request",
            object_type="evidence_pack",
            object_id=pack.pk,
            organisation_id=org_id,
            detail={"from": period_from.isoformat(), "to": period_to.isoformat()},
        )
        jobs.after_commit(build, pack.pk, "evidence")
    return pack


def build(pack_id: int) -> None:
    """Count, write and print the pack, reporting progress on its row."""
    packs = EvidencePack.objects.filter(pk=pack_id)

    def progress(percent: int, step: str) -> None:
        packs.update(progress=percent, step=step)

    try:
        pack = EvidencePack.objects.select_related("organisation").get(pk=pack_id)
        packs.update(status=Job.RUNNING, started_at=timezone.now(), progress=0, step="Starting")
        org_id = pack.organisation_id
        _, policy = store.in_force(org_id, "governance")
        data = figures(org_id, pack.period_from, pack.period_to, progress, pack.requested_by_id)
        progress(75, "Writing the document")
        html = render_html(
            pack.organisation.name, pack.period_from, pack.period_to, data, policy.small_number
        )
        progress(85, "Making the PDF")
        pdf = render_pdf(html)
        packs.update(
            status=Job.DONE,
            progress=100,
            step="Finished",
            figures=data,
            html=html,
            pdf=pdf,
            sha256=hashlib.sha256(pdf).hexdigest(),
            finished_at=timezone.now(),
            error="",
        )
    except Exception:
        logger.exception("Evidence pack %s failed", pack_id)
        packs.update(status=Job.FAILED, step="Failed", error=FAILED, finished_at=timezone.now())


def hidden_from(pack, user) -> bool:
    return pack.pk in hidden_packs([pack], user)


def hidden_packs(packs, user) -> set[int]:
    """A pack counts what its requester may see; anyone else named as the alleged
    source in a concern or alert of its period may not open it (its counts would tell
    them of it): they build their own. Ids of those among `packs` hidden from user."""
    others = [p for p in packs if p.requested_by_id != user.pk]
    if not others:
        return set()
    orgs = {p.organisation_id for p in others}
    moments = list(
        Concern.objects.filter(organisation_id__in=orgs, source_staff=user).values_list(
            "organisation_id", "occurred_at"
        )
    )
    moments += AlertConcern.objects.filter(
        concern__source_staff=user, alert__organisation_id__in=orgs
    ).values_list("alert__organisation_id", "alert__raised_at")
    hidden = set()
    for pack in others:
        lo, hi = bounds(pack.period_from, pack.period_to)
        if any(o == pack.organisation_id and lo <= at < hi for o, at in moments):
            hidden.add(pack.pk)
    return hidden
