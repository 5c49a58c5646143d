"""Destroying people's records past retention (see sharewise/retention): the people
themselves, break-glass reasons about them, merge reasons and care notes. Rows, ids and
dates stay, so counts do not change; the personal content goes.

Also what every app's destroying module shares: the words that name a person (to find
them in free text about others) and blanking or redacting text and JSON."""

from __future__ import annotations

import re

from django.db.models import Q

from sharewise.people.models import BreakGlassAccess, CareNote, Person, PersonMerge

GONE = "[destroyed]"


def words_naming(person_ids) -> list[str]:
    """Each person's full names, name parts of three letters or more and NHS number
    (with and without spaces), longest first: so a full name is redacted whole."""
    words = set()
    for p in Person.objects.filter(pk__in=person_ids):
        names = [p.given_name, p.family_name, p.preferred_name]
        words.update(n for n in names if n)
        words.add(f"{p.given_name} {p.family_name}")
        if p.preferred_name:
            words.add(f"{p.preferred_name} {p.family_name}")
        words.update(part for n in names for part in re.split(r"[\s'-]+", n) if len(part) >= 3)
        if p.nhs_number:
            digits = p.nhs_number.replace(" ", "")
            words.update({digits, f"{digits[:3]} {digits[3:6]} {digits[6:]}"})
    return sorted((w for w in words if w.strip()), key=len, reverse=True)


def redact(text, words):
    """The text with every word naming the people replaced (whole words, any case)."""
    if not isinstance(text, str) or not text or not words:
        return text
    pattern = "|".join(re.escape(w) for w in words)
    return re.sub(rf"(?<!\w)(?:{pattern})(?!\w)", GONE, text, flags=re.IGNORECASE)


def redact_json(value, words):
    """A JSON value with the words redacted from every string in it, keys kept."""
    if isinstance(value, str):
        return redact(value, words)
    if isinstance(value, list):
        return [redact_json(v, words) for v in value]
    if isinstance(value, dict):
        return {k: redact_json(v, words) for k, v in value.items()}
    return value


def blank_json(value):
    """A JSON value with every string emptied, keys, numbers and structure kept (ids and
    counts stay; text goes)."""
    if isinstance(value, str):
        return ""
    if isinstance(value, list):
        return [blank_json(v) for v in value]
    if isinstance(value, dict):
        return {k: blank_json(v) for k, v in value.items()}
    return value


def mentioning(fields, words) -> Q:
    """Rows whose text fields hold any of the words."""
    found = Q(pk__in=[])
    for field in fields:
        for word in words:
            found |= Q(**{f"{field}__icontains": word})
    return found


def destroy(person_ids: list[int]) -> dict[str, int]:
    counts = {}
    people = list(Person.objects.filter(pk__in=person_ids))
    for p in people:
        # The row stays (its id is in every count); the birth year stays for age groups.
        Person.objects.filter(pk=p.pk).update(
            given_name="Destroyed",
            family_name=f"record {p.pk}",
            preferred_name="",
            nhs_number="",
            date_of_birth=p.date_of_birth.replace(month=1, day=1),
            communication_needs="",
            contact_safely="",
            external_ref="",
        )
    counts["people"] = len(people)
    counts["break-glass reasons"] = BreakGlassAccess.objects.filter(
        person_id__in=person_ids
    ).update(reason="", review_note="")
    counts["merge reasons"] = PersonMerge.objects.filter(
        Q(kept_id__in=person_ids) | Q(merged_id__in=person_ids)
    ).update(reason="", undo_reason="")
    counts["care notes"] = CareNote.objects.filter(person_id__in=person_ids).update(
        text="", written_by="", source_id=None
    )
    return counts
