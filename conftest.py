"""The cast the whole suite shares: one small organisation, its staff and the people
they support, so every test can say who did what and what they must or must not see.

Rose House (care home): Day team, Night team.  Riverside Home Care: Community North.
  nia    care worker, Night team        tom    care worker, Day team
  priya  care worker, Community North   helen  team manager, all of Rose House
  sarah  safeguarding lead              david  data protection officer
  grace  auditor                        owen   administrator
  olivia safeguarding lead at another organisation, Other Care Ltd
People: alice (Night team), bob (Day team), carol (Community North), dennis (left the
Day team 30 days ago), edna (left the Night team 200 days ago), fiona (a child,
Community North), zara (Other Care Ltd).
"""

import itertools
import os
from datetime import date, timedelta
from functools import cache
from types import SimpleNamespace

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CAST_PASSWORD = "cast-password-123"

# identity_provider and with_single_sign_on: a real OpenID provider for single sign-on.
pytest_plugins = ["tests.oidc_provider"]


@cache
def _hashed_password():
    from django.contrib.auth.hashers import make_password

    return make_password(CAST_PASSWORD)


def build_cast():
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from sharewise.organisations.models import Membership, Organisation, Role, Service, Team
    from sharewise.people.models import Enrolment, Person

    today = timezone.localdate()
    User = get_user_model()
    c = SimpleNamespace(password=CAST_PASSWORD, today=today)
    c.org = Organisation.objects.create(name="Oakleigh Care Group")
    c.rose = Service.objects.create(
        organisation=c.org, name="Rose House", kind=Service.Kind.CARE_HOME
    )
    c.riverside = Service.objects.create(
        organisation=c.org, name="Riverside Home Care", kind=Service.Kind.HOME_CARE
    )
    c.day = Team.objects.create(service=c.rose, name="Day team")
    c.night = Team.objects.create(service=c.rose, name="Night team")
    c.community = Team.objects.create(service=c.riverside, name="Community North")
    c.other_org = Organisation.objects.create(name="Other Care Ltd")
    c.other_service = Service.objects.create(
        organisation=c.other_org, name="Elm Court", kind=Service.Kind.CARE_HOME
    )
    c.other_team = Team.objects.create(service=c.other_service, name="Elm team")

    def staff(username, first, last, role, org=None, service=None, team=None):
        user = User.objects.create(
            username=username, first_name=first, last_name=last, password=_hashed_password()
        )
        Membership.objects.create(
            user=user, organisation=org or c.org, role=role, service=service, team=team
        )
        return user

    c.nia = staff("nia", "Nia", "Okafor", Role.CARE_WORKER, team=c.night)
    c.tom = staff("tom", "Tom", "Bradley", Role.CARE_WORKER, team=c.day)
    c.priya = staff("priya", "Priya", "Shah", Role.CARE_WORKER, team=c.community)
    c.helen = staff("helen", "Helen", "Marsh", Role.TEAM_MANAGER, service=c.rose)
    c.sarah = staff("sarah", "Sarah", "Whitfield", Role.SAFEGUARDING_LEAD)
    c.david = staff("david", "David", "Lin", Role.DATA_PROTECTION_OFFICER)
    c.grace = staff("grace", "Grace", "Adeyemi", Role.AUDITOR)
    c.owen = staff("owen", "Owen", "Price", Role.ADMINISTRATOR)
    c.olivia = staff("olivia", "Olivia", "Grant", Role.SAFEGUARDING_LEAD, org=c.other_org)

    def person(given, family, born, team, start=None, end=None, org=None, nhs=""):
        p = Person.objects.create(
            organisation=org or c.org,
            given_name=given,
            family_name=family,
            date_of_birth=born,
            nhs_number=nhs,
        )
        Enrolment.objects.create(
            person=p, team=team, start_date=start or today - timedelta(days=400), end_date=end
        )
        return p

    c.alice = person("Alice", "Moore", date(1941, 3, 2), c.night, nhs="9434765919")
    c.bob = person("Bob", "Evans", date(1950, 7, 19), c.day)
    c.carol = person("Carol", "Hughes", date(1962, 11, 30), c.community)
    c.dennis = person("Dennis", "Ward", date(1938, 1, 8), c.day, end=today - timedelta(days=30))
    c.edna = person("Edna", "Fisher", date(1935, 5, 5), c.night, end=today - timedelta(days=200))
    c.fiona = person("Fiona", "Kerr", today.replace(year=today.year - 12, day=1), c.community)
    c.zara = person("Zara", "Quinn", date(1959, 4, 4), c.other_team, org=c.other_org)
    return c


def record_concern(
    cast, person=None, team=None, by=None, days_ago=1, severity="moderate", **answers
):
    """A concern about someone in the cast, recorded through recording.record as the
    import does: every recording standard met unless answers blank one out.
    Options: categories=[...], imported=True, source_staff=user, source_person=person
    (give source_kind too), risk_indicators=[...] (default: none of them applies)."""
    from django.utils import timezone

    from sharewise.concerns import recording

    person, team, by = person or cast.alice, team or cast.night, by or cast.nia
    imported = answers.pop("imported", False)
    source_staff = answers.pop("source_staff", None)
    source_person = answers.pop("source_person", None)
    risk_indicators = answers.pop("risk_indicators", ["none"])
    when = timezone.now() - timedelta(days=days_ago)
    draft = recording.Draft(
        people=[person],
        occurred_at=when - timedelta(hours=2),
        service=team.service,
        team=team,
        categories=answers.pop("categories", ["neglect"]),
        risk_indicators=risk_indicators,
        source_staff=source_staff,
        source_person=source_person,
        answers={
            "facts": "Alice's call bell was out of reach all evening.",
            "immediate_action": "Moved the bell and checked on her every hour.",
            "persons_wishes": "She wants the bell left by her hand.",
            "who_was_told": "The nurse in charge",
            "information_source": "observed",
            "sharing_view": "agrees",
            "injury": "none",
            "source_kind": "unknown",
            "severity": severity,
            **answers,
        },
    )
    return recording.record(None, cast.org.pk, draft, actor=by, recorded_at=when, imported=imported)


def days_spanned(alert):
    """Calendar days, in local time, from an alert's first concern to its last, as its
    explanation counts them. Tests ask for this rather than a fixed number because
    near midnight, and across the change of clocks, "40 days ago" and "2 days ago" can
    fall 37 or 38 local days apart."""
    from django.utils import timezone

    moments = [timezone.localtime(c.occurred_at).date() for c in alert.concerns.all()]
    return (max(moments) - min(moments)).days


def audit_finding(cast, *, person=None, concern=None, criterion="concern_reviewed_late"):
    """A finished audit of the last 30 days with one finding: by default a concern about
    Alice, late for review, on the Night team. Returns (run, finding)."""
    from sharewise.governance.models import AuditRun, Finding
    from sharewise.policy import store

    version, _ = store.in_force(cast.org.pk, "governance")
    run = AuditRun.objects.create(
        organisation=cast.org,
        period_from=cast.today - timedelta(days=30),
        period_to=cast.today,
        policy_version=version,
        status="done",
        progress=100,
        counts={criterion: 1},
    )
    finding = Finding.objects.create(
        organisation=cast.org,
        run=run,
        criterion=criterion,
        title="Concern reviewed late, or waiting past its review time",
        severity="moderate",
        summary="Waiting 3 days past its review time.",
        record_type="concern",
        record_id=concern.pk if concern else 1,
        person=person,
        team=cast.night,
    )
    return run, finding


@pytest.fixture
def cast(db):
    return build_cast()


@pytest.fixture
def transactional_cast(transactional_db):
    return build_cast()


def authenticator_app(user):
    """The user's authenticator app, added if they have none (a fixed test key)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(
        user=user, name="Test phone", key=TEST_AUTHENTICATOR_KEY, confirmed=True
    )


TEST_AUTHENTICATOR_KEY = "3132333435363738393031323334353637383930"


def authenticator_code(device, allow_again=True):
    """The code the app shows now. allow_again: forget that this code's time step was
    used, so a test may sign the same person in twice within 30 seconds."""
    from django_otp.oath import totp

    if allow_again and device.pk:
        type(device).objects.filter(pk=device.pk).update(last_t=-1)
        device.last_t = -1
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{code:0{device.digits}d}"


def prove_second_factor(client, user):
    """What signing in with an authenticator app leaves in the session."""
    from datetime import UTC

    from django.utils import timezone

    device = authenticator_app(user)
    session = client.session
    session["second_factor_at"] = timezone.now().astimezone(UTC).isoformat()
    session["second_factor_via"] = "authenticator app"
    session["otp_device_id"] = device.persistent_id
    session.save()
    return device


def signed_in(user, client=None):
    """A test client signed in as this user, with a second factor proven when their
    role needs one (as as_user does, for tests that keep several clients)."""
    from django.test import Client

    from sharewise.organisations import second_factor

    client = client or Client()
    client.force_login(user)
    if second_factor.required(user) or second_factor.has_any(user):
        prove_second_factor(client, user)
    return client


@pytest.fixture
def as_user(client):
    """Sign the test client in as someone from the cast: as_user(cast.nia). Someone
    whose role needs a second factor has proven one, as signing in would leave them."""

    def sign_in(user):
        return signed_in(user, client)

    return sign_in


@pytest.fixture
def api(client):
    """Call the API with a bearer token for someone: api(cast.sarah).get('/api/v1/me')."""
    from django.utils import timezone

    from sharewise.organisations.models import ApiToken

    def for_user(user):
        # Made just after proving who they are, as the most serious actions need.
        _, secret = ApiToken.issue(user, "test", confirmed_at=timezone.now())
        return SimpleNamespace(
            get=lambda path, data=None, **kw: client.get(
                path, data, HTTP_AUTHORIZATION=f"Bearer {secret}", **kw
            ),
            post=lambda path, data=None, **kw: client.post(
                path,
                data=data or {},
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {secret}",
                **kw,
            ),
            secret=secret,
        )

    return for_user


@pytest.fixture(autouse=True)
def _own_trail_checkpoints(settings, tmp_path_factory):
    """Each test its own checkpoint file: checkpoints vouch for one database, and each
    test's database is rolled back."""
    settings.SHAREWISE_TRAIL_CHECKPOINT_FILE = str(
        tmp_path_factory.getbasetemp() / f"trail-checkpoints-{next(_checkpoint_files)}.jsonl"
    )


_checkpoint_files = itertools.count()


@pytest.fixture(autouse=True)
def _rate_limits_out_of_the_way(settings):
    """A test calls the API or downloads faster than anyone would: rate limits are set
    high here, and tests of the limits set their own."""
    settings.SHAREWISE_API_TOKEN_REQUESTS_PER_MINUTE = 100_000
    settings.SHAREWISE_EXPORTS_PER_HOUR = 100_000


def _allow_emptying_the_trail(sender, connection, **kwargs):
    """Transactional tests are cleaned up with TRUNCATE, which the trail's trigger
    refuses unless the session says otherwise (migration 0004 of audittrail)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET sharewise.trail_truncate_allowed = 'yes'")


def pytest_configure(config):
    from django.db.backends.signals import connection_created

    connection_created.connect(_allow_emptying_the_trail)
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_TheWorkersCount())


# CI runs the suite twice, on PostgreSQL and on SQLite. A test that never touches the
# database proves the same on both, so CI's PostgreSQL pass sets this and leaves such
# tests to the SQLite pass, which (like `make test` anywhere else) runs everything.
ONLY_DATABASE_TESTS = "SHAREWISE_ONLY_DATABASE_TESTS"
DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_setup",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
}


def touches_database(item):
    """Whether a test may reach the database: pytest-django refuses it to any test
    without one of these fixtures or the django_db mark (a fixture unblocking it asks
    for django_db_setup first; django_db_blocker itself every test has). Tests marked
    postgres (their own cluster, or the server's roles) stay whatever they ask for."""
    return (
        item.get_closest_marker("django_db") is not None
        or item.get_closest_marker("postgres") is not None
        or not DATABASE_FIXTURES.isdisjoint(getattr(item, "fixturenames", ()))
    )


def pytest_collection_modifyitems(config, items):
    # The slowest tests start first, so that pytest-xdist's workers finish together
    # rather than one running a long test alone at the end (sorted() keeps the order
    # within each group, so a module's tests stay together).
    items[:] = sorted(items, key=lambda item: item.get_closest_marker("slow") is None)
    if not os.environ.get(ONLY_DATABASE_TESTS):
        return
    kept = [item for item in items if touches_database(item)]
    left = [item for item in items if not touches_database(item)]
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept
    config.stash[_left_to_the_other_pass] = len(left)
    if hasattr(config, "workeroutput"):  # a pytest-xdist worker tells the controller
        config.workeroutput["left_to_the_other_pass"] = len(left)


_left_to_the_other_pass = pytest.StashKey[int]()


class _TheWorkersCount:
    """pytest-xdist's controller collects nothing itself: it hears how many tests a
    worker left out (all workers collect the same tests, so any one of them will do)."""

    @staticmethod
    def pytest_testnodedown(node, error):
        left = getattr(node, "workeroutput", {}).get("left_to_the_other_pass")
        if left is not None:
            node.config.stash[_left_to_the_other_pass] = left


def pytest_terminal_summary(terminalreporter, config):
    left = config.stash.get(_left_to_the_other_pass, None)
    if left is not None:
        terminalreporter.write_line(
            f"{ONLY_DATABASE_TESTS} is set: {left} tests that never touch the database "
            "were deselected here; they run in the other pass (SQLite), like everything else."
        )
