"""Merging two records of one person, and undoing it: nothing lost, everything
traced, both records back exactly as they were."""

from datetime import timedelta

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from sharewise.audittrail.models import Entry
from sharewise.concerns import recording
from sharewise.concerns.models import ConcernPerson
from sharewise.people.models import Enrolment, Person, PersonMerge


def _concern(cast, person, team, facts, actor):
    draft = recording.Draft(
        people=[person],
        occurred_at=timezone.now() - timedelta(hours=3),
        service=team.service,
        team=team,
        categories=["neglect"],
        answers={
            "facts": facts,
            "immediate_action": "Made sure they were safe.",
            "sharing_view": "agrees",
            "injury": "none",
            "information_source": "observed",
            "severity": "low",
            "source_kind": "unknown",
        },
    )
    return recording.record(None, cast.org.pk, draft, actor=actor)


@pytest.fixture
def twin(cast):
    """Alice recorded a second time, by the Day team, with a concern of her own."""
    alise = Person.objects.create(
        organisation=cast.org,
        given_name="Alise",
        family_name="Moore",
        preferred_name="Ally",
        date_of_birth=cast.alice.date_of_birth,
        communication_needs="Hearing aid in the left ear",
    )
    Enrolment.objects.create(person=alise, team=cast.day, start_date=cast.today)
    cast.alice_concern = _concern(cast, cast.alice, cast.night, "No drink all night.", cast.nia)
    cast.twin_concern = _concern(cast, alise, cast.day, "Bruise on her arm.", cast.tom)
    return alise


def _snapshot(*people):
    """Every field of each person, their enrolments and their concern links."""
    return {
        p.pk: (
            model_to_dict(Person.objects.get(pk=p.pk)),
            sorted(map(model_to_dict, Enrolment.objects.filter(person=p)), key=str),
            sorted(ConcernPerson.objects.filter(person=p).values_list("concern_id", flat=True)),
        )
        for p in people
    }


def _merge(api, cast, keep, merge, reason="Same person: confirmed with her GP surgery"):
    return api(cast.sarah).post(
        "/api/v1/people/merge", {"keep_id": keep.pk, "merge_id": merge.pk, "reason": reason}
    )


def test_a_merge_then_an_undo_restores_both_records_exactly(cast, twin, api):
    before = _snapshot(cast.alice, twin)
    merged = _merge(api, cast, cast.alice, twin)
    assert merged.status_code == 201, merged.content
    assert Person.objects.get(pk=twin.pk).merged_into_id == cast.alice.pk
    assert _snapshot(cast.alice, twin) != before

    undone = api(cast.sarah).post(
        f"/api/v1/people/merges/{merged.json()['id']}/undo", {"reason": "Merged in error"}
    )
    assert undone.status_code == 200, undone.content
    assert undone.json()["undone_by"] == "sarah"
    assert _snapshot(cast.alice, twin) == before
    listed = {
        p["id"] for p in api(cast.sarah).get("/api/v1/people?page_size=100").json()["results"]
    }
    assert {cast.alice.pk, twin.pk} <= listed


def test_after_a_merge_the_kept_chronology_holds_both_peoples_concerns(cast, twin, as_user, api):
    _merge(api, cast, cast.alice, twin)
    page = as_user(cast.sarah).get(f"/people/{cast.alice.pk}/chronology/")
    assert b"No drink all night." in page.content and b"Bruise on her arm." in page.content
    # the merged record's concern still opens, now that its person is reached through Alice
    assert as_user(cast.sarah).get(f"/concerns/{cast.twin_concern.pk}/").status_code == 200
    person_page = as_user(cast.sarah).get(f"/people/{cast.alice.pk}/")
    assert b"Merged records" in person_page.content and b"Day team" in person_page.content
    record = api(cast.sarah).get(f"/api/v1/people/{cast.alice.pk}").json()
    assert record["merged_records"] == [twin.pk]
    assert {e["team_name"] for e in record["enrolments"]} == {"Night team", "Day team"}


def test_a_merged_record_leaves_lists_and_its_link_leads_to_the_kept_one(cast, twin, as_user, api):
    _merge(api, cast, cast.alice, twin)
    listed = {
        p["id"] for p in api(cast.sarah).get("/api/v1/people?page_size=100").json()["results"]
    }
    assert twin.pk not in listed and cast.alice.pk in listed
    response = as_user(cast.sarah).get(f"/people/{twin.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/people/{cast.alice.pk}/"
    # Tom supported the merged record (Day team), so he now finds the person by the kept one
    tom = as_user(cast.tom)
    assert tom.get(f"/people/{twin.pk}/")["Location"] == f"/people/{cast.alice.pk}/"
    assert tom.get(f"/people/{cast.alice.pk}/").status_code == 200
    Person.objects.filter(pk=twin.pk).update(nhs_number="4010232137")
    found = api(cast.sarah).get("/api/v1/people?q=401 023 2137").json()["results"]
    assert [p["id"] for p in found] == [cast.alice.pk]
    # someone who may not see the kept record learns nothing
    assert as_user(cast.olivia).get(f"/people/{twin.pk}/").status_code == 404


def test_the_merge_is_in_the_trail_against_both_people(cast, twin, api):
    merged = _merge(api, cast, cast.alice, twin).json()
    api(cast.sarah).post(f"/api/v1/people/merges/{merged['id']}/undo", {})
    for action in ("merged records", "undid merge of records"):
        people = set(Entry.objects.filter(action=action).values_list("person_id", flat=True))
        assert people == {cast.alice.pk, twin.pk}, action


def test_the_merge_page_shows_both_records_and_asks_for_a_reason(cast, twin, as_user):
    lead = as_user(cast.sarah)
    path = f"/people/{cast.alice.pk}/merge/{twin.pk}/"
    page = lead.get(path)
    assert b"Alise Moore" in page.content and b"Hearing aid in the left ear" in page.content
    refused = lead.post(path, {"keep": cast.alice.pk, "reason": ""})
    assert refused.status_code == 200 and b"Give a reason" in refused.content
    done = lead.post(path, {"keep": cast.alice.pk, "reason": "Confirmed with her daughter"})
    assert done.status_code == 302 and done["Location"] == f"/people/{cast.alice.pk}/"
    merge = PersonMerge.objects.get()
    assert lead.get(f"/people/{cast.alice.pk}/").content.count(b"Undo merge") == 1
    undone = lead.post(f"/people/merges/{merge.pk}/undo/", {"reason": "Wrong person"})
    assert undone.status_code == 302
    assert Person.objects.get(pk=twin.pk).merged_into_id is None


def test_care_workers_and_managers_cannot_merge_or_undo(cast, twin, as_user, api):
    for user in (cast.nia, cast.helen, cast.david):
        response = api(user).post(
            "/api/v1/people/merge",
            {"keep_id": cast.alice.pk, "merge_id": twin.pk, "reason": "They look the same"},
        )
        assert response.status_code == 403, user
        assert as_user(user).get(f"/people/{cast.alice.pk}/merge/{twin.pk}/").status_code == 403
    assert Person.objects.get(pk=twin.pk).merged_into_id is None
    merge = _merge(api, cast, cast.alice, twin).json()
    response = api(cast.nia).post(f"/api/v1/people/merges/{merge['id']}/undo", {})
    assert response.status_code == 403
    assert as_user(cast.nia).post(f"/people/merges/{merge['id']}/undo/").status_code == 403


@pytest.mark.parametrize(
    ("keep", "merge", "field", "message"),
    [
        ("alice", "alice", "merge_id", "Choose two different records"),
        ("alice", "twin", "reason", "Give a reason"),
        ("bob", "alice", "merge_id", "different NHS numbers"),
    ],
)
def test_invalid_merges_answer_422_with_field_messages(
    cast, twin, api, keep, merge, field, message
):
    cast.twin = twin
    if keep == "bob":
        Person.objects.filter(pk=cast.bob.pk).update(nhs_number="4010232137")
    response = api(cast.sarah).post(
        "/api/v1/people/merge",
        {
            "keep_id": getattr(cast, keep).pk,
            "merge_id": getattr(cast, merge).pk,
            "reason": "" if field == "reason" else "Confirmed with the GP",
        },
    )
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert any(e["field"] == field and message in e["message"] for e in errors), errors


def test_an_already_merged_record_cannot_be_merged_or_kept_again(cast, twin, api):
    merge = _merge(api, cast, cast.alice, twin).json()
    again = _merge(api, cast, cast.bob, twin)
    assert again.status_code == 422 and "already merged" in again.content.decode()
    kept = _merge(api, cast, twin, cast.bob)
    assert kept.status_code == 422 and "already merged" in kept.content.decode()
    chained = _merge(api, cast, cast.bob, cast.alice)
    assert chained.status_code == 422 and "keep this record instead" in chained.content.decode()
    api(cast.sarah).post(f"/api/v1/people/merges/{merge['id']}/undo", {})
    twice = api(cast.sarah).post(f"/api/v1/people/merges/{merge['id']}/undo", {})
    assert twice.status_code == 422


def test_people_out_of_scope_answer_404(cast, twin, api):
    assert _merge(api, cast, cast.alice, cast.zara).status_code == 404
    response = api(cast.olivia).post(
        "/api/v1/people/merge",
        {"keep_id": cast.alice.pk, "merge_id": twin.pk, "reason": "Confirmed with the GP"},
    )
    assert response.status_code == 404
