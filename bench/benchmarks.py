"""The benchmarks. Each runs in its own process, after Django is set up against the
fresh database run.py made for it, and returns rows for the results table."""

from __future__ import annotations

import multiprocessing
import random
import statistics
import time
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from types import SimpleNamespace
from unittest import mock

from bench import generate, training
from bench.common import median_ms, migrate


@dataclass
class Result:
    name: str
    size: str
    result: str
    target: str
    passed: bool
    value: float
    unit: str
    details: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


# --- 1. the generator itself -------------------------------------------------------


def _signed_in_with_second_factor(user):
    """A client for a lead, signed in with an authenticator app as the pages require."""
    from django.test import Client
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="Bench phone", defaults={"confirmed": True}
    )
    session = client.session
    session["second_factor_at"] = timezone.now().isoformat()
    session["second_factor_via"] = "authenticator app"
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def generate_people(quick: bool) -> list[Result]:
    count = 10_000 if quick else 100_000
    migrate()
    started = time.perf_counter()
    data = generate.build(count)
    seconds = time.perf_counter() - started
    limit = 60
    return [
        Result(
            name="generate-people",
            size=f"{count:,} people, {len(data.enrolments):,} enrolments, {len(data.teams)} teams",
            result=f"{seconds:.1f} s ({count / seconds:,.0f} people/s)",
            target=f"< {limit} s at 100,000",
            passed=seconds < limit,
            value=seconds,
            unit="s",
            details={"people_per_second": count / seconds},
        )
    ]


# --- 2. trail append throughput on PostgreSQL --------------------------------------

_ACTOR = SimpleNamespace(pk=1, username="bench.carer")


def _append_worker(deadline_after: float, start, counts, index: int) -> None:
    from django.db import connections

    from sharewise.audittrail import trail

    rng = random.Random(index)
    start.wait()
    deadline = time.perf_counter() + deadline_after
    done = sealed_here = 0
    while time.perf_counter() < deadline:
        person_id = rng.randint(1, 100_000)
        trail.record(
            actor=_ACTOR,
            action="viewed record",
            object_type="person",
            object_id=person_id,
            person_id=person_id,
            organisation_id=1,
            address="127.0.0.1",
            detail={"via": "page"},
        )
        sealed_here += trail.seal_pending()
        done += 1
    counts[index] = (done, sealed_here)
    connections.close_all()


def trail_append(writers: int):
    def run(quick: bool) -> list[Result]:
        from django.db import connections

        from sharewise.audittrail import trail
        from sharewise.audittrail.models import Entry

        seconds = 3.0 if quick else 10.0
        migrate()
        connections.close_all()  # each forked writer opens its own connection
        ctx = multiprocessing.get_context("fork")
        start = ctx.Barrier(writers + 1)
        counts = ctx.Manager().dict()
        procs = [
            ctx.Process(target=_append_worker, args=(seconds, start, counts, i))
            for i in range(writers)
        ]
        for p in procs:
            p.start()
        start.wait()
        began = time.perf_counter()
        for p in procs:
            p.join()
        elapsed = time.perf_counter() - began
        appended = sum(c[0] for c in counts.values())
        left_over = Entry.objects.filter(seal__isnull=True).count()
        trail.seal_pending(everything=True)
        check = trail.verify()
        crashed = [p.exitcode for p in procs if p.exitcode]
        intact = not crashed and check.ok and check.unsealed == 0 and check.checked == appended
        rate = appended / elapsed
        return [
            Result(
                name=f"trail-append-pg-{writers}",
                size=f"{writers} writer{'s' if writers > 1 else ''}, {seconds:.0f} s, "
                f"{appended:,} appends",
                result=f"{rate:,.0f} appends/s",
                target="chain intact after",
                passed=intact,
                value=rate,
                unit="appends/s",
                details={
                    "appended": appended,
                    "seconds": elapsed,
                    "per_writer": [c[0] for c in counts.values()],
                    "sealed_by_writers": sum(c[1] for c in counts.values()),
                    "unsealed_before_final_sweep": left_over,
                    "writer_exit_codes": [p.exitcode for p in procs],
                    "verify_ok": check.ok,
                    "verify_checked": check.checked,
                    "verify_unsealed": check.unsealed,
                    "broken": str(check.broken) if check.broken else None,
                },
            )
        ]

    return run


# --- 3. verify_trail at 1,000,000 entries ------------------------------------------


def verify_trail(label: str, plain: bool = False):
    """Keyed (as sealed now) or plain (a trail sealed before keying, with unkeyed
    SHA-256 links): the same million entries, so the two show what the key costs."""

    def run(quick: bool) -> list[Result]:
        from django.db import connection

        from sharewise.audittrail import trail

        count = 100_000 if quick else 1_000_000
        migrate()
        rng = random.Random(generate.SEED)
        started = time.perf_counter()
        generate.trail(
            count,
            rng,
            organisation_id=1,
            person_ids=list(range(1, 100_001)),
            actors=[(i, f"bench.carer.{i}") for i in range(1, 1_501)],
            plain=plain,
        )
        _analyze(connection)
        built = time.perf_counter() - started
        # Medians of three: the machine's two cores are shared.
        runs = [_timed(trail.verify) for _ in range(3)]
        single, single_seconds, cpu = runs[0][0], *_medians(runs)
        # What `manage.py verify_trail` does: two processes, each checking half the links.
        runs = [_timed(trail.verify, workers=2) for _ in range(3)]
        check, seconds = runs[0][0], _medians(runs)[0]
        rate = check.checked / seconds
        single_rate = single.checked / single_seconds
        # One process's CPU time shows how much of its wall time was the database
        # server or other work sharing the machine's two cores.
        cpu_rate = single.checked / cpu
        target = 100_000
        name = f"verify-trail-{'plain-' if plain else ''}{label}"
        details = {
            "seconds": seconds,
            "cpu_seconds": cpu,
            "single_process_seconds": single_seconds,
            "single_process_entries_per_second": single_rate,
            "cpu_entries_per_second": cpu_rate,
            "generate_seconds": built,
            "checked": check.checked,
            "unkeyed": check.unkeyed,
            "unsealed": check.unsealed,
            "ok": check.ok,
        }
        if not plain:
            details |= _link_cost(min(count, 100_000))
        return [
            Result(
                name=name,
                size=f"{count:,} entries{', sealed before keying' if plain else ''}",
                result=f"{rate:,.0f} entries/s with 2 processes ({seconds:.1f} s); "
                f"{single_rate:,.0f}/s in one",
                target=f">= {target:,} entries/s",
                passed=check.ok
                and single.ok
                and check.checked == single.checked == count
                and check.unkeyed == (count if plain else 0)
                and rate >= target,
                value=rate,
                unit="entries/s",
                details=details,
            )
        ]

    return run


def _timed(run, *args, **kwargs) -> tuple:
    """(what run returned, wall seconds, this process's CPU seconds)."""
    started, cpu = time.perf_counter(), time.process_time()
    found = run(*args, **kwargs)
    return found, time.perf_counter() - started, time.process_time() - cpu


def _medians(runs: list[tuple]) -> tuple[float, float]:
    return statistics.median(r[1] for r in runs), statistics.median(r[2] for r in runs)


def _analyze(connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def _link_cost(n: int) -> dict:
    """The chain walk over the same n entries held in memory, keyed and plain: what the
    key adds to each link, with the database out of the picture (median of 3)."""
    from sharewise.audittrail import chain, verifying
    from sharewise.audittrail.keys import trail_key

    key = trail_key()
    keyed = list(verifying._sealed_rows(5000, 0, n))
    plain, previous = [], chain.GENESIS
    for position, _, entry_id, entry in keyed:
        previous = chain.unkeyed_link(previous, entry)
        plain.append((position, previous, entry_id, entry))

    def walk(rows, keyed_from):
        started = time.perf_counter()
        checked, broken, _ = chain.verify(rows, key, keyed_from=keyed_from)
        assert broken is None and checked == len(rows)
        return time.perf_counter() - started

    keyed_s = statistics.median(walk(keyed, 1) for _ in range(3))
    plain_s = statistics.median(walk(plain, n + 1) for _ in range(3))
    return {
        "walk_entries": n,
        "walk_keyed_us_per_entry": keyed_s / n * 1e6,
        "walk_plain_us_per_entry": plain_s / n * 1e6,
        "walk_keyed_over_plain": keyed_s / plain_s,
    }


# --- 3b. verify_trail --records: a million entries with the records behind them -------


def verify_records(label: str):
    def run(quick: bool) -> list[Result]:
        import io
        import resource

        from django.core.management import call_command
        from django.db import connection
        from django.utils import timezone

        from sharewise.audittrail import records
        from sharewise.concerns.models import Amendment, Concern, ConcernPerson
        from sharewise.sharing.models import ConsentRecord, SharingDecision

        count = 100_000 if quick else 1_000_000
        concern_count = 10_000 if quick else 100_000
        migrate()
        started = time.perf_counter()
        data = generate.build(5_000 if quick else 20_000)
        rng = random.Random(generate.SEED)
        generate.concerns(data, concern_count, rng)
        concern_ids = list(Concern.objects.values_list("pk", flat=True))
        generate.amendments(
            sorted(rng.sample(concern_ids, len(concern_ids) // 20)), data.lead.pk, rng
        )
        _refusals_and_decisions(data, rng, timezone.localdate())
        # Each record's write, with the digest its write path puts in the trail.
        person_of = dict(ConcernPerson.objects.values_list("concern_id", "person_id"))
        concern_digest = dict(records.current(Concern))
        writes = [
            ("recorded concern", "concern", str(pk), person_of[pk], {"digests": {key: digest}})
            for key, digest in concern_digest.items()
            for pk in [int(key.rpartition(":")[2])]
        ]
        amended_concern = dict(Amendment.objects.values_list("pk", "concern_id"))
        for key, digest in records.current(Amendment):
            concern_id = amended_concern[int(key.rpartition(":")[2])]
            concern_key = f"concerns.concern:{concern_id}"
            writes.append(
                (
                    "amended concern",
                    "concern",
                    str(concern_id),
                    person_of[concern_id],
                    {
                        "fields": ["severity"],
                        "digests": {concern_key: concern_digest[concern_key], key: digest},
                    },
                )
            )
        for model, action in (
            (ConsentRecord, "recorded consent"),
            (SharingDecision, "recorded sharing decision"),
        ):
            person = dict(model.objects.values_list("pk", "person_id"))
            for key, digest in records.current(model):
                pk = int(key.rpartition(":")[2])
                writes.append(
                    (
                        action,
                        model._meta.model_name,
                        str(pk),
                        person[pk],
                        {"via": "page", "digests": {key: digest}},
                    )
                )
        generate.trail(
            count,
            rng,
            organisation_id=data.organisation.pk,
            person_ids=[p.pk for p in data.people],
            actors=[(u.pk, u.username) for team in data.care_workers.values() for u in team],
            writes=writes,
        )
        _analyze(connection)
        built = time.perf_counter() - started
        size = _database_bytes(connection)

        # What an operator runs: the chain in two processes, then the records; beside
        # the chain alone. Medians of three, taken in turns: the two cores are shared.
        out = io.StringIO()
        chain_runs, both_runs, alone_runs = [], [], []
        for i in range(3):
            chain_runs.append(_timed(call_command, "verify_trail", workers=2, stdout=io.StringIO()))
            both_runs.append(
                _timed(
                    call_command,
                    "verify_trail",
                    "--records",
                    workers=2,
                    stdout=out if i == 0 else io.StringIO(),
                )
            )
            alone_runs.append(_timed(records.verify))
        chain_seconds = _medians(chain_runs)[0]
        seconds = _medians(both_runs)[0]
        alone, (records_seconds, records_cpu) = alone_runs[0][0], _medians(alone_runs)
        rate = count / seconds
        ratio = seconds / chain_seconds
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return [
            Result(
                name=f"verify-records-{label}",
                size=f"{count:,} entries; {alone.checked:,} records with digests "
                f"({concern_count:,} concerns); {size / 2**20:,.0f} MB database",
                result=f"{rate:,.0f} entries/s for verify_trail --records ({seconds:.1f} s, "
                f"{ratio:.2f}x the chain alone); records {alone.checked / records_seconds:,.0f}/s",
                target="--records adds <= 50% (<= 1.50x)",
                passed=alone.ok
                and alone.checked == len(writes)
                and "Audit trail intact" in out.getvalue()
                and ratio <= 1.5,
                value=rate,
                unit="entries/s",
                details={
                    "seconds": seconds,
                    "chain_only_seconds": chain_seconds,
                    "records_over_chain": ratio,
                    "records_seconds": records_seconds,
                    "records_cpu_seconds": records_cpu,
                    "records_checked": alone.checked,
                    "records_per_second": alone.checked / records_seconds,
                    "entries_with_digests": len(writes),
                    "database_bytes": size,
                    "generate_seconds": built,
                    "peak_rss_mb_including_generation": peak_mb,
                    "output": out.getvalue(),
                },
            )
        ]

    return run


def _database_bytes(connection) -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
            return cursor.fetchone()[0]
        cursor.execute("PRAGMA page_count")
        pages = cursor.fetchone()[0]
        cursor.execute("PRAGMA page_size")
        return pages * cursor.fetchone()[0]


# --- 4. person page with the trail on and off --------------------------------------


def person_page(quick: bool) -> list[Result]:
    from django.test import Client

    from sharewise.audittrail import trail
    from sharewise.audittrail.models import Entry

    count = 10_000 if quick else 100_000
    pairs = 150 if quick else 400
    migrate()
    data = generate.build(count)
    # A trail with history, so sealing works over a full recent window as in use.
    rng = random.Random(generate.SEED)
    carers = [u for users in data.care_workers.values() for u in users]
    generate.trail(
        count,
        rng,
        organisation_id=data.organisation.pk,
        person_ids=[p.pk for p in data.people],
        actors=[(u.pk, u.username) for u in carers],
    )
    team = data.teams[0]
    user = data.care_workers[team.pk][0]
    visible = [e.person_id for e in data.enrolments if e.team_id == team.pk and not e.end_date]
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")

    def off():
        return mock.patch.multiple(
            trail,
            record=lambda **fields: None,
            seal_pending=lambda everything=False: 0,
        )

    def get(person_id: int, trail_on: bool) -> float:
        patch = None if trail_on else off()
        if patch:
            patch.start()
        try:
            started = time.perf_counter()
            response = client.get(f"/people/{person_id}/")
            seconds = time.perf_counter() - started
        finally:
            if patch:
                patch.stop()
        assert response.status_code == 200, response.status_code
        return seconds

    for _ in range(20):  # warm caches, templates and connections
        person_id = rng.choice(visible)
        get(person_id, True)
        get(person_id, False)
    before = Entry.objects.count()
    on, off_times = [], []
    for i in range(pairs):
        person_id = rng.choice(visible)
        # Alternate which goes first so drift and caching favour neither.
        if i % 2:
            on.append(get(person_id, True))
            off_times.append(get(person_id, False))
        else:
            off_times.append(get(person_id, False))
            on.append(get(person_id, True))
    written = Entry.objects.count() - before
    on_ms, off_ms = median_ms(on), median_ms(off_times)
    ratio = on_ms / off_ms
    return [
        Result(
            name="person-page",
            size=f"{count:,} people, {count:,} trail entries, {pairs} requests each way",
            result=f"on {on_ms:.2f} ms / off {off_ms:.2f} ms = {ratio:.2f}x",
            target="trail adds <= 20% (<= 1.20x)",
            passed=ratio <= 1.20 and written == pairs,
            value=ratio,
            unit="ratio",
            details={
                "median_on_ms": on_ms,
                "median_off_ms": off_ms,
                "entries_written": written,
                "team_people": len(visible),
                "trail_unsealed": trail.verify().unsealed,
            },
        )
    ]


# --- 5. concerns: recording and the chronology, with a million in the database -----


def _first_in_team(data, team):
    return next(
        p
        for e in data.enrolments
        if e.team_id == team.pk and not e.end_date
        for p in data.people
        if p.pk == e.person_id
    )


def _judged_history(quick: bool, heavy_person=None, heavy_count: int = 0):
    """A million concerns (100,000 quick) about 100,000 people over two years, judged by
    the rules as a restored database would be, so alerts and scores are in place.
    Returns (data, rng, seconds to generate, seconds to judge)."""
    from django.db import connection

    from sharewise.patterns import judging

    migrate()
    data = generate.build(10_000 if quick else 100_000)
    rng = random.Random(generate.SEED)
    heavy = heavy_person(data) if heavy_person else None
    started = time.perf_counter()
    generate.concerns(
        data, 100_000 if quick else 1_000_000, rng, heavy_person=heavy, heavy_count=heavy_count
    )
    built = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    started = time.perf_counter()
    judging.judge_history(data.organisation.pk, reindex=False)
    return data, rng, built, time.perf_counter() - started


def concerns(quick: bool) -> list[Result]:
    from django.test import Client
    from django.utils import timezone

    from sharewise.concerns.models import Concern

    people_count = 10_000 if quick else 100_000
    heavy = 5_000
    data, rng, built, judged = _judged_history(
        quick, lambda d: _first_in_team(d, d.teams[0]), heavy
    )
    team = data.teams[0]
    in_team = [e.person_id for e in data.enrolments if e.team_id == team.pk and not e.end_date]
    heavy_person = next(p for p in data.people if p.pk == in_team[0])

    carer = Client()
    carer.force_login(
        data.care_workers[team.pk][0], backend="django.contrib.auth.backends.ModelBackend"
    )
    lead = _signed_in_with_second_factor(data.lead)

    def record(person_id: int) -> float:
        body = {
            "person_ids": [person_id],
            "occurred_at": (timezone.now() - timedelta(hours=2)).isoformat(),
            "team_id": team.pk,
            "categories": ["neglect"],
            "information_source": "observed",
            "facts": "Found without a drink at the evening round.",
            "persons_wishes": "Wants drinks left in reach.",
            "sharing_view": "agrees",
            "immediate_action": "Gave a drink and told the nurse in charge.",
            "who_was_told": "Nurse in charge",
            "severity": "low",
        }
        started = time.perf_counter()
        response = carer.post("/api/v1/concerns", body, content_type="application/json")
        seconds = time.perf_counter() - started
        assert response.status_code == 201, response.content[:300]
        return seconds

    def timed(client, path: str) -> float:
        started = time.perf_counter()
        response = client.get(path)
        seconds = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        return seconds

    for _ in range(5):
        record(rng.choice(in_team[1:]))
    # Rules on and off side by side: alternate, so both see the same database and cache.
    from sharewise.concerns import signals
    from sharewise.patterns import listeners

    recordings, rules_off = [], []
    for _ in range(40 if quick else 150):
        recordings.append(record(rng.choice(in_team[1:])))
        signals.concern_recorded.disconnect(listeners.judge_concern)
        try:
            rules_off.append(record(rng.choice(in_team[1:])))
        finally:
            signals.concern_recorded.connect(listeners.judge_concern)
    ratio = median_ms(recordings) / median_ms(rules_off)

    from sharewise.patterns import sweep
    from sharewise.patterns.models import Alert

    started = time.perf_counter()
    first = sweep.run()
    first_sweep = time.perf_counter() - started
    started = time.perf_counter()
    sweep.run()
    steady_sweep = time.perf_counter() - started
    started = time.perf_counter()
    everyone = sweep.run(rescore_all=True)
    rescore_sweep = time.perf_counter() - started
    timed(lead, "/oversight/")
    dashboards = [timed(lead, "/oversight/") for _ in range(10 if quick else 25)]
    waiting = Alert.objects.needing_decision().count()
    page = f"/people/{heavy_person.pk}/chronology/"
    api = f"/api/v1/people/{heavy_person.pk}/chronology"
    timed(lead, page)
    timed(lead, api)
    pages = [timed(lead, page) for _ in range(10 if quick else 25)]
    apis = [timed(lead, api) for _ in range(10 if quick else 25)]
    sharing = _sharing_measures(data, team, in_team, heavy_person, record, quick)
    total = Concern.objects.count()
    size = f"{total:,} concerns, {people_count:,} people"
    page_ms, api_ms = median_ms(pages), median_ms(apis)
    return [
        Result(
            name="record-concern",
            size=size,
            result=(
                f"median {median_ms(recordings):.1f} ms with rules, {median_ms(rules_off):.1f} ms "
                f"without: {ratio:.2f}x (POST /api/v1/concerns, {len(recordings)} pairs)"
            ),
            target="<= 1.5x slower with rules",
            passed=ratio <= 1.5,
            value=ratio,
            unit="x",
            details={
                "generate_seconds": built,
                "judge_history_seconds": judged,
                "with_rules_ms": median_ms(recordings),
                "without_rules_ms": median_ms(rules_off),
            },
        ),
        Result(
            name="sweep",
            size=size,
            result=(
                f"{rescore_sweep:.1f} s re-scoring all {everyone.rescored:,} people; first sweep "
                f"{first_sweep:.1f} s ({first.overdue:,} overdue-review alerts); "
                f"with nothing to do {steady_sweep:.2f} s"
            ),
            target="< 60 s (SQLite)",
            passed=max(first_sweep, rescore_sweep) < 60,
            value=max(first_sweep, rescore_sweep),
            unit="s",
            details={
                "first_seconds": first_sweep,
                "steady_seconds": steady_sweep,
                "rescore_seconds": rescore_sweep,
                "overdue_alerts": first.overdue,
                "rescored": everyone.rescored,
            },
        ),
        Result(
            name="dashboard",
            size=f"{size}; {waiting:,} alerts waiting",
            result=f"median {median_ms(dashboards):.0f} ms (GET /oversight/ as the lead)",
            target="reported",
            passed=True,
            value=median_ms(dashboards),
            unit="ms",
        ),
        Result(
            name="chronology-5000",
            size=f"{size}; one person with {heavy:,} concerns",
            result=f"page median {page_ms:.0f} ms; API median {api_ms:.0f} ms",
            target="<= 150 ms (SQLite)",
            passed=page_ms <= 150 and api_ms <= 150,
            value=max(page_ms, api_ms),
            unit="ms",
            details={"page_ms": page_ms, "api_ms": api_ms},
        ),
        Result(
            name="record-after-refusal",
            size=f"{size}; {sharing['refusals']:,} people with a standing refusal",
            result=(
                f"median {sharing['with_ms']:.1f} ms with the refusal review, "
                f"{sharing['without_ms']:.1f} ms without: {sharing['ratio']:.2f}x "
                "(each concern about someone who refused raises or joins a review alert)"
            ),
            target="reported",
            passed=True,
            value=sharing["ratio"],
            unit="x",
            details=sharing,
        ),
        Result(
            name="sharing-assess",
            size=f"{size}; one person with {heavy:,} concerns",
            result=(
                f"median {sharing['assess_ms']:.0f} ms (POST /api/v1/sharing-decisions/assess); "
                f"recommendation page {sharing['page_ms']:.0f} ms"
            ),
            target="reported",
            passed=True,
            value=sharing["assess_ms"],
            unit="ms",
        ),
    ]


def _sharing_measures(data, team, in_team, heavy_person, record, quick) -> dict:
    """What sharing adds: recording a concern about someone whose standing decision is
    not to share (the review alert), and the framework's assessment for a person with a
    long history."""
    from django.utils import timezone

    from sharewise.concerns import signals
    from sharewise.policy import store
    from sharewise.sharing import listeners
    from sharewise.sharing.models import Draft, SharingDecision

    version, _ = store.in_force(data.organisation.pk, "sharing")
    refusing = in_team[1:]
    SharingDecision.objects.bulk_create(
        _not_shared(data, version, person_id, timezone.localdate() + timedelta(days=28))
        for person_id in refusing
    )
    rng = random.Random(7)
    with_review, without = [], []
    for _ in range(30 if quick else 100):
        with_review.append(record(rng.choice(refusing)))
        signals.concern_recorded.disconnect(listeners.review_refusal)
        try:
            without.append(record(rng.choice(refusing)))
        finally:
            signals.concern_recorded.connect(listeners.review_refusal)
    lead = _signed_in_with_second_factor(data.lead)
    body = {
        "person_id": heavy_person.pk,
        "answers": {"purpose": "yes", "consent": "refused", "necessary": "yes"},
    }

    def assess() -> float:
        started = time.perf_counter()
        response = lead.post(
            "/api/v1/sharing-decisions/assess", body, content_type="application/json"
        )
        seconds = time.perf_counter() - started
        assert response.status_code == 200, response.content[:300]
        return seconds

    assess()
    assessments = [assess() for _ in range(10 if quick else 25)]
    draft = Draft.objects.create(
        organisation=data.organisation,
        person=heavy_person,
        author=data.lead,
        answers=body["answers"],
    )
    page = f"/sharing/drafts/{draft.pk}/recommendation/"
    lead.get(page)
    pages = []
    for _ in range(10 if quick else 25):
        started = time.perf_counter()
        assert lead.get(page).status_code == 200
        pages.append(time.perf_counter() - started)
    return {
        "refusals": len(refusing),
        "with_ms": median_ms(with_review),
        "without_ms": median_ms(without),
        "ratio": median_ms(with_review) / median_ms(without),
        "assess_ms": median_ms(assessments),
        "page_ms": median_ms(pages),
    }


# --- referrals: the PDF and third-party redaction --------------------------------


def referrals(quick: bool) -> list[Result]:
    """A 20-page referral PDF (median of several renders), and finding 100,000 known
    names in a 10,000-word narrative."""
    from sharewise.disclosures import content, redaction

    rng = random.Random(11)
    words = [
        "the", "resident", "said", "her", "nephew", "took", "money", "from", "purse",
        "staff", "saw", "him", "on", "Sunday", "and", "she", "was", "upset", "after",
        "visit", "afternoon", "lounge", "bank", "card", "asked", "again",
    ]  # fmt: skip

    def paragraph(n):
        return " ".join(rng.choice(words) for _ in range(n)) + "."

    pages, renders = 20, 3 if quick else 7
    document = {
        "title": "Local authority adult safeguarding (section 42 concern)",
        "about": "Dorothy Finch",
        "from": "Benchmark Care Group",
        "to": {
            "organisation": "Northshire County Council",
            "role": "Duty team",
            "name": "",
            "contact": "",
        },
        "channel": "Secure email",
        "decision": 1,
        "sections": [
            {
                "title": f"Section {i + 1}",
                "fields": [
                    {"field": "what_happened", "label": "What happened", "value": paragraph(300)}
                    for _ in range(2)
                ],
            }
            for i in range(pages)
        ],
    }
    html = content.render_html(document)
    content.render_pdf(html)
    times, pdf = [], b""
    for _ in range(renders):
        started = time.perf_counter()
        pdf = content.render_pdf(html)
        times.append(time.perf_counter() - started)
    from weasyprint import HTML

    page_count = len(HTML(string=html).render().pages)

    given = ["Ann", "Mary", "John", "Peter", "Rose", "Will", "Grace", "Omar", "Li", "Ada"]
    family = ["Hale", "Evans", "Shah", "Okafor", "Marsh", "Lin", "Price", "Grant", "Ward", "Kerr"]
    count = 20_000 if quick else 100_000
    parties = [
        redaction.Party(
            f"person:{i}",
            f"{rng.choice(given)}{i % 97}",
            f"{rng.choice(family)}{i}",
            "",
            "another person",
        )
        for i in range(count)
    ]
    started = time.perf_counter()
    index = redaction.build_index(parties, linked=[p.key for p in parties[:20]])
    build_seconds = time.perf_counter() - started
    named = [f"{p.given} {p.family}" for p in rng.sample(parties, 200)]
    text_words = []
    while len(text_words) < 10_000:
        text_words += paragraph(30).split()
        text_words.append(rng.choice(named) + ",")
    narrative = " ".join(text_words[:10_000])
    finds = []
    for _ in range(5):
        started = time.perf_counter()
        spans = redaction.find(narrative, index, keep=["person:0"])
        finds.append(time.perf_counter() - started)
    return [
        Result(
            name="referral-pdf",
            size=f"{page_count} pages, {len(pdf) / 1024:.0f} KB",
            result=f"median {median_ms(times):.0f} ms per render ({renders} renders, WeasyPrint)",
            target="reported",
            passed=True,
            value=median_ms(times),
            unit="ms",
            details={"pages": page_count, "bytes": len(pdf)},
        ),
        Result(
            name="redaction",
            size=f"10,000-word narrative, {count:,} known names ({len(spans)} found)",
            result=(
                f"find median {median_ms(finds):.0f} ms; index built once in "
                f"{build_seconds * 1000:.0f} ms"
            ),
            target="reported",
            passed=True,
            value=median_ms(finds),
            unit="ms",
            details={"build_ms": build_seconds * 1000, "spans": len(spans)},
        ),
    ]


# --- 7. governance: an audit run and an evidence pack over a million concerns ----------


def _not_shared(data, version, person_id: int, review_date, **more):
    """A signed decision not to share, after a refusal by someone with capacity."""
    from sharewise.sharing.models import SharingDecision

    return SharingDecision(
        organisation=data.organisation,
        person_id=person_id,
        question="Tell the local authority?",
        purpose="Protection",
        consent_outcome="refused",
        capacity="presumed",
        answers={},
        facts={},
        recommendation="do_not_share",
        recommendation_reasons=[],
        outcome="do_not_share",
        necessity="She has capacity and refuses; only she is at risk.",
        review_date=review_date,
        decided_by=data.lead,
        policy_version=version,
        standing=True,  # one per person, signed: it stands
        **more,
    )


def _refusals_and_decisions(data, rng, today) -> dict:
    """Refusals of consent for one person in a hundred and a standing decision not to
    share for half of them (some past review), as a year of real work would leave."""
    from django.utils import timezone

    from sharewise.policy import store
    from sharewise.sharing.models import ConsentRecord, SharingDecision

    version, _ = store.in_force(data.organisation.pk, "sharing")
    now = timezone.now()
    chosen = rng.sample(data.people, len(data.people) // 100)
    consents = [
        ConsentRecord(
            organisation=data.organisation,
            person=person,
            purpose="Telling the local authority",
            asked_by=data.lead,
            asked_at=now - timedelta(days=rng.randint(1, 360)),
            explained_how="Explained who would be told and why.",
            outcome="refused",
            capacity="presumed",
            recorded_by=data.lead,
        )
        for person in chosen
    ]
    ConsentRecord.objects.bulk_create(consents, batch_size=2_000)
    decisions = [
        _not_shared(
            data,
            version,
            c.person.pk,
            (c.asked_at + timedelta(days=28)).date(),
            decided_at=c.asked_at + timedelta(days=1),
        )
        for c in consents[::2]
    ]
    SharingDecision.objects.bulk_create(decisions, batch_size=2_000)
    return {"refusals": len(consents), "decisions": len(decisions)}


def governance(quick: bool) -> list[Result]:
    from django.db import connection
    from django.utils import timezone

    from sharewise.concerns.models import Concern
    from sharewise.governance import audits, evidence
    from sharewise.governance.models import EvidencePack

    people_count = 10_000 if quick else 100_000
    data, rng, _, _ = _judged_history(quick)
    made = _refusals_and_decisions(data, rng, timezone.localdate())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    today = timezone.localdate()
    year_ago = today - timedelta(days=364)
    size = f"{Concern.objects.count():,} concerns, {people_count:,} people"

    runs = []
    for _ in range(1 if quick else 3):
        started = time.perf_counter()
        run = audits.run_now(data.organisation.pk, year_ago, today, user=data.lead)
        runs.append(time.perf_counter() - started)
        assert run.status == "done", run.error
    audit_s = statistics.median(runs)

    packs = []
    for _ in range(1 if quick else 3):
        pack = EvidencePack.objects.create(
            organisation=data.organisation,
            period_from=year_ago,
            period_to=today,
            requested_by=data.lead,
        )
        started = time.perf_counter()
        evidence.build(pack.pk)
        packs.append(time.perf_counter() - started)
        pack.refresh_from_db()
        assert pack.status == "done", pack.error
    pack_s = statistics.median(packs)
    import io

    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(bytes(pack.pdf))).pages)
    return [
        Result(
            name="audit-run",
            size=f"{size}; {made['refusals']:,} refusals, {made['decisions']:,} decisions",
            result=(
                f"median {audit_s:.1f} s for one year, {run.total:,} findings ({len(runs)} runs)"
            ),
            target="< 60 s (SQLite)",
            passed=audit_s < 60,
            value=audit_s,
            unit="s",
            details={"runs": runs, "counts": run.counts},
        ),
        Result(
            name="evidence-pack",
            size=size,
            result=(
                f"median {pack_s:.1f} s for one year: figures, HTML and a {pages}-page PDF "
                f"({len(packs)} builds)"
            ),
            target="< 30 s (SQLite)",
            passed=pack_s < 30,
            value=pack_s,
            unit="s",
            details={"builds": packs, "pdf_bytes": len(bytes(pack.pdf))},
        ),
    ]


# Names and databases are listed in run.py, which must not import Django models.
# --- 8. recording a concern against its floor: the insert and nothing else ------------


def record_floor(label: str):
    def run(quick: bool) -> list[Result]:
        return _record_floor(label, quick)

    return run


def _record_floor(label: str, quick: bool) -> list[Result]:
    """Recording a concern as the product does (checks, recording standards, the quick
    risk questions, the pattern rules over the person's whole history and the review of
    a standing refusal, the review queue, the trail entry with its record digest), timed
    against the true floor: the same concern row and its link to the person inserted in
    one transaction by plain SQL. Both are committed; they alternate on one database of
    varied history."""
    from django.db import connection, transaction
    from django.utils import timezone

    from bench.generate import CATEGORIES, FACTS, INDICATORS, SEVERITIES
    from sharewise.concerns import recording
    from sharewise.concerns.models import Concern, ConcernPerson
    from sharewise.people.models import Person
    from sharewise.policy import store

    data, rng, _, _ = _judged_history(quick)
    org = data.organisation
    team = data.teams[0]
    in_team = [e.person_id for e in data.enrolments if e.team_id == team.pk and not e.end_date]
    people = {p.pk: p for p in Person.objects.filter(pk__in=in_team)}
    carer = data.care_workers[team.pk][0]
    version, _ = store.in_force(org.pk, "recording")

    def answers():
        return {
            "facts": rng.choice(FACTS),
            "persons_wishes": "They want it to stop.",
            "immediate_action": "Made them safe and told the manager.",
            "who_was_told": "Manager on call",
            "information_source": rng.choice(["observed", "disclosed"]),
            "persons_words": "I don't want a fuss.",
            "sharing_view": rng.choice(["agrees", "agrees", "refuses", "not_asked"]),
            "sharing_view_reason": "Worried what her family will say.",
            "injury": "none",
            "source_kind": "unknown",
            "severity": rng.choice(SEVERITIES),
        }

    def full(person_id: int) -> float:
        draft = recording.Draft(
            people=[people[person_id]],
            occurred_at=timezone.now() - timedelta(hours=2),
            service=team.service,
            team=team,
            categories=[rng.choice(CATEGORIES)],
            risk_indicators=list(rng.choice(INDICATORS)),
            answers=answers(),
        )
        started = time.perf_counter()
        with transaction.atomic():
            recording.record(None, org.pk, draft, actor=carer)
        return time.perf_counter() - started

    qn = connection.ops.quote_name
    fields = [f for f in Concern._meta.concrete_fields if not f.primary_key]
    insert_concern = (
        f"INSERT INTO {qn(Concern._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {qn('id')}"
    )
    insert_link = (
        f"INSERT INTO {qn(ConcernPerson._meta.db_table)} ({qn('concern_id')}, {qn('person_id')})"
        " VALUES (%s, %s)"
    )

    def bare(person_id: int) -> float:
        now = timezone.now()
        concern = Concern(
            organisation=org,
            recorded_by=carer,
            recorded_at=now,
            occurred_at=now - timedelta(hours=2),
            service=team.service,
            team=team,
            shift="late",
            categories=[rng.choice(CATEGORIES)],
            risk_indicators=list(rng.choice(INDICATORS)),
            unmet_standards=[],
            review_due_at=now + timedelta(hours=24),
            policy_version=version,
            **answers(),
        )
        values = [f.get_db_prep_save(f.pre_save(concern, True), connection) for f in fields]
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(insert_concern, values)
            cursor.execute(insert_link, [cursor.fetchone()[0], person_id])
        return time.perf_counter() - started

    for _ in range(5):
        full(rng.choice(in_team))
        bare(rng.choice(in_team))
    products, floors = [], []
    for _ in range(40 if quick else 150):
        products.append(full(rng.choice(in_team)))
        floors.append(bare(rng.choice(in_team)))
    ratio = median_ms(products) / median_ms(floors)
    database = "PostgreSQL, durable commits" if label == "pg" else "SQLite (WAL)"
    size = f"{Concern.objects.count():,} concerns, {len(data.people):,} people, {database}"
    return [
        Result(
            name=f"record-floor-{label}",
            size=size,
            result=(
                f"median {median_ms(products):.2f} ms recorded, {median_ms(floors):.2f} ms bare "
                f"insert: {ratio:.2f}x ({len(products)} pairs)"
            ),
            target="<= 1.5x a bare insert",
            passed=ratio <= 1.5,
            value=ratio,
            unit="x",
            details={
                "recorded_ms": median_ms(products),
                "bare_insert_ms": median_ms(floors),
            },
        )
    ]


# --- sign-in and the checks on every request -------------------------------------------


def _ok(request):
    """Every real page knows who is asking: the floor reads the session and the user."""
    from django.http import HttpResponse

    return HttpResponse("ok" if request.user.is_authenticated else "who?")


urlpatterns = []  # filled in by sign_in_checks: this module is its own URL configuration


def sign_in_checks(database: str):
    """What the safety layers cost. Per request: a signed-in lead with a proven second
    factor asks for a page that does nothing, through the whole middleware stack (second
    factor and password steps, session limits, refused-access trail, headers, NUL
    check, lockout, trail sealing), against the same request through sessions and
    authentication alone (the bare floor). Per sign-in: password and authenticator code
    through the pages, against checking the password's argon2 hash alone."""

    def run(quick: bool) -> list[Result]:
        from django.conf import settings
        from django.contrib.auth.hashers import check_password
        from django.test import Client, override_settings
        from django.urls import clear_url_caches, include, path
        from django_otp.oath import totp
        from django_otp.plugins.otp_totp.models import TOTPDevice

        count = 2_000 if quick else 10_000
        rounds = 150 if quick else 400
        migrate()
        data = generate.build(count)
        lead = data.lead
        lead.set_password("bench-password-2026")
        lead.save()
        client = _signed_in_with_second_factor(lead)
        # The product's own addresses too: the middleware sends people to them by name.
        urlpatterns[:] = [path("nothing/", _ok), path("", include("sharewise.urls"))]
        bare = [
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ]

        full = list(settings.MIDDLEWARE)
        # A test client builds its middleware once, on its first request: one client
        # per stack, sharing the signed-in session's cookie.
        clients = {}
        for name, stack in (("full", full), ("bare", bare)):
            clients[name] = Client()
            clients[name].cookies = client.cookies
            with override_settings(ROOT_URLCONF=__name__, MIDDLEWARE=stack):
                clear_url_caches()
                clients[name].get("/nothing/")

        def timed(name) -> float:
            started = time.perf_counter()
            response = clients[name].get("/nothing/")
            seconds = time.perf_counter() - started
            assert response.status_code == 200, response.status_code
            return seconds

        product, floor = [], []
        with override_settings(ROOT_URLCONF=__name__):
            for _ in range(20):
                timed("full"), timed("bare")
            for i in range(rounds):
                first, second = ("full", "bare") if i % 2 else ("bare", "full")
                a, b = timed(first), timed(second)
                (product if first == "full" else floor).append(a)
                (floor if first == "full" else product).append(b)
        clear_url_caches()

        device = TOTPDevice.objects.filter(user=lead, name="Bench phone").first()
        device.key = "3132333435363738393031323334353637383930"
        device.save()
        signing, hashing = [], []
        for i in range(max(10, rounds // 20)):
            TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
            device.refresh_from_db()
            code = f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"
            browser = Client(REMOTE_ADDR=f"10.1.{i // 250}.{i % 250 + 1}")
            started = time.perf_counter()
            browser.post(
                "/sign-in/", {"username": lead.username, "password": "bench-password-2026"}
            )
            done = browser.post("/sign-in/second-factor/", {"via": "app", "app-code": code})
            signing.append(time.perf_counter() - started)
            assert done.status_code == 302, done.status_code
            started = time.perf_counter()
            assert check_password("bench-password-2026", lead.password)
            hashing.append(time.perf_counter() - started)
        size = f"{count:,} people, {database}"
        request_ratio = statistics.median(product) / statistics.median(floor)
        sign_in_ratio = statistics.median(signing) / statistics.median(hashing)
        return [
            Result(
                name=f"request-checks-{database}",
                size=size,
                result=f"{median_ms(product):.2f} ms vs {median_ms(floor):.2f} ms bare",
                target="report",
                passed=True,
                value=round(request_ratio, 2),
                unit="x",
                details={"rounds": rounds},
            ),
            Result(
                name=f"sign-in-{database}",
                size=size,
                result=f"{median_ms(signing):.1f} ms vs {median_ms(hashing):.1f} ms argon2 alone",
                target="report",
                passed=True,
                value=round(sign_in_ratio, 2),
                unit="x",
                details={"sign-ins": len(signing)},
            ),
        ]

    return run


def load(quick: bool) -> list[Result]:
    """Users on gunicorn: bench/load.py, which also runs alone with more options."""
    from bench.load import benchmark

    return benchmark(quick)


BY_NAME = {
    "generate-people": generate_people,
    "trail-append-pg-1": trail_append(1),
    "trail-append-pg-8": trail_append(8),
    "verify-trail-sqlite": verify_trail("sqlite"),
    "verify-trail-pg": verify_trail("pg"),
    "verify-trail-plain-sqlite": verify_trail("sqlite", plain=True),
    "verify-trail-plain-pg": verify_trail("pg", plain=True),
    "verify-records-sqlite": verify_records("sqlite"),
    "verify-records-pg": verify_records("pg"),
    "person-page": person_page,
    "concerns": concerns,
    "referrals": referrals,
    "governance": governance,
    "record-floor-sqlite": record_floor("sqlite"),
    "record-floor-pg": record_floor("pg"),
    "sign-in-checks-sqlite": sign_in_checks("sqlite"),
    "sign-in-checks-pg": sign_in_checks("pg"),
    "load": load,
    "training-sqlite": training.training("sqlite"),
    "training-pg": training.training("pg"),
}
