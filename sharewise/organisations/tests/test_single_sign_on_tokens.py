"""The ID token is believed only when signed with the provider's RS256 key, issued by
the configured issuer, for Sharewise, and not expired."""

import base64
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import SuspiciousOperation
from django.test import Client

from sharewise.audittrail.models import Entry
from sharewise.organisations.models import SingleSignOnIdentity
from sharewise.organisations.single_sign_on import DID_NOT_WORK, SingleSignOnBackend
from tests.oidc_provider import sign_in_at_provider

ISSUER = "https://login.example/tenant/v2.0"
CLIENT = "sharewise-client"
PROVIDER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def backend(settings):
    settings.SHAREWISE_SSO_ISSUER = ISSUER
    checker = SingleSignOnBackend()
    checker.OIDC_RP_CLIENT_ID = CLIENT
    return checker


def token(key=PROVIDER_KEY, algorithm="RS256", **changes):
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": CLIENT, "sub": "abc", "iat": now, "exp": now + 300}
    claims.update(changes)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, key, algorithm=algorithm, headers={"kid": "k1"})


def public(key=PROVIDER_KEY):
    return key.public_key()


def test_a_good_token_is_believed(backend):
    assert backend._verify_jws(token(), public())["sub"] == "abc"


def test_a_token_changed_after_signing_is_refused(backend):
    header, payload, signature = token().split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = "someone-else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(jwt.InvalidSignatureError):
        backend._verify_jws(f"{header}.{forged}.{signature}", public())


def test_a_token_signed_with_another_key_is_refused(backend):
    with pytest.raises(jwt.InvalidSignatureError):
        backend._verify_jws(token(key=OTHER_KEY), public())


def test_an_expired_token_is_refused(backend):
    with pytest.raises(jwt.ExpiredSignatureError):
        backend._verify_jws(token(exp=int(time.time()) - 120), public())


def test_a_token_without_an_expiry_is_refused(backend):
    with pytest.raises(jwt.MissingRequiredClaimError):
        backend._verify_jws(token(exp=None), public())


def test_a_token_for_another_application_is_refused(backend):
    with pytest.raises(jwt.InvalidAudienceError):
        backend._verify_jws(token(aud="someone-elses-app"), public())


def test_a_token_for_several_parties_must_name_sharewise_as_its_holder(backend):
    with pytest.raises(SuspiciousOperation):
        backend._verify_jws(token(aud=[CLIENT, "other-app"]), public())
    both = token(aud=[CLIENT, "other-app"], azp=CLIENT)
    assert backend._verify_jws(both, public())["azp"] == CLIENT


def test_a_token_from_another_issuer_is_refused(backend):
    with pytest.raises(jwt.InvalidIssuerError):
        backend._verify_jws(token(iss="https://login.example/other-tenant/v2.0"), public())


def test_an_unsigned_or_symmetric_token_is_refused(backend):
    unsigned = jwt.encode({"iss": ISSUER, "aud": CLIENT, "sub": "abc"}, None, algorithm="none")
    with pytest.raises(SuspiciousOperation):
        backend._verify_jws(unsigned, public())
    with pytest.raises(SuspiciousOperation):
        backend._verify_jws(
            token(key="a shared secret of enough length!", algorithm="HS256"), public()
        )


def test_a_tampered_token_from_the_provider_refuses_the_sign_in(
    cast, with_single_sign_on, monkeypatch
):
    SingleSignOnIdentity.objects.create(
        user=cast.sarah,
        issuer=with_single_sign_on.issuer,
        subject="entra-sarah-0001",
        how="administrator",
    )
    get_token = SingleSignOnBackend.get_token

    def tampered(self, payload):
        answer = get_token(self, payload)
        header, claims, signature = answer["id_token"].split(".")
        answer["id_token"] = f"{header}.{claims}.{signature[::-1]}"
        return answer

    monkeypatch.setattr(SingleSignOnBackend, "get_token", tampered)
    client = Client()
    assert sign_in_at_provider(client, "entra-sarah-0001")["Location"] == "/sign-in/"
    assert "_auth_user_id" not in client.session
    assert DID_NOT_WORK.replace("'", "&#x27;") in client.get("/sign-in/").content.decode()
    refusal = Entry.objects.get(action="refused single sign-on")
    assert refusal.reason.startswith("not accepted")
    assert answer_has_no_token(refusal)


def answer_has_no_token(entry):
    text = json.dumps(entry.detail) + entry.reason
    return "eyJ" not in text  # the start of any JSON Web Token
