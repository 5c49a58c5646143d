"""Alerts and cases for decision, their decisions, a person's risk score and the
pattern policy: the same scope, permissions and lifecycle as the oversight pages
(patterns.access and patterns.operations behind both)."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from ninja import Field, Query, Router, Schema, Status
from pydantic import ValidationError as PolicyError

from sharewise.api.inputs import Day, Input
from sharewise.concerns.models import Concern
from sharewise.organisations import stepup
from sharewise.organisations.access import scope_for
from sharewise.patterns import access, operations
from sharewise.patterns.models import Alert, AlertConcern, AlertDecision
from sharewise.people.access import get_person_for
from sharewise.policy import editing, store
from sharewise.policy.changes import record_change

router = Router(tags=["Alerts"])

# Days in query parameters ("from" is a Python word, so each is named by its alias).
RAISED_FROM = Query(None, alias="from", description="Raised on or after (YYYY-MM-DD)")
RAISED_TO = Query(None, alias="to", description="Raised on or before (YYYY-MM-DD)")
OPENED_FROM = Query(None, alias="from", description="Opened on or after (YYYY-MM-DD)")
OPENED_TO = Query(None, alias="to", description="Opened on or before (YYYY-MM-DD)")


class AlertSummary(Schema):
    id: int
    rule: str
    title: str
    subject: str
    person_id: int | None
    status: str
    explanation: str
    score: float | None
    raised_at: datetime
    updated_at: datetime
    waiting_since: datetime
    concern_ids: list[int] = Field(description="Only the concerns you may see")
    policy_version: int
    case_id: int | None = Field(None, description="The case for decision it waits in")


class AlertPage(Schema):
    count: int
    page: int
    pages: int
    results: list[AlertSummary]


class EventOut(Schema):
    at: datetime
    kind: str
    by: str | None
    concern_ids: list[int]
    note: str


class AlertDecisionOut(Schema):
    id: int
    outcome: str
    monitor_until: date | None
    rationale: str
    decided_by: str
    decided_at: datetime
    policy_version: int


class AlertOut(AlertSummary):
    hidden_concerns: int = Field(description="Concerns in this alert outside what you can see")
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    events: list[EventOut]
    decisions: list[AlertDecisionOut]


def _visible_links(user, alert_ids) -> dict[int, list[int]]:
    """Concern ids per alert, keeping only concerns this user may see."""
    found: dict[int, list[int]] = {pk: [] for pk in alert_ids}
    for alert_id, concern_id in (
        AlertConcern.objects.filter(
            alert_id__in=alert_ids, concern__in=Concern.objects.visible_to(user)
        )
        .order_by("concern_id")
        .values_list("alert_id", "concern_id")
    ):
        found[alert_id].append(concern_id)
    return found


def _summary(alert: Alert, concern_ids: list[int]) -> dict:
    """(Call access.mark_unseen_people first: no id of a person the reader may not
    see is given.)"""
    subject = alert.subject
    if getattr(alert, "person_hidden", False) and subject.startswith("person:"):
        subject = "person"
    if getattr(alert, "source_person_hidden", False):
        subject = "source:person"
    return {
        "id": alert.pk,
        "rule": alert.rule,
        "title": alert.title,
        "subject": subject,
        "person_id": None if getattr(alert, "person_hidden", False) else alert.person_id,
        "status": alert.status,
        "explanation": alert.explanation,
        "score": alert.score,
        "raised_at": alert.raised_at,
        "updated_at": alert.updated_at,
        "waiting_since": alert.waiting_since,
        "concern_ids": concern_ids,
        "policy_version": alert.policy_version.version,
        "case_id": alert.case_id,
    }


def _decision_out(d: AlertDecision) -> AlertDecisionOut:
    return AlertDecisionOut(
        id=d.pk,
        outcome=d.outcome,
        monitor_until=d.monitor_until,
        rationale=d.rationale,
        decided_by=d.decided_by.username,
        decided_at=d.decided_at,
        policy_version=d.policy_version.version,
    )


def _alert_out(alert: Alert, user) -> AlertOut:
    alert = Alert.objects.select_related("policy_version", "acknowledged_by").get(pk=alert.pk)
    access.mark_unseen_people([alert], user)
    visible = _visible_links(user, [alert.pk])[alert.pk]
    shown = set(visible)
    return AlertOut(
        **_summary(alert, visible),
        hidden_concerns=alert.links.count() - len(visible),
        acknowledged_by=alert.acknowledged_by.username if alert.acknowledged_by else None,
        acknowledged_at=alert.acknowledged_at,
        events=[
            EventOut(
                at=e.at,
                kind=e.kind,
                by=e.by.username if e.by else None,
                # an event must not reveal the ids of concerns hidden from this user
                concern_ids=[i for i in e.concern_ids if i in shown],
                note=e.note,
            )
            for e in alert.events.select_related("by")
        ],
        decisions=[
            _decision_out(d) for d in alert.decisions.select_related("decided_by", "policy_version")
        ],
    )


@router.get("/alerts", response=AlertPage, summary="Alerts you may see (leads, team managers)")
def list_alerts(
    request,
    status: str | None = Query(
        None, description="open, acknowledged, decided, or waiting (open or acknowledged)"
    ),
    person_id: int | None = Query(None, description="Alerts about this person's id"),
    person: int | None = Query(None, description="The same as person_id (older name)"),
    rule: str | None = Query(None, description="A rule code, e.g. cumulative"),
    raised_from: Day | None = RAISED_FROM,
    raised_to: Day | None = RAISED_TO,
    page: int = Query(1, ge=1),
    page_size: int = Query(50, ge=1, le=100),
):
    access.require_oversight(request.user)
    alerts = access.alerts_visible_to(
        request.user,
        status=status,
        rule=rule,
        person_id=person_id if person_id is not None else person,
        start=raised_from,
        end=raised_to,
    ).select_related("policy_version")
    paginator = Paginator(alerts, page_size)
    current = paginator.get_page(page)
    found = list(current.object_list)
    access.mark_unseen_people(found, request.user)
    links = _visible_links(request.user, [a.pk for a in found])
    # Naming people in a list is a read of their records: one entry each, as the page does.
    access.record_shown(
        request,
        "listed alerts",
        sorted({a.person_id for a in found if a.person_id and not a.person_hidden}),
        scope_for(request.user).organisation_id,
        via="api",
        shown=[a.pk for a in found],
    )
    return AlertPage(
        count=paginator.count,
        page=current.number,
        pages=paginator.num_pages,
        results=[AlertSummary(**_summary(a, links[a.pk])) for a in found],
    )


@router.get("/alerts/{alert_id}", response=AlertOut, summary="One alert, its history and decisions")
def get_alert(request, alert_id: int):
    return _alert_out(access.get_alert_for(request, alert_id), request.user)


@router.post(
    "/alerts/{alert_id}/acknowledge",
    response=AlertOut,
    summary="Acknowledge an open alert: you are looking at it (it still needs a decision)",
)
def acknowledge_alert(request, alert_id: int):
    alert = access.get_alert_for(request, alert_id, action="opened alert to acknowledge")
    operations.acknowledge(request, alert)
    return _alert_out(alert, request.user)


class AlertDecisionIn(Input):
    outcome: str = Field("", description="escalate, monitor or no_further_action")
    rationale: str = Field("", description="Your reasons, in at least the policy's words")
    monitor_until: date | None = Field(None, description="Required when monitoring")


@router.post(
    "/alerts/{alert_id}/decision",
    response={201: AlertDecisionOut},
    summary="Decide an alert (the organisation's safeguarding lead)",
)
def decide_alert(request, alert_id: int, payload: AlertDecisionIn):
    """Alerts about one person waiting together are decided together: this decides
    every alert in the case this one waits in, and returns this alert's record."""
    alert = access.get_alert_for(request, alert_id, action="opened alert to decide")
    mine = operations.decide_alert(
        request, alert, payload.outcome, payload.rationale, payload.monitor_until
    )
    decision = AlertDecision.objects.select_related("decided_by", "policy_version").get(pk=mine.pk)
    return Status(201, _decision_out(decision))


class CaseOut(Schema):
    id: int
    person_id: int | None
    opened_at: datetime
    decided_at: datetime | None
    outcome: str
    rationale: str
    alerts: list[AlertSummary] = Field(description="The alerts in this case you may see")


def _case_out(request, case_id: int) -> CaseOut:
    case = access.get_case_for(request, case_id)
    access.mark_unseen_people(case.shown_alerts, request.user)
    return _case_summary(case, _visible_links(request.user, [a.pk for a in case.shown_alerts]))


def _case_summary(case, links) -> CaseOut:
    """(Call access.mark_unseen_people on case.shown_alerts first.)"""
    found = case.shown_alerts
    hidden = any(getattr(a, "person_hidden", False) for a in found)
    return CaseOut(
        id=case.pk,
        person_id=None if hidden else case.person_id,
        opened_at=case.opened_at,
        decided_at=case.decided_at,
        outcome=case.outcome,
        rationale=case.rationale,
        alerts=[AlertSummary(**_summary(a, links[a.pk])) for a in found],
    )


@router.get(
    "/cases/{case_id}",
    response=CaseOut,
    summary="A case for decision: the alerts about one person waiting together",
)
def get_case(request, case_id: int):
    return _case_out(request, case_id)


@router.post(
    "/cases/{case_id}/decision",
    response={201: CaseOut},
    summary="Decide a case for decision: one decision for every alert in it "
    "(the organisation's safeguarding lead)",
)
def decide_case(request, case_id: int, payload: AlertDecisionIn):
    case = access.get_case_for(request, case_id, action="opened case to decide")
    operations.decide_case(request, case, payload.outcome, payload.rationale, payload.monitor_until)
    return Status(201, _case_out(request, case_id))


@router.post(
    "/cases/{case_id}/acknowledge",
    response=CaseOut,
    summary="Acknowledge a case for decision: every open alert in it you may see "
    "(safeguarding leads, team managers; it still needs a decision)",
)
def acknowledge_case(request, case_id: int):
    case = access.get_case_for(request, case_id, action="opened case to acknowledge")
    operations.acknowledge_case(request, case)
    return _case_out(request, case_id)


class CasePage(Schema):
    count: int
    page: int
    pages: int
    results: list[CaseOut]


@router.get(
    "/cases",
    response=CasePage,
    summary="Cases for decision you may see, the latest change first (leads, team managers)",
)
def list_cases(
    request,
    status: str = Query(
        "waiting",
        description="waiting (the default), open (an alert not yet acknowledged), "
        "acknowledged, decided or all",
    ),
    person_id: int | None = Query(None, description="Cases about this person's id"),
    rule: str | None = Query(None, description="Cases with an alert under this rule code"),
    opened_from: Day | None = OPENED_FROM,
    opened_to: Day | None = OPENED_TO,
    page: int = Query(1, ge=1),
    page_size: int = Query(50, ge=1, le=100),
):
    access.require_oversight(request.user)
    cases = access.cases_visible_to(
        request.user,
        status=status,
        rule=rule,
        person_id=person_id,
        start=opened_from,
        end=opened_to,
    )
    paginator = Paginator(cases, page_size)
    current = paginator.get_page(page)
    found = list(current.object_list)
    access.show_cases(request, found, "listed alerts", via="api")
    links = _visible_links(request.user, [a.pk for c in found for a in c.shown_alerts])
    return CasePage(
        count=paginator.count,
        page=current.number,
        pages=paginator.num_pages,
        results=[_case_summary(c, links) for c in found],
    )


class AlertBrief(Schema):
    id: int
    rule: str
    title: str
    status: str


class RiskOut(Schema):
    person_id: int
    score: float = Field(description="Faded to now; 0 with no concerns counted")
    scored_at: datetime | None
    threshold: float
    over_threshold: bool
    concern_ids: list[int] = Field(description="Contributing concerns you may see")
    open_alerts: list[AlertBrief] = Field(description="Alerts awaiting a decision you may see")


@router.get(
    "/people/{person_id}/risk",
    response=RiskOut,
    summary="A person's risk score now, and alerts about them awaiting a decision",
)
def person_risk(request, person_id: int):
    person = get_person_for(request, person_id, action="viewed risk score", via="api")
    _, policy = store.in_force(person.organisation_id, "patterns")
    row, alerts = access.risk_of(request.user, person)
    score = row.score if row else 0.0
    concern_ids = []
    if row and row.concern_ids:
        concern_ids = sorted(
            Concern.objects.visible_to(request.user)
            .filter(pk__in=row.concern_ids)
            .values_list("pk", flat=True)
        )
    threshold = policy.risk_score.threshold
    return RiskOut(
        person_id=person.pk,
        score=round(score, 2),
        scored_at=row.scored_at if row else None,
        threshold=threshold,
        over_threshold=policy.risk_score.enabled and score >= threshold,
        concern_ids=concern_ids,
        open_alerts=[
            AlertBrief(id=a.pk, rule=a.rule, title=a.title, status=a.status) for a in alerts
        ],
    )


class PolicyOut(Schema):
    version: int
    document: dict
    note: str
    created_at: datetime
    created_by: str | None


class PolicyIn(Input):
    document: dict = Field(description="The whole pattern policy; omitted sections take defaults")
    note: str = Field("", description="What changed and why")


def _require_policy_access(user):
    if not user.has_perm("policy.change_policy"):
        raise PermissionDenied("Only safeguarding leads read and change the pattern policy.")


def _policy_out(row) -> PolicyOut:
    return PolicyOut(
        version=row.version,
        document=row.document,
        note=row.note,
        created_at=row.created_at,
        created_by=row.created_by.username if row.created_by else None,
    )


@router.get(
    "/policy/patterns",
    response=PolicyOut,
    tags=["Policy"],
    summary="The pattern policy in force (safeguarding leads)",
)
def get_pattern_policy(request):
    _require_policy_access(request.user)
    row, _ = store.in_force(scope_for(request.user).organisation_id, "patterns")
    return _policy_out(row)


@router.put(
    "/policy/patterns",
    response=PolicyOut,
    tags=["Policy"],
    summary="Save a new version of the pattern policy (safeguarding leads)",
    description="Applies from now on; alerts and decisions keep the version they were made under.",
)
def put_pattern_policy(request, payload: PolicyIn):
    _require_policy_access(request.user)
    stepup.require_for_api(request, "change a policy")
    organisation_id = scope_for(request.user).organisation_id
    note = payload.note.strip()
    current, _ = store.in_force(organisation_id, "patterns")
    try:
        if store.check("patterns", payload.document) == current.document:
            return _policy_out(current)  # nothing changed: no new version
        saved = store.save_version(
            organisation_id, "patterns", payload.document, request.user, note
        )
    except PolicyError as error:
        # Named by their path in the request body, as other 422s are, in the words
        # the policy page uses.
        problems: dict[str, list[str]] = {}
        said = editing.problems("patterns", error, payload.document)
        for e, problem in zip(error.errors(), said, strict=True):
            field = ".".join(["document", *(str(p) for p in e["loc"])])
            problems.setdefault(field, []).append(problem.message)
        raise ValidationError(problems) from None
    record_change(request, saved, note, via="api")
    return _policy_out(saved)
