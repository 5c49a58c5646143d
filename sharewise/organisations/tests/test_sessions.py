"""Sessions end at the access policy's limits, nothing half-typed is lost when they do,
and everyone can see and end their own sessions (only their own)."""

import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from sharewise.audittrail.models import Entry
from sharewise.organisations.models import KeptDraft, SignedInSession
from sharewise.organisations.sessions import describe_browser
from sharewise.policy import documents, store

WINDOWS_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def idle_for(client, minutes):
    """As if the last thing this browser did was `minutes` ago."""
    session = client.session
    session["last_active_at"] -= minutes * 60
    session.save()


def signed_in_for(client, hours):
    session = client.session
    session["signed_in_at"] -= hours * 3600
    session.save()


def sign_in(client, user, password, **extra):
    return client.post("/sign-in/", {"username": user.username, "password": password}, **extra)


def test_an_idle_session_ends_and_the_sign_in_page_says_why(cast, as_user):
    nia = as_user(cast.nia)
    idle_for(nia, 31)
    response = nia.get("/people/")
    assert response.status_code == 302 and response["Location"] == "/sign-in/?next=/people/"
    page = nia.get(response["Location"]).content.decode()
    assert "You were signed out after 30 minutes without activity" in page
    ended = Entry.objects.get(action="session ended", actor="nia")
    assert ended.reason == "idle limit"
    assert nia.get("/people/").status_code == 302  # signed out, not just warned


def test_a_session_just_inside_the_limit_carries_on(cast, as_user):
    nia = as_user(cast.nia)
    idle_for(nia, 29)
    assert nia.get("/people/").status_code == 200


def test_privileged_roles_have_the_shorter_idle_limit(cast, as_user):
    sarah, nia = as_user(cast.sarah), Client()
    nia.force_login(cast.nia)
    idle_for(sarah, 16)
    idle_for(nia, 16)
    assert sarah.get("/people/").status_code == 302
    assert nia.get("/people/").status_code == 200


def test_the_absolute_limit_ends_even_a_busy_session(cast, as_user):
    nia = as_user(cast.nia)
    signed_in_for(nia, 12.1)
    response = nia.get("/people/")
    assert response["Location"].startswith("/sign-in/")
    page = nia.get(response["Location"]).content.decode()
    assert "because you had been signed in for 12 hours" in page
    assert Entry.objects.get(action="session ended", actor="nia").reason == "absolute limit"


def test_a_lead_shortens_the_idle_limit_and_it_applies(cast, as_user):
    document = documents.default("access").model_dump(mode="json")
    document["sessions"].update(idle_minutes=10, idle_minutes_privileged=10)
    nia = as_user(cast.nia)
    store.save_version(cast.org.pk, "access", document, cast.sarah)
    idle_for(nia, 1)  # a session looks its limits up again as it notes activity
    assert nia.get("/people/").status_code == 200
    idle_for(nia, 11)
    assert nia.get("/people/").status_code == 302


CONCERN = {
    "occurred_on": "2026-12-01",
    "occurred_time": "03:10",
    "facts": "At ten past three Alice was found on the floor of her room, cold and "
    "frightened, saying nobody had come when she rang.",
    "categories": ["neglect", "physical"],
}


def test_a_concern_sent_after_the_idle_limit_is_kept_and_given_back(cast, as_user):
    nia = as_user(cast.nia)
    path = f"/people/{cast.alice.pk}/concerns/new/"
    idle_for(nia, 45)
    response = nia.post(path, CONCERN)
    assert response["Location"] == f"/sign-in/?next={path}"
    kept = KeptDraft.objects.get(user=cast.nia)
    assert b"found on the floor" not in bytes(kept.fields)  # kept encrypted
    signed_out = nia.get(response["Location"]).content.decode()
    assert "What you were sending has been kept" in signed_out

    assert sign_in(nia, cast.nia, cast.password)["Location"] == "/people/"
    page = nia.get(path).content.decode()
    assert "What you had typed has been put back" in page
    assert "found on the floor of her room" in page
    # The concern form fills itself in, and keeps the draft until it is recorded.
    assert 'name="occurred_time" value="03:10"' in page
    assert KeptDraft.objects.filter(user=cast.nia, path=path).count() == 1
    assert "found on the floor" in nia.get(path).content.decode()
    assert Entry.objects.get(action="session ended", actor="nia").detail == {"kept draft": True}


def test_a_kept_draft_is_given_back_only_to_whoever_typed_it(cast, as_user):
    nia = as_user(cast.nia)
    path = f"/people/{cast.alice.pk}/concerns/new/"
    idle_for(nia, 45)
    nia.post(path, CONCERN)
    helen = Client()
    sign_in(helen, cast.helen, cast.password)
    assert "found on the floor" not in helen.get(path).content.decode()
    assert KeptDraft.objects.filter(user=cast.nia).exists()


def test_a_draft_older_than_a_day_is_not_given_back(cast, as_user):
    nia = as_user(cast.nia)
    path = f"/people/{cast.alice.pk}/concerns/new/"
    idle_for(nia, 45)
    nia.post(path, CONCERN)
    KeptDraft.objects.update(kept_at=timezone.now() - timedelta(hours=25))
    sign_in(nia, cast.nia, cast.password)
    assert "found on the floor" not in nia.get(path).content.decode()
    assert not KeptDraft.objects.exists()


def test_nothing_is_kept_from_a_form_without_its_csrf_token(cast):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(cast.nia)
    idle_for(strict, 45)
    response = strict.post(f"/people/{cast.alice.pk}/concerns/new/", CONCERN)
    assert response["Location"].startswith("/sign-in/")
    assert not KeptDraft.objects.exists()


def test_passwords_are_never_kept(cast, as_user):
    sarah = as_user(cast.sarah)
    idle_for(sarah, 20)
    sarah.post("/account/api-tokens/", {"name": "Report", "days": 5, "password": "x"})
    assert not KeptDraft.objects.exists()


# --- Where you are signed in ---------------------------------------------------------


def test_browsers_are_named_in_plain_words():
    assert describe_browser(WINDOWS_CHROME) == "Chrome on Windows"
    assert describe_browser(IPHONE_SAFARI) == "Safari on an iPhone"
    assert describe_browser("") == "An unknown browser"


def test_someone_sees_each_browser_they_are_signed_in_on(cast):
    desk, phone = Client(HTTP_USER_AGENT=WINDOWS_CHROME), Client(HTTP_USER_AGENT=IPHONE_SAFARI)
    sign_in(desk, cast.nia, cast.password, REMOTE_ADDR="10.1.2.3")
    sign_in(phone, cast.nia, cast.password)
    page = desk.get("/account/sessions/").content.decode()
    assert "Chrome on Windows" in page and "Safari on an iPhone" in page
    assert "This browser" in page and "10.1.2.3" in page
    assert page.count("Sign out<span") == 1  # the other one, not this one


def test_signing_out_another_session_sends_it_to_sign_in(cast):
    desk, phone = Client(HTTP_USER_AGENT=WINDOWS_CHROME), Client(HTTP_USER_AGENT=IPHONE_SAFARI)
    sign_in(desk, cast.nia, cast.password)
    sign_in(phone, cast.nia, cast.password)
    other = SignedInSession.objects.get(user_agent=IPHONE_SAFARI)
    response = desk.post(f"/account/sessions/{other.pk}/sign-out/", follow=True)
    assert "Signed out Safari on an iPhone" in response.content.decode()
    assert phone.get("/people/")["Location"].startswith("/sign-in/")
    assert desk.get("/people/").status_code == 200
    assert Entry.objects.filter(actor="nia", action="signed out another session").exists()


def test_sign_out_everywhere_else(cast):
    browsers = [Client(HTTP_USER_AGENT=WINDOWS_CHROME) for _ in range(3)]
    for browser in browsers:
        sign_in(browser, cast.nia, cast.password)
    here, *others = browsers
    response = here.post("/account/sessions/sign-out-others/", follow=True)
    assert "Signed out everywhere else (2 other sessions)" in response.content.decode()
    assert all(o.get("/people/")["Location"].startswith("/sign-in/") for o in others)
    assert here.get("/people/").status_code == 200
    entry = Entry.objects.get(action="signed out everywhere else")
    assert entry.actor == "nia" and entry.detail == {"sessions": 2}


def test_nobody_sees_or_ends_someone_elses_sessions(cast):
    nia, tom = Client(HTTP_USER_AGENT=IPHONE_SAFARI), Client(HTTP_USER_AGENT=WINDOWS_CHROME)
    sign_in(nia, cast.nia, cast.password)
    sign_in(tom, cast.tom, cast.password)
    nias = SignedInSession.objects.get(user=cast.nia)
    assert "Safari on an iPhone" not in tom.get("/account/sessions/").content.decode()
    assert tom.post(f"/account/sessions/{nias.pk}/sign-out/").status_code == 404
    tom.post("/account/sessions/sign-out-others/")
    assert nia.get("/people/").status_code == 200
    assert Entry.objects.filter(actor="tom", action="refused access").exists()


def test_ending_a_session_needs_a_post_and_signing_in(cast, as_user):
    sign_in(Client(), cast.nia, cast.password)
    row = SignedInSession.objects.get()
    assert (
        Client().post(f"/account/sessions/{row.pk}/sign-out/")["Location"].startswith("/sign-in/")
    )
    assert as_user(cast.nia).get(f"/account/sessions/{row.pk}/sign-out/").status_code == 405


def test_signing_out_ends_the_session_on_its_page(cast):
    nia = Client()
    sign_in(nia, cast.nia, cast.password)
    nia.post("/sign-out/")
    row = SignedInSession.objects.get()
    assert row.ended_at is not None and row.ended_why == "signed out"


@pytest.mark.parametrize("minutes", [0, 2])
def test_activity_is_written_at_most_once_a_minute(cast, minutes):
    nia = Client()
    sign_in(nia, cast.nia, cast.password)
    before = SignedInSession.objects.get().last_active_at
    idle_for(nia, minutes)
    nia.get("/people/")
    after = SignedInSession.objects.get().last_active_at
    assert (after > before) == (minutes > 0)


def test_the_sweep_deletes_drafts_kept_longer_than_a_day(cast, as_user):
    from sharewise.patterns import sweep

    nia = as_user(cast.nia)
    idle_for(nia, 45)
    nia.post(f"/people/{cast.alice.pk}/concerns/new/", CONCERN)
    assert sweep.run().more["kept draft(s) deleted after a day"] == 0
    assert (
        sweep.run(timezone.now() + timedelta(hours=25)).more["kept draft(s) deleted after a day"]
        == 1
    )
    assert not KeptDraft.objects.exists()


def test_the_sessions_page_follows_a_session_whose_key_is_renewed(cast):
    nia = Client(HTTP_USER_AGENT=WINDOWS_CHROME)
    sign_in(nia, cast.nia, cast.password)
    session = nia.session
    session.cycle_key()  # as a later step of signing in may
    nia.cookies["sessionid"] = session.session_key
    idle_for(nia, 2)
    page = nia.get("/account/sessions/").content.decode()
    assert page.count("Chrome on Windows") == 1 and "This browser" in page
    assert SignedInSession.objects.get().session_key == session.session_key


def test_a_form_sent_elsewhere_than_its_page_is_given_back_on_its_page(cast, as_user):
    nia = as_user(cast.nia)
    page = f"http://testserver/people/{cast.bob.pk}/"
    idle_for(nia, 45)
    response = nia.post(
        f"/people/{cast.bob.pk}/break-glass/",
        {"reason": "Bob's daughter rang about a bruise on his arm"},
        HTTP_REFERER=page,
    )
    assert response["Location"] == f"/sign-in/?next=/people/{cast.bob.pk}/"
    assert KeptDraft.objects.get().path == f"/people/{cast.bob.pk}/"


def test_a_referer_from_another_site_is_not_followed(cast, as_user):
    nia = as_user(cast.nia)
    idle_for(nia, 45)
    path = f"/people/{cast.alice.pk}/concerns/new/"
    response = nia.post(path, CONCERN, HTTP_REFERER="https://elsewhere.example/people/1/")
    assert response["Location"] == f"/sign-in/?next={path}"
    assert KeptDraft.objects.get().path == path


def test_still_here_needs_signing_in_and_a_post(cast, as_user):
    assert Client().post("/account/sessions/still-here/")["Location"].startswith("/sign-in/")
    nia = as_user(cast.nia)
    assert nia.get("/account/sessions/still-here/").status_code == 405
    idle_for(nia, 10)
    assert nia.post("/account/sessions/still-here/").status_code == 204
    assert time.time() - nia.session["last_active_at"] < 5


def test_still_here_too_late_leaves_the_session_for_the_form_to_be_kept(cast, as_user):
    nia = as_user(cast.nia)
    idle_for(nia, 31)
    assert nia.post("/account/sessions/still-here/").status_code == 401
    nia.post(f"/people/{cast.alice.pk}/concerns/new/", CONCERN)
    assert KeptDraft.objects.filter(user=cast.nia).exists()
