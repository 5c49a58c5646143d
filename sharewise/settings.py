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
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
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
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "sharewise.organisations.identity.IdentityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "axes": {"handlers": ["console"], "level": "WARNING"},
        "sharewise.audittrail": {"handlers": ["console"], "level": "INFO"},
    },
}
