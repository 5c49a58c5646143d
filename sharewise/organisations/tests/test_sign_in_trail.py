"""Every sign-in, failed sign-in and sign-out is in the trail, and so is every request
refused to a member of staff; one who is refused again and again is noticed."""

from django.test import Client

from sharewise.audittrail.models import Entry
from sharewise.organisations.models import ApiToken
from sharewise.patterns.models import Notification
from sharewise.policy import documents, store


def sign_in(client, username, password):
    return client.post(
        "/sign-in/", {"username": username, "password": password}, REMOTE_ADDR="10.0.0.7"
    )


def test_a_sign_in_is_in_the_trail_with_where_from(cast):
    sign_in(Client(), "nia", cast.password)
    entry = Entry.objects.get(action="signed in")
    assert entry.actor == "nia" and entry.client_address == "10.0.0.7"
    assert entry.organisation_id == cast.org.pk


def test_a_failed_sign_in_names_the_username_tried_never_the_password(cast):
    sign_in(Client(), "nia", "Tuesday-rota-2026")
    sign_in(Client(), "nobody-here", "another-guess")
    failed = list(Entry.objects.filter(action="sign-in failed").order_by("id"))
    assert [e.detail["username"] for e in failed] == ["nia", "nobody-here"]
    assert failed[0].organisation_id == cast.org.pk  # the lead can find it
    assert failed[1].organisation_id is None
    for entry in failed:
        assert "Tuesday-rota-2026" not in str(entry.values())
        assert "another-guess" not in str(entry.values())


def test_signing_out_is_in_the_trail(cast):
    client = Client()
    sign_in(client, "nia", cast.password)
    client.post("/sign-out/")
    assert Entry.objects.filter(action="signed out", actor="nia").count() == 1


# --- Refused access -------------------------------------------------------------------


def test_a_record_outside_someones_scope_is_a_refusal_in_the_trail(cast, as_user):
    nia = as_user(cast.nia)
    assert nia.get(f"/people/{cast.bob.pk}/?q=Bob+Evans").status_code == 404
    refused = Entry.objects.get(action="refused access")
    assert refused.actor == "nia" and refused.organisation_id == cast.org.pk
    assert refused.detail == {"path": f"/people/{cast.bob.pk}/", "status": 404, "method": "GET"}
    assert refused.person_id is None  # nothing about Bob
    assert "Bob" not in str(refused.values())


def test_a_page_not_open_to_someones_role_is_a_refusal(cast, as_user):
    assert as_user(cast.nia).get("/audit-trail/").status_code == 403
    assert Entry.objects.get(action="refused access").detail["status"] == 403


def test_a_mistyped_address_is_not_a_refusal(cast, as_user):
    assert as_user(cast.nia).get("/peple/").status_code == 404
    assert not Entry.objects.filter(action="refused access").exists()


def test_someone_not_signed_in_is_sent_to_sign_in_not_refused(cast):
    Client().get(f"/people/{cast.bob.pk}/")
    assert not Entry.objects.filter(action="refused access").exists()


def test_a_refusal_through_the_api_names_the_token(cast):
    token, secret = ApiToken.issue(cast.nia, "walk")
    response = Client().get(f"/api/v1/people/{cast.bob.pk}", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 404
    refused = Entry.objects.get(action="refused access")
    assert refused.actor == "nia" and refused.detail["token"] == token.hint
    assert refused.detail["path"] == f"/api/v1/people/{cast.bob.pk}"


def _lower_notice_to(cast, times):
    document = documents.default("access").model_dump(mode="json")
    document["refused_access"].update(notice_after=times, window_minutes=60)
    store.save_version(cast.org.pk, "access", document, cast.sarah)


def test_the_lead_hears_once_when_someone_is_refused_again_and_again(cast, as_user):
    _lower_notice_to(cast, 3)
    nia = as_user(cast.nia)
    for person in (cast.bob, cast.carol):
        nia.get(f"/people/{person.pk}/")
    assert not Notification.objects.exists()  # two is not yet a pattern
    nia.get(f"/people/{cast.fiona.pk}/")
    notice = Notification.objects.get()
    assert notice.recipient == cast.sarah
    assert "Nia Okafor was refused 3 or more times in 60 minutes" in notice.message
    assert notice.link == "/audit-trail/?user=nia"
    for _ in range(10):
        nia.get(f"/people/{cast.zara.pk}/")
    assert Notification.objects.count() == 1  # one notice per window
    assert Entry.objects.filter(action="refused access", actor="nia").count() == 13
    raised = Entry.objects.get(action="raised refused access notice")
    assert raised.object_id == str(cast.nia.pk) and raised.detail["told"] == [cast.sarah.pk]


def test_the_notice_goes_to_the_lead_of_the_refused_persons_own_organisation(cast, as_user):
    _lower_notice_to(cast, 1)
    as_user(cast.nia).get(f"/people/{cast.zara.pk}/")
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["sarah"]


def test_the_lead_sees_the_refusals_in_the_trail_search(cast, as_user):
    as_user(cast.nia).get(f"/people/{cast.bob.pk}/")
    page = as_user(cast.sarah).get("/audit-trail/", {"user": "nia"}).content.decode()
    assert "Refused access" in page and f"page /people/{cast.bob.pk}/" in page


def test_a_refusal_costs_one_insert_and_an_indexed_count(cast):
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from sharewise.organisations import signin

    request = RequestFactory().get(f"/people/{cast.bob.pk}/")
    request.user = cast.nia
    signin.record_refused(request, 404)  # the first looks up Nia's scope
    with CaptureQueriesContext(connection) as queries:
        signin.record_refused(request, 404)
    statements = [q["sql"].split()[0] for q in queries.captured_queries]
    assert statements == ["INSERT", "SELECT", "SELECT"]  # the entry, the policy, the count
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + queries.captured_queries[2]["sql"])
            assert "USING INDEX trail_refused_actor_at" in str(cursor.fetchall())
