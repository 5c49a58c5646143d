"""The organisation's staff, structure and approvals through the API: what the pages
do, with the pages' permission and checks (another organisation's record is not found,
a role that may not is refused, bad input names the field)."""

import json

import pytest
from django.utils import timezone

from sharewise.audittrail.models import Entry
from sharewise.organisations.models import (
    ApiToken,
    Membership,
    RoleRequest,
    Service,
    SingleSignOnIdentity,
    Team,
    TemporaryPassword,
)

STRONG = "Plum-orchard-lantern-93"


@pytest.fixture
def call(client):
    """call(user, "PATCH", path, body): the API with a fresh, recently confirmed token."""

    def send(user, method, path, body=None):
        _, secret = ApiToken.issue(user, "test", confirmed_at=timezone.now())
        return client.generic(
            method,
            path,
            json.dumps(body) if body is not None else "",
            content_type="application/json",
            headers={"Authorization": f"Bearer {secret}"},
        )

    return send


def _fields(response):
    return {e["field"] for e in response.json()["errors"]}


def test_owen_adds_a_care_worker_whose_role_waits_for_the_lead(cast, call):
    body = {
        "username": "ada.new",
        "first_name": "Ada",
        "last_name": "Nwosu",
        "email": "ada@oakleigh.example",
        "password": STRONG,
        "role": "care_worker",
        "team_id": cast.night.pk,
    }
    answer = call(cast.owen, "POST", "/api/v1/staff", body)
    assert answer.status_code == 201, answer.content
    added = answer.json()
    assert added["username"] == "ada.new" and added["roles"] == []
    assert [r["role"] for r in added["roles_waiting"]] == ["care_worker"]
    assert TemporaryPassword.objects.filter(user_id=added["id"]).exists()
    assert RoleRequest.objects.get(user_id=added["id"]).requested_by == cast.owen
    assert Entry.objects.filter(action="added staff member", actor="owen").exists()
    # Read back by the lead, not by another organisation's.
    assert call(cast.sarah, "GET", f"/api/v1/staff/{added['id']}").json()["name"] == "Ada Nwosu"
    assert call(cast.olivia, "GET", f"/api/v1/staff/{added['id']}").status_code == 404


def test_adding_staff_is_checked_as_the_page_checks_it_and_nothing_is_half_written(cast, call):
    body = {
        "username": "nia",  # taken
        "first_name": "Ada",
        "last_name": "Nwosu",
        "password": "short",
        "role": "auditor",
        "team_id": cast.night.pk,  # an auditor works across the organisation
    }
    answer = call(cast.owen, "POST", "/api/v1/staff", body)
    assert answer.status_code == 422
    assert {"username", "password", "team_id"} <= _fields(answer)
    assert not Membership.objects.filter(user__first_name="Ada").exists()
    # Only administrators add staff.
    assert call(cast.sarah, "POST", "/api/v1/staff", body).status_code == 403


def test_owen_changes_nias_details_but_cannot_stop_himself_signing_in(cast, call):
    answer = call(cast.owen, "PATCH", f"/api/v1/staff/{cast.nia.pk}", {"email": "nia@x.example"})
    assert answer.status_code == 200 and answer.json()["email"] == "nia@x.example"
    assert answer.json()["first_name"] == "Nia"  # what was not sent stays
    refused = call(cast.owen, "PATCH", f"/api/v1/staff/{cast.owen.pk}", {"is_active": False})
    assert refused.status_code == 422 and _fields(refused) == {"is_active"}
    cast.owen.refresh_from_db()
    assert cast.owen.is_active
    # Another organisation's member of staff is not found, even for an administrator.
    assert call(cast.owen, "PATCH", f"/api/v1/staff/{cast.olivia.pk}", {}).status_code == 404
    assert call(cast.sarah, "PATCH", f"/api/v1/staff/{cast.nia.pk}", {}).status_code == 403


def test_a_leaver_stops_signing_in_through_the_api_too(cast, call):
    token, _ = ApiToken.issue(cast.nia, "Nia's script")
    answer = call(cast.owen, "PATCH", f"/api/v1/staff/{cast.nia.pk}", {"is_active": False})
    assert answer.status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_temporary_password_and_second_factor_reset_are_for_someone_else(cast, call):
    path = f"/api/v1/staff/{cast.nia.pk}/temporary-password"
    assert call(cast.owen, "POST", path, {"password": "short"}).status_code == 422
    assert call(cast.owen, "POST", path, {"password": STRONG}).status_code == 204
    assert TemporaryPassword.objects.get(user=cast.nia).set_by == cast.owen
    own = call(
        cast.owen, "POST", f"/api/v1/staff/{cast.owen.pk}/temporary-password", {"password": STRONG}
    )
    assert own.status_code == 422
    assert call(cast.sarah, "POST", path, {"password": STRONG}).status_code == 403

    reset = f"/api/v1/staff/{cast.nia.pk}/second-factors/reset"
    assert call(cast.owen, "POST", reset, {"reason": "lost"}).status_code == 422
    done = call(cast.owen, "POST", reset, {"reason": "Phone stolen, told me in person"})
    assert done.status_code == 200 and done.json() == {"removed": 0}
    assert Entry.objects.filter(action="reset second factors", actor="owen").exists()
    assert (
        call(
            cast.owen,
            "POST",
            f"/api/v1/staff/{cast.olivia.pk}/second-factors/reset",
            {"reason": "Phone stolen, told me in person"},
        ).status_code
        == 404
    )


def test_services_and_teams_are_added_and_changed_by_administrators(cast, call):
    answer = call(
        cast.owen, "POST", "/api/v1/services", {"name": "Willow Lodge", "kind": "care_home"}
    )
    assert answer.status_code == 201
    willow = Service.objects.get(pk=answer.json()["id"])
    assert willow.organisation == cast.org
    clash = call(cast.owen, "POST", "/api/v1/services", {"name": "rose house", "kind": "care_home"})
    assert clash.status_code == 422 and _fields(clash) == {"name"}
    closed = call(cast.owen, "PATCH", f"/api/v1/services/{willow.pk}", {"is_active": False})
    assert closed.json()["is_active"] is False and closed.json()["name"] == "Willow Lodge"

    team = call(cast.owen, "POST", "/api/v1/teams", {"service_id": willow.pk, "name": "Days"})
    assert team.status_code == 201 and Team.objects.get(pk=team.json()["id"]).service == willow
    twice = call(cast.owen, "POST", "/api/v1/teams", {"service_id": willow.pk, "name": "days"})
    assert twice.status_code == 422 and _fields(twice) == {"name"}
    elsewhere = call(
        cast.owen, "POST", "/api/v1/teams", {"service_id": cast.other_service.pk, "name": "X"}
    )
    assert elsewhere.status_code == 422 and _fields(elsewhere) == {"service_id"}
    renamed = call(cast.owen, "PATCH", f"/api/v1/teams/{cast.night.pk}", {"name": "Nights"})
    assert renamed.json()["name"] == "Nights" and renamed.json()["service_id"] == cast.rose.pk

    # Refused to others; another organisation's service or team is not found.
    assert (
        call(cast.sarah, "POST", "/api/v1/services", {"name": "A", "kind": "care_home"}).status_code
        == 403
    )
    assert (
        call(cast.owen, "PATCH", f"/api/v1/services/{cast.other_service.pk}", {}).status_code == 404
    )
    assert call(cast.owen, "PATCH", f"/api/v1/teams/{cast.other_team.pk}", {}).status_code == 404


def test_sign_in_links_are_approved_by_someone_else_through_the_api(cast, call):
    link = SingleSignOnIdentity.objects.create(
        user=cast.tom, issuer="https://id.oakleigh.example", subject="tom", linked_by=cast.owen
    )
    listed = call(cast.david, "GET", "/api/v1/identity-links").json()
    assert [item["subject"] for item in listed] == ["tom"]
    assert call(cast.owen, "GET", "/api/v1/identity-links").status_code == 403
    assert call(cast.olivia, "POST", f"/api/v1/identity-links/{link.pk}/approve").status_code == 404
    no_reason = call(
        cast.sarah, "POST", f"/api/v1/identity-links/{link.pk}/decline", {"reason": " "}
    )
    assert no_reason.status_code == 422
    approved = call(cast.david, "POST", f"/api/v1/identity-links/{link.pk}/approve")
    assert approved.status_code == 200
    link.refresh_from_db()
    assert link.approved_by == cast.david


def test_owen_links_and_unlinks_an_identity_when_single_sign_on_is_set_up(
    cast, call, with_single_sign_on
):
    path = f"/api/v1/staff/{cast.sarah.pk}/single-sign-on"
    linked = call(cast.owen, "PUT", path, {"subject": " entra-sarah "})
    assert linked.status_code == 200 and linked.json()["approved"] is False
    assert SingleSignOnIdentity.objects.get(user=cast.sarah).subject == "entra-sarah"
    taken = call(
        cast.owen, "PUT", f"/api/v1/staff/{cast.nia.pk}/single-sign-on", {"subject": "entra-sarah"}
    )
    assert taken.status_code == 422 and _fields(taken) == {"subject"}
    assert (
        call(
            cast.owen, "PUT", f"/api/v1/staff/{cast.owen.pk}/single-sign-on", {"subject": "mine"}
        ).status_code
        == 403
    )
    assert (
        call(
            cast.owen, "PUT", f"/api/v1/staff/{cast.olivia.pk}/single-sign-on", {"subject": "hers"}
        ).status_code
        == 404
    )
    assert call(cast.owen, "DELETE", path).status_code == 204
    assert not SingleSignOnIdentity.objects.filter(user=cast.sarah).exists()


def test_each_person_lists_and_revokes_only_their_own_tokens(cast, call):
    token, _ = ApiToken.issue(cast.nia, "Nia's script")
    listed = call(cast.nia, "GET", "/api/v1/api-tokens").json()
    assert "Nia's script" in {t["name"] for t in listed}
    assert "Nia's script" not in {
        t["name"] for t in call(cast.tom, "GET", "/api/v1/api-tokens").json()
    }
    assert call(cast.owen, "DELETE", f"/api/v1/api-tokens/{token.pk}").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert call(cast.nia, "DELETE", f"/api/v1/api-tokens/{token.pk}").status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Entry.objects.filter(action="revoked API token", actor="nia").exists()
