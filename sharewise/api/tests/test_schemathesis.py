"""Every operation in the published OpenAPI document, fed generated requests by
schemathesis as the safeguarding lead and as a care worker: none may answer with a
server error; every answer must be one the document declares, with the body it
describes; a request the document rules out must be refused, and a method it does not
list answered 405. A fixed seed keeps CI's run repeatable. It runs on PostgreSQL, where
NUL characters, odd UTC offsets and far-off years fail loudest.

About 6,500 requests: schemathesis's coverage phase (each parameter's edges, missing
and wrong types, other methods) and EXAMPLES fuzzed requests per operation for each of
the two users; under two minutes on two cores. `pytest -s` prints what was sent."""

from collections import Counter

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, connection
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from sharewise.organisations.models import ApiToken
from sharewise.wsgi import application

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="CI runs it on PostgreSQL, whose refusals it is there to catch",
)

EXAMPLES = 8
# Requests sent, by schemathesis phase and status code: printed at the end (pytest -s).
SENT = Counter()

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    unsupported_method,
]


@pytest.fixture
def one_connection():
    """Requests go straight to the WSGI application, which closes the database
    connection when each finishes; the test's transaction must outlive them (as
    Django's test client arranges)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_what_it_documents(case, cast, one_connection):
    for who in (cast.sarah, cast.nia):
        _, secret = ApiToken.issue(who, "schemathesis")
        response = case.call_and_validate(
            headers={"Authorization": f"Bearer {secret}"}, checks=CHECKS
        )
        SENT[(case.meta.phase.name.value if case.meta else "?", response.status_code)] += 1


@pytest.fixture(scope="module", autouse=True)
def _report_what_was_sent():
    yield
    by_phase = Counter()
    for (phase, _), count in SENT.items():
        by_phase[phase] += count
    print(f"\nschemathesis sent {sum(SENT.values())} requests: {dict(by_phase)}")
    print("by phase and status:", dict(sorted(SENT.items())))
