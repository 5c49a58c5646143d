"""Writing, sealing and verifying the trail. Other apps call record() and
record_request(); they never touch the tables directly."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass

from django.db import connection, transaction

from sharewise.audittrail import chain
from sharewise.audittrail.models import Entry, Seal

# Set when a request wrote to the trail, so the middleware knows to seal afterwards.
_wrote = contextvars.ContextVar("trail_wrote", default=False)

_SEAL_LOCK_KEY = 7_310_442_001  # PostgreSQL advisory lock id for sealing
_RECENT_WINDOW = 5_000  # entries that may commit out of id order while others seal


def client_address(request) -> str | None:
    """The caller's address. Behind a proxy, REMOTE_ADDR is set by the WSGI server
    from the trusted proxy header; we never trust X-Forwarded-For ourselves."""
    return request.META.get("REMOTE_ADDR") or None


def record(
    *,
    actor=None,
    action: str,
    object_type: str = "",
    object_id="",
    person_id: int | None = None,
    organisation_id: int | None = None,
    address: str | None = None,
    reason: str = "",
    detail: dict | None = None,
) -> Entry:
    entry = Entry.objects.create(
        actor_id=getattr(actor, "pk", None),
        actor=getattr(actor, "username", "") or "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        person_id=person_id,
        organisation_id=organisation_id,
        client_address=address,
        reason=reason,
        detail=detail or {},
    )
    _wrote.set(True)
    return entry


def record_request(request, action: str, **fields) -> Entry:
    return record(
        actor=request.user if request.user.is_authenticated else None,
        action=action,
        address=client_address(request),
        **fields,
    )


def take_wrote_flag() -> bool:
    wrote = _wrote.get()
    _wrote.set(False)
    return wrote


def _try_lock() -> bool:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_SEAL_LOCK_KEY])
            return cursor.fetchone()[0]
    # SQLite: the IMMEDIATE transaction already holds the only write lock.
    return True


def seal_pending(everything: bool = False) -> int:
    """Seal unsealed entries in id order. Returns how many were sealed, or 0 when
    another process holds the sealing lock (it will seal ours too)."""
    with transaction.atomic():
        if not _try_lock():
            return 0
        last = (
            Seal.objects.order_by("-position").values_list("position", "hash", "entry_id").first()
        )
        position, previous, last_entry = last if last else (0, chain.GENESIS, 0)
        pending = Entry.objects.filter(seal__isnull=True).order_by("id")
        if not everything:
            pending = pending.filter(id__gt=max(0, last_entry - _RECENT_WINDOW))
        seals = []
        for values in pending.values_list(*chain.FIELDS).iterator(chunk_size=2000):
            previous = chain.link(previous, values)
            position += 1
            seals.append(Seal(position=position, entry_id=values[0], hash=previous))
            if len(seals) >= 2000:
                Seal.objects.bulk_create(seals)
                seals = []
        Seal.objects.bulk_create(seals)
        return position - (last[0] if last else 0)


@dataclass
class Verification:
    checked: int
    unsealed: int
    broken: chain.Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def _sealed_rows(batch: int):
    after = 0
    while True:
        seals = list(
            Seal.objects.filter(position__gt=after)
            .order_by("position")
            .values_list("position", "hash", "entry_id")[:batch]
        )
        if not seals:
            return
        ids = [s[2] for s in seals]
        entries = {v[0]: v for v in Entry.objects.filter(id__in=ids).values_list(*chain.FIELDS)}
        for position, stored, entry_id in seals:
            yield position, stored, entry_id, entries.get(entry_id)
        after = seals[-1][0]


def verify(batch: int = 5000, progress=None) -> Verification:
    """Check every sealed entry against the chain; name the first broken one."""
    checked, broken, _ = chain.verify(_sealed_rows(batch))
    unsealed = Entry.objects.filter(seal__isnull=True).count()
    return Verification(checked=checked, unsealed=unsealed, broken=broken)


def for_person(person_id: int, limit: int = 50):
    """Who has looked at or changed this person's record, newest first."""
    return Entry.objects.filter(person_id=person_id).order_by("-at", "-id")[:limit]


def search(
    organisation_id: int,
    *,
    person_id: int | None = None,
    actor_id: int | None = None,
    since=None,
    until=None,
):
    entries = Entry.objects.filter(organisation_id=organisation_id)
    if person_id is not None:
        entries = entries.filter(person_id=person_id)
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    if since is not None:
        entries = entries.filter(at__gte=since)
    if until is not None:
        entries = entries.filter(at__lt=until)
    return entries.order_by("-at", "-id")
