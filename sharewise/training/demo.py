"""The demo's practice: a few attempts at practice cases by the demo's care workers,
marked by the real scoring (the day carer's first referral sent the whole care record;
his second kept to the minimum), and the lead's assignment of the refusal case to the
Rose House night team, not done yet."""

from datetime import timedelta
from types import SimpleNamespace

from django.contrib.auth import get_user_model

from sharewise.organisations.models import Team
from sharewise.training import assignments, casebook, practice, scoring


def _right(case, organisation_id):
    sharing, referrals, recording = practice.policies(organisation_id)
    return scoring.right_answers(case, sharing, referrals, recording), referrals


def _attempt(by, code, change=None):
    case = casebook.get(code)
    chosen, referrals = _right(case, by.organisation_id)
    if change:
        chosen = change(case, chosen, referrals)
    attempt = practice.start(by, case, via="demo")
    return practice.finish(by, attempt, chosen, via="demo")


def _whole_record(case, chosen, referrals):
    return {
        **chosen,
        "fields": [code for code, _ in scoring.offered_fields(case, referrals)],
        "removed": [],
    }


def _accepted_the_refusal(case, chosen, referrals):
    return {
        "answers": {**chosen["answers"], "accepted": []},
        "decision": {"outcome": "do_not_share", "grounds": []},
    }


def extend_demo(org, today):
    users = {u.username: u for u in get_user_model().objects.filter(memberships__organisation=org)}

    def by(username):
        return SimpleNamespace(
            user=users[username], META={"REMOTE_ADDR": "127.0.0.1"}, organisation_id=org.pk
        )

    done = [
        _attempt(by("carer.day"), "financial_referral_minimum", _whole_record),
        _attempt(by("carer.day"), "financial_referral_minimum"),
        _attempt(by("carer.night"), "refused_emotional_abuse", _accepted_the_refusal),
        _attempt(by("carer.community"), "capable_refusal_respected"),
    ]
    night = Team.objects.get(service__organisation=org, name="Night team")
    assignments.assign(
        by("lead"),
        organisation_id=org.pk,
        what="case",
        case_code="refused_emotional_abuse",
        due=today + timedelta(days=14),
        team_ids=[night.pk],
        note="After last month's review of refusals accepted on nights.",
        via="demo",
    )
    scores = ", ".join(f"{a.score}%" for a in done)
    return (
        f"{len(done)} practice attempts ({scores}) and a practice case assigned to the night team"
    )
