"""Every list the API offers reads 'from' and 'to' the same way: whole days in the
organisation's time zone, the last one included, and a 'from' after the 'to' refused
naming it rather than answered with an empty list that looks like "nothing happened"."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from sharewise.api.tests.test_sharing_api import refusal
from sharewise.days import on_days
from sharewise.sharing.models import ConsentRecord

LISTS = [
    ("sarah", "/api/v1/concerns"),
    ("sarah", "/api/v1/alerts"),
    ("sarah", "/api/v1/cases"),
    ("sarah", "/api/v1/audit-trail"),
    ("sarah", "/api/v1/audits"),
    ("sarah", "/api/v1/consents"),
    ("sarah", "/api/v1/capacity-assessments"),
    ("sarah", "/api/v1/sharing-decisions"),
    ("sarah", "/api/v1/advice-requests"),
    ("sarah", "/api/v1/referrals"),
    ("sarah", "/api/v1/disclosures"),
    ("sarah", "/api/v1/break-glass"),
    ("sarah", "/api/v1/people/merges"),
    ("sarah", "/api/v1/meetings"),
    ("grace", "/api/v1/supervisions"),
    ("grace", "/api/v1/lessons"),
    ("grace", "/api/v1/actions"),
    ("grace", "/api/v1/samples"),
]


@pytest.mark.parametrize(("who", "path"), LISTS)
def test_a_from_after_the_to_is_refused_naming_it(cast, api, who, path):
    today = cast.today
    response = api(getattr(cast, who)).get(
        path, {"from": today.isoformat(), "to": (today - timedelta(days=1)).isoformat()}
    )
    assert response.status_code == 422, response.content
    assert [e["field"] for e in response.json()["errors"]] == ["from"]


def test_the_last_day_is_included_to_its_last_minute_and_the_next_day_is_not(cast, api):
    made = api(cast.nia).post("/api/v1/consents", refusal(cast)).json()
    day = cast.today - timedelta(days=3)
    late = timezone.make_aware(datetime.combine(day, time(23, 59)))
    ConsentRecord.objects.filter(pk=made["id"]).update(asked_at=late)
    found = ConsentRecord.objects.all()
    field = "asked_at"
    assert list(on_days(found, field, day, day).values_list("pk", flat=True)) == [made["id"]]
    assert not on_days(found, field, day + timedelta(days=1), None).exists()
    assert not on_days(found, field, None, day - timedelta(days=1)).exists()
    assert on_days(found, field, None, None).count() == 1
