from django.conf import settings
from django.db import models
from django.utils import timezone


class PolicyVersion(models.Model):
    """One version of one policy for one organisation. Never edited: a change is a new
    version, and everything decided under a policy records the version in force."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=40)
    version = models.PositiveIntegerField()
    document = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "version"], name="policy_version_unique"
            )
        ]

    def __str__(self):
        return f"{self.kind} policy v{self.version}"
