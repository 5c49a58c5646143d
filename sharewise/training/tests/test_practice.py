"""The practice space: the casebook with each member of staff's best score, working a
case through the wizard's own questions, and the results, seen by the member of staff,
their team manager and the lead."""

from datetime import timedelta

from django.utils import timezone

from sharewise.audittrail.models import Entry
from sharewise.training import assignments, practice
from sharewise.training.models import Assigned, Attempt
from sharewise.training.tests.practice_helpers import form_data, right_choices

BANNER = "Practice case: not a real person. Nothing here is shared or recorded on anyone"


def start(client, code):
    response = client.post(f"/training/practice/{code}/start/")
    assert response.status_code == 302
    return Attempt.objects.latest("id"), response["Location"]


def test_the_casebook_lists_every_case_marked_as_practice(cast, as_user):
    page = as_user(cast.nia).get("/training/practice/").content.decode()
    assert BANNER in page
    assert "<title>Practice: cases" in page
    assert "Margaret says no" in page
    assert "Not tried yet" in page


def test_a_care_worker_works_a_referral_case_to_full_marks(cast, as_user):
    client = as_user(cast.nia)
    attempt, where = start(client, "financial_referral_minimum")
    page = client.get(where).content.decode()
    assert BANNER in page and "<title>Practice: Dorothy agrees" in page
    # the wizard's own questions, and the care record to choose from
    assert "Has the person agreed to this sharing?" in page
    assert "Is sharing needed to achieve the purpose?" in page
    assert "Which fields will the referral send?" in page
    assert "Joan Ellery: replace with [another resident]" in page
    _, chosen = right_choices("financial_referral_minimum")
    response = client.post(where, form_data(chosen))
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.score == 100 and attempt.finished_at
    results = client.get(where).content.decode()
    assert "Score: 100%" in results and BANNER in results
    assert "[another resident]" in results  # what the recipient would have read
    entry = Entry.objects.get(action="practised a case", object_id=str(attempt.pk))
    assert entry.person_id is None and entry.object_type == "practice attempt"
    assert entry.detail["score"] == 100
    listed = client.get("/training/practice/").content.decode()
    assert "100%" in listed


def test_the_whole_care_record_scores_low_and_the_results_say_why(cast, as_user):
    client = as_user(cast.tom)
    attempt, where = start(client, "financial_referral_minimum")
    case, chosen = right_choices("financial_referral_minimum")
    data = form_data(chosen)
    data["fields"] = list(case.referral.record)
    data["removed"] = []
    client.post(where, data)
    attempt.refresh_from_db()
    assert attempt.score <= 40
    results = client.get(where).content.decode()
    assert "Sent beyond the minimum: " in results
    assert "Care notes (A whole record is never part of a referral" in results
    assert (
        "Names not removed: Amira Shah (a care worker), Joan Ellery (another resident)" in results
    )


def test_missing_answers_are_named_beside_their_questions(cast, as_user):
    client = as_user(cast.nia)
    attempt, where = start(client, "refused_emotional_abuse")
    response = client.post(where, {"consent": "not_sought"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and "<title>Error: Practice:" in page
    assert "Say why the person has not been asked" in page
    assert "Your decision: choose an answer" in page
    attempt.refresh_from_db()
    assert attempt.finished_at is None


def test_finishing_an_assigned_case_marks_the_assignment_done(cast, as_user, rf):
    request = rf.post("/")
    request.user = cast.sarah
    assignment = assignments.assign(
        request,
        organisation_id=cast.org.pk,
        what="case",
        case_code="refused_emotional_abuse",
        due=timezone.localdate() + timedelta(days=7),
        team_ids=[cast.night.pk],
    )
    client = as_user(cast.nia)
    attempt, where = start(client, "refused_emotional_abuse")
    _, chosen = right_choices("refused_emotional_abuse")
    client.post(where, form_data(chosen))
    done = Assigned.objects.get(assignment=assignment, staff=cast.nia)
    assert done.completed_at is not None and done.attempt_id == attempt.pk


def test_a_finished_attempt_is_never_changed(cast, as_user):
    client = as_user(cast.nia)
    attempt, where = start(client, "refused_emotional_abuse")
    _, chosen = right_choices("refused_emotional_abuse")
    client.post(where, form_data(chosen))
    wrong = form_data(chosen) | {"outcome": "do_not_share", "override_grounds": []}
    assert client.post(where, wrong).status_code == 302
    attempt.refresh_from_db()
    assert attempt.score == 100
    assert attempt.answers["decision"]["outcome"] == "share_without_consent"


def test_results_are_seen_by_their_manager_and_the_lead_and_nobody_else(cast, as_user, client):
    nias = as_user(cast.nia)
    attempt, where = start(nias, "refused_emotional_abuse")
    _, chosen = right_choices("refused_emotional_abuse")
    nias.post(where, form_data(chosen))
    for who, status in (
        (cast.helen, 200),
        (cast.sarah, 200),
        (cast.tom, 404),
        (cast.david, 404),
        (cast.olivia, 404),
        (cast.owen, 403),
    ):
        client.logout()
        response = as_user(who).get(where)
        assert response.status_code == status, who.username
        if status == 200:
            assert "Score: 100%" in response.content.decode()


def test_someone_else_cannot_answer_an_unfinished_attempt(cast, as_user, client):
    attempt, where = start(as_user(cast.nia), "refused_emotional_abuse")
    client.logout()
    helen = as_user(cast.helen)
    page = helen.get(where).content.decode()
    assert "This attempt is not finished yet." in page
    _, chosen = right_choices("refused_emotional_abuse")
    assert helen.post(where, form_data(chosen)).status_code == 403


def test_an_administrator_may_not_practise_and_an_unknown_case_is_not_found(cast, as_user):
    assert as_user(cast.owen).get("/training/practice/").status_code == 403
    assert as_user(cast.nia).post("/training/practice/no_such_case/start/").status_code == 404


def test_best_scores_are_the_member_of_staffs_own(cast):
    Attempt.objects.create(
        organisation=cast.org,
        staff=cast.nia,
        case_code="refused_emotional_abuse",
        case_title="x",
        case_digest="x",
        score=60,
        finished_at=timezone.now(),
    )
    assert practice.best_scores(cast.nia) == {"refused_emotional_abuse": 60}
    assert practice.best_scores(cast.tom) == {}
