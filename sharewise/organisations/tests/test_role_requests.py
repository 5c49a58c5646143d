"""A role that opens people's records needs two people: an administrator asks, and a
safeguarding lead or the data protection officer of the organisation approves. Nobody
decides a role they asked for or would receive, and nobody changes their own roles."""

from sharewise.audittrail.models import Entry
from sharewise.organisations.models import Membership, Role, RoleRequest
from sharewise.patterns.models import Notification
from sharewise.people.models import Person


def _ask(client, user, role, scope="org"):
    return client.post(
        f"/organisation/staff/{user.pk}/roles/", {"role-role": role, "role-scope": scope}
    )


def test_owen_asks_for_tom_to_become_lead_and_nothing_opens_until_sarah_approves(cast, as_user):
    response = _ask(as_user(cast.owen), cast.tom, "safeguarding_lead")
    assert response.status_code == 302
    assert not Membership.objects.filter(user=cast.tom, role=Role.SAFEGUARDING_LEAD).exists()
    assert not Person.objects.visible_to(cast.tom).filter(pk=cast.carol.pk).exists()
    asked = RoleRequest.objects.get(user=cast.tom)
    assert (asked.status, asked.requested_by) == ("pending", cast.owen)
    page = as_user(cast.owen).get(f"/organisation/staff/{cast.tom.pk}/")
    assert b"Waiting for approval" in page.content
    staff = as_user(cast.owen).get("/organisation/staff/").content.decode()
    assert "Safeguarding lead: All of Oakleigh Care Group" in staff
    assert "Waiting for approval" in staff
    # Sarah and David hear of it; Owen, who asked, and Tom, who would receive it, do not.
    told = set(
        Notification.objects.filter(link="/organisation/role-requests/").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"sarah", "david"}

    sarah = as_user(cast.sarah)
    listed = sarah.get("/organisation/role-requests/")
    assert b"Tom Bradley: safeguarding lead" in listed.content
    sarah.post(f"/organisation/role-requests/{asked.pk}/approve/")
    asked.refresh_from_db()
    assert (asked.status, asked.decided_by) == ("approved", cast.sarah)
    assert Membership.objects.filter(user=cast.tom, role=Role.SAFEGUARDING_LEAD).exists()
    tom = type(cast.tom).objects.get(pk=cast.tom.pk)  # scopes are kept per user object
    assert Person.objects.visible_to(tom).filter(pk=cast.carol.pk).exists()
    actions = list(
        Entry.objects.filter(object_type__in=["role request", "membership"]).values_list(
            "actor", "action"
        )
    )
    assert actions == [
        ("owen", "requested role"),
        ("sarah", "added role"),
        ("sarah", "approved role request"),
    ]
    assert Notification.objects.filter(recipient=cast.owen, message__contains="approved").exists()


def test_david_declines_with_a_reason_and_no_role_is_given(cast, as_user):
    _ask(as_user(cast.owen), cast.nia, "auditor")
    asked = RoleRequest.objects.get(user=cast.nia)
    david = as_user(cast.david)
    blank = david.post(
        f"/organisation/role-requests/{asked.pk}/decline/", {"reason": ""}, follow=True
    )
    assert b"Say why you decline it" in blank.content
    david.post(
        f"/organisation/role-requests/{asked.pk}/decline/", {"reason": "Nia is not an auditor"}
    )
    asked.refresh_from_db()
    assert (asked.status, asked.reason) == ("declined", "Nia is not an auditor")
    assert not Membership.objects.filter(user=cast.nia, role=Role.AUDITOR).exists()
    assert Entry.objects.filter(actor="david", action="declined role request").exists()
    again = as_user(cast.sarah).post(
        f"/organisation/role-requests/{asked.pk}/approve/", follow=True
    )
    assert b"already declined" in again.content
    assert not Membership.objects.filter(user=cast.nia, role=Role.AUDITOR).exists()


def test_an_administrator_role_needs_no_approval(cast, as_user):
    _ask(as_user(cast.owen), cast.grace, "administrator")
    assert Membership.objects.filter(user=cast.grace, role=Role.ADMINISTRATOR).exists()
    assert not RoleRequest.objects.exists()


def test_a_lead_who_is_also_administrator_cannot_approve_what_she_asked(cast, as_user):
    Membership.objects.create(user=cast.sarah, organisation=cast.org, role=Role.ADMINISTRATOR)
    sarah = as_user(cast.sarah)
    _ask(sarah, cast.priya, "dpo")
    asked = RoleRequest.objects.get(user=cast.priya)
    listed = sarah.get("/organisation/role-requests/")
    assert b"Someone else decides a role you asked for." in listed.content
    refused = sarah.post(f"/organisation/role-requests/{asked.pk}/approve/", follow=True)
    assert b"Someone else decides a role you asked for." in refused.content
    assert not Membership.objects.filter(
        user=cast.priya, role=Role.DATA_PROTECTION_OFFICER
    ).exists()
    assert not Notification.objects.filter(recipient=cast.sarah).exists()


def test_a_second_administrator_cannot_make_owen_dpo_for_owen_to_approve(
    cast, as_user, django_user_model
):
    ann = django_user_model.objects.create(username="ann", first_name="Ann", last_name="Lee")
    Membership.objects.create(user=ann, organisation=cast.org, role=Role.ADMINISTRATOR)
    Membership.objects.create(
        user=cast.owen, organisation=cast.org, role=Role.DATA_PROTECTION_OFFICER
    )
    _ask(as_user(ann), cast.owen, "safeguarding_lead")
    asked = RoleRequest.objects.get(user=cast.owen)
    refused = as_user(cast.owen).post(
        f"/organisation/role-requests/{asked.pk}/approve/", follow=True
    )
    assert b"Someone else decides a role you would receive." in refused.content
    assert not Membership.objects.filter(user=cast.owen, role=Role.SAFEGUARDING_LEAD).exists()


def test_nobody_changes_their_own_roles(cast, as_user):
    owen = as_user(cast.owen)
    response = _ask(owen, cast.owen, "safeguarding_lead")
    assert response.status_code == 400
    assert b"You cannot change your own roles" in response.content
    assert not RoleRequest.objects.exists()
    Membership.objects.create(user=cast.owen, organisation=cast.org, role=Role.AUDITOR)
    auditor = Membership.objects.get(user=cast.owen, role=Role.AUDITOR)
    removed = owen.post(
        f"/organisation/staff/{cast.owen.pk}/roles/{auditor.pk}/remove/", follow=True
    )
    assert b"You cannot change your own roles" in removed.content
    assert Membership.objects.filter(pk=auditor.pk).exists()


def test_only_leads_and_the_officer_see_and_decide_role_requests(cast, as_user):
    _ask(as_user(cast.owen), cast.tom, "team_manager", f"service:{cast.rose.pk}")
    asked = RoleRequest.objects.get(user=cast.tom)
    for user in (cast.nia, cast.helen, cast.grace, cast.owen):
        client = as_user(user)
        assert client.get("/organisation/role-requests/").status_code == 403
        assert client.post(f"/organisation/role-requests/{asked.pk}/approve/").status_code == 403
    # Another organisation's lead: not found.
    olivia = as_user(cast.olivia)
    assert olivia.post(f"/organisation/role-requests/{asked.pk}/approve/").status_code == 404
    assert not Membership.objects.filter(user=cast.tom, role=Role.TEAM_MANAGER).exists()


def test_the_same_request_twice_is_refused_while_it_waits(cast, as_user):
    owen = as_user(cast.owen)
    _ask(owen, cast.tom, "auditor")
    again = _ask(owen, cast.tom, "auditor")
    assert again.status_code == 400
    assert b"already waits for" in again.content
    assert RoleRequest.objects.filter(user=cast.tom).count() == 1


# The API: the same rules --------------------------------------------------------------


def test_by_api_owen_asks_sarah_approves(cast, api):
    asked = api(cast.owen).post(
        f"/api/v1/staff/{cast.tom.pk}/roles", {"role": "team_manager", "team_id": cast.day.pk}
    )
    assert asked.status_code == 202
    body = asked.json()
    assert (body["status"], body["scope"]) == ("pending", "Day team, Rose House")
    assert not Membership.objects.filter(user=cast.tom, role=Role.TEAM_MANAGER).exists()
    waiting = api(cast.sarah).get("/api/v1/role-requests").json()
    assert [r["id"] for r in waiting] == [body["id"]]
    approved = api(cast.sarah).post(f"/api/v1/role-requests/{body['id']}/approve")
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    assert Membership.objects.filter(user=cast.tom, role=Role.TEAM_MANAGER, team=cast.day).exists()


def test_by_api_each_refusal_is_named(cast, api, client, django_user_model):
    owen = api(cast.owen)
    mine = owen.post(f"/api/v1/staff/{cast.owen.pk}/roles", {"role": "dpo"})
    assert mine.status_code == 403
    assert "cannot change your own roles" in mine.json()["message"]
    wrong = owen.post(
        f"/api/v1/staff/{cast.tom.pk}/roles", {"role": "auditor", "team_id": cast.day.pk}
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "team_id"
    unknown = owen.post(f"/api/v1/staff/{cast.tom.pk}/roles", {"role": "overlord"})
    assert unknown.json()["errors"][0]["field"] == "role"
    assert (
        api(cast.nia).post(f"/api/v1/staff/{cast.tom.pk}/roles", {"role": "dpo"}).status_code == 403
    )

    asked = owen.post(f"/api/v1/staff/{cast.tom.pk}/roles", {"role": "dpo"}).json()
    assert api(cast.helen).get("/api/v1/role-requests").status_code == 403
    assert api(cast.owen).post(f"/api/v1/role-requests/{asked['id']}/approve").status_code == 403
    assert api(cast.olivia).post(f"/api/v1/role-requests/{asked['id']}/approve").status_code == 404
    no_reason = api(cast.david).post(
        f"/api/v1/role-requests/{asked['id']}/decline", {"reason": " "}
    )
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["field"] == "reason"
    assert not Membership.objects.filter(user=cast.tom, role=Role.DATA_PROTECTION_OFFICER).exists()

    own = Membership.objects.get(user=cast.owen)
    removed = client.delete(
        f"/api/v1/staff/{cast.owen.pk}/roles/{own.pk}", HTTP_AUTHORIZATION=f"Bearer {owen.secret}"
    )
    assert removed.status_code == 403
    assert Membership.objects.filter(pk=own.pk).exists()
    toms = Membership.objects.get(user=cast.tom)
    gone = client.delete(
        f"/api/v1/staff/{cast.tom.pk}/roles/{toms.pk}", HTTP_AUTHORIZATION=f"Bearer {owen.secret}"
    )
    assert gone.status_code == 204
    assert Entry.objects.filter(
        actor="owen", action="removed role", detail__user=cast.tom.pk
    ).exists()


def test_by_api_the_administrator_role_is_given_at_once(cast, api):
    given = api(cast.owen).post(f"/api/v1/staff/{cast.grace.pk}/roles", {"role": "administrator"})
    assert given.status_code == 201
    assert given.json()["role"] == "administrator"
    assert Membership.objects.filter(user=cast.grace, role=Role.ADMINISTRATOR).exists()
    again = api(cast.owen).post(f"/api/v1/staff/{cast.grace.pk}/roles", {"role": "administrator"})
    assert again.status_code == 422
    assert again.json()["errors"] == [
        {"field": "role", "message": "They already have that role there"}
    ]


def test_by_api_a_lead_cannot_approve_her_own_role(cast, api):
    Membership.objects.create(user=cast.owen, organisation=cast.org, role=Role.SAFEGUARDING_LEAD)
    asked = api(cast.owen).post(f"/api/v1/staff/{cast.tom.pk}/roles", {"role": "auditor"}).json()
    refused = api(cast.owen).post(f"/api/v1/role-requests/{asked['id']}/approve")
    assert refused.status_code == 403
    assert refused.json()["message"] == "Someone else decides a role you asked for."


def test_by_api_nobody_approves_a_role_they_would_receive_nor_one_already_decided(
    cast, api, django_user_model
):
    ann = django_user_model.objects.create(username="ann", first_name="Ann", last_name="Lee")
    Membership.objects.create(user=ann, organisation=cast.org, role=Role.ADMINISTRATOR)
    asked = api(ann).post(f"/api/v1/staff/{cast.david.pk}/roles", {"role": "auditor"}).json()
    mine = api(cast.david).post(f"/api/v1/role-requests/{asked['id']}/approve")
    assert mine.status_code == 403
    assert mine.json()["message"] == "Someone else decides a role you would receive."
    declined = api(cast.sarah).post(
        f"/api/v1/role-requests/{asked['id']}/decline", {"reason": "David audits nothing"}
    )
    assert declined.json()["status"] == "declined"
    late = api(cast.sarah).post(f"/api/v1/role-requests/{asked['id']}/approve")
    assert late.status_code == 422
    assert late.json()["errors"] == [
        {"field": "request", "message": "This request was already declined"}
    ]
    assert not Membership.objects.filter(user=cast.david, role=Role.AUDITOR).exists()
