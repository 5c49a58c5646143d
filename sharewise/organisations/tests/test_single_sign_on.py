"""Signing in with the organisation's own account, through a real OpenID provider
started for the tests (tests/oidc_provider): staff are matched, never created."""

from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from sharewise.audittrail.models import Entry
from sharewise.organisations.models import SingleSignOnIdentity
from sharewise.organisations.single_sign_on import NOT_LINKED, forget_provider
from sharewise.patterns.models import Notification
from tests.oidc_provider import sign_in_at_provider

SARAH = "entra-sarah-0001"
TOM = "entra-tom-0002"
UNVERIFIED = "entra-unverified-0003"
STRANGER = "entra-stranger-0004"


def link(user, issuer, subject):
    """A link an administrator made and another person approved."""
    return SingleSignOnIdentity.objects.create(
        user=user,
        issuer=issuer,
        subject=subject,
        how=SingleSignOnIdentity.How.ADMINISTRATOR,
        approved_at=timezone.now(),
    )


def signed_in_as(client):
    user_id = client.session.get("_auth_user_id")
    return get_user_model().objects.get(pk=user_id) if user_id else None


def refusals():
    return Entry.objects.filter(action="refused single sign-on")


def test_the_sign_in_page_offers_the_organisations_account_only_when_configured(
    cast, with_single_sign_on, settings
):
    page = Client().get("/sign-in/?next=/reviews/").content.decode()
    assert "Sign in with Oakleigh Care Group" in page
    assert 'href="/sign-in/single-sign-on/?next=/reviews/"' in page
    assert 'id="id_password"' in page  # passwords stay for everyone else
    settings.SHAREWISE_SSO_ISSUER = ""
    page = Client().get("/sign-in/").content.decode()
    assert "Sign in with Oakleigh Care Group" not in page
    assert Client().get("/sign-in/single-sign-on/").status_code == 404


def test_sarahs_identity_signs_her_in_as_herself(cast, with_single_sign_on):
    link(cast.sarah, with_single_sign_on.issuer, SARAH)
    client = Client()
    answer = sign_in_at_provider(client, SARAH, next_url="/reviews/")
    assert answer.status_code == 302 and answer["Location"] == "/reviews/"
    assert signed_in_as(client) == cast.sarah
    assert client.get("/reviews/").status_code == 200
    entry = Entry.objects.get(action="signed in", detail__via="single sign-on")
    assert entry.actor == "sarah" and entry.organisation_id == cast.org.pk
    assert entry.detail["via"] == "single sign-on"
    assert entry.detail["subject"] == SARAH and entry.detail["issuer"] == with_single_sign_on.issuer
    assert SingleSignOnIdentity.objects.get(user=cast.sarah).last_signed_in_at is not None


def test_the_authorization_request_uses_pkce_state_and_nonce(cast, with_single_sign_on):
    client = Client()
    location = client.get("/sign-in/single-sign-on/")["Location"]
    assert location.startswith(with_single_sign_on.issuer + "/auth?")
    for part in ("code_challenge=", "code_challenge_method=S256", "state=", "nonce="):
        assert part in location
    assert "response_type=code" in location and "scope=openid+email+profile" in location


def test_a_multi_factor_sign_in_at_the_provider_counts_as_the_second_factor(
    cast, with_single_sign_on
):
    link(cast.sarah, with_single_sign_on.issuer, SARAH)
    client = Client()
    sign_in_at_provider(client, SARAH)
    assert client.session["second_factor_via"] == "single sign-on"
    assert client.session["second_factor_at"].endswith("+00:00")
    assert (
        Entry.objects.get(action="signed in", detail__via="single sign-on").detail["second factor"]
        is True
    )


def test_a_password_only_sign_in_at_the_provider_leaves_the_second_factor_to_sharewise(
    cast, with_single_sign_on
):
    link(cast.tom, with_single_sign_on.issuer, TOM)
    client = Client()
    sign_in_at_provider(client, TOM)
    assert signed_in_as(client) == cast.tom
    assert "second_factor_at" not in client.session
    assert "second_factor_via" not in client.session


def test_an_unknown_subject_is_refused_nothing_is_created_and_the_trail_says_who(
    cast, with_single_sign_on, settings
):
    staff_before = get_user_model().objects.count()
    client = Client()
    answer = sign_in_at_provider(client, STRANGER)
    assert answer["Location"] == "/sign-in/"
    assert signed_in_as(client) is None
    page = client.get("/sign-in/").content.decode()
    assert NOT_LINKED.replace("'", "&#x27;") in page and "There is a problem" in page
    assert get_user_model().objects.count() == staff_before
    assert settings.OIDC_CREATE_USER is False
    assert not SingleSignOnIdentity.objects.exists()
    refusal = refusals().get()
    assert refusal.detail == {"issuer": with_single_sign_on.issuer, "subject": STRANGER}
    assert refusal.reason == "no member of staff has that email"
    assert "token" not in str(refusal.detail).lower()
    # The message is said once, not on every later visit.
    assert "There is a problem" not in client.get("/sign-in/").content.decode()


def test_a_verified_email_links_the_account_on_first_sign_in_then_the_subject_alone_counts(
    cast, with_single_sign_on
):
    cast.tom.email = "Tom.Bradley@oakleigh.example"
    cast.tom.save()
    client = Client()
    sign_in_at_provider(client, TOM)
    # Matched, but whoever set the email could be anyone: the lead approves it first.
    assert signed_in_as(client) is None
    assert "has not approved the link yet" in client.get("/sign-in/").content.decode()
    identity = SingleSignOnIdentity.objects.get(user=cast.tom)
    assert (identity.issuer, identity.subject) == (with_single_sign_on.issuer, TOM)
    assert identity.how == SingleSignOnIdentity.How.VERIFIED_EMAIL
    assert Entry.objects.filter(action="linked single sign-on identity", actor="tom").exists()
    assert Notification.objects.filter(recipient=cast.sarah, message__contains="Tom Bradley")
    identity.approved_at = timezone.now()
    identity.save()
    client = Client()
    sign_in_at_provider(client, TOM)
    assert signed_in_as(client) == cast.tom
    # Tom's email changes in Sharewise; his linked identity still signs him in.
    cast.tom.email = "tom@elsewhere.example"
    cast.tom.save()
    again = Client()
    sign_in_at_provider(again, TOM)
    assert signed_in_as(again) == cast.tom


def test_an_email_the_provider_has_not_verified_is_refused(cast, with_single_sign_on):
    cast.nia.email = "nia.okafor@oakleigh.example"
    cast.nia.save()
    client = Client()
    sign_in_at_provider(client, UNVERIFIED)
    assert signed_in_as(client) is None
    assert not SingleSignOnIdentity.objects.exists()
    assert refusals().get().reason == "the provider has not verified their email"


def test_a_trusted_sign_in_name_matches_only_when_the_deployment_turns_it_on(
    cast, with_single_sign_on, settings
):
    settings.SHAREWISE_SSO_TRUSTED_CLAIM = "preferred_username"
    cast.nia.email = "nia.okafor@oakleigh.example"
    cast.nia.save()
    client = Client()
    sign_in_at_provider(client, UNVERIFIED)
    assert signed_in_as(client) is None  # matched, and waiting for approval
    assert SingleSignOnIdentity.objects.get(user=cast.nia).how == "trusted_claim"
    assert refusals().get().reason == "matched, waiting for approval"


def test_the_email_claim_itself_is_never_trusted_unverified(cast, with_single_sign_on, settings):
    settings.SHAREWISE_SSO_TRUSTED_CLAIM = "email"
    cast.nia.email = "nia.okafor@oakleigh.example"
    cast.nia.save()
    client = Client()
    sign_in_at_provider(client, UNVERIFIED)
    assert signed_in_as(client) is None


def test_email_matching_keeps_to_the_domains_the_provider_is_trusted_for(
    cast, with_single_sign_on, settings
):
    settings.SHAREWISE_SSO_EMAIL_DOMAINS = "riverside.example, oakleigh.example"
    cast.tom.email = "tom.bradley@oakleigh.example"
    cast.tom.save()
    client = Client()
    sign_in_at_provider(client, TOM)
    assert SingleSignOnIdentity.objects.filter(user=cast.tom).exists()
    SingleSignOnIdentity.objects.all().delete()
    settings.SHAREWISE_SSO_EMAIL_DOMAINS = "riverside.example"
    client = Client()
    sign_in_at_provider(client, TOM)
    assert signed_in_as(client) is None
    assert "domain" in refusals().latest("pk").reason


def test_a_deactivated_member_of_staff_is_refused_linked_or_not(cast, with_single_sign_on):
    link(cast.sarah, with_single_sign_on.issuer, SARAH)
    cast.sarah.is_active = False
    cast.sarah.save()
    client = Client()
    sign_in_at_provider(client, SARAH)
    assert signed_in_as(client) is None
    assert "There is a problem" in client.get("/sign-in/").content.decode()
    refusal = refusals().get()
    assert refusal.reason == "their Sharewise account is deactivated"
    assert refusal.organisation_id == cast.org.pk
    cast.tom.email = "tom.bradley@oakleigh.example"
    cast.tom.is_active = False
    cast.tom.save()
    sign_in_at_provider(Client(), TOM)
    assert not SingleSignOnIdentity.objects.filter(user=cast.tom).exists()


def test_deactivating_someone_ends_their_single_sign_on_session(cast, with_single_sign_on):
    link(cast.tom, with_single_sign_on.issuer, TOM)
    client = Client()
    sign_in_at_provider(client, TOM)
    assert client.get("/people/").status_code == 200
    cast.tom.is_active = False
    cast.tom.save()
    assert client.get("/people/")["Location"].startswith("/sign-in/")


def test_an_answer_this_browser_never_asked_for_is_refused(cast, with_single_sign_on):
    link(cast.sarah, with_single_sign_on.issuer, SARAH)
    started = Client()
    started.get("/sign-in/single-sign-on/")
    other = Client()
    other.get("/sign-in/")
    answer = other.get("/sign-in/single-sign-on/callback/?code=stolen&state=not-mine")
    assert answer["Location"] == "/sign-in/"
    assert signed_in_as(other) is None
    assert "did not work" in other.get("/sign-in/").content.decode()


def test_an_answer_naming_another_issuer_is_refused(cast, with_single_sign_on):
    client = Client()
    client.get("/sign-in/single-sign-on/")
    answer = client.get("/sign-in/single-sign-on/callback/?code=x&state=y&iss=https://evil.example")
    assert answer["Location"] == "/sign-in/"
    assert "evil.example" in refusals().get().reason


def test_an_unreachable_provider_says_so_and_passwords_still_work(cast, settings):

    settings.SHAREWISE_SSO_ISSUER = "http://127.0.0.1:9"  # nothing listens there
    settings.OIDC_RP_CLIENT_ID = "sharewise"
    forget_provider()
    client = Client()
    assert client.get("/sign-in/single-sign-on/")["Location"] == "/sign-in/"
    assert "not available just now" in client.get("/sign-in/").content.decode()
    answer = client.post("/sign-in/", {"username": "owen", "password": cast.password})
    assert answer.status_code == 302


def test_an_email_two_accounts_share_matches_neither(cast, with_single_sign_on):
    for member in (cast.tom, cast.helen):
        member.email = "tom.bradley@oakleigh.example"
        member.save()
    client = Client()
    sign_in_at_provider(client, TOM)
    assert signed_in_as(client) is None
    assert not SingleSignOnIdentity.objects.exists()
    assert refusals().get().reason == "several staff have it"


def test_an_account_with_no_role_is_not_staff_and_is_not_matched(cast, with_single_sign_on):
    get_user_model().objects.create(username="tbradley", email="tom.bradley@oakleigh.example")
    client = Client()
    sign_in_at_provider(client, TOM)
    assert signed_in_as(client) is None
    assert refusals().get().reason == "no member of staff has that email"


def test_turning_back_at_the_provider_says_it_did_not_work(cast, with_single_sign_on):
    client = Client()
    start = client.get("/sign-in/single-sign-on/")["Location"]
    state = dict(p.split("=", 1) for p in start.split("?", 1)[1].split("&"))["state"]
    answer = client.get(
        f"/sign-in/single-sign-on/callback/?error=access_denied&state={state}"
        f"&iss={with_single_sign_on.issuer}"
    )
    assert answer["Location"] == "/sign-in/"
    assert "did not work this time" in client.get("/sign-in/").content.decode()
    assert refusals().get().reason == "the provider said access_denied"
    assert state not in client.session.get("oidc_states", {})  # cannot be replayed


def test_the_deployment_checks_name_what_to_fix_in_the_settings(settings):
    from sharewise.organisations.single_sign_on import check_single_sign_on

    assert check_single_sign_on() == []  # off: nothing to say
    settings.SHAREWISE_SSO_ISSUER = "http://login.example/tenant/v2.0"
    settings.OIDC_RP_CLIENT_ID = "sharewise"
    settings.OIDC_RP_CLIENT_SECRET = ""
    settings.SHAREWISE_SSO_TRUSTED_CLAIM = "email"
    assert {w.id for w in check_single_sign_on()} == {
        "sharewise.W101",
        "sharewise.W102",
        "sharewise.W103",
    }
