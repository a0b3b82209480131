"""isova settings: one module, every deployment-specific value from the environment.

The embedded default (no environment at all) is a development setup: SQLite, Celery tasks
run in-process, e-mail printed to the console. Production sets DEBUG=0 and the variables
listed in the README; the app then refuses to start without a real SECRET_KEY.
"""

import hashlib
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name: str, default: str) -> bool:
    value = os.getenv(name, default).strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {value!r}"
    )


def envint(name: str, default: str) -> int:
    value = os.getenv(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "1")

_DEV_SECRET_KEY = "django-insecure-isova-development-key-never-use-in-production"
SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=0 (50+ random characters).")
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure")):
    raise ImproperlyConfigured("SECRET_KEY is too weak for DEBUG=0: use 50+ random characters.")


def _records_keys(value: str, secret_key: str) -> dict[str, bytes]:
    """RECORDS_HMAC_KEYS: `id:secret,id:secret` (the first signs, every one verifies).

    Unset, one key is derived from SECRET_KEY (id `sk`): still outside the database, but
    rotating SECRET_KEY would then orphan every sign-off, so production sets its own keys.
    """
    if not value.strip():
        return {"sk": hashlib.sha256(b"isova-records-chain:" + secret_key.encode()).digest()}
    keys: dict[str, bytes] = {}
    for item in value.split(","):
        key_id, sep, secret = item.strip().partition(":")
        if not sep or not key_id or len(secret) < 32 or len(key_id) > 32:
            raise ImproperlyConfigured(
                "RECORDS_HMAC_KEYS must be `id:secret,...` with ids of at most 32 characters "
                "and secrets of 32+ characters (the first key signs new sign-offs)."
            )
        keys[key_id] = secret.encode()
    return keys


# The sign-off chain is keyed (HMAC-SHA256): rows written with database rights alone, without
# this key, fail `verify_records`. The first key signs; older ones stay listed to verify.
RECORDS_HMAC_KEYS = _records_keys(os.getenv("RECORDS_HMAC_KEYS", ""), SECRET_KEY)
RECORDS_HMAC_KEY_ID = next(iter(RECORDS_HMAC_KEYS))

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.getenv("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = "isova"

INSTALLED_APPS = [
    "isova",
    "objectives",
    "audits",
    "risks",
    "reviews",
    "bench",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "simple_history",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "isova.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "isova.accounts.tenancy.OrganisationMiddleware",
    # A service's DomainError that no view caught: its kind's status and message, not a 500.
    "isova.http.DomainErrorMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns lockouts raised by the backend into responses.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "isova.urls"
WSGI_APPLICATION = "isova.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "isova.accounts.tenancy.context",
            ],
            # ago, quoted, money: wording every page shares, without a {% load %} in each.
            "builtins": ["isova.templatetags.wording"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", "0"),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default must survive two people at once. WAL lets readers read while one
    # writes; IMMEDIATE transactions take the write lock at BEGIN, so a second writer waits
    # (up to `timeout` seconds) instead of failing with "database is locked" half-way, then
    # reads the committed row and gets the same clear conflict as on PostgreSQL.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "isova.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses logins for locked-out credentials before any other check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): AXES_FAILURE_LIMIT bad passwords for one e-mail address
# from one IP lock that address out *from that IP*, and as many failures from one IP across
# any addresses lock that IP out, each for AXES_COOLOFF_MINUTES. Never the address alone:
# that would let anyone lock a named person out everywhere (README, "Log-in lockout").
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", "15") / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
# The login form sends the address as "username", and addresses match case-insensitively.
AXES_USERNAME_CALLABLE = "isova.accounts.tenancy.login_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = envint("PROXY_COUNT", "0") or None
AXES_VERBOSE = False
# Signing passwords (isova.records.chain.check_password): after SIGNING_FAILURE_LIMIT wrong
# ones within SIGNING_FAILURE_WINDOW_MINUTES, that user cannot sign for SIGNING_COOLOFF_MINUTES.
SIGNING_FAILURE_LIMIT = envint("SIGNING_FAILURE_LIMIT", "5")
SIGNING_FAILURE_WINDOW_MINUTES = envint("SIGNING_FAILURE_WINDOW_MINUTES", "15")
SIGNING_COOLOFF_MINUTES = envint("SIGNING_COOLOFF_MINUTES", "15")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.getenv("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# E-mail: SMTP when EMAIL_HOST is set, otherwise printed to the console.
EMAIL_HOST = os.getenv("EMAIL_HOST", "")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "0")
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", "0")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", "10")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "isova <isova@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: with no broker configured, tasks run in-process (the embedded default).
CELERY_BROKER_URL = os.getenv("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = CELERY_BROKER_URL or "memory://localhost/"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_DEFAULT_QUEUE = os.getenv("CELERY_QUEUE", "isova")
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Hourly at :05, so that each organisation is scanned soon after ALERTS_LOCAL_HOUR in its
    # own time zone (the scan also sends the daily digests, and on Mondays the leaders'
    # weekly briefing); notifications are unique per organisation, person, kind, subject and
    # window, so the later runs of the day send nothing again.
    "scan-alerts": {"task": "isova.tasks.scan_alerts", "schedule": crontab(minute=5)},
    # Every 15 minutes: the sweep. Sends again what is still pending ten minutes after it was
    # made: a task that gave up, a broker that was down, or a worker that died holding a
    # claim (its lease, ten minutes, has expired). Rows that failed for good are left out.
    "deliver-pending": {"task": "isova.tasks.deliver_pending", "schedule": crontab(minute="*/15")},
}
# Local hour (in each organisation's time zone) from which the day's alerts go out.
ALERTS_LOCAL_HOUR = envint("ALERTS_LOCAL_HOUR", "7")
# Attempts to e-mail one notification before it is marked failed (shown to managers).
ALERTS_MAX_ATTEMPTS = envint("ALERTS_MAX_ATTEMPTS", "6")

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "1")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "31536000")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "1")
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "1")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"expected_forbidden": {"()": "isova.logfilters.ExpectedForbidden"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own console handler (under DEBUG) would print each line a second time:
        # its records reach the root's console by propagation alone.
        "django": {"handlers": [], "level": "INFO"},
        "django.request": {"filters": ["expected_forbidden"]},
        "axes": {"level": "WARNING"},
        # In-process (eager) tasks would log a line per task into the dev server's output.
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
    },
}
