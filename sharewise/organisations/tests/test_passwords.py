"""Passwords: changed at will, a temporary one changed at first sign-in, reset by an
emailed link that expires, validators wherever a password is set."""

import re
from datetime import timedelta
from types import SimpleNamespace

from django.core import mail
from django.test import Client
from django.utils import timezone

from sharewise.audittrail.models import Entry
from sharewise.organisations import staffing
from sharewise.organisations.models import TemporaryPassword

NEW = "a-longer-passphrase-of-her-own"


def sign_in(client, username, password):
    return client.post("/sign-in/", {"username": username, "password": password})


def change(client, old, new, again=None):
    return client.post(
        "/account/password/",
        {"old_password": old, "new_password1": new, "new_password2": again or new},
    )


def test_staff_change_their_password_and_their_other_sessions_end(cast):
    phone, desk = Client(), Client()
    sign_in(phone, "nia", cast.password)
    sign_in(desk, "nia", cast.password)
    response = change(desk, cast.password, NEW)
    assert response["Location"] == "/account/security/"
    assert desk.get("/people/").status_code == 200  # this session carries on
    assert phone.get("/people/")["Location"].startswith("/sign-in/")  # the other ended
    assert sign_in(Client(), "nia", NEW).status_code == 302
    assert Entry.objects.filter(actor="nia", action="changed password").exists()
    assert NEW not in str(list(Entry.objects.values_list("detail", flat=True)))


def test_a_new_password_must_pass_every_validator_and_says_what_to_fix(cast, as_user):
    client = as_user(cast.nia)
    short = change(client, cast.password, "short1").content.decode()
    assert "This password is too short. It must contain at least 12 characters." in short
    common = change(client, cast.password, "password1234").content.decode()
    assert "This password is too common." in common
    wrong_old = change(client, "not the old one", NEW).content.decode()
    assert "Your old password was entered incorrectly" in wrong_old


def test_a_temporary_password_from_the_administrator_must_be_changed_at_first_sign_in(
    cast, as_user
):
    admin = as_user(cast.owen)
    weak = admin.post(f"/organisation/staff/{cast.tom.pk}/password/", {"password-password": "tom"})
    assert weak.status_code == 400 and "too short" in weak.content.decode()
    admin.post(
        f"/organisation/staff/{cast.tom.pk}/password/",
        {"password-password": "temporary-for-tom-1"},
    )
    assert TemporaryPassword.objects.filter(user=cast.tom).exists()
    assert Entry.objects.filter(actor="owen", action="set temporary password").exists()
    tom = Client()
    sign_in(tom, "tom", "temporary-for-tom-1")
    held = tom.get("/people/")
    assert held["Location"] == "/account/password/?next=%2Fpeople%2F"
    assert "Choose your own password" in tom.get(held["Location"]).content.decode()
    response = tom.post(
        "/account/password/?next=/people/",
        {
            "old_password": "temporary-for-tom-1",
            "new_password1": NEW,
            "new_password2": NEW,
            "next": "/people/",
        },
    )
    assert response["Location"] == "/people/"
    assert not TemporaryPassword.objects.filter(user=cast.tom).exists()
    assert tom.get("/people/").status_code == 200


def test_an_administrator_adding_someone_sets_a_temporary_password(cast, as_user):
    as_user(cast.owen).post(
        "/organisation/staff/new/",
        {
            "staff-username": "j.okafor",
            "staff-first_name": "Jo",
            "staff-last_name": "Okafor",
            "staff-email": "jo@example.org",
            "staff-password": "temporary-for-jo-1",
            "role-role": "care_worker",
            "role-scope": f"team:{cast.day.pk}",
        },
    )
    assert TemporaryPassword.objects.filter(user__username="j.okafor").exists()


def test_an_administrator_cannot_set_their_own_temporary_password(cast, as_user):
    response = as_user(cast.owen).post(
        f"/organisation/staff/{cast.owen.pk}/password/",
        {"password-password": "temporary-for-owen-1"},
    )
    assert response.status_code == 400
    assert "Change your own password under Sign-in and security" in response.content.decode()


def reset_link(cast):
    cast.nia.email = "nia@oakleigh.example"
    cast.nia.save()
    Client().post("/password-reset/", {"email": "nia@oakleigh.example"})
    (message,) = mail.outbox
    return message, re.search(r"https?://[^/]+(/password-reset/\S+)", message.body).group(1)


def test_a_reset_link_by_email_names_nobody_and_works_once(cast):
    message, link = reset_link(cast)
    assert "Nia" not in message.body and "Okafor" not in message.body
    assert "nia" not in message.body.replace("Sharewise", "")
    assert "30 minutes" in message.body
    client = Client()
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert done["Location"] == "/password-reset/done/"
    assert sign_in(Client(), "nia", NEW).status_code == 302
    again = Client().get(link, follow=True).content.decode()
    assert "This link has expired" in again
    assert Entry.objects.filter(actor="nia", action="reset password by email link").exists()


def test_a_reset_link_stops_working_after_30_minutes(cast, settings, monkeypatch):
    assert settings.PASSWORD_RESET_TIMEOUT == 30 * 60
    _, link = reset_link(cast)
    from django.contrib.auth.tokens import default_token_generator

    later = default_token_generator._now() + timedelta(minutes=31)
    monkeypatch.setattr(default_token_generator, "_now", lambda: later)
    page = Client().get(link, follow=True).content.decode()
    assert "This link has expired" in page


def test_asking_for_a_link_for_an_unknown_address_looks_the_same(cast):
    response = Client().post("/password-reset/", {"email": "nobody@example.org"})
    assert response["Location"] == "/password-reset/sent/"
    assert not mail.outbox


def test_no_reset_link_goes_to_an_address_an_administrator_just_set(cast, as_user, monkeypatch):
    """Otherwise an administrator could set a care worker's email to their own, ask for
    a reset link, and sign in as them with everything they may see."""
    cast.nia.email = "nia.okafor@oakleigh.example"
    cast.nia.save()
    owen = as_user(cast.owen)
    page = owen.get(f"/organisation/staff/{cast.nia.pk}/").content.decode()
    fields = dict(re.findall(r'name="(details-[a-z_]+)"[^>]*value="([^"]*)"', page))
    fields.update({"details-email": "owen.at.home@example.com", "details-is_active": "on"})
    assert owen.post(f"/organisation/staff/{cast.nia.pk}/", fields).status_code == 302
    cast.nia.refresh_from_db()
    assert cast.nia.email == "owen.at.home@example.com"
    # Nia's old address hears of it.
    told = [m for m in mail.outbox if m.to == ["nia.okafor@oakleigh.example"]]
    assert told and "changed the email address" in told[0].body
    mail.outbox.clear()
    Client().post("/password-reset/", {"email": "owen.at.home@example.com"})
    assert mail.outbox == []
    # Three days on, the address has settled and a link may go to it.
    later = timezone.now() + timedelta(hours=73)
    monkeypatch.setattr(staffing, "timezone", SimpleNamespace(now=lambda: later))
    Client().post("/password-reset/", {"email": "owen.at.home@example.com"})
    assert [m.to for m in mail.outbox] == [["owen.at.home@example.com"]]
