"""The audit trail's page: leads and data protection officers search who did what."""

from sharewise.audittrail.models import Entry


def test_the_trail_names_people_and_staff_for_the_lead(cast, as_user):
    as_user(cast.nia).get(f"/people/{cast.alice.pk}/")
    page = as_user(cast.sarah).get("/audit-trail/", {"person": cast.alice.pk}).content.decode()
    assert "Alice Moore" in page and "Nia Okafor" in page


def test_only_leads_and_data_protection_officers_read_the_trail(cast, as_user):
    for user in (cast.nia, cast.helen, cast.grace, cast.owen):
        assert as_user(user).get("/audit-trail/").status_code == 403, user
    for user in (cast.sarah, cast.david):
        assert as_user(user).get("/audit-trail/").status_code == 200, user


def test_searching_the_trail_is_itself_written_to_the_trail(cast, as_user):
    as_user(cast.david).get("/audit-trail/", {"user": "nia"})
    searched = Entry.objects.filter(action="searched audit trail", actor="david").get()
    assert searched.detail["user"] == "nia" and searched.organisation_id == cast.org.pk


def test_a_lead_of_another_organisation_sees_only_their_own_trail(cast, as_user):
    as_user(cast.nia).get(f"/people/{cast.alice.pk}/")
    page = as_user(cast.olivia).get("/audit-trail/", {"user": "nia"}).content.decode()
    assert "Alice Moore" not in page and "Nia Okafor" not in page


def test_the_trail_page_only_reads(cast, as_user):
    assert as_user(cast.sarah).post("/audit-trail/").status_code == 405
