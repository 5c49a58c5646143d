"""The care record through the API: the care planning system sends entries on behalf
of the person's team manager or a lead, anyone who may see the person reads them back,
and every read and write is in the trail."""

from datetime import timedelta

from django.utils import timezone

from sharewise.audittrail.models import Entry
from sharewise.people.models import CareNote, Person


def _path(person):
    return f"/api/v1/people/{person.pk}/care-record"


def _entry(**changes):
    return {
        "kind": "medication",
        "text": "Donepezil 10mg at night",
        "written_at": (timezone.now() - timedelta(days=2)).isoformat(),
        "written_by": "Rose House care plan",
        "source_id": "plan-77",
        **changes,
    }


def test_the_team_manager_adds_an_entry_and_it_is_trailed(cast, api):
    response = api(cast.helen).post(_path(cast.alice), _entry())
    assert response.status_code == 201, response.content
    note = CareNote.objects.get()
    assert (note.person, note.kind, note.source_id) == (cast.alice, "medication", "plan-77")
    added = Entry.objects.get(action="added care record entry")
    assert added.person_id == cast.alice.pk and added.actor == "helen"


def test_sending_the_same_entry_again_changes_nothing(cast, api):
    helen = api(cast.helen)
    entry = _entry()
    first = helen.post(_path(cast.alice), entry)
    again = helen.post(_path(cast.alice), entry)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert CareNote.objects.count() == 1


def test_a_different_entry_under_a_used_source_id_is_refused(cast, api):
    helen = api(cast.helen)
    helen.post(_path(cast.alice), _entry())
    response = helen.post(_path(cast.alice), _entry(text="Donepezil 5mg at night"))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["source_id"]
    assert CareNote.objects.get().text == "Donepezil 10mg at night"


def test_bad_entries_name_the_field_and_nothing_is_written(cast, api):
    future = (timezone.now() + timedelta(days=1)).isoformat()
    for change, field in (
        ({"kind": "allergy"}, "kind"),
        ({"text": "   "}, "text"),
        ({"written_at": future}, "written_at"),
    ):
        response = api(cast.sarah).post(_path(cast.alice), _entry(**change))
        assert response.status_code == 422, change
        assert field in [e["field"] for e in response.json()["errors"]], response.json()
    assert not CareNote.objects.exists()
    assert not Entry.objects.filter(action="added care record entry").exists()


def test_only_the_persons_team_manager_or_a_lead_writes_it(cast, api):
    # Nia cares for Alice and David sees every record, but neither is accountable for
    # her care plan: refused. Tom and Grace do not see Alice, Olivia works elsewhere.
    for user in (cast.nia, cast.david):
        assert api(user).post(_path(cast.alice), _entry()).status_code == 403, user
    for user in (cast.tom, cast.grace, cast.owen, cast.olivia):
        assert api(user).post(_path(cast.alice), _entry()).status_code == 404, user
    assert api(cast.sarah).post(_path(cast.zara), _entry()).status_code == 404
    assert not CareNote.objects.exists()


def test_those_who_see_the_person_read_it_back_with_filters(cast, api):
    now = timezone.now()
    for kind, text, days_ago in (
        ("medication", "Donepezil 10mg at night", 40),
        ("diagnosis", "Alzheimer's disease", 20),
        ("note", "Settles better with the radio on", 1),
    ):
        CareNote.objects.create(
            person=cast.alice, kind=kind, text=text, written_at=now - timedelta(days=days_ago)
        )
    CareNote.objects.create(person=cast.bob, kind="note", text="Bob's own note")
    nia = api(cast.nia)
    everything = nia.get(_path(cast.alice)).json()
    assert [e["kind"] for e in everything] == ["medication", "diagnosis", "note"]
    assert [e["text"] for e in nia.get(_path(cast.alice), {"kind": "diagnosis"}).json()] == [
        "Alzheimer's disease"
    ]
    since = (timezone.localdate() - timedelta(days=30)).isoformat()
    until = (timezone.localdate() - timedelta(days=2)).isoformat()
    ranged = nia.get(_path(cast.alice), {"from": since, "to": until}).json()
    assert [e["kind"] for e in ranged] == ["diagnosis"]
    assert nia.get(_path(cast.alice), {"kind": "allergy"}).status_code == 422


def test_every_read_is_written_to_the_trail(cast, api):
    CareNote.objects.create(person=cast.alice, kind="note", text="Likes tea")
    api(cast.david).get(_path(cast.alice))
    read = Entry.objects.get(action="read care record")
    assert read.actor == "david" and read.person_id == cast.alice.pk


def test_those_who_may_not_see_the_person_are_not_told_it_exists(cast, api):
    CareNote.objects.create(person=cast.alice, kind="note", text="Likes tea")
    for user in (cast.tom, cast.grace, cast.owen, cast.olivia):
        assert api(user).get(_path(cast.alice)).status_code == 404, user
    assert not Entry.objects.filter(action="read care record").exists()


def test_a_merged_records_entries_show_on_the_kept_record(cast, api):
    twin = Person.objects.create(
        organisation=cast.org,
        given_name="Alise",
        family_name="Moore",
        date_of_birth=cast.alice.date_of_birth,
        merged_into=cast.alice,
    )
    CareNote.objects.create(person=twin, kind="diagnosis", text="Type 2 diabetes")
    texts = [e["text"] for e in api(cast.sarah).get(_path(cast.alice)).json()]
    assert texts == ["Type 2 diabetes"]
