"""Legal holds, the data protection officer's monthly review and destructions with
their certificates."""

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone

from sharewise.organisations.models import Organisation
from sharewise.people.models import Person
from sharewise.policy.models import PolicyVersion

# The kinds of record in the users' words (the policy's own labels may be changed).
RULE_LABELS = {
    "adult_safeguarding": "Adult safeguarding records",
    "children_safeguarding": "Children's safeguarding records",
    "sharing_decisions": "Sharing decisions",
    "disclosures": "Referrals and disclosures",
    "audit_trail": "Audit trail text",
}


class LegalHold(models.Model):
    """While in place, nothing about the person is destroyed, however long past their
    retention period (a Safeguarding Adults Review, an inquest, a claim)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="legal_holds")
    reason = models.TextField()
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        indexes = [models.Index(fields=["person", "lifted_at"], name="hold_person_lifted")]

    def __str__(self):
        return f"Legal hold {self.pk}"

    @property
    def in_place(self) -> bool:
        return self.lifted_at is None


class Review(models.Model):
    """The month's review list for the data protection officer, as the sweep made it:
    who was due and who was held (ids only; the page shows the list as it is now)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(help_text="The first day of the month")
    made_at = models.DateTimeField(default=timezone.now)
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    due_ids = models.JSONField(default=list)
    held_ids = models.JSONField(default=list)

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "month"], name="review_month_unique")
        ]

    def __str__(self):
        return f"Retention review {self.month:%B %Y}"


class Destruction(models.Model):
    """Destroying the personal content of people's records: proposed from the review
    list, approved by the data protection officer, carried out at approval. The
    certificate names no one: ids, counts, the rule and the approval."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Waiting for the data protection officer"
        DONE = "done", "Destroyed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    people = models.ManyToManyField(Person, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approval_note = models.TextField(blank=True)
    carried_out_at = models.DateTimeField(null=True, blank=True)
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    # {person id: {"due": date, "rules": [[code, date, why], ...]}} when proposed.
    dues = models.JSONField(default=dict)
    counts = models.JSONField(default=dict, help_text="{record type: records destroyed}")
    certificate = models.TextField(blank=True, help_text="The certificate, as HTML")
    certificate_pdf = models.BinaryField(null=True, blank=True)
    certificate_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]

    def __str__(self):
        return f"Destruction {self.pk}"

    def due_rows(self) -> list[tuple[int, date | None, list[tuple[str, date, str]]]]:
        """(person id, due date, [(kind of record, due date, why)]) as proposed, in id
        order, for the page and the certificate."""
        rows = []
        for pid, due in sorted(self.dues.items(), key=lambda kv: int(kv[0])):
            rules = [
                (RULE_LABELS.get(code, code), date.fromisoformat(on), why)
                for code, on, why in due.get("rules", [])
            ]
            on = date.fromisoformat(due["due"]) if due.get("due") else None
            rows.append((int(pid), on, rules))
        return rows
