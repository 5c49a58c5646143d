"""A real OpenID provider for the tests (provider.mjs: panva's oidc-provider under
node), started once per test session on a free loopback port.

The accounts below are the provider's people. Their subjects are what Sharewise links
to staff; the cast has no emails, so a test that matches by email gives one first.
"""

import json
import os
import re
import subprocess
import tempfile
import threading
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urljoin, urlsplit

import pytest

PROVIDER = Path(__file__).with_name("provider.mjs")
CLIENT_ID = "sharewise-tests"
CLIENT_SECRET = "test-client-secret-not-for-production"
CALLBACK_PATH = "/sign-in/single-sign-on/callback/"

ACCOUNTS = {
    # Sarah signs in with a password and an authenticator at her organisation.
    "entra-sarah-0001": {
        "claims": {
            "email": "sarah.whitfield@oakleigh.example",
            "email_verified": True,
            "name": "Sarah Whitfield",
            "preferred_username": "sarah.whitfield@oakleigh.example",
        },
        "amr": ["pwd", "mfa"],
    },
    # Tom signs in with a password only.
    "entra-tom-0002": {
        "claims": {
            "email": "tom.bradley@oakleigh.example",
            "email_verified": True,
            "name": "Tom Bradley",
        },
        "amr": ["pwd"],
    },
    # Someone the provider knows, with an email the provider has not checked.
    "entra-unverified-0003": {
        "claims": {
            "email": "nia.okafor@oakleigh.example",
            "email_verified": False,
            "preferred_username": "nia.okafor@oakleigh.example",
        },
        "amr": ["pwd", "mfa"],
    },
    # Someone Sharewise has never heard of.
    "entra-stranger-0004": {
        "claims": {"email": "stranger@elsewhere.example", "email_verified": True},
        "amr": ["pwd"],
    },
}


def _start():
    config = {
        "client": {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uri": f"http://testserver{CALLBACK_PATH}",
        },
        "accounts": ACCOUNTS,
    }
    # Its warnings (an in-memory store; a newer node preferred) go to a file, read
    # only when it fails to start.
    errors = tempfile.TemporaryFile(mode="w+")
    process = subprocess.Popen(
        ["node", str(PROVIDER)],
        env={**os.environ, "OIDC_TEST_CONFIG": json.dumps(config)},
        stdout=subprocess.PIPE,
        stderr=errors,
        text=True,
    )
    first_line = []
    reader = threading.Thread(target=lambda: first_line.append(process.stdout.readline()))
    reader.start()
    reader.join(timeout=15)
    issuer = (first_line or [""])[0].strip()
    if not issuer.startswith("http://127.0.0.1:"):
        process.kill()
        errors.seek(0)
        raise RuntimeError(f"the test OpenID provider did not start: {errors.read()}")
    return process, issuer


@pytest.fixture(scope="session")
def identity_provider():
    """The running provider: .issuer, .accounts."""
    process, issuer = _start()
    try:
        yield SimpleNamespace(issuer=issuer, accounts=ACCOUNTS, process=process)
    finally:
        process.terminate()
        process.wait(timeout=5)


@pytest.fixture
def with_single_sign_on(identity_provider, settings):
    """Sharewise configured to use the test provider."""
    from sharewise.organisations import single_sign_on

    settings.SHAREWISE_SSO_ISSUER = identity_provider.issuer
    settings.SHAREWISE_SSO_DISCOVERY_URL = ""
    settings.SHAREWISE_SSO_BUTTON = "Sign in with Oakleigh Care Group"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.SHAREWISE_SSO_TRUSTED_CLAIM = ""
    single_sign_on.forget_provider()
    yield identity_provider
    single_sign_on.forget_provider()


def sign_in_at_provider(client, account, next_url=""):
    """Go through the whole journey with Django's test client: Sharewise sends the
    browser to the provider, the person signs in there as `account`, and the provider
    sends them back. Returns Sharewise's answer to the callback."""
    import requests

    start = client.get("/sign-in/single-sign-on/" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302, start
    browser = requests.Session()
    answer = browser.get(start["Location"], allow_redirects=False)
    # The provider's own redirects until its sign-in page.
    while answer.status_code in (302, 303) and not answer.headers["Location"].startswith(
        "http://testserver"
    ):
        answer = browser.get(urljoin(answer.url, answer.headers["Location"]), allow_redirects=False)
    if answer.status_code == 200:
        action = re.search(r'action="([^"]+)"', answer.text).group(1)
        answer = browser.post(
            urljoin(answer.url, action), {"login": account}, allow_redirects=False
        )
        while answer.status_code in (302, 303) and not answer.headers["Location"].startswith(
            "http://testserver"
        ):
            answer = browser.get(
                urljoin(answer.url, answer.headers["Location"]), allow_redirects=False
            )
    back = urlsplit(answer.headers["Location"])
    assert back.path == CALLBACK_PATH, answer.headers["Location"]
    return client.get(f"{back.path}?{back.query}")
