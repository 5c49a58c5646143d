"""Reading back what the sharing API records: consents, capacity assessments, sharing
decisions and advice, listed by person, date range and status; answering advice;
amending a decision; the sharing work list. Out of scope answers 404, a role without
permission 403, and every person read is written to the audit trail."""

from datetime import timedelta

from sharewise.api.tests.test_sharing_api import capacity as lacking_capacity
from sharewise.api.tests.test_sharing_api import not_sharing, refusal
from sharewise.audittrail.models import Entry
from sharewise.patterns.models import Notification
from sharewise.sharing.models import DecisionAmendment


def fields(response):
    return {e["field"] for e in response.json()["errors"]}


def ids(response):
    assert response.status_code == 200, response.json()
    return [r["id"] for r in response.json()["results"]]


def capacity(cast):
    return lacking_capacity(
        cast,
        best_interests="do_not_share",
        best_interests_reasons="She would not want the council told, her daughter agrees.",
    )


def departing(cast, api):
    """Helen decides not to share against the recommendation: it waits for countersigning."""
    response = api(cast.helen).post("/api/v1/sharing-decisions", not_sharing(cast))
    assert response.status_code == 201, response.json()
    return response.json()


# Consent ----------------------------------------------------------------------------


def test_consents_are_read_back_by_person_and_date(cast, api):
    made = api(cast.nia).post("/api/v1/consents", refusal(cast)).json()
    today, tomorrow = cast.today.isoformat(), (cast.today + timedelta(days=1)).isoformat()
    lead = api(cast.sarah)
    assert ids(lead.get("/api/v1/consents", {"person_id": cast.alice.pk})) == [made["id"]]
    assert ids(lead.get("/api/v1/consents", {"from": today, "to": today})) == [made["id"]]
    assert ids(lead.get("/api/v1/consents", {"from": tomorrow})) == []
    listed = Entry.objects.filter(action="listed consent records", actor_id=cast.sarah.pk)
    assert listed.filter(person_id=cast.alice.pk).exists()
    one = lead.get(f"/api/v1/consents/{made['id']}")
    assert one.status_code == 200
    assert one.json()["outcome"] == "refused" and one.json()["asked_by"] == "Nia Okafor"
    assert Entry.objects.filter(action="viewed consent record", person_id=cast.alice.pk).exists()


def test_a_consent_outside_scope_is_not_found(cast, api):
    made = api(cast.nia).post("/api/v1/consents", refusal(cast)).json()
    for outsider in (cast.tom, cast.olivia, cast.grace):
        assert api(outsider).get(f"/api/v1/consents/{made['id']}").status_code == 404
        assert ids(api(outsider).get("/api/v1/consents")) == []
    day_team = api(cast.tom).get("/api/v1/consents", {"person_id": cast.alice.pk})
    assert day_team.status_code == 404


def test_a_date_range_the_wrong_way_round_is_refused(cast, api):
    response = api(cast.sarah).get(
        "/api/v1/consents",
        {"from": cast.today.isoformat(), "to": (cast.today - timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 422
    assert fields(response) == {"from"}


# Capacity ---------------------------------------------------------------------------


def test_capacity_assessments_are_read_back_whole(cast, api):
    made = api(cast.nia).post("/api/v1/capacity-assessments", capacity(cast)).json()
    listed = api(cast.helen).get("/api/v1/capacity-assessments", {"person_id": cast.alice.pk})
    assert ids(listed) == [made["id"]]
    one = api(cast.helen).get(f"/api/v1/capacity-assessments/{made['id']}")
    assert one.status_code == 200
    body = one.json()
    assert body["assessor"] == "Nia Okafor" and body["conclusion"] == "lacks_capacity"
    assert body["best_interests"] == "do_not_share" and body["can_understand"] is False
    read = Entry.objects.filter(action="viewed capacity assessment", actor_id=cast.helen.pk)
    assert read.filter(person_id=cast.alice.pk).exists()


def test_a_capacity_assessment_outside_scope_is_not_found(cast, api):
    made = api(cast.nia).post("/api/v1/capacity-assessments", capacity(cast)).json()
    for outsider in (cast.tom, cast.olivia, cast.owen):
        response = api(outsider).get(f"/api/v1/capacity-assessments/{made['id']}")
        assert response.status_code == 404
        assert ids(api(outsider).get("/api/v1/capacity-assessments")) == []


# Sharing decisions ------------------------------------------------------------------


def test_a_persons_decisions_are_listed_by_status(cast, api):
    waiting = departing(cast, api)
    lead = api(cast.sarah)
    alice = {"person_id": cast.alice.pk}
    assert ids(lead.get("/api/v1/sharing-decisions", alice)) == [waiting["id"]]
    found = lead.get("/api/v1/sharing-decisions", {**alice, "status": "awaiting_countersign"})
    assert ids(found) == [waiting["id"]]
    assert found.json()["results"][0]["decided_by"] == "Helen Marsh"
    assert ids(lead.get("/api/v1/sharing-decisions", {**alice, "status": "signed"})) == []
    listed = Entry.objects.filter(action="listed sharing decisions", actor_id=cast.sarah.pk)
    assert listed.filter(person_id=cast.alice.pk).exists()


def test_an_unknown_status_is_named(cast, api):
    response = api(cast.sarah).get("/api/v1/sharing-decisions", {"status": "approved"})
    assert response.status_code == 422
    assert fields(response) == {"status"}


def test_decisions_are_not_listed_to_those_who_may_not_see_them(cast, api):
    departing(cast, api)
    assert ids(api(cast.nia).get("/api/v1/sharing-decisions")) == []
    assert ids(api(cast.olivia).get("/api/v1/sharing-decisions")) == []
    outside = api(cast.tom).get("/api/v1/sharing-decisions", {"person_id": cast.alice.pk})
    assert outside.status_code == 404


# Amending a decision ----------------------------------------------------------------


def test_a_manager_amends_the_review_date_and_the_original_stays(cast, api):
    decision = departing(cast, api)
    later = (cast.today + timedelta(days=35)).isoformat()
    response = api(cast.helen).post(
        f"/api/v1/sharing-decisions/{decision['id']}/amendments",
        {"reason": "The family meeting moved to later", "changes": {"review_date": later}},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["review_date"] == later
    assert body["amendments"][0]["changes"]["review_date"]["from"] == decision["review_date"]
    assert Entry.objects.filter(action="amended sharing decision", person_id=cast.alice.pk)


def test_an_amendment_is_checked_as_on_the_page(cast, api):
    decision = departing(cast, api)
    path = f"/api/v1/sharing-decisions/{decision['id']}/amendments"
    later = (cast.today + timedelta(days=35)).isoformat()
    short = api(cast.helen).post(path, {"reason": "Typo", "changes": {"review_date": later}})
    assert short.status_code == 422 and fields(short) == {"reason"}
    garbled = {"reason": "The meeting moved to later", "changes": {"review_date": "soon"}}
    wrong_day = api(cast.helen).post(path, garbled)
    assert wrong_day.status_code == 422 and fields(wrong_day) == {"review_date"}
    decided = api(cast.helen).post(
        path, {"reason": "We changed our minds today", "changes": {"outcome": "share"}}
    )
    assert decided.status_code == 422
    assert fields(decided) == {"changes"}
    assert not DecisionAmendment.objects.exists()


def test_only_managers_and_leads_amend_and_only_what_they_may_see(cast, api):
    decision = departing(cast, api)
    path = f"/api/v1/sharing-decisions/{decision['id']}/amendments"
    body = {"reason": "The family meeting moved", "changes": {"recipient_name": "Sam"}}
    assert api(cast.nia).post(path, body).status_code == 403
    assert api(cast.david).post(path, body).status_code == 403
    assert api(cast.olivia).post(path, body).status_code == 404
    assert not DecisionAmendment.objects.exists()


# Advice -----------------------------------------------------------------------------


def ask(cast, api, **extra):
    body = {"question": "Should Alice's refusal stand given the call bell?", **extra}
    response = api(cast.nia).post("/api/v1/advice-requests", body)
    assert response.status_code == 201, response.json()
    return response.json()


def test_the_lead_answers_and_the_one_who_asked_reads_it(cast, api):
    question = ask(cast, api, person_id=cast.alice.pk)
    waiting = api(cast.sarah).get("/api/v1/advice-requests", {"status": "waiting"})
    assert ids(waiting) == [question["id"]]
    response = api(cast.sarah).post(
        f"/api/v1/advice-requests/{question['id']}/answer",
        {"answer": "Record her words and ask again next week."},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["answered_by"] == "Sarah Whitfield"
    assert Notification.objects.filter(recipient=cast.nia).exists()
    read = api(cast.nia).get(f"/api/v1/advice-requests/{question['id']}")
    assert read.status_code == 200
    assert read.json()["answer"] == "Record her words and ask again next week."
    assert Entry.objects.filter(action="answered advice", person_id=cast.alice.pk).exists()
    assert Entry.objects.filter(action="viewed advice request", actor_id=cast.nia.pk).exists()


def test_a_question_is_answered_once_and_in_words(cast, api):
    question = ask(cast, api)
    path = f"/api/v1/advice-requests/{question['id']}/answer"
    short = api(cast.sarah).post(path, {"answer": "Yes."})
    assert short.status_code == 422 and fields(short) == {"answer"}
    answered = api(cast.sarah).post(path, {"answer": "Yes, record it and ask again."})
    assert answered.status_code == 200
    again = api(cast.david).post(path, {"answer": "I would escalate it to the council."})
    assert again.status_code == 422 and fields(again) == {"answer"}


def test_only_leads_and_the_officer_answer_and_only_what_they_may_see(cast, api):
    question = ask(cast, api)
    path = f"/api/v1/advice-requests/{question['id']}/answer"
    body = {"answer": "Record her words and ask again."}
    assert api(cast.nia).post(path, body).status_code == 403
    assert api(cast.helen).post(path, body).status_code == 404
    assert api(cast.olivia).post(path, body).status_code == 404
    assert api(cast.tom).get(f"/api/v1/advice-requests/{question['id']}").status_code == 404
    assert ids(api(cast.tom).get("/api/v1/advice-requests")) == []


# Sharing work -----------------------------------------------------------------------


def test_the_officer_sees_what_waits_for_countersignature(cast, api):
    waiting = departing(cast, api)
    response = api(cast.david).get("/api/v1/sharing-work")
    assert response.status_code == 200, response.json()
    assert [d["id"] for d in response.json()["waiting"]] == [waiting["id"]]
    listed = Entry.objects.filter(action="listed sharing work", actor_id=cast.david.pk)
    assert listed.filter(person_id=cast.alice.pk).exists()


def test_care_workers_have_no_sharing_work_list(cast, api):
    assert api(cast.nia).get("/api/v1/sharing-work").status_code == 403
    assert api(cast.owen).get("/api/v1/sharing-work").status_code == 403


def test_listing_consents_costs_the_same_however_many_there_are(cast, api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lead = api(cast.sarah)

    def queries_to_list():
        with CaptureQueriesContext(connection) as seen:
            assert lead.get("/api/v1/consents").status_code == 200
        return len(seen)

    api(cast.nia).post("/api/v1/consents", refusal(cast))
    few = queries_to_list()
    for _ in range(4):
        api(cast.nia).post("/api/v1/consents", refusal(cast))
    assert queries_to_list() == few
