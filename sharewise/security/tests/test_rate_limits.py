"""Rate limits: each API token answers so many requests a minute, and each member of
staff downloads so many PDFs and evidence packs an hour; beyond that, 429 with
Retry-After, and the trail says so once."""

from datetime import timedelta

import pytest

from sharewise.audittrail.models import Entry
from sharewise.governance.models import EvidencePack
from sharewise.security import throttle


@pytest.fixture(autouse=True)
def _a_still_clock(monkeypatch):
    """The clock stays mid-window, so no test straddles the start of a new one."""
    monkeypatch.setattr(throttle, "_now", lambda: 1_800_000_030.0)


def test_an_api_token_is_answered_so_often_a_minute_then_told_when_to_come_back(
    cast, api, settings
):
    settings.SHAREWISE_API_TOKEN_REQUESTS_PER_MINUTE = 3
    busy, other = api(cast.sarah), api(cast.sarah)

    answers = [busy.get("/api/v1/me") for _ in range(5)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    refused = answers[3]
    assert refused.json()["message"].startswith("Too many requests with this API token.")
    assert 1 <= int(refused["Retry-After"]) <= 60
    # Another token (another integration) has its own allowance.
    assert other.get("/api/v1/me").status_code == 200
    told = Entry.objects.filter(action="API token rate limit reached", actor=cast.sarah)
    assert told.count() == 1


def test_the_limit_is_a_window_that_ends(db):
    assert throttle.wait_for("test", "someone", 2, 60, now=120.0) == 0
    assert throttle.wait_for("test", "someone", 2, 60, now=130.0) == 0
    assert throttle.wait_for("test", "someone", 2, 60, now=150.0) == 30
    assert throttle.wait_for("test", "someone", 2, 60, now=180.0) == 0  # a new minute


@pytest.fixture
def pack(cast):
    return EvidencePack.objects.create(
        organisation=cast.org,
        period_from=cast.today - timedelta(days=30),
        period_to=cast.today,
        requested_by=cast.sarah,
        status="done",
        progress=100,
        pdf=b"%PDF-1.7 pack",
        html="<p>pack</p>",
        sha256="ab" * 32,
    )


def test_downloads_are_limited_per_person_across_pages_and_the_api(
    cast, as_user, api, pack, settings
):
    settings.SHAREWISE_EXPORTS_PER_HOUR = 3
    browser = as_user(cast.sarah)

    assert browser.get(f"/governance/evidence-packs/{pack.pk}/pdf/").status_code == 200
    assert browser.get(f"/governance/evidence-packs/{pack.pk}/html/").status_code == 200
    assert api(cast.sarah).get(f"/api/v1/evidence-packs/{pack.pk}/pdf").status_code == 200

    page = browser.get(f"/governance/evidence-packs/{pack.pk}/pdf/")
    assert page.status_code == 429
    assert "Too many downloads. Try again in" in page.content.decode()
    assert 1 <= int(page["Retry-After"]) <= 3600
    by_api = api(cast.sarah).get(f"/api/v1/evidence-packs/{pack.pk}/pdf")
    assert by_api.status_code == 429 and "Retry-After" in by_api

    downloaded = Entry.objects.filter(action="downloaded evidence pack", actor=cast.sarah)
    assert downloaded.count() == 3  # refused downloads are not recorded as downloads
    assert Entry.objects.filter(action="export rate limit reached", actor=cast.sarah).count() == 1
    # Someone else's allowance is their own.
    assert as_user(cast.david).get(f"/governance/evidence-packs/{pack.pk}/pdf/").status_code != 429


def test_the_counts_live_in_a_table_every_web_node_shares(settings):
    throttle_cache = settings.CACHES["throttle"]
    assert throttle_cache["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"


def test_a_referral_pdf_over_the_limit_is_not_even_built(cast, as_user, api, settings):
    from sharewise.disclosures.models import Referral
    from sharewise.disclosures.tests.test_referrals import example_3

    decision = example_3(cast)
    client = as_user(cast.sarah)
    client.post(
        f"/sharing-decisions/{decision.pk}/referrals/new/", {"template": "local_authority_adults"}
    )
    referral = Referral.objects.get()
    settings.SHAREWISE_EXPORTS_PER_HOUR = 0

    page = client.get(f"/referrals/{referral.pk}/preview/?format=pdf")
    assert page.status_code == 429 and "Too many downloads" in page.content.decode()
    by_api = api(cast.sarah).get(f"/api/v1/referrals/{referral.pk}/preview", {"format": "pdf"})
    assert by_api.status_code == 429
    referral.refresh_from_db()
    assert not referral.preview_pdf
    # Looking at the preview as a page is not a download.
    assert client.get(f"/referrals/{referral.pk}/preview/").status_code == 200
    # Someone who may not see the referral hears "not found", not "too many".
    assert as_user(cast.olivia).get("/disclosures/999999/pdf/").status_code == 404
