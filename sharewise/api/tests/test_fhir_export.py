"""The FHIR R4 export: every resource it makes validates as FHIR, a care worker gets
404 for someone outside their teams on every FHIR route, as everywhere else, and
every read is on the trail."""

import base64
import hashlib
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from fhir.resources.R4B import get_fhir_model_class

from conftest import record_concern
from sharewise.api.fhir import mapping
from sharewise.audittrail.models import Entry
from sharewise.disclosures.models import Disclosure, Referral
from sharewise.patterns.access import risk_of
from sharewise.patterns.models import Alert
from sharewise.people.models import Person
from sharewise.sharing.models import ConsentRecord, SharingDecision
from tests.test_permission_matrix import build_world

FHIR = "/api/v1/fhir"
SEARCHES = ("Consent", "Flag", "DocumentReference", "AuditEvent")


def valid(body: dict):
    """The resource re-read by fhir.resources' class for its type: raises unless valid."""
    return get_fhir_model_class(body["resourceType"]).model_validate(body)


def resources(bundle: dict) -> list[dict]:
    return [e["resource"] for e in bundle.get("entry", []) if e["search"]["mode"] == "match"]


def every_page(caller, path: str) -> tuple[list[dict], int]:
    """Every match of a paged Bundle, following its next links; and its total."""
    found, total = [], None
    while path:
        response = caller.get(path)
        assert response.status_code == 200, response.content
        assert response["Content-Type"] == "application/fhir+json"
        bundle = response.json()
        valid(bundle)
        found += resources(bundle)
        total = bundle["total"]
        path = next((link["url"] for link in bundle["link"] if link["relation"] == "next"), None)
    return found, total


def by_type(found) -> dict[str, list[dict]]:
    kinds: dict[str, list[dict]] = {}
    for r in found:
        kinds.setdefault(r["resourceType"], []).append(r)
    return kinds


def extension(resource, url):
    return [e for e in resource.get("extension", []) if e["url"] == url]


@pytest.fixture
def world(cast):
    build_world(cast)
    return cast


# Conformance, on the demo ---------------------------------------------------------------


def _send_dorothys_referral():
    """The demo leaves Dorothy Finch's referral ready to build: send it, so the demo has
    a disclosure to export."""
    from sharewise.disclosures import referrals

    referral = Referral.objects.get(person__given_name="Dorothy", person__family_name="Finch")
    lead = SimpleNamespace(user=referral.created_by, META={"REMOTE_ADDR": "127.0.0.1"})
    inputs = {**referral.inputs, "immediate_risk": "No", "s42_criteria": "All three"}
    referral = referrals.change(lead, referral, inputs=inputs)
    referral, _ = referrals.preview(lead, referral)
    return referrals.send(lead, referral).disclosure


@pytest.mark.slow
def test_every_resource_from_the_demo_validates_and_matches_the_records(db, api):
    call_command("load_demo")
    disclosure = _send_dorothys_referral()
    lead_user = Referral.objects.get(pk=disclosure.referral_id).created_by
    lead = api(lead_user)
    read = 0
    for person in Person.objects.filter(merged_into__isnull=True).order_by("pk"):
        found, total = every_page(lead, f"{FHIR}/Patient/{person.pk}/$everything?_count=500")
        for resource in found:
            valid(resource)
        kinds = by_type(found)
        ids = person.record_ids()
        assert total == len(found)
        assert [p["id"] for p in kinds.pop("Patient")] == [str(person.pk)]
        assert len(kinds.pop("Consent", [])) == (
            ConsentRecord.objects.filter(person_id__in=ids).count()
            + SharingDecision.objects.filter(person_id__in=ids).count()
        ), person
        assert len(kinds.pop("Flag", [])) == risk_of(lead_user, person)[1].count(), person
        documents = kinds.pop("DocumentReference", [])
        assert len(documents) == Disclosure.objects.filter(person_id__in=ids).count()
        # Each points at the decision it rested on, if it rested on one (a subject
        # access response does not).
        for d in documents:
            related = [r["reference"] for r in d.get("context", {}).get("related", [])]
            assert all(r.split("-")[-1].isdigit() for r in related), related
        # The trail about them then, the export's own read included.
        events = kinds.pop("AuditEvent")
        assert len(events) == Entry.objects.filter(person_id__in=ids).count(), person
        assert not kinds
        # Each resource read by its own address is the same resource, and valid: all
        # but the trail's, of which one in ten people's oldest entry.
        sample = [events[-1]] if person.pk % 10 == 0 else []
        for resource in [*found[: len(found) - len(events)], *sample]:
            response = lead.get(f"{FHIR}/{resource['resourceType']}/{resource['id']}")
            assert response.status_code == 200, (resource["resourceType"], resource["id"])
            again = response.json()
            valid(again)
            if resource["resourceType"] != "AuditEvent":
                assert again == resource
            read += 1
    assert read > Person.objects.filter(merged_into__isnull=True).count()
    dorothy = Person.objects.get(pk=disclosure.person_id)
    found, _ = every_page(lead, f"{FHIR}/DocumentReference?patient={dorothy.pk}")
    held = Disclosure.objects.filter(person_id__in=dorothy.record_ids()).order_by("-sent_at", "-id")
    assert [d["id"] for d in found] == [str(pk) for pk in held.values_list("pk", flat=True)]
    assert str(disclosure.pk) in {d["id"] for d in found}
    # What she told the council by phone is there as well as the referral: no PDF to link.
    told = next(d for d in found if d["id"] != str(disclosure.pk))
    assert "url" not in told["content"][0]["attachment"]
    waiting = Alert.objects.needing_decision().exclude(person=None)
    assert waiting.exists()
    flags, _ = every_page(lead, f"{FHIR}/Flag?patient={waiting.first().person_id}")
    assert flags and all(f["status"] == "active" for f in flags)


def test_each_search_pages_through_the_same_resources_as_one_page(world, api):
    sarah = api(world.sarah)
    for kind in SEARCHES:
        whole, total = every_page(sarah, f"{FHIR}/{kind}?patient={world.alice.pk}&_count=500")
        paged, _ = every_page(sarah, f"{FHIR}/{kind}?patient={world.alice.pk}&_count=2")
        if kind == "AuditEvent":  # each page read is itself written to the trail
            assert len(paged) >= len(whole)
            continue
        assert [r["id"] for r in paged] == [r["id"] for r in whole] and total == len(whole)
    count_only = sarah.get(f"{FHIR}/Consent?patient={world.alice.pk}&_count=0").json()
    assert count_only["total"] == 3 and "entry" not in count_only


# Scope -------------------------------------------------------------------------------


def _routes(person_id):
    return [
        f"{FHIR}/Patient/{person_id}",
        f"{FHIR}/Patient/{person_id}/$everything",
        *(f"{FHIR}/{kind}?patient={person_id}" for kind in SEARCHES),
        f"{FHIR}/Consent?patient=Patient/{person_id}",
    ]


def test_a_care_worker_gets_404_outside_their_teams_on_every_fhir_route(world, api):
    nia = api(world.nia)  # Night team: Alice, not Bob
    bob_consent = ConsentRecord.objects.create(
        organisation=world.org,
        person=world.bob,
        purpose="Telling his GP",
        asked_by=world.tom,
        asked_at=world.alice.created_at,
        outcome="given",
        capacity="presumed",
        recorded_by=world.tom,
        explained_how="Asked him",
    )
    for path in [*_routes(world.bob.pk), f"{FHIR}/Consent/consent-{bob_consent.pk}"]:
        response = nia.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/fhir+json"
        issue = valid(response.json()).issue[0]
        assert (issue.code, issue.diagnostics) == ("not-found", "Not found, or not yours to see.")
        # exactly what a record that does not exist answers
        assert nia.get(path.replace(str(world.bob.pk), "987654321")).json() == response.json()
    for path in _routes(world.alice.pk):
        response = nia.get(path)
        assert response.status_code == 200, path
        valid(response.json())


def test_a_care_worker_sees_what_their_role_sees_and_is_told_what_is_left_out(world, api):
    bundle = api(world.nia).get(f"{FHIR}/Patient/{world.alice.pk}/$everything").json()
    kinds = by_type(resources(bundle))
    # her own consent record, and no sharing decision she did not make
    assert [c["id"] for c in kinds["Consent"]] == [f"consent-{world.consent.pk}"]
    assert set(kinds) == {"Patient", "Consent"}
    told = [
        e["resource"]["issue"][0]["diagnostics"]
        for e in bundle["entry"]
        if e["search"]["mode"] == "outcome"
    ]
    assert any(t.startswith("Audit events: the trail is read by") for t in told)
    assert any(t.startswith("Flags: alerts are seen by") for t in told)


def test_a_flag_naming_the_viewer_as_alleged_source_is_not_shown_to_them(world, api):
    def flags(user):
        found = api(user).get(f"{FHIR}/Flag?patient={world.alice.pk}").json()
        return {f["id"] for f in resources(found)}

    cumulative = f"{world.alert.pk}-{world.alice.pk}"
    assert cumulative in flags(world.helen)  # her manager, Rose House
    # A concern naming Helen as the alleged source joins that alert and raises another.
    record_concern(world, source_staff=world.helen, source_kind="staff", days_ago=2)
    implicated = Alert.objects.get(rule="staff_implicated")
    flag = f"{implicated.pk}-{world.alice.pk}"
    assert {cumulative, flag} <= flags(world.sarah)
    assert not {cumulative, flag} & flags(world.helen)
    assert api(world.helen).get(f"{FHIR}/Flag/{flag}").status_code == 404
    assert api(world.sarah).get(f"{FHIR}/Flag/{flag}").status_code == 200


# What the resources say --------------------------------------------------------------


def test_a_decision_to_share_without_consent_shows_as_an_override_with_its_lawful_basis(world, api):
    consents = resources(api(world.sarah).get(f"{FHIR}/Consent?patient={world.alice.pk}").json())
    decision = next(c for c in consents if c["id"] == f"decision-{world.sharing.pk}")
    outcome = extension(decision, "urn:sharewise:extension:sharing-outcome")[0]["valueCoding"]
    assert outcome["code"] == "share_without_consent"
    grounds = extension(decision, "urn:sharewise:extension:override-ground")
    assert [g["valueCoding"]["code"] for g in grounds] == ["others_at_risk"]
    assert "Shared WITHOUT the person" in decision["text"]["div"]
    assert [c["code"] for c in decision["policyRule"]["coding"]] == [
        "art6-1-e",
        "art9-2-g",
        "dpa2018-sch1-para18",
    ]
    assert decision["policy"][-1]["uri"].endswith("/ukpga/2018/12/schedule/1/paragraph/18")
    assert decision["provision"]["type"] == "permit"
    assert decision["provision"]["actor"][0]["reference"]["display"] == (
        "Northshire County Council, Adult safeguarding team"
    )
    assert decision["scope"]["coding"][0]["code"] == "patient-privacy"
    # the one waiting for a countersignature is proposed, not in force
    waiting = next(c for c in consents if c["id"] == f"decision-{world.decision.pk}")
    assert waiting["status"] == "proposed"
    refusal = next(c for c in consents if c["id"] == f"consent-{world.consent.pk}")
    assert refusal["provision"]["type"] == "deny"
    assert refusal["category"][0]["coding"][0]["code"] == "59284-0"
    assert refusal["policyRule"]["coding"][0]["code"] == "common-law-confidentiality"


def test_a_document_reference_links_the_frozen_pdf_with_its_hashes(world, api):
    sarah = api(world.sarah)
    document = sarah.get(f"{FHIR}/DocumentReference/{world.disclosure.pk}").json()
    attachment = document["content"][0]["attachment"]
    pdf = sarah.get(attachment["url"])
    assert pdf["Content-Type"] == "application/pdf"
    assert attachment["size"] == len(pdf.content)
    assert attachment["hash"] == base64.b64encode(hashlib.sha1(pdf.content).digest()).decode()
    sha256 = {i["system"]: i["value"] for i in document["identifier"]}["urn:sharewise:sha256"]
    assert sha256 == hashlib.sha256(pdf.content).hexdigest() == world.disclosure.sha256
    assert "data" not in attachment
    assert document["context"]["related"] == [{"reference": f"Consent/decision-{world.sharing.pk}"}]


def test_a_disclosure_without_a_pdf_is_described_not_linked(world):
    told = Disclosure(
        pk=999,
        person=world.alice,
        referral=world.disclosure.referral,
        decision=world.sharing,
        template="told_by_phone",
        template_title="Told by phone",
        content={"description": "Told the council's duty social worker by phone"},
        pdf=b"",
        sha256="",
        recipient_organisation="Northshire County Council",
        recipient_role="Duty social worker",
        channel="phone",
        sent_by=world.sarah,
        sent_at=world.disclosure.sent_at,
    )
    export = mapping.Export(world.alice, "http://testserver/api/v1/fhir", "Oakleigh Care Group")
    document = valid(
        mapping.document_reference(told, export, "http://unused").model_dump(mode="json")
    )
    attachment = document.content[0].attachment
    assert attachment.url is None and attachment.hash is None
    assert document.description == "Told the council's duty social worker by phone"


def test_an_audit_event_names_who_did_what_with_their_role_and_the_seal(world, api):
    sarah = api(world.sarah)
    sarah.get(f"{FHIR}/Patient/{world.alice.pk}")
    from sharewise.audittrail import trail

    trail.seal_pending()
    events = resources(sarah.get(f"{FHIR}/AuditEvent?patient={world.alice.pk}").json())
    read = next(e for e in events if e["subtype"][0]["code"] == "viewed record (FHIR Patient)")
    assert read["action"] == "R" and read["type"]["code"] == "110110"
    agent = read["agent"][0]
    assert agent["who"]["identifier"]["value"] == str(world.sarah.pk)
    assert agent["name"] == "Sarah Whitfield"
    assert agent["role"][0]["coding"][0]["display"] == "Safeguarding lead"
    seal = extension(read, "urn:sharewise:extension:trail-seal-hash")
    assert len(seal[0]["valueString"]) == 64
    recorded = next(e for e in events if e["subtype"][0]["code"].startswith("recorded"))
    assert recorded["action"] == "C"


# Errors, methods and the trail --------------------------------------------------------


def test_a_search_without_patient_an_unknown_id_and_other_methods_are_refused(world, api):
    sarah = api(world.sarah)
    for kind in SEARCHES:
        response = sarah.get(f"{FHIR}/{kind}")
        assert response.status_code == 400
        assert "patient" in valid(response.json()).issue[0].diagnostics
    for path in (
        "Patient/987654321",
        "Patient/abc",
        "Consent/consent-987654321",
        "Consent/987654321",
        "Flag/987654321-1",
        "DocumentReference/987654321",
        "AuditEvent/987654321",
    ):
        response = sarah.get(f"{FHIR}/{path}")
        assert response.status_code == 404, path
        assert valid(response.json()).issue[0].code == "not-found"
    assert sarah.post(f"{FHIR}/Patient/{world.alice.pk}").status_code == 405
    assert sarah.post(f"{FHIR}/Consent", {}).status_code == 405
    assert sarah.get(f"{FHIR}/Patient/{world.alice.pk}?_format=xml").status_code == 406
    assert sarah.get(f"{FHIR}/Patient/{world.alice.pk}?_format=json").status_code == 200
    assert sarah.get(f"{FHIR}/Consent?patient={world.alice.pk}&_count=9999").status_code == 400
    anonymous = world  # no token at all
    del anonymous
    from django.test import Client

    response = Client().get(f"{FHIR}/Patient/{world.alice.pk}")
    assert response.status_code == 401
    assert valid(response.json()).issue[0].code == "login"
    metadata = valid(Client().get(f"{FHIR}/metadata").json())
    assert metadata.fhirVersion == "4.3.0"


def test_every_fhir_read_is_written_to_the_trail(world, api):
    sarah = api(world.sarah)
    before = Entry.objects.filter(person_id=world.alice.pk).count()
    sarah.get(f"{FHIR}/Patient/{world.alice.pk}/$everything")
    entry = Entry.objects.filter(person_id=world.alice.pk).latest("id")
    assert (entry.actor, entry.action) == ("sarah", "exported record (FHIR $everything)")
    assert entry.detail["via"] == "api"
    events = resources(sarah.get(f"{FHIR}/AuditEvent?patient={world.alice.pk}").json())
    # reading the trail is itself on the trail, and shows in what it read
    assert events[0]["subtype"][0]["code"] == "listed audit events (FHIR)"
    assert Entry.objects.filter(person_id=world.alice.pk).count() == before + 2


def test_everything_costs_the_same_queries_however_many_records(world, api):
    sarah = api(world.sarah)
    path = f"{FHIR}/Patient/{world.alice.pk}/$everything"
    sarah.get(path)
    with CaptureQueriesContext(connection) as few:
        sarah.get(path)
    for _ in range(15):
        ConsentRecord.objects.create(
            organisation=world.org,
            person=world.alice,
            purpose="Telling her GP",
            asked_at=world.alice.created_at,
            outcome="given",
            capacity="presumed",
            recorded_by=world.nia,
            explained_how="Asked her",
        )
        sarah.get(f"{FHIR}/Patient/{world.alice.pk}")  # more trail entries too
    with CaptureQueriesContext(connection) as many:
        sarah.get(path)
    assert len(many) == len(few)


def test_a_record_merged_into_the_persons_is_part_of_their_export(world, api):
    twin = world.merge.merged  # a second record of Alice, merged into hers
    told = ConsentRecord.objects.create(
        organisation=world.org,
        person=twin,
        purpose="Telling her GP",
        asked_at=world.alice.created_at,
        outcome="withdrawn",
        capacity="presumed",
        recorded_by=world.nia,
        explained_how="Asked her",
    )
    nia = api(world.nia)
    consents = resources(nia.get(f"{FHIR}/Consent?patient={world.alice.pk}").json())
    found = next(c for c in consents if c["id"] == f"consent-{told.pk}")
    assert found["patient"]["reference"] == f"Patient/{world.alice.pk}"
    assert found["provision"]["type"] == "deny"
    read = nia.get(f"{FHIR}/Consent/consent-{told.pk}").json()
    assert read == found
    # the merged record itself is not a Patient of its own
    assert nia.get(f"{FHIR}/Patient/{twin.pk}").status_code == 404


def test_a_patient_is_minimal_who_they_are_and_nothing_about_their_care(world, api):
    patient = api(world.nia).get(f"{FHIR}/Patient/{world.alice.pk}").json()
    assert set(patient) == {"resourceType", "id", "identifier", "name", "birthDate"}
    assert patient["identifier"] == [
        {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765919"},
        {"system": "urn:sharewise:person", "value": str(world.alice.pk)},
    ]
    assert patient["name"] == [{"use": "official", "family": "Moore", "given": ["Alice"]}]
    assert patient["birthDate"] == "1941-03-02"
