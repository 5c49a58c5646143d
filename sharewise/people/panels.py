"""Sections later apps add to a person's page and chronology (the risk score, open
alerts): each app's panels.person_panel(request, person) returns rendered (escaped)
template output, or ""."""

from sharewise.organisations.extensions import hooks


def for_person(request, person) -> list:
    return [html for panel in hooks("panels", "person_panel") if (html := panel(request, person))]
