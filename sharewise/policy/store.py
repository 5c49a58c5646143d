"""The policy in force for an organisation: its latest version, or the shipped
default (saved as version 1 the first time it is needed)."""

import functools

from django.db import IntegrityError, transaction

from sharewise.policy import documents
from sharewise.policy.models import PolicyVersion


def in_force(organisation_id: int, kind: str):
    """(version row, validated document) in force now."""
    row = (
        PolicyVersion.objects.filter(organisation_id=organisation_id, kind=kind)
        .order_by("-version")
        .first()
    )
    if row is None:
        row = _save_default(organisation_id, kind)
    return row, _validated(row.pk, kind, row)


@functools.lru_cache(maxsize=256)
def _cached(pk: int, kind: str, text: str):
    return documents.KINDS[kind].model_validate_json(text)


def _validated(pk, kind, row):
    """Versions never change once saved, so each is validated once per process. (The
    document text is part of the key too: a test database reuses ids.)"""
    import json

    return _cached(pk, kind, json.dumps(row.document, sort_keys=True))


def _save_default(organisation_id, kind):
    document = documents.default(kind).model_dump(mode="json")
    try:
        with transaction.atomic():
            return PolicyVersion.objects.create(
                organisation_id=organisation_id,
                kind=kind,
                version=1,
                document=document,
                note="Shipped default",
            )
    except IntegrityError:  # another request saved it first
        return PolicyVersion.objects.get(organisation_id=organisation_id, kind=kind, version=1)


@transaction.atomic
def save_version(organisation_id: int, kind: str, document: dict, user, note: str = ""):
    """Validate and store a new version; raises pydantic.ValidationError when invalid."""
    validated = documents.KINDS[kind].model_validate(document)
    latest, _ = in_force(organisation_id, kind)
    return PolicyVersion.objects.create(
        organisation_id=organisation_id,
        kind=kind,
        version=latest.version + 1,
        document=validated.model_dump(mode="json"),
        created_by=user,
        note=note,
    )
