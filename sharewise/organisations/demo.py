"""The demo organisation: deterministic (seeded), synthetic names, fixed sign-ins.
Later features add their own demo stories on top of build_demo()."""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from faker import Faker

from sharewise.audittrail import trail
from sharewise.organisations.models import Membership, Organisation, Role, Service, Team

DEMO_PASSWORD = "sharewise-demo"
ORGANISATION = "Oakleigh Care Group"

SERVICES = [
    ("Rose House", Service.Kind.CARE_HOME, ["Day team", "Night team", "Garden unit"]),
    (
        "Riverside Home Care",
        Service.Kind.HOME_CARE,
        ["Community North", "Community South", "Reablement"],
    ),
    (
        "Brookside Day Centre",
        Service.Kind.DAY_SERVICE,
        ["Day service team", "Young people's outreach"],
    ),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    first_name: str
    last_name: str
    role: str
    service: str | None = None
    team: str | None = None

    @property
    def describes(self):
        where = self.team and f"{self.team}, {self.service}" or self.service or "whole organisation"
        return f"{Role(self.role).label} ({where})"


DEMO_LOGINS = [
    DemoLogin("carer.night", "Nia", "Okafor", Role.CARE_WORKER, "Rose House", "Night team"),
    DemoLogin("carer.day", "Tom", "Bradley", Role.CARE_WORKER, "Rose House", "Day team"),
    DemoLogin(
        "carer.community",
        "Priya",
        "Shah",
        Role.CARE_WORKER,
        "Riverside Home Care",
        "Community North",
    ),
    DemoLogin("manager.rose", "Helen", "Marsh", Role.TEAM_MANAGER, "Rose House"),
    DemoLogin("manager.riverside", "Kwame", "Asante", Role.TEAM_MANAGER, "Riverside Home Care"),
    DemoLogin("lead", "Sarah", "Whitfield", Role.SAFEGUARDING_LEAD),
    DemoLogin("dpo", "David", "Lin", Role.DATA_PROTECTION_OFFICER),
    DemoLogin("auditor", "Grace", "Adeyemi", Role.AUDITOR),
    DemoLogin("admin", "Owen", "Price", Role.ADMINISTRATOR),
]


PRIVILEGED = (
    Role.SAFEGUARDING_LEAD,
    Role.DATA_PROTECTION_OFFICER,
    Role.AUDITOR,
    Role.ADMINISTRATOR,
)
DEMO_AUTHENTICATOR = "Demo authenticator"


def _demo_authenticator(user):
    """The demo's privileged accounts need a second factor; rather than a phone, each
    has an authenticator whose current code `manage.py demo_code` prints."""
    import secrets

    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(
        user=user, name=DEMO_AUTHENTICATOR, key=secrets.token_hex(20), confirmed=True
    )


def demo_code(username: str) -> str | None:
    """The code a demo account's authenticator shows now, or None for any other account."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if username not in {login.username for login in DEMO_LOGINS}:
        return None
    device = TOTPDevice.objects.filter(
        user__username=username, name=DEMO_AUTHENTICATOR, confirmed=True
    ).first()
    if device is None:
        return None
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{code:0{device.digits}d}"


def demo_exists() -> bool:
    return Organisation.objects.filter(name=ORGANISATION).exists()


SEED = 20261125
EXTRA_STAFF = 32


def demo_faker(after_staff: bool = False) -> Faker:
    """The demo's seeded name generator. after_staff: past the names build_demo gives
    its staff, so the people supported keep the names the demo's stories were written
    against."""
    fake = Faker("en_GB")
    fake.seed_instance(SEED)
    if after_staff:
        for _ in range(EXTRA_STAFF):
            fake.first_name(), fake.last_name()
    return fake


@transaction.atomic
def build_demo(today: date):
    """The organisation, its services and teams, and its staff with the demo sign-ins.
    The people supported and everything about them come from each later app's
    demo.extend_demo(org, today)."""
    fake = demo_faker()
    User = get_user_model()

    org = Organisation.objects.create(name=ORGANISATION)
    teams: dict[tuple[str, str], Team] = {}
    for name, kind, team_names in SERVICES:
        service = Service.objects.create(organisation=org, name=name, kind=kind)
        for team_name in team_names:
            teams[(name, team_name)] = Team.objects.create(service=service, name=team_name)
    services = {s.name: s for s in Service.objects.filter(organisation=org)}

    password = make_password(DEMO_PASSWORD)  # hashed once: argon2 is slow by design

    def add_staff(username, first, last, role, service=None, team=None):
        user = User.objects.create(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@oakleigh.example",
            password=password,
        )
        Membership.objects.create(
            user=user,
            organisation=org,
            role=role,
            service=services[service] if service and not team else None,
            team=teams[(service, team)] if team else None,
        )
        return user

    for login in DEMO_LOGINS:
        user = add_staff(
            login.username, login.first_name, login.last_name, login.role, login.service, login.team
        )
        if login.role in PRIVILEGED:
            _demo_authenticator(user)
    team_keys = list(teams)
    for i in range(EXTRA_STAFF):
        first, last = fake.first_name(), fake.last_name()
        role = Role.TEAM_MANAGER if i % 8 == 0 else Role.CARE_WORKER
        service, team = team_keys[i % len(team_keys)]
        add_staff(f"{first}.{last}.{i}".lower().replace("'", ""), first, last, role, service, team)

    trail.record(
        action="loaded demo organisation",
        object_type="organisation",
        object_id=org.pk,
        organisation_id=org.pk,
    )
    return org
