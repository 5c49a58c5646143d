"""Writing and sealing the trail: the app's one way in for other apps. They call
record(), record_request() and record_reads() to write, seal_pending() after a batch,
and verify(), head() and take_checkpoint() (from verifying.py) to check it; they never
touch the tables directly."""

from __future__ import annotations

import contextvars
import json
import logging
import time
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from sharewise.audittrail import chain, statements
from sharewise.audittrail.keys import trail_key
from sharewise.audittrail.models import Entry
from sharewise.audittrail.verifying import Verification, head, take_checkpoint, verify

__all__ = [
    "Verification",
    "client_address",
    "head",
    "note_via",
    "record",
    "record_all",
    "record_reads",
    "record_request",
    "seal_pending",
    "start_request",
    "take_checkpoint",
    "take_wrote_flag",
    "erase",
    "verify",
]

logger = logging.getLogger("sharewise.audittrail")

# Set when a request wrote to the trail, so the middleware knows to seal afterwards.
_wrote = contextvars.ContextVar("trail_wrote", default=False)
# What the request came through when not a browser session (an API token's hint), added
# to the detail of every entry the request writes, so each use of a token is traceable.
_via = contextvars.ContextVar("trail_via", default=None)


def note_via(**detail) -> None:
    """For the rest of this request, every entry also carries detail (such as the API
    token's hint)."""
    _via.set(detail or None)


def _detail(detail: dict | None) -> dict:
    """The detail as the database will give it back (so its digest is the one a check
    recomputes), with what the request came through."""
    via = _via.get()
    found = {**(detail or {}), **via} if via else detail or {}
    return json.loads(chain._ENCODER.encode(found))


def _digests(reason: str, detail: dict) -> dict:
    return {
        "reason_sha256": chain.text_digest(reason),
        "detail_sha256": chain.detail_digest(detail),
    }


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
    detail = _detail(detail)
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
        detail=detail,
        **_digests(reason, detail),
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


# every column but the id, in the chain's order
_ENTRY_COLUMNS = (*chain.FIELDS[1:], *chain.DIGESTS)


def record_all(entries: list[dict]) -> None:
    """Many entries at once, each given as record()'s keywords (a sweep or an import
    raising hundreds of alerts): plain batched inserts, since building a model object
    for each costs more than the insert."""
    if not entries:
        return
    ops = connection.ops
    at = ops.adapt_datetimefield_value(datetime.now(UTC))
    table = ops.quote_name(Entry._meta.db_table)
    columns = ", ".join(ops.quote_name(Entry._meta.get_field(c).column) for c in _ENTRY_COLUMNS)
    marks = ", ".join(["%s"] * len(_ENTRY_COLUMNS))
    rows = []
    for e in entries:
        detail = _detail(e.get("detail"))
        reason = e.get("reason", "")
        rows.append(
            (
                at,
                getattr(e.get("actor"), "pk", None),
                getattr(e.get("actor"), "username", "") or "",
                e["action"],
                e.get("object_type", ""),
                str(e.get("object_id", "")),
                e.get("person_id"),
                e.get("organisation_id"),
                e.get("address"),
                reason,
                ops.adapt_json_value(detail, None),
                *_digests(reason, detail).values(),
            )
        )
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608
    _wrote.set(True)


def record_reads(
    request,
    action: str,
    person_ids,
    *,
    organisation_id=None,
    object_type: str = "person",
    object_id=None,
    reason: str = "",
    detail: dict | None = None,
) -> None:
    """One entry per person whose record a page showed or an action touched, written
    together (a dashboard names dozens of people). object_id: the thing shown, such as
    an alert; each person's own id when not given."""
    actor = request.user if request.user.is_authenticated else None
    now = datetime.now(UTC)
    detail = _detail(detail)
    digests = _digests(reason, detail)
    Entry.objects.bulk_create(
        Entry(
            at=now,
            actor_id=getattr(actor, "pk", None),
            actor=getattr(actor, "username", "") or "",
            action=action,
            object_type=object_type,
            object_id=str(person_id if object_id is None else object_id),
            person_id=person_id,
            organisation_id=organisation_id,
            client_address=client_address(request),
            reason=reason,
            detail=detail,
            **digests,
        )
        for person_id in person_ids
    )
    if person_ids:
        _wrote.set(True)


def take_wrote_flag() -> bool:
    wrote = _wrote.get()
    _wrote.set(False)
    return wrote


def start_request() -> None:
    """Forget what the previous request in this thread wrote and came through."""
    _wrote.set(False)
    _via.set(None)


def _try_lock(cursor) -> bool:
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_SEAL_LOCK_KEY])
        return cursor.fetchone()[0]
    # SQLite: the IMMEDIATE transaction already holds the only write lock.
    return True


def seal_pending(everything: bool = False, checkpoint: bool = True) -> int:
    """Seal unsealed entries in id order. Returns how many were sealed, or 0 when
    another process holds the sealing lock (it will seal ours too). checkpoint: take
    one now and then (see _checkpoint_now_and_then)."""
    sql = statements.sql(connection.vendor)
    key = trail_key()
    with transaction.atomic(), connection.cursor() as cursor:
        if not _try_lock(cursor):
            return 0
        cursor.execute(sql["last"])
        last = cursor.fetchone()
        start, previous, last_entry, newest = last if last else (0, chain.GENESIS, 0, 0)
        low = 0 if everything else max(0, last_entry - _RECENT_WINDOW)
        if not everything and _all_sealed(cursor, sql, low, newest):
            # Nothing in the window committed late, so only entries after the newest
            # sealed one are pending: a range on the key, no anti-join.
            query, params = sql["after"], [newest]
        else:
            query, params = sql["unsealed"], [low]
        position = start
        # Chunked (server-side on PostgreSQL): a backlog may be millions of entries.
        with connection.chunked_cursor() as pending:
            pending.execute(query, params)
            while rows := pending.fetchmany(2000):
                seals = []
                for row in rows:
                    values = statements.entry_values(row)
                    previous = chain.link(key, previous, values)
                    position += 1
                    seals.append((position, values[0], previous))
                cursor.execute(
                    sql["insert"] + ", ".join(["(%s, %s, %s)"] * len(seals)),
                    [value for seal in seals for value in seal],
                )
    if checkpoint and position > start:
        _checkpoint_now_and_then()
    return position - start


def _all_sealed(cursor, sql, low: int, high: int) -> bool:
    """Whether every entry with low < id <= high has a seal. Two index range counts
    cost a fraction of looking up each entry's seal; each seal names a distinct
    entry, so equal counts mean none is missing."""
    if high <= low:
        return True
    cursor.execute(sql["window"], [low, high, low, high])
    entries, seals = cursor.fetchone()
    return entries == seals


_last_checkpoint = [float("-inf")]  # this process's, by time.monotonic()


def _checkpoint_now_and_then() -> None:
    """After sealing, a checkpoint at most every SHAREWISE_TRAIL_CHECKPOINT_EVERY
    seconds per process (0: only from seal_trail), once the seals are committed: so the
    newest entries that could go unnoticed are minutes old, at one file write a minute."""
    every = getattr(settings, "SHAREWISE_TRAIL_CHECKPOINT_EVERY", 0)
    now = time.monotonic()
    if not every or now - _last_checkpoint[0] < every:
        return
    _last_checkpoint[0] = now
    transaction.on_commit(_checkpoint_quietly)


def _checkpoint_quietly() -> None:
    try:
        take_checkpoint()
    except Exception:  # a request that has done its work must not fail for this
        logger.exception("Audit trail checkpoint could not be written")


# Erasure -------------------------------------------------------------------------------


def _mentioning(words: list[str]) -> Q:
    """Entries whose reason or detail holds any of the words (as typed, and as JSON
    escapes them where the database keeps the detail as text)."""
    found = Q(pk__in=[])
    for word in words:
        for form in {word, json.dumps(word)[1:-1]}:
            found |= Q(reason__icontains=form) | Q(detail_text__icontains=form)
    return found


def erase(person_ids: list[int], words: list[str]) -> dict[str, int]:
    """Erase what the trail holds about these people, keeping every entry, its ids and
    digests: the reason of each entry about them, and the reason or detail of any entry
    that names them (a word: a name or an NHS number). The chain covers the digests, so
    it verifies as before. Entries written before they carried digests cannot be
    erased without breaking the chain: they are counted as kept.

    The one sanctioned change to the trail, and so done with the queryset's own update
    (the append-only manager refuses any other); on PostgreSQL the database allows an
    update only when it erases (audittrail migration 0007)."""
    words = [w for w in words if w]
    entries = Entry.objects.annotate(detail_text=Cast("detail", TextField()))
    about = entries.filter(person_id__in=person_ids)
    naming = entries.filter(_mentioning(words)) if words else entries.none()
    digested = Q(reason_sha256__gt="")
    kept = (about.exclude(reason="") | naming).exclude(digested).count()
    reasons = (about.exclude(reason="") | naming.exclude(reason="")).filter(digested)
    details = naming.filter(digested).exclude(detail={})
    erased_reasons = QuerySet.update(Entry.objects.filter(pk__in=reasons.values("pk")), reason="")
    named = list(details.values_list("pk", flat=True))
    erased_details = QuerySet.update(Entry.objects.filter(pk__in=named), detail={}) if named else 0
    return {
        "trail reasons erased": erased_reasons,
        "trail details erased": erased_details,
        "trail entries kept (written before erasure was possible)": kept,
    }
