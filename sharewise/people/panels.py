"""What later apps add wherever a person is shown (the risk score, open alerts): each
app's panels.person_panel(request, person) returns rendered (escaped) template
output for the person's page and chronology, or ""."""

from sharewise.organisations.extensions import hooks


def for_person(request, person) -> list:
    return [html for panel in hooks("panels", "person_panel") if (html := panel(request, person))]


def badges_for(request, people) -> dict[int, list]:
    """Short labels later apps put beside each person in a list (their risk score):
    each app's panels.person_badges(request, people) returns {person id: html}."""
    found: dict[int, list] = {}
    for badges in hooks("panels", "person_badges"):
        for person_id, html in badges(request, people).items():
            found.setdefault(person_id, []).append(html)
    return found


def timeline_entries(request, person_ids) -> list[dict]:
    """What later apps add to a person's chronology (sharing decisions, consent):
    each app's panels.chronology_entries(request, person_ids) returns dicts with
    at, kind, title, summary, by and url."""
    return [
        e for entries in hooks("panels", "chronology_entries") for e in entries(request, person_ids)
    ]


def for_alert(request, alert) -> list:
    """What later apps add to an alert's page (a sharing decision made from it)."""
    return [html for panel in hooks("panels", "alert_panel") if (html := panel(request, alert))]


def for_decision(request, decision) -> list:
    """What later apps add to a sharing decision's page (its referrals)."""
    return [
        html for panel in hooks("panels", "decision_panel") if (html := panel(request, decision))
    ]


def for_dashboard(request) -> list:
    """What later apps add to the oversight dashboard (agreements due for review)."""
    return [html for panel in hooks("panels", "dashboard_panel") if (html := panel(request))]


def unseen_in_trail(request, entries) -> set[int]:
    """Ids of those trail entries this reader may not see on a person's record (about
    an alert they may not see, say): each app's panels.trail_unseen(request, entries)
    returns a set of entry ids."""
    hidden: set[int] = set()
    for unseen in hooks("panels", "trail_unseen"):
        hidden |= unseen(request, entries)
    return hidden


def for_amendments(request, amendments) -> dict[int, list]:
    """Notes later apps add beside a concern's amendments (the rectification request one
    was made for): each app's panels.amendment_notes(request, amendments) returns
    {amendment id: html}."""
    found: dict[int, list] = {}
    for notes in hooks("panels", "amendment_notes"):
        for amendment_id, html in notes(request, amendments).items():
            found.setdefault(amendment_id, []).append(html)
    return found
