"""The policy in force for an organisation: its latest version, or the shipped
default (saved as version 1 the first time it is needed)."""

from django.db import IntegrityError, connection, transaction
from pydantic import BaseModel
from pydantic import ValidationError as PydanticError
from pydantic_core import PydanticCustomError

from sharewise.policy import documents
from sharewise.policy.models import PolicyVersion


def in_force(organisation_id: int, kind: str):
    """(version row, validated document) in force now."""
    # Plain SQL through the unique index: this runs on every concern recorded.
    table = connection.ops.quote_name(PolicyVersion._meta.db_table)
    found = list(
        PolicyVersion.objects.raw(
            f"SELECT * FROM {table} WHERE organisation_id = %s AND kind = %s"  # noqa: S608
            " ORDER BY version DESC LIMIT 1",
            [organisation_id, kind],
        )
    )
    row = found[0] if found else None
    if row is None:
        row = _save_default(organisation_id, kind)
    return row, validated(row)


_VALIDATED: dict = {}


def validated(row):
    """A version's document, validated. Versions never change once saved, so each is
    validated once per process (keyed by when it was saved as well as its id: a test
    database reuses ids). Callers must not change what they get."""
    key = (row.pk, row.kind, row.created_at)
    document = _VALIDATED.get(key)
    if document is None:
        if len(_VALIDATED) > 512:
            _VALIDATED.clear()
        document = _VALIDATED[key] = documents.KINDS[row.kind].model_validate(row.document)
    return document


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


def _unknown(model, data, loc=()):
    """(path, value) of every key in data that the validated model does not read."""
    if isinstance(model, BaseModel) and isinstance(data, dict):
        fields = type(model).model_fields
        for key, value in data.items():
            if key in fields:
                yield from _unknown(getattr(model, key), value, (*loc, key))
            else:
                yield (*loc, key), value
    elif isinstance(model, list | tuple) and isinstance(data, list):
        for i, (item, value) in enumerate(zip(model, data, strict=False)):
            yield from _unknown(item, value, (*loc, i))
    elif isinstance(model, dict) and isinstance(data, dict):
        for key, value in data.items():
            if key in model:
                yield from _unknown(model[key], value, (*loc, key))


def check(kind: str, document: dict) -> dict:
    """The document validated, as it would be stored; raises pydantic.ValidationError
    when invalid, including for a setting it does not know (a misspelt one would
    otherwise be dropped, and the default used without a word)."""
    model = documents.KINDS[kind]
    validated = model.model_validate(document)
    if unknown := list(_unknown(validated, document)):
        raise PydanticError.from_exception_data(
            model.__name__,
            [
                {
                    "type": PydanticCustomError(
                        "unknown_setting",
                        "Sharewise has no setting called '{name}': check the spelling",
                        {"name": str(loc[-1])},
                    ),
                    "loc": loc,
                    "input": value,
                }
                for loc, value in unknown
            ],
        )
    return validated.model_dump(mode="json")


@transaction.atomic
def save_version(organisation_id: int, kind: str, document: dict, user, note: str = ""):
    """Validate (see check) and store a new version."""
    checked = check(kind, document)
    latest, _ = in_force(organisation_id, kind)
    return PolicyVersion.objects.create(
        organisation_id=organisation_id,
        kind=kind,
        version=latest.version + 1,
        document=checked,
        created_by=user,
        note=note,
    )
