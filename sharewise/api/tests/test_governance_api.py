"""The governance API: audits run in the background and their findings are listed with
only the names the caller may see; actions, meetings and their agendas, supervision,
lessons and evidence packs answer as the pages do."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import audit_finding, record_concern
from sharewise.audittrail.models import Entry
from sharewise.background import working
from sharewise.governance.models import Action, AuditRun, EvidencePack, Finding, Meeting
from sharewise.policy import store


def _finding(cast):
    return audit_finding(cast, person=cast.alice, concern=record_concern(cast, days_ago=5))


def test_running_an_audit_answers_at_once_and_runs_in_the_background(transactional_cast, api):
    c = transactional_cast
    record_concern(c, days_ago=3)
    answer = api(c.grace).post(
        "/api/v1/audits",
        {"period_from": str(c.today - timedelta(days=30)), "period_to": str(c.today)},
    )
    assert answer.status_code == 202
    body = answer.json()
    assert body["status"] == "queued" and body["progress"] == 0
    assert working.run_ready() == 1
    done = api(c.grace).get(f"/api/v1/audits/{body['id']}").json()
    assert done["status"] == "done" and done["progress"] == 100
    _, policy = store.in_force(c.org.pk, "governance")
    assert set(done["counts"]) == {x.code for x in policy.criteria if x.enabled}


def test_a_period_ending_in_the_future_is_refused_with_what_to_fix(cast, api):
    answer = api(cast.sarah).post(
        "/api/v1/audits",
        {"period_from": str(cast.today), "period_to": str(cast.today + timedelta(days=3))},
    )
    assert answer.status_code == 422
    assert any(e["field"] == "period_to" for e in answer.json()["errors"])
    assert not AuditRun.objects.exists()


def test_findings_name_only_people_the_caller_may_see(cast, api):
    run, finding = _finding(cast)
    as_lead = api(cast.sarah).get(f"/api/v1/audits/{run.pk}/findings").json()
    assert as_lead["findings"][0]["person_name"] == "Alice Moore"
    assert Entry.objects.filter(
        action="viewed audit findings", actor_id=cast.sarah.pk, person_id=cast.alice.pk
    ).exists()
    as_auditor = api(cast.grace).get(f"/api/v1/audits/{run.pk}/findings").json()
    shown = as_auditor["findings"][0]
    assert shown["person_id"] is None and shown["person_name"] is None
    assert shown["summary"] == finding.summary
    assert not Entry.objects.filter(actor_id=cast.grace.pk, person_id=cast.alice.pk).exists()


def test_care_workers_and_other_organisations_cannot_read_findings(cast, api):
    run, _ = _finding(cast)
    assert api(cast.nia).get(f"/api/v1/audits/{run.pk}/findings").status_code == 403
    assert api(cast.olivia).get(f"/api/v1/audits/{run.pk}/findings").status_code == 404


def test_an_action_on_a_finding_needs_an_owner_from_the_organisation(cast, api):
    _, finding = _finding(cast)
    due = str(cast.today + timedelta(days=10))
    outsider = api(cast.sarah).post(
        f"/api/v1/findings/{finding.pk}/actions",
        {"description": "Remind the night team", "owner_id": cast.olivia.pk, "due": due},
    )
    assert outsider.status_code == 422
    assert not Action.objects.exists()
    agreed = api(cast.sarah).post(
        f"/api/v1/findings/{finding.pk}/actions",
        {
            "description": "Remind the night team of review times",
            "owner_id": cast.helen.pk,
            "due": due,
        },
    )
    assert agreed.status_code == 201 and agreed.json()["owner"] == "Helen Marsh"
    finding.refresh_from_db()
    assert finding.status == Finding.Status.ACTIONED


def test_the_agenda_lists_the_refusals_and_alerts_and_is_trailed(cast, api):
    for days in (9, 5, 2):
        record_concern(cast, days_ago=days)
    scheduled = api(cast.sarah).post(
        "/api/v1/meetings", {"held_at": (timezone.now() + timedelta(hours=2)).isoformat()}
    )
    assert scheduled.status_code == 201
    meeting = scheduled.json()
    assert meeting["service"] == "Whole organisation"
    agenda = api(cast.sarah).get(f"/api/v1/meetings/{meeting['id']}/agenda").json()
    alerts = next(s for s in agenda["sections"] if s["code"] == "alerts")
    assert {i["person_id"] for i in alerts["items"]} == {cast.alice.pk}
    assert Entry.objects.filter(
        action="viewed meeting agenda", person_id=cast.alice.pk, detail__via="api"
    ).exists()
    assert api(cast.helen).get(f"/api/v1/meetings/{meeting['id']}/agenda").status_code == 403
    assert api(cast.olivia).get(f"/api/v1/meetings/{meeting['id']}/agenda").status_code == 404
    assert [m["id"] for m in api(cast.sarah).get("/api/v1/meetings").json()] == [meeting["id"]]
    assert api(cast.olivia).get("/api/v1/meetings").json() == []
    assert Meeting.objects.count() == 1


def test_the_lead_minutes_an_agenda_item_with_an_action_and_it_is_followed_up(cast, api):
    from sharewise.governance.models import Minute

    for days in (9, 5, 2):
        record_concern(cast, days_ago=days)
    lead = api(cast.sarah)
    meeting = lead.post(
        "/api/v1/meetings", {"held_at": (timezone.now() + timedelta(hours=2)).isoformat()}
    ).json()
    agenda = lead.get(f"/api/v1/meetings/{meeting['id']}/agenda").json()
    alert = next(s for s in agenda["sections"] if s["code"] == "alerts")["items"][0]
    path = f"/api/v1/meetings/{meeting['id']}/minutes"
    due = str(cast.today + timedelta(days=7))
    action = {
        "description": "Ask the night nurse what she saw",
        "owner_id": cast.helen.pk,
        "due": due,
    }

    # Nothing is half-written: a bad owner refuses the minute as well as the action.
    refused = lead.post(
        path,
        {
            "item": alert["key"],
            "discussion": "Three concerns in nine days at night.",
            "action": action | {"owner_id": cast.olivia.pk},
        },
    )
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json()["errors"]} == {"action.owner_id"}
    unknown = lead.post(
        path, {"item": "alert:999999", "discussion": "Three concerns in nine days."}
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "item"
    short = lead.post(path, {"item": alert["key"], "discussion": "Noted."})
    assert short.status_code == 422 and short.json()["errors"][0]["field"] == "discussion"
    assert not Minute.objects.exists() and not Action.objects.exists()

    minuted = lead.post(
        path,
        {
            "item": alert["key"],
            "discussion": "Three concerns in nine days, all at night.",
            "decision": "Escalate to the local authority if there is another.",
            "action": action,
        },
    )
    assert minuted.status_code == 201
    body = minuted.json()
    assert body["recorded_by"] == "Sarah Whitfield"
    assert [(a["owner"], a["meeting_id"]) for a in body["actions"]] == [
        ("Helen Marsh", meeting["id"])
    ]
    assert Entry.objects.filter(action="meeting.minute", person_id=cast.alice.pk).exists()

    # The next meeting's agenda carries the action until it is done.
    later = lead.post(
        "/api/v1/meetings", {"held_at": (timezone.now() + timedelta(days=28)).isoformat()}
    ).json()
    follow_up = next(
        s
        for s in lead.get(f"/api/v1/meetings/{later['id']}/agenda").json()["sections"]
        if s["code"] == "follow_up"
    )
    assert "Ask the night nurse what she saw" in str(follow_up["items"])

    # Only leads of this organisation minute its meetings.
    for who, status in ((cast.helen, 403), (cast.nia, 403), (cast.olivia, 404)):
        answer = api(who).post(path, {"item": alert["key"], "discussion": "Three concerns noted."})
        assert answer.status_code == status
    assert Minute.objects.count() == 1


def test_a_manager_records_supervision_only_for_their_own_staff(cast, api):
    body = {
        "responses": {"1": "The night nurse might have seen something."},
        "reflection": "I did not ask who else was there.",
        "learning": "Ask the whole shift what they saw.",
    }
    mine = api(cast.helen).post("/api/v1/supervisions", {"staff_id": cast.nia.pk, **body})
    assert mine.status_code == 201
    assert mine.json()["prompts"][0]["prompt"] == "Who else might know something?"
    assert (
        api(cast.helen)
        .post("/api/v1/supervisions", {"staff_id": cast.priya.pk, **body})
        .status_code
        == 404
    )
    thin = api(cast.helen).post(
        "/api/v1/supervisions", {"staff_id": cast.nia.pk, **body, "responses": {}}
    )
    assert thin.status_code == 422
    assert [e["field"] for e in thin.json()["errors"]] == ["responses"]


def test_lessons_come_back_with_their_measure(cast, api):
    added = api(cast.david).post(
        "/api/v1/lessons",
        {
            "title": "Whole care records sent to the council",
            "source": "complaint",
            "what_happened": "A referral carried the medication list and other residents' names.",
            "failure_pattern": "over_sharing",
            "measure": "referrals_within_minimum",
            "changed_on": str(cast.today - timedelta(days=5)),
            "window_days": 30,
        },
    )
    assert added.status_code == 201
    effect = added.json()["effect"]
    assert effect["measure"] == "referrals_within_minimum" and effect["better"] == "higher"
    listed = api(cast.grace).get("/api/v1/lessons").json()
    assert [x["title"] for x in listed] == ["Whole care records sent to the council"]
    assert api(cast.nia).get("/api/v1/lessons").status_code == 403


@pytest.mark.parametrize("who", ["nia", "helen", "owen"])
def test_evidence_packs_are_refused_to_other_roles(cast, api, who):
    answer = api(getattr(cast, who)).post(
        "/api/v1/evidence-packs",
        {"period_from": str(cast.today - timedelta(days=30)), "period_to": str(cast.today)},
    )
    assert answer.status_code == 403
    assert not EvidencePack.objects.exists()


def test_an_evidence_pack_is_downloaded_once_built(cast, api):
    pack = EvidencePack.objects.create(
        organisation=cast.org,
        period_from=cast.today - timedelta(days=30),
        period_to=cast.today,
        requested_by=cast.sarah,
    )
    waiting = api(cast.sarah).get(f"/api/v1/evidence-packs/{pack.pk}").json()
    assert waiting["pdf_url"] is None
    assert api(cast.sarah).get(f"/api/v1/evidence-packs/{pack.pk}/pdf").status_code == 404
    EvidencePack.objects.filter(pk=pack.pk).update(
        status="done", progress=100, pdf=b"%PDF-1.7 pack", html="<p>pack</p>", sha256="ab" * 32
    )
    done = api(cast.sarah).get(f"/api/v1/evidence-packs/{pack.pk}").json()
    assert done["pdf_url"] == f"/api/v1/evidence-packs/{pack.pk}/pdf"
    pdf = api(cast.sarah).get(done["pdf_url"])
    assert pdf["Content-Type"] == "application/pdf" and pdf.content == b"%PDF-1.7 pack"
    assert api(cast.olivia).get(f"/api/v1/evidence-packs/{pack.pk}").status_code == 404
