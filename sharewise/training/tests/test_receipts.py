"""Policy read receipts: a change to a policy asks exactly the staff it applies to to
read what changed and confirm; the confirmation keeps the version and what was shown."""

import json
from types import SimpleNamespace

import pytest
from django.utils import timezone

from sharewise.patterns.models import Notification
from sharewise.policy import changes, store
from sharewise.training import receipts
from sharewise.training.models import Receipt

EVERYONE = {"nia", "tom", "priya", "helen", "sarah", "david", "grace", "owen", "olivia"}
ASKED = {
    "information_sharing": {"nia", "tom", "priya", "helen", "sarah", "david", "grace"},
    "sharing": {"helen", "sarah", "david"},
    "recording": {"nia", "tom", "priya", "helen", "sarah"},
}
HEADINGS = {
    "information_sharing": "Read what changed in the information-sharing policy",
    "sharing": "Read what changed in the decision framework for sharing",
    "recording": "Read what changed in the recording standards",
}


def by(user):
    return SimpleNamespace(user=user, META={})


def changed(kind, document):
    """The policy in force with one thing changed, as a lead would change it."""
    if kind == "information_sharing":
        document["body"] += "\n\nTell the lead the same day you share without consent."
    elif kind == "sharing":
        document["review_days"] = document["review_days"] - 7
    else:
        document["categories"][0]["label"] += " (including rough handling)"
    return document


def change(cast, kind, note="Clearer after the audit"):
    _, document = store.in_force(cast.org.pk, kind)
    saved, was_changed = changes.save(
        by(cast.sarah), cast.org.pk, kind, changed(kind, document.model_dump(mode="json")), note
    )
    assert was_changed
    return saved


@pytest.mark.parametrize("kind", ["information_sharing", "sharing", "recording"])
def test_a_policy_change_asks_exactly_the_staff_it_applies_to(cast, as_user, kind):
    saved = change(cast, kind)
    told = {
        n.recipient.username
        for n in Notification.objects.filter(link=f"/training/policies/{kind}/")
    }
    assert told == ASKED[kind]
    message = Notification.objects.filter(link=f"/training/policies/{kind}/").first().message
    assert f"version {saved.version}" in message
    for name in EVERYONE - {"owen"}:
        asked = [c.kind for c in receipts.to_confirm(getattr(cast, name))]
        assert asked == ([kind] if name in ASKED[kind] else []), name
    page = as_user(cast.nia).get("/training/").content.decode()
    assert (HEADINGS[kind] in page) == ("nia" in ASKED[kind])
    page = as_user(cast.david).get("/training/").content.decode()
    assert (HEADINGS[kind] in page) == ("david" in ASKED[kind])


def test_the_shipped_version_asks_nobody(cast, as_user):
    assert receipts.to_confirm(cast.helen) == []
    page = as_user(cast.helen).get("/training/").content.decode()
    assert "Nothing to do: you are up to date." in page
    response = as_user(cast.helen).post(
        "/training/policies/recording/", {"version": 1, "read": "on"}
    )
    assert "The shipped version needs no confirmation" in response.content.decode()
    assert not Receipt.objects.exists()


def test_the_confirm_page_says_what_changed_and_links_the_policy_text(cast, as_user):
    change(cast, "information_sharing")
    page = as_user(cast.tom).get("/training/policies/information_sharing/").content.decode()
    assert "Changes since version 1" in page
    assert "Tell the lead the same day you share without consent." in page
    assert 'href="/policy/information_sharing/read/"' in page
    change(cast, "sharing")
    page = as_user(cast.helen).get("/training/policies/sharing/").content.decode()
    assert "Changes since version 1" in page
    assert "28 → 21" in page or "28" in page


def test_a_confirmation_keeps_its_version_and_the_summary_shown(cast, as_user):
    change(cast, "recording")
    client = as_user(cast.nia)
    refused = client.post("/training/policies/recording/", {"version": 2})
    assert "Tick to confirm you have read and understood it" in refused.content.decode()
    response = client.post("/training/policies/recording/", {"version": 2, "read": "on"})
    assert response.status_code == 302
    receipt = Receipt.objects.get(staff=cast.nia)
    assert (receipt.kind, receipt.version) == ("recording", 2)
    assert any("rough handling" in line for line in receipt.summary)
    assert receipts.to_confirm(cast.nia) == []
    page = client.get("/training/").content.decode()
    assert "Recording standards" in page and "Nothing to do" in page
    # and once is enough
    again = client.post("/training/policies/recording/", {"version": 2, "read": "on"})
    assert Receipt.objects.filter(staff=cast.nia).count() == 1
    assert "You confirmed you read version 2" in again.content.decode()


def test_a_later_change_asks_again_and_says_what_changed_since_the_one_confirmed(cast):
    change(cast, "sharing")
    receipts.confirm(by(cast.helen), "sharing", 2)
    Notification.objects.all().delete()
    _, document = store.in_force(cast.org.pk, "sharing")
    doc = document.model_dump(mode="json")
    doc["min_rationale_words"] += 3
    changes.save(by(cast.sarah), cast.org.pk, "sharing", doc, "Longer reasons")
    assert Notification.objects.filter(recipient=cast.helen).count() == 1
    [asked] = receipts.to_confirm(cast.helen)
    assert (asked.version, asked.since) == (3, 2)
    assert len(asked.summary) == 1 and "12 → 15" in asked.summary[0]
    receipts.confirm(by(cast.helen), "sharing", 3)
    assert list(
        Receipt.objects.filter(staff=cast.helen).order_by("version").values_list("version")
    ) == [(2,), (3,)]


def test_confirming_a_version_no_longer_in_force_is_refused(cast, as_user, api):
    change(cast, "recording")
    change(cast, "recording", "Again")
    response = as_user(cast.tom).post("/training/policies/recording/", {"version": 2, "read": "on"})
    assert (
        "Version 2 of the recording standards is no longer in force: read and confirm "
        "version 3 instead" in response.content.decode()
    )
    answer = api(cast.tom).post("/api/v1/policy-receipts", {"kind": "recording", "version": 2})
    assert answer.status_code == 422
    assert "no longer in force" in json.dumps(answer.json())
    assert not Receipt.objects.exists()


def test_a_policy_not_for_your_role_is_refused(cast, as_user, api):
    change(cast, "recording")
    assert as_user(cast.grace).get("/training/policies/recording/").status_code == 403
    assert (
        as_user(cast.david)
        .post("/training/policies/recording/", {"version": 2, "read": "on"})
        .status_code
        == 403
    )
    assert as_user(cast.owen).get("/training/policies/information_sharing/").status_code == 403
    # the pattern rules are not a policy staff confirm: there is no such page
    assert as_user(cast.nia).get("/training/policies/patterns/").status_code == 404
    answer = api(cast.grace).post("/api/v1/policy-receipts", {"kind": "recording", "version": 2})
    assert answer.status_code == 403


def test_a_change_through_the_api_asks_staff_too(cast, client):
    from sharewise.organisations.models import ApiToken

    _, secret = ApiToken.issue(cast.sarah, "test", confirmed_at=timezone.now())
    _, document = store.in_force(cast.org.pk, "recording")
    response = client.put(
        "/api/v1/policies/recording",
        json.dumps({"document": changed("recording", document.model_dump(mode="json"))}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 200, response.content
    told = {n.recipient.username for n in Notification.objects.filter(link__contains="recording")}
    assert told == ASKED["recording"]


def test_receipts_through_the_api(cast, api):
    change(cast, "information_sharing")
    made = api(cast.priya).post(
        "/api/v1/policy-receipts", {"kind": "information_sharing", "version": 2}
    )
    assert made.status_code == 201, made.content
    assert made.json()["version"] == 2 and made.json()["summary"]
    api(cast.tom).post("/api/v1/policy-receipts", {"kind": "information_sharing", "version": 2})
    own = api(cast.priya).get("/api/v1/policy-receipts").json()
    assert [r["staff"] for r in own] == ["Priya Shah"]
    everyone = api(cast.sarah).get("/api/v1/policy-receipts").json()
    assert {r["staff"] for r in everyone} == {"Priya Shah", "Tom Bradley"}
    only_tom = api(cast.sarah).get(f"/api/v1/policy-receipts?staff_id={cast.tom.pk}").json()
    assert [r["staff"] for r in only_tom] == ["Tom Bradley"]
    assert api(cast.olivia).get("/api/v1/policy-receipts").json() == []


def test_a_policy_there_is_not_is_not_found_on_the_page_and_named_back_by_the_api(
    cast, api, as_user
):
    assert as_user(cast.nia).get("/training/policies/bogus/").status_code == 404
    refused = api(cast.nia).post("/api/v1/policy-receipts", {"kind": "bogus", "version": 1})
    assert refused.status_code == 422
    (error,) = refused.json()["errors"]
    assert (
        error["field"] == "kind"
        and "There is no policy to confirm called 'bogus'" in (error["message"])
    )
    assert not Receipt.objects.exists()
