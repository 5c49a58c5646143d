"""Subject access requests (a person asking for everything held about them) and
rectification requests (a person asking for a record to be corrected)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from sharewise.concerns.models import Amendment, Concern
from sharewise.disclosures.models import Disclosure
from sharewise.organisations.models import Organisation
from sharewise.people.models import Person
from sharewise.rights import deadlines
from sharewise.sharing.models import Channel, PersonRecordQuerySet


class Requester(models.TextChoices):
    PERSON = "person", "The person themselves"
    REPRESENTATIVE = "representative", "Someone acting for them, with their authority"


class SubjectAccessRequest(models.Model):
    """A request for everything held about a person, from receipt to the response sent
    as a frozen disclosure. Its steps, in order: received, identity checked and being
    prepared, with the data protection officer for review, sent (or refused or
    withdrawn, with the reason)."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        IDENTITY_CHECKED = "identity_checked", "Identity checked: being prepared"
        WITH_DPO = "with_dpo", "With the data protection officer for review"
        SENT = "sent", "Sent"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Withdrawn"

    OPEN = (Status.RECEIVED, Status.IDENTITY_CHECKED, Status.WITH_DPO)

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="subject_access_requests"
    )
    requester = models.CharField(max_length=20, choices=Requester.choices)
    requester_name = models.CharField("Name of who asked", max_length=200)
    relationship = models.CharField("Their relationship to the person", max_length=200, blank=True)
    authority = models.TextField("Evidence of their authority to act", blank=True)
    contact = models.CharField("Where to send the response", max_length=300)
    received_on = models.DateField("Received on")
    request_text = models.TextField("What they asked for", blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    logged_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    deadline = models.DateField()
    # Identity: nobody's information is sent until who asked is verified.
    identity_method = models.TextField("How their identity was verified", blank=True)
    identity_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    identity_checked_at = models.DateTimeField(null=True, blank=True)
    extension_months = models.PositiveSmallIntegerField(default=0)
    extension_reasons = models.TextField(blank=True)
    extension_told_on = models.DateField(null=True, blank=True)
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    extended_at = models.DateTimeField(null=True, blank=True)
    # The export as prepared (what would be sent): the JSON, its PDF, and both digests.
    export_json = models.JSONField(null=True, blank=True)
    export_pdf = models.BinaryField(null=True, blank=True)
    export_sha256 = models.CharField(max_length=64, blank=True, help_text="Of the PDF's bytes")
    export_json_sha256 = models.CharField(max_length=64, blank=True)
    redactions = models.JSONField(
        default=list, help_text="[{section, record, field, label, reason, party}]"
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField(null=True, blank=True)
    dpo_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dpo_approved_at = models.DateTimeField(null=True, blank=True)
    dpo_note = models.TextField(blank=True)
    # What the officer approved: preparing again needs approval again.
    dpo_approved_sha256 = models.CharField(max_length=64, blank=True)
    disclosure = models.OneToOneField(
        Disclosure, null=True, blank=True, on_delete=models.PROTECT, related_name="subject_access"
    )
    channel = models.CharField(max_length=20, blank=True, choices=Channel.choices)
    closed_reason = models.TextField(blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    due_soon_notified_at = models.DateTimeField(null=True, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)

    objects = PersonRecordQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["organisation", "status", "deadline"], name="sar_open_due"),
        ]

    def __str__(self):
        return f"Subject access request {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def identity_verified(self) -> bool:
        return self.identity_checked_at is not None

    def due_state(self, today=None) -> str:
        """on_time, due_soon or overdue; "" once it is closed."""
        if not self.is_open:
            return ""
        return deadlines.state(self.deadline, today or timezone.localdate())


class Rectification(models.Model):
    """A request to correct a record. It becomes amendments (the original stays beside
    them), each linked here, or is refused with the reasons."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for a decision"
        AMENDED = "amended", "Corrected by amendment"
        REFUSED = "refused", "Refused"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="rectifications")
    requester_name = models.CharField("Name of who asked", max_length=200)
    received_on = models.DateField("Received on")
    concern = models.ForeignKey(
        Concern, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    what_is_wrong = models.TextField("What they say is wrong, and what it should say")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    amendments = models.ManyToManyField(Amendment, blank=True, related_name="rectifications")
    outcome_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    logged_at = models.DateTimeField(default=timezone.now)

    objects = PersonRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-id"]

    def __str__(self):
        return f"Rectification request {self.pk}"
