from django.core.management import call_command

from sharewise.concerns.models import Concern
from sharewise.people.models import Person


def test_the_demo_tells_the_seeds_stories(db):
    call_command("load_demo")
    margaret = Person.objects.get(given_name="Margaret", family_name="Hale")
    hers = Concern.objects.filter(people=margaret)
    assert hers.count() == 5
    assert {c.sharing_view for c in hers} == {"refuses"}
    assert {tuple(c.categories) for c in hers} == {("psychological",)}
    assert len({c.shift for c in hers}) >= 3
    assert not hers.filter(review__outcome="escalate").exists()

    arthur = Person.objects.get(given_name="Arthur", family_name="Penrose")
    his = Concern.objects.filter(people=arthur)
    assert len({c.team_id for c in his}) == 3
    dates = sorted(c.occurred_at for c in his)
    assert (dates[-1] - dates[0]).days <= 60
    assert all(c.severity == "low" for c in his)


def test_the_ordinary_demo_concerns_are_well_recorded(db):
    call_command("load_demo")
    ordinary = Concern.objects.exclude(people__given_name__in=["Margaret", "Arthur"])
    assert ordinary.count() > 150
    assert not ordinary.exclude(unmet_standards=[]).exists()
    span = max(c.occurred_at for c in ordinary) - min(c.occurred_at for c in ordinary)
    assert span.days > 600
