"""The partner directory: the safeguarding lead keeps it; managers and the officer read
it; care workers never see it. A retired partner stays on past referrals but cannot be
chosen for a new one."""

from sharewise.audittrail.models import Entry
from sharewise.disclosures.models import Partner
from sharewise.disclosures.tests.test_referrals import by, example_3, ready

NEW = {
    "name": "Northshire Fire and Rescue",
    "team": "Safe and well visits",
    "contact_name": "",
    "channel": "secure_email",
    "email": "",
    "portal_url": "",
    "phone": "",
    "notes": "",
}


def test_care_workers_are_refused_the_directory(cast, as_user, api):
    partner = Partner.objects.create(
        organisation=cast.org, added_by=cast.sarah, name="A", team="B", channel="phone", phone="1"
    )
    client = as_user(cast.nia)
    assert client.get("/partners/").status_code == 403
    assert client.get("/partners/new/").status_code == 403
    assert client.post("/partners/new/", {**NEW, "email": "x@y.example"}).status_code == 403
    assert client.get(f"/partners/{partner.pk}/").status_code == 403
    assert client.post(f"/partners/{partner.pk}/retire/").status_code == 403
    worker = api(cast.nia)
    assert worker.get("/api/v1/partners").status_code == 403
    assert worker.post("/api/v1/partners", {**NEW, "email": "x@y.example"}).status_code == 403
    assert worker.post(f"/api/v1/partners/{partner.pk}/retire").status_code == 403
    partner.refresh_from_db()
    assert partner.retired_at is None and Partner.objects.count() == 1


def test_a_manager_reads_the_directory_but_does_not_keep_it(cast, as_user, api):
    Partner.objects.create(
        organisation=cast.org,
        added_by=cast.sarah,
        name="Northshire Police",
        team="Public protection unit",
        channel="phone",
        phone="101",
    )
    client = as_user(cast.helen)
    page = client.get("/partners/").content.decode()
    assert "Northshire Police, Public protection unit" in page and "Phone: " in page
    assert "Add a partner" not in page
    assert client.get("/partners/new/").status_code == 403
    assert api(cast.helen).get("/api/v1/partners").json()[0]["phone"] == "101"
    assert (
        api(cast.helen).post("/api/v1/partners", {**NEW, "email": "a@b.example"}).status_code == 403
    )


def test_the_lead_adds_changes_and_retires_a_partner(cast, as_user):
    client = as_user(cast.sarah)
    response = client.post("/partners/new/", NEW)
    page = response.content.decode()
    assert response.status_code == 200 and "Error: Add a partner" in page
    assert '<a href="#id_email">Enter the secure email address</a>' in page
    assert not Partner.objects.exists()
    response = client.post("/partners/new/", {**NEW, "email": "safe@fire.example", "phone": "999"})
    partner = Partner.objects.get()
    assert response.url == "/partners/"
    # Only the chosen channel's address is kept.
    assert (partner.email, partner.phone) == ("safe@fire.example", "")
    client.post(
        f"/partners/{partner.pk}/",
        {**NEW, "channel": "portal", "portal_url": "https://fire.example/refer"},
    )
    partner.refresh_from_db()
    assert (partner.channel, partner.address, partner.email) == (
        "portal",
        "https://fire.example/refer",
        "",
    )
    assert Entry.objects.filter(action="changed partner", object_id=str(partner.pk)).exists()
    decision = example_3(cast)
    referral = ready(cast, decision)
    builder = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "Northshire Fire and Rescue" in builder
    client.post(f"/partners/{partner.pk}/retire/")
    partner.refresh_from_db()
    assert partner.retired_at is not None
    row = "Partner </span>Northshire Fire and Rescue"
    assert row not in client.get("/partners/").content.decode()
    assert row in client.get("/partners/?show=retired").content.decode()
    assert (
        "Northshire Fire and Rescue"
        not in client.get(f"/referrals/{referral.pk}/").content.decode()
    )
    response = client.post(f"/referrals/{referral.pk}/", {"partner": partner.pk, "go": "save"})
    assert "Choose who it goes to from the partner directory" in response.content.decode()


def test_a_referral_to_a_partner_retired_since_it_was_chosen_is_not_sent(cast):
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from sharewise.disclosures import referrals

    referral = ready(cast, example_3(cast))
    referral, _ = referrals.preview(by(cast.sarah), referral)
    Partner.objects.filter(pk=referral.partner_id).update(retired_at=timezone.now())
    try:
        referrals.send(by(cast.sarah), referral)
    except ValidationError as error:
        assert "no longer in the partner directory" in str(error.message_dict["partner"])
    else:
        raise AssertionError("sent to a retired partner")


def test_the_api_keeps_the_directory_with_errors_naming_the_field(cast, api, client):
    import json

    lead = api(cast.sarah)
    response = lead.post("/api/v1/partners", {**NEW, "email": "not an address"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["email"]
    response = lead.post("/api/v1/partners", {**NEW, "email": "safe@fire.example"})
    assert response.status_code == 201
    pk = response.json()["id"]
    response = client.patch(
        f"/api/v1/partners/{pk}",
        data=json.dumps({"channel": "phone", "phone": "01632 960 999"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {lead.secret}",
    )
    assert response.status_code == 200 and response.json()["email"] == ""
    assert lead.post(f"/api/v1/partners/{pk}/retire").json()["retired_at"]
    assert lead.get("/api/v1/partners").json() == []
    assert lead.get("/api/v1/partners", {"retired": "true"}).json()[0]["id"] == pk


def test_a_referral_starts_with_the_partner_its_decision_names(cast):
    from sharewise.disclosures import referrals

    decision = example_3(cast)  # names Northshire County Council, by secure email
    referral = referrals.start(by(cast.sarah), decision, "local_authority_adults")
    assert referral.partner == cast.partners.council
    assert referral.recipient_contact == "adults@northshire.example"
    # Two current partners of that name: the one with the decision's channel.
    Partner.objects.create(
        organisation=cast.org,
        added_by=cast.sarah,
        name="Northshire County Council",
        team="Out of hours",
        channel="phone",
        phone="01632 960 900",
    )
    assert referrals.start(by(cast.sarah), decision, "police").partner == cast.partners.council
    cast.partners.council.retired_at = cast.partners.council.added_at
    cast.partners.council.save()
    assert referrals.start(by(cast.sarah), decision, "police").partner.team == "Out of hours"


def test_the_governance_page_leads_to_the_directory_for_those_who_read_it(cast, as_user):
    link = 'href="/partners/"'
    assert link in as_user(cast.sarah).get("/governance/").content.decode()
    assert link in as_user(cast.david).get("/governance/").content.decode()
    for someone in (cast.nia, cast.owen):
        response = as_user(someone).get("/governance/")
        assert link not in response.content.decode()
