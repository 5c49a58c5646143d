"""Step-up: the most serious actions ask again who you are once the last proof is older
than the access policy's step_up_minutes, keep what was typed, and the API asks the
token instead."""

from datetime import UTC, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from conftest import authenticator_app, authenticator_code
from sharewise.api.tests.test_disclosures_api import patch, ready  # noqa: F401, F811
from sharewise.audittrail.models import Entry
from sharewise.organisations.models import ApiToken
from sharewise.people.models import BreakGlassAccess
from sharewise.policy.models import PolicyVersion

SERIOUS = {
    "break-glass": "/people/{person}/break-glass/",
    "sending a referral": "/referrals/1/send/",
    "countersigning a referral": "/referrals/1/approve/",
    "countersigning a sharing decision": "/sharing-decisions/1/countersign/",
    "changing policy": "/policy/recording/",
}


def proven_minutes_ago(client, minutes, key="second_factor_at"):
    session = client.session
    session[key] = (timezone.now() - timedelta(minutes=minutes)).astimezone(UTC).isoformat()
    session.save()


@pytest.mark.parametrize("action", SERIOUS)
def test_each_serious_action_asks_again_after_step_up_minutes(cast, as_user, action):
    from django.urls import resolve

    path = SERIOUS[action].format(person=cast.carol.pk)
    if action != "break-glass":
        assert getattr(resolve(path).func, "asks_to_confirm", None), action
    client = as_user(cast.sarah)
    proven_minutes_ago(client, 16)  # the policy's step_up_minutes is 15
    response = client.post(path, {"reason": "Typed before the question"})
    assert response.status_code == 302
    assert response["Location"] == f"/account/confirm/?next={path.replace('/', '%2F')}"


def test_break_glass_confirmed_with_the_app_carries_on_with_the_reason_typed(cast, as_user):
    # Sarah sees everyone; Helen does not see Carol, so uses break-glass. Give Helen an
    # app so she proves it with her second factor.
    device = authenticator_app(cast.helen)
    client = as_user(cast.helen)
    proven_minutes_ago(client, 20)
    reason = "Carol's daughter rang about a fall, her own team is not answering"
    response = client.post(
        f"/people/{cast.carol.pk}/break-glass/",
        {"reason": reason},
        HTTP_REFERER=f"http://testserver/people/{cast.carol.pk}/",
    )
    confirm = client.get(response["Location"]).content.decode()
    assert "To open a record with break-glass, confirm it" in confirm
    assert f'class="nhsuk-back-link" href="http://testserver/people/{cast.carol.pk}/"' in confirm
    assert not BreakGlassAccess.objects.exists()
    proven = client.post(
        response["Location"], {"via": "app", "app-code": authenticator_code(device)}
    )
    carry_on = client.get(proven["Location"]).content.decode()
    assert "Continue: open a record with break-glass" in carry_on
    assert f'value="{reason}"' in carry_on.replace("&#x27;", "'")
    sent = client.post(f"/people/{cast.carol.pk}/break-glass/", {"reason": reason})
    assert sent["Location"] == f"/people/{cast.carol.pk}/"
    assert BreakGlassAccess.objects.get().reason == reason
    assert "step_up_kept" not in client.session


def test_someone_without_a_second_factor_confirms_with_their_password(cast, as_user):
    client = as_user(cast.helen)
    proven_minutes_ago(client, 20, key="identity_confirmed_at")
    response = client.post(f"/people/{cast.carol.pk}/break-glass/", {"reason": "x" * 20})
    page = client.get(response["Location"]).content.decode()
    assert 'name="password"' in page and "authenticator" not in page
    wrong = client.post(response["Location"], {"password": "not her password"})
    assert "That is not your password" in wrong.content.decode()
    right = client.post(response["Location"], {"password": cast.password})
    assert (
        "Continue: open a record with break-glass" in client.get(right["Location"]).content.decode()
    )
    assert Entry.objects.filter(actor="helen", action="confirmed password").exists()


def test_within_step_up_minutes_nothing_is_asked(cast, as_user):
    client = as_user(cast.sarah)
    proven_minutes_ago(client, 10)
    response = client.post(
        "/policy/recording/", {"review_hours-default": "-1", "note": "Trying something"}
    )
    assert response.status_code == 200
    assert "hours to review a concern must be more than 0" in response.content.decode()


def test_a_shorter_step_up_in_the_policy_applies_from_the_next_action(cast, as_user):
    from sharewise.policy import store

    _, document = store.in_force(cast.org.pk, "access")
    changed = document.model_dump()
    changed["second_factor"]["step_up_minutes"] = 5
    store.save_version(cast.org.pk, "access", changed, cast.sarah, "Five minutes")
    client = as_user(cast.sarah)
    proven_minutes_ago(client, 6)
    assert client.post("/policy/recording/", {"document": "x: 1"}).status_code == 302
    assert PolicyVersion.objects.filter(kind="recording").count() <= 1


def test_the_api_refuses_a_serious_action_with_a_token_not_made_just_after_proving(cast):
    _, secret = ApiToken.issue(
        cast.sarah, "made last week", confirmed_at=timezone.now() - timedelta(days=7)
    )
    response = Client().put(
        "/api/v1/policy/patterns",
        {"document": {}, "note": "Loosen it"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 403
    message = response.json()["message"]
    assert "within 15 minutes of proving who you are" in message
    assert "second_factor.step_up_minutes" in message
    # Reading is fine with the same token.
    assert (
        Client().get("/api/v1/policy/patterns", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code
        == 200
    )


def test_a_token_made_in_the_browser_just_after_proving_may_change_policy(cast, as_user):
    client = as_user(cast.sarah)
    created = client.post(
        "/account/api-tokens/",
        {"name": "Policy script", "days": 1, "password": cast.password},
    )
    secret = created.content.decode().split('id="new-token">')[1].split("<")[0]
    response = Client().put(
        "/api/v1/policy/patterns",
        {"document": {}, "note": "Back to the defaults"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 200, response.content


def test_sending_a_referral_through_the_api_with_an_old_token_is_refused(cast, api, patch):  # noqa: F811
    from sharewise.disclosures.models import Disclosure

    referral = ready(cast, api, patch)
    api(cast.sarah).get(f"/api/v1/referrals/{referral['id']}/preview")
    _, secret = ApiToken.issue(
        cast.sarah, "nightly", confirmed_at=timezone.now() - timedelta(hours=3)
    )
    response = Client().post(
        f"/api/v1/referrals/{referral['id']}/send", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert response.status_code == 403
    assert response.json()["message"].startswith("To send a referral through the API")
    assert not Disclosure.objects.exists()
