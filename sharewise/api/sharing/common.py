"""What the sharing routers share: names of staff, times sent without a zone, the
filters every list takes (person, date range, page) and the checks of concerns and
framework answers named in a body."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.utils import timezone
from ninja import Field, Schema

from sharewise.api.inputs import Day
from sharewise.concerns.models import Concern
from sharewise.days import on_days
from sharewise.organisations.models import staff_name
from sharewise.people.access import get_person_for
from sharewise.policy import store
from sharewise.sharing import access, decisions, framework

PAGE_SIZE = 50


def name(user) -> str | None:
    return staff_name(user) or None


def aware(when: datetime | None) -> datetime | None:
    """A time sent without a zone is taken as local time."""
    if when is not None and timezone.is_naive(when):
        return timezone.make_aware(when)
    return when


def require(user, perm, message):
    if not user.has_perm(perm):
        raise PermissionDenied(message)


def check_concerns(user, concern_ids):
    """Only concerns the caller may see can be named: the same answer for one that is
    hidden as for one that does not exist."""
    ids = sorted({int(i) for i in concern_ids or ()})
    if not ids:
        return ids
    visible = set(Concern.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    if missing := [i for i in ids if i not in visible]:
        raise ValidationError(
            {
                "concern_ids": [
                    "These are not concerns about this person that you can see: "
                    + ", ".join(map(str, missing))
                ]
            }
        )
    return ids


def check_answers(person, answers: dict):
    """The framework's answers, checked first so their problems are named under
    answers.* (the decision has fields of the same names)."""
    _, policy = store.in_force(person.organisation_id, "sharing")
    if found := framework.problems(decisions.answers_from(answers), policy):
        raise ValidationError({f"answers.{k}": [v] for k, v in found.items()})


class ListFilters(Schema):
    """The filters every sharing list takes, as query parameters."""

    person_id: int | None = Field(None, description="Only records about this person")
    date_from: Day | None = Field(None, alias="from", description="On or after (YYYY-MM-DD)")
    date_to: Day | None = Field(None, alias="to", description="On or before (YYYY-MM-DD)")
    page: int = Field(1, ge=1, description=f"{PAGE_SIZE} to a page, newest first")


def listed(request, records, filters: ListFilters, when: str, action: str):
    """(the page of records, paginator, current page) after the person and date filters;
    a person outside scope answers 404, and each person named is written to the trail."""
    if filters.person_id is not None:
        person = get_person_for(request, filters.person_id, action=action, via="api")
        records = records.filter(person_id__in=person.record_ids())
    records = on_days(records, when, filters.date_from, filters.date_to)
    paginator = Paginator(records.order_by(f"-{when}", "-id"), PAGE_SIZE)
    current = paginator.get_page(filters.page)
    shown = list(current.object_list)
    access.record_list_read(request, action, shown, via="api")
    return shown, paginator, current


def page_of(schema, results, paginator, current):
    return schema(
        count=paginator.count, page=current.number, pages=paginator.num_pages, results=results
    )


def day(value: datetime) -> date:
    return timezone.localdate(value)
