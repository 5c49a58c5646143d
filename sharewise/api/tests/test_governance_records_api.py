"""Everything the governance pages do, an integrator can do: list and complete actions,
close findings, sign off minutes, draw and review case-file samples, and read back
audits, findings, supervision sessions, lessons and evidence packs, each refused to
roles without the permission (403) and not found in another organisation (404)."""

from datetime import timedelta
from types import SimpleNamespace

from django.utils import timezone

from conftest import audit_finding, record_concern
from sharewise.audittrail.models import Entry
from sharewise.governance import actions, learning, meetings, supervision
from sharewise.governance.models import Action, EvidencePack, Finding, Meeting, SampleItem

ALL_YES = {
    "facts_clear": "yes",
    "persons_words": "yes",
    "immediate_action": "yes",
    "reviewed_in_time": "yes",
    "pattern_seen": "yes",
}


def by(user):
    return SimpleNamespace(user=user, META={})


def _action(cast, finding, owner=None, days=7):
    return actions.add(
        by(cast.sarah),
        cast.org.pk,
        "Review the night team's waiting concerns",
        owner or cast.helen,
        cast.today + timedelta(days=days),
        finding=finding,
    )


def _finding(cast):
    return audit_finding(cast, person=cast.alice, concern=record_concern(cast, days_ago=5))


# Audits and findings


def test_audits_are_listed_by_status_for_those_who_see_findings(cast, api):
    run, _ = _finding(cast)
    assert [a["id"] for a in api(cast.david).get("/api/v1/audits").json()] == [run.pk]
    assert api(cast.david).get("/api/v1/audits?status=failed").json() == []
    later = str(cast.today + timedelta(days=1))
    assert api(cast.david).get(f"/api/v1/audits?from={later}").json() == []
    assert api(cast.nia).get("/api/v1/audits").status_code == 403
    assert api(cast.olivia).get("/api/v1/audits").json() == []


def test_a_finding_names_its_person_only_to_those_who_may_see_them(cast, api):
    _, finding = _finding(cast)
    as_lead = api(cast.sarah).get(f"/api/v1/findings/{finding.pk}")
    assert as_lead.status_code == 200 and as_lead.json()["person_name"] == "Alice Moore"
    assert Entry.objects.filter(
        action="viewed audit finding", actor_id=cast.sarah.pk, person_id=cast.alice.pk
    ).exists()
    as_auditor = api(cast.grace).get(f"/api/v1/findings/{finding.pk}").json()
    assert as_auditor["person_id"] is None and as_auditor["person_name"] is None
    assert not Entry.objects.filter(actor_id=cast.grace.pk, person_id=cast.alice.pk).exists()
    assert api(cast.nia).get(f"/api/v1/findings/{finding.pk}").status_code == 403
    assert api(cast.olivia).get(f"/api/v1/findings/{finding.pk}").status_code == 404


def test_a_finding_needing_no_action_is_closed_with_a_reason(cast, api):
    _, finding = _finding(cast)
    path = f"/api/v1/findings/{finding.pk}/close"
    reason = {"reason": "Already put right: reviewed by the night manager next morning."}
    assert api(cast.nia).post(path, reason).status_code == 403
    assert api(cast.olivia).post(path, reason).status_code == 404
    short = api(cast.sarah).post(path, {"reason": "Fine"})
    assert short.status_code == 422 and short.json()["errors"][0]["field"] == "reason"
    closed = api(cast.david).post(path, reason)
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed" and closed.json()["closed_note"].startswith(
        "Already put right"
    )
    assert Entry.objects.filter(action="finding.close", object_id=str(finding.pk)).exists()


def test_a_finding_with_open_actions_is_not_closed_by_hand(cast, api):
    _, finding = _finding(cast)
    _action(cast, finding)
    answer = api(cast.sarah).post(
        f"/api/v1/findings/{finding.pk}/close",
        {"reason": "Already put right: reviewed by the night manager next morning."},
    )
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "reason"
    finding.refresh_from_db()
    assert finding.status == Finding.Status.ACTIONED


# Actions


def test_actions_are_listed_with_filters_and_each_sees_what_they_may(cast, api):
    _, finding = _finding(cast)
    soon = _action(cast, finding, days=3)
    later = _action(cast, finding, owner=cast.sarah, days=20)
    listed = api(cast.sarah).get("/api/v1/actions").json()
    assert {a["id"] for a in listed} == {soon.pk, later.pk}
    mine = api(cast.sarah).get(f"/api/v1/actions?owner_id={cast.helen.pk}").json()
    assert [a["id"] for a in mine] == [soon.pk]
    before = str(cast.today + timedelta(days=10))
    assert [a["id"] for a in api(cast.sarah).get(f"/api/v1/actions?to={before}").json()] == [
        soon.pk
    ]
    assert [a["id"] for a in api(cast.sarah).get(f"/api/v1/actions?from={before}").json()] == [
        later.pk
    ]
    assert api(cast.sarah).get("/api/v1/actions?status=done").json() == []
    # Helen sees no findings, meetings or lessons: only her own actions.
    assert [a["id"] for a in api(cast.helen).get("/api/v1/actions").json()] == [soon.pk]
    assert api(cast.nia).get("/api/v1/actions").json() == []
    assert api(cast.olivia).get("/api/v1/actions").json() == []
    assert api(cast.nia).get(f"/api/v1/actions/{soon.pk}").status_code == 404
    assert api(cast.olivia).get(f"/api/v1/actions/{soon.pk}").status_code == 404
    assert api(cast.helen).get(f"/api/v1/actions/{soon.pk}").json()["finding_id"] == finding.pk


def test_an_action_is_completed_by_its_owner_or_a_lead_and_closes_its_finding(cast, api):
    _, finding = _finding(cast)
    action = _action(cast, finding)
    path = f"/api/v1/actions/{action.pk}/complete"
    note = {"note": "Reviewed every waiting concern with the night team."}
    assert api(cast.david).post(path, note).status_code == 403
    assert api(cast.nia).post(path, note).status_code == 404
    assert api(cast.olivia).post(path, note).status_code == 404
    short = api(cast.helen).post(path, {"note": "Done"})
    assert short.status_code == 422 and short.json()["errors"][0]["field"] == "note"
    done = api(cast.helen).post(path, note)
    assert done.status_code == 200 and done.json()["done_note"] == note["note"]
    finding.refresh_from_db()
    assert finding.status == Finding.Status.CLOSED
    assert api(cast.sarah).get("/api/v1/actions?status=done").json()[0]["id"] == action.pk
    again = api(cast.sarah).post(path, note)
    assert again.status_code == 422


# Meetings


def test_minutes_are_signed_off_once_something_is_minuted(cast, api):
    meeting = meetings.schedule(by(cast.sarah), cast.org.pk, timezone.now())
    path = f"/api/v1/meetings/{meeting.pk}/sign-off"
    assert api(cast.helen).post(path).status_code == 403
    assert api(cast.olivia).post(path).status_code == 404
    empty = api(cast.sarah).post(path)
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "minutes"
    minuted = api(cast.sarah).post(
        f"/api/v1/meetings/{meeting.pk}/minutes",
        {"item": "other::", "discussion": "Staffing over the holidays was discussed."},
    )
    assert minuted.status_code == 201
    signed = api(cast.sarah).post(path)
    assert signed.status_code == 200 and signed.json()["signed_off"] is True
    assert Meeting.objects.get(pk=meeting.pk).agenda_snapshot is not None
    listed = api(cast.sarah).get("/api/v1/meetings?status=signed_off").json()
    assert [m["id"] for m in listed] == [meeting.pk]


# Case-file samples


def test_an_auditor_draws_a_sample_and_reviews_its_records(cast, api):
    record_concern(cast, days_ago=3)
    period = {"period_from": str(cast.today - timedelta(days=30)), "period_to": str(cast.today)}
    assert (
        api(cast.david)
        .post("/api/v1/samples", {**period, "kind": "concerns", "size": 1})
        .status_code
        == 403
    )
    drawn = api(cast.grace).post("/api/v1/samples", {**period, "kind": "concerns", "size": 1})
    assert drawn.status_code == 201
    sample = drawn.json()
    assert sample["drawn_by"] == "Grace Adeyemi" and len(sample["items"]) == 1
    assert [s["id"] for s in api(cast.grace).get("/api/v1/samples").json()] == [sample["id"]]
    assert api(cast.sarah).get(f"/api/v1/samples/{sample['id']}").status_code == 200
    assert api(cast.olivia).get(f"/api/v1/samples/{sample['id']}").status_code == 404
    assert api(cast.nia).get(f"/api/v1/samples/{sample['id']}").status_code == 403

    item = sample["items"][0]
    read = api(cast.grace).get(f"/api/v1/sample-items/{item['id']}")
    assert read.status_code == 200 and read.json()["person_id"] == cast.alice.pk
    assert Entry.objects.filter(
        action="case-file audit", actor_id=cast.grace.pk, person_id=cast.alice.pk, detail__via="api"
    ).exists()
    path = f"/api/v1/sample-items/{item['id']}/review"
    partly = api(cast.grace).post(path, {"answers": ALL_YES | {"persons_words": "partly"}})
    assert partly.status_code == 422 and partly.json()["errors"][0]["field"] == "notes"
    missing = api(cast.grace).post(path, {"answers": {"facts_clear": "yes"}})
    assert missing.status_code == 422
    assert "persons_words" in {e["field"] for e in missing.json()["errors"]}
    assert SampleItem.objects.get(pk=item["id"]).checked_at is None
    assert api(cast.olivia).post(path, {"answers": ALL_YES}).status_code == 404
    assert api(cast.nia).post(path, {"answers": ALL_YES}).status_code == 403
    reviewed = api(cast.grace).post(path, {"answers": ALL_YES})
    assert reviewed.status_code == 200 and reviewed.json()["checked_by"] == "Grace Adeyemi"


def test_a_sample_drawn_by_another_auditor_opens_no_records(cast, api):
    record_concern(cast, days_ago=3)
    period = {"period_from": str(cast.today - timedelta(days=30)), "period_to": str(cast.today)}
    sample = api(cast.sarah).post("/api/v1/samples", {**period, "kind": "concerns", "size": 1})
    assert sample.status_code == 201
    item = sample.json()["items"][0]
    assert api(cast.grace).get(f"/api/v1/samples/{sample.json()['id']}").status_code == 404
    assert api(cast.grace).get(f"/api/v1/sample-items/{item['id']}").status_code == 404
    assert api(cast.grace).get("/api/v1/samples").json() == []


# Supervision and lessons


def test_supervision_sessions_are_read_by_those_in_them_and_leads(cast, api):
    concern = record_concern(cast, days_ago=2)
    session = supervision.record(
        by(cast.helen),
        cast.org.pk,
        cast.nia,
        {
            "items": [f"concern:{concern.pk}"],
            "responses": {"0": "Could be neglect at night."},
            "reflection": "I recorded what I saw, not what Alice said.",
            "learning": "Write down the person's own words.",
        },
    )
    path = f"/api/v1/supervisions/{session.pk}"
    own = api(cast.nia).get(path)
    assert own.status_code == 200 and own.json()["learning"] == "Write down the person's own words."
    assert Entry.objects.filter(
        action="viewed supervision record", actor_id=cast.nia.pk, person_id=cast.alice.pk
    ).exists()
    for who in (cast.tom, cast.david, cast.olivia):
        assert api(who).get(path).status_code == 404
    assert [
        s["id"] for s in api(cast.sarah).get(f"/api/v1/supervisions?staff_id={cast.nia.pk}").json()
    ] == [session.pk]
    assert [s["id"] for s in api(cast.nia).get("/api/v1/supervisions").json()] == [session.pk]
    assert api(cast.tom).get("/api/v1/supervisions").json() == []
    tomorrow = str(cast.today + timedelta(days=1))
    assert api(cast.sarah).get(f"/api/v1/supervisions?from={tomorrow}").json() == []


def _lesson(cast):
    return learning.record(
        by(cast.sarah),
        cast.org.pk,
        {
            "title": "Refusals accepted without escalation",
            "source": "audit",
            "what_happened": "Refusals were accepted on every shift and nobody escalated.",
            "failure_pattern": "consent",
            "measure": "refusals_reviewed",
            "changed_on": cast.today - timedelta(days=30),
        },
    )


def test_a_lesson_is_read_back_and_given_actions(cast, api):
    lesson = _lesson(cast)
    read = api(cast.grace).get(f"/api/v1/lessons/{lesson.pk}")
    assert read.status_code == 200 and read.json()["failure_pattern"] == "consent"
    assert api(cast.nia).get(f"/api/v1/lessons/{lesson.pk}").status_code == 403
    assert api(cast.olivia).get(f"/api/v1/lessons/{lesson.pk}").status_code == 404
    assert api(cast.grace).get("/api/v1/lessons?failure_pattern=over_sharing").json() == []
    path = f"/api/v1/lessons/{lesson.pk}/actions"
    due = str(cast.today + timedelta(days=14))
    body = {
        "description": "Add refusals to the handover sheet",
        "owner_id": cast.helen.pk,
        "due": due,
    }
    outsider = api(cast.sarah).post(path, body | {"owner_id": cast.olivia.pk})
    assert outsider.status_code == 422 and outsider.json()["errors"][0]["field"] == "owner_id"
    assert api(cast.nia).post(path, body).status_code == 403
    assert api(cast.olivia).post(path, body).status_code == 404
    assert not Action.objects.exists()
    agreed = api(cast.david).post(path, body)
    assert agreed.status_code == 201 and agreed.json()["lesson_id"] == lesson.pk


# Evidence packs


def test_evidence_packs_are_listed_and_their_files_download_with_a_token(cast, api):
    pack = EvidencePack.objects.create(
        organisation=cast.org,
        period_from=cast.today - timedelta(days=30),
        period_to=cast.today,
        requested_by=cast.sarah,
        status="done",
        progress=100,
        pdf=b"%PDF-1.7 pack",
        html="<p>pack</p>",
    )
    assert [p["id"] for p in api(cast.grace).get("/api/v1/evidence-packs").json()] == [pack.pk]
    assert api(cast.grace).get("/api/v1/evidence-packs?status=failed").json() == []
    assert api(cast.olivia).get("/api/v1/evidence-packs").json() == []
    assert api(cast.nia).get("/api/v1/evidence-packs").status_code == 403
    html = api(cast.grace).get(f"/api/v1/evidence-packs/{pack.pk}/html")
    assert html.status_code == 200 and html.content == b"<p>pack</p>"
    assert html["Content-Type"].startswith("text/html")
    assert "attachment" in html["Content-Disposition"]
    assert api(cast.grace).get(f"/api/v1/evidence-packs/{pack.pk}/docx").status_code == 404
    assert api(cast.nia).get(f"/api/v1/evidence-packs/{pack.pk}/pdf").status_code == 403
    assert api(cast.olivia).get(f"/api/v1/evidence-packs/{pack.pk}/pdf").status_code == 404
    assert Entry.objects.filter(
        action="downloaded evidence pack", actor_id=cast.grace.pk, detail__via="api"
    ).exists()
