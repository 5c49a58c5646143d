"""Synthetic data for benchmarks: deterministic (seeded), bulk-inserted, fast.

One function per kind of record, each taking what it hangs off and returning what it
made, so later work adds concerns, alerts and the rest alongside:

    data = build(people=100_000)
    # later: concerns(data, 1_000_000) ...

Everything is synthetic: Faker names, 999-prefixed NHS numbers (reserved for testing).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from faker import Faker

from sharewise.audittrail import chain
from sharewise.audittrail.keys import trail_key
from sharewise.audittrail.models import Entry, KeyedSealing, Seal
from sharewise.organisations.models import Membership, Organisation, Role, Service, Team
from sharewise.people.models import Enrolment, Person
from sharewise.people.nhs_number import check_digit

BATCH = 5_000
PASSWORD = "bench-password-123"
SEED = 20261125

KINDS = [
    Service.Kind.CARE_HOME,
    Service.Kind.NURSING_HOME,
    Service.Kind.HOME_CARE,
    Service.Kind.SUPPORTED_LIVING,
    Service.Kind.DAY_SERVICE,
]
TEAM_NAMES = ["Day team", "Night team", "Community team", "Outreach", "Reablement"]


@dataclass
class Dataset:
    """What build() made, for benchmarks to pick users and records from."""

    organisation: Organisation
    services: list[Service] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    # team id -> care workers in that team
    care_workers: dict[int, list] = field(default_factory=dict)
    managers: list = field(default_factory=list)
    lead: object = None
    people: list[Person] = field(default_factory=list)
    enrolments: list[Enrolment] = field(default_factory=list)


def organisation(name: str = "Benchmark Care Group") -> Organisation:
    return Organisation.objects.create(name=name)


def services(org: Organisation, count: int) -> list[Service]:
    made = [
        Service(organisation=org, name=f"Service {i + 1:04d}", kind=KINDS[i % len(KINDS)])
        for i in range(count)
    ]
    return Service.objects.bulk_create(made, batch_size=BATCH)


def teams(in_services: list[Service], per_service: int) -> list[Team]:
    made = [
        Team(service=service, name=TEAM_NAMES[j % len(TEAM_NAMES)])
        for service in in_services
        for j in range(per_service)
    ]
    made = Team.objects.bulk_create(made, batch_size=BATCH)
    by_service = {s.pk: s for s in in_services}
    for team in made:  # so str(team) needs no query
        team.service = by_service[team.service_id]
    return made


def staff(
    org: Organisation, in_teams: list[Team], rng: random.Random, per_team: int = 4
) -> tuple[dict[int, list], list, object]:
    """Care workers in every team, a manager per service and one safeguarding lead,
    all with PASSWORD (hashed once: argon2 is deliberately slow)."""
    User = get_user_model()
    password = make_password(PASSWORD)
    fake = _faker(rng)
    users, roles = [], []  # roles[i] = (role, team or None, service or None)

    def add(username, role, team=None, service=None):
        users.append(
            User(
                username=username,
                first_name=fake.first_name(),
                last_name=fake.last_name(),
                email=f"{username}@bench.example",
                password=password,
            )
        )
        roles.append((role, team, service))

    add("bench.lead", Role.SAFEGUARDING_LEAD)
    seen_services = set()
    for team in in_teams:
        if team.service_id not in seen_services:
            seen_services.add(team.service_id)
            add(f"bench.manager.{team.service_id}", Role.TEAM_MANAGER, service=team.service)
        for k in range(per_team):
            add(f"bench.carer.{team.pk}.{k}", Role.CARE_WORKER, team=team)
    users = User.objects.bulk_create(users, batch_size=BATCH)
    Membership.objects.bulk_create(
        [
            Membership(user=user, organisation=org, role=role, team=team, service=service)
            for user, (role, team, service) in zip(users, roles, strict=True)
        ],
        batch_size=BATCH,
    )
    care_workers: dict[int, list] = {}
    managers = []
    for user, (role, team, _) in zip(users, roles, strict=True):
        if role == Role.CARE_WORKER:
            care_workers.setdefault(team.pk, []).append(user)
        elif role == Role.TEAM_MANAGER:
            managers.append(user)
    return care_workers, managers, users[0]


def people(org: Organisation, count: int, rng: random.Random, today: date) -> list[Person]:
    fake = _faker(rng)
    # Pools keep Faker out of the per-row loop, which is what makes 100,000 fast.
    given_names = [fake.first_name() for _ in range(400)]
    family_names = [fake.last_name() for _ in range(600)]
    needs = ["", "", "", "Hearing aid in left ear; speak clearly and face them."]
    safely = ["", "", "", "Do not leave voicemails: a family member checks the phone."]
    numbers = _nhs_numbers()
    made = []
    for i in range(count):
        given = rng.choice(given_names)
        child = i % 12 == 11
        age_days = rng.randint(9 * 365, 17 * 365) if child else rng.randint(19 * 365, 98 * 365)
        made.append(
            Person(
                organisation_id=org.pk,
                given_name=given,
                family_name=rng.choice(family_names),
                preferred_name=given[:3] if i % 9 == 0 else "",
                date_of_birth=today - timedelta(days=age_days),
                nhs_number=next(numbers) if i % 10 else "",
                communication_needs=rng.choice(needs),
                contact_safely=rng.choice(safely),
            )
        )
    return _bulk(Person, made)


def enrolments(
    in_people: list[Person], in_teams: list[Team], rng: random.Random, today: date
) -> list[Enrolment]:
    """Each person in one team; some in a second team of the same service; some who
    left a team recently or long ago."""
    per_service: dict[int, list[Team]] = {}
    for team in in_teams:
        per_service.setdefault(team.service_id, []).append(team)
    made = []
    for i, person in enumerate(in_people):
        team = in_teams[i % len(in_teams)]
        siblings = per_service[team.service_id]
        start = today - timedelta(days=rng.randint(60, 1500))
        made.append(Enrolment(person_id=person.pk, team_id=team.pk, start_date=start))
        if i % 7 == 0 and len(siblings) > 1:
            second = siblings[(siblings.index(team) + 1) % len(siblings)]
            made.append(
                Enrolment(
                    person_id=person.pk, team_id=second.pk, start_date=start + timedelta(days=30)
                )
            )
        if i % 19 == 0:
            ended = today - timedelta(days=30 if i % 2 else 200)
            old = in_teams[(i + 1) % len(in_teams)]
            made.append(
                Enrolment(
                    person_id=person.pk,
                    team_id=old.pk,
                    start_date=start - timedelta(days=400),
                    end_date=ended,
                )
            )
    return _bulk(Enrolment, made)


ENTRY_COLUMNS = (*chain.FIELDS, *chain.DIGESTS)


def trail(
    count: int,
    rng: random.Random,
    *,
    organisation_id: int,
    person_ids: list[int],
    actors: list[tuple[int, str]],
    start: datetime | None = None,
    sealed: bool = True,
    writes: list[tuple] = (),
    plain: bool = False,
) -> int:
    """Append count trail entries (and, if sealed, their seals) after whatever is
    there. Rows go in with raw multi-row INSERTs: the ORM would spend most of the time
    building model instances we never use. Returns the id of the last entry.

    writes: (action, object_type, object_id, person_id, detail) entries spread evenly
    among the reads (records' writes with their digests). plain: seal with the unkeyed
    SHA-256 of a trail from before keying, and record that keyed sealing begins after."""
    _bulk_load_settings()
    # Summer, so a local-time slip (London is UTC+1 then) breaks the chain.
    start = start or datetime(2025, 7, 1, tzinfo=UTC)
    last = Seal.objects.order_by("-position").values_list("position", "hash").first()
    position, previous = last if last else (0, chain.GENESIS)
    key = trail_key()
    write_at = {k * count // len(writes): write for k, write in enumerate(writes)}
    prep_detail = Entry._meta.get_field("detail").get_db_prep_save
    first_id = (Entry.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    detail = {"via": "page"}
    detail_db = Entry._meta.get_field("detail").get_db_prep_save(detail, connection)
    # Entries written now carry digests of their reason and detail, which the chain
    # covers and verify checks; a trail from before keying has none.
    no_digests = ("", "")
    read_digests = no_digests if plain else (chain.text_digest(""), chain.detail_digest(detail))
    adapt_at = connection.ops.adapt_datetimefield_value  # the field's own prep is slow
    actions = ["viewed record", "viewed record", "viewed record", "listed people", "added person"]
    entry_rows, seal_rows = [], []
    with transaction.atomic():
        for k in range(count):
            entry_id = first_id + k
            actor_id, actor = rng.choice(actors)
            person_id = rng.choice(person_ids)
            at = start + timedelta(seconds=k * 3, microseconds=rng.randint(0, 999_999))
            action, object_type, object_id, this_detail, this_db = (
                actions[k % len(actions)],
                "person",
                str(person_id),
                detail,
                detail_db,
            )
            digests = read_digests
            if k in write_at:
                action, object_type, object_id, person_id, this_detail = write_at[k]
                this_db = prep_detail(this_detail, connection)
                if not plain:
                    digests = (chain.text_digest(""), chain.detail_digest(this_detail))
            values = (
                entry_id,
                at,
                actor_id,
                actor,
                action,
                object_type,
                object_id,
                person_id,
                organisation_id,
                f"10.0.{k % 200}.{k % 250 + 1}",
                "",
                this_detail,
                *digests,
            )
            entry_rows.append((entry_id, adapt_at(at), *values[2:11], this_db, *digests))
            if sealed and plain:
                previous = chain.unkeyed_link(previous, values)
                position += 1
                seal_rows.append((position, entry_id, previous))
            elif sealed:
                previous = chain.link(key, previous, values)
                position += 1
                seal_rows.append((position, entry_id, previous))
            if len(entry_rows) >= 1_000:
                _insert(Entry, ENTRY_COLUMNS, entry_rows)
                _insert(Seal, ("position", "entry", "hash"), seal_rows)
                entry_rows, seal_rows = [], []
        _insert(Entry, ENTRY_COLUMNS, entry_rows)
        _insert(Seal, ("position", "entry", "hash"), seal_rows)
        _reset_sequence(Entry)
        if sealed and plain and not KeyedSealing.objects.exists():
            KeyedSealing.objects.create(position=position + 1)
    return first_id + count - 1


def amendments(concern_ids: list[int], by_user_id: int, rng: random.Random) -> list[int]:
    """One amendment to each concern given (a severity put right), raw-inserted.
    Returns their ids."""
    from sharewise.concerns.models import Amendment

    first_id = (Amendment.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    prep = Amendment._meta.get_field("changes").get_db_prep_save
    at = connection.ops.adapt_datetimefield_value(datetime.now(UTC) - timedelta(days=1))
    rows = [
        (
            first_id + i,
            concern_id,
            by_user_id,
            at,
            "The severity was chosen wrongly.",
            prep({"severity": {"from": "low", "to": rng.choice(["moderate", "high"])}}, connection),
        )
        for i, concern_id in enumerate(concern_ids)
    ]
    with transaction.atomic():
        for i in range(0, len(rows), BATCH):
            _insert(
                Amendment,
                ("id", "concern", "amended_by", "amended_at", "reason", "changes"),
                rows[i : i + BATCH],
            )
        _reset_sequence(Amendment)
    return [row[0] for row in rows]


CATEGORIES = ["neglect", "physical", "psychological", "financial", "self_neglect", "organisational"]
SEVERITIES = ["low", "low", "low", "moderate", "moderate", "high", "immediate"]
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # the harm index counts from here

CONCERN_FIELDS = (
    "id",
    "organisation",
    "recorded_by",
    "recorded_at",
    "occurred_at",
    "service",
    "team",
    "shift",
    "categories",
    "facts",
    "persons_words",
    "persons_wishes",
    "sharing_view",
    "sharing_view_reason",
    "immediate_action",
    "who_was_told",
    "source_kind",
    "source_description",
    "injury",
    "injury_location",
    "information_source",
    "reported_by",
    "severity",
    "unmet_standards",
    "prompts_left",
    "review_due_at",
    "policy_version",
    "external_ref",
    "imported",
    "risk_indicators",
)
# What happened, as varied as real records: some words raise the framework's cues.
FACTS = [
    "Found without a drink at the evening round.",
    "Bruise on the left forearm found at personal care; said they knocked it.",
    "Her son keeps her bank card and she has no money for the hairdresser.",
    "Tearful after a phone call; said he won't let her see the grandchildren.",
    "Medication missed at 18:00; MAR chart blank.",
    "Another resident shouted at him in the lounge and threatened to hit him.",
    "Her 9-year-old grandson stays at weekends and saw the argument.",
    "Kitchen bin overflowing and no food in the fridge.",
]
INDICATORS = [["none"], ["none"], ["none"], [], ["crime"], ["children"], ["coercion", "crime"]]


def concerns(
    data: Dataset,
    count: int,
    rng: random.Random,
    *,
    heavy_person: Person | None = None,
    heavy_count: int = 0,
    years: int = 2,
) -> int:
    """count concerns about the dataset's people (heavy_count of them about
    heavy_person), spread over the last `years`; all but the last three days' reviewed,
    one in twenty of those escalated. Raw inserts, as for the trail. Returns the number
    made."""
    from sharewise.concerns.models import Concern, ConcernPerson, Review
    from sharewise.patterns.models import HarmIndex
    from sharewise.policy import store

    _bulk_load_settings()
    version, _ = store.in_force(data.organisation.pk, "recording")
    team_of = {e.person_id: e.team_id for e in data.enrolments}
    service_of = {t.pk: t.service_id for t in data.teams}
    recorders = {team_id: [u.pk for u in users] for team_id, users in data.care_workers.items()}
    prep = {
        name: Concern._meta.get_field(name).get_db_prep_save
        for name in ("categories", "unmet_standards", "prompts_left", "risk_indicators")
    }
    adapt_at = connection.ops.adapt_datetimefield_value
    now = datetime.now(UTC)
    span = years * 365 * 86400
    first_id = (Concern.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    people_ids = [p.pk for p in data.people]
    rows, links, reviews, harms, waiting = [], [], [], [], []
    reviewed_before = now - timedelta(days=3)
    first_review_id = (Review.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    with transaction.atomic():
        for k in range(count):
            concern_id = first_id + k
            person_id = (
                heavy_person.pk if heavy_person and k < heavy_count else rng.choice(people_ids)
            )
            team_id = team_of.get(person_id) or data.teams[0].pk
            occurred = now - timedelta(seconds=rng.randint(3600, span))
            severity = rng.choice(SEVERITIES)
            category = rng.choice(CATEGORIES)
            shift = ("early", "late", "night")[occurred.hour * 3 // 24]
            reviewed_due = occurred + timedelta(hours=1 if severity == "immediate" else 24)
            rows.append(
                (
                    concern_id,
                    data.organisation.pk,
                    rng.choice(recorders.get(team_id) or [data.lead.pk]),
                    adapt_at(occurred + timedelta(minutes=40)),
                    adapt_at(occurred),
                    service_of[team_id],
                    team_id,
                    shift,
                    prep["categories"]([category], connection),
                    rng.choice(FACTS),
                    "",
                    "They want it to stop.",
                    rng.choice(["agrees", "agrees", "refuses", "not_asked"]),
                    "",
                    "Made them safe and told the manager.",
                    "Manager on call",
                    "unknown",
                    "",
                    "none",
                    "",
                    "observed",
                    "",
                    severity,
                    prep["unmet_standards"]([], connection),
                    prep["prompts_left"]([], connection),
                    adapt_at(reviewed_due),
                    version.pk,
                    "",
                    False,
                    prep["risk_indicators"](rng.choice(INDICATORS), connection),
                )
            )
            links.append((concern_id, concern_id, person_id))
            harms.append(
                (
                    concern_id,
                    concern_id,
                    service_of[team_id],
                    category,
                    (occurred - EPOCH) // timedelta(microseconds=1),
                    person_id,
                    team_id,
                    shift,
                )
            )
            if occurred >= reviewed_before:
                waiting.append((concern_id, data.organisation.pk, team_id, adapt_at(reviewed_due)))
            else:
                reviews.append(
                    (
                        first_review_id + len(reviews),
                        concern_id,
                        data.lead.pk,
                        adapt_at(occurred + timedelta(hours=5)),
                        "escalate" if k % 20 == 0 else "no_further_action",
                        "Reviewed with the chronology.",
                    )
                )
            if len(rows) >= 2_000:
                _flush(rows, links, reviews, harms, waiting)
                first_review_id += len(reviews)
                rows, links, reviews, harms, waiting = [], [], [], [], []
        _flush(rows, links, reviews, harms, waiting)
        _reset_sequence(Concern)
        _reset_sequence(ConcernPerson)
        _reset_sequence(Review)
        _reset_sequence(HarmIndex)
    return count


def _flush(rows, links, reviews, harms, waiting) -> None:
    from sharewise.concerns.models import AwaitingReview, Concern, ConcernPerson, Review
    from sharewise.patterns.models import HarmIndex

    _insert(Concern, CONCERN_FIELDS, rows)
    _insert(ConcernPerson, ("id", "concern", "person"), links)
    _insert(
        Review, ("id", "concern", "reviewed_by", "reviewed_at", "outcome", "rationale"), reviews
    )
    _insert(
        HarmIndex,
        ("id", "concern", "service_id", "category", "occurred", "person_id", "team_id", "shift"),
        harms,
    )
    _insert(AwaitingReview, ("concern", "organisation", "team", "due_at"), waiting)


def build(
    people_count: int = 100_000,
    *,
    seed: int = SEED,
    today: date | None = None,
    people_per_service: int = 1_000,
    teams_per_service: int = 3,
    carers_per_team: int = 4,
) -> Dataset:
    """An organisation sized for people_count, in one transaction."""
    rng = random.Random(seed)
    today = today or date.today()
    _bulk_load_settings()
    with transaction.atomic():
        org = organisation()
        data = Dataset(organisation=org)
        data.services = services(org, max(1, people_count // people_per_service))
        data.teams = teams(data.services, teams_per_service)
        data.care_workers, data.managers, data.lead = staff(
            org, data.teams, rng, per_team=carers_per_team
        )
        data.people = people(org, people_count, rng, today)
        data.enrolments = enrolments(data.people, data.teams, rng, today)
    return data


def _bulk_load_settings() -> None:
    """SQLite's default 2 MB page cache thrashes on the trail's indexes (random person
    and actor ids): 256 MB halves the time of a million-entry load."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")


def _faker(rng: random.Random) -> Faker:
    fake = Faker("en_GB")
    fake.seed_instance(rng.randrange(2**32))
    return fake


def _nhs_numbers():
    """Unique valid 999-prefixed numbers in a scrambled but fixed order: a stride
    coprime to 10**6 visits every 6-digit stem once."""
    stem = 0
    for _ in range(10**6):
        stem = (stem + 387_419) % 10**6
        first = f"999{stem:06d}"
        digit = check_digit(first)
        if digit is not None:
            yield first + str(digit)


def _bulk(model, objects: list) -> list:
    created = []
    for i in range(0, len(objects), BATCH):
        created.extend(model.objects.bulk_create(objects[i : i + BATCH]))
    return created


def _insert(model, field_names, rows: list[tuple]) -> None:
    if not rows:
        return
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    columns = ", ".join(qn(model._meta.get_field(name).column) for name in field_names)
    if connection.vendor == "postgresql":  # COPY is several times faster than INSERT
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    markers = ", ".join(["%s"] * len(field_names))  # one SQL parameter per column
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({markers})", rows)


def _reset_sequence(model) -> None:
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(sql)
