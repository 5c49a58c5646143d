"""Drafts are never lost: the concern form saves itself for its author alone, encrypted,
comes back filled in, is let go once the concern is recorded, and a concern sent twice
is recorded once. A form whose security token went stale keeps what was typed."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from sharewise.concerns.models import Concern
from sharewise.concerns.tests.test_recording import form_data
from sharewise.organisations.models import KeptDraft


def page_of(person):
    return f"/people/{person.pk}/concerns/new/"


def draft_of(person):
    return f"/people/{person.pk}/concerns/new/draft/"


def test_the_form_saves_a_draft_for_its_author_alone_and_encrypted(cast, as_user):
    words = "Alice said the night visitor took her purse and shouted at her."
    answer = as_user(cast.nia).post(draft_of(cast.alice), {"facts": words, "severity": "high"})
    assert answer.status_code == 200
    assert "saved_at" in answer.json()
    kept = KeptDraft.objects.get(user=cast.nia, path=page_of(cast.alice))
    assert words.encode() not in bytes(kept.fields)  # the database holds no plain text
    # Nia finds it again; Helen, on the same form, does not.
    assert words in as_user(cast.nia).get(page_of(cast.alice)).content.decode()
    assert words not in as_user(cast.helen).get(page_of(cast.alice)).content.decode()


def test_a_draft_about_someone_out_of_scope_is_refused(cast, as_user):
    answer = as_user(cast.nia).post(draft_of(cast.bob), {"facts": "Something typed"})
    assert answer.status_code == 404
    assert not KeptDraft.objects.exists()
    assert as_user(cast.olivia).post(draft_of(cast.alice), {"facts": "x y"}).status_code == 404
    assert Client().post(draft_of(cast.alice), {"facts": "x y"}).status_code == 302
    assert as_user(cast.nia).get(draft_of(cast.alice)).status_code == 405
    assert not KeptDraft.objects.exists()


def test_the_draft_is_let_go_when_the_concern_is_recorded(cast, as_user):
    client = as_user(cast.nia)
    client.post(draft_of(cast.alice), {"facts": "A first go at saying it"})
    assert KeptDraft.objects.filter(user=cast.nia).exists()
    response = client.post(page_of(cast.alice), form_data(cast))
    assert response.status_code == 302
    assert not KeptDraft.objects.filter(user=cast.nia).exists()
    # The concern page tells this browser to let go of its own copy too.
    page = client.get(response.url).content.decode()
    assert 'id="sw-forget-draft"' in page


def test_a_concern_sent_twice_is_recorded_once(cast, as_user):
    client = as_user(cast.nia)
    form = client.get(page_of(cast.alice)).context["form"]
    key = str(form.initial["submission"])
    first = client.post(page_of(cast.alice), form_data(cast, submission=key))
    again = client.post(page_of(cast.alice), form_data(cast, submission=key), follow=True)
    assert Concern.objects.count() == 1
    assert again.redirect_chain[-1][0] == first.url
    assert "It has not been recorded twice" in again.content.decode()
    # Another concern, another key: recorded.
    client.post(page_of(cast.alice), form_data(cast, submission=str(timezone.now().timestamp())))
    assert Concern.objects.count() == 1  # not a key: refused, nothing saved
    other = client.get(page_of(cast.alice)).context["form"].initial["submission"]
    client.post(page_of(cast.alice), form_data(cast, submission=str(other)))
    assert Concern.objects.count() == 2


def bob_joins_the_night_team(cast):
    from sharewise.people.models import Enrolment

    Enrolment.objects.create(
        person=cast.bob, team=cast.night, start_date=timezone.localdate() - timedelta(days=7)
    )


def test_the_form_opens_with_now_and_native_date_and_time(cast, as_user):
    bob_joins_the_night_team(cast)
    page = as_user(cast.nia).get(page_of(cast.alice)).content.decode()
    now = timezone.localtime()
    assert f'type="date" name="occurred_on" value="{now.date().isoformat()}"' in page
    assert 'type="time" name="occurred_time"' in page
    # Immediate danger is the first answer to how serious it is, before the categories.
    assert page.index('value="immediate"') < page.index('name="categories"')
    # Nobody else at risk is one question; its list opens only on "Yes".
    assert page.index('name="others_at_risk"') < page.index('name="other_people"')


def test_a_no_to_anyone_else_at_risk_ignores_ticks_left_behind(cast, as_user):
    bob_joins_the_night_team(cast)
    client = as_user(cast.nia)
    client.post(
        page_of(cast.alice), form_data(cast, others_at_risk="no", other_people=[cast.bob.pk])
    )
    client.post(
        page_of(cast.alice), form_data(cast, others_at_risk="yes", other_people=[cast.bob.pk])
    )
    first, second = Concern.objects.order_by("pk")
    assert list(first.people.all()) == [cast.alice]
    assert set(second.people.all()) == {cast.alice, cast.bob}


def test_a_stale_token_gets_a_page_that_keeps_the_text_and_sends_again(cast, as_user):
    client = as_user(cast.nia)
    client.handler.enforce_csrf_checks = True
    client.get(page_of(cast.alice))  # a token cookie, as the browser had
    words = "Alice told me her son takes her pension card every Friday."
    data = form_data(cast, facts=words, csrfmiddlewaretoken="stale" * 8)
    answer = client.post(
        page_of(cast.alice), data, HTTP_REFERER=f"http://testserver{page_of(cast.alice)}"
    )
    page = answer.content.decode()
    assert answer.status_code == 403
    assert "Your form was not sent" in page
    assert "CSRF" not in page
    assert words in page
    assert f'action="{page_of(cast.alice)}"' in page
    assert not Concern.objects.exists()
    # Kept as a draft too: the form, opened again, has every word.
    assert words in client.get(page_of(cast.alice)).content.decode()


def test_a_form_posted_from_another_site_is_not_offered_again(cast, as_user):
    client = as_user(cast.nia)
    client.handler.enforce_csrf_checks = True
    answer = client.post(
        page_of(cast.alice),
        form_data(cast, facts="Forged words from elsewhere"),
        HTTP_ORIGIN="https://evil.example",
    )
    page = answer.content.decode()
    assert answer.status_code == 403
    assert "Forged words" not in page and "Send it again" not in page
    assert not KeptDraft.objects.exists()


def test_old_drafts_are_not_offered(cast, as_user):
    client = as_user(cast.nia)
    client.post(draft_of(cast.alice), {"facts": "Typed two days ago, never sent"})
    KeptDraft.objects.update(kept_at=timezone.now() - timedelta(days=2))
    assert "Typed two days ago" not in client.get(page_of(cast.alice)).content.decode()


def test_a_save_arriving_after_the_concern_was_recorded_does_not_bring_it_back(cast, as_user):
    client = as_user(cast.nia)
    key = str(client.get(page_of(cast.alice)).context["form"].initial["submission"])
    client.post(page_of(cast.alice), form_data(cast, submission=key))
    late = client.post(draft_of(cast.alice), {"facts": "Already sent words", "submission": key})
    assert late.status_code == 200
    assert not KeptDraft.objects.exists()
    fresh = client.get(page_of(cast.alice))
    assert "Already sent words" not in fresh.content.decode()
    assert str(fresh.context["form"].initial["submission"]) != key
