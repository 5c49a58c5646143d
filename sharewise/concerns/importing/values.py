"""Reading one cell's value: dates and times as spreadsheets write them, and answers
by their code or their words."""

from datetime import date, datetime

from django.utils import timezone

from sharewise.concerns import recording

DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")
TIME_FORMATS = ("%H:%M", "%H:%M:%S", "%H.%M")


def read_date(text: str) -> date:
    for fmt in DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if parsed.year < 1000:
            break
        return parsed
    raise ValueError(f"'{text}' is not a date: write it as day/month/year, for example 27/03/1958")


def read_moment(text: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
        day, _, clock = text.replace("T", " ").partition(" ")
        if not clock.strip():
            raise ValueError(
                f"'{text}' has no time: add the 24-hour time, for example 14/03/2023 22:30"
            ) from None
        for fmt in TIME_FORMATS:
            try:
                moment = datetime.strptime(clock.strip(), fmt).time()
            except ValueError:
                continue
            parsed = datetime.combine(read_date(day), moment)
            break
        if parsed is None:
            raise ValueError(
                f"'{text}' is not a date and time: write it as day/month/year hours:minutes, "
                "for example 14/03/2023 22:30"
            ) from None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def choice_lookup(choices) -> dict[str, str]:
    lookup = {}
    for value, label in choices.choices:
        lookup[value.casefold()] = value
        lookup[str(label).casefold()] = value
    return lookup


CHOICES = {name: choice_lookup(choices) for name, choices in recording.CHOICE_FIELDS.items()}
