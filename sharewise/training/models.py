"""Practice attempts, assignments and policy read receipts. Practice cases themselves
are data shipped in `cases/`; nothing here is about a real person supported."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from sharewise.organisations.models import Organisation, Team
from sharewise.policy.models import PolicyVersion


class Attempt(models.Model):
    """One go at a practice case by one member of staff: what they chose, the feedback
    they were given and the score. Practice only, never a real person's record."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="practice_attempts"
    )
    case_code = models.CharField(max_length=60)
    case_title = models.CharField(max_length=200, help_text="The case's title when attempted")
    case_digest = models.CharField(
        max_length=64, help_text="SHA-256 of the case as attempted, so a changed case shows"
    )
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    answers = models.JSONField(default=dict, help_text="What the member of staff chose")
    feedback = models.JSONField(default=list, help_text="[{point, right, why}]")
    score = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Percent")

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            # Covering: the dashboard's recent scores read staff and score from it alone.
            models.Index(
                fields=["organisation", "finished_at", "staff", "score"],
                name="attempt_org_finished_scores",
            ),
            models.Index(fields=["staff", "case_code"], name="attempt_staff_case"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=100), name="attempt_score_percent"
            ),
        ]

    def __str__(self):
        return f"Practice attempt {self.pk}: {self.case_title}"


class Receipt(models.Model):
    """A member of staff's confirmation that they read what changed in a policy. The
    version they confirmed, and the summary they were shown, are kept."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="policy_receipts"
    )
    policy = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=40)
    version = models.PositiveIntegerField()
    summary = models.JSONField(default=list, help_text="What changed, as it was shown")
    confirmed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-confirmed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "policy"], name="receipt_once_per_version")
        ]
        indexes = [models.Index(fields=["staff", "kind"], name="receipt_staff_kind")]

    def __str__(self):
        return f"Read receipt: {self.kind} policy v{self.version}"


class Assignment(models.Model):
    """A practice case or a policy to read, given to roles, teams or named staff with a
    date it is due. Who it reaches is kept per person in `Assigned`."""

    class What(models.TextChoices):
        CASE = "case", "Practice case"
        POLICY = "policy", "Policy to read"

    class Source(models.TextChoices):
        LEAD = "lead", "Assigned by a lead"
        LESSON = "lesson", "A lesson in the learning log"
        ACTION = "action", "An action from an audit finding"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    what = models.CharField(max_length=10, choices=What.choices)
    case_code = models.CharField(max_length=60, blank=True)
    policy_kind = models.CharField(max_length=40, blank=True)
    roles = models.JSONField(default=list, blank=True, help_text="Role codes it goes to")
    teams = models.ManyToManyField(Team, blank=True, related_name="+")
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    due = models.DateField()
    note = models.TextField(blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.LEAD)
    source_id = models.BigIntegerField(
        null=True, blank=True, help_text="The lesson or action it came from"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "due"], name="assignment_org_due")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(what="case") & ~Q(case_code="") & Q(policy_kind=""))
                | (Q(what="policy") & ~Q(policy_kind="") & Q(case_code="")),
                name="assignment_one_thing",
            ),
            models.CheckConstraint(
                condition=Q(source="lead", source_id__isnull=True)
                | (~Q(source="lead") & Q(source_id__isnull=False)),
                name="assignment_source_named",
            ),
        ]

    def __str__(self):
        return f"Assignment {self.pk}"


class Assigned(models.Model):
    """One member of staff's part in an assignment: done when they finish the case (the
    attempt is kept) or confirm the policy version in force (the receipt is kept)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="assigned")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_assigned"
    )
    added_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    attempt = models.ForeignKey(
        Attempt, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    receipt = models.ForeignKey(
        Receipt, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    overdue_flagged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assignment__due", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "staff"], name="assigned_once"),
        ]
        indexes = [models.Index(fields=["staff", "completed_at"], name="assigned_staff_done")]

    def __str__(self):
        return f"Assigned {self.pk}"


class PolicyReminder(models.Model):
    """That a member of staff was reminded to confirm a policy version they had not
    confirmed after two weeks: kept so the sweep reminds them once."""

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    policy = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["staff", "policy"], name="policy_reminder_once")
        ]

    def __str__(self):
        return f"Reminder {self.pk}"
