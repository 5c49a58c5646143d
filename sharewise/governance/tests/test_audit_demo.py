"""The audit over the demo's two years finds the seed's stories and nothing about the
ordinary, well-handled work around them. (One test: loading the demo is the slow part.)"""

from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from sharewise.disclosures import referrals
from sharewise.disclosures.models import Referral
from sharewise.governance import audits, jobs
from sharewise.governance.models import Finding, Job
from sharewise.organisations.models import Organisation
from sharewise.patterns.models import Alert
from sharewise.people.models import Person
from sharewise.sharing.models import ConsentRecord

STORIES = {"Margaret Hale", "Arthur Penrose", "Dorothy Finch"}


def by(username):
    return SimpleNamespace(
        user=get_user_model().objects.get(username=username), META={"REMOTE_ADDR": "127.0.0.1"}
    )


def found(run):
    return {
        (f.criterion, f.record_type, f.record_id): f
        for f in Finding.objects.filter(run=run).select_related("person")
    }


def test_the_demo_audit_finds_the_seeds_stories_and_nothing_else(db):
    call_command("load_demo")
    org = Organisation.objects.get(name="Oakleigh Care Group")
    today = timezone.localdate()
    two_years = (jobs.years_before(today, 2), today)
    margaret = Person.objects.get(given_name="Margaret", family_name="Hale")
    arthur = Person.objects.get(given_name="Arthur", family_name="Penrose")
    dorothy = Person.objects.get(given_name="Dorothy", family_name="Finch")

    run = audits.run_now(org.pk, *two_years, user=by("auditor").user)
    assert run.status == Job.DONE
    findings = found(run)

    # Example 1: Margaret refused, the concerns kept coming, and nobody looked again.
    refusal = ConsentRecord.objects.get(person=margaret)
    assert ("refusal_not_reviewed", "consent", refusal.pk) in findings
    assert findings[("refusal_not_reviewed", "consent", refusal.pk)].owner.username == "lead"

    # Example 2: Arthur's alerts wait for the lead's decision, together, as one case.
    waiting = set(
        Alert.objects.needing_decision().filter(person=arthur).values_list("case_id", flat=True)
    )
    assert len(waiting) == 1
    assert {("alert_undecided", "case", pk) for pk in waiting} <= set(findings)

    # The ordinary work around the stories is well handled: nothing about anyone else,
    # and no team below the recording standards.
    assert {f.person.name for f in findings.values() if f.person} <= STORIES
    assert all(f.person for f in findings.values()), [f.summary for f in findings.values()]
    assert run.counts["recording_standards"] == 0

    # Example 3: Dorothy's referral, started and not sent, is nothing to audit yet...
    assert run.counts["disclosure_unjustified"] == 0
    referral = Referral.objects.get(person=dorothy)
    assert referral.status == Referral.Status.DRAFT

    # ...but sent with her care record on a thin reason, it is.
    lead, dpo = by("lead"), by("dpo")
    referral = referrals.change(
        lead,
        referral,
        inputs={
            "immediate_risk": "No: her nephew is not visiting this week",
            "s42_criteria": "(a) care and support needs; (b) financial abuse; "
            "(c) cannot protect herself",
        },
        choices={
            "medication": {"include": True, "why": "The council asked for everything"},
            "care_notes": {"include": True, "why": "In case they need it"},
        },
    )
    referral, _ = referrals.preview(lead, referral)
    referrals.ask_approval(lead, referral)
    referrals.approve(dpo, referral, "The council asked for the full record")
    disclosure = referrals.send(lead, referral).disclosure
    assert {"medication", "care_notes"} <= set(disclosure.sent_fields)

    again = audits.run_now(org.pk, *two_years)
    findings = found(again)
    unjustified = findings[("disclosure_unjustified", "disclosure", disclosure.pk)]
    assert unjustified.person == dorothy and unjustified.owner.username == "dpo"
    assert "care notes and medication had no justification of at least 6 words" in (
        unjustified.summary
    )
    assert not unjustified.repeated
    assert findings[("refusal_not_reviewed", "consent", refusal.pk)].repeated
    assert {f.person.name for f in findings.values() if f.person} <= STORIES
