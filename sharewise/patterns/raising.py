"""What the engine found becomes alerts: one per rule and subject, raised, refreshed
with new concerns, or reopened once decided; each waits in its person's case for
decision. (Who is told: notifying.py.)"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.patterns import engine, plain_sql
from sharewise.patterns import facts as factstore
from sharewise.patterns.alert_trail import people_in, record_trail
from sharewise.patterns.explanations import explain
from sharewise.patterns.models import Alert, AlertEvent, CaseForDecision
from sharewise.patterns.notifying import Notifier


def apply(ctx, triggers, known: dict, notifier=None) -> list:
    """Raise, update or reopen one alert per trigger. ctx: judging.Context."""
    notifier = notifier or Notifier(ctx)
    found = plain_sql.alerts_for(
        ctx.organisation_id, {t.rule for t in triggers}, {t.subject for t in triggers}
    )
    existing = {(a.rule, a.subject): a for a in found}
    linked = plain_sql.linked(
        [a.pk for a in existing.values()], {i for t in triggers for i in t.concern_ids}
    )
    touched, links, fresh, rescored, waiting_again = [], [], [], [], []
    for trigger in triggers:
        alert = existing.get((trigger.rule, trigger.subject))
        if alert is None:
            fresh.append(trigger)
            continue
        added = trigger.concern_ids - linked[alert.pk]
        if not added:
            if "score" in trigger.detail and alert.score != trigger.detail["score"]:
                alert.score = trigger.detail["score"]
                rescored.append(alert)
            continue
        if _join(ctx, alert, trigger, added, known, links):
            notifier.add(alert, "reopened")
            waiting_again.append(alert)
        touched.append(alert)
    for alert in _raise_all(ctx, fresh, known, links) if fresh else ():
        notifier.add(alert, "raised")
        touched.append(alert)
        waiting_again.append(alert)
    plain_sql.link(links, ctx.at)
    place_in_cases(waiting_again, ctx.at)
    # Scores that changed with no new concern (a re-scoring): saved together.
    Alert.objects.bulk_update(rescored, ["score"], batch_size=1_000)
    notifier.send()
    return touched


def _subject_fields(subject: str, known: dict) -> dict:
    kind, _, rest = subject.partition(":")
    if kind == "person":
        return {"person_id": int(rest)}
    if kind == "source":
        source_kind, _, pk = rest.partition(":")
        return (
            {"source_staff_id": int(pk)}
            if source_kind == "staff"
            else {"source_person_id": int(pk)}
        )
    if kind == "service":
        service_id, _, category = rest.partition(":")
        return {"service_id": int(service_id), "category": category}
    if kind == "concern":
        fact = known.get(int(rest))
        return {"person_id": fact.person_ids[0] if fact and fact.person_ids else None}
    return {}


def _explain(ctx, alert_rule, subject, ids, known) -> str:
    missing = [i for i in ids if i not in known]
    if missing:
        known |= factstore.by_ids(missing)
    sentence = explain(
        engine.Trigger(alert_rule, subject, frozenset(ids)),
        known,
        ctx.teams,
        ctx.shifts,
        local=timezone.localtime,
    )
    if subject.startswith("service:"):
        category = subject.split(":", 2)[2]
        sentence = sentence.replace(
            "same kind", f"same kind ({ctx.categories.get(category, category).lower()})", 1
        )
    return sentence


def _raise_all(ctx, triggers, known, links) -> list[Alert]:
    """New alerts for these triggers, saved together (a sweep or an import can raise
    hundreds at once)."""
    alerts = Alert.objects.bulk_create(
        [
            Alert(
                organisation_id=ctx.organisation_id,
                rule=trigger.rule,
                subject=trigger.subject,
                policy_version=ctx.version,
                explanation=_explain(
                    ctx, trigger.rule, trigger.subject, trigger.concern_ids, known
                ),
                score=trigger.detail.get("score"),
                raised_at=ctx.at,
                updated_at=ctx.at,
                waiting_since=ctx.at,
                **_subject_fields(trigger.subject, known),
            )
            for trigger in triggers
        ],
        batch_size=500,
    )
    events, entries = [], []
    for trigger, alert in zip(triggers, alerts, strict=True):
        ids = sorted(trigger.concern_ids)
        links += ((alert.pk, i) for i in ids)
        events.append(
            AlertEvent(alert=alert, at=ctx.at, kind=AlertEvent.Kind.RAISED, concern_ids=ids)
        )
        entries += _raised_entries(alert, ids, known)
    AlertEvent.objects.bulk_create(events, batch_size=500)
    trail.record_all(entries)
    return alerts


def _raised_entries(alert: Alert, ids: list[int], known: dict) -> list[dict]:
    """Each person's trail entry names their own concerns in the alert."""
    theirs = defaultdict(list)
    for i in ids:
        for person_id in known[i].person_ids if i in known else ():
            theirs[person_id].append(i)
    return [
        {
            "action": "raised alert",
            "object_type": "alert",
            "object_id": alert.pk,
            "person_id": person_id,
            "organisation_id": alert.organisation_id,
            "detail": {"rule": alert.rule, "concern_ids": own},
        }
        for person_id, own in (theirs.items() or [(None, ids)])
    ]


def _join(ctx, alert, trigger, added, known, links) -> bool:
    """Add new concerns to an alert (links: saved together by the caller); reopen it
    if it had been decided. True if reopened."""
    links += ((alert.pk, i) for i in sorted(added))
    reopened = alert.status == Alert.Status.DECIDED
    if reopened:
        # Explain the new episode: the new concerns and those in the rule's window before them.
        days = engine.window_days(ctx.policy, alert.rule)
        first_new = min((known[i].occurred_at for i in added if i in known), default=ctx.at)
        alert.episode_from = first_new - timedelta(days=days) if days else first_new
        alert.status = Alert.Status.OPEN
        alert.waiting_since = ctx.at
        alert.acknowledged_by = None
        alert.acknowledged_at = None
    # Explain what the rule sees now (since the last decision, once reopened).
    ids = set(trigger.concern_ids)
    if alert.episode_from:
        ids = {i for i in ids if i in known and known[i].occurred_at >= alert.episode_from}
        ids |= set(added)
    alert.explanation = _explain(ctx, alert.rule, alert.subject, ids, known)
    alert.policy_version = ctx.version
    alert.updated_at = ctx.at
    if "score" in trigger.detail:
        alert.score = trigger.detail["score"]
    if not reopened:  # the usual case, on every concern: four columns
        plain_sql.refresh_alert(alert, ctx.at)
        return False
    alert.save(
        update_fields=[
            "status",
            "waiting_since",
            "episode_from",
            "acknowledged_by",
            "acknowledged_at",
            "explanation",
            "policy_version",
            "updated_at",
            "score",
        ]
    )
    # Concerns joining an open alert are recorded by their links (with added_at);
    # reopening is an event in the alert's history and in the people's trails.
    AlertEvent.objects.create(
        alert=alert, at=ctx.at, kind=AlertEvent.Kind.REOPENED, concern_ids=sorted(added)
    )
    record_trail(alert, "reopened alert", people=people_in(added, known), concern_ids=sorted(added))
    return True


def place_in_cases(alerts, at: datetime) -> None:
    """Each of these alerts that waits outside a waiting case joins its person's
    waiting case, or opens one (an alert not about a person opens its own). Cases are
    found and made a few queries at a time: an import raises thousands of alerts."""
    alerts = [a for a in alerts if a.status != Alert.Status.DECIDED]
    if not alerts:
        return
    still_waiting = set(
        CaseForDecision.objects.filter(
            pk__in={a.case_id for a in alerts if a.case_id}, decided_at__isnull=True
        ).values_list("pk", flat=True)
    )
    homeless = [a for a in alerts if a.case_id not in still_waiting]
    if not homeless:
        return
    cases = _cases_for_people(
        {(a.organisation_id, a.person_id) for a in homeless if a.person_id}, at
    )
    alone = [a for a in homeless if not a.person_id]
    own = CaseForDecision.objects.bulk_create(
        [CaseForDecision(organisation_id=a.organisation_id, opened_at=at) for a in alone],
        batch_size=500,
    )
    for alert, case in zip(alone, own, strict=True):
        alert.case = case
    for alert in homeless:
        if alert.person_id:
            alert.case = cases[(alert.organisation_id, alert.person_id)]
    Alert.objects.bulk_update(homeless, ["case"], batch_size=1_000)


def _cases_for_people(people: set[tuple[int, int]], at: datetime) -> dict:
    """{(organisation id, person id): the person's waiting case}, opening the missing."""
    cases = {}
    if not people:
        return cases
    for case in CaseForDecision.objects.waiting().filter(
        organisation_id__in={o for o, _ in people}, person_id__in={p for _, p in people}
    ):
        cases[(case.organisation_id, case.person_id)] = case
    missing = sorted(people - set(cases))
    for case in CaseForDecision.objects.bulk_create(
        [CaseForDecision(organisation_id=o, person_id=p, opened_at=at) for o, p in missing],
        batch_size=500,
    ):
        cases[(case.organisation_id, case.person_id)] = case
    return cases


def reopen(alert: Alert, at: datetime, kind: str, note: str = "") -> None:
    """A decided alert waits for a decision again (from `at`), with the reason in its
    history, in its person's waiting case."""
    alert.status = Alert.Status.OPEN
    alert.waiting_since = alert.updated_at = at
    alert.acknowledged_by, alert.acknowledged_at = None, None
    alert.save(
        update_fields=[
            "status",
            "waiting_since",
            "updated_at",
            "acknowledged_by",
            "acknowledged_at",
        ]
    )
    AlertEvent.objects.create(alert=alert, at=at, kind=kind, note=note)
    place_in_cases([alert], at)
