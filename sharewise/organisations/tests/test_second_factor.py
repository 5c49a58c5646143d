"""Second factors: who must have one, signing in with one, setting one up, removing
one, and an administrator resetting someone else's after a lost phone."""

import re
import time

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import authenticator_app, authenticator_code
from sharewise.audittrail.models import Entry
from sharewise.organisations import second_factor
from sharewise.policy import store


def sign_in(client, user, password):
    return client.post("/sign-in/", {"username": user.username, "password": password})


def everyone_needs_a_second_factor(cast):
    _, document = store.in_force(cast.org.pk, "access")
    changed = document.model_dump()
    changed["second_factor"]["everyone"] = True
    store.save_version(cast.org.pk, "access", changed, cast.sarah, "Everyone, after an incident")


def test_the_lead_the_officer_the_auditor_and_the_administrator_need_one_care_workers_do_not(
    cast,
):
    for who in (cast.sarah, cast.david, cast.grace, cast.owen):
        assert second_factor.required(who), who
    for who in (cast.nia, cast.tom, cast.priya, cast.helen):
        assert not second_factor.required(who), who


def test_a_policy_asking_everyone_makes_care_workers_set_one_up_at_their_next_click(cast, as_user):
    client = as_user(cast.nia)
    assert client.get("/people/").status_code == 200
    everyone_needs_a_second_factor(cast)
    assert second_factor.required(cast.nia)
    response = client.get("/people/")
    assert response.status_code == 302 and response["Location"] == "/account/security/"
    page = client.get("/account/security/").content.decode()
    assert "Set up a second factor to carry on" in page
    # Nothing else opens until she has one; the API says why.
    assert client.get(f"/people/{cast.alice.pk}/")["Location"] == "/account/security/"
    refused = client.get("/api/v1/people")
    assert refused.status_code == 403 and "/account/security/" in refused.json()["message"]


def test_a_lead_signs_in_with_password_then_the_code_from_her_app(cast):
    device = authenticator_app(cast.sarah)
    client = Client()
    response = sign_in(client, cast.sarah, cast.password)
    assert response["Location"] == "/people/"
    # The password alone opens nothing.
    held = client.get("/people/")
    assert held["Location"] == "/sign-in/second-factor/?next=%2Fpeople%2F"
    assert client.get(f"/people/{cast.alice.pk}/").status_code == 302
    wrong = client.post(
        "/sign-in/second-factor/", {"via": "app", "app-code": "000000", "next": "/people/"}
    )
    assert "That code is not right" in wrong.content.decode()
    time.sleep(1.1)  # each wrong code makes the next wait longer, from one second
    right = client.post(
        "/sign-in/second-factor/",
        {"via": "app", "app-code": authenticator_code(device), "next": "/people/"},
    )
    assert right["Location"] == "/people/"
    assert b"Alice Moore" in client.get("/people/").content
    assert client.session["second_factor_via"] == "authenticator app"
    assert client.session["second_factor_at"].endswith("+00:00")
    actions = list(Entry.objects.filter(actor="sarah").values_list("action", flat=True))
    assert actions.count("second factor failed") == 1
    assert actions.count("second factor verified") == 1
    assert "signed in" in actions


def test_the_same_code_does_not_work_twice(cast):
    device = authenticator_app(cast.sarah)
    code = authenticator_code(device)
    first, second = Client(), Client()
    for client in (first, second):
        sign_in(client, cast.sarah, cast.password)
    ok = first.post("/sign-in/second-factor/", {"via": "app", "app-code": code})
    assert ok.status_code == 302
    again = second.post("/sign-in/second-factor/", {"via": "app", "app-code": code})
    assert again.status_code == 200 and "That code is not right" in again.content.decode()


def test_a_recovery_code_works_once(cast, as_user):
    client = as_user(cast.sarah)
    codes = re.findall(
        r"<li>([a-z2-7]{8})</li>", client.get("/account/security/recovery-codes/").content.decode()
    )
    assert len(codes) == 10
    client.post("/sign-out/")
    for attempt in ("first", "second"):
        fresh = Client()
        sign_in(fresh, cast.sarah, cast.password)
        response = fresh.post(
            "/sign-in/second-factor/", {"via": "recovery", "recovery-recovery_code": codes[0]}
        )
        if attempt == "first":
            assert response.status_code == 302
            assert fresh.session["second_factor_via"] == "recovery code"
        else:
            assert "it has been used" in response.content.decode()
    assert second_factor.unused_recovery_codes(cast.sarah) == 9


def test_an_unenrolled_lead_is_sent_to_set_one_up_with_a_qr_code_and_the_key(cast):
    client = Client()
    sign_in(client, cast.sarah, cast.password)
    response = client.get("/people/")
    assert response["Location"] == "/account/security/"
    page = client.get("/account/security/authenticator-app/").content.decode()
    assert '<svg class="sw-qr" role="img"' in page and "<script>" not in page
    secret = re.search(r'id="secret-key">([A-Z2-7 ]+)<', page).group(1)
    assert len(secret.replace(" ", "")) == 32
    key = client.session["authenticator_app_key"]
    unsaved = TOTPDevice(user=cast.sarah, key=key)
    response = client.post(
        "/account/security/authenticator-app/",
        {"code": authenticator_code(unsaved, allow_again=False), "name": "Work phone"},
    )
    # Ten recovery codes follow, shown once.
    assert response["Location"] == "/account/security/recovery-codes/"
    codes = client.get(response["Location"]).content.decode()
    assert "they will not be shown again" in codes and codes.count("<li>") >= 10
    assert "will not be shown again" not in client.get(response["Location"]).content.decode()
    assert client.get("/people/").status_code == 200
    assert TOTPDevice.objects.get(user=cast.sarah).name == "Work phone"
    assert Entry.objects.filter(actor="sarah", action="added second factor").exists()
    assert Entry.objects.filter(actor="sarah", action="made new recovery codes").exists()


def test_a_wrong_code_when_setting_up_says_what_to_check(cast):
    client = Client()
    sign_in(client, cast.sarah, cast.password)
    client.get("/account/security/authenticator-app/")
    response = client.post("/account/security/authenticator-app/", {"code": "123456"})
    assert "Check the app shows Sharewise" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=cast.sarah).exists()


def test_the_last_second_factor_of_a_lead_cannot_be_removed(cast, as_user):
    client = as_user(cast.sarah)
    device = authenticator_app(cast.sarah)
    client.post(f"/account/security/authenticator-app/{device.pk}/remove/")
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    page = client.get("/account/security/").content.decode()
    assert "add another authenticator app or passkey before you remove this one" in page
    # With a second one, the first can go.
    TOTPDevice.objects.create(user=cast.sarah, name="Spare phone", confirmed=True)
    client.post(f"/account/security/authenticator-app/{device.pk}/remove/")
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert Entry.objects.filter(actor="sarah", action="removed second factor").exists()


def test_a_care_worker_may_remove_her_only_one(cast, as_user):
    device = authenticator_app(cast.nia)
    client = as_user(cast.nia)
    client.post(f"/account/security/authenticator-app/{device.pk}/remove/")
    assert not second_factor.has_any(cast.nia)


@pytest.fixture
def second_administrator(cast):
    from django.contrib.auth import get_user_model

    from sharewise.organisations.models import Membership, Role

    ava = get_user_model().objects.create_user("ava", password=cast.password, first_name="Ava")
    Membership.objects.create(user=ava, organisation=cast.org, role=Role.ADMINISTRATOR)
    return ava


def test_another_administrator_resets_a_lost_phone_with_a_reason_and_it_is_in_the_trail(
    cast, as_user, second_administrator
):
    authenticator_app(cast.sarah)
    client = as_user(cast.owen)
    refused = client.post(
        f"/organisation/staff/{cast.sarah.pk}/second-factors/reset/", {"reset-reason": "lost"}
    )
    assert refused.status_code == 400
    assert "at least 10 characters" in refused.content.decode()
    client.post(
        f"/organisation/staff/{cast.sarah.pk}/second-factors/reset/",
        {"reset-reason": "Phone stolen on the bus, she rang me this morning"},
    )
    assert not second_factor.has_any(cast.sarah)
    entry = Entry.objects.get(action="reset second factors")
    assert entry.actor == "owen" and entry.object_id == str(cast.sarah.pk)
    assert entry.reason.startswith("Phone stolen")
    # Sarah sets one up again when she next signs in.
    sarah = Client()
    sign_in(sarah, cast.sarah, cast.password)
    assert sarah.get("/people/")["Location"] == "/account/security/"


def test_an_administrator_cannot_reset_their_own(cast, as_user, second_administrator):
    authenticator_app(cast.owen)
    client = as_user(cast.owen)
    response = client.post(
        f"/organisation/staff/{cast.owen.pk}/second-factors/reset/",
        {"reset-reason": "I lost my phone at the weekend"},
    )
    assert response.status_code == 400
    assert "ask another administrator" in response.content.decode()
    assert second_factor.has_any(cast.owen)
    # Another administrator can.
    as_user(second_administrator).post(
        f"/organisation/staff/{cast.owen.pk}/second-factors/reset/",
        {"reset-reason": "Owen lost his phone at the weekend"},
    )
    assert not second_factor.has_any(cast.owen)


def test_only_administrators_reset_second_factors(cast, as_user):
    authenticator_app(cast.nia)
    response = as_user(cast.sarah).post(
        f"/organisation/staff/{cast.nia.pk}/second-factors/reset/",
        {"reset-reason": "She says she lost her phone"},
    )
    assert response.status_code == 403
    assert second_factor.has_any(cast.nia)


def test_passkeys_belong_to_the_site_or_to_localhost_for_development(rf, settings):
    settings.SHAREWISE_SITE_URL = "https://sharewise.example.org"
    settings.ALLOWED_HOSTS = ["sharewise.example.org", "localhost"]
    site = rf.get("/", HTTP_HOST="sharewise.example.org")
    assert second_factor.relying_party_id(site) == "sharewise.example.org"
    assert second_factor.PasskeyHelper(site).get_allowed_origins() == [
        "https://sharewise.example.org"
    ]
    local = rf.get("/", HTTP_HOST="localhost:8123")
    assert second_factor.relying_party_id(local) == "localhost"
    assert second_factor.PasskeyHelper(local).get_allowed_origins() == ["http://localhost:8123"]


def test_wrong_codes_in_a_row_make_the_next_try_wait_longer_and_say_so(cast):
    from django.utils import timezone

    device = authenticator_app(cast.sarah)
    client = Client()
    sign_in(client, cast.sarah, cast.password)
    # Three wrong codes in a row a moment ago: the next is checked after 4 seconds.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=3, throttling_failure_timestamp=timezone.now()
    )
    page = client.post(
        "/sign-in/second-factor/", {"via": "app", "app-code": authenticator_code(device)}
    ).content.decode()
    assert "wait 4 seconds before the next" in page
    assert "second_factor_at" not in client.session
