"""Referrals being built, and disclosures: exactly what left the organisation."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from sharewise.organisations.access import scope_for
from sharewise.organisations.models import Organisation
from sharewise.people.models import Person
from sharewise.policy.models import PolicyVersion
from sharewise.sharing.models import Channel, PersonRecordQuerySet, SharingDecision


class Partner(models.Model):
    """A partner organisation's team that receives referrals, and the one secure way to
    reach it. Kept by the safeguarding lead; retired, never deleted, so disclosures
    keep saying where they went."""

    class Channel(models.TextChoices):
        SECURE_EMAIL = "secure_email", "Secure email"
        PORTAL = "portal", "Online portal"
        PHONE = "phone", "Phone"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    name = models.CharField("Organisation", max_length=200)
    team = models.CharField("Team or role", max_length=200)
    contact_name = models.CharField("Contact name", max_length=200, blank=True)
    channel = models.CharField("How referrals reach them", max_length=20, choices=Channel.choices)
    email = models.EmailField("Secure email address", max_length=254, blank=True)
    portal_url = models.URLField("Portal web address", max_length=500, blank=True)
    phone = models.CharField("Phone number", max_length=40, blank=True)
    notes = models.TextField("Notes for senders", blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "team", "id"]

    def __str__(self):
        return f"{self.name}, {self.team}"

    @property
    def address(self) -> str:
        """Where the channel reaches them: the email address, portal or phone number."""
        return {
            self.Channel.SECURE_EMAIL: self.email,
            self.Channel.PORTAL: self.portal_url,
            self.Channel.PHONE: self.phone,
        }.get(self.channel, "")


class StaffContact(models.Model):
    """How a partner calls a referrer back: printed on every referral they send."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="referrer_contact"
    )
    job_title = models.CharField("Job title", max_length=200, blank=True)
    phone = models.CharField("Work phone number", max_length=40, blank=True)


class Referral(models.Model):
    """A referral in the making, from a decision to share and a template: the sender's
    choices of fields and redactions, and the last preview, which is what is sent."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Being built"
        AWAITING_DPO = "awaiting_dpo", "Waiting for the data protection officer"
        # Frozen as previewed, but not yet accepted by the mail server or confirmed
        # as submitted: never shown as sent.
        FINAL = "final", "Final, not sent yet"
        SENT = "sent", "Sent"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="referrals")
    decision = models.ForeignKey(
        SharingDecision, on_delete=models.PROTECT, related_name="referrals"
    )
    template = models.CharField(max_length=60)
    purpose = models.CharField(max_length=60)
    categories = models.JSONField(default=list)
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    choices = models.JSONField(default=dict, help_text="{field: {include, why}}")
    inputs = models.JSONField(default=dict, help_text="{field: text} typed by the sender")
    redactions = models.JSONField(
        default=list, help_text="[{field, start, end, action: redact|restore, reason, by, at}]"
    )
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    # Copied from the partner when chosen; older referrals typed them in.
    recipient_organisation = models.CharField(max_length=200, blank=True)
    recipient_role = models.CharField(max_length=200, blank=True)
    recipient_name = models.CharField(max_length=200, blank=True)
    recipient_contact = models.CharField(max_length=200, blank=True)
    channel = models.CharField(max_length=20, blank=True, choices=Channel.choices)
    # Reasons typed without the choice they belong to: kept until used or cleared.
    typed = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    final_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    preview_json = models.JSONField(null=True, blank=True)
    preview_pdf = models.BinaryField(null=True, blank=True)
    preview_sha256 = models.CharField(max_length=64, blank=True)
    previewed_at = models.DateTimeField(null=True, blank=True)
    dpo_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dpo_approved_at = models.DateTimeField(null=True, blank=True)
    dpo_note = models.TextField(blank=True)
    # What the data protection officer approved: a change after it needs approval again.
    dpo_approved_sha256 = models.CharField(max_length=64, blank=True)

    objects = PersonRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self):
        return f"Referral {self.pk}"

    @property
    def is_final(self) -> bool:
        return self.status in (self.Status.FINAL, self.Status.SENT)


class Delivery(models.Model):
    """One attempt to send a final referral by secure email, and what the mail server
    said. The referral is sent only once an attempt was accepted."""

    class Outcome(models.TextChoices):
        SENDING = "sending", "Being sent"
        ACCEPTED = "accepted", "Accepted by the mail server"
        FAILED = "failed", "Not sent"

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="deliveries")
    to = models.CharField(max_length=254)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.SENDING)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]


class Disclosure(models.Model):
    """What was sent, to whom, how and on what decision, frozen: the structured content,
    the PDF's bytes and its SHA-256. Written only once it left: when the mail server
    accepted it, or when the sender confirmed they submitted it on a portal or by
    phone. Never edited or deleted.

    Not every disclosure is a referral: what was told to someone by phone or in person
    under a decision to share, and a subject access response to the person themselves,
    are disclosures too, so that "what has been shared about me" is complete."""

    class Kind(models.TextChoices):
        REFERRAL = "referral", "Referral"
        TOLD = "told", "Told by phone or in person"
        SUBJECT_ACCESS = "subject_access", "Subject access response"

    class How(models.TextChoices):
        EMAIL = "email", "Accepted by the mail server"
        CONFIRMED = "confirmed", "Submitted, as confirmed by the sender"
        RECORDED = "recorded", "Recorded as sent (before delivery was tracked)"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="disclosures")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.REFERRAL)
    # Only a referral has one; only a subject access response has no decision to share.
    referral = models.OneToOneField(
        Referral, null=True, blank=True, on_delete=models.PROTECT, related_name="disclosure"
    )
    decision = models.ForeignKey(
        SharingDecision,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disclosures",
    )
    template = models.CharField(max_length=60)
    template_title = models.CharField(max_length=200)
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    content = models.JSONField()
    # Empty for what was told: its SHA-256 is then of the content's canonical JSON.
    pdf = models.BinaryField(default=b"", blank=True)
    sha256 = models.CharField(max_length=64, help_text="Of the PDF's bytes")
    minimum_fields = models.JSONField(default=list)
    sent_fields = models.JSONField(default=list)
    justifications = models.JSONField(default=dict)
    redactions = models.JSONField(default=list)
    beyond_minimum = models.PositiveIntegerField(default=0)
    recipient_organisation = models.CharField(max_length=200)
    recipient_role = models.CharField(max_length=200)
    recipient_name = models.CharField(max_length=200, blank=True)
    recipient_contact = models.CharField(max_length=200, blank=True)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="disclosures"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    delivery = models.CharField(max_length=20, choices=How.choices, default=How.RECORDED)
    # Email: the address the mail server accepted it for. Portal or phone: who
    # submitted it, and the reference the partner gave.
    delivered_to = models.CharField(max_length=500, blank=True)
    submitted_by_name = models.CharField(max_length=200, blank=True)
    receipt_reference = models.CharField(max_length=200, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dpo_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = PersonRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "-sent_at"], name="disclosure_log"),
            models.Index(fields=["person", "-sent_at"], name="disclosure_person"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="referral", referral__isnull=False)
                | (~Q(kind="referral") & Q(referral__isnull=True)),
                name="disclosure_referral_only_for_referrals",
            ),
            models.CheckConstraint(
                condition=Q(kind="subject_access") | Q(decision__isnull=False),
                name="disclosure_rests_on_decision",
            ),
        ]

    def __str__(self):
        return f"Disclosure {self.pk}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("A disclosure is never changed: it is what was sent")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A disclosure is never deleted")


def referrals_for(user):
    """Referrals a user may work on: their own, or any for a lead or the data
    protection officer, about people they may see."""
    scope = scope_for(user)
    return Referral.objects.visible_to(user).filter(
        Q(created_by=user) | Q(organisation_id__in=scope.case_wide_org_ids)
    )
