"""What people do with alerts, called alike by the pages and the API: acknowledge and
decide them (a case for decision at once), mark notifications read, and try proposed
pattern rules on past concerns. Each checks the permission, raises ValidationError
naming the field to fix, and writes the trail."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.organisations.access import scope_for
from sharewise.patterns import backtest, engine, judging, notifying, raising, signals
from sharewise.patterns import facts as factstore
from sharewise.patterns.alert_trail import record_trail
from sharewise.patterns.models import (
    RULE_TITLES,
    Alert,
    AlertDecision,
    AlertEvent,
    CaseForDecision,
    Notification,
    Outcome,
)
from sharewise.people.models import Person
from sharewise.policy import store

# Acknowledging ----------------------------------------------------------------


def require_acknowledger(user) -> None:
    if not user.has_perm("patterns.acknowledge_alert"):
        raise PermissionDenied("Only safeguarding leads and team managers acknowledge alerts.")


@transaction.atomic
def acknowledge(request, alert: Alert) -> Alert:
    """Someone is looking at an open alert (it still needs a decision)."""
    require_acknowledger(request.user)
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status != Alert.Status.OPEN:
        raise ValidationError({"status": ["Only an open alert can be acknowledged"]})
    now = timezone.now()
    alert.status = Alert.Status.ACKNOWLEDGED
    alert.acknowledged_by = request.user
    alert.acknowledged_at = now
    alert.save(update_fields=["status", "acknowledged_by", "acknowledged_at"])
    AlertEvent.objects.create(
        alert=alert, at=now, kind=AlertEvent.Kind.ACKNOWLEDGED, by=request.user
    )
    record_trail(alert, "acknowledged alert", request=request)
    return alert


@transaction.atomic
def acknowledge_case(request, case: CaseForDecision) -> int:
    """Acknowledge every open alert in the case the user may see. Returns how many."""
    require_acknowledger(request.user)
    alerts = list(
        Alert.objects.visible_to(request.user).filter(case=case, status=Alert.Status.OPEN)
    )
    if not alerts:
        raise ValidationError({"status": ["Only an open case can be acknowledged"]})
    for alert in alerts:
        acknowledge(request, alert)
    return len(alerts)


# Deciding -----------------------------------------------------------------------


def may_decide(user, alert_or_case) -> bool:
    """The organisation's safeguarding lead decides its alerts and cases."""
    return user.has_perm("patterns.decide_alert", alert_or_case)


def require_decider(user, alert_or_case) -> None:
    if not may_decide(user, alert_or_case):
        raise PermissionDenied("Only the organisation's safeguarding lead decides alerts.")


def decision_problems(
    outcome: str, rationale: str, monitor_until: date | None, policy, today: date
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = ["Choose what happens next: escalate, monitor or no further action"]
    words = len((rationale or "").split())
    need = policy.decisions.min_rationale_words
    if words < need:
        errors["rationale"] = [
            f"Write your reasons in at least {need} words, so anyone reading this later "
            f"understands the decision (you have written {words})"
        ]
    if outcome == Outcome.MONITOR:
        latest = today + timedelta(days=policy.decisions.max_monitor_days)
        if monitor_until is None:
            errors["monitor_until"] = [
                "Enter the date when monitoring ends and someone looks again"
            ]
        elif monitor_until <= today:
            errors["monitor_until"] = ["The date monitoring ends must be in the future"]
        elif monitor_until > latest:
            errors["monitor_until"] = [
                f"Monitor for at most {policy.decisions.max_monitor_days} days: "
                f"choose a date on or before {latest:%-d %B %Y}"
            ]
    elif monitor_until is not None and outcome in Outcome.values:
        errors["monitor_until"] = [
            "A date to monitor until goes with monitoring: choose monitor, or clear the date"
        ]
    return errors


@transaction.atomic
def decide(
    request,
    alert: Alert,
    outcome: str,
    rationale: str,
    monitor_until: date | None = None,
    *,
    actor=None,
    at=None,
) -> AlertDecision:
    """Record a decision, or raise ValidationError naming what to fix. Nobody can
    close an alert without written reasons. Someone deciding through a page or the
    API (request) must be the organisation's lead; without a request, `actor` is
    who the decision is recorded for (a late review answering its alert)."""
    if request is not None:
        require_decider(request.user, alert)
    at = at or timezone.now()
    version, policy = store.in_force(alert.organisation_id, "patterns")
    errors = decision_problems(outcome, rationale, monitor_until, policy, timezone.localdate(at))
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status == Alert.Status.DECIDED:
        errors.setdefault("outcome", []).append(
            "This alert has already been decided; new concerns will reopen it"
        )
    if errors:
        raise ValidationError(errors)
    by = actor or request.user
    decision = AlertDecision.objects.create(
        alert=alert,
        case_id=alert.case_id,
        decided_by=by,
        decided_at=at,
        outcome=outcome,
        monitor_until=monitor_until if outcome == Outcome.MONITOR else None,
        rationale=rationale.strip(),
        policy_version=version,
    )
    alert.status = Alert.Status.DECIDED
    alert.save(update_fields=["status"])
    AlertEvent.objects.create(
        alert=alert, at=at, kind=AlertEvent.Kind.DECIDED, by=by, note=decision.get_outcome_display()
    )
    record_trail(
        alert,
        "decided alert",
        request=request,
        actor=actor,
        outcome=outcome,
        monitor_until=monitor_until.isoformat() if monitor_until else None,
    )
    signals.alert_decided.send(Alert, alert=alert, decision=decision)
    _close_case_if_done(alert, decision)
    return decision


def _close_case_if_done(alert: Alert, decision: AlertDecision) -> None:
    """A case is decided when none of its alerts waits any longer; it keeps the
    decision that closed it."""
    if alert.case_id is None:
        return
    if Alert.objects.needing_decision().filter(case_id=alert.case_id).exists():
        return
    CaseForDecision.objects.filter(pk=alert.case_id, decided_at__isnull=True).update(
        decided_at=decision.decided_at,
        decided_by=decision.decided_by,
        outcome=decision.outcome,
        monitor_until=decision.monitor_until,
        rationale=decision.rationale,
    )


@transaction.atomic
def decide_case(
    request,
    case: CaseForDecision,
    outcome: str,
    rationale: str,
    monitor_until: date | None = None,
    *,
    actor=None,
    at=None,
) -> list[AlertDecision]:
    """One written decision for every alert waiting in the case: each alert gets its
    own decision record and history entry. Raises ValidationError naming what to fix;
    a decider who may not see every alert in it (one names them) may not decide it."""
    if request is not None:
        require_decider(request.user, case)
    at = at or timezone.now()
    case = CaseForDecision.objects.select_for_update().get(pk=case.pk)
    version, policy = store.in_force(case.organisation_id, "patterns")
    errors = decision_problems(outcome, rationale, monitor_until, policy, timezone.localdate(at))
    waiting = list(
        Alert.objects.select_for_update().needing_decision().filter(case=case).order_by("id")
    )
    by = actor or request.user
    if case.decided_at is not None or not waiting:
        errors.setdefault("outcome", []).append(
            "This case has already been decided; new concerns will open a new one"
        )
    elif Alert.objects.visible_to(by).filter(pk__in=[a.pk for a in waiting]).count() < len(waiting):
        errors.setdefault("outcome", []).append(
            "Part of this case is outside what you may see: another safeguarding lead "
            "must decide it"
        )
    if errors:
        raise ValidationError(errors)
    return [
        decide(request, alert, outcome, rationale, monitor_until, actor=actor, at=at)
        for alert in waiting
    ]


@transaction.atomic
def decide_alert(
    request, alert: Alert, outcome: str, rationale: str, monitor_until: date | None = None
) -> AlertDecision:
    """Decide an alert: alerts about one person waiting together are decided together,
    so this decides every alert in the case it waits in. Returns this alert's record."""
    require_decider(request.user, alert)
    if alert.case_id is None or alert.status == Alert.Status.DECIDED:
        return decide(request, alert, outcome, rationale, monitor_until)
    made = decide_case(request, alert.case, outcome, rationale, monitor_until)
    return next(d for d in made if d.alert_id == alert.pk)


def settle_overdue_review(concern, review) -> None:
    """A late review answers its "review overdue" alert: the reviewer's written
    reasons become the decision, so the lead is not left to close it by hand."""
    waiting = Alert.objects.needing_decision().filter(
        rule="overdue_review", subject=f"concern:{concern.pk}"
    )
    for alert in waiting:
        who = review.reviewed_by.get_full_name() or review.reviewed_by.username
        decide(
            None,
            alert,
            Outcome.NO_FURTHER_ACTION,
            f"Reviewed late, on {timezone.localtime(review.reviewed_at):%-d %B %Y at %H:%M}, "
            f"by {who}: {review.get_outcome_display().lower()}. {review.rationale}",
            actor=review.reviewed_by,
            at=review.reviewed_at,
        )


# Alerts other apps raise -----------------------------------------------------------


def flag(
    organisation_id: int,
    rule: str,
    person_id: int,
    concern_ids,
    explanation: str,
    *,
    at: datetime | None = None,
    note: str = "",
) -> Alert:
    """Raise (or reopen) the one alert for this rule about a person, for a reason a
    later app works out (a decision not to share that is due for review), with its
    own explanation."""
    at = at or timezone.now()
    ctx = judging.Context(organisation_id, at)
    judging.lock([f"person:{person_id}"])
    known = factstore.by_ids(list(concern_ids))
    trigger = engine.Trigger(rule, f"person:{person_id}", frozenset(concern_ids))
    touched = raising.apply(ctx, [trigger], known)
    alert = Alert.objects.select_for_update().get(
        organisation_id=organisation_id, rule=rule, subject=trigger.subject
    )
    if alert not in touched and alert.status == Alert.Status.DECIDED:
        raising.reopen(alert, at, AlertEvent.Kind.REOPENED, note)
        record_trail(alert, "reopened alert", people=[person_id], note=note)
        notifier = notifying.Notifier(ctx)
        notifier.add(alert, "reopened")
        notifier.send()
    alert.explanation = explanation
    alert.save(update_fields=["explanation"])
    return alert


# Notifications ------------------------------------------------------------------


def mark_notifications_read(user) -> int:
    """Every unread notification of this user's marked read. Returns how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# Trying proposed rules ------------------------------------------------------------

LONGEST_TRY_DAYS = 5 * 366
SHOWN_ROWS = 200


def try_pattern_rules(request, start: date, end: date, document: dict) -> dict:
    """What proposed pattern rules (changes to the rules in force) would have raised
    from start to end, beside the rules in force: {"in_force", "proposed" (reports),
    "totals" [(title, in force, proposed)], "rows" [(row, person)], "more",
    "person_ids"}. Safeguarding leads; the people named are read, in the trail."""
    if not request.user.has_perm("patterns.backtest_policy"):
        raise PermissionDenied("Only safeguarding leads try pattern rules.")
    errors = period_problems(start, end)
    organisation_id = scope_for(request.user).organisation_id
    _, in_force = store.in_force(organisation_id, "patterns")
    try:
        proposed = backtest.proposed_policy(document, in_force)
    except backtest.PolicyProblem as problem:
        errors["document"] = list(problem.problems)
    if errors:
        raise ValidationError(errors)
    now_report, new_report = backtest.compare(
        organisation_id, start, end, proposed, reader=request.user
    )
    results = _side_by_side(now_report, new_report)
    trail.record_reads(
        request,
        "tried pattern rules on past concerns",
        results["person_ids"],
        organisation_id=organisation_id,
        detail={"start": start.isoformat(), "end": end.isoformat()},
    )
    return results


def period_problems(start: date, end: date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if start > end:
        errors["end"] = ["The last day must be on or after the first day"]
    if end > timezone.localdate():
        errors.setdefault("end", []).append("The last day cannot be in the future")
    if (end - start).days > LONGEST_TRY_DAYS:
        errors["start"] = ["Try at most five years at a time"]
    return errors


def _side_by_side(now_report, new_report) -> dict:
    ids = {r.person_id for r in new_report.rows + now_report.rows if r.person_id}
    names = Person.objects.in_bulk(ids)
    rows = sorted(new_report.rows, key=lambda r: r.fires_at)
    return {
        "in_force": now_report,
        "proposed": new_report,
        "totals": [
            (RULE_TITLES[rule], now_report.totals.get(rule, 0), new_report.totals.get(rule, 0))
            for rule in new_report.totals
        ],
        "rows": [(row, names.get(row.person_id)) for row in rows[:SHOWN_ROWS]],
        "more": max(len(rows) - SHOWN_ROWS, 0),
        "person_ids": sorted(ids),
    }
