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
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.utils import timezone

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


class _Spec:
    """A Digested made ready: column names and one converter a field, so the same value
    read back from the database and held on a just-saved instance digest alike."""

    def __init__(self, declared: Digested):
        meta = declared.model._meta
        self.model = declared.model
        self.name = meta.label_lower
        self.label = declared.label or str(meta.verbose_name)
        self.related = declared.related
        model_fields = [meta.get_field(name) for name in declared.fields]
        self.columns = tuple(f.attname for f in model_fields)
        self.from_db = tuple(_from_db(f) for f in model_fields)
        self.from_instance = tuple(_from_instance(f) for f in model_fields)

    def digest(self, pk, values: Iterable, converters) -> str:
        content = [
            self.name,
            pk,
            *(convert(v) for convert, v in zip(converters, values, strict=True)),
        ]
        return hashlib.sha256(_ENCODER.encode(content).encode()).hexdigest()

    def key(self, pk) -> str:
        return f"{self.name}:{pk}"


def _when(value) -> str:
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _same(value):
    return value


def _from_db(model_field) -> Callable:
    kind = model_field.get_internal_type()
    if kind == "DateTimeField":
        return lambda v: None if v is None else _when(v)
    if kind == "DateField":
        return lambda v: None if v is None else v.isoformat()
    if kind == "BinaryField":
        return lambda v: None if v is None else hashlib.sha256(bytes(v)).hexdigest()
    if kind == "DecimalField":
        places = model_field.decimal_places
        return lambda v: None if v is None else f"{Decimal(v):.{places}f}"
    return _same


def _from_instance(model_field) -> Callable:
    """As _from_db, after putting the value in the form the database gives back (a
    date typed as text, a tuple in a JSON field, a number in a text field)."""
    back = _from_db(model_field)
    kind = model_field.get_internal_type()
    if kind == "JSONField":
        encoder, decoder = model_field.encoder, model_field.decoder
        return lambda v: None if v is None else json.loads(json.dumps(v, cls=encoder), cls=decoder)
    if kind == "BinaryField":
        return back
    if model_field.is_relation:
        target = model_field.target_field
        return lambda v: None if v is None else target.to_python(v)
    if kind == "DateTimeField":
        return lambda v: (
            None if v is None else _when(v if isinstance(v, datetime) else model_field.to_python(v))
        )
    if kind == "DateField":
        return lambda v: (
            None if v is None else (v if type(v) is date else model_field.to_python(v)).isoformat()
        )
    return lambda v: None if v is None else back(model_field.to_python(v))


@functools.cache
def registry() -> dict[str, _Spec]:
    """Every digested model, by its label ("concerns.concern"), from each installed
    Sharewise app's trail_records.DIGESTED."""
    found = {}
    for config in apps.get_app_configs():
        name = f"{config.name}.{MODULE}"
        if config.name.startswith("sharewise.") and find_spec(name):
            for declared in getattr(import_module(name), "DIGESTED", ()):
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
            values = (getattr(instance, column) for column in spec.columns)
            out[spec.key(instance.pk)] = spec.digest(instance.pk, values, spec.from_instance)
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
        child = _spec_for(manager.model)
        if child is not None:
            pks = list(manager.values_list("pk", flat=True))
            out.update(current(child.model, pks))
    return out


def current(model, pks: Iterable | None = None, batch: int = 2000) -> Iterator[tuple[str, str]]:
    """(key, digest) of the model's records as they stand in the database, in id order;
    every record when pks is None. For bulk writers too: one query a batch."""
    spec = _spec_for(model)
    rows = model._base_manager.order_by("pk").values_list("pk", *spec.columns)
    if pks is not None:
        pks = list(pks)
        for start in range(0, len(pks), batch):
            for pk, *values in rows.filter(pk__in=pks[start : start + batch]):
                yield spec.key(pk), spec.digest(pk, values, spec.from_db)
        return
    for pk, *values in rows.iterator(chunk_size=batch):
        yield spec.key(pk), spec.digest(pk, values, spec.from_db)


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


def _trail_digests(Entry, with_entry: bool = False):
    """The digests in the trail, oldest entry first (so a later one replaces an earlier
    one for the same record)."""
    entries = Entry.objects.filter(detail__has_key=DETAIL_KEY).order_by("id")
    columns = ("id", "at", "actor") if with_entry else ()
    return entries.values_list(*columns, f"detail__{DETAIL_KEY}").iterator(chunk_size=5000)


def verify(limit: int = 50) -> Checked:
    """Recompute every digested record's digest and compare it with the latest one the
    trail holds for it."""
    from sharewise.audittrail.models import Entry

    specs = registry()
    held: dict[str, dict[str, str]] = {name: {} for name in specs}
    for (found,) in _trail_digests(Entry):
        if isinstance(found, str):
            found = json.loads(found)
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
    where = _last_recorded(Entry, {key for _, _, key in wrong}) if wrong else {}
    result.changed = [(label, pk, where.get(key, "")) for label, pk, key in wrong]
    return result


def _last_recorded(Entry, keys: set[str]) -> dict[str, str]:
    """Who last wrote each record to the trail, and when, in words."""
    found = {}
    for entry_id, at, actor, held in _trail_digests(Entry, with_entry=True):
        if isinstance(held, str):
            held = json.loads(held)
        for key in keys.intersection(held):
            when = timezone.localtime(at).strftime("%d %b %Y %H:%M")
            found[key] = (
                f" The trail last recorded it in entry {entry_id}, by {actor or 'the system'} on {when}."
            )
    return found
