"""Whatever the people pages write, an integrator can read back through the API and
list with filters: enrolments, merges and break-glass openings, and review the last."""

from datetime import timedelta

from sharewise.people.models import BreakGlassAccess, Enrolment, Person


def test_a_persons_enrolments_by_status_and_days(cast, api):
    sarah = api(cast.sarah)
    path = f"/api/v1/people/{cast.edna.pk}/enrolments"
    ended = sarah.get(path, {"status": "ended"}).json()
    assert [e["team_name"] for e in ended] == ["Night team"]
    assert sarah.get(path, {"status": "current"}).json() == []
    recent = (cast.today - timedelta(days=30)).isoformat()
    assert sarah.get(path, {"from": recent}).json() == []
    assert len(sarah.get(f"/api/v1/people/{cast.alice.pk}/enrolments").json()) == 1


def test_enrolments_answer_as_the_person_does(cast, api):
    path = f"/api/v1/people/{cast.alice.pk}/enrolments"
    assert api(cast.nia).get(path).status_code == 200
    for user in (cast.tom, cast.grace, cast.owen, cast.olivia):
        assert api(user).get(path).status_code == 404, user


def _twin(cast):
    twin = Person.objects.create(
        organisation=cast.org,
        given_name="Alise",
        family_name="Moore",
        date_of_birth=cast.alice.date_of_birth,
    )
    Enrolment.objects.create(person=twin, team=cast.night, start_date=cast.today)
    return twin


def test_merges_are_listed_for_leads_by_person_and_status(cast, api):
    twin = _twin(cast)
    sarah = api(cast.sarah)
    merge = sarah.post(
        "/api/v1/people/merge",
        {"keep_id": cast.alice.pk, "merge_id": twin.pk, "reason": "Confirmed with the GP"},
    ).json()
    listed = sarah.get("/api/v1/people/merges", {"person_id": twin.pk}).json()
    assert [m["id"] for m in listed] == [merge["id"]]
    assert sarah.get("/api/v1/people/merges", {"person_id": cast.bob.pk}).json() == []
    assert sarah.get("/api/v1/people/merges", {"status": "undone"}).json() == []
    sarah.post(f"/api/v1/people/merges/{merge['id']}/undo", {"reason": "Wrong person"})
    undone = sarah.get("/api/v1/people/merges", {"status": "undone"}).json()
    assert [m["undo_reason"] for m in undone] == ["Wrong person"]
    tomorrow = (cast.today + timedelta(days=1)).isoformat()
    assert sarah.get("/api/v1/people/merges", {"from": tomorrow}).json() == []
    assert api(cast.nia).get("/api/v1/people/merges").status_code == 403
    assert api(cast.olivia).get("/api/v1/people/merges").json() == []


def test_merging_answers_as_the_merge_page_does(cast, api, as_user):
    twin = _twin(cast)
    body = {"keep_id": cast.alice.pk, "merge_id": twin.pk, "reason": "Confirmed with the GP"}
    # Tom does not see Alice: not found, on the page and by the API alike.
    assert api(cast.tom).post("/api/v1/people/merge", body).status_code == 404
    assert as_user(cast.tom).get(f"/people/{cast.alice.pk}/merge/{twin.pk}/").status_code == 404
    # Nia sees her but may not merge: refused, on both.
    assert api(cast.nia).post("/api/v1/people/merge", body).status_code == 403
    assert Person.objects.get(pk=twin.pk).merged_into_id is None


def test_break_glass_openings_are_listed_and_reviewed_through_the_api(cast, api, as_user):
    as_user(cast.nia).post(f"/people/{cast.bob.pk}/break-glass/", {"reason": "Covering days"})
    grant = BreakGlassAccess.objects.get()
    david = api(cast.david)
    waiting = david.get("/api/v1/break-glass", {"status": "not-reviewed"}).json()
    assert [(g["person_name"], g["opened_by"]) for g in waiting] == [("Bob Evans", "nia")]
    assert david.get("/api/v1/break-glass", {"person_id": cast.alice.pk}).json() == []
    reviewed = david.post(f"/api/v1/break-glass/{grant.pk}/review", {"note": "Appropriate"})
    assert reviewed.status_code == 200 and reviewed.json()["reviewed_by"] == "david"
    assert david.get("/api/v1/break-glass", {"status": "not-reviewed"}).json() == []
    done = david.get("/api/v1/break-glass", {"status": "reviewed"}).json()
    assert [g["review_note"] for g in done] == ["Appropriate"]


def test_break_glass_review_is_refused_or_not_found_as_on_the_page(cast, api, as_user):
    as_user(cast.nia).post(f"/people/{cast.bob.pk}/break-glass/", {"reason": "Covering days"})
    grant = BreakGlassAccess.objects.get()
    path = f"/api/v1/break-glass/{grant.pk}/review"
    for user in (cast.nia, cast.helen, cast.grace, cast.owen):
        assert api(user).post(path, {"note": "Fine"}).status_code == 403, user
        assert api(user).get("/api/v1/break-glass").status_code == 403, user
    assert api(cast.olivia).post(path, {"note": "Fine"}).status_code == 404
    assert api(cast.olivia).get("/api/v1/break-glass").json() == []
    assert BreakGlassAccess.objects.get().reviewed_at is None


def test_no_one_reviews_their_own_break_glass(cast, api):
    own = BreakGlassAccess.objects.create(
        user=cast.david, person=cast.bob, reason="Checking a complaint", session_key="x"
    )
    response = api(cast.david).post(f"/api/v1/break-glass/{own.pk}/review", {"note": "Fine"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["note"]
