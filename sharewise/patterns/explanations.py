"""The sentence a safeguarding lead reads on an alert: what its concerns are, when,
and where, saying only what holds for the concerns it counts. Pure: plain facts in,
words out."""

from __future__ import annotations

from sharewise.patterns.engine import SEVERITY_RANK, Fact, Trigger, in_time_order

RULE_WORDS = {
    "cumulative": "concerns about one person",
    "cross_team": "concerns recorded by more than one team",
    "refused_repeated": "concerns where the person refused sharing",
    "common_source": "concerns about different people with the same alleged source",
    "same_harm_at_service": "concerns of the same kind about different people at one service",
    "unexplained_injuries": "unexplained injuries",
    "escalating_severity": "concerns rising in seriousness",
    "staff_implicated": "concerns naming a member of staff as the alleged source",
    "risk_score": "concerns adding to a risk score over the threshold",
    "overdue_review": "concern not reviewed by its deadline",
}


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def rise(chosen: list[Fact]) -> list[str]:
    """The severities of the longest run of these concerns, in time order, each more
    serious than the one before."""
    best: dict[int, list[str]] = {}
    for f in chosen:
        rank = SEVERITY_RANK[f.severity]
        before = max((run for r, run in best.items() if r < rank), key=len, default=[])
        if len(before) + 1 > len(best.get(rank, ())):
            best[rank] = [*before, f.severity]
    return max(best.values(), key=len, default=[])


def _what(rule: str, chosen: list[Fact]) -> str:
    """What these concerns are, for this rule, saying only what holds for all of them
    (or how many it holds for): an alert can be explained from any set of its concerns,
    and a concern amended since may no longer fit the rule."""
    n = len(chosen)
    concerns = "concern" if n == 1 else "concerns"
    people = {p for f in chosen for p in f.person_ids}
    about = "about different people" if len(people) > 1 else "about one person"

    def some(words, holds):
        k = sum(1 for f in chosen if holds(f))
        if k == n:
            return f"{concerns} {words}"
        return f"{concerns}, {f'{k} of them' if k else 'none'} {words}"

    if rule == "cumulative":
        shared = set.intersection(*(set(f.person_ids) for f in chosen))
        return (
            f"{concerns} about one person" if shared else f"{concerns} about {len(people)} people"
        )
    if rule == "cross_team":
        teams = {f.team_id for f in chosen}
        return f"{concerns} recorded by {'more than one team' if len(teams) > 1 else 'one team'}"
    if rule == "refused_repeated":
        return some("where the person refused sharing", lambda f: f.refused)
    if rule == "unexplained_injuries":
        if all(f.unexplained_injury for f in chosen):
            return "unexplained injury" if n == 1 else "unexplained injuries"
        return some("with an unexplained injury", lambda f: f.unexplained_injury)
    if rule == "escalating_severity":
        run = rise(chosen)
        if len(run) < 2:
            levels = sorted({f.severity for f in chosen}, key=SEVERITY_RANK.get)
            return f"{concerns} of {_join(levels)} seriousness"
        if len(run) == n:
            return f"{concerns}, each more serious than the one before ({', '.join(run)})"
        return f"{concerns}, among them a rise in seriousness from {' to '.join(run)}"
    if rule == "common_source":
        sources = {f.source for f in chosen}
        same = " with the same alleged source" if len(sources) == 1 and None not in sources else ""
        return f"{concerns} {about}{same}"
    if rule == "same_harm_at_service":
        kinds = set.intersection(*(set(f.categories) for f in chosen))
        services = {f.service_id for f in chosen}
        where = "at one service" if len(services) == 1 else f"at {len(services)} services"
        return f"{concerns}{' of the same kind' if kinds else ''} {about} {where}"
    if rule == "staff_implicated":
        staff = {f.source for f in chosen if f.source and f.source.startswith("staff:")}
        if len(staff) > 1:
            return some(
                "naming members of staff as the alleged source", lambda f: f.source in staff
            )
        return some("naming a member of staff as the alleged source", lambda f: f.source in staff)
    what = RULE_WORDS.get(rule, rule)
    if n == 1 and what.startswith("concerns"):
        what = "concern" + what[len("concerns") :]
    return what


def explain(
    trigger: Trigger,
    facts: dict[int, Fact],
    teams: dict[int, tuple[str, str]],
    shifts: dict[str, str] | None = None,
    local=lambda moment: moment,
) -> str:
    """A sentence a safeguarding lead can act on, naming the teams, services, shifts
    and dates (`local` turns a stored moment into the reader's time): "3 concerns about one person in 41 days (2 Sep to 13 Oct 2026),
    recorded by the Night team and the Day team at Rose House, on night and early
    shifts." teams: team id -> (team name, service name). Every claim in it holds for
    the concerns it counts (tested against the rules' own facts)."""
    shifts = shifts or {}
    chosen = in_time_order(facts[i] for i in trigger.concern_ids if i in facts)
    if not chosen:
        return RULE_WORDS.get(trigger.rule, trigger.rule).capitalize()
    first, last = local(chosen[0].occurred_at), local(chosen[-1].occurred_at)
    days = (last.date() - first.date()).days
    count = len(chosen)
    since = f"{first:%-d %B}" if first.year == last.year else f"{first:%-d %B %Y}"
    period = (
        f"on {first:%-d %B %Y}" if days == 0 else f"in {days} days ({since} to {last:%-d %B %Y})"
    )
    by_service: dict[str, list[str]] = {}
    for f in chosen:
        team, service = teams.get(f.team_id, (f"team {f.team_id}", ""))
        names = by_service.setdefault(service, [])
        if team not in names:
            names.append(team)
    places = _join(
        [
            f"{_join(['the ' + t for t in names])}{' at ' + service if service else ''}"
            for service, names in by_service.items()
        ]
    )
    if trigger.rule == "overdue_review" and chosen[0].review_due_at:
        due = local(chosen[0].review_due_at)
        return (
            f"Review was due {due:%-d %B %Y at %H:%M}: concern from {first:%-d %B %Y}, "
            f"recorded by {places}."
        )
    sentence = f"{count} {_what(trigger.rule, chosen)} {period}, recorded by {places}"
    seen_shifts = []
    for f in chosen:
        label = shifts.get(f.shift, f.shift).lower()
        if label and label not in seen_shifts:
            seen_shifts.append(label)
    if seen_shifts and all(f.shift for f in chosen):
        sentence += f", on {_join(seen_shifts)} shift{'s' if len(seen_shifts) > 1 else ''}"
    if "score" in trigger.detail:
        sentence += f"; risk score {trigger.detail['score']}"
    return sentence + "."
