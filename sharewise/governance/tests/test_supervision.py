"""Supervision focused on judgement: a manager goes through a care worker's recent
work with challenge prompts, records reflection and learning, and sees who is overdue."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import record_concern
from sharewise.audittrail.models import Entry
from sharewise.disclosures.tests.test_referrals import by
from sharewise.governance import supervision
from sharewise.governance.models import Supervision
from sharewise.policy import store

REFLECTION = "I wrote what I saw but not what Alice said; next time her words first."
LEARNING = "Record the person's own words; ask who else might know something."


def _data(**over):
    return {
        "items": [],
        "responses": {"0": "It could be neglect at night, not just a busy shift."},
        "reflection": REFLECTION,
        "learning": LEARNING,
        **over,
    }


def test_a_manager_supervises_the_care_workers_in_their_teams_only(cast):
    c = cast
    mine = set(supervision.supervisees(c.helen, c.org.pk))
    assert mine == {c.nia, c.tom}  # Rose House; not Priya (Community North), not herself
    assert set(supervision.supervisees(c.sarah, c.org.pk)) >= {c.nia, c.tom, c.priya, c.helen}
    assert not supervision.supervisees(c.nia, c.org.pk).exists()


def test_material_is_that_persons_recent_work(cast):
    c = cast
    hers = record_concern(c, by=c.nia, days_ago=3)
    record_concern(c, person=c.bob, team=c.day, by=c.tom, days_ago=2)
    old = record_concern(c, by=c.nia, days_ago=200)
    work = supervision.material(c.helen, c.nia, c.org.pk)
    assert [r["id"] for r in work["concerns"]] == [hers.pk]
    assert old.pk not in [r["id"] for r in work["concerns"]]
    assert work["concerns"][0]["person"] == c.alice


def test_recording_a_session_keeps_the_chosen_work_prompts_and_learning(cast):
    c = cast
    concern = record_concern(c, by=c.nia, days_ago=3)
    session = supervision.record(
        by(c.helen), c.org.pk, c.nia, _data(items=[f"concern:{concern.pk}"])
    )
    _, policy = store.in_force(c.org.pk, "governance")
    assert session.items[0]["id"] == concern.pk
    assert session.prompts == [
        {"prompt": policy.challenge_prompts[0], "response": _data()["responses"]["0"]}
    ]
    assert session.next_due == timezone.localdate() + timedelta(days=policy.supervision_every_days)
    assert Entry.objects.filter(action="supervision.record", object_id=str(session.pk)).exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"responses": {}}, "responses"),
        ({"reflection": "Fine."}, "reflection"),
        ({"learning": ""}, "learning"),
        ({"items": ["concern:999999"]}, "items"),
        ({"next_due": "tomorrow"}, "next_due"),
    ],
)
def test_a_session_missing_its_substance_is_refused(cast, change, field):
    with pytest.raises(ValidationError) as refused:
        supervision.record(by(cast.helen), cast.org.pk, cast.nia, _data(**change))
    assert field in refused.value.message_dict
    assert not Supervision.objects.exists()


def test_a_manager_cannot_supervise_someone_outside_their_teams(cast):
    with pytest.raises(ValidationError) as refused:
        supervision.record(by(cast.helen), cast.org.pk, cast.priya, _data())
    assert "staff" in refused.value.message_dict


def test_overdue_staff_are_flagged_first(cast):
    c = cast
    supervision.record(by(c.helen), c.org.pk, c.tom, _data())
    rows = supervision.overview(c.helen, c.org.pk)
    assert [(r.staff, r.overdue) for r in rows] == [(c.nia, True), (c.tom, False)]
    later = timezone.localdate() + timedelta(days=120)
    rows = supervision.overview(c.helen, c.org.pk, today=later)
    assert all(r.overdue for r in rows)


def test_the_supervision_pages(cast, as_user):
    c = cast
    concern = record_concern(c, by=c.nia, days_ago=3)
    client = as_user(c.helen)
    listing = client.get("/governance/supervision/").content.decode()
    assert "Nia Okafor" in listing and "Overdue" in listing and "Priya" not in listing
    page = client.get(f"/governance/supervision/staff/{c.nia.pk}/")
    assert "What else could this be?" in page.content.decode()
    assert Entry.objects.filter(
        action="viewed supervision material", person_id=c.alice.pk, actor_id=c.helen.pk
    ).exists()
    refused = client.post(f"/governance/supervision/staff/{c.nia.pk}/", {"reflection": "Kept"})
    assert "Answer at least one challenge question" in refused.content.decode()
    assert "Kept" in refused.content.decode()
    done = client.post(
        f"/governance/supervision/staff/{c.nia.pk}/",
        {
            "items": [f"concern:{concern.pk}"],
            "response_1": "The night nurse might have seen it too.",
            "reflection": REFLECTION,
            "learning": LEARNING,
        },
    )
    session = Supervision.objects.get()
    assert done.status_code == 302 and done.url == f"/governance/supervision/{session.pk}/"
    assert session.supervisor == c.helen and session.staff == c.nia
    client.get(done.url)
    assert Entry.objects.filter(
        action="viewed supervision record", person_id=c.alice.pk, object_id=str(session.pk)
    ).exists()


def test_supervision_is_refused_to_those_who_do_not_supervise(cast, as_user):
    c = cast
    assert as_user(c.nia).get("/governance/supervision/").status_code == 403
    assert as_user(c.grace).get("/governance/supervision/").status_code == 403
    # A manager cannot open a session with someone outside their teams.
    assert as_user(c.helen).get(f"/governance/supervision/staff/{c.priya.pk}/").status_code == 404
    session = supervision.record(by(c.sarah), c.org.pk, c.priya, _data())
    assert as_user(c.helen).get(f"/governance/supervision/{session.pk}/").status_code == 404


def test_a_care_worker_reads_their_own_supervision_and_nobody_elses(cast, as_user):
    c = cast
    concern = record_concern(c, by=c.nia, days_ago=3)
    session = supervision.record(
        by(c.helen), c.org.pk, c.nia, _data(items=[f"concern:{concern.pk}"])
    )
    nia = as_user(c.nia)
    listing = nia.get("/supervision/").content.decode()
    assert "Helen" in listing and f'href="/governance/supervision/{session.pk}/"' in listing
    assert "Record the person&#x27;s own words" in listing
    assert f"{session.next_due:%-d %B %Y}" in listing and "Overdue" not in listing
    page = nia.get(f"/governance/supervision/{session.pk}/").content.decode()
    assert "next time her words first" in page and "Alice&#x27;s call bell" in page
    assert 'href="/supervision/"' in page  # back to her own record, not the managers' list
    assert Entry.objects.filter(
        action="viewed supervision record", person_id=c.alice.pk, actor_id=c.nia.pk
    ).exists()

    # Tom, in the same home, has none of his own and cannot open hers.
    assert (
        "You have no supervision recorded yet"
        in as_user(c.tom).get("/supervision/").content.decode()
    )
    assert as_user(c.tom).get(f"/governance/supervision/{session.pk}/").status_code == 404
    assert as_user(c.grace).get(f"/governance/supervision/{session.pk}/").status_code == 404


def test_own_supervision_is_overdue_once_the_next_session_date_passes(cast):
    c = cast
    assert supervision.own(c.nia, c.org.pk).overdue  # never supervised
    session = supervision.record(by(c.helen), c.org.pk, c.nia, _data())
    assert not supervision.own(c.nia, c.org.pk).overdue
    mine = supervision.own(c.nia, c.org.pk, today=session.next_due + timedelta(days=1))
    assert mine.overdue and mine.sessions == [session]


def test_a_discussed_record_about_someone_the_reader_cannot_see_now_keeps_its_place_not_its_words(
    cast, as_user
):
    c = cast
    concern = record_concern(c, by=c.nia, days_ago=3)
    session = supervision.record(
        by(c.helen), c.org.pk, c.nia, _data(items=[f"concern:{concern.pk}"])
    )
    # Alice left the Night team long enough ago that Nia no longer sees her record.
    c.alice.enrolments.update(end_date=timezone.localdate() - timedelta(days=120))
    page = as_user(c.nia).get(f"/governance/supervision/{session.pk}/").content.decode()
    assert "A record about someone you cannot see now" in page
    assert "call bell" not in page
    assert not Entry.objects.filter(
        action="viewed supervision record", person_id=c.alice.pk, actor_id=c.nia.pk
    ).exists()
    # The lead still sees what was discussed.
    assert (
        "call bell"
        in as_user(c.sarah).get(f"/governance/supervision/{session.pk}/").content.decode()
    )
