"""Django settings: everything comes from the environment (see .env.example).

The defaults run the embedded demo: SQLite in WAL mode under ./var, DEBUG off, a development
secret key that is refused when ``CARELINE_ENV=production``.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from careline.lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(env_str("CARELINE_VAR_DIR", str(PROJECT_DIR / "var")))

CARELINE_ENV = env_str("CARELINE_ENV", "development")
_DEV_SECRET = "careline-development-secret-key-do-not-use-in-production-0123456789"  # noqa: S105
SECRET_KEY = env_str("CARELINE_SECRET_KEY", _DEV_SECRET)
if CARELINE_ENV == "production" and SECRET_KEY == _DEV_SECRET:
    raise ImproperlyConfigured("Set CARELINE_SECRET_KEY in production.")
# Key for credentials encrypted at rest; derived from SECRET_KEY when unset.
CARELINE_FIELD_KEY = env_str("CARELINE_FIELD_KEY", "")
DEBUG = env_bool("CARELINE_DEBUG", False)
ALLOWED_HOSTS = env_list("CARELINE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CARELINE_CSRF_TRUSTED_ORIGINS", [])
CARELINE_BASE_URL = env_str("CARELINE_BASE_URL", "http://127.0.0.1:8000")
# The demo's stand-in for a platform: a signed endpoint that accepts relayed replies.
CARELINE_DEMO_SINK = env_bool("CARELINE_DEMO_SINK", False)
# Where the demo's fake platform listens (careline fake-platform); demo channels point there.
CARELINE_FAKE_PLATFORM_URL = env_str("CARELINE_FAKE_PLATFORM_URL", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "template_partials",
    "csp",
    # Serves the API docs' Swagger files locally: the CDN default would break under our CSP.
    "ninja",
    "careline.accounts",
    "careline.inbox",
    "careline.cases",
    "careline.ingestion",
    "careline.replies",
    "careline.assessments",
    "careline.sla",
    "careline.escalations",
    "careline.assignment",
    "careline.followup",
    "careline.web",
    "careline.api",
    "careline.demo",
    "careline.fakeplatform",
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
]

ROOT_URLCONF = "careline.urls"
WSGI_APPLICATION = "careline.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    }
]

_default_db = f"sqlite:///{VAR_DIR / 'careline.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(env_str("DATABASE_URL", _default_db), conn_max_age=60)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL lets the web process read while the worker writes; IMMEDIATE avoids lock upgrades
    # that fail with "database is locked" under concurrent writers.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["TEST"] = {"NAME": env_str("CARELINE_TEST_SQLITE", "") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "inbox"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = env_str("CARELINE_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
# The embedded database and collected static files live here; create it on first start.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("CARELINE_SECURE_COOKIES", CARELINE_ENV == "production")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Strict CSP: no inline scripts or styles, no eval; htmx is configured by a meta tag.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

TASKS = {
    "default": {
        "BACKEND": env_str("CARELINE_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Ingestion limits: social posts are attacker-controlled text.
CARELINE_MAX_TEXT_CHARS = env_int("CARELINE_MAX_TEXT_CHARS", 20_000)
CARELINE_MAX_WEBHOOK_BYTES = env_int("CARELINE_MAX_WEBHOOK_BYTES", 1_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = CARELINE_MAX_WEBHOOK_BYTES + 1024
CARELINE_OUTBOUND_TIMEOUT = float(env_str("CARELINE_OUTBOUND_TIMEOUT", "10"))
CARELINE_SWEEP_AFTER_SECONDS = env_int("CARELINE_SWEEP_AFTER_SECONDS", 60)
# Replies (careline.replies): where public replies send people privately when the platform has
# no direct messages, and the refund/credit an agent may offer without a supervisor's approval.
CARELINE_SUPPORT_EMAIL = env_str("CARELINE_SUPPORT_EMAIL", "support@example.com")
CARELINE_DEFAULT_CONCESSION_LIMIT = env_str("CARELINE_DEFAULT_CONCESSION_LIMIT", "25")
# Triage every inbound batch as it is stored (careline.assessments); off for benchmarks.
CARELINE_TRIAGE_ON_INGEST = env_bool("CARELINE_TRIAGE_ON_INGEST", True)
# Escalation rules run on every inbound batch, in a task after the ingest commits.
CARELINE_ESCALATE_ON_INGEST = env_bool("CARELINE_ESCALATE_ON_INGEST", True)
# An escalation whose rules set no due time is due this many minutes after it happens.
CARELINE_ESCALATION_DEFAULT_DUE_MINUTES = env_int("CARELINE_ESCALATION_DEFAULT_DUE_MINUTES", 60)

# Notifications by e-mail: printed to the console unless an SMTP server is configured.
CARELINE_EMAIL_FROM = env_str("CARELINE_EMAIL_FROM", "careline <careline@localhost>")
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# Where the file-based backend (used by `make demo`) writes each e-mail.
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
# Follow-up and satisfaction surveys (careline.followup; docs/followup.md). The survey key is
# derived from SECRET_KEY with a label when unset; previous keys keep old links valid.
CARELINE_SURVEY_KEY = env_str("CARELINE_SURVEY_KEY", "")
CARELINE_SURVEY_PREVIOUS_KEYS = env_list("CARELINE_SURVEY_PREVIOUS_KEYS", [])
CARELINE_SURVEY_EXPIRY_DAYS = env_int("CARELINE_SURVEY_EXPIRY_DAYS", 14)
CARELINE_SURVEY_PUBLIC_FALLBACK = env_list("CARELINE_SURVEY_PUBLIC_FALLBACK", ["bluesky"])
CARELINE_SURVEY_RATE_LIMIT = env_int("CARELINE_SURVEY_RATE_LIMIT", 20)
CARELINE_FOLLOWUP_REMINDER_MINUTES = env_int("CARELINE_FOLLOWUP_REMINDER_MINUTES", 240)
CARELINE_RESOLUTION_FOLLOWUP_DAYS = env_int("CARELINE_RESOLUTION_FOLLOWUP_DAYS", 3)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("CARELINE_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Every task start and finish, every outbound request: too chatty for INFO.
        "django_tasks": {"level": env_str("CARELINE_TASK_LOG_LEVEL", "WARNING")},
        "httpx": {"level": "WARNING"},
    },
}
