"""The oversight dashboard's figures, the concerns behind one square of its heat map,
notifications, and trying proposed pattern rules on past concerns: the same scope,
permissions and trail as the pages."""

from datetime import date, datetime

from django.core.paginator import Paginator
from ninja import Field, Query, Router, Schema

from sharewise.api.inputs import Day, Input
from sharewise.patterns import access, operations

router = Router(tags=["Alerts"])


class RankedPerson(Schema):
    person_id: int
    score: float = Field(description="Faded to now, to one decimal place")
    over_threshold: bool


class WaitingCase(Schema):
    id: int
    person_id: int | None = Field(description="None when you may not see the person")
    status: str = Field(description="open or acknowledged")
    titles: list[str] = Field(description="The rules in it you may see")
    waiting_since: datetime


class HeatSquare(Schema):
    service_id: int
    service: str
    category: str
    label: str
    concerns: int = Field(description="Concerns of the last 90 days you may see")


class RefusingPerson(Schema):
    person_id: int
    concerns: int
    latest: datetime


class Refusals(Schema):
    people: int = Field(description="People who refused sharing in the last 90 days")
    concerns: int
    top: list[RefusingPerson] = Field(description="Up to 20, the most refusals first")


class OversightOut(Schema):
    threshold: float
    half_life_days: float
    people_over_threshold: int
    highest_risk: list[RankedPerson]
    cases_waiting: int
    oldest_cases: list[WaitingCase] = Field(description="Up to 50, the longest waiting first")
    heat: list[HeatSquare]
    refusals: Refusals
    overdue_reviews: int
    overdue_concern_ids: list[int] = Field(description="Up to 20, the longest overdue first")
    urgent_concern_ids: list[int] = Field(
        description="Immediate danger not yet reviewed, oldest first (up to 20)"
    )


@router.get(
    "/oversight",
    response=OversightOut,
    summary="The oversight dashboard's figures (safeguarding leads, team managers)",
)
def get_oversight(request):
    board = access.dashboard_for(request, via="api")
    services = {s.pk: s.name for s in board.services}
    labels = dict(board.categories)
    return OversightOut(
        threshold=board.threshold,
        half_life_days=board.half_life,
        people_over_threshold=board.people_over,
        highest_risk=[
            RankedPerson(person_id=p.pk, score=score, over_threshold=over)
            for p, score, over in board.ranked
        ],
        cases_waiting=board.alerts_total,
        oldest_cases=[
            WaitingCase(
                id=c.pk,
                person_id=None if not c.first or c.first.person_hidden else c.person_id,
                status=c.status,
                titles=c.titles,
                waiting_since=c.waiting_since,
            )
            for c in board.cases
        ],
        heat=[
            HeatSquare(
                service_id=sid, service=services[sid], category=code, label=labels[code], concerns=n
            )
            for (sid, code), n in sorted(board.heat.items())
            if sid in services and code in labels
        ],
        refusals=Refusals(
            people=board.refusal_people,
            concerns=board.refusal_concerns,
            top=[
                RefusingPerson(person_id=p.pk, concerns=n, latest=latest)
                for p, n, latest in board.refusals
            ],
        ),
        overdue_reviews=board.overdue_total,
        overdue_concern_ids=[c.pk for c in board.overdue],
        urgent_concern_ids=[c.pk for c in board.urgent],
    )


class ConcernAtService(Schema):
    id: int
    occurred_at: datetime
    team: str
    person_ids: list[int] = Field(description="Only the people you may see")


@router.get(
    "/oversight/services/{service_id}/{category}",
    response=list[ConcernAtService],
    summary="The concerns behind one square of the heat map: a service and a category, "
    "the last 90 days, newest first (up to 200)",
)
def concerns_at_service(request, service_id: int, category: str):
    _, concerns = access.concerns_at_service(request, service_id, category, via="api")
    return [
        ConcernAtService(
            id=c.pk,
            occurred_at=c.occurred_at,
            team=c.team.name,
            person_ids=[p.pk for p in c.people_shown],
        )
        for c in concerns
    ]


class NotificationOut(Schema):
    id: int
    created_at: datetime
    message: str
    read: bool
    alert_id: int | None = Field(description="None when you may no longer see the alert")
    link: str = Field(description="Where it leads when not about an alert")


class NotificationPage(Schema):
    count: int
    unread: int
    page: int
    pages: int
    results: list[NotificationOut]


@router.get("/notifications", response=NotificationPage, summary="Your notifications, newest first")
def list_notifications(
    request,
    unread: bool = Query(False, description="true: only those not yet read"),
    page: int = Query(1, ge=1),
    page_size: int = Query(50, ge=1, le=100),
):
    mine = access.notifications_of(request.user)
    if unread:
        mine = mine.filter(read_at__isnull=True)
    paginator = Paginator(mine, page_size)
    current = paginator.get_page(page)
    found = list(current.object_list)
    access.show_notifications(request, found, via="api")
    return NotificationPage(
        count=paginator.count,
        unread=access.notifications_of(request.user).filter(read_at__isnull=True).count(),
        page=current.number,
        pages=paginator.num_pages,
        results=[
            NotificationOut(
                id=n.pk,
                created_at=n.created_at,
                message=n.message,
                read=n.read_at is not None,
                alert_id=n.alert_id if n.can_open and n.alert_id else None,
                link=n.link if n.can_open and not n.alert_id else "",
            )
            for n in found
        ],
    )


class MarkedRead(Schema):
    marked: int = Field(description="How many were unread")


@router.post(
    "/notifications/read", response=MarkedRead, summary="Mark all your notifications as read"
)
def mark_notifications_read(request):
    return MarkedRead(marked=operations.mark_notifications_read(request.user))


class BacktestIn(Input):
    start: Day = Field(description="The first day to replay (YYYY-MM-DD)")
    end: Day = Field(description="The last day, not in the future (at most five years on)")
    document: dict = Field(
        description="Changes to the pattern rules in force; what is left out stays as it is"
    )


class BacktestSummary(Schema):
    alerts: int
    people: int
    median_days_earlier: float | None = Field(
        description="How many days before the person's first escalation the alerts came"
    )
    escalations_without_alert: int


class BacktestRow(Schema):
    rule: str
    title: str
    person_id: int | None
    fires_at: datetime
    concern_ids: list[int]
    escalated_at: datetime | None
    days_earlier: int | None


class BacktestTotal(Schema):
    title: str
    in_force: int
    proposed: int


class BacktestOut(Schema):
    start: date
    end: date
    in_force: BacktestSummary
    proposed: BacktestSummary
    totals: list[BacktestTotal] = Field(description="Alerts per rule, in force and proposed")
    rows: list[BacktestRow] = Field(description="The proposed rules' alerts, first 200")
    more: int = Field(description="Alerts beyond those listed")


def _summary(report) -> BacktestSummary:
    return BacktestSummary(
        alerts=report.alerts,
        people=report.people,
        median_days_earlier=report.median_days_earlier,
        escalations_without_alert=report.escalations_without_alert,
    )


@router.post(
    "/policy/patterns/backtest",
    response=BacktestOut,
    tags=["Policy"],
    summary="Try proposed pattern rules on past concerns, beside the rules in force "
    "(safeguarding leads)",
)
def backtest_pattern_policy(request, payload: BacktestIn):
    results = operations.try_pattern_rules(request, payload.start, payload.end, payload.document)
    return BacktestOut(
        start=payload.start,
        end=payload.end,
        in_force=_summary(results["in_force"]),
        proposed=_summary(results["proposed"]),
        totals=[BacktestTotal(title=t, in_force=a, proposed=b) for t, a, b in results["totals"]],
        rows=[
            BacktestRow(
                rule=row.rule,
                title=row.title,
                person_id=row.person_id,
                fires_at=row.fires_at,
                concern_ids=list(row.concern_ids),
                escalated_at=row.escalated_at,
                days_earlier=row.days_earlier,
            )
            for row, _ in results["rows"]
        ],
        more=results["more"],
    )
