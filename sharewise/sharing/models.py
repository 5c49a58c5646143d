"""Consent, capacity, advice and sharing decisions. (Consent and capacity live here,
not in people/, because they can name the concerns they are about.)"""

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils import timezone

from sharewise.concerns.models import Concern
from sharewise.organisations.access import scope_for
from sharewise.organisations.models import Organisation
from sharewise.patterns.models import Alert
from sharewise.people.models import Person
from sharewise.policy.models import PolicyVersion
from sharewise.sharing.framework import OUTCOMES


class PersonRecordQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Records about people this user may see."""
        return self.filter(person__in=Person.objects.visible_to(user))


class ConsentOutcome(models.TextChoices):
    GIVEN = "given", "Given"
    REFUSED = "refused", "Refused"
    WITHDRAWN = "withdrawn", "Withdrawn"
    NOT_SOUGHT = "not_sought", "Not sought"


class NotSoughtReason(models.TextChoices):
    UNSAFE = "unsafe", "Asking would put someone at risk"
    PREJUDICE = "prejudice", "Asking would prejudice protecting the person"
    CANNOT_OBTAIN = "cannot_obtain", "Consent cannot reasonably be obtained"
    EMERGENCY = "emergency", "An emergency: no time to ask"


class ConsentCapacity(models.TextChoices):
    PRESUMED = "presumed", "Presumed to have capacity"
    HAS_CAPACITY = "has_capacity", "Assessed as having capacity"
    LACKS_CAPACITY = "lacks_capacity", "Assessed as lacking capacity"


class CapacityAssessment(models.Model):
    """The Mental Capacity Act two-stage test for one decision at one time."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="capacity_assessments"
    )
    decision = models.TextField(help_text="The decision the person is being asked to make")
    assessed_at = models.DateTimeField()
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    help_given = models.TextField(help_text="What was done to help the person decide")
    # Stage 1 (functional): can the person...
    can_understand = models.BooleanField()
    can_retain = models.BooleanField()
    can_use_or_weigh = models.BooleanField()
    can_communicate = models.BooleanField()
    # Stage 2 (diagnostic), only when some stage 1 answer is no.
    impairment = models.BooleanField(null=True, blank=True)
    impairment_detail = models.TextField(blank=True)
    evidence = models.TextField(help_text="What the person said and did that shows this")
    lacks_capacity = models.BooleanField()
    # Best interests, when capacity is lacking.
    best_interests = models.CharField(
        max_length=20,
        blank=True,
        choices=[("share", "Sharing is in their best interests"), ("do_not_share", "Not sharing")],
    )
    best_interests_reasons = models.TextField(blank=True)
    persons_wishes = models.TextField(blank=True, help_text="Past and present wishes and feelings")
    consulted = models.TextField(blank=True, help_text="Who was consulted")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = PersonRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-assessed_at", "-id"]
        indexes = [models.Index(fields=["person", "-assessed_at"], name="capacity_by_person")]

    def __str__(self):
        return f"Capacity assessment {self.pk}"

    @property
    def conclusion(self) -> str:
        return "lacks_capacity" if self.lacks_capacity else "has_capacity"

    @property
    def conclusion_label(self) -> str:
        return "Lacks capacity" if self.lacks_capacity else "Has capacity"


class ConsentRecord(models.Model):
    """Whether a person agreed to information about them being shared, for a purpose."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="consents")
    purpose = models.TextField()
    concerns = models.ManyToManyField(Concern, blank=True, related_name="+")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    asked_at = models.DateTimeField()
    explained_how = models.TextField(blank=True)
    outcome = models.CharField(max_length=20, choices=ConsentOutcome.choices)
    not_sought_reason = models.CharField(max_length=20, blank=True, choices=NotSoughtReason.choices)
    persons_words = models.TextField(blank=True)
    capacity = models.CharField(max_length=20, choices=ConsentCapacity.choices)
    capacity_assessment = models.ForeignKey(
        CapacityAssessment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = PersonRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-asked_at", "-id"]
        indexes = [models.Index(fields=["person", "-asked_at"], name="consent_by_person")]

    def __str__(self):
        return f"Consent {self.get_outcome_display().lower()} ({self.asked_at:%-d %B %Y})"


class Outcome(models.TextChoices):
    SHARE_WITH_CONSENT = "share_with_consent", "Share with consent"
    SHARE_WITHOUT_CONSENT = "share_without_consent", "Share without consent"
    SHARE_DEIDENTIFIED = "share_deidentified", "Share without identifying the person"
    DO_NOT_SHARE = "do_not_share", "Do not share"
    MONITOR = "monitor", "Do not share yet: monitor and review"


NOT_SHARING = (Outcome.DO_NOT_SHARE, Outcome.MONITOR)


class Channel(models.TextChoices):
    SECURE_EMAIL = "secure_email", "Secure email"
    PORTAL = "portal", "Online portal or form"
    PHONE = "phone", "Phone"
    LETTER = "letter", "Letter"
    IN_PERSON = "in_person", "In person or at a meeting"


class DecisionQuerySet(PersonRecordQuerySet):
    def standing_refusals(self):
        return self.filter(standing=True, outcome__in=NOT_SHARING)


class SharingDecision(models.Model):
    """What was decided about sharing information about a person, and why: everything
    DOMAIN.md's "record of a sharing decision" lists. Signed when recorded, and never
    edited after: amendments only."""

    class Status(models.TextChoices):
        AWAITING_COUNTERSIGN = "awaiting_countersign", "Waiting to be countersigned"
        SIGNED = "signed", "Signed"
        DECLINED = "declined", "Countersignature declined"
        SUPERSEDED = "superseded", "Replaced by a later decision before it was countersigned"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="sharing_decisions")
    alert = models.ForeignKey(
        Alert, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    concerns = models.ManyToManyField(Concern, blank=True, related_name="+")
    question = models.TextField()
    purpose = models.TextField()
    consent = models.ForeignKey(
        ConsentRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    consent_outcome = models.CharField(max_length=20, choices=ConsentOutcome.choices)
    not_sought_reason = models.CharField(max_length=20, blank=True, choices=NotSoughtReason.choices)
    capacity = models.CharField(max_length=20)
    capacity_assessment = models.ForeignKey(
        CapacityAssessment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answers = models.JSONField()
    facts = models.JSONField()
    recommendation = models.CharField(max_length=30)
    recommendation_reasons = models.JSONField()
    recommended_bases = models.JSONField(default=list)
    lead_review_reason = models.TextField(blank=True)
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    override_grounds = models.JSONField(default=list)
    article_6 = models.CharField(max_length=2, blank=True)
    article_9 = models.CharField(max_length=2, blank=True)
    schedule_1 = models.CharField(max_length=10, blank=True)
    necessity = models.TextField(help_text="Necessity and proportionality, in the decider's words")
    recipient_organisation = models.CharField(max_length=200, blank=True)
    recipient_role = models.CharField(max_length=200, blank=True)
    recipient_name = models.CharField(max_length=200, blank=True)
    what_shared = models.TextField(blank=True)
    channel = models.CharField(max_length=20, blank=True, choices=Channel.choices)
    person_told = models.CharField(max_length=10, blank=True)  # yes / no / "" when not sharing
    not_told_reason = models.TextField(blank=True)
    departs = models.BooleanField(default=False)
    departure_rationale = models.TextField(blank=True)
    review_date = models.DateField(null=True, blank=True)
    review_alerted_at = models.DateTimeField(null=True, blank=True)
    # A decision that contradicts the signed one standing within its review period says
    # why, and goes to the safeguarding lead.
    contradicts = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    contradiction_reason = models.TextField(blank=True)
    # Whether this is the person's standing decision, as sharing.standing works it out
    # from the history (kept here so lists can filter on it; settle_standing() sets it).
    standing = models.BooleanField(default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    advised_by = models.TextField(blank=True)
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    information_policy = models.ForeignKey(
        PolicyVersion, null=True, on_delete=models.PROTECT, related_name="+"
    )
    appropriate_policy = models.ForeignKey(
        PolicyVersion, null=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.SIGNED)
    countersign_because = models.TextField(blank=True)
    countersign_needs_lead = models.BooleanField(default=False)
    countersigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    countersigned_at = models.DateTimeField(null=True, blank=True)
    countersign_note = models.TextField(blank=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [
            models.Index(fields=["person"], name="decision_standing", condition=Q(standing=True)),
            models.Index(fields=["organisation", "status"], name="decision_status"),
            models.Index(
                fields=["organisation", "review_date"],
                name="decision_review_due",
                condition=Q(standing=True, review_alerted_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"Sharing decision {self.pk}: {self.get_outcome_display().lower()}"

    # What may change once recorded: the countersignature, whether it stands, its
    # review, and (by amendment, which keeps the original) the details of the sharing.
    CHANGEABLE = frozenset(
        {
            "status",
            "countersigned_by",
            "countersigned_at",
            "countersign_note",
            "standing",
            "review_alerted_at",
            "recipient_organisation",
            "recipient_role",
            "recipient_name",
            "what_shared",
            "channel",
            "person_told",
            "not_told_reason",
            "review_date",
        }
    )

    def save(self, *args, **kwargs):
        if not self._state.adding:
            fields = kwargs.get("update_fields")
            if fields is None or not set(fields) <= self.CHANGEABLE:
                raise ValueError(
                    "A signed sharing decision is never edited: record an amendment or a "
                    "new decision"
                )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Sharing decisions are never deleted")

    @property
    def is_sharing(self) -> bool:
        return self.outcome not in NOT_SHARING

    @property
    def recommendation_label(self) -> str:
        return OUTCOMES.get(self.recommendation, self.recommendation)


class DecisionAmendment(models.Model):
    """A correction to a signed decision's details, with its reason. The original stays."""

    decision = models.ForeignKey(
        SharingDecision, on_delete=models.PROTECT, related_name="amendments"
    )
    amended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    amended_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()
    changes = models.JSONField(help_text="{field: {'from': old, 'to': new}}")

    class Meta:
        ordering = ["amended_at", "id"]

    def changes_in_words(self) -> list[tuple[str, object, object]]:
        """Each change as (the field's name in words, from, to)."""
        named = []
        for name, change in self.changes.items():
            try:
                label = str(SharingDecision._meta.get_field(name).verbose_name)
            except FieldDoesNotExist:  # a field since removed: its name is all there is
                label = name.replace("_", " ")
            named.append((label[:1].upper() + label[1:], change.get("from"), change.get("to")))
        return named


class Draft(models.Model):
    """A sharing decision in the making: the wizard's answers so far, so nothing is
    lost going back and forth, or at the end of a shift."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    alert = models.ForeignKey(
        Alert, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    answers = models.JSONField(default=dict)
    step = models.CharField(max_length=30, default="purpose")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    decision = models.OneToOneField(
        SharingDecision, null=True, blank=True, on_delete=models.PROTECT, related_name="draft"
    )

    class Meta:
        ordering = ["-updated_at"]


class AdviceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """What this user asked, and everything for a lead or data protection officer
        of the organisation."""
        scope = scope_for(user)
        return self.filter(Q(asked_by=user) | Q(organisation_id__in=scope.case_wide_org_ids))


class AdviceRequest(models.Model):
    """A question to the safeguarding lead, asked from any step; the answer becomes
    part of the decision's record."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    draft = models.ForeignKey(
        Draft, null=True, blank=True, on_delete=models.SET_NULL, related_name="advice"
    )
    decision = models.ForeignKey(
        SharingDecision, null=True, blank=True, on_delete=models.PROTECT, related_name="advice"
    )
    step = models.CharField(max_length=30, blank=True)
    question = models.TextField()
    name_withheld = models.BooleanField(default=False)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    asked_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = AdviceQuerySet.as_manager()

    class Meta:
        ordering = ["-asked_at", "-id"]

    @property
    def answered(self) -> bool:
        return self.answered_at is not None
