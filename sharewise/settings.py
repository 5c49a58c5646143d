"""Settings for development, tests and the demo. Production overrides live in
settings_production.py (the default of wsgi.py); DATABASE_URL selects the database
everywhere. Nothing here is unsafe unless asked for: DEBUG only with
SHAREWISE_DEVELOPMENT=1 (which `make run` sets), and a secret key of this installation's
own when none is given."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SHAREWISE_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _installation_secret(path: Path) -> str:
    """This installation's own secret key, made once and readable by its owner only, so
    no two clones share a key and none is written in the code."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    import secrets

    key = secrets.token_urlsafe(64)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as file:
        file.write(key + "\n")
    return key


SECRET_KEY = os.environ.get("SECRET_KEY") or _installation_secret(VAR_DIR / "secret.key")
# Debug pages show settings, the environment and local variables: only when asked for.
DEBUG = os.environ.get("SHAREWISE_DEVELOPMENT") == "1"
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves the API docs' Swagger UI locally instead of from a CDN
    "sharewise.background",
    "sharewise.audittrail",
    "sharewise.organisations",
    "sharewise.people",
    "sharewise.policy",
    "sharewise.concerns",
    "sharewise.patterns",
    "sharewise.sharing",
    "sharewise.disclosures",
    "sharewise.training",
    "sharewise.governance",
    "sharewise.retention",
    "sharewise.rights",
    "sharewise.api",
    "sharewise.security",
]

MIDDLEWARE = [
    # First, so each request's JSON line has its final status and whole duration.
    "sharewise.security.requestlog.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "sharewise.security.middleware.SafetyMiddleware",
    "sharewise.organisations.identity.IdentityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "sharewise.middleware.RefuseNulCharacters",
    "sharewise.middleware.ErrorInTitle",
    "axes.middleware.AxesMiddleware",
    "sharewise.audittrail.middleware.SealTrailMiddleware",
    # Inside the sealing middleware, so the trail entries it writes are sealed with the rest.
    "sharewise.organisations.sessions.SessionLimitsMiddleware",
]

ROOT_URLCONF = "sharewise.urls"
WSGI_APPLICATION = "sharewise.wsgi.application"
FORM_RENDERER = "sharewise.forms.FormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "sharewise" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sharewise.organisations.context.navigation",
                "sharewise.patterns.context.navigation",
                "sharewise.training.context.navigation",
            ],
        },
    }
]


def whole_seconds(name: str, default: str) -> int:
    value = os.environ.get(name, default).strip()
    if not value.isdigit():
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{name} must be a whole number of seconds, not {value!r}.")
    return int(value)


def _database():
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'sharewise.sqlite3'}"
    db = dj_database_url.parse(url, conn_max_age=whole_seconds("CONN_MAX_AGE", "0"))
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers carry on while one writer commits; IMMEDIATE takes the write
        # lock at BEGIN so two writers queue instead of failing with "database is locked".
        db["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
            " PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;",
            "transaction_mode": "IMMEDIATE",
        }
        db["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_NAME", "")}
    return db


DATABASES = {"default": _database()}

# Background work (imports, audits, evidence packs, emails, the sweep, sealing the trail)
# is queued in the database and run by `manage.py worker` processes: no server beyond
# the database, and PostgreSQL's SKIP LOCKED shares the queue between workers.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# What `manage.py scheduler` queues, and every how many seconds.
SHAREWISE_PERIODIC_TASKS = [
    (
        "sweep",
        "sharewise.patterns.tasks.sweep",
        int(os.environ.get("SHAREWISE_SWEEP_EVERY", "300")),
    ),
    (
        "seal the trail",
        "sharewise.audittrail.tasks.seal",
        int(os.environ.get("SHAREWISE_SEAL_EVERY", "60")),
    ),
]
# A worker on another machine not heard from for this long has died: its task runs again.
SHAREWISE_WORKER_STALE_SECONDS = int(os.environ.get("SHAREWISE_WORKER_STALE_SECONDS", "120"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Single sign-on with the organisation's identity provider (OpenID Connect, Authorization
# Code with PKCE, through mozilla-django-oidc): off unless SHAREWISE_SSO_ISSUER and
# SHAREWISE_SSO_CLIENT_ID are set. It only ever matches existing staff; see README.md.
AUTHENTICATION_BACKENDS += ["sharewise.organisations.single_sign_on.SingleSignOnBackend"]
SHAREWISE_SSO_ISSUER = os.environ.get("SHAREWISE_SSO_ISSUER", "")
SHAREWISE_SSO_DISCOVERY_URL = os.environ.get("SHAREWISE_SSO_DISCOVERY_URL", "")
SHAREWISE_SSO_BUTTON = os.environ.get(
    "SHAREWISE_SSO_BUTTON", "Sign in with your organisation's account"
)
SHAREWISE_SSO_SUBJECT_CLAIM = os.environ.get("SHAREWISE_SSO_SUBJECT_CLAIM", "sub")
SHAREWISE_SSO_TRUSTED_CLAIM = os.environ.get("SHAREWISE_SSO_TRUSTED_CLAIM", "")
SHAREWISE_SSO_EMAIL_DOMAINS = os.environ.get("SHAREWISE_SSO_EMAIL_DOMAINS", "")
OIDC_RP_CLIENT_ID = os.environ.get("SHAREWISE_SSO_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("SHAREWISE_SSO_CLIENT_SECRET", "")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_PKCE = True
OIDC_CREATE_USER = False
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATION_CALLBACK_URL = "single_sign_on_callback"
LOGIN_REDIRECT_URL_FAILURE = "login"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "my_people"
LOGOUT_REDIRECT_URL = "login"

# Five wrong passwords for one account from one address lock that pair out, so someone
# elsewhere cannot lock the safeguarding lead out. Each further lockout of the pair
# lasts twice as long (signin.cool_off); many accounts failing from one address slow
# that address down (signin.SignInHandler).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = "sharewise.organisations.signin.cool_off"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USE_ATTEMPT_EXPIRATION = True  # each pair keeps its own cool-off
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # counts earlier lockouts for the cool-off
AXES_HANDLER = "sharewise.organisations.signin.SignInHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "old_password", "new_password1", "new_password2"]
# Distinct accounts failing from one address within the window before it is slowed.
SHAREWISE_SIGN_IN_ADDRESS_LIMIT = 10
SHAREWISE_SIGN_IN_ADDRESS_WINDOW_MINUTES = 15

# Second factors: authenticator apps (TOTP), recovery codes and passkeys.
OTP_TOTP_ISSUER = "Sharewise"
OTP_WEBAUTHN_RP_NAME = "Sharewise"
OTP_WEBAUTHN_RP_ID_CALLABLE = "sharewise.organisations.second_factor.relying_party_id"
OTP_WEBAUTHN_HELPER_CLASS = "sharewise.organisations.second_factor.PasskeyHelper"
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False  # a passkey is a second factor here
# Reset links expire after 30 minutes.
PASSWORD_RESET_TIMEOUT = 30 * 60

# The access policy's idle and absolute limits end sessions (organisations.sessions);
# the store keeps a session for the longest absolute limit the policy allows, so one
# past its limit can still say whose it was and keep what they were sending.
SESSION_COOKIE_AGE = 24 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# A form whose token no longer holds keeps what was typed and can be sent again.
CSRF_FAILURE_VIEW = "sharewise.organisations.csrf.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
# Dates read the same on every page: sharewise/formats/en_GB/formats.py
FORMAT_MODULE_PATH = ["sharewise.formats"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "sharewise" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Referrals by secure email go through this mail server (a relay that speaks to
# nhs.net or gcsx): set EMAIL_HOST and the rest in production.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS") == "1"
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")
# Where links in alert emails point.
SHAREWISE_SITE_URL = os.environ.get("SHAREWISE_SITE_URL", "http://127.0.0.1:8000")
# Passkeys belong to the site's address; on a developer's machine (localhost) the
# address asked from is used instead (second_factor.PasskeyHelper).
OTP_WEBAUTHN_ALLOWED_ORIGINS = [
    SHAREWISE_SITE_URL if SHAREWISE_SITE_URL.startswith("https://") else "http://localhost"
]

# How long a care worker or manager keeps sight of someone after their enrolment ends.
SHAREWISE_RECENT_ENROLMENT_DAYS = 90

# The audit trail's key, never kept in the database: SHAREWISE_TRAIL_KEY, or a file
# holding it. In development the file is made on first use; production must give one.
SHAREWISE_TRAIL_KEY = os.environ.get("SHAREWISE_TRAIL_KEY", "")
SHAREWISE_TRAIL_KEY_FILE = os.environ.get("SHAREWISE_TRAIL_KEY_FILE") or str(VAR_DIR / "trail.key")
SHAREWISE_TRAIL_KEY_CREATE = True
# Checkpoints of the trail's head, appended here (and logged) by seal_trail and, at most
# this often in seconds per process, after requests seal; 0 leaves it to seal_trail.
SHAREWISE_TRAIL_CHECKPOINT_FILE = os.environ.get("SHAREWISE_TRAIL_CHECKPOINT_FILE") or str(
    VAR_DIR / "trail-checkpoints.jsonl"
)
SHAREWISE_TRAIL_CHECKPOINT_EVERY = int(os.environ.get("SHAREWISE_TRAIL_CHECKPOINT_EVERY", "60"))

# Server errors reach the console outside DEBUG too (Django's default sends them only to
# mail_admins then), as the path and the exception's type and traceback: never the query
# string, the body or the exception's message (sharewise/security/errors.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "without_messages": {
            "()": "sharewise.security.errors.WithoutMessagesFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "json_lines": {"()": "sharewise.security.requestlog.JsonLinesFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "errors": {"class": "logging.StreamHandler", "formatter": "without_messages"},
        "json_lines": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json_lines",
        },
    },
    "loggers": {
        "axes": {"handlers": ["console"], "level": "WARNING"},
        "sharewise.audittrail": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["errors"], "level": "ERROR", "propagate": False},
        # Refused hosts, CSRF failures and return links leaving the site, outside DEBUG too.
        "django.security": {"handlers": ["errors"], "level": "WARNING", "propagate": False},
        "sharewise": {"handlers": ["errors"], "level": "WARNING"},
        # One JSON line per request and per background task (security/requestlog.py).
        "sharewise.requests": {"handlers": ["json_lines"], "level": "INFO", "propagate": False},
        "sharewise.tasks": {"handlers": ["json_lines"], "level": "INFO", "propagate": False},
        # A failed task is logged with its traceback: the exception's type, not its words.
        "django_tasks": {"handlers": ["errors"], "level": "WARNING", "propagate": False},
    },
}
DEFAULT_EXCEPTION_REPORTER_FILTER = "sharewise.security.errors.ReporterFilter"

# Rate limits (sharewise/security/throttle.py), counted in a database table so that every
# web node shares them (made by migration security 0001).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "sharewise_throttle",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}
SHAREWISE_API_TOKEN_REQUESTS_PER_MINUTE = int(
    os.environ.get("SHAREWISE_API_TOKEN_REQUESTS_PER_MINUTE", "120")
)
SHAREWISE_EXPORTS_PER_HOUR = int(os.environ.get("SHAREWISE_EXPORTS_PER_HOUR", "60"))

# Uploads: the largest CSV import, and a cap on any request body, refused (413) from its
# Content-Length before anything reads it. The reverse proxy should refuse the same
# (README, "Production": nginx client_max_body_size). Above 2.5 MB an upload is
# streamed to a temporary file, never held whole in memory.
SHAREWISE_IMPORT_MAX_BYTES = 50 * 1024 * 1024
SHAREWISE_MAX_REQUEST_BYTES = SHAREWISE_IMPORT_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = 5
FILE_UPLOAD_PERMISSIONS = 0o600
