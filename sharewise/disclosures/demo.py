"""The seed's Example 3 in the demo: Dorothy Finch's nephew is taking her money. Her
manager escalated the concern the same day; the lead decided, with her agreement, to
tell the council, and phoned the council's duty team and the police that day. The
council acknowledged the call, opened a section 42 enquiry and has closed it; the
police never acknowledged theirs, so it waits to be chased. The written referral is
started and ready to build. Her care record (medication, diagnoses, notes naming other
residents) is exactly what an unguided referral would have sent.

The information-sharing agreements: one current (the council), one due for review soon
(the police), one lapsed (children's services)."""

from datetime import timedelta
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.utils import timezone

from sharewise.audittrail import records, trail
from sharewise.concerns import recording
from sharewise.concerns.demo import _answers, _story_person
from sharewise.disclosures import referrals, responses, told
from sharewise.disclosures.models import Agreement, Partner, StaffContact
from sharewise.organisations.models import Team
from sharewise.patterns import operations
from sharewise.patterns.models import Alert, AlertConcern, Outcome
from sharewise.people.models import CareNote, Enrolment, Person
from sharewise.sharing import decisions
from sharewise.sharing.models import SharingDecision


def extend_demo(org, today):
    users = {u.username: u for u in get_user_model().objects.filter(memberships__organisation=org)}
    lead = users["lead"]
    day = Team.objects.get(service__organisation=org, name="Day team")
    neighbours = [p.name for p in _neighbours(day)]
    dorothy = _story_person(
        org,
        "Dorothy",
        "Finch",
        today.replace(year=today.year - 84),
        [day],
        today - timedelta(days=500),
    )
    concern = _her_concern(org, day, dorothy, users, neighbours)
    _her_care_record(dorothy, neighbours)
    as_lead = SimpleNamespace(user=lead, META={"REMOTE_ADDR": "127.0.0.1"})
    decision = _decision_to_tell_the_council(as_lead, dorothy, concern)
    decision = _dated_back(as_lead, decision, concern.recorded_at + timedelta(hours=4))
    _alerts_escalated(concern, lead, decision.decided_at)
    council, police = _partner_directory(org, lead)
    _agreements(org, lead, today)
    _contact_details(users)
    _what_she_was_told_and_what_came_back(as_lead, decision, council, police, today)
    referral = referrals.start(as_lead, decision, "local_authority_adults", via="demo")
    referrals.change(
        as_lead,
        referral,
        inputs={"money_involved": "£300 in cash from her purse; asked for her bank card"},
        partner=council.pk,
        via="demo",
    )
    return (
        "Dorothy Finch's referral to the council is ready to build; what she told the "
        "council and the police, one acknowledged with a section 42 outcome, one to chase; "
        "three information-sharing agreements"
    )


def _neighbours(day):
    """Two residents of her team, named in the concern and her notes."""
    return list(
        Person.objects.filter(
            pk__in=Enrolment.objects.filter(team=day, end_date__isnull=True).values("person_id")
        ).order_by("pk")[:2]
    )


def _her_concern(org, day, dorothy, users, neighbours):
    """What she told the night carer, recorded by the day carer and escalated."""
    carer, night = users["carer.day"], users["carer.night"]
    a, b = neighbours
    when = timezone.now() - timedelta(days=12, hours=3)
    concern = recording.record(
        None,
        org.pk,
        recording.Draft(
            people=[dorothy],
            occurred_at=when,
            service=day.service,
            team=day,
            categories=["financial"],
            risk_indicators=["crime"],
            answers=_answers(
                f"Dorothy told {night.get_full_name()} that her nephew took £300 from her "
                f"purse during Sunday's visit. {a} saw him go through her handbag, and "
                f"{b}'s daughter heard him ask Dorothy for her bank card.",
                "Locked her purse in the office safe with her agreement and told the manager.",
                sharing="agrees",
                source="family_friend",
                severity="moderate",
                information_source="disclosed",
                persons_words="He says he's borrowing it but he never pays it back.",
                source_description="Her nephew",
                persons_wishes="She wants the council to help her keep her money safe.",
            ),
        ),
        actor=carer,
        recorded_at=when + timedelta(minutes=40),
    )
    manager = users["manager.rose"]
    recording.review(
        None,
        concern,
        "escalate",
        "Financial abuse by a family member, and Dorothy wants help: escalated to the lead.",
        actor=manager,
        at=when + timedelta(hours=3),
    )
    return concern


def _her_care_record(dorothy, neighbours):
    a, b = neighbours
    for kind, text in (
        ("medication", "Donepezil 10 mg at night; Amlodipine 5 mg in the morning"),
        ("diagnosis", "Alzheimer's disease (moderate); hypertension"),
        ("note", f"Dorothy sat with {a} at lunch and enjoyed the music afternoon."),
        ("note", f"Dorothy was upset after {b} shouted during the night; reassured."),
        ("note", "Continence pads changed twice overnight; skin intact."),
    ):
        CareNote.objects.create(person=dorothy, kind=kind, text=text, written_by="Day team")


def _decision_to_tell_the_council(as_lead, dorothy, concern):
    decisions.record_consent(
        as_lead,
        dorothy,
        {
            "purpose": "Telling the council about the money her nephew takes, so it can help",
            "outcome": "given",
            "explained_how": "Explained in her room what the council would be told and why.",
            "persons_words": "Yes, tell them. I want it to stop.",
            "capacity": "presumed",
            "concern_ids": [concern.pk],
        },
        via="demo",
    )
    return decisions.record_decision(
        as_lead,
        dorothy,
        {
            "purpose": "yes",
            "identifiable": "yes",
            "confidential": "yes",
            "consent": "given",
            "capacity": "presumed",
            "at_risk": "yes",
            "necessary": "yes",
        },
        {
            "question": "Should we tell the council about the money her nephew takes?",
            "purpose": "To protect Dorothy's money and ask the council to consider an enquiry",
            "concern_ids": [concern.pk],
            "outcome": "share_with_consent",
            "article_6": "a",
            "article_9": "a",
            "necessity": "Her nephew keeps taking her money; only the council can enquire.",
            "recipient_organisation": "Northshire County Council",
            "recipient_role": "Adult safeguarding duty team",
            "what_shared": "The concern, what she said and the money involved.",
            "channel": "secure_email",
            "person_told": "yes",
        },
    )


def _contact_details(users):
    for username, title, phone in (
        ("lead", "Safeguarding lead", "01632 960 101"),
        ("manager.rose", "Registered manager, Rose House", "01632 960 102"),
    ):
        if username in users:
            StaffContact.objects.update_or_create(
                user=users[username], defaults={"job_title": title, "phone": phone}
            )


def _partner_directory(org, lead) -> Partner:
    """The three partners a care provider refers to most, one for each channel (the
    addresses are reserved for examples: nothing reaches a real service)."""
    council, _, police = (
        Partner.objects.create(organisation=org, added_by=lead, **data)
        for data in (
            {
                "name": "Northshire County Council",
                "team": "Adult safeguarding duty team",
                "channel": Partner.Channel.SECURE_EMAIL,
                "email": "adult.safeguarding@northshire.gcsx.gov.uk.example",
                "notes": "Duty team reads the inbox 9am to 5pm; out of hours, phone 01632 960 900.",
            },
            {
                "name": "Northshire Children's Services",
                "team": "Multi-agency safeguarding hub (MASH)",
                "channel": Partner.Channel.PORTAL,
                "portal_url": "https://mash.northshire.example/referral",
                "notes": "The portal gives a reference starting MASH- on submission.",
            },
            {
                "name": "Northshire Police",
                "team": "Public protection unit",
                "channel": Partner.Channel.PHONE,
                "phone": "101",
                "notes": "Ask for the public protection unit; 999 if anyone is in danger now.",
            },
        )
    )
    return council, police


def _dated_back(as_lead, decision, at):
    """The lead decided the same day, hours after the manager escalated it: the demo's
    history is written now, so the decision is dated back to then, and the trail
    records that change with the decision's digest, as it would any other."""
    SharingDecision.objects.filter(pk=decision.pk).update(decided_at=at)
    decision.refresh_from_db()
    trail.record_request(
        as_lead,
        "dated the demo's decision to when its story has it",
        object_type="sharingdecision",
        object_id=decision.pk,
        person_id=decision.person_id,
        organisation_id=decision.organisation_id,
        detail={"via": "demo", records.DETAIL_KEY: records.digests_now(decision)},
    )
    return decision


def _alerts_escalated(concern, lead, at):
    """The lead escalated the alerts Dorothy's concern raised, when she decided."""
    for alert in Alert.objects.needing_decision().filter(
        pk__in=AlertConcern.objects.filter(concern=concern).values("alert_id")
    ):
        operations.decide(
            None,
            alert,
            Outcome.ESCALATE,
            "Financial abuse by her nephew, and Dorothy wants help: the council and the "
            "police are told today.",
            actor=lead,
            at=at,
        )


def _agreements(org, lead, today):
    """Three agreements: the council's current, the police's due for review within the
    month, and children's services' lapsed last month."""
    common = {"organisation": org, "added_by": lead, "article_6": ["e"], "article_9": ["g"]}
    Agreement.objects.create(
        **common,
        partner_organisation="Northshire County Council",
        title="Northshire adult safeguarding information-sharing agreement",
        purposes=["enquiry"],
        schedule_1=["para_18"],
        secure_channel="Secure email to gcsx.gov.uk addresses; duty line for urgent calls",
        starts_on=today - timedelta(days=400),
        review_on=today + timedelta(days=330),
        contact_name="Priya Shah, information governance lead",
        contact_details="ig@northshire.gcsx.gov.uk.example",
        document="NCC-ISA-2025-014",
    )
    Agreement.objects.create(
        **common,
        partner_organisation="Northshire Police",
        title="Northshire Police public protection information-sharing protocol",
        purposes=["crime"],
        schedule_1=["para_10"],
        secure_channel="Phone to the public protection unit; secure email for documents",
        starts_on=today - timedelta(days=700),
        review_on=today + timedelta(days=20),
        contact_name="DS Mark Ellis, public protection unit",
        contact_details="01632 960 555",
        document="NP-PPU-ISP-7",
    )
    Agreement.objects.create(
        **common,
        partner_organisation="Northshire Children's Services",
        title="Children's safeguarding partnership information-sharing agreement",
        purposes=["child_protection"],
        schedule_1=["para_18"],
        secure_channel="The MASH portal",
        starts_on=today - timedelta(days=1100),
        review_on=today - timedelta(days=40),
        contact_name="MASH business support",
        document="NSCP-ISA-2023",
    )


def _what_she_was_told_and_what_came_back(as_lead, decision, council, police, today):
    """The lead phoned the council's duty team and the police the day she decided. The
    council acknowledged it the next day, opened an enquiry and closed it last week; the
    police never acknowledged theirs."""
    said = (
        "Dorothy's nephew has taken about £300 from her purse on his visits and asked "
        "for her bank card; she wants help to keep her money safe."
    )
    rang_council = told.record_told(
        as_lead,
        decision,
        {
            "partner_id": council.pk,
            "recipient_name": "Duty social worker",
            "channel": "phone",
            "told_at": decision.decided_at + timedelta(hours=1),
            "purpose": "enquiry",
            "categories": ["financial"],
            "what_said": said,
        },
        via="demo",
    )
    told.record_told(
        as_lead,
        decision,
        {
            "partner_id": police.pk,
            "channel": "phone",
            "told_at": decision.decided_at + timedelta(hours=2),
            "purpose": "crime",
            "categories": ["financial"],
            "what_said": said + " Her nephew may be committing theft.",
        },
        via="demo",
    )
    responses.record(
        as_lead,
        rang_council,
        "acknowledgement",
        {
            "acknowledged_at": rang_council.sent_at + timedelta(hours=20),
            "acknowledged_by": "Duty social worker, adult safeguarding",
            "their_reference": "ASC-2026-0411",
        },
        via="demo",
    )
    responses.record(
        as_lead,
        rang_council,
        "outcome",
        {
            "enquiry_opened": True,
            "enquiry_opened_on": today - timedelta(days=10),
            "enquiry_outcome": "risk_reduced",
            "enquiry_closed_on": today - timedelta(days=3),
            "person_wanted": "To keep her money safe and still see her nephew",
            "wanted_achieved": "partly",
            "notes": "Her bank card is now kept by her daughter; visits continue in the lounge.",
        },
        via="demo",
    )
