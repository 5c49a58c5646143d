"""Where the trail's key comes from: the environment or a file, never the database, so
that someone who can rewrite the tables still cannot recompute the seals."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from sharewise.audittrail import chain

_loaded: dict[tuple, chain.Key] = {}


def trail_key() -> chain.Key:
    """SHAREWISE_TRAIL_KEY if set, else the key in SHAREWISE_TRAIL_KEY_FILE (made on
    first use when SHAREWISE_TRAIL_KEY_CREATE is on, as in development)."""
    text = getattr(settings, "SHAREWISE_TRAIL_KEY", "")
    path = getattr(settings, "SHAREWISE_TRAIL_KEY_FILE", "")
    create = getattr(settings, "SHAREWISE_TRAIL_KEY_CREATE", False)
    found = _loaded.get((text, path, create))
    if found is None:
        found = _loaded[(text, path, create)] = _load(text, path, create)
    return found


def _load(text: str, path: str, create: bool) -> chain.Key:
    if text:
        return _key(text, "SHAREWISE_TRAIL_KEY")
    if not path:
        raise ImproperlyConfigured(
            "The audit trail has no key: set SHAREWISE_TRAIL_KEY_FILE (or SHAREWISE_TRAIL_KEY)."
        )
    file = Path(path)
    if not file.exists():
        if not create:
            raise ImproperlyConfigured(
                f"The audit trail key file {file} does not exist: create it with "
                "`python -c 'import secrets; print(secrets.token_hex(32))' > FILE` "
                "(readable only by the application) and keep a copy safe."
            )
        _create(file)
    return _key(file.read_text(), f"the key file {file}")


def _key(text: str, source: str) -> chain.Key:
    secret = text.strip().encode()
    if len(secret) < chain.MIN_KEY_LENGTH:
        raise ImproperlyConfigured(
            f"The audit trail key in {source} is too short: it needs at least "
            f"{chain.MIN_KEY_LENGTH} characters (for example 64 hex digits)."
        )
    return chain.Key(secret)


def _create(file: Path) -> None:
    """A new random key, readable by its owner only. Written aside and linked into
    place, so a process starting at the same moment reads a whole key or makes none."""
    file.parent.mkdir(parents=True, exist_ok=True)
    draft = file.with_name(f".{file.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_hex(32) + "\n")
        try:
            os.link(draft, file)
        except FileExistsError:
            pass  # another process made it first: theirs is the key
    finally:
        draft.unlink(missing_ok=True)
