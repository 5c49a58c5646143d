from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from sharewise.concerns import visibility
from sharewise.concerns.models import Concern
from sharewise.organisations.access import scope_for
from sharewise.organisations.models import Organisation, Service
from sharewise.people.models import Person
from sharewise.policy.models import PolicyVersion

RULE_TITLES = {
    "cumulative": "Cumulative concerns",
    "cross_team": "Concerns across teams",
    "refused_repeated": "Refused sharing, concerns repeated",
    "common_source": "Same alleged source, different people",
    "same_harm_at_service": "Same harm at one service",
    "unexplained_injuries": "Unexplained injuries",
    "escalating_severity": "Escalating severity",
    "staff_implicated": "Member of staff implicated",
    "risk_score": "Risk score over threshold",
    "overdue_review": "Review overdue",
    "decision_review": "Decision not to share: review",
}


class AlertQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Alerts this user may see: a lead's whole organisation, a manager's alerts
        with a concern at a team they manage; never an alert with a concern naming the
        user as the alleged source of harm (the rule: concerns.visibility.AlertRule)."""
        scope = scope_for(user)
        rule = visibility.alert_rule(getattr(user, "pk", None), scope)
        if not (rule.lead_org_ids or rule.managed_team_ids):
            return self.none()
        mine = Q(organisation_id__in=rule.lead_org_ids)
        if rule.managed_team_ids:
            mine |= Q(
                pk__in=AlertConcern.objects.filter(
                    concern__team_id__in=rule.managed_team_ids
                ).values("alert_id")
            )
        return (
            self.filter(mine)
            .exclude(source_staff_id=rule.user_id)
            .exclude(
                pk__in=AlertConcern.objects.filter(concern__source_staff_id=rule.user_id).values(
                    "alert_id"
                )
            )
        )

    def needing_decision(self):
        return self.filter(status__in=(Alert.Status.OPEN, Alert.Status.ACKNOWLEDGED))


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Cases with at least one alert this user may see (only those alerts are
        shown to them)."""
        return self.filter(pk__in=Alert.objects.visible_to(user).values("case_id"))

    def waiting(self):
        return self.filter(decided_at__isnull=True)


class CaseForDecision(models.Model):
    """The alerts about one person that wait at the same time, decided together by one
    written decision. Each alert keeps its own decision record and history; the case
    is what waits, so audits count it once. An alert that is not about a person
    (an alleged source, a service) is a case of its own."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=30, blank=True)
    monitor_until = models.DateField(null=True, blank=True)
    rationale = models.TextField(blank=True)
    # Concerns staff have already been told about in this case: an alert joining it
    # about the same concerns tells nobody again.
    notified_concern_ids = models.JSONField(default=list)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["opened_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "person"],
                condition=Q(decided_at__isnull=True, person__isnull=False),
                name="one_waiting_case_per_person",
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "decided_at", "opened_at"], name="case_queue"),
        ]

    def __str__(self):
        return f"Case for decision {self.pk}"

    @property
    def is_waiting(self):
        return self.decided_at is None

    def get_outcome_display(self):
        return Outcome(self.outcome).label if self.outcome in Outcome.values else ""


class Alert(models.Model):
    """A pattern that crossed a threshold and needs a named person's decision. One per
    rule and subject: new concerns join it, and reopen it if it had been decided."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        DECIDED = "decided", "Decided"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    rule = models.CharField(max_length=40)
    subject = models.CharField(
        max_length=80, help_text="person:5, source:staff:3, service:2:physical"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    source_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    explanation = models.TextField()
    score = models.FloatField(null=True, blank=True)
    raised_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Start of the episode being explained: reset when new concerns reopen a decision.
    episode_from = models.DateTimeField(null=True, blank=True)
    # When open or acknowledged, how long it has waited: reset on reopening.
    waiting_since = models.DateTimeField(default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    concerns = models.ManyToManyField(Concern, through="AlertConcern", related_name="alerts")
    # The case it waits (or last waited) in: a reopened alert joins the person's
    # waiting case, or opens one.
    case = models.ForeignKey(
        CaseForDecision, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["waiting_since", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "rule", "subject"], name="alert_rule_subject_unique"
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "waiting_since"], name="alert_queue"),
            # The oldest waiting first, without sorting every waiting alert.
            models.Index(fields=["organisation", "waiting_since"], name="alert_waiting"),
        ]

    def __str__(self):
        return f"{self.title} ({self.get_status_display().lower()})"

    @property
    def title(self):
        return RULE_TITLES.get(self.rule, self.rule)

    @property
    def is_waiting(self):
        return self.status != self.Status.DECIDED

    def age_days(self, now=None):
        return ((now or timezone.now()) - self.waiting_since).days


class AlertConcern(models.Model):
    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="links")
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="alert_links")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["alert", "concern"], name="alert_concern_unique")
        ]
        indexes = [models.Index(fields=["concern"], name="alert_concern_by_concern")]


class Outcome(models.TextChoices):
    ESCALATE = "escalate", "Escalate to a sharing decision"
    MONITOR = "monitor", "Monitor until a date"
    NO_FURTHER_ACTION = "no_further_action", "No further action"


class AlertDecision(models.Model):
    """What a named person decided about an alert, and why. Never edited."""

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="decisions")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    monitor_until = models.DateField(null=True, blank=True)
    rationale = models.TextField()
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    # The case whose one decision this is a part of (none for decisions made before
    # alerts were decided together).
    case = models.ForeignKey(
        CaseForDecision, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )

    class Meta:
        ordering = ["decided_at", "id"]

    def __str__(self):
        return f"{self.get_outcome_display()} ({self.decided_at:%-d %B %Y})"


class AlertEvent(models.Model):
    """The alert's history, in order: raised, more concerns, acknowledged, decided,
    reopened, monitoring ended."""

    class Kind(models.TextChoices):
        RAISED = "raised", "Raised"
        UPDATED = "updated", "More concerns joined"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        DECIDED = "decided", "Decided"
        REOPENED = "reopened", "Reopened by new concerns"
        MONITORING_ENDED = "monitoring_ended", "Monitoring period ended"

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    concern_ids = models.JSONField(default=list)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]


class RiskScore(models.Model):
    """A person's weighted risk score when last worked out. Between concerns it only
    fades, so `level` (log2 of the score plus the half-lives elapsed since a fixed
    day) ranks people correctly at any later moment without rewriting any row."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="risk")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    score = models.FloatField()
    scored_at = models.DateTimeField()
    half_life_days = models.FloatField()
    level = models.FloatField(null=True, blank=True)
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    concern_ids = models.JSONField(default=list)

    class Meta:
        indexes = [models.Index(fields=["organisation", "-level"], name="risk_rank")]

    def now(self, at=None) -> float:
        days = ((at or timezone.now()) - self.scored_at).total_seconds() / 86400
        return self.score * 0.5 ** (max(days, 0) / self.half_life_days)


class Notification(models.Model):
    """An in-app message to one member of staff (also sent by email)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    alert = models.ForeignKey(
        Alert, null=True, blank=True, on_delete=models.PROTECT, related_name="notifications"
    )
    created_at = models.DateTimeField(default=timezone.now)
    message = models.TextField()
    # For notifications that are not about an alert (advice asked or answered).
    link = models.CharField(max_length=200, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient"], name="notification_unread", condition=Q(read_at__isnull=True)
            )
        ]


class HarmIndex(models.Model):
    """Each concern once per category and person, by service and time: what the "same
    harm at one service" rule reads on every concern recorded, without scanning the
    service's concerns for a category inside their JSON. Kept current by
    patterns.harms when concerns are recorded, imported or amended."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="+")
    service_id = models.IntegerField()
    category = models.CharField(max_length=40)
    # Microseconds since 1970 (UTC): read hundreds at a time, and a number is far
    # cheaper to turn back into a moment than stored date text.
    occurred = models.BigIntegerField()
    person_id = models.IntegerField()
    team_id = models.IntegerField()
    shift = models.CharField(max_length=30)

    class Meta:
        indexes = [
            models.Index(
                fields=["service_id", "category", "occurred"], name="harm_service_category"
            )
        ]
