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


class Referral(models.Model):
    """A referral in the making, from a decision to share and a template: the sender's
    choices of fields and redactions, and the last preview, which is what is sent."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Being built"
        AWAITING_DPO = "awaiting_dpo", "Waiting for the data protection officer"
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
    recipient_organisation = models.CharField(max_length=200, blank=True)
    recipient_role = models.CharField(max_length=200, blank=True)
    recipient_name = models.CharField(max_length=200, blank=True)
    recipient_contact = models.CharField(max_length=200, blank=True)
    channel = models.CharField(max_length=20, blank=True, choices=Channel.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
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


class Disclosure(models.Model):
    """What was sent, to whom, how and on what decision, frozen: the structured content,
    the PDF's bytes and its SHA-256. Never edited or deleted."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="disclosures")
    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="disclosure")
    decision = models.ForeignKey(
        SharingDecision, on_delete=models.PROTECT, related_name="disclosures"
    )
    template = models.CharField(max_length=60)
    template_title = models.CharField(max_length=200)
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    content = models.JSONField()
    pdf = models.BinaryField()
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
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)
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
