"""Training at the size of a large care group: the oversight dashboard's coverage by
team, Your training, what a supervisor sees and the evidence pack's training figures,
against one SQL pass over the attempts and assignments (the floor: nothing can show
coverage without reading them once)."""

from __future__ import annotations

import random
import time
from datetime import timedelta

from bench import generate
from bench.common import median_ms, migrate

FEEDBACK = [
    "Your decision",
    "Override grounds",
    "Lawful basis",
    "Fields sent beyond the minimum",
    "Fields needed and left out",
    "Names not replaced",
]


def _world(quick: bool, rng: random.Random):
    """Services of teams of care workers with a manager each, attempts with feedback of
    varied length over a year, assignments to teams and roles with some done and some
    overdue, and read receipts for a changed version of each policy staff confirm."""
    from django.utils import timezone

    from sharewise.policy import store
    from sharewise.training import applies, casebook
    from sharewise.training.models import Assigned, Assignment, Attempt, Receipt

    services = 10 if quick else 50
    per_team = 10 if quick else 20
    attempts_count = 20_000 if quick else 100_000
    org = generate.organisation()
    made_services = generate.services(org, services)
    teams = generate.teams(made_services, 2)
    care_workers, managers, lead = generate.staff(org, teams, rng, per_team=per_team)
    staff = [u for team in care_workers.values() for u in team] + managers
    now = timezone.now()
    versions = {}
    for kind in applies.KINDS:
        shipped, _ = store.in_force(org.pk, kind)
        versions[kind] = store.save_version(org.pk, kind, shipped.document, lead, "Changed")
    codes = list(casebook.titles())
    titles = casebook.titles()
    Attempt.objects.bulk_create(
        [
            Attempt(
                organisation=org,
                staff=rng.choice(staff),
                case_code=(code := rng.choice(codes)),
                case_title=titles[code],
                case_digest="0" * 64,
                started_at=(at := now - timedelta(minutes=rng.randrange(525_600))),
                finished_at=at + timedelta(minutes=rng.randrange(5, 40)),
                answers={"outcome": rng.choice(["share_without_consent", "do_not_share"])},
                feedback=[
                    {"point": p, "right": rng.random() < 0.7, "why": "x" * rng.randrange(20, 400)}
                    for p in rng.sample(FEEDBACK, rng.randrange(3, 7))
                ],
                score=rng.randrange(0, 101),
            )
            for _ in range(attempts_count)
        ],
        batch_size=2_000,
    )
    assignments = []
    for i, team in enumerate(teams):
        a = Assignment.objects.create(
            organisation=org,
            what="case" if i % 2 else "policy",
            case_code=codes[i % len(codes)] if i % 2 else "",
            policy_kind="" if i % 2 else applies.KINDS[i % len(applies.KINDS)],
            roles=["care_worker"],
            due=timezone.localdate() + timedelta(days=rng.randrange(-30, 30)),
            created_by=lead,
        )
        a.teams.set([team])
        assignments.append((a, care_workers[team.pk]))
    Assigned.objects.bulk_create(
        [
            Assigned(
                assignment=a,
                staff=u,
                completed_at=now if rng.random() < 0.6 else None,
            )
            for a, reached in assignments
            for u in reached
        ],
        batch_size=2_000,
    )
    Receipt.objects.bulk_create(
        [
            Receipt(
                organisation=org,
                staff=u,
                policy=versions[kind],
                kind=kind,
                version=versions[kind].version,
                summary=["What changed"],
            )
            for u in staff
            for kind in applies.KINDS
            if rng.random() < 0.7
        ],
        batch_size=2_000,
    )
    return org, lead, managers, staff, len(teams), attempts_count


def _time(fn, runs: int):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()  # warm: the first call pays for imports and the policy cache
    seconds = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            fn()
            seconds.append(time.perf_counter() - started)
    return median_ms(seconds), len(queries)


def training(label: str):
    def run(quick: bool):
        return _training(label, quick)

    return run


def _training(label: str, quick: bool):
    from django.db import connection
    from django.test import RequestFactory
    from django.utils import timezone

    from bench.benchmarks import Result
    from sharewise.training import figures, panels, yours

    migrate()
    rng = random.Random(19)
    org, lead, managers, staff, teams, attempts = _world(quick, rng)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    size = f"{len(staff):,} staff in {teams} teams, {attempts:,} practice attempts"
    runs = 5 if quick else 15

    def floor():
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*), AVG(score) FROM training_attempt")
            cursor.fetchall()
            cursor.execute("SELECT COUNT(*) FROM training_assigned WHERE completed_at IS NULL")
            cursor.fetchall()

    floor_ms, _ = _time(floor, runs)
    request = RequestFactory().get("/oversight/")
    request.user = lead
    request.session = {}
    worker = staff[0]
    now = timezone.now()
    timed = {
        "dashboard coverage (lead, every team)": lambda: panels.dashboard_panel(request),
        "coverage (a manager's teams)": lambda: figures.coverage_by_team(managers[0]),
        "Your training (one care worker)": lambda: (yours.mine(worker), yours.things_to_do(worker)),
        "supervision: one person's training": lambda: figures.staff_training(worker, org.pk),
        "evidence pack: a year's training figures": lambda: figures.evidence(
            org.pk, now - timedelta(days=365), now
        ),
    }
    results = []
    for name, fn in timed.items():
        ms, queries = _time(fn, runs)
        # The evidence pack is built by a background job, not while someone waits.
        target = 5000 if name.startswith("evidence") else 150
        results.append(
            Result(
                name=f"training-{label}: {name}",
                size=size,
                result=f"median {ms:.1f} ms, {queries} queries, {ms / floor_ms:.1f}x one SQL pass ({floor_ms:.1f} ms)",
                target=f"<= {target} ms",
                passed=ms <= target,
                value=ms,
                unit="ms",
                details={"queries": queries, "floor_ms": floor_ms},
            )
        )
    return results
