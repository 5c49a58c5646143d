"""The seed's Example 3, and the refusals around it: a financial-abuse referral to the
council sends what the council needs, not the care record, with other people's names
taken out; what is sent is exactly what was previewed."""

import hashlib
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from conftest import record_concern
from sharewise.disclosures import referrals
from sharewise.disclosures.models import Disclosure
from sharewise.people.models import CareNote
from sharewise.sharing import decisions

NARRATIVE = (
    "Alice told Tom Bradley that her nephew took £200 from her purse on Sunday. "
    "Bob Evans saw him take it, and Mrs Hughes's daughter was visiting at the time."
)


def by(user):
    return SimpleNamespace(user=user, META={"REMOTE_ADDR": "127.0.0.1"})


def directory(cast):
    """The partner directory Sarah keeps (council by secure email, the children's MASH by
    portal, the police by phone), and her and Helen's contact details for referrals."""
    from sharewise.disclosures.models import Partner, StaffContact

    for user, title, phone in (
        (cast.sarah, "Safeguarding lead", "01632 960 101"),
        (cast.helen, "Team manager", "01632 960 102"),
    ):
        if not user.email:
            user.email = f"{user.username}@oakleigh.example"
            user.save(update_fields=["email"])
        StaffContact.objects.get_or_create(user=user, defaults={"job_title": title, "phone": phone})
    found = {p.channel: p for p in Partner.objects.filter(organisation=cast.org)}
    for channel, data in (
        (
            "secure_email",
            {
                "name": "Northshire County Council",
                "team": "Adult safeguarding team",
                "email": "adults@northshire.example",
            },
        ),
        (
            "portal",
            {
                "name": "Northshire Children's Services",
                "team": "MASH",
                "portal_url": "https://mash.northshire.example/refer",
            },
        ),
        ("phone", {"name": "Northshire Police", "team": "Public protection unit", "phone": "101"}),
    ):
        if channel not in found:
            found[channel] = Partner.objects.create(
                organisation=cast.org, added_by=cast.sarah, channel=channel, **data
            )
    agreements_with(cast, *(p.name for p in found.values()))
    return SimpleNamespace(
        council=found["secure_email"], mash=found["portal"], police=found["phone"]
    )


def agreements_with(cast, *organisations, **terms):
    """A current information-sharing agreement with each organisation, for every
    purpose the referral templates name, unless one is already kept."""
    from datetime import timedelta

    from django.utils import timezone

    from sharewise.disclosures.models import Agreement
    from sharewise.policy import store

    _, policy = store.in_force(cast.org.pk, "referrals")
    purposes = sorted({p for t in policy.templates for p in t.purposes})
    today = timezone.localdate()
    made = []
    for name in organisations:
        if Agreement.objects.filter(organisation=cast.org, partner_organisation=name).exists():
            continue
        made.append(
            Agreement.objects.create(
                organisation=cast.org,
                added_by=cast.sarah,
                **{
                    "partner_organisation": name,
                    "title": f"Information sharing with {name}",
                    "purposes": purposes,
                    "article_6": ["e"],
                    "secure_channel": "Secure email",
                    "starts_on": today - timedelta(days=200),
                    "review_on": today + timedelta(days=165),
                    "contact_name": "Information governance team",
                    **terms,
                },
            )
        )
    return made


def example_3(cast, outcome="share_without_consent"):
    cast.partners = directory(cast)
    concern = record_concern(
        cast,
        categories=["financial"],
        facts=NARRATIVE,
        source_kind="family_friend",
        source_description="Her nephew",
        persons_words="I don't want him in trouble.",
        sharing_view="refuses",
    )
    for kind, text in (
        ("medication", "Donepezil 10 mg at night"),
        ("diagnosis", "Alzheimer's disease"),
        ("note", "Bob Evans and Alice argued over the television."),
    ):
        CareNote.objects.create(person=cast.alice, kind=kind, text=text)
    data = {
        "question": "Tell the council about the money taken from Alice?",
        "purpose": "To protect Alice's money",
        "concern_ids": [concern.pk],
        "outcome": outcome,
        "necessity": "Her nephew keeps taking money and she cannot protect herself.",
    }
    if outcome == "share_without_consent":
        data |= {
            "override_grounds": ["crime"],
            "article_6": "e",
            "article_9": "g",
            "schedule_1": "para_10",
            "recipient_organisation": "Northshire County Council",
            "recipient_role": "Adult safeguarding team",
            "what_shared": "The concern and what she said.",
            "channel": "secure_email",
            "person_told": "yes",
        }
    else:
        from datetime import timedelta

        from django.utils import timezone

        data["review_date"] = timezone.localdate() + timedelta(days=14)
    decision = decisions.record_decision(
        by(cast.sarah),
        cast.alice,
        {
            "purpose": "yes",
            "consent": "refused",
            "grounds": ["crime"] if outcome == "share_without_consent" else [],
            "at_risk": "yes",
            "necessary": "yes",
            # Not sharing means saying why the crime the record proposes does not apply.
            "rebuttals": {}
            if outcome == "share_without_consent"
            else {"crime": "Her nephew has paid the money back and she is dealing with it."},
        },
        data,
    )
    return decision


def ready(cast, decision, partner=None):
    referral = referrals.start(by(cast.sarah), decision, "local_authority_adults")
    return referrals.change(
        by(cast.sarah),
        referral,
        partner=(partner or directory(cast).council).pk,
        inputs={
            "money_involved": "£200 in cash from her purse",
            "immediate_risk": "No: her nephew is not visiting this week",
            "s42_criteria": "(a) care and support needs; (b) financial abuse; (c) cannot protect herself",
        },
    )


def test_example_3_sends_what_the_council_needs_and_nothing_of_the_care_record(cast):
    referral = ready(cast, example_3(cast))
    referral, built = referrals.preview(by(cast.sarah), referral)
    sent = {f["field"] for s in referral.preview_json["sections"] for f in s["fields"]}
    assert {"what_happened", "money_involved", "alleged_source", "s42_criteria"} <= sent
    assert not {"medication", "diagnoses", "care_notes", "other_concerns"} & sent
    left_out = {f.code: f.reason for f in built.selection.fields if not f.included}
    assert left_out["medication"].startswith("Not needed for a referral about")
    text = built.values["what_happened"]
    assert "Bob Evans" not in text and "Hughes" not in text and "Tom Bradley" not in text
    assert "[another person we support]'s daughter" in text
    assert "Alice told [a member of staff]" in text
    assert "Her nephew" in built.values["alleged_source"]
    pdf = bytes(referral.preview_pdf)
    assert pdf.startswith(b"%PDF")
    disclosure = referrals.send(by(cast.sarah), referral).disclosure
    assert disclosure.sha256 == hashlib.sha256(pdf).hexdigest() == referral.preview_sha256
    assert bytes(disclosure.pdf) == pdf
    assert disclosure.content == referral.preview_json
    assert disclosure.beyond_minimum == 0 and "medication" not in disclosure.sent_fields


def test_sending_needs_a_decision_to_share(cast):
    decision = example_3(cast, outcome="do_not_share")
    with pytest.raises(ValidationError) as error:
        referrals.start(by(cast.sarah), decision, "local_authority_adults")
    assert "a referral needs a decision to share" in str(error.value.message_dict["decision"])


def test_a_field_added_without_a_reason_is_refused_when_it_is_added(cast):
    referral = ready(cast, example_3(cast))
    before = (referral.choices, referral.inputs, referral.partner_id)
    with pytest.raises(ValidationError) as error:
        referrals.change(
            by(cast.sarah),
            referral,
            choices={"medication": {"include": True, "why": ""}},
            inputs={"immediate_risk": "Yes"},
            partner=cast.partners.police.pk,
        )
    assert error.value.message_dict == {
        "choices.medication.why": ["Medication: say why the recipient needs it"]
    }
    referral.refresh_from_db()
    assert (referral.choices, referral.inputs, referral.partner_id) == before


def test_what_is_sent_is_what_was_previewed(cast):
    referral = ready(cast, example_3(cast))
    with pytest.raises(ValidationError) as error:
        referrals.send(by(cast.sarah), referral)
    assert "Preview the referral" in str(error.value.message_dict["preview"])
    referral, _ = referrals.preview(by(cast.sarah), referral)
    referral = referrals.change(
        by(cast.sarah),
        referral,
        choices={"person_nhs_number": {"include": True, "why": "The council matches by it"}},
    )
    with pytest.raises(ValidationError) as error:
        referrals.send(by(cast.sarah), referral)
    assert "preview" in error.value.message_dict


def test_whole_care_notes_wait_for_the_data_protection_officer(cast):
    referral = ready(cast, example_3(cast))
    referral = referrals.change(
        by(cast.sarah),
        referral,
        choices={"care_notes": {"include": True, "why": "The council asked for everything"}},
    )
    referral, built = referrals.preview(by(cast.sarah), referral)
    assert built.selection.needs_dpo == "it includes whole records: care notes"
    assert "Bob Evans" not in built.values["care_notes"]
    with pytest.raises(ValidationError) as error:
        referrals.send(by(cast.sarah), referral)
    assert "data protection officer must countersign" in str(error.value.message_dict["approval"])
    referrals.ask_approval(by(cast.sarah), referral)
    with pytest.raises(ValidationError):
        referrals.approve(by(cast.sarah), referral, "I approve my own referral")
    referrals.approve(by(cast.david), referral, "The enquiry officer needs the full picture")
    disclosure = referrals.send(by(cast.sarah), referral).disclosure
    assert disclosure.dpo_approved_by == cast.david and "care_notes" in disclosure.sent_fields


def test_the_sender_restores_a_name_with_a_reason_and_it_is_recorded(cast):
    referral = ready(cast, example_3(cast))
    _, built = referrals.preview(by(cast.sarah), referral)
    bob = next(s for s in built.found["what_happened"] if s.key == f"person:{cast.bob.pk}")
    with pytest.raises(ValidationError):
        referrals.change(
            by(cast.sarah),
            referral,
            redactions=[
                {"field": "what_happened", "start": bob.start, "end": bob.end, "action": "restore"}
            ],
        )
    referral = referrals.change(
        by(cast.sarah),
        referral,
        redactions=[
            {
                "field": "what_happened",
                "start": bob.start,
                "end": bob.end,
                "action": "restore",
                "reason": "Bob is the witness the council must speak to",
            }
        ],
    )
    referral, built = referrals.preview(by(cast.sarah), referral)
    assert "Bob Evans saw him" in built.values["what_happened"]
    assert referral.redactions[0]["reason"] == "Bob is the witness the council must speak to"
    disclosure = referrals.send(by(cast.sarah), referral).disclosure
    assert disclosure.redactions[0]["action"] == "restore"


def test_a_sent_referral_stays_as_sent(cast):
    referral = ready(cast, example_3(cast))
    referral, _ = referrals.preview(by(cast.sarah), referral)
    disclosure = referrals.send(by(cast.sarah), referral).disclosure
    cast.alice.family_name = "Moore-Smith"
    cast.alice.save()
    referral, _ = referrals.preview(by(cast.sarah), referral)
    assert referral.preview_sha256 == disclosure.sha256
    for step in (
        lambda: referrals.ask_approval(by(cast.sarah), referral),
        lambda: referrals.approve(by(cast.david), referral, "Approving after it went"),
        lambda: referrals.change(by(cast.sarah), referral, inputs={"immediate_risk": "Yes"}),
        lambda: referrals.send(by(cast.sarah), referral),
    ):
        with pytest.raises(ValidationError):
            step()
    assert Disclosure.objects.count() == 1


def test_a_name_added_a_moment_ago_is_still_taken_out(cast):
    from django.contrib.auth import get_user_model

    from sharewise.organisations.models import Membership, Role

    referral = ready(cast, example_3(cast))
    referrals.preview(by(cast.sarah), referral)  # an index built before she joined
    zoe = get_user_model().objects.create(username="zoe", first_name="Zoe", last_name="Carter")
    Membership.objects.create(user=zoe, organisation=cast.org, role=Role.CARE_WORKER, team=cast.day)
    concern = record_concern(
        cast, categories=["financial"], facts="Zoe Carter took £20 from Alice."
    )
    decision = example_3(cast)
    decision.concerns.add(concern)  # not how it happens, but the concern must be in it
    referral = ready(cast, decision)
    _, built = referrals.preview(by(cast.sarah), referral)
    assert "Zoe Carter" not in built.values["what_happened"]


def test_the_sender_never_sees_a_concern_naming_them_in_other_concerns(cast):
    record_concern(
        cast,
        facts="Sarah Whitfield shouted at Alice.",
        source_kind="staff",
        source_staff=cast.sarah,
    )
    record_concern(cast, facts="Alice fell in the garden.")
    referral = ready(cast, example_3(cast))
    referral = referrals.change(
        by(cast.sarah),
        referral,
        choices={"other_concerns": {"include": True, "why": "The council asked for the history"}},
    )
    _, built = referrals.preview(by(cast.sarah), referral)
    assert "fell in the garden" in built.values["other_concerns"]
    assert "shouted" not in built.values["other_concerns"]


def test_only_the_senders_own_fields_can_be_typed(cast):
    referral = ready(cast, example_3(cast))
    with pytest.raises(ValidationError) as error:
        referrals.change(by(cast.sarah), referral, inputs={"what_happened": "Made up"})
    assert "what_happened" in str(error.value.message_dict["inputs"])


def test_a_linked_person_sharing_the_referred_persons_first_name_is_told_apart(cast):
    from sharewise.concerns.models import ConcernPerson
    from sharewise.people.models import Person

    namesake = Person.objects.create(
        organisation=cast.org, given_name="Alice", family_name="Brown", date_of_birth=cast.today
    )
    decision = example_3(cast)
    concern = decision.concerns.get()
    concern.facts = "Alice said Alice Brown saw it; Alice was upset."
    concern.save(update_fields=["facts"])
    ConcernPerson.objects.create(concern=concern, person=namesake)
    _, built = referrals.preview(by(cast.sarah), ready(cast, decision))
    assert built.values["what_happened"].endswith(
        "Alice said [another person we support] saw it; Alice was upset."
    )


def test_nobody_builds_a_referral_about_an_allegation_against_themselves(cast):
    decision = example_3(cast)
    concern = decision.concerns.get()
    concern.source_staff = cast.helen
    concern.save(update_fields=["source_staff"])
    with pytest.raises(ValidationError) as error:
        referrals.start(by(cast.helen), decision, "local_authority_adults")
    assert "names you as the alleged source" in str(error.value.message_dict["decision"])
    assert referrals.start(by(cast.sarah), decision, "local_authority_adults").pk
