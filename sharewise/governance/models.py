"""Audits and their findings, actions tracked to closure, case-file samples, oversight
meetings and their minutes, supervision, the learning log and evidence packs."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from sharewise.organisations.models import Organisation, Service, Team
from sharewise.people.models import Person
from sharewise.policy.models import PolicyVersion


class Job(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    DONE = "done", "Finished"
    FAILED = "failed", "Failed"


class Severity(models.TextChoices):
    HIGH = "high", "High"
    MODERATE = "moderate", "Moderate"
    LOW = "low", "Low"


class AuditRun(models.Model):
    """One safeguarding audit of a period, against the criteria in force."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    period_from = models.DateField()
    period_to = models.DateField()
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Job.choices, default=Job.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent")
    step = models.CharField(max_length=200, blank=True)
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    counts = models.JSONField(default=dict, help_text="{criterion code: findings}")
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Audit {self.pk}: {self.period_from} to {self.period_to}"

    @property
    def total(self):
        return sum(self.counts.values())


class Finding(models.Model):
    """A record that failed a criterion. Linked to the record, not a copy of it."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACTIONED = "actioned", "Action agreed"
        CLOSED = "closed", "Closed"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey(AuditRun, on_delete=models.PROTECT, related_name="findings")
    criterion = models.CharField(max_length=60)
    title = models.CharField(max_length=300)
    severity = models.CharField(max_length=20, choices=Severity.choices)
    summary = models.TextField()
    record_type = models.CharField(max_length=40)
    record_id = models.BigIntegerField()
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    # Found in an earlier run too: the same record failing the same criterion.
    repeated = models.BooleanField(default=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Set when closed without an action (a finding that needs none), with why.
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_note = models.TextField(blank=True)

    class Meta:
        ordering = ["run", "criterion", "id"]
        indexes = [
            models.Index(fields=["organisation", "status"], name="finding_status"),
            # "Found before?" looks up earlier findings about the same record.
            models.Index(
                fields=["organisation", "criterion", "record_id"], name="finding_seen_before"
            ),
        ]

    RECORD_WORDS = {
        "alert": "Alert",
        "case": "Case for decision",
        "consent": "Consent record",
        "sharing_decision": "Sharing decision",
        "disclosure": "Disclosure",
        "concern": "Concern",
        "break_glass": "Break-glass access",
        "team": "Team",
    }

    def __str__(self):
        return f"{self.title} ({self.record_type} {self.record_id})"

    @property
    def record_label(self) -> str:
        return f"{self.RECORD_WORDS.get(self.record_type, 'Record')} {self.record_id}"


class Meeting(models.Model):
    """A safeguarding oversight meeting, for the organisation or one service."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    held_at = models.DateTimeField(help_text="When it is or was held")
    period_from = models.DateField(help_text="The period the agenda looks back over")
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True, help_text="Minutes signed off")
    # The agenda as the meeting saw it, kept when the minutes are signed off: later
    # records must not change what the minutes were about.
    agenda_snapshot = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-held_at", "-id"]

    def __str__(self):
        where = self.service.name if self.service_id else "Whole organisation"
        return f"Oversight meeting {self.held_at:%-d %B %Y} ({where})"


class Minute(models.Model):
    """What a meeting said and decided about one agenda item."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="minutes")
    item_kind = models.CharField(max_length=40)
    record_type = models.CharField(max_length=40, blank=True)
    record_id = models.BigIntegerField(null=True, blank=True)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(max_length=300)
    discussion = models.TextField()
    decision = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "id"]
        indexes = [models.Index(fields=["person", "recorded_at"], name="minute_person")]


class Lesson(models.Model):
    """What went wrong, the pattern it fits, what changed, and whether it worked."""

    class Source(models.TextChoices):
        INTERNAL_REVIEW = "internal_review", "Internal review"
        SAR = "sar", "Safeguarding Adults Review"
        COMPLAINT = "complaint", "Complaint"
        AUDIT = "audit", "Audit"
        OTHER = "other", "Other"

    class Pattern(models.TextChoices):
        CONSENT = "consent", "Over-reliance on consent"
        FRAGMENTED = "fragmented", "Fragmented information"
        OVER_SHARING = "over_sharing", "Over-sharing"
        RECORDING = "recording", "Recording"
        SUPERVISION = "supervision", "Supervision"
        OTHER = "other", "Other"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    source = models.CharField(max_length=30, choices=Source.choices)
    what_happened = models.TextField()
    failure_pattern = models.CharField(max_length=30, choices=Pattern.choices)
    policy_versions = models.ManyToManyField(PolicyVersion, blank=True, related_name="+")
    measure = models.CharField(max_length=40)
    changed_on = models.DateField(help_text="When the change took effect")
    window_days = models.PositiveIntegerField(default=90)
    finding = models.ForeignKey(
        Finding, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self):
        return self.title


class Action(models.Model):
    """Something someone agreed to do, by a date: from a finding, a meeting or a
    lesson. Open until its owner (or a lead) marks it done with what was done."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due = models.DateField()
    finding = models.ForeignKey(
        Finding, null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    minute = models.ForeignKey(
        Minute, null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    lesson = models.ForeignKey(
        Lesson, null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    done_note = models.TextField(blank=True)
    # The owner is told once when it passes its due date (manage.py sweep).
    overdue_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due", "id"]
        indexes = [models.Index(fields=["organisation", "done_at", "due"], name="action_open")]

    def __str__(self):
        return self.description[:80]

    @property
    def is_done(self):
        return self.done_at is not None

    def is_overdue(self, today=None):
        return not self.is_done and self.due < (today or timezone.localdate())


class Sample(models.Model):
    """A random draw of concerns or sharing decisions for a case-file audit."""

    class Kind(models.TextChoices):
        CONCERNS = "concerns", "Concerns"
        DECISIONS = "decisions", "Sharing decisions"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    period_from = models.DateField()
    period_to = models.DateField()
    size = models.PositiveIntegerField()
    seed = models.BigIntegerField(help_text="So the draw can be repeated and checked")
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(default=timezone.now)
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-drawn_at", "-id"]


class SampleItem(models.Model):
    sample = models.ForeignKey(Sample, on_delete=models.PROTECT, related_name="items")
    record_id = models.BigIntegerField()
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answers = models.JSONField(default=dict, help_text="{question code: yes/no/partly}")
    notes = models.TextField(blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]


class Supervision(models.Model):
    """A manager's supervision session with one member of staff, about judgement."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervisions"
    )
    held_at = models.DateTimeField(default=timezone.now)
    items = models.JSONField(default=list, help_text="[{type, id, label, person_id}]")
    prompts = models.JSONField(default=list, help_text="[{prompt, response}]")
    reflection = models.TextField()
    learning = models.TextField()
    next_due = models.DateField()
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-held_at", "-id"]
        indexes = [models.Index(fields=["staff", "-held_at"], name="supervision_staff")]


class EvidencePack(models.Model):
    """A de-identified account of a period for commissioners and inspectors."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    period_from = models.DateField()
    period_to = models.DateField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Job.choices, default=Job.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent")
    step = models.CharField(max_length=200, blank=True)
    figures = models.JSONField(default=dict)
    html = models.TextField(blank=True)
    pdf = models.BinaryField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Evidence pack {self.period_from} to {self.period_to}"
