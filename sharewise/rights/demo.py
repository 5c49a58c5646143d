"""Subject access and rectification in the demo: Arthur Penrose asked for a concern to
be corrected and it was, by amendment; then he asked for everything held about him and
has had it (sent as a frozen disclosure, other people's names taken out). Margaret
Hale's daughter, with a lasting power of attorney, has asked on her behalf, and that
request is being prepared and falls due within a week."""

from datetime import timedelta
from types import SimpleNamespace

from django.contrib.auth import get_user_model

from sharewise.concerns.models import ConcernPerson
from sharewise.people.models import Person
from sharewise.rights import operations


def extend_demo(org, today):
    users = {u.username: u for u in get_user_model().objects.filter(memberships__organisation=org)}

    def by(username):
        return SimpleNamespace(user=users[username], META={"REMOTE_ADDR": "127.0.0.1"})

    people = {p.name: p for p in Person.objects.filter(organisation=org, merged_into=None)}
    told = []
    arthur = people.get("Arthur Penrose")
    concern_id = (
        ConcernPerson.objects.filter(person=arthur)
        .order_by("concern_id")
        .values_list("concern_id", flat=True)
        .first()
        if arthur
        else None
    )
    if concern_id:
        found = operations.log_rectification(
            by("lead"),
            arthur,
            {
                "requester_name": "Arthur Penrose",
                "received_on": today - timedelta(days=20),
                "concern_id": concern_id,
                "what_is_wrong": "I was not confused that day: I had not been given my glasses.",
            },
            via="demo",
        )
        operations.amend_for(
            by("lead"),
            found,
            concern_id,
            {"persons_words": "I can't see without my glasses and nobody brought them."},
            "Arthur's own account, confirmed with the day team",
            via="demo",
        )
        sar = operations.log_request(
            by("lead"),
            arthur,
            {
                "requester": "person",
                "requester_name": "Arthur Penrose",
                "contact": "By hand, at home",
                "received_on": today - timedelta(days=12),
                "request_text": "Everything you hold about me, and who you told.",
            },
            via="demo",
        )
        operations.check_identity(by("lead"), sar, "Known to staff; seen at home", via="demo")
        sar = operations.prepare(by("lead"), sar, via="demo")
        operations.approve(by("dpo"), sar, "Every redaction checked", via="demo")
        operations.send(by("dpo"), sar, "in_person", via="demo")
        told.append("Arthur Penrose's correction made and his subject access response sent")
    margaret = people.get("Margaret Hale")
    if margaret:
        sar = operations.log_request(
            by("dpo"),
            margaret,
            {
                "requester": "representative",
                "requester_name": "Susan Hale",
                "relationship": "Daughter",
                "authority": "Lasting power of attorney for health and welfare, seen and copied",
                "contact": "susan.hale@example.org",
                "received_on": today - timedelta(days=26),
            },
            via="demo",
        )
        operations.check_identity(by("dpo"), sar, "Passport and the LPA seen", via="demo")
        told.append("Margaret Hale's request due within a week")
    return "; ".join(told)
