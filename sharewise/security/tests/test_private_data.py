"""No personal data in addresses or emails: people are searched by posting the words,
and alert emails say only that a decision waits, with a link."""

import re

import pytest
from django.core import mail

from conftest import record_concern
from sharewise.audittrail.models import Entry
from sharewise.background import working
from sharewise.patterns.models import RULE_TITLES, Alert


def test_search_words_never_appear_in_the_address(cast, as_user):
    client = as_user(cast.sarah)

    searched = client.post("/people/", {"q": "moore"})
    assert searched.status_code == 302
    address = searched["Location"]
    assert re.fullmatch(r"/people/\?search=[\w-]+", address) and "moore" not in address
    page = client.get(address).content.decode()
    assert "Alice Moore" in page and "Bob Evans" not in page
    assert "Showing people matching “moore”" in page
    assert not re.search(r'(href|action)="[^"]*moore', page, re.I)
    searched_entry = Entry.objects.filter(action="searched people", actor=cast.sarah).get()
    assert searched_entry.detail["q"] == "moore"  # the trail keeps what was searched

    # The menu's My people shows everyone again; clearing does too.
    assert "Bob Evans" in client.get("/people/").content.decode()
    cleared = client.post("/people/", {"q": ""}, follow=True).content.decode()
    assert "Bob Evans" in cleared and "Showing people matching" not in cleared


def test_a_search_key_means_nothing_in_another_session(cast, as_user, client):
    address = as_user(cast.sarah).post("/people/", {"q": "moore"})["Location"]
    client.logout()
    again = as_user(cast.sarah).get(address)
    assert again.status_code == 302 and again["Location"] == "/people/"


def test_results_over_several_pages_keep_the_search_without_its_words(cast, as_user, monkeypatch):
    monkeypatch.setattr("sharewise.people.views.PAGE_SIZE", 1)
    client = as_user(cast.sarah)
    address = client.post("/people/", {"q": "e"})["Location"]
    page = client.get(address).content.decode()
    key = address.split("=", 1)[1]
    assert f"?search={key}&amp;page=2" in page


def test_an_old_link_with_search_words_is_moved_out_of_the_address(cast, as_user):
    client = as_user(cast.sarah)
    moved = client.get("/people/", {"q": "Evans"})
    assert moved.status_code == 302 and "Evans" not in moved["Location"]
    page = client.get(moved["Location"]).content.decode()
    assert "Bob Evans" in page and "Alice Moore" not in page


@pytest.fixture
def mail_at_once(monkeypatch):
    monkeypatch.setattr("django.db.transaction.on_commit", lambda fn, *a, **k: fn())


def test_alert_emails_name_nobody_and_say_only_that_a_decision_waits(cast, mail_at_once):
    cast.sarah.email = "sarah@example.org"
    cast.sarah.save()
    for days in (40, 20, 2):
        record_concern(
            cast, days_ago=days, source_kind="staff", source_staff=cast.tom, categories=["physical"]
        )

    working.run_ready()  # the emails are queued with the alerts
    to_sarah = [m for m in mail.outbox if m.to == ["sarah@example.org"]]
    assert to_sarah
    alerts = Alert.objects.visible_to(cast.sarah)
    for message in to_sarah:
        assert re.fullmatch(
            r"Sharewise: (A safeguarding alert needs|\d+ safeguarding alerts need) your decision",
            message.subject,
        )
        text = message.subject + message.body
        for private in ("Alice", "Moore", "943", "Tom", "Bradley", "physical", "Physical"):
            assert private not in text
        for title in RULE_TITLES.values():
            assert title not in text
        links = re.findall(r"/cases/(\d+)/", message.body)
        assert links and {int(n) for n in links} <= set(alerts.values_list("case_id", flat=True))


def test_the_api_searches_people_with_the_words_in_the_body(cast, api):
    found = api(cast.sarah).post("/api/v1/people/search", {"q": " moore "})
    assert found.status_code == 200
    assert [p["name"] for p in found.json()["results"]] == ["Alice Moore"]
    assert Entry.objects.filter(action="searched people", actor=cast.sarah).get().detail["q"] == (
        "moore"
    )
    unseen = api(cast.tom).post("/api/v1/people/search", {"q": "moore"}).json()
    assert unseen["count"] == 0
    misspelt = api(cast.sarah).post("/api/v1/people/search", {"query": "moore"})
    assert misspelt.status_code == 422
