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


class Agreement(models.Model):
    """An information-sharing agreement with a partner organisation: who, for which
    purposes and categories of information, on which lawful bases, by which secure
    channel, until when. It is with the organisation as a whole (its name, as in the
    partner directory), so it covers every team of that organisation, even one added
    later. Never edited once made: a change is a new version that replaces it, so a
    disclosure keeps saying which agreement, as it then stood, it rested on."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    partner_organisation = models.CharField("Partner organisation", max_length=200)
    title = models.CharField("Title", max_length=200)
    purposes = models.JSONField("Purposes", default=list)
    categories = models.JSONField("Categories of information", default=list, blank=True)
    article_6 = models.JSONField("UK GDPR Article 6 bases", default=list, blank=True)
    article_9 = models.JSONField("UK GDPR Article 9 conditions", default=list, blank=True)
    schedule_1 = models.JSONField("DPA 2018 Schedule 1 conditions", default=list, blank=True)
    secure_channel = models.CharField("Secure channel", max_length=200)
    starts_on = models.DateField("Start date")
    review_on = models.DateField("Review date")
    contact_name = models.CharField("Named contact", max_length=200)
    contact_details = models.CharField("Contact's email or phone", max_length=200, blank=True)
    document = models.CharField("Document reference or link", max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    # Set when a new version replaced it, or when the lead retired it.
    replaced_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    CHANGEABLE = frozenset({"replaced_at", "retired_at"})

    class Meta:
        ordering = ["partner_organisation", "title", "-version", "id"]
        indexes = [models.Index(fields=["organisation", "review_on"], name="agreement_review")]

    def __str__(self):
        return f"{self.title} (version {self.version})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            fields = kwargs.get("update_fields")
            if fields is None or not set(fields) <= self.CHANGEABLE:
                raise ValueError("An agreement is never edited: a change makes a new version")
        super().save(*args, **kwargs)

    @property
    def is_current(self) -> bool:
        return self.replaced_at is None and self.retired_at is None


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
    # Why sharing is lawful although no current agreement covers it; the agreement it
    # rests on is set when it is made final.
    no_agreement_reason = models.TextField(blank=True)
    agreement = models.ForeignKey(
        Agreement, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
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

    # How something was told: the decision's channels, and two more ways of talking.
    TOLD_CHANNELS = (
        (Channel.PHONE, "Phone"),
        (Channel.IN_PERSON, "In person or at a meeting"),
        ("video", "Video call"),
        ("other", "Another way"),
    )

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
    channel = models.CharField(
        max_length=20, choices=[*Channel.choices, ("video", "Video call"), ("other", "Another way")]
    )
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="disclosures"
    )
    # The agreement it rested on, as it then stood, or why sharing was lawful without.
    agreement = models.ForeignKey(
        Agreement, null=True, blank=True, on_delete=models.PROTECT, related_name="disclosures"
    )
    no_agreement_reason = models.TextField(blank=True)
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


class Response(models.Model):
    """What came back from a disclosure: the partner's acknowledgement, or the outcome
    (for a section 42 concern, whether an enquiry opened, how it ended and whether what
    the person wanted was achieved). Kept as a log: a correction is a new entry that
    replaces the one before, which stays."""

    class Kind(models.TextChoices):
        ACKNOWLEDGEMENT = "acknowledgement", "Acknowledgement"
        OUTCOME = "outcome", "Outcome"

    class EnquiryOutcome(models.TextChoices):
        RISK_REMOVED = "risk_removed", "Risk removed"
        RISK_REDUCED = "risk_reduced", "Risk reduced"
        RISK_REMAINS = "risk_remains", "Risk remains"
        NO_FURTHER_ACTION = "no_further_action", "No further action"
        REFERRED_ELSEWHERE = "referred_elsewhere", "Referred elsewhere"

    class Achieved(models.TextChoices):
        FULLY = "fully", "Fully achieved"
        PARTLY = "partly", "Partly achieved"
        NOT = "not", "Not achieved"

    disclosure = models.ForeignKey(Disclosure, on_delete=models.PROTECT, related_name="responses")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.CharField(max_length=200, blank=True)
    their_reference = models.CharField(max_length=200, blank=True)
    enquiry_opened = models.BooleanField(null=True, blank=True)
    enquiry_opened_on = models.DateField(null=True, blank=True)
    enquiry_outcome = models.CharField(max_length=30, blank=True, choices=EnquiryOutcome.choices)
    enquiry_closed_on = models.DateField(null=True, blank=True)
    person_wanted = models.TextField(blank=True)
    wanted_achieved = models.CharField(max_length=10, blank=True, choices=Achieved.choices)
    notes = models.TextField(blank=True)
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    correction_reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("A response is never changed: record a correction")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A response is never deleted")


class Chase(models.Model):
    """The one reminder that a disclosure has not been acknowledged."""

    disclosure = models.OneToOneField(Disclosure, on_delete=models.PROTECT, related_name="chase")
    chased_at = models.DateTimeField(default=timezone.now)


def referrals_for(user):
    """Referrals a user may work on: their own, or any for a lead or the data
    protection officer, about people they may see."""
    scope = scope_for(user)
    return Referral.objects.visible_to(user).filter(
        Q(created_by=user) | Q(organisation_id__in=scope.case_wide_org_ids)
    )
