"""Load: virtual users against gunicorn and PostgreSQL, as a care group uses Sharewise.

    python bench/load.py                   the demo, 50 users, 5 s think time, 2 minutes
    python bench/load.py --quick           20 s of users, 8 s per saturation: about 2 minutes
    python bench/load.py --people 100000   generated data: 100,000 people, a million concerns
    python bench/run.py --only load        the quick or full run among the other benchmarks

Care workers record concerns (API, bearer token) and open chronologies by page and by
API; team managers open the review queue and review; the lead opens the dashboard, the
alerts and the review queue. Then: throughput with 1 and with 2 gunicorn workers (no
think time), and the chronology of a person with 5,000 concerns by page and by API.

Sessions are made in the database (as signing in would make them, second factor
included) rather than through the sign-in page, which is measured by sign-in-checks.
Without DATABASE_URL a throwaway PostgreSQL (fsync off) is started and removed after.
Results go to bench/results/load.json."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import load_report  # noqa: E402
from bench.common import RESULTS_DIR, ROOT, WORK_DIR, bootstrap, postgres_database  # noqa: E402
from bench.load_report import print_report, results  # noqa: E402
from bench.users import Identity, Run, Server, summary  # noqa: E402

HEAVY = load_report.HEAVY  # concerns about the one person whose chronology is timed
ROLES = ("carer", "manager", "lead")
PHASES = ("users", "saturation", "chronology")


def options(argv=None, quick_default=False) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", default=quick_default)
    parser.add_argument("--users", type=int, help="virtual users at once (50)")
    parser.add_argument("--seconds", type=float, help="how long they work (120; quick 20)")
    parser.add_argument(
        "--think", type=float, help="seconds between a user's requests, on average (5)"
    )
    parser.add_argument(
        "--people",
        type=int,
        default=0,
        help="generated data of this many people, ten "
        "concerns each, instead of the demo (100000 makes a million concerns)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=2 * (os.cpu_count() or 1) + 1,
        help="gunicorn workers for the users' run (2 x CPUs + 1)",
    )
    parser.add_argument(
        "--saturation-users", type=int, default=8, help="users with no think time (8)"
    )
    parser.add_argument("--saturation-seconds", type=float, help="each (30; quick 8)")
    parser.add_argument(
        "--development",
        action="store_true",
        help="serve with sharewise.settings (DEBUG off) instead of settings_production",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=PHASES,
        dest="phases",
        help="run only this part (repeatable): users, saturation, chronology",
    )
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    quick = args.quick
    args.phases = args.phases or list(PHASES)
    args.users = args.users or 50
    args.seconds = args.seconds or (20.0 if quick else 120.0)
    # Five seconds even when quick: 50 users thinking less would be a stress test here.
    args.think = 5.0 if args.think is None else args.think
    args.saturation_seconds = args.saturation_seconds or (8.0 if quick else 30.0)
    return args


def main(argv=None) -> int:
    args = options(argv)
    given = os.environ.get("DATABASE_URL", "")
    database = contextlib.nullcontext(given) if given else postgres_database("load", fast=True)
    with database as url, tempfile.TemporaryDirectory() as var:
        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("SHAREWISE_VAR_DIR", var)
        bootstrap()
        report = measure(args)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "load.json").write_text(json.dumps(report, indent=2) + "\n")
    print_report(report)
    if args.out:
        Path(args.out).write_text(json.dumps(report["results"]))
    return 0 if all(r["passed"] for r in report["results"]) else 1


def benchmark(quick: bool) -> list:
    """For bench/run.py: the quick or the full run on the demo, with run.py's database."""
    from bench.benchmarks import Result

    report = measure(options([], quick_default=quick))
    print_report(report)
    return [Result(**r) for r in report["results"]]


def measure(args) -> dict:
    from django.conf import settings

    from sharewise.audittrail.keys import trail_key

    started = time.perf_counter()
    data = load_data(args)
    identities = sign_in(args.users, data["heavy_person_id"])
    trail_key()  # made here if new: production settings never make one up
    env = _server_env(settings, args.development)
    if not args.development:
        _collect_static(env)
    report = {
        "options": vars(args),
        "data": data,
        "sessions": "made in the database, as signing in with a second factor leaves them",
        "setup_seconds": time.perf_counter() - started,
        "load_average_before": os.getloadavg(),
    }
    if "users" in args.phases:
        report["users"] = users_phase(args, env, identities)
    if "saturation" in args.phases:
        few = _mixed(identities, args.saturation_users)
        report["saturation"] = {w: saturation_phase(args, env, few, w) for w in (1, 2)}
    if "chronology" in args.phases:
        heavy_id = data["heavy_person_id"] or add_heavy_person()
        with gunicorn(env, args.workers) as port:
            report["chronology"] = time_chronology(
                _server(args, port), sign_in_lead(), heavy_id, 10 if args.quick else 25
            )
    report["load_average_after"] = os.getloadavg()
    report["seconds"] = time.perf_counter() - started
    report["results"] = results(args, report)
    return report


def _server(args, port: int) -> Server:
    cookie_name = "sessionid" if args.development else "__Host-sessionid"
    return Server(port, cookie_name, https_proxy=not args.development)


def users_phase(args, env: dict, identities: list[Identity]) -> dict:
    """Every user at once, with think time, on args.workers workers."""
    with gunicorn(env, args.workers) as port:
        server = _server(args, port)
        # Each worker's first requests import and connect: one round each, not counted.
        Run(server, 0, 1.0).go(identities)
        run = Run(server, args.think, args.seconds)
        seconds = run.go(identities)
    return summary(run.samples, seconds)


def saturation_phase(args, env: dict, few: list[Identity], workers: int) -> dict:
    """A few users with no think time: what this many workers can answer."""
    with gunicorn(env, workers) as port:
        server = _server(args, port)
        Run(server, 0, 1.0).go(few)
        run = Run(server, 0, args.saturation_seconds)
        seconds = run.go(few)
    return summary(run.samples, seconds)["overall"]


def _mixed(identities: list[Identity], count: int) -> list[Identity]:
    """count identities in the same proportions of roles as the whole run."""
    by_role = {role: [i for i in identities if i.role == role] for role in ROLES}
    chosen = []
    while len(chosen) < count:
        for role in ROLES:
            share = max(1, round(count * len(by_role[role]) / len(identities)))
            taken = sum(1 for i in chosen if i.role == role)
            if by_role[role] and taken < share and len(chosen) < count:
                chosen.append(by_role[role][taken % len(by_role[role])])
    return chosen


# --- the data ---------------------------------------------------------------------


def load_data(args) -> dict:
    """The demo organisation, or generated data of args.people people with one person
    of HEAVY concerns; what was loaded and how long it took."""
    from django.core.management import call_command
    from django.db import connection

    from bench import generate
    from bench.common import migrate

    started = time.perf_counter()
    migrate()
    call_command("createcachetable", verbosity=0)
    if not args.people:
        call_command("load_demo", if_empty=True, verbosity=0)
        return _counts("demo", time.perf_counter() - started, None)
    import random

    from sharewise.patterns import judging

    data = generate.build(args.people)
    heavy = next(p for e in data.enrolments if not e.end_date for p in [_person(data, e)])
    generate.concerns(
        data,
        args.people * 10,
        random.Random(generate.SEED),
        heavy_person=heavy,
        heavy_count=HEAVY,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    generated = time.perf_counter() - started
    judging.judge_history(data.organisation.pk, reindex=False)
    loaded = _counts(f"generated, {args.people:,} people", generated, heavy.pk)
    loaded["judge_seconds"] = time.perf_counter() - started - generated
    return loaded


def _person(data, enrolment):
    return next(p for p in data.people if p.pk == enrolment.person_id)


def _counts(kind: str, seconds: float, heavy_person_id) -> dict:
    from sharewise.concerns.models import Concern
    from sharewise.people.models import Person

    return {
        "kind": kind,
        "people": Person.objects.count(),
        "concerns": Concern.objects.count(),
        "load_seconds": seconds,
        "heavy_person_id": heavy_person_id,
    }


def add_heavy_person() -> int:
    """A person in the demo's first team with HEAVY concerns over two years, all but
    the last days' reviewed: about twice as many chronology entries."""
    import random
    from datetime import date

    from django.db import connection

    from bench import generate
    from sharewise.organisations.models import Membership, Organisation, Role, Team
    from sharewise.people.models import Enrolment, Person

    org = Organisation.objects.order_by("pk").first()
    team = Team.objects.filter(service__organisation=org).order_by("pk").first()
    person = Person.objects.create(
        organisation=org,
        given_name="Heavy",
        family_name="History",
        date_of_birth=date(1940, 3, 1),
    )
    enrolment = Enrolment.objects.create(person=person, team=team, start_date=date(2020, 1, 1))
    members = Membership.objects.filter(organisation=org).select_related("user")
    data = generate.Dataset(organisation=org, teams=[team], people=[person])
    data.enrolments = [enrolment]
    data.care_workers = {team.pk: [m.user for m in members if m.team_id == team.pk]}
    data.lead = next(m.user for m in members if m.role == Role.SAFEGUARDING_LEAD)
    generate.concerns(data, HEAVY, random.Random(5), heavy_person=person, heavy_count=HEAVY)
    with connection.cursor() as cursor:  # as autovacuum would soon after
        cursor.execute("ANALYZE")
    return person.pk


# --- who signs in -------------------------------------------------------------------


def sign_in(count: int, heavy_person_id) -> list[Identity]:
    """count users: four in five care workers, most of the rest team managers, and
    the safeguarding lead (at least one of each), each with a session and a token."""
    from sharewise.organisations.models import Membership, Role
    from sharewise.people.models import Enrolment

    members = Membership.objects.select_related("user").order_by("pk")
    carers = [m for m in members.filter(role=Role.CARE_WORKER, team__isnull=False)]
    managers = [m.user for m in members.filter(role=Role.TEAM_MANAGER)]
    lead = members.filter(role=Role.SAFEGUARDING_LEAD).first().user
    leads = max(1, count // 25)
    manager_count = max(1, count // 6)
    identities = []
    for k in range(count - leads - manager_count):
        member = carers[k % len(carers)]
        people = list(
            Enrolment.objects.filter(team_id=member.team_id, end_date__isnull=True)
            .exclude(person_id=heavy_person_id)
            .values_list("person_id", flat=True)[:200]
        )
        identity = _identity("carer", member.user)
        identity.team_id, identity.person_ids = member.team_id, people
        identities.append(identity)
    identities += [_identity("manager", managers[k % len(managers)]) for k in range(manager_count)]
    identities += [_identity("lead", lead) for _ in range(leads)]
    return identities


def sign_in_lead() -> Identity:
    from sharewise.organisations.models import Membership, Role

    member = Membership.objects.filter(role=Role.SAFEGUARDING_LEAD).order_by("pk").first()
    return _identity("lead", member.user)


def _identity(role: str, user) -> Identity:
    """A session as signing in with a second factor leaves it, and an API token."""
    from django.test import Client
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from sharewise.organisations.models import ApiToken

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Bench phone", confirmed=True)
    session = client.session
    session["second_factor_at"] = timezone.now().isoformat()
    session["second_factor_via"] = "authenticator app"
    session["otp_device_id"] = device.persistent_id
    session.save()
    _, token = ApiToken.issue(user, "Load benchmark")
    return Identity(role=role, cookie=session.session_key, token=token)


# --- the server ---------------------------------------------------------------------


def _server_env(settings, development: bool) -> dict:
    """What gunicorn's processes need: this process's database, keys and files."""
    env = {
        **os.environ,
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "DJANGO_SETTINGS_MODULE": (
            "sharewise.settings" if development else "sharewise.settings_production"
        ),
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SHAREWISE_TRAIL_KEY_FILE": settings.SHAREWISE_TRAIL_KEY_FILE,
        "SHAREWISE_TRAIL_CHECKPOINT_FILE": settings.SHAREWISE_TRAIL_CHECKPOINT_FILE,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        # Saturation reuses a few tokens flat out: the limit would answer 429.
        "SHAREWISE_API_TOKEN_REQUESTS_PER_MINUTE": "1000000",
        "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "60"),
    }
    env.pop("SHAREWISE_DEVELOPMENT", None)
    if len(env["SECRET_KEY"]) < 50:
        env["SECRET_KEY"] = secrets.token_urlsafe(50)
    return env


def _collect_static(env: dict) -> None:
    """Production serves hashed static files: without them every page is a 500."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        env=env,
        cwd=ROOT,
        check=True,
    )


@contextlib.contextmanager
def gunicorn(env: dict, workers: int):
    """gunicorn with this many sync workers on a free port, until the block ends."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "sharewise.wsgi:application",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "120",
        "--log-level",
        "warning",
    ]
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    log = WORK_DIR / "load-gunicorn.log"
    with log.open("a") as output:  # errors there; the trail's checkpoints too
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=output, stderr=output)
    try:
        _wait_until_up(port, process)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(port: int, process) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


# --- the chronology of a long history ------------------------------------------------


def time_chronology(server: Server, lead: Identity, person_id: int, times: int) -> dict:
    """The page and the API one after another, as the lead: medians and worst."""
    run = Run(server, 0, 0)
    page, api = f"/people/{person_id}/chronology/", f"/api/v1/people/{person_id}/chronology"
    for _ in range(2):  # warm: the first request of a worker imports and connects
        run.timed("page", "GET", page, lead)
        run.timed("api", "GET", api, lead, api=True)
    run.samples.clear()
    for _ in range(times):
        run.timed("page", "GET", page, lead)
        run.timed("api", "GET", api, lead, api=True)
    return summary(run.samples, 1)["routes"] | {"person_id": person_id}


if __name__ == "__main__":
    sys.exit(main())
