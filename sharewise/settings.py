"""Settings for development, tests and the demo. Production overrides live in
settings_production.py; DATABASE_URL selects the database everywhere."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SHAREWISE_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret-sharewise")
DEBUG = os.environ.get("DEBUG", "1") == "1"
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
    "ninja",  # serves the API docs' Swagger UI locally instead of from a CDN
    "sharewise.audittrail",
    "sharewise.organisations",
    "sharewise.people",
    "sharewise.policy",
    "sharewise.concerns",
    "sharewise.patterns",
    "sharewise.sharing",
    "sharewise.disclosures",
    "sharewise.governance",
    "sharewise.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "sharewise.middleware.RefuseNulCharacters",
    "axes.middleware.AxesMiddleware",
    "sharewise.audittrail.middleware.SealTrailMiddleware",
]

ROOT_URLCONF = "sharewise.urls"
WSGI_APPLICATION = "sharewise.wsgi.application"
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

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
            ],
        },
    }
]


def _database():
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'sharewise.sqlite3'}"
    db = dj_database_url.parse(url, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")))
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
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "my_people"
LOGOUT_REDIRECT_URL = "login"

# Lock an account and address out after five failed sign-ins for 30 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Locking by address would lock out a whole care home behind one router after five
# typos, so lockout is per account.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Sign out after 30 minutes without activity.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
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

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Where links in alert emails point.
SHAREWISE_SITE_URL = os.environ.get("SHAREWISE_SITE_URL", "http://127.0.0.1:8000")

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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "axes": {"handlers": ["console"], "level": "WARNING"},
        "sharewise.audittrail": {"handlers": ["console"], "level": "INFO"},
    },
}
