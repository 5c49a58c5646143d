"""Digests of the records the trail vouches for. A write of a concern, a sharing decision
or a disclosure carries, in its trail entry's detail, a SHA-256 of the record's content;
`verify_trail --records` recomputes it from the database and names any record that no
longer reads as the trail last recorded it. The chain protects the digests; the digests
protect the records.

This app imports no other Sharewise app: each app declares its digested models in its
own `trail_records` module, as DIGESTED = [Digested(Model, fields=(...)), ...], found
through Django's app registry.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from sharewise.audittrail.declared import app_modules

MODULE = "trail_records"
DETAIL_KEY = "digests"


@dataclass(frozen=True)
class Digested:
    """A model whose trail entries carry its digest. fields: what makes its content
    (never flags that other work sets, such as 'reminded at'). related: reverse
    relations to other digested models (a concern's amendments), whose digests travel
    with the record's. label: its name in reports (the model's verbose name)."""

    model: type
    fields: tuple[str, ...]
    label: str = ""
    related: tuple[str, ...] = ()


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)

# What a digested field may be: each has one canonical form, below.
_KINDS = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BinaryField",
        "BooleanField",
        "CharField",
        "DateField",
        "DateTimeField",
        "EmailField",
        "FloatField",
        "ForeignKey",
        "IntegerField",
        "JSONField",
        "OneToOneField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
        "URLField",
    }
)


class _Spec:
    """A Digested made ready: its columns, and for each field what puts its value in
    canonical form, from a raw database row and from a just-saved instance alike."""

    def __init__(self, declared: Digested):
        meta = declared.model._meta
        self.model = declared.model
        self.name = meta.label_lower
        self.label = declared.label or str(meta.verbose_name)
        self.related = declared.related
        self._fields = [meta.get_field(name) for name in declared.fields]
        for model_field in self._fields:
            if model_field.get_internal_type() not in _KINDS:
                raise ImproperlyConfigured(
                    f"{self.name}.{model_field.name} cannot be digested: a "
                    f"{model_field.get_internal_type()} has no canonical form here"
                )
        self.columns = tuple(f.attname for f in self._fields)
        self.db_columns = tuple(f.column for f in self._fields)
        self.from_instance = tuple(_from_instance(f) for f in self._fields)

    @functools.cached_property
    def from_db(self) -> tuple[tuple[int, Callable], ...]:
        """(index, converter) for the raw values that need one, on this database."""
        found = ((i, _from_db(f, connection.vendor)) for i, f in enumerate(self._fields))
        return tuple((i, convert) for i, convert in found if convert is not None)

    def digest(self, pk, values: list) -> str:
        """values: in canonical form, in the declared order."""
        return hashlib.sha256(_ENCODER.encode([self.name, pk, *values]).encode()).hexdigest()

    def digest_of_row(self, pk, values: list) -> str:
        for i, convert in self.from_db:
            if values[i] is not None:
                values[i] = convert(values[i])
        return self.digest(pk, values)

    def digest_of_instance(self, instance) -> str:
        values = [
            None if (value := getattr(instance, column)) is None else convert(value)
            for column, convert in zip(self.columns, self.from_instance, strict=True)
        ]
        return self.digest(instance.pk, values)

    def key(self, pk) -> str:
        return f"{self.name}:{pk}"


def _when(value: datetime, naive_in=UTC) -> str:
    if timezone.is_naive(value):
        value = timezone.make_aware(value, naive_in)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


# How SQLite holds a datetime Django wrote: naive UTC, as str(datetime).
_SQLITE_AT = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{6})?")


def _sqlite_when(value) -> str:
    if isinstance(value, str):
        if _SQLITE_AT.fullmatch(value):
            fraction = "" if len(value) == 26 else ".000000"
            return f"{value[:10]}T{value[11:]}{fraction}+00:00"
        value = parse_datetime(value)
    return _when(value)


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def _from_db(model_field, vendor: str) -> Callable | None:
    """What puts a raw column value (never None) in canonical form; None when it is
    already (text, numbers, ids)."""
    kind = model_field.get_internal_type()
    if kind == "DateTimeField":
        return _sqlite_when if vendor == "sqlite" else _when
    if kind == "DateField":
        return lambda v: v if isinstance(v, str) else v.isoformat()
    if kind == "JSONField":
        return _json
    if kind == "BooleanField":
        return bool  # SQLite gives 0 and 1
    if kind == "BinaryField":
        return lambda v: hashlib.sha256(bytes(v)).hexdigest()
    return None


def _from_instance(model_field) -> Callable:
    """As _from_db, from the value a just-saved instance holds, put first in the form the
    database gives back (a date typed as text, a tuple in a JSON field)."""
    kind = model_field.get_internal_type()
    if kind == "JSONField":
        encoder, decoder = model_field.encoder, model_field.decoder
        return lambda v: json.loads(json.dumps(v, cls=encoder), cls=decoder)
    if kind == "BinaryField":
        return lambda v: hashlib.sha256(bytes(v)).hexdigest()
    if model_field.is_relation:
        return model_field.target_field.to_python
    if kind == "DateTimeField":
        # A naive time is saved as the default time zone's (Django warns about it).
        return lambda v: _when(
            v if isinstance(v, datetime) else model_field.to_python(v),
            timezone.get_default_timezone(),
        )
    if kind == "DateField":
        return lambda v: (v if type(v) is date else model_field.to_python(v)).isoformat()
    return model_field.to_python


@functools.cache
def registry() -> dict[str, _Spec]:
    """Every digested model, by its label ("concerns.concern"), from each installed
    Sharewise app's trail_records.DIGESTED."""
    found = {}
    for module in app_modules(MODULE):
        for declared in getattr(module, "DIGESTED", ()):
            spec = _Spec(declared)
            found[spec.name] = spec
    return found


def _spec_for(model) -> _Spec | None:
    return registry().get(model._meta.label_lower)


def digests(*instances) -> dict[str, str]:
    """Digests of records just saved, from the instances in hand (no query): for a
    write path that has just made the record, such as recording a concern or an import."""
    out = {}
    for instance in instances:
        spec = _spec_for(instance)
        if spec is not None:
            out[spec.key(instance.pk)] = spec.digest_of_instance(instance)
    return out


def digests_now(instance) -> dict[str, str]:
    """Digests of a record and its digested related records as they stand in the
    database now, inside the writer's transaction: whatever the write changed, by
    whatever means, is in them."""
    spec = _spec_for(instance)
    if spec is None:
        return {}
    out = dict(current(spec.model, [instance.pk]))
    for name in spec.related:
        manager = getattr(instance, name)
        if _spec_for(manager.model) is not None:
            out.update(current(manager.model, manager.values_list("pk", flat=True)))
    return out


def current(model, pks: Iterable | None = None, batch: int = 5000) -> Iterator[tuple[str, str]]:
    """(key, digest) of the model's records as they stand in the database, in id order;
    every record when pks is None. For bulk writers too. Plain SQL a batch at a time:
    model rows, or Django's converter for every value, would cost more than hashing."""
    spec = _spec_for(model)
    meta = model._meta
    qn = connection.ops.quote_name
    pk = qn(meta.pk.column)
    columns = ", ".join(qn(c) for c in spec.db_columns)
    select = f"SELECT {pk}, {columns} FROM {qn(meta.db_table)}"  # noqa: S608
    with connection.cursor() as cursor:
        if pks is not None:
            pks = sorted(set(pks))
            for start in range(0, len(pks), batch):
                chunk = pks[start : start + batch]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"{select} WHERE {pk} IN ({marks}) ORDER BY {pk}", chunk)
                for found, *values in cursor.fetchall():
                    yield spec.key(found), spec.digest_of_row(found, values)
            return
        cursor.execute(f"{select} ORDER BY {pk} LIMIT %s", [batch])
        while True:
            rows = cursor.fetchall()
            for found, *values in rows:
                yield spec.key(found), spec.digest_of_row(found, values)
            if len(rows) < batch:
                return
            cursor.execute(f"{select} WHERE {pk} > %s ORDER BY {pk} LIMIT %s", [rows[-1][0], batch])


# Checking ------------------------------------------------------------------------------


@dataclass
class Checked:
    checked: int = 0
    undigested: Counter = field(default_factory=Counter)  # label -> records with no digest
    # (label, id, where the trail last recorded it), at most `limit` of them
    changed: list[tuple[str, str, str]] = field(default_factory=list)
    gone: list[tuple[str, str]] = field(default_factory=list)
    more: int = 0  # changed or gone records beyond the limit

    @property
    def ok(self) -> bool:
        return not (self.changed or self.gone or self.more)


_TRAIL_DIGESTS = {
    # A byte search first: far cheaper than parsing every entry's JSON.
    "sqlite": "SELECT {columns} json_extract(detail, '$.digests') FROM audittrail_entry"
    " WHERE instr(detail, '\"digests\"') > 0 AND json_type(detail, '$.digests') = 'object'"
    " ORDER BY id",
    "postgresql": "SELECT {columns} detail -> 'digests' FROM audittrail_entry"
    " WHERE detail ? 'digests' ORDER BY id",
}


def _trail_digests(with_entry: bool = False) -> Iterator[tuple]:
    """The digests in the trail, oldest entry first (so a later one replaces an earlier
    one for the same record): (digests,) or (entry id, time, actor, digests)."""
    sql = _TRAIL_DIGESTS[connection.vendor].format(columns="id, at, actor," if with_entry else "")
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(5000):
            for *entry, held in rows:
                yield (*entry, _json(held))


def verify(limit: int = 50) -> Checked:
    """Recompute every digested record's digest and compare it with the latest one the
    trail holds for it."""
    specs = registry()
    held: dict[str, dict[str, str]] = {name: {} for name in specs}
    for (found,) in _trail_digests():
        for key, digest in found.items():
            name, _, pk = key.rpartition(":")
            if name in held:
                held[name][pk] = digest
    result = Checked()
    wrong: list[tuple[str, str, str]] = []
    for name, spec in specs.items():
        theirs = held[name]
        for key, digest in current(spec.model):
            pk = key.rpartition(":")[2]
            known = theirs.pop(pk, None)
            if known is None:
                result.undigested[spec.label] += 1
                continue
            result.checked += 1
            if known != digest:
                wrong.append((spec.label, pk, key))
        result.gone.extend((spec.label, pk) for pk in theirs)
    result.more = max(0, len(wrong) + len(result.gone) - limit)
    result.gone = result.gone[: max(0, limit - len(wrong))]
    wrong = wrong[:limit]
    where = _last_recorded({key for _, _, key in wrong}) if wrong else {}
    result.changed = [(label, pk, where.get(key, "")) for label, pk, key in wrong]
    return result


def _last_recorded(keys: set[str]) -> dict[str, str]:
    """Who last wrote each record to the trail, and when, in words."""
    found = {}
    for entry_id, at, actor, held in _trail_digests(with_entry=True):
        for key in keys.intersection(held):
            when = at if isinstance(at, datetime) else parse_datetime(at)
            if timezone.is_naive(when):
                when = timezone.make_aware(when, UTC)
            found[key] = (
                f" The trail last recorded it in entry {entry_id}, by {actor or 'the system'} "
                f"on {timezone.localtime(when):%-d %B %Y at %H:%M}."
            )
    return found


# Destruction ---------------------------------------------------------------------------

_rewritten: list[tuple[type, list]] = []


def rewritten(model, pks) -> None:
    """Note digested records whose content destruction has just replaced, so the
    destruction's trail entry carries their new digests (ids and digests, no content)
    and `verify_trail --records` still passes. Models that are not digested are
    ignored."""
    if _spec_for(model) is not None:
        _rewritten.append((model, list(pks)))


def take_rewritten() -> dict[str, str]:
    """Digests, as they stand now, of every record noted since the last call."""
    found: dict[str, str] = {}
    while _rewritten:
        model, pks = _rewritten.pop()
        found.update(current(model, pks))
    return found
