"""The sharing decision wizard keeps what was typed: moving between steps by name,
starting again from the same case, and blanks named on the step they belong to."""

from conftest import record_concern
from sharewise.patterns.models import Alert
from sharewise.sharing.models import Draft


def test_choosing_a_step_by_name_keeps_the_answers_typed_on_this_one(cast, as_user):
    client = as_user(cast.sarah)
    client.post(f"/people/{cast.alice.pk}/sharing-decisions/new/")
    draft = Draft.objects.get()
    page = client.get(f"/sharing/drafts/{draft.pk}/purpose/").content.decode()
    # Step names submit the step's form, not plain links that drop it.
    assert 'form="wizard-form" name="go" value="to:necessity"' in page
    moved = client.post(
        f"/sharing/drafts/{draft.pk}/purpose/",
        {
            "question": "Should we tell the council what her son said?",
            "purpose_text": "To protect Alice",
            "go": "to:necessity",
        },
    )
    assert moved.status_code == 302
    assert moved["Location"] == f"/sharing/drafts/{draft.pk}/necessity/"
    draft.refresh_from_db()
    assert draft.answers["question"] == "Should we tell the council what her son said?"
    assert draft.answers["purpose_text"] == "To protect Alice"
    back = client.get(f"/sharing/drafts/{draft.pk}/purpose/").content.decode()
    assert "Should we tell the council what her son said?" in back


def test_a_step_name_that_is_not_a_step_is_refused(cast, as_user):
    client = as_user(cast.sarah)
    client.post(f"/people/{cast.alice.pk}/sharing-decisions/new/")
    draft = Draft.objects.get()
    response = client.post(f"/sharing/drafts/{draft.pk}/purpose/", {"go": "to:nowhere"})
    assert response.status_code == 404


def test_the_recipient_steps_blanks_are_named_on_that_step(cast, as_user):
    client = as_user(cast.sarah)
    client.post(f"/people/{cast.alice.pk}/sharing-decisions/new/")
    draft = Draft.objects.get()
    page = client.post(
        f"/sharing/drafts/{draft.pk}/recipient/",
        {"recipient": "Northshire County Council", "go": "next"},
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert html.startswith("<!DOCTYPE html>") and "Error: " in html.split("</title>")[0]
    for message in (
        "Say the recipient&#x27;s role",
        "Say exactly what will be shared",
        "Choose how it will be shared",
    ):
        assert message in html
    assert "Say which organisation receives the information" not in html
    draft.refresh_from_db()
    assert draft.step != "recipient"  # nothing half-saved by a refused step


def test_starting_again_from_the_same_case_carries_on_the_same_draft(cast, as_user):
    for d in (20, 16, 12):
        record_concern(cast, days_ago=d)
    record_concern(cast, team=cast.day, by=cast.tom, days_ago=3)
    alerts = list(Alert.objects.filter(person=cast.alice))
    assert len(alerts) >= 2 and len({a.case_id for a in alerts}) == 1
    client = as_user(cast.sarah)
    url = f"/people/{cast.alice.pk}/sharing-decisions/new/"
    first = client.post(url, {"alert": alerts[0].pk})
    draft = Draft.objects.get()
    assert first["Location"] == f"/sharing/drafts/{draft.pk}/purpose/"
    assert f"Case for decision {alerts[0].case_id}" in draft.answers["question"]
    # Every concern of the case is chosen, whichever rule it came from.
    assert set(draft.answers["concern_ids"]) == {
        str(pk) for a in alerts for pk in a.concerns.values_list("pk", flat=True)
    }
    client.post(f"/sharing/drafts/{draft.pk}/purpose/", {"purpose_text": "Mine", "go": "save"})
    again = client.post(url, {"alert": alerts[0].pk})
    other_rule = client.post(url, {"alert": alerts[1].pk})
    assert Draft.objects.count() == 1
    assert again["Location"] == other_rule["Location"] == f"/sharing/drafts/{draft.pk}/purpose/"
    # Someone else starting from it gets their own.
    as_user(cast.helen).post(url, {"alert": alerts[0].pk})
    assert Draft.objects.count() == 2
