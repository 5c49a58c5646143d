"""The harm index (HarmIndex): concerns by service, category and time, for the "same
harm at one service" rule."""

from datetime import UTC, datetime, timedelta

from django.db import connection, transaction

from sharewise.concerns.models import Concern
from sharewise.patterns import facts as factstore
from sharewise.patterns.engine import Fact
from sharewise.patterns.models import HarmIndex

BATCH = 5_000


def rows_for(facts) -> list[HarmIndex]:
    return [
        HarmIndex(
            concern_id=f.id,
            service_id=f.service_id,
            category=category,
            occurred=microseconds(f.occurred_at),
            person_id=person_id,
            team_id=f.team_id,
            shift=f.shift,
        )
        for f in facts
        for category in f.categories
        for person_id in f.person_ids
    ]


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def microseconds(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


def add(facts) -> None:
    """Index these concerns (plain inserts: this runs for every concern recorded)."""
    rows = [
        (r.concern_id, r.service_id, r.category, r.occurred, r.person_id, r.team_id, r.shift)
        for r in rows_for(facts)
    ]
    if not rows:
        return
    table = connection.ops.quote_name(HarmIndex._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (concern_id, service_id, category, occurred, person_id,"  # noqa: S608
            " team_id, shift) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            rows,
        )


def replace(facts: dict[int, Fact]) -> None:
    """After amendments: the concerns' rows as they read now."""
    HarmIndex.objects.filter(concern_id__in=list(facts)).delete()
    add(facts.values())


def at_service(service_id, categories, start, end) -> dict[int, Fact]:
    """Facts (enough for the rule and its explanation) for concerns at one service
    between two moments in any of these categories. Plain SQL: this runs for every
    concern recorded, and at a busy service returns hundreds of rows."""
    table = HarmIndex._meta.db_table
    codes = list(categories)
    marks = ", ".join(["%s"] * len(codes))
    # The table name comes from the model and every value is a parameter.
    sql = "SELECT concern_id, category, occurred, person_id, team_id, shift FROM " + table  # noqa: S608
    sql += f" WHERE service_id = %s AND category IN ({marks}) AND occurred BETWEEN %s AND %s"
    params = [
        service_id,
        *codes,
        microseconds(start),
        microseconds(end),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # Most concerns have one row (one category asked for, one person): build those
    # directly, and merge only the few with more.
    found: dict[int, tuple] = {}
    more: dict[int, tuple[set, set]] = {}
    for concern_id, category, occurred, person_id, team_id, shift in rows:
        if concern_id in found:
            cats, people = more.setdefault(
                concern_id, (set(found[concern_id][1]), set(found[concern_id][2]))
            )
            cats.add(category)
            people.add(person_id)
        else:
            found[concern_id] = (occurred, (category,), (person_id,), team_id, shift)
    for concern_id, (cats, people) in more.items():
        occurred, _, _, team_id, shift = found[concern_id]
        found[concern_id] = (occurred, tuple(sorted(cats)), tuple(sorted(people)), team_id, shift)
    return {
        pk: Fact(
            pk,
            EPOCH + timedelta(microseconds=occurred),
            people,
            team_id,
            service_id,
            cats,
            "low",  # severity: not read by this rule
            shift=shift,
        )
        for pk, (occurred, cats, people, team_id, shift) in found.items()
    }


def rebuild(organisation_id=None) -> int:
    """Build the index from the concerns (after a bulk load, or to repair it)."""
    concerns = Concern.objects.all()
    if organisation_id is not None:
        concerns = concerns.filter(organisation_id=organisation_id)
    made, last = 0, 0
    with transaction.atomic():
        HarmIndex.objects.filter(concern__in=concerns).delete()
        while True:
            ids = list(
                concerns.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH]
            )
            if not ids:
                return made
            facts = factstore.load(Concern.objects.filter(pk__in=ids))
            add(facts.values())
            made += len(facts)
            last = ids[-1]
