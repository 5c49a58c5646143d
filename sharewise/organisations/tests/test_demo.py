from datetime import date

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from sharewise.organisations import demo
from sharewise.organisations.models import Membership, Role, Service, Team
from sharewise.people import demo as people_demo
from sharewise.people.models import Person


def test_the_demo_organisation_has_every_role_and_realistic_size(db, capsys):
    call_command("load_demo")
    assert Service.objects.count() == 3
    assert Team.objects.count() == 8
    assert 100 <= Person.objects.count() <= 140
    assert 35 <= get_user_model().objects.count() <= 45
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    assert any(p.is_child for p in Person.objects.all())
    call_command("load_demo", "--if-empty")
    assert Service.objects.count() == 3


def test_the_demo_is_the_same_every_time(db):
    def build_and_read():
        with transaction.atomic():
            org = demo.build_demo(date(2026, 11, 25))
            people_demo.extend_demo(org, date(2026, 11, 25))
            people = list(
                Person.objects.order_by("id").values_list(
                    "given_name", "family_name", "date_of_birth", "nhs_number"
                )
            )
            staff = list(get_user_model().objects.order_by("id").values_list("username", flat=True))
            transaction.set_rollback(True)
        return people, staff

    assert build_and_read() == build_and_read()


def test_every_demo_sign_in_works_with_the_documented_password(db):
    from django.test import Client

    call_command("load_demo")
    for login in demo.DEMO_LOGINS:
        client = Client()
        response = client.post(
            "/sign-in/", {"username": login.username, "password": demo.DEMO_PASSWORD}
        )
        assert response.status_code == 302, login.username


def test_the_demo_lead_signs_in_with_the_code_demo_code_prints(db, capsys):
    from django.test import Client

    call_command("load_demo")
    capsys.readouterr()
    call_command("demo_code", "lead")
    code = capsys.readouterr().out.strip()
    assert code.isdigit() and len(code) == 6
    client = Client()
    client.post("/sign-in/", {"username": "lead", "password": demo.DEMO_PASSWORD})
    answer = client.post("/sign-in/second-factor/", {"via": "app", "app-code": code})
    assert answer.status_code == 302
    assert client.get("/oversight/").status_code == 200


def test_demo_code_prints_nothing_for_an_account_outside_the_demo(cast):
    import pytest
    from django.core.management.base import CommandError

    from conftest import authenticator_app

    authenticator_app(cast.sarah)
    with pytest.raises(CommandError, match="not a demo account"):
        call_command("demo_code", "sarah")
    with pytest.raises(CommandError, match="not a demo account"):
        call_command("demo_code", "carer.night")
