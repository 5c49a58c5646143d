"""Need to know: who sees whose record, and what break-glass opens."""

import re

from django.test import Client

from sharewise.audittrail.models import Entry
from sharewise.people.models import BreakGlassAccess, Person


def names_seen_by(user):
    return {p.given_name for p in Person.objects.visible_to(user)}


def test_care_workers_see_their_own_teams_people_only(cast):
    assert names_seen_by(cast.nia) == {"Alice"}
    assert names_seen_by(cast.tom) == {"Bob", "Dennis"}
    assert names_seen_by(cast.priya) == {"Carol", "Fiona"}


def test_people_stay_visible_for_90_days_after_leaving_a_team(cast):
    assert "Dennis" in names_seen_by(cast.tom)  # left the Day team 30 days ago
    assert "Edna" not in names_seen_by(cast.nia)  # left the Night team 200 days ago


def test_a_service_manager_sees_every_team_in_the_service(cast):
    assert names_seen_by(cast.helen) == {"Alice", "Bob", "Dennis"}


def test_leads_and_data_protection_officers_see_their_whole_organisation(cast):
    everyone = {"Alice", "Bob", "Carol", "Dennis", "Edna", "Fiona"}
    assert names_seen_by(cast.sarah) == everyone
    assert names_seen_by(cast.david) == everyone
    assert names_seen_by(cast.olivia) == {"Zara"}


def test_administrators_and_auditors_see_no_case_content(cast, as_user):
    assert names_seen_by(cast.owen) == set()
    assert names_seen_by(cast.grace) == set()
    assert as_user(cast.owen).get(f"/people/{cast.alice.pk}/").status_code == 404


def test_out_of_scope_looks_exactly_like_no_such_record(cast, as_user):
    client = as_user(cast.nia)
    hidden = client.get(f"/people/{cast.bob.pk}/")
    missing = client.get("/people/999999/")
    assert hidden.status_code == missing.status_code == 404

    def without_ids(response, person_id):
        page = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", response.content)
        return page.replace(f"/people/{person_id}/".encode(), b"/people/ID/")

    assert without_ids(hidden, cast.bob.pk) == without_ids(missing, 999999)
    assert b"Bob" not in hidden.content


def test_search_finds_by_name_date_of_birth_or_nhs_number_within_scope(cast, as_user):
    client = as_user(cast.sarah)
    assert b"Alice Moore" in client.get("/people/", {"q": "moore"}, follow=True).content
    assert b"Alice Moore" in client.post("/people/", {"q": "02/03/1941"}, follow=True).content
    assert b"Alice Moore" in client.post("/people/", {"q": "943 476 5919"}, follow=True).content
    assert (
        b"Alice Moore"
        not in as_user(cast.tom).post("/people/", {"q": "moore"}, follow=True).content
    )


def test_break_glass_needs_a_reason(cast, as_user):
    response = as_user(cast.nia).post(f"/people/{cast.bob.pk}/break-glass/", {"reason": "need"})
    assert response.status_code == 404
    assert b"at least 10 characters" in response.content
    assert not BreakGlassAccess.objects.exists()


def test_break_glass_opens_the_record_for_this_session_only(cast, as_user):
    client = as_user(cast.nia)
    reason = "Covering the day shift and Bob has had a fall"
    response = client.post(f"/people/{cast.bob.pk}/break-glass/", {"reason": reason})
    assert response.status_code == 302
    page = client.get(f"/people/{cast.bob.pk}/")
    assert page.status_code == 200
    assert b"You are using break-glass access" in page.content
    read = Entry.objects.filter(person_id=cast.bob.pk, actor="nia", action="viewed record").get()
    assert read.reason == reason and read.detail["break_glass"]
    other_session = Client()
    other_session.force_login(cast.nia)
    assert other_session.get(f"/people/{cast.bob.pk}/").status_code == 404


def test_break_glass_cannot_reach_another_organisation(cast, as_user):
    response = as_user(cast.tom).post(
        f"/people/{cast.zara.pk}/break-glass/", {"reason": "Curious about this one"}
    )
    assert response.status_code == 404
    assert not BreakGlassAccess.objects.exists()


def test_the_lead_reviews_break_glass_access(cast, as_user):
    as_user(cast.nia).post(
        f"/people/{cast.bob.pk}/break-glass/", {"reason": "Covering the day shift"}
    )
    grant = BreakGlassAccess.objects.get()
    lead = as_user(cast.sarah)
    listed = lead.get("/break-glass/")
    assert b"Covering the day shift" in listed.content and b"Bob Evans" in listed.content
    lead.post(f"/break-glass/{grant.pk}/review/", {"note": "Appropriate"})
    grant.refresh_from_db()
    assert grant.reviewed_by == cast.sarah and grant.review_note == "Appropriate"
    assert b"Nothing is waiting for review" in lead.get("/break-glass/").content
    assert b"Appropriate" in lead.get("/break-glass/?status=reviewed").content


def test_the_person_page_shows_who_has_looked(cast, as_user):
    as_user(cast.nia).get(f"/people/{cast.alice.pk}/")
    page = as_user(cast.sarah).get(f"/people/{cast.alice.pk}/")
    who = page.content.decode().split('id="who-has-looked"')[1]
    assert "Nia Okafor" in who and "Sarah Whitfield" in who
