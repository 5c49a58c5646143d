"""Append-only audit trail. This app imports no other Sharewise app: callers pass
plain ids and names, so the trail outlives any record it mentions."""

import hashlib

from django.db import models
from django.utils import timezone

_EMPTY_TEXT = hashlib.sha256(b"").hexdigest()
_EMPTY_DETAIL = hashlib.sha256(b"{}").hexdigest()


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove a trail record."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The audit trail cannot be changed.")

    def delete(self):
        raise AppendOnlyError("The audit trail cannot be deleted.")

    # bulk_update goes through update(); the refusal above covers it.


class AppendOnly(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("The audit trail cannot be changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The audit trail cannot be deleted.")


class Entry(AppendOnly):
    """One thing someone did: who, when, what, to which record, from where, and why."""

    at = models.DateTimeField(default=timezone.now)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    person_id = models.BigIntegerField(null=True, blank=True)
    organisation_id = models.BigIntegerField(null=True, blank=True)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    reason = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    # What the chain covers in place of the reason and detail, so that either can be
    # erased when a person's records are destroyed; "" on entries written before.
    reason_sha256 = models.CharField(max_length=64, blank=True, default="", db_default="")
    detail_sha256 = models.CharField(max_length=64, blank=True, default="", db_default="")

    class Meta:
        verbose_name_plural = "entries"
        indexes = [
            models.Index(fields=["person_id", "-at"], name="trail_person_at"),
            models.Index(fields=["actor_id", "-at"], name="trail_actor_at"),
            models.Index(fields=["organisation_id", "-at"], name="trail_org_at"),
            models.Index(fields=["at"], name="trail_at"),
            # Counting one member of staff's refused requests in a window, on each refusal.
            models.Index(
                fields=["actor_id", "at"],
                name="trail_refused_actor_at",
                condition=models.Q(action="refused access"),
            ),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_type} {self.object_id}"

    def values(self):
        from sharewise.audittrail.chain import DIGESTS, FIELDS

        return tuple(getattr(self, f) for f in (*FIELDS, *DIGESTS))

    @property
    def erased(self) -> bool:
        """Whether its reason or detail was erased with a person's records."""
        return bool(self.reason_sha256) and (
            (not self.reason and self.reason_sha256 != _EMPTY_TEXT)
            or (not self.detail and self.detail_sha256 != _EMPTY_DETAIL)
        )


class Seal(AppendOnly):
    """An entry's place in the hash chain. Written after the entry, in position order,
    by whichever request gets the sealing lock; others carry on without waiting."""

    position = models.BigIntegerField(primary_key=True)
    entry = models.OneToOneField(
        Entry, on_delete=models.DO_NOTHING, db_constraint=False, related_name="seal"
    )
    hash = models.CharField(max_length=64)

    def __str__(self):
        return f"{self.position}: {self.hash[:12]}"


class KeyedSealing(AppendOnly):
    """Where keyed sealing began. A trail sealed before the key existed keeps its plain
    SHA-256 links below this position, and verify says so; a new trail has no row and
    is keyed from position 1."""

    position = models.BigIntegerField(primary_key=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "start of keyed sealing"

    def __str__(self):
        return f"keyed from position {self.position}"
