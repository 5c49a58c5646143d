"""One rule decides who may see a concern or an alert: the querysets that pages read
and the plain rule that chooses who hears of something never disagree."""

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import record_concern
from sharewise.concerns import visibility
from sharewise.concerns.access import who_may_see
from sharewise.concerns.models import Concern
from sharewise.organisations.access import scope_for, scopes_for
from sharewise.patterns.models import Alert, AlertConcern, Notification

STAFF = ["nia", "tom", "priya", "helen", "sarah", "david", "grace", "owen", "olivia"]
PEOPLE = ["alice", "bob", "carol", "dennis", "edna", "fiona"]


class Rollback(Exception):
    pass


def test_a_lead_named_as_the_source_is_not_told_of_the_alert(cast):
    concern = record_concern(cast, by=cast.helen, source_kind="staff", source_staff=cast.sarah)
    alert = Alert.objects.get(rule="staff_implicated")
    assert list(alert.concerns.all()) == [concern]
    told = set(
        Notification.objects.filter(alert=alert).values_list("recipient__username", flat=True)
    )
    assert told == {"helen"}
    assert who_may_see([cast.sarah.pk, cast.david.pk, cast.nia.pk], [concern.pk]) == {
        cast.david.pk,
        cast.nia.pk,
    }


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.tuples(st.sampled_from(PEOPLE), st.sampled_from([None, *STAFF[:6]])),
        min_size=1,
        max_size=5,
    )
)
def test_the_querysets_and_the_plain_rule_agree(cast, concerns):
    try:
        with transaction.atomic():
            made = []
            for who, source in concerns:
                person = getattr(cast, who)
                extra = {}
                if source:
                    extra = {"source_kind": "staff", "source_staff": getattr(cast, source)}
                made.append(
                    record_concern(
                        cast, person=person, team=person.enrolments.first().team, **extra
                    ).pk
                )
            staff = [getattr(cast, name) for name in STAFF]
            scopes = scopes_for([u.pk for u in staff])
            alerts = list(Alert.objects.all())
            reach = {}
            for alert_id, team_id, source in AlertConcern.objects.values_list(
                "alert_id", "concern__team_id", "concern__source_staff_id"
            ):
                reach.setdefault(alert_id, set()).add((team_id, source))
            for user in staff:
                assert scopes[user.pk] == scope_for(user)
                by_query = set(
                    Concern.objects.visible_to(user)
                    .filter(pk__in=made)
                    .values_list("pk", flat=True)
                )
                by_rule = {pk for pk in made if who_may_see([user.pk], [pk])}
                assert by_query == by_rule, user.username
                rule = visibility.alert_rule(user.pk, scopes[user.pk])
                by_query = set(Alert.objects.visible_to(user).values_list("pk", flat=True))
                by_rule = {
                    a.pk
                    for a in alerts
                    if rule.allows(
                        visibility.AlertReach(
                            a.organisation_id, a.source_staff_id, frozenset(reach.get(a.pk, ()))
                        )
                    )
                }
                assert by_query == by_rule, user.username
            raise Rollback
    except Rollback:
        pass
