"""What the trail's pages need from the apps above this one, which it may not import:
whether a user may read the trail, the organisation whose trail they read, and the
names of the people they may see. An app answers in its `trail_readers` module with
functions of these names, found through Django's app registry as records.py finds
`trail_records`; the first installed app that answers is asked."""

import functools

from django.core.exceptions import ImproperlyConfigured

from sharewise.audittrail.declared import app_modules

MODULE = "trail_readers"


@functools.cache
def _answer(function: str):
    for module in app_modules(MODULE):
        if (found := getattr(module, function, None)) is not None:
            return found
    raise ImproperlyConfigured(f"No Sharewise app's {MODULE} module has {function}()")


def may_read_trail(user) -> bool:
    return bool(_answer("may_read_trail")(user))


def organisation_of(user) -> int | None:
    """The organisation whose trail this reader searches."""
    return _answer("organisation_of")(user)


def person_names(user, person_ids) -> dict[int, str]:
    """Names of those of these people this reader may see (merged records too)."""
    return _answer("person_names")(user, person_ids)
