"""The referral pages: a lead builds, previews and sends; the data protection officer
reads the log; the person's page lists what was shared about them."""

from sharewise.disclosures.models import Disclosure, Referral
from sharewise.disclosures.tests.test_referrals import example_3


def test_the_lead_builds_previews_and_sends_a_referral_through_the_pages(cast, as_user):
    decision = example_3(cast)
    client = as_user(cast.sarah)
    page = client.get(f"/sharing-decisions/{decision.pk}/").content.decode()
    assert "Build a referral" in page
    response = client.post(
        f"/sharing-decisions/{decision.pk}/referrals/new/", {"template": "local_authority_adults"}
    )
    referral = Referral.objects.get()
    assert response.url == f"/referrals/{referral.pk}/"
    page = client.get(response.url).content.decode()
    assert "Left out" in page and "Not needed for a referral about" in page
    assert "Bob Evans saw him" not in page.split("names taken out")[0].split("What happened")[1]
    response = client.post(
        f"/referrals/{referral.pk}/",
        {
            "partner": cast.partners.council.pk,
            "input_money_involved": "£200 cash",
            "input_immediate_risk": "No",
            "options_s42_criteria": "1",
            "input_s42_criteria": [
                "(a) has needs for care and support",
                "(c) because of those needs cannot protect themselves from the abuse or neglect",
            ],
            "include_medication": "yes",
            "why_medication": "",
            "go": "preview",
        },
    )
    # Refused as it is made, with what was typed still in the form and nothing saved.
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and "Medication: say why the recipient needs it" in page
    council = f'<option value="{cast.partners.council.pk}" selected>Northshire County Council'
    assert council in page and "£200 cash" in page
    assert 'name="include_medication" type="checkbox" value="yes" checked' in page
    referral.refresh_from_db()
    assert not referral.choices and not referral.inputs
    client.post(
        f"/referrals/{referral.pk}/",
        {
            "partner": cast.partners.council.pk,
            "input_money_involved": "£200 cash",
            "input_immediate_risk": "No",
            "options_s42_criteria": "1",
            "input_s42_criteria": [
                "(a) has needs for care and support",
                "(c) because of those needs cannot protect themselves from the abuse or neglect",
            ],
            "go": "preview",
        },
    )
    preview = client.get(f"/referrals/{referral.pk}/preview/").content.decode()
    assert "Preview: exactly what is sent" in preview
    assert (
        "Send this referral by secure email" in preview and "adults@northshire.example" in preview
    )
    assert "(a) has needs for care and support" in preview
    assert "(b) is experiencing" not in preview
    pdf = client.get(f"/referrals/{referral.pk}/preview/?format=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    response = client.post(f"/referrals/{referral.pk}/send/")
    disclosure = Disclosure.objects.get()
    assert response.url == f"/disclosures/{disclosure.pk}/"
    assert bytes(disclosure.pdf) == pdf.content
    log = as_user(cast.david).get("/disclosures/").content.decode()
    assert "Northshire County Council" in log and "Alice Moore" in log
    mine = as_user(cast.helen).get(f"/people/{cast.alice.pk}/disclosures/").content.decode()
    assert "Local authority adult safeguarding" in mine
    chronology = as_user(cast.helen).get(f"/people/{cast.alice.pk}/chronology/").content.decode()
    assert "Sent to Northshire County Council" in chronology
    page = client.get(response.url).content.decode()
    assert "Accepted by the mail server for adults@northshire.example" in page
    assert as_user(cast.helen).get("/disclosures/").status_code == 403
    assert as_user(cast.nia).get(f"/people/{cast.alice.pk}/disclosures/").status_code == 403


def test_the_sender_takes_more_words_out_by_typing_them(cast, as_user):
    decision = example_3(cast)
    client = as_user(cast.sarah)
    client.post(
        f"/sharing-decisions/{decision.pk}/referrals/new/", {"template": "local_authority_adults"}
    )
    referral = Referral.objects.get()
    page = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert '<option value="what_happened">What happened</option>' in page
    client.post(
        f"/referrals/{referral.pk}/",
        {
            "redact_field": "what_happened",
            "redact_text": "on Sunday",
            "redact_reason": "The day would identify the visitor",
            "go": "save",
        },
    )
    page = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "from her purse [removed]." in page
    assert "Taken out “on Sunday”: The day would identify the visitor" in page
