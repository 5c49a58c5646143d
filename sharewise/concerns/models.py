from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from sharewise.concerns import visibility
from sharewise.organisations.access import scope_for
from sharewise.organisations.models import Organisation, Service, Team
from sharewise.people.models import Person
from sharewise.policy.models import PolicyVersion


class SharingView(models.TextChoices):
    AGREES = "agrees", "Agrees to sharing"
    REFUSES = "refuses", "Refuses sharing"
    NOT_ASKED = "not_asked", "Not asked"
    UNABLE = "unable", "Unable to say"


class SourceKind(models.TextChoices):
    STAFF = "staff", "A member of staff"
    PERSON_SUPPORTED = "person_supported", "Another person we support"
    FAMILY_FRIEND = "family_friend", "Family member or friend"
    VISITOR = "visitor", "Visitor"
    UNKNOWN = "unknown", "Not known"
    SELF = "self", "The person themselves (self-neglect)"


class Injury(models.TextChoices):
    NONE = "none", "No injury"
    EXPLAINED = "explained", "Injury with an explanation"
    UNEXPLAINED = "unexplained", "Unexplained injury"


class InformationSource(models.TextChoices):
    OBSERVED = "observed", "I saw or heard it myself"
    DISCLOSED = "disclosed", "The person told me"
    REPORTED = "reported", "Someone else reported it"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"
    IMMEDIATE = "immediate", "Immediate danger"


SEVERITY_RANK = {Severity.LOW: 1, Severity.MODERATE: 2, Severity.HIGH: 3, Severity.IMMEDIATE: 4}


class ConcernQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Concerns about people this user may see, except any naming them as the
        alleged source of harm (the rule: concerns.visibility.ConcernRule)."""
        scope = scope_for(user)
        rule = visibility.concern_rule(getattr(user, "pk", None), scope)
        if rule.case_wide_org_ids and not rule.team_ids:
            # Everyone in the organisation: no need to go through its people.
            mine = self.filter(organisation_id__in=rule.case_wide_org_ids)
        else:
            # People enrolled with the reader's teams (and, for a case-wide reader,
            # everyone in the organisation), read by people's own rule.
            people = Person.objects.visible_to(user, include_merged=True).values("pk")
            mine = self.filter(
                pk__in=ConcernPerson.objects.filter(person_id__in=people).values("concern_id")
            )
        return mine.exclude(source_staff_id=rule.user_id) if rule.user_id else mine

    def for_review_by(self, user):
        """Unreviewed concerns a manager (their teams) or a lead (everything) must review."""
        scope = scope_for(user)
        mine = Q(team_id__in=scope.managed_team_ids)
        if scope.has("safeguarding_lead"):
            mine |= Q(organisation_id__in=scope.case_wide_org_ids)
        waiting = AwaitingReview.objects.filter(mine).values("concern_id")
        return self.visible_to(user).filter(pk__in=waiting)

    def awaiting_review(self):
        return self.filter(pk__in=AwaitingReview.objects.values("concern_id"))


class Concern(models.Model):
    """A safeguarding concern as first recorded. Never edited: corrections are
    amendments, and the original stays visible beside them."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="concerns_recorded"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    occurred_at = models.DateTimeField("When it happened")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    shift = models.CharField(max_length=30)
    people = models.ManyToManyField(Person, through="ConcernPerson", related_name="concerns")
    categories = models.JSONField(default=list)
    facts = models.TextField("What happened")
    persons_words = models.TextField("The person's own words", blank=True)
    persons_wishes = models.TextField("What the person wants to happen", blank=True)
    sharing_view = models.CharField(max_length=20, choices=SharingView.choices)
    sharing_view_reason = models.TextField("Why", blank=True)
    immediate_action = models.TextField("What you did straight away")
    who_was_told = models.TextField("Who you told", blank=True)
    source_kind = models.CharField(
        max_length=20, choices=SourceKind.choices, default=SourceKind.UNKNOWN
    )
    source_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="concerns_as_source",
    )
    source_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="concerns_as_source"
    )
    source_description = models.CharField(max_length=200, blank=True)
    injury = models.CharField(max_length=20, choices=Injury.choices, default=Injury.NONE)
    injury_location = models.CharField("Where on the body", max_length=200, blank=True)
    information_source = models.CharField(max_length=20, choices=InformationSource.choices)
    reported_by = models.CharField("Who reported it", max_length=200, blank=True)
    severity = models.CharField(max_length=20, choices=Severity.choices)
    # The quick risk questions ticked (codes from the recording policy), ["none"] when
    # none applies, [] when not answered.
    risk_indicators = models.JSONField(default=list, blank=True)
    unmet_standards = models.JSONField(default=list)
    # Prompts (standards not required) left blank when recorded: never a failure on
    # the concern, but what the measure of recording practice counts.
    prompts_left = models.JSONField(default=list)
    review_due_at = models.DateTimeField()
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    external_ref = models.CharField(max_length=100, blank=True)
    # Historic records brought in from a spreadsheet: part of the chronology and the
    # pattern rules, but not new work for today's review queue.
    imported = models.BooleanField(default=False)
    # The form's key for this concern: sent twice (a double press, or again after
    # signing in), it is recorded once.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    objects = ConcernQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # The oversight dashboard counts 90 days of concerns by service and kind, and
            # lists refusals: both read these indexes alone, never the wide rows.
            models.Index(
                fields=["organisation", "occurred_at", "service", "source_staff", "categories"],
                name="concern_org_occurred",
            ),
            models.Index(
                fields=["organisation", "sharing_view", "occurred_at", "source_staff"],
                name="concern_org_sharing",
            ),
            models.Index(fields=["team", "review_due_at"], name="concern_team_due"),
            models.Index(fields=["source_staff"], name="concern_source_staff"),
            models.Index(fields=["source_person"], name="concern_source_person"),
            # The "same harm at one service" rule reads one service's recent concerns.
            models.Index(fields=["service", "occurred_at"], name="concern_service_occurred"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "external_ref"],
                condition=~Q(external_ref=""),
                name="concern_external_ref_unique",
            )
        ]

    def __str__(self):
        return f"Concern {self.pk} ({self.occurred_at:%-d %B %Y})"

    @property
    def is_overdue(self):
        return not hasattr(self, "review") and self.review_due_at < timezone.now()

    @property
    def severity_rank(self):
        return SEVERITY_RANK[self.severity]


def review_due(occurred_or_recorded, severity, policy) -> timezone.datetime:
    hours = (
        policy.review_hours.immediate_danger
        if severity == Severity.IMMEDIATE
        else policy.review_hours.default
    )
    return occurred_or_recorded + timedelta(hours=hours)


class AwaitingReview(models.Model):
    """The review queue: a row for each concern recorded (not imported) and not yet
    reviewed, removed by its review. Small, so "what is waiting or overdue" never
    scans every concern ever recorded."""

    concern = models.OneToOneField(
        "Concern", on_delete=models.CASCADE, primary_key=True, related_name="awaiting"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField()
    # When the leads were chased about a missed urgent review: once, not every sweep.
    chased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "due_at"], name="awaiting_org_due"),
            models.Index(fields=["team", "due_at"], name="awaiting_team_due"),
        ]


class ConcernPerson(models.Model):
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="links")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="concern_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "concern"], name="concern_person_unique")
        ]


class Amendment(models.Model):
    """A correction or addition to a concern, with its reason. The original stays."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="amendments")
    amended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    amended_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()
    changes = models.JSONField(help_text="{field: {'from': old, 'to': new}}")

    class Meta:
        ordering = ["amended_at", "id"]

    def __str__(self):
        return f"Amendment to concern {self.concern_id}"


class ReviewOutcome(models.TextChoices):
    NO_FURTHER_ACTION = "no_further_action", "No further action"
    MONITOR = "monitor", "Monitor"
    ESCALATE = "escalate", "Escalate"


class Review(models.Model):
    concern = models.OneToOneField(Concern, on_delete=models.PROTECT, related_name="review")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=30, choices=ReviewOutcome.choices)
    rationale = models.TextField()

    def __str__(self):
        return f"Review of concern {self.concern_id}: {self.get_outcome_display()}"


def _import_storage():
    # Kept for migration 0003; uploads now live in ImportUpload, seen by every node.
    from django.core.files.storage import FileSystemStorage

    location = getattr(settings, "SHAREWISE_IMPORT_DIR", settings.VAR_DIR / "imports")
    return FileSystemStorage(location=location)


class ImportJob(models.Model):
    """A CSV import started from the web, run in the background (see importjobs.py).
    The uploaded file (ImportUpload) is deleted once the import has finished."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        CHECKING = "checking", "Checking rows"
        SAVING = "saving", "Saving"
        DONE = "done", "Imported"
        FAILED = "failed", "Nothing imported"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(max_length=255)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, help_text="[{row, column, message}]")
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Import {self.pk} of {self.file_name}"

    @property
    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def has_upload(self) -> bool:
        return ImportUpload.objects.filter(job_id=self.pk).exists()


class ImportUpload(models.Model):
    """The uploaded CSV file of an import, kept in the database so that a worker on any
    machine can read it, and deleted as soon as the import ends."""

    job = models.OneToOneField(ImportJob, on_delete=models.CASCADE, primary_key=True)
    data = models.BinaryField()
