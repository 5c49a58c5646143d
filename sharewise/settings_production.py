"""Production: secrets from the environment, HTTPS only, secure cookies, hashed static."""

import os

from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

from sharewise.settings import *  # noqa: F403
from sharewise.settings import BASE_DIR, DATABASES, STORAGES, whole_seconds


def _required(name: str, what: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"Set {name}: {what}.")
    return value


DEBUG = False
# Never a key from the code or a file made on the spot: each installation gives its own.
SECRET_KEY = _required(
    "SECRET_KEY",
    "at least 50 random characters, for example from "
    "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`",
)
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "SECRET_KEY is too short or too simple: use at least 50 random characters."
    )
ALLOWED_HOSTS = _required(
    "ALLOWED_HOSTS", "the host names Sharewise answers to, separated by commas"
).split(",")
CSRF_TRUSTED_ORIGINS = [f"https://{h}" for h in ALLOWED_HOSTS]

SECURE_SSL_REDIRECT = True
# Load balancers check health over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"

# Several web nodes and workers share one database: each process keeps its connection
# for CONN_MAX_AGE seconds (checked before reuse, so a restarted database is survived)
# and sessions live in the database, so any node answers any request.
DATABASES = {
    "default": {**DATABASES["default"], "CONN_MAX_AGE": whole_seconds("CONN_MAX_AGE", "60")}
}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# `manage.py collectstatic --noinput` copies the styles, scripts and images here, with
# hashed names; WhiteNoise serves them from here only, with a year's caching.
STATIC_ROOT = os.environ.get("SHAREWISE_STATIC_ROOT") or str(BASE_DIR / "staticfiles")
WHITENOISE_USE_FINDERS = False
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "sharewise.static_storage.HashedStaticFiles"}}
# Pages only ever ask for hashed names; source maps are for developers' tools and are
# not worth compressing. Both halve what collectstatic writes.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")

# The trail's key must be given, never made up on the spot: a key lost or changed makes
# every seal after it unverifiable (README, "Audit trail").
if not (os.environ.get("SHAREWISE_TRAIL_KEY") or os.environ.get("SHAREWISE_TRAIL_KEY_FILE")):
    raise ImproperlyConfigured(
        "Set SHAREWISE_TRAIL_KEY_FILE to a file holding the audit trail's key "
        "(or SHAREWISE_TRAIL_KEY to the key itself)."
    )
SHAREWISE_TRAIL_KEY_CREATE = False
