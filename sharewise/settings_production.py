"""Production: secrets from the environment, HTTPS only, secure cookies, hashed static."""

import os

from django.core.exceptions import ImproperlyConfigured

from sharewise.settings import *  # noqa: F403
from sharewise.settings import STORAGES

DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]
ALLOWED_HOSTS = os.environ["ALLOWED_HOSTS"].split(",")
CSRF_TRUSTED_ORIGINS = [f"https://{h}" for h in ALLOWED_HOSTS]

SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
WHITENOISE_USE_FINDERS = False
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")

# The trail's key must be given, never made up on the spot: a key lost or changed makes
# every seal after it unverifiable (README, "Audit trail").
if not (os.environ.get("SHAREWISE_TRAIL_KEY") or os.environ.get("SHAREWISE_TRAIL_KEY_FILE")):
    raise ImproperlyConfigured(
        "Set SHAREWISE_TRAIL_KEY_FILE to a file holding the audit trail's key "
        "(or SHAREWISE_TRAIL_KEY to the key itself)."
    )
SHAREWISE_TRAIL_KEY_CREATE = False
