"""The API: same rules as the pages, JSON errors that say what to fix."""

from django.core.management import call_command

from sharewise.audittrail.models import Entry
from sharewise.organisations.models import ApiToken
from sharewise.people.models import Enrolment, Person


def test_without_a_token_the_api_answers_401_with_a_message(client, cast):
    response = client.get("/api/v1/people")
    assert response.status_code == 401
    assert "Bearer" in response.json()["message"]
    bad = client.get("/api/v1/people", HTTP_AUTHORIZATION="Bearer sw_not-a-real-token")
    assert bad.status_code == 401


def test_me_lists_roles_and_scope(cast, api):
    me = api(cast.helen).get("/api/v1/me").json()
    assert me["username"] == "helen"
    assert [(r["role"], r["scope"]) for r in me["roles"]] == [("team_manager", "Rose House")]
    assert set(me["team_ids"]) == {cast.day.pk, cast.night.pk}
    assert me["sees_whole_organisation"] is False
    assert api(cast.david).get("/api/v1/me").json()["sees_whole_organisation"] is True


def test_a_token_has_exactly_its_users_permissions(cast, api):
    nia = api(cast.nia)
    listed = nia.get("/api/v1/people").json()
    assert [p["name"] for p in listed["results"]] == ["Alice Moore"]
    assert nia.get(f"/api/v1/people/{cast.bob.pk}").status_code == 404
    assert nia.get("/api/v1/staff").status_code == 403
    assert nia.get("/api/v1/audit-trail").status_code == 403


def test_out_of_scope_and_missing_people_answer_the_same_404(cast, api):
    nia = api(cast.nia)
    hidden = nia.get(f"/api/v1/people/{cast.bob.pk}")
    missing = nia.get("/api/v1/people/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json() == {"message": "Not found, or not yours to see."}


def test_a_revoked_token_stops_working(cast, client):
    token, secret = ApiToken.issue(cast.sarah, "script")
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    token.revoke()
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_a_token_of_someone_who_has_left_stops_working(cast, client):
    _, secret = ApiToken.issue(cast.sarah, "script")
    cast.sarah.is_active = False
    cast.sarah.save()
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_tokens_are_stored_only_as_a_hash(cast):
    _, secret = ApiToken.issue(cast.sarah, "script")
    stored = ApiToken.objects.get()
    assert secret not in (stored.digest, stored.hint)
    assert len(stored.digest) == 64


def test_create_api_token_prints_a_working_token(cast, client, capsys):
    call_command("create_api_token", "david")
    secret = capsys.readouterr().out.strip()
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert me.json()["username"] == "david"


def test_people_search_and_pagination(cast, api):
    sarah = api(cast.sarah)
    page = sarah.get("/api/v1/people", {"page_size": 2, "page": 2}).json()
    assert page["count"] == 6 and page["pages"] == 3 and len(page["results"]) == 2
    found = sarah.get("/api/v1/people", {"q": "9434765919"}).json()
    assert [p["name"] for p in found["results"]] == ["Alice Moore"]
    invalid = sarah.get("/api/v1/people", {"page_size": 1000})
    assert invalid.status_code == 422
    assert invalid.json()["errors"][0]["field"] == "page_size"


NEW_PERSON = {
    "given_name": "Harold",
    "family_name": "Finch",
    "date_of_birth": "1944-02-29",
    "nhs_number": "401 023 2137",
    "team_id": None,
    "start_date": "2026-11-01",
}


def test_a_manager_adds_a_person_to_their_team(cast, api):
    response = api(cast.helen).post("/api/v1/people", {**NEW_PERSON, "team_id": cast.day.pk})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["nhs_number"] == "4010232137"
    assert [e["team_name"] for e in body["enrolments"]] == ["Day team"]
    assert Entry.objects.filter(action="added person", person_id=body["id"], actor="helen").exists()


def test_adding_a_person_reports_each_bad_field(cast, api):
    response = api(cast.sarah).post(
        "/api/v1/people",
        {
            **NEW_PERSON,
            "team_id": cast.day.pk,
            "nhs_number": "4010232138",
            "date_of_birth": "2999-01-01",
        },
    )
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert "not a valid NHS number" in errors["nhs_number"]
    assert "past" in errors["date_of_birth"]
    assert not Person.objects.filter(family_name="Finch").exists()


def test_adding_a_person_with_missing_fields_names_them(cast, api):
    response = api(cast.sarah).post("/api/v1/people", {"given_name": "Harold"})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"family_name", "date_of_birth", "team_id", "start_date"} <= fields


def test_care_workers_cannot_add_people_and_managers_only_to_their_teams(cast, api):
    assert (
        api(cast.nia).post("/api/v1/people", {**NEW_PERSON, "team_id": cast.night.pk}).status_code
        == 403
    )
    outside = api(cast.helen).post("/api/v1/people", {**NEW_PERSON, "team_id": cast.community.pk})
    assert outside.status_code == 422
    assert outside.json()["errors"][0]["field"] == "team_id"
    assert not Person.objects.filter(family_name="Finch").exists()


def test_enrolling_a_person_with_a_team(cast, api):
    response = api(cast.sarah).post(
        f"/api/v1/people/{cast.alice.pk}/enrolments",
        {"team_id": cast.community.pk, "start_date": "2026-10-01"},
    )
    assert response.status_code == 201
    assert Enrolment.objects.filter(person=cast.alice, team=cast.community).exists()
    backwards = api(cast.sarah).post(
        f"/api/v1/people/{cast.alice.pk}/enrolments",
        {"team_id": cast.day.pk, "start_date": "2026-10-01", "end_date": "2026-09-01"},
    )
    assert backwards.status_code == 422
    assert "end date" in backwards.json()["errors"][0]["message"]


def test_enrolling_someone_out_of_scope_is_404(cast, api):
    response = api(cast.helen).post(
        f"/api/v1/people/{cast.carol.pk}/enrolments",
        {"team_id": cast.day.pk, "start_date": "2026-10-01"},
    )
    assert response.status_code == 404


def test_the_trail_can_be_searched_and_verified_by_leads(cast, api, as_user):
    as_user(cast.nia).get(f"/people/{cast.alice.pk}/")
    david = api(cast.david)
    found = david.get("/api/v1/audit-trail", {"person": cast.alice.pk, "user": "nia"}).json()
    assert [e["action"] for e in found["results"]] == ["viewed record"]
    verified = david.get("/api/v1/audit-trail/verify").json()
    assert verified["intact"] is True and verified["checked"] > 0


def test_staff_lists_roles_for_leads_and_administrators(cast, api):
    staff = api(cast.owen).get("/api/v1/staff").json()
    nia = next(s for s in staff if s["username"] == "nia")
    assert nia["roles"][0]["scope"] == "Night team, Rose House"
    assert "olivia" not in {s["username"] for s in staff}


def test_structure_is_limited_to_your_organisation(cast, api):
    services = api(cast.nia).get("/api/v1/services").json()
    assert {s["name"] for s in services} == {"Rose House", "Riverside Home Care"}
    teams = api(cast.olivia).get("/api/v1/teams").json()
    assert [t["name"] for t in teams] == ["Elm team"]


def test_the_openapi_schema_is_published(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/people/{person_id}" in schema["paths"]
