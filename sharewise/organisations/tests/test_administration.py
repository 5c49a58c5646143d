"""Administrators manage services, teams and staff; nobody else can."""

from sharewise.audittrail.models import Entry
from sharewise.organisations.access import scope_for
from sharewise.organisations.models import Membership, Role, RoleRequest, Service, Team


def test_an_administrator_adds_a_service_and_a_team(cast, as_user):
    owen = as_user(cast.owen)
    response = owen.post(
        "/organisation/services/new/",
        {"name": "Willow Court", "kind": "supported_living", "is_active": "on"},
    )
    assert response.status_code == 302
    willow = Service.objects.get(name="Willow Court")
    assert willow.organisation == cast.org
    owen.post(
        "/organisation/teams/new/", {"service": willow.pk, "name": "Flat 1 team", "is_active": "on"}
    )
    assert Team.objects.filter(service=willow, name="Flat 1 team").exists()
    assert b"Flat 1 team" in owen.get("/organisation/").content
    assert set(Entry.objects.filter(actor="owen").values_list("action", flat=True)) >= {
        "added service",
        "added team",
    }


def test_duplicate_names_are_refused_with_a_message(cast, as_user):
    owen = as_user(cast.owen)
    response = owen.post("/organisation/services/new/", {"name": "rose house", "kind": "care_home"})
    assert response.status_code == 200
    assert b"There is already a service with this name" in response.content
    response = owen.post("/organisation/teams/new/", {"service": cast.rose.pk, "name": "Day Team"})
    assert b"already has a team with this name" in response.content
    assert Service.objects.filter(organisation=cast.org).count() == 2


def test_an_administrator_cannot_put_a_team_in_another_organisations_service(cast, as_user):
    response = as_user(cast.owen).post(
        "/organisation/teams/new/", {"service": cast.other_service.pk, "name": "Sneaky"}
    )
    assert b"Select service from the choices given" in response.content
    assert not Team.objects.filter(name="Sneaky").exists()


def test_an_administrator_adds_a_staff_member_with_a_first_role(cast, as_user):
    owen = as_user(cast.owen)
    response = owen.post(
        "/organisation/staff/new/",
        {
            "staff-username": "j.okafor",
            "staff-first_name": "Jo",
            "staff-last_name": "Okafor",
            "staff-email": "jo@example.org",
            "staff-password": "a long enough passphrase",
            "role-role": "care_worker",
            "role-scope": f"team:{cast.day.pk}",
        },
    )
    assert response.status_code == 302
    # A care worker opens people's records: nothing until the lead approves.
    assert not Membership.objects.filter(user__username="j.okafor").exists()
    waiting = RoleRequest.objects.get(user__username="j.okafor")
    as_user(cast.sarah).post(f"/organisation/role-requests/{waiting.pk}/approve/")
    membership = Membership.objects.get(user__username="j.okafor")
    assert (membership.role, membership.team) == ("care_worker", cast.day)
    assert membership.user.password.startswith("argon2")
    assert {
        p.given_name
        for p in __import__(
            "sharewise.people.models", fromlist=["Person"]
        ).Person.objects.visible_to(membership.user)
    } == {"Bob", "Dennis"}


def test_a_weak_password_or_missing_role_saves_nothing(cast, as_user):
    response = as_user(cast.owen).post(
        "/organisation/staff/new/",
        {
            "staff-username": "weak",
            "staff-first_name": "W",
            "staff-last_name": "K",
            "staff-password": "password",
            "role-role": "",
            "role-scope": "",
        },
    )
    assert response.status_code == 200
    assert b"This password is too short" in response.content
    assert b"Select where" in response.content
    assert not Membership.objects.filter(user__username="weak").exists()


def test_roles_are_added_and_removed(cast, as_user):
    owen = as_user(cast.owen)
    owen.post(
        f"/organisation/staff/{cast.nia.pk}/roles/",
        {"role-role": "team_manager", "role-scope": f"service:{cast.riverside.pk}"},
    )
    waiting = RoleRequest.objects.get(user=cast.nia, role=Role.TEAM_MANAGER)
    as_user(cast.david).post(f"/organisation/role-requests/{waiting.pk}/approve/")
    manager = Membership.objects.get(user=cast.nia, role=Role.TEAM_MANAGER)
    assert manager.service == cast.riverside
    owen = as_user(cast.owen)
    again = owen.post(
        f"/organisation/staff/{cast.nia.pk}/roles/",
        {"role-role": "team_manager", "role-scope": f"service:{cast.riverside.pk}"},
        follow=True,
    )
    assert b"already have that role" in again.content
    owen.post(f"/organisation/staff/{cast.nia.pk}/roles/{manager.pk}/remove/")
    assert not Membership.objects.filter(pk=manager.pk).exists()
    assert Entry.objects.filter(action="removed role", detail__user=cast.nia.pk).exists()


def test_an_administrator_cannot_lock_themselves_out(cast, as_user):
    owen = as_user(cast.owen)
    mine = Membership.objects.get(user=cast.owen)
    owen.post(f"/organisation/staff/{cast.owen.pk}/roles/{mine.pk}/remove/")
    assert Membership.objects.filter(pk=mine.pk).exists()
    response = owen.post(
        f"/organisation/staff/{cast.owen.pk}/",
        {"details-first_name": "Owen", "details-last_name": "Price"},
    )
    assert b"You cannot stop yourself signing in" in response.content
    cast.owen.refresh_from_db()
    assert cast.owen.is_active


def test_staff_of_another_organisation_are_out_of_reach(cast, as_user):
    assert as_user(cast.owen).get(f"/organisation/staff/{cast.olivia.pk}/").status_code == 404


def test_only_administrators_manage_the_organisation(cast, as_user):
    for user in (cast.nia, cast.helen, cast.sarah, cast.david, cast.grace):
        client = as_user(user)
        assert client.get("/organisation/").status_code == 403
        assert (
            client.post("/organisation/services/new/", {"name": "X", "kind": "other"}).status_code
            == 403
        )
    assert not Service.objects.filter(name="X").exists()


def test_scope_expands_service_and_organisation_memberships_to_teams(cast):
    assert scope_for(cast.helen).team_ids == {cast.day.pk, cast.night.pk}
    assert scope_for(cast.helen).managed_team_ids == {cast.day.pk, cast.night.pk}
    assert scope_for(cast.nia).managed_team_ids == set()
    Membership.objects.create(user=cast.grace, organisation=cast.org, role=Role.CARE_WORKER)
    cast.grace.refresh_from_db()
    assert scope_for(cast.grace).team_ids == {cast.day.pk, cast.night.pk, cast.community.pk}
