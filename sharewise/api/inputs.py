"""What every request body is built on."""

from datetime import UTC, datetime, timedelta

from django.utils import timezone
from ninja import Schema
from pydantic import ConfigDict, field_validator

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

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value):
        return _check(value)
