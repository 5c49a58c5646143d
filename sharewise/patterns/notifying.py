"""Who is told of alerts raised, reopened or back from monitoring: each reader the one
visibility rule lets see the alert (concerns.visibility.AlertRule, the rule
Alert.objects.visible_to reads as SQL), once per case for decision: an in-app
notification naming the rules they may see, and one email listing the cases. Emails
carry no names or details, only what to open."""

from __future__ import annotations

import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mass_mail
from django.urls import reverse

from sharewise.concerns import visibility
from sharewise.organisations.access import scopes_for
from sharewise.organisations.models import Membership, Role
from sharewise.patterns import tasks
from sharewise.patterns.models import Alert, AlertConcern, CaseForDecision, Notification

log = logging.getLogger(__name__)

WORDS = {
    "raised": "New case for decision",
    "reopened": "Case for decision: reopened by new concerns",
    "monitoring_ended": "Case for decision: monitoring period ended",
}


def readers(organisation_id: int) -> tuple[dict[int, str], dict[int, visibility.AlertRule]]:
    """({user id: email}, {user id: their alert rule}) for everyone who may see any of
    the organisation's alerts. Only leads and managers have an alert rule that lets
    anything through, so only they are asked; the rule decides, alert by alert."""
    addresses = dict(
        Membership.objects.filter(
            organisation_id=organisation_id,
            role__in=(Role.SAFEGUARDING_LEAD, Role.TEAM_MANAGER),
            user__is_active=True,
        ).values_list("user_id", "user__email")
    )
    rules = {
        user_id: visibility.alert_rule(user_id, scope)
        for user_id, scope in scopes_for(addresses).items()
    }
    return addresses, rules


def reach_of(alerts) -> tuple[dict[int, visibility.AlertReach], dict[int, set[int]]]:
    """({alert id: what decides who may see it}, {alert id: its concerns})."""
    teams, concerns = defaultdict(set), defaultdict(set)
    for alert_id, concern_id, team_id, source_staff_id in AlertConcern.objects.filter(
        alert_id__in=[a.pk for a in alerts]
    ).values_list("alert_id", "concern_id", "concern__team_id", "concern__source_staff_id"):
        teams[alert_id].add((team_id, source_staff_id))
        concerns[alert_id].add(concern_id)
    reach = {
        a.pk: visibility.AlertReach(a.organisation_id, a.source_staff_id, frozenset(teams[a.pk]))
        for a in alerts
    }
    return reach, concerns


class Quiet:
    """A notifier that tells nobody: judging years of history at once would send
    every lead thousands of messages; the dashboard shows what it raised."""

    def add(self, alert, event):
        pass

    def send(self):
        pass


class Notifier:
    """Collects who must hear about which alerts, then tells each reader once per case
    for decision. A case's concerns already told of are not told again, so four rules
    firing on the same concerns make one notification."""

    WORDS = WORDS

    def __init__(self, ctx):
        self.ctx = ctx
        self.items: list[tuple[Alert, str]] = []

    def add(self, alert: Alert, event: str) -> None:
        self.items.append((alert, event))

    def send(self) -> None:
        if not self.items:
            return
        alert_ids = [a.pk for a, _ in self.items]
        reach, concerns = reach_of([a for a, _ in self.items])
        addresses, rules = readers(self.ctx.organisation_id)
        groups: dict[object, list[tuple[Alert, str]]] = defaultdict(list)
        for alert, event in self.items:
            groups[alert.case_id or ("alert", alert.pk)].append((alert, event))
        cases = CaseForDecision.objects.select_for_update().in_bulk(
            [key for key in groups if isinstance(key, int)]
        )
        held = _held(cases, alert_ids)
        notes, emails, told = [], defaultdict(list), []
        for key, group in groups.items():
            case = cases.get(key) if isinstance(key, int) else None
            about = set().union(*(concerns[a.pk] for a, _ in group))
            if case is not None and case.person_id:
                known = set(case.notified_concern_ids) | held[case.pk]
                if not about - known:
                    continue  # these concerns were told of already, in this case
                case.notified_concern_ids = sorted(about | known)
                told.append(case)
            for user_id, shown in _by_reader(group, reach, rules).items():
                notes.append(self._note(user_id, shown))
                if addresses.get(user_id):
                    first, event = shown[0]
                    emails[addresses[user_id]].append((WORDS[event], _link(first)))
        Notification.objects.bulk_create(notes, batch_size=500)
        CaseForDecision.objects.bulk_update(told, ["notified_concern_ids"], batch_size=500)
        self.items = []
        if emails:
            # Queued in this transaction: sent once the alerts are saved, never else.
            tasks.send_alert_emails.enqueue(dict(emails))

    def _note(self, user_id: int, shown: list[tuple[Alert, str]]) -> Notification:
        first, event = shown[0]
        titles = list(dict.fromkeys(a.title for a, _ in shown))
        return Notification(
            recipient_id=user_id,
            alert=first,
            message=f"{WORDS[event]}: {'; '.join(titles)}",
            created_at=self.ctx.at,
        )


def _held(cases: dict, alert_ids) -> dict[int, set[int]]:
    """What each waiting case already holds besides these alerts. It was told of when
    it opened, or joined an alert already waiting in it (which tells nobody): only
    concerns new to the case are news."""
    held = defaultdict(set)
    for case_id, concern_id in (
        AlertConcern.objects.filter(alert__case_id__in=[k for k, c in cases.items() if c.person_id])
        .exclude(alert_id__in=alert_ids)
        .values_list("alert__case_id", "concern_id")
    ):
        held[case_id].add(concern_id)
    return held


def _by_reader(group, reach, rules) -> dict[int, list[tuple[Alert, str]]]:
    """Each reader hears once, of the alerts in the group they may see."""
    theirs = defaultdict(list)
    for alert, event in group:
        for user_id, rule in rules.items():
            if rule.allows(reach[alert.pk]):
                theirs[user_id].append((alert, event))
    return {user_id: theirs[user_id] for user_id in sorted(theirs)}


def _link(alert: Alert) -> str:
    if alert.case_id:
        return reverse("case", args=[alert.case_id])
    return reverse("alert", args=[alert.pk])


def send_emails(emails) -> None:
    """emails: address -> [(text, link)]. The email says only that something waits,
    never what: mail servers and inboxes are outside our control."""
    site = getattr(settings, "SHAREWISE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    messages = []
    for address, items in emails.items():
        lines = [f"- {text}: {site}{link}" for text, link in items]
        subject = (
            "A safeguarding alert needs your decision"
            if len(items) == 1
            else f"{len(items)} safeguarding alerts need your decision"
        )
        body = (
            "Sharewise has safeguarding alerts for you to look at:\n\n"
            + "\n".join(lines)
            + "\n\nSign in to see the details. This email holds no personal information.\n"
        )
        messages.append((f"Sharewise: {subject}", body, None, [address]))
    try:
        send_mass_mail(messages, fail_silently=False)
    except Exception:  # the alert stands in the app whatever the mail server does
        log.exception("Could not send alert emails")
