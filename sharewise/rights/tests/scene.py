"""Alice's records as a subject access request finds them: concerns naming other people
in their text (one with a member of staff as the alleged source), her consent and
capacity, a decision to share and the referral sent from it, and a request from her."""

from datetime import timedelta
from types import SimpleNamespace

from conftest import record_concern
from sharewise.concerns.models import Amendment
from sharewise.disclosures import referrals
from sharewise.disclosures.models import Partner, StaffContact
from sharewise.disclosures.tests.test_referrals import agreements_with
from sharewise.rights import operations
from sharewise.sharing import decisions

CAPACITY = {
    "decision": "Whether to agree to the council being told about the bruising",
    "help_given": "Explained slowly; Bob Evans was in the lounge.",
    "can_understand": True,
    "can_retain": True,
    "can_use_or_weigh": True,
    "can_communicate": True,
    "evidence": "Repeated back who would be told and why, and said no.",
}
CONSENT = {
    "purpose": "Telling the council about the bruising",
    "outcome": "refused",
    "explained_how": "Sat with her and explained who would be told and why.",
    "capacity": "presumed",
    "persons_words": "Don't tell anyone, Carol Hughes will find out.",
}
ANSWERS = {
    "purpose": "yes",
    "consent": "refused",
    "grounds": ["others_at_risk"],
    "at_risk": "yes",
    "necessary": "yes",
}
DECISION = {
    "question": "Tell the council about the threats to other residents?",
    "purpose": "To protect other residents, Mr Evans among them",
    "outcome": "share_without_consent",
    "override_grounds": ["others_at_risk"],
    "article_6": "e",
    "article_9": "g",
    "schedule_1": "para_18",
    "necessity": "Other residents are at risk and only the council can enquire.",
    "recipient_organisation": "Northshire County Council",
    "recipient_role": "Adult safeguarding team",
    "what_shared": "The three concerns and what was said.",
    "channel": "secure_email",
    "person_told": "yes",
}


def by(user):
    return SimpleNamespace(user=user, META={})


def build(cast):
    s = SimpleNamespace()
    s.concerns = [
        record_concern(
            cast,
            facts="Alice said Bob Evans took her cardigan; Evans denied it to Mrs Hughes.",
            persons_words="Bob keeps coming into my room.",
        ),
        record_concern(
            cast,
            days_ago=3,
            facts="Alice had a bruise on her arm after the night round.",
            source_staff=cast.tom,
            source_kind="staff",
        ),
        record_concern(
            cast,
            days_ago=5,
            facts="Carol Hughes shouted at Alice at lunch; Dennis Ward and Edna Fisher saw it.",
            source_person=cast.carol,
            source_kind="person_supported",
        ),
        record_concern(
            cast,
            days_ago=8,
            facts="Alice's daughter said her neighbour Fiona Kerr visits at night.",
            source_kind="family_friend",
            source_description="Her son-in-law, Gary Quinn",
        ),
    ]
    # A concern about Bob, not about Alice: never in her response.
    s.bobs = record_concern(cast, person=cast.bob, team=cast.day, by=cast.tom)
    s.capacity = decisions.record_capacity(by(cast.helen), cast.alice, CAPACITY)
    s.consent = decisions.record_consent(by(cast.nia), cast.alice, CONSENT)
    cast.sarah.email = "sarah@oakleigh.example"
    cast.sarah.save(update_fields=["email"])
    StaffContact.objects.create(
        user=cast.sarah, job_title="Safeguarding lead", phone="01632 960 101"
    )
    partner = Partner.objects.create(
        organisation=cast.org,
        added_by=cast.sarah,
        name="Northshire County Council",
        team="Adult safeguarding team",
        channel=Partner.Channel.SECURE_EMAIL,
        email="adults@northshire.example",
    )
    agreements_with(cast, partner.name)
    s.decision = decisions.record_decision(by(cast.sarah), cast.alice, ANSWERS, DECISION)
    referral = referrals.start(by(cast.sarah), s.decision, "local_authority_adults")
    referral = referrals.change(
        by(cast.sarah),
        referral,
        inputs={"immediate_risk": "No", "s42_criteria": "All three"},
        partner=partner.pk,
    )
    referral, _ = referrals.preview(by(cast.sarah), referral)
    s.disclosure = referrals.send(by(cast.sarah), referral).disclosure
    s.sar = request_from_alice(cast)
    return s


def request_from_alice(cast, received_on=None):
    return operations.log_request(
        by(cast.david),
        cast.alice,
        {
            "requester": "person",
            "requester_name": "Alice Moore",
            "contact": "Room 4, Rose House",
            "received_on": received_on or cast.today - timedelta(days=3),
            "request_text": "Everything you hold about me.",
        },
    )


def ready_to_send(cast, sar):
    sar = operations.check_identity(by(cast.sarah), sar, "Known to staff; photo ID seen")
    sar = operations.prepare(by(cast.sarah), sar)
    return operations.approve(by(cast.david), sar, "Checked every redaction")


def amendments_of(concern):
    return list(Amendment.objects.filter(concern=concern))
