"""Break-glass is for staff who work with people meeting someone outside their teams:
care workers and team managers. Administrators, auditors and the data protection
officer are refused with a reason, by page and API, and no record opens for them."""

import pytest

from sharewise.audittrail.models import Entry
from sharewise.people.models import BreakGlassAccess

REASON = "Covering a night shift for a colleague"


@pytest.mark.parametrize(
    "who, words",
    [
        ("owen", "your role does not open people's records"),
        ("grace", "your role does not open people's records"),
        ("david", "your role does not open people's records"),
        ("sarah", "you already see every record in your organisation"),
    ],
)
def test_only_care_workers_and_team_managers_break_glass(cast, as_user, api, who, words):
    user = getattr(cast, who)
    client = as_user(user)
    refused = client.post(f"/people/{cast.bob.pk}/break-glass/", {"reason": REASON})
    assert refused.status_code == 403
    assert words in refused.content.decode().replace("&#x27;", "'")
    by_api = api(user).post(f"/api/v1/people/{cast.bob.pk}/break-glass", {"reason": REASON})
    assert by_api.status_code == 403
    assert words in by_api.json()["message"]
    assert not BreakGlassAccess.objects.exists()
    assert not Entry.objects.filter(action="break-glass access").exists()


def test_the_not_found_page_offers_break_glass_only_to_those_who_may(cast, as_user):
    assert (
        b"Open the record with break-glass"
        in as_user(cast.tom).get(f"/people/{cast.alice.pk}/").content
    )
    page = as_user(cast.grace).get(f"/people/{cast.alice.pk}/")
    assert page.status_code == 404
    assert b"Open the record with break-glass" not in page.content


def test_a_care_worker_breaks_glass_by_api_for_the_session(cast, api):
    tom = api(cast.tom)
    assert tom.get(f"/api/v1/people/{cast.alice.pk}").status_code == 404
    thin = tom.post(f"/api/v1/people/{cast.alice.pk}/break-glass", {"reason": "need"})
    assert thin.status_code == 422
    assert thin.json()["errors"][0]["field"] == "reason"
    opened = tom.post(f"/api/v1/people/{cast.alice.pk}/break-glass", {"reason": REASON})
    assert opened.status_code == 201
    # The test client keeps the session cookie it was given, as a caller must.
    assert tom.get(f"/api/v1/people/{cast.alice.pk}").json()["break_glass"] is True
    assert Entry.objects.filter(actor="tom", action="break-glass access").exists()
