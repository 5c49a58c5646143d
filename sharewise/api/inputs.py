"""What every request body is built on."""

import re
import types
import typing
from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from django.utils import timezone
from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, field_validator

# PostgreSQL accepts UTC offsets up to 15:59 either way; the world uses -12:00 to +14:00.
LARGEST_OFFSET = timedelta(hours=15, minutes=59)


def refuse_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("Remove the NUL character (\\x00): it cannot be stored")
    return value


def moment_problem(value: datetime) -> str | None:
    """Why a moment cannot be stored, in words for the sender; None when it can."""
    offset = value.utcoffset()
    if offset is not None and abs(offset) > LARGEST_OFFSET:
        return "Give a UTC offset between -15:59 and +15:59, for example +01:00"
    try:
        aware = value if offset is not None else timezone.make_aware(value)
        aware.astimezone(UTC)
        timezone.localtime(aware)
    except (OverflowError, ValueError):
        return "Give a date and time between the years 1 and 9999, in UTC and in local time"
    return None


ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value):
    """A day as written, not a number pydantic would read as seconds since 1970."""
    if isinstance(value, date) or (isinstance(value, str) and ISO_DAY.fullmatch(value)):
        return value
    raise ValueError("Give the day as YYYY-MM-DD, for example 2026-03-31")


# A day in a query parameter.
Day = Annotated[date, BeforeValidator(_iso_day)]


def _kinds(annotation) -> set:
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return {k for a in typing.get_args(annotation) for k in _kinds(a)}
    return {annotation}


def _as_sent(value, kinds: set):
    """Refuse what pydantic would otherwise quietly convert: true or false for a
    number, a number for a day or a moment."""
    if isinstance(value, bool) and bool not in kinds and kinds & {int, float}:
        raise ValueError("Give a number, not true or false")
    if kinds & {date, datetime} and (
        isinstance(value, int | float) or (isinstance(value, str) and value.isdigit())
    ):
        raise ValueError("Give a date as YYYY-MM-DD (with a time: 2026-03-31T14:30:00+01:00)")
    return value


def _check(value):
    if isinstance(value, str):
        refuse_nul(value)
    elif isinstance(value, datetime):
        if problem := moment_problem(value):
            raise ValueError(problem)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key)
            _check(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _check(item)
    return value


class Input(Schema):
    """A request body. A field it does not have is refused (422, named), not ignored:
    a misspelt "choice" or "monitor_untill" would otherwise answer 200 and change
    nothing, or change less than the caller meant.

    Text with a NUL character, and moments PostgreSQL or Python cannot hold (an offset
    past 15:59, a time that leaves the years 1-9999 when converted to UTC or local
    time), are refused here, named, for every field of every body, rather than failing
    in the database as a server error."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _not_converted(cls, value, info):
        return _as_sent(value, _kinds(cls.model_fields[info.field_name].annotation))

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value):
        return _check(value)
