"""Lockout that an attacker cannot turn on the lead: by account and address together,
longer with each lockout, and an address trying many accounts slowed down."""

from datetime import timedelta

from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from sharewise.audittrail.models import Entry
from sharewise.organisations import signin

HOME = "10.1.1.1"  # Rose House's router
ELSEWHERE = "203.0.113.9"


def sign_in(username, password, address):
    return Client(REMOTE_ADDR=address).post(
        "/sign-in/", {"username": username, "password": password}
    )


def test_someone_elsewhere_guessing_cannot_lock_the_lead_out(cast):
    for _ in range(6):
        sign_in("sarah", "guess", ELSEWHERE)
    assert sign_in("sarah", cast.password, ELSEWHERE).status_code == 429
    # From her own office the lead still signs in.
    assert sign_in("sarah", cast.password, HOME).status_code == 302


def test_failures_and_lockouts_are_in_the_trail_without_the_password(cast):
    for _ in range(5):
        sign_in("sarah", "Autumn2026!", ELSEWHERE)
    failed = Entry.objects.filter(action="sign-in failed")
    assert failed.count() == 5
    assert {e.detail["username"] for e in failed} == {"sarah"}
    assert {e.client_address for e in failed} == {ELSEWHERE}
    lockout = Entry.objects.get(action="sign-in locked out", detail__refused=False)
    assert lockout.detail == {"username": "sarah", "why": "account", "refused": False}
    sign_in("sarah", cast.password, ELSEWHERE)
    assert Entry.objects.filter(action="sign-in locked out", detail__refused=True).exists()
    everything = str(list(Entry.objects.values_list("detail", "reason")))
    assert "Autumn2026!" not in everything and cast.password not in everything
    sign_in("sarah", cast.password, HOME)
    signed_in = Entry.objects.get(action="signed in")
    assert signed_in.actor == "sarah" and signed_in.client_address == HOME


def test_each_lockout_of_the_same_pair_lasts_twice_as_long(cast):
    def lock_and_wait():
        for _ in range(5):
            sign_in("tom", "guess", ELSEWHERE)
        attempt = AccessAttempt.objects.get(username="tom", ip_address=ELSEWHERE)
        lasts = attempt.expiration.expires_at - attempt.attempt_time
        # The cool-off passes: what is left is the record of the lockout.
        AccessAttempt.objects.filter(pk=attempt.pk).update(
            attempt_time=timezone.now() - lasts - timedelta(seconds=1)
        )
        attempt.expiration.expires_at = timezone.now() - timedelta(seconds=1)
        attempt.expiration.save()
        return lasts

    first, second, third = lock_and_wait(), lock_and_wait(), lock_and_wait()
    assert first == timedelta(minutes=15)
    assert second == timedelta(minutes=30)
    assert third == timedelta(minutes=60)
    # Signing in starts again from 15 minutes.
    assert sign_in("tom", cast.password, ELSEWHERE).status_code == 302
    assert lock_and_wait() == timedelta(minutes=15)


def test_an_address_trying_many_accounts_is_slowed_down(cast, settings):
    settings.SHAREWISE_SIGN_IN_ADDRESS_LIMIT = 4
    for username in ("nia", "tom", "priya", "helen"):
        sign_in(username, "Winter2026", ELSEWHERE)
    refused = sign_in("david", cast.password, ELSEWHERE)
    assert refused.status_code == 429
    assert "Signing in from here is paused" in refused.content.decode()
    entry = Entry.objects.get(action="sign-in locked out")
    assert entry.detail["why"] == "address" and entry.client_address == ELSEWHERE
    # The same people elsewhere are not affected.
    assert sign_in("david", cast.password, HOME).status_code == 302


def test_a_care_home_behind_one_address_survives_a_few_typos(cast):
    for username in ("nia", "tom", "helen"):
        sign_in(username, "typo", HOME)
    assert not signin.address_slowed(HOME)
    assert sign_in("nia", cast.password, HOME).status_code == 302
