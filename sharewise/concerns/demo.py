"""Two years of concerns for the demo organisation, including the seed's stories:
Example 1 (repeated emotional abuse disclosures, refused, recorded on different
shifts, never escalated) and Example 2 (one man supported by three teams, each
holding one low-level concern). Everything else is ordinary, well-handled work."""

import random
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from sharewise.concerns import recording, statistics
from sharewise.concerns.models import Amendment, AwaitingReview, Concern, ConcernPerson, Review
from sharewise.organisations.extensions import hooks
from sharewise.organisations.models import Membership, Role, Team
from sharewise.people.models import Enrolment, Person

ORDINARY = [
    # (categories, facts, action, source_kind, injury, severity)
    (
        ["neglect"],
        "Evening medication was not given: the MAR chart is blank for 18:00.",
        "Contacted the pharmacist for advice, gave the dose as advised, and informed the nurse in charge.",
        "unknown",
        "none",
        "low",
    ),
    (
        ["physical"],
        "Bruise about 3 cm across on the left forearm, found at personal care. They said they knocked it on the bed rail.",
        "Checked for other injuries, photographed with consent, added a bed-rail check to the care plan.",
        "self",
        "explained",
        "low",
    ),
    (
        ["financial"],
        "Cash tin was £20 short at the weekly check; receipts account for everything else.",
        "Recounted with a second member of staff and told the manager on call.",
        "unknown",
        "none",
        "moderate",
    ),
    (
        ["self_neglect"],
        "Refused meals for two days and has not washed this week; the kitchen bin is overflowing.",
        "Offered a hot meal and help with washing; asked the GP for a visit.",
        "self",
        "none",
        "moderate",
    ),
    (
        ["psychological"],
        "Another resident shouted at them in the lounge and called them names.",
        "Separated them, reassured both, and noted it for the handover.",
        "person_supported",
        "none",
        "low",
    ),
    (
        ["organisational"],
        "Call bells were answered after more than 20 minutes three times on the night shift.",
        "Raised with the night manager; staffing reviewed for the next nights.",
        "unknown",
        "none",
        "moderate",
    ),
    (
        ["discriminatory"],
        "A visitor made racist remarks about a member of staff in front of residents.",
        "Asked the visitor to leave and informed the manager; the staff member was supported.",
        "visitor",
        "none",
        "low",
    ),
]
REVIEWS = [
    (
        "no_further_action",
        "Explanation is consistent with what we know; care plan updated; no pattern in the chronology.",
    ),
    (
        "monitor",
        "Isolated so far. Team to watch for any repeat over the next month and record it here.",
    ),
    (
        "escalate",
        "Seen with the earlier concerns this meets our threshold: referred to the safeguarding lead today.",
    ),
]
SHIFT_HOURS = [8, 10, 11, 15, 17, 19, 22, 23, 2, 4]
REFRESH_EVERY = 40
GROWING = (Person, Enrolment, Concern, ConcernPerson, Amendment, AwaitingReview, Review)
# From when it happened to when its review is due: recorded 50 minutes later, reviewed
# within the recording policy's default 24 hours.
REVIEW_TIME = timedelta(hours=24, minutes=50)


def _at(day: date, hour: int, minute: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _answers(
    facts, action, sharing="agrees", source="unknown", injury="none", severity="low", **extra
):
    return {
        "facts": facts,
        "immediate_action": action,
        "sharing_view": sharing,
        "source_kind": source,
        "injury": injury,
        "severity": severity,
        "information_source": extra.pop("information_source", "observed"),
        "persons_wishes": extra.pop(
            "persons_wishes", "They want to feel safe and be kept informed."
        ),
        "who_was_told": extra.pop("who_was_told", "Manager on call"),
        **extra,
    }


def _story_person(org, given, family, born, teams, start):
    person = Person.objects.create(
        organisation=org, given_name=given, family_name=family, date_of_birth=born
    )
    Enrolment.objects.bulk_create(Enrolment(person=person, team=t, start_date=start) for t in teams)
    return person


# Example 1: Margaret tells staff on every shift that her son belittles her; she
# refuses any referral; each concern is handled alone and nothing is escalated.
# (days ago, hour, team, recorder (None: the team's first care worker), severity,
# facts, her words, review)
MARGARET = [
    (
        63,
        22,
        "Night team",
        "carer.night",
        "low",
        "When her son phoned tonight Margaret was tearful afterwards.",
        "He says I'm a stupid old woman and a waste of money.",
        ("monitor", "Margaret does not want anything done. Respect her wishes."),
    ),
    (
        47,
        10,
        "Day team",
        "carer.day",
        "low",
        "After her son's visit Margaret would not come to lunch and said she was useless.",
        "He tells me everyone would be better off without me.",
        ("no_further_action", "Family matter. Margaret has capacity and refuses."),
    ),
    (
        30,
        16,
        "Day team",
        None,
        "moderate",
        "Margaret asked staff not to let her son visit on Sunday, then changed her mind.",
        "I'm frightened of what he'll say, but he's all I've got.",
        None,
    ),
    (
        16,
        2,
        "Night team",
        "carer.night",
        "moderate",
        "Margaret was awake and crying at 2am after a phone call from her son.",
        "He said if I tell anyone he'll stop coming and I'll die alone in here.",
        None,
    ),
    (
        6,
        11,
        "Day team",
        "carer.day",
        "moderate",
        "Margaret has stopped eating her evening meal since her son's last visit.",
        "Please don't tell anyone. He'll know it was me.",
        None,
    ),
]
# Example 2: Arthur is supported at home, by reablement and at the day centre; each
# team sees one small thing and nobody sees all three.
# (days ago, hour, (service, team), recorder, categories, answers, review)
ARTHUR = [
    (
        38,
        8,
        ("Riverside Home Care", "Community North"),
        "carer.community",
        ["neglect"],
        (
            "Arthur's morning tablets from yesterday were still in the blister pack.",
            "Gave today's dose, rang the pharmacy about yesterday's.",
            {},
        ),
        (
            "no_further_action",
            "One-off missed dose; pharmacy advised no harm. Reminder chart left.",
        ),
    ),
    (
        24,
        15,
        ("Riverside Home Care", "Reablement"),
        None,
        ["physical"],
        (
            "Purple bruise the size of a thumbprint on Arthur's upper left arm. He could not say how it happened.",
            "Checked for other marks, none found; noted it on the body map.",
            {"injury": "unexplained", "injury_location": "Upper left arm, outer side"},
        ),
        ("monitor", "Unexplained but small; team to check at each visit."),
    ),
    (
        9,
        12,
        ("Brookside Day Centre", "Day service team"),
        None,
        ["financial"],
        (
            "Arthur had no money for lunch again and said his nephew 'looks after' his bank card now.",
            "Gave him lunch and asked if he was happy with the arrangement; he shrugged.",
            {
                "information_source": "disclosed",
                "persons_words": "Danny sorts my money out. I don't see much of it.",
                "source": "family_friend",
                "source_description": "His nephew, Danny",
            },
        ),
        None,
    ),
]


class _Demo:
    """The organisation's staff and teams, fetched once, and recording as them."""

    def __init__(self, org, today):
        self.org, self.today = org, today
        self.users = {
            u.username: u for u in get_user_model().objects.filter(memberships__organisation=org)
        }
        self.teams = {
            (t.service.name, t.name): t
            for t in Team.objects.select_related("service").filter(service__organisation=org)
        }
        self.managers = {
            m.service_id: m.user
            for m in Membership.objects.filter(
                organisation=org, role=Role.TEAM_MANAGER, service__isnull=False
            ).select_related("user")
        }
        self.workers_by_team = {}
        for m in Membership.objects.filter(
            organisation=org, role=Role.CARE_WORKER, team__isnull=False
        ).select_related("user"):
            self.workers_by_team.setdefault(m.team_id, []).append(m.user)
        self.lead = self.users["lead"]

    def recorder(self, username, team):
        return self.users[username] if username else self.workers_by_team[team.pk][0]

    def record(
        self,
        people,
        team,
        when,
        categories,
        answers,
        by,
        review=None,
        review_after=timedelta(hours=5),
        indicators=("none",),
    ):
        draft = recording.Draft(
            people=people,
            occurred_at=when,
            service=team.service,
            team=team,
            categories=categories,
            risk_indicators=list(indicators),
            answers=answers,
            source_person=answers.pop("_source_person", None),
        )
        concern = recording.record(
            None, self.org.pk, draft, actor=by, recorded_at=when + timedelta(minutes=50)
        )
        if review:
            reviewer = self.managers.get(team.service_id) or self.lead
            recording.review(
                None, concern, review[0], review[1], actor=reviewer, at=when + review_after
            )
        return concern


def _margaret(demo: _Demo):
    night = demo.teams[("Rose House", "Night team")]
    day = demo.teams[("Rose House", "Day team")]
    margaret = _story_person(
        demo.org,
        "Margaret",
        "Hale",
        date(1939, 6, 14),
        [night, day],
        demo.today - timedelta(days=700),
    )
    for days_ago, hour, team_name, username, severity, facts, words, review in MARGARET:
        team = demo.teams[("Rose House", team_name)]
        demo.record(
            [margaret],
            team,
            _at(demo.today - timedelta(days=days_ago), hour),
            ["psychological"],
            _answers(
                facts,
                "Sat with Margaret, reassured her, and recorded what she said.",
                sharing="refuses",
                source="family_friend",
                severity=severity,
                information_source="disclosed",
                persons_words=words,
                sharing_view_reason="She is afraid her son will stop visiting if anyone is told.",
                source_description="Her son",
                persons_wishes="She wants her son to keep visiting and to be kinder to her.",
            ),
            demo.recorder(username, team),
            review=review,
            review_after=timedelta(hours=20),
            # The night worker sees the threat behind "he'll stop coming" and says so.
            indicators=("coercion",) if days_ago <= 16 else ("none",),
        )
    return margaret


def _arthur(demo: _Demo):
    arthur = _story_person(
        demo.org,
        "Arthur",
        "Penrose",
        date(1944, 2, 9),
        [demo.teams[where] for _, _, where, *_ in ARTHUR],
        demo.today - timedelta(days=300),
    )
    for days_ago, hour, where, username, categories, (facts, action, more), review in ARTHUR:
        team = demo.teams[where]
        demo.record(
            [arthur],
            team,
            _at(demo.today - timedelta(days=days_ago), hour),
            categories,
            _answers(facts, action, **more),
            demo.recorder(username, team),
            review=review,
        )
    return arthur


def _plan_ordinary(demo: _Demo, rng, story_people, ordinary: int) -> list:
    """Ordinary, well-handled work over two years, in the order planned."""
    today = demo.today
    people = list(
        Person.objects.filter(organisation=demo.org)
        .exclude(pk__in=[p.pk for p in story_people])
        .prefetch_related("enrolments")
    )
    adults = [p for p in people if p.age(today) >= 18]
    planned = []
    now = timezone.now()
    for i in range(ordinary):
        person = rng.choice(adults)
        enrolment = rng.choice(list(person.enrolments.all()))
        team = Team.objects.select_related("service").get(pk=enrolment.team_id)
        categories, facts, action, source, injury, severity = rng.choice(ORDINARY)
        start = max(enrolment.start_date, today - timedelta(days=730))
        end = min(enrolment.end_date or today, today) - timedelta(days=1)
        if end <= start:
            continue
        day_ = start + timedelta(days=rng.randint(0, (end - start).days))
        by = rng.choice(demo.workers_by_team.get(team.pk) or [demo.users["lead"]])
        extra = {}
        if source == "person_supported":
            others = [p for p in adults if p.pk != person.pk]
            extra["_source_person"] = rng.choice(others)
        if injury != "none":
            extra["injury_location"] = "Left forearm"
        if source == "visitor":
            extra["source_description"] = "A visitor to another resident"
        when = _at(day_, rng.choice(SHIFT_HOURS), rng.randint(0, 59))
        answers = _answers(facts, action, source=source, injury=injury, severity=severity, **extra)
        # Reviewed in time; only those not yet due wait in the queue.
        review = REVIEWS[i % 2] if when + REVIEW_TIME < now else None
        planned.append((when, i, person, team, categories, answers, by, review))
    return planned


def _record_in_time_order(demo: _Demo, planned: list) -> None:
    """Recorded in time order, as they would have been, so alerts and scores build up
    the way they did in real life; later apps' stories keep pace through their
    demo.as_time_passes(org, at), called before each concern."""
    planned.sort(key=lambda p: (p[0], p[1]))
    keeping_pace = list(hooks("demo", "as_time_passes", skip_label="concerns"))
    for done, (when, _, person, team, categories, answers, by, review) in enumerate(planned):
        for step in keeping_pace:
            step(demo.org, when)
        demo.record([person], team, when, categories, answers, by, review=review)
        if done % REFRESH_EVERY == 0:
            # The tables grow many times over in one transaction: planned with figures
            # from when they were empty, PostgreSQL's lookups turn into scans.
            statistics.refresh(*GROWING)


def build_demo_concerns(org, today: date, seed: int = 20261125, ordinary: int = 220):
    rng = random.Random(seed)
    demo = _Demo(org, today)
    story_people = [_margaret(demo), _arthur(demo)]
    _record_in_time_order(demo, _plan_ordinary(demo, rng, story_people, ordinary))
    return Concern.objects.filter(organisation=org).count()


def extend_demo(org, today):
    return f"{build_demo_concerns(org, today)} concerns over two years"
