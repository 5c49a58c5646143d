"""Leavers lose every way in at once; API tokens expire, need the password to make, and
leave their name on everything they are used for."""

from datetime import UTC, datetime, timedelta

from django.test import Client
from django.utils import timezone

from sharewise.audittrail.models import Entry
from sharewise.organisations.models import ApiToken
from sharewise.policy import documents, store


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def sign_in(client, user, password):
    return client.post("/sign-in/", {"username": user.username, "password": password})


def test_a_leaver_is_signed_out_and_their_token_stops_at_once(cast, as_user):
    nias_browser = Client()
    sign_in(nias_browser, cast.nia, cast.password)
    _, secret = ApiToken.issue(cast.nia, "Rota script")
    assert Client().get("/api/v1/me", **bearer(secret)).status_code == 200

    as_user(cast.owen).post(
        f"/organisation/staff/{cast.nia.pk}/",
        {"details-first_name": "Nia", "details-last_name": "Okafor", "details-email": ""},
    )

    assert nias_browser.get("/people/")["Location"].startswith("/sign-in/")
    assert Client().get("/api/v1/me", **bearer(secret)).status_code == 401
    assert ApiToken.objects.get(user=cast.nia).revoked_at is not None
    stopped = Entry.objects.get(action="stopped signing in")
    assert stopped.actor == "owen" and stopped.object_id == str(cast.nia.pk)
    assert stopped.detail["sessions_ended"] == 1 and stopped.detail["tokens_revoked"] == [
        secret[:8]
    ]


def test_changing_a_leavers_name_does_not_end_anyones_sessions(cast, as_user):
    nias_browser = Client()
    sign_in(nias_browser, cast.nia, cast.password)
    as_user(cast.owen).post(
        f"/organisation/staff/{cast.nia.pk}/",
        {
            "details-first_name": "Nia",
            "details-last_name": "Okafor-Reid",
            "details-email": "",
            "details-is_active": "on",
        },
    )
    assert nias_browser.get("/people/").status_code == 200


# --- Making tokens --------------------------------------------------------------------


def test_a_token_needs_the_password_again(cast, as_user):
    nia = as_user(cast.nia)
    session = nia.session  # Nia has no second factor
    session.pop("second_factor_at", None)
    session.pop("second_factor_via", None)
    session.save()
    refused = nia.post("/account/api-tokens/", {"name": "Rota", "days": 30, "password": "guess"})
    assert refused.status_code == 400
    assert "Your password is not right" in refused.content.decode()
    failed = Entry.objects.get(action="sign-in failed")
    assert failed.detail == {"username": "nia", "page": "/account/api-tokens/"}
    missing = nia.post("/account/api-tokens/", {"name": "Rota", "days": 30})
    assert "Enter your password to create a token" in missing.content.decode()
    assert not ApiToken.objects.exists()

    made = nia.post("/account/api-tokens/", {"name": "Rota", "days": 30, "password": cast.password})
    assert made.status_code == 200 and 'id="new-token"' in made.content.decode()
    token = ApiToken.objects.get()
    assert timedelta(days=29, hours=23) < token.expires_at - timezone.now() <= timedelta(days=30)
    created = Entry.objects.get(action="created API token")
    assert created.detail["token"] == token.hint
    assert created.detail["confirmed with"] == "password only: no second factor set up"


def test_a_token_lasts_no_longer_than_the_policy_allows(cast, as_user):
    nia = as_user(cast.nia)
    page = nia.post("/account/api-tokens/", {"name": "Rota", "days": 91, "password": cast.password})
    assert "lets tokens last up to 90 days: enter 90 or fewer" in page.content.decode()
    page = nia.post("/account/api-tokens/", {"name": "Rota", "days": 0, "password": cast.password})
    assert "A token lasts at least 1 day" in page.content.decode()
    page = nia.post("/account/api-tokens/", {"name": " ", "days": 5, "password": cast.password})
    assert "Give the token a name" in page.content.decode()
    assert not ApiToken.objects.exists()


def test_a_new_token_lasts_the_policys_default_days(cast, as_user):
    document = documents.default("access").model_dump(mode="json")
    document["api_tokens"].update(max_days=14, default_days=7)
    store.save_version(cast.org.pk, "access", document, cast.sarah)
    page = as_user(cast.nia).get("/account/api-tokens/").content.decode()
    assert 'value="7"' in page and "Up to 14 days" in page
    token, _ = ApiToken.issue(cast.nia, "script")
    assert token.expires_at - timezone.now() <= timedelta(days=7)


def _proved_second_factor(client, minutes_ago):
    session = client.session
    at = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    session["second_factor_at"] = at.isoformat()
    session["second_factor_via"] = "authenticator app"
    session.save()


def test_someone_with_a_second_factor_must_have_proved_it_recently(cast, as_user):
    sarah = as_user(cast.sarah)
    _proved_second_factor(sarah, 40)
    assert "Second factor needed" in sarah.get("/account/api-tokens/").content.decode()
    asked = {"name": "Oversight report", "days": 10, "password": cast.password}
    refused = sarah.post("/account/api-tokens/", asked)
    assert "Confirm your second factor again" in refused.content.decode()
    assert "more than 15 minutes ago" in refused.content.decode()
    assert not ApiToken.objects.exists()

    _proved_second_factor(sarah, 5)
    assert 'id="new-token"' in sarah.post("/account/api-tokens/", asked).content.decode()
    created = Entry.objects.get(action="created API token")
    assert created.detail["confirmed with"] == "password and authenticator app"


def test_the_tokens_page_shows_expiry_and_last_use(cast, as_user):
    token, secret = ApiToken.issue(cast.nia, "Rota script", days=10)
    Client().get("/api/v1/me", **bearer(secret))
    page = as_user(cast.nia).get("/account/api-tokens/").content.decode()
    expires = timezone.localtime(token.expires_at)
    assert f"{expires:%-d %B %Y}" in page
    assert "Never" not in page  # it has been used


def test_revoking_someone_elses_token_is_not_found(cast, as_user):
    token, secret = ApiToken.issue(cast.nia, "Rota script")
    assert as_user(cast.tom).post(f"/account/api-tokens/{token.pk}/revoke/").status_code == 404
    assert Client().get("/api/v1/me", **bearer(secret)).status_code == 200


# --- Using tokens ---------------------------------------------------------------------


def test_an_expired_token_answers_401_saying_it_expired(cast):
    token, secret = ApiToken.issue(cast.sarah, "Old script")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(days=1))
    response = Client().get("/api/v1/me", **bearer(secret))
    assert response.status_code == 401
    assert "This API token expired on" in response.json()["message"]
    assert "create a new one" in response.json()["message"]
    refused = Entry.objects.get(action="refused expired API token")
    assert refused.actor == "sarah" and refused.detail["token"] == token.hint


def test_a_token_unknown_or_revoked_answers_401_without_saying_more(cast):
    token, secret = ApiToken.issue(cast.sarah, "script")
    token.revoke()
    response = Client().get("/api/v1/me", **bearer(secret))
    assert response.status_code == 401 and "expired" not in response.json()["message"]
    assert Client().get("/api/v1/me", **bearer("sw_nothing")).status_code == 401


def test_each_read_through_a_token_names_the_token_in_the_trail(cast):
    token, secret = ApiToken.issue(cast.nia, "Rota script")
    response = Client().get(f"/api/v1/people/{cast.alice.pk}", **bearer(secret))
    assert response.status_code == 200
    reads = Entry.objects.filter(actor="nia", person_id=cast.alice.pk)
    assert reads.exists() and all(e.detail.get("token") == token.hint for e in reads)


def test_a_browser_read_names_no_token(cast, as_user):
    as_user(cast.nia).get(f"/people/{cast.alice.pk}/")
    reads = Entry.objects.filter(actor="nia", person_id=cast.alice.pk)
    assert reads.exists() and not any("token" in e.detail for e in reads)
