"""An administrator links a member of staff to their identity at the organisation's
provider; nobody else may, not across organisations, and never for themselves."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from sharewise.audittrail.models import Entry
from sharewise.organisations.models import Membership, Role, SingleSignOnIdentity
from tests.oidc_provider import sign_in_at_provider

SARAH = "entra-sarah-0001"


def set_identity(client, member, subject="", **extra):
    return client.post(
        f"/organisation/staff/{member.pk}/single-sign-on/", {"sso-subject": subject, **extra}
    )


def administrator(username, organisation):
    user = get_user_model().objects.create(username=username, first_name=username.title())
    Membership.objects.create(user=user, organisation=organisation, role=Role.ADMINISTRATOR)
    return user


def test_owen_links_sarahs_identity_and_she_signs_in_with_it(cast, as_user, with_single_sign_on):
    owen = as_user(cast.owen)
    page = owen.get(f"/organisation/staff/{cast.sarah.pk}/").content.decode()
    assert "Single sign-on identity" in page and "Not linked" in page
    answer = set_identity(owen, cast.sarah, f"  {SARAH} ")
    assert answer.status_code == 302
    identity = SingleSignOnIdentity.objects.get(user=cast.sarah)
    assert (identity.issuer, identity.subject) == (with_single_sign_on.issuer, SARAH)
    assert identity.how == "administrator" and identity.linked_by == cast.owen
    entry = Entry.objects.get(action="linked single sign-on identity")
    assert entry.actor == "owen" and entry.object_id == str(cast.sarah.pk)
    assert entry.detail["subject"] == SARAH and entry.organisation_id == cast.org.pk
    page = owen.get(f"/organisation/staff/{cast.sarah.pk}/").content.decode()
    assert f"<strong>{SARAH}</strong>" in page and "set by an administrator (Owen Price)" in page
    assert "Waiting for approval" in page

    # Until someone else approves it, holding the identity is not enough: an
    # administrator could otherwise link a lead's account to an identity of their own.
    browser = Client()
    sign_in_at_provider(browser, SARAH)
    assert "_auth_user_id" not in browser.session
    assert "has not approved the link yet" in browser.get("/sign-in/").content.decode()

    david = as_user(cast.david)
    listed = david.get("/organisation/role-requests/").content.decode()
    assert "Single sign-on links waiting for approval" in listed and SARAH in listed
    assert david.post(f"/organisation/sign-in-links/{identity.pk}/approve/").status_code == 302
    identity.refresh_from_db()
    assert identity.approved_by == cast.david
    assert Entry.objects.filter(action="approved single sign-on identity", actor="david").exists()

    browser = Client()
    sign_in_at_provider(browser, SARAH)
    assert browser.session["_auth_user_id"] == str(cast.sarah.pk)


def test_nobody_approves_a_link_they_made_or_that_signs_them_in(cast, as_user, with_single_sign_on):
    set_identity(as_user(cast.owen), cast.sarah, SARAH)
    identity = SingleSignOnIdentity.objects.get(user=cast.sarah)
    sarah = as_user(cast.sarah)
    assert "Someone else decides a single sign-on link you would receive." in (
        sarah.get("/organisation/role-requests/").content.decode()
    )
    sarah.post(f"/organisation/sign-in-links/{identity.pk}/approve/")
    owen = as_user(cast.owen)
    assert owen.post(f"/organisation/sign-in-links/{identity.pk}/approve/").status_code == 403
    identity.refresh_from_db()
    assert identity.approved_at is None
    # The officer declines it, with a reason, and the link is gone.
    david = as_user(cast.david)
    assert david.post(f"/organisation/sign-in-links/{identity.pk}/decline/").status_code == 302
    assert SingleSignOnIdentity.objects.filter(pk=identity.pk).exists()  # a reason is needed
    david.post(
        f"/organisation/sign-in-links/{identity.pk}/decline/",
        {"reason": "Sarah's identity at the provider is sarah.whitfield, not this"},
    )
    assert not SingleSignOnIdentity.objects.filter(pk=identity.pk).exists()
    entry = Entry.objects.get(action="declined single sign-on identity")
    assert entry.actor == "david" and "not this" in entry.reason


def test_an_administrator_cannot_change_their_own_sign_in_identity(
    cast, as_user, with_single_sign_on
):
    owen = as_user(cast.owen)
    assert (
        "Another administrator changes your own"
        in owen.get(f"/organisation/staff/{cast.owen.pk}/").content.decode()
    )
    answer = set_identity(owen, cast.owen, "owen-at-home")
    assert answer.status_code == 400
    assert "You cannot change your own single sign-on identity" in answer.content.decode()
    assert not SingleSignOnIdentity.objects.exists()
    # Another administrator does it.
    ada = as_user(administrator("ada", cast.org))
    assert set_identity(ada, cast.owen, "entra-owen-0005").status_code == 302
    assert SingleSignOnIdentity.objects.get(user=cast.owen).linked_by.username == "ada"


def test_an_administrator_cannot_remove_their_own_identity_either(
    cast, as_user, with_single_sign_on
):
    SingleSignOnIdentity.objects.create(
        user=cast.owen, issuer=with_single_sign_on.issuer, subject="o", how="administrator"
    )
    answer = set_identity(as_user(cast.owen), cast.owen, **{"sso-remove": "yes"})
    assert answer.status_code == 400
    assert SingleSignOnIdentity.objects.filter(user=cast.owen).exists()


@pytest.mark.parametrize("who", ["sarah", "nia", "david"])
def test_nobody_but_an_administrator_links_identities(cast, as_user, with_single_sign_on, who):
    answer = set_identity(as_user(getattr(cast, who)), cast.tom, "entra-tom-0002")
    assert answer.status_code == 403
    assert not SingleSignOnIdentity.objects.exists()


def test_an_administrator_elsewhere_cannot_link_our_staff(cast, as_user, with_single_sign_on):
    oscar = as_user(administrator("oscar", cast.other_org))
    assert set_identity(oscar, cast.sarah, SARAH).status_code == 404
    assert not SingleSignOnIdentity.objects.exists()
    assert not Entry.objects.filter(action="linked single sign-on identity").exists()


def test_an_identity_already_linked_to_someone_else_is_refused_with_what_to_do(
    cast, as_user, with_single_sign_on
):
    owen = as_user(cast.owen)
    set_identity(owen, cast.sarah, SARAH)
    answer = set_identity(owen, cast.tom, SARAH)
    assert answer.status_code == 400
    assert "already linked to another Sharewise account: remove it there first" in (
        answer.content.decode()
    )
    assert SingleSignOnIdentity.objects.get(subject=SARAH).user == cast.sarah
    assert "Error: " in answer.content.decode()  # the page title says so too
    blank = set_identity(owen, cast.tom, "")
    assert (
        blank.status_code == 400
        and "Enter their identifier at your identity provider" in blank.content.decode()
    )


def test_changing_and_removing_an_identity_are_both_in_the_trail(
    cast, as_user, with_single_sign_on
):
    owen = as_user(cast.owen)
    set_identity(owen, cast.tom, "old-subject")
    set_identity(owen, cast.tom, "entra-tom-0002")
    changed = Entry.objects.filter(action="linked single sign-on identity").last()
    assert changed.detail["replaced"] == "old-subject"
    assert SingleSignOnIdentity.objects.get(user=cast.tom).subject == "entra-tom-0002"
    assert set_identity(owen, cast.tom, **{"sso-remove": "yes"}).status_code == 302
    assert not SingleSignOnIdentity.objects.filter(user=cast.tom).exists()
    removed = Entry.objects.get(action="unlinked single sign-on identity")
    assert removed.actor == "owen" and removed.detail["subject"] == "entra-tom-0002"
    browser = Client()
    sign_in_at_provider(browser, "entra-tom-0002")
    assert "_auth_user_id" not in browser.session  # Tom has no email to match either


def test_without_single_sign_on_there_is_nothing_to_link(cast, as_user):
    owen = as_user(cast.owen)
    assert (
        "Single sign-on identity"
        not in owen.get(f"/organisation/staff/{cast.sarah.pk}/").content.decode()
    )
    assert set_identity(owen, cast.sarah, SARAH).status_code == 404
