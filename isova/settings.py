"""isova settings: one module, every deployment-specific value from the environment.

The embedded default (no environment at all) is a development setup: SQLite, Celery tasks
run in-process, e-mail printed to the console. Production sets DEBUG=0 and the variables
listed in the README; the app then refuses to start without a real SECRET_KEY.
"""

import hashlib
import os
from collections.abc import Mapping
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
# Keys published in this repository (.env.example, the README): never a production secret.
_EXAMPLE_SECRET_KEYS = {
    "change-me-to-at-least-fifty-random-characters-0123456789abcdefghij",
}


def production_settings_problems(env: Mapping[str, str]) -> list[str]:
    """What makes `env` unsafe to serve with DEBUG=0, each as "what is wrong: what to set".

    Empty when it is safe. Kept in one function (and free of Django) so that every start-up
    path (manage.py, gunicorn, celery) refuses the same things and tests can call it directly.
    """
    problems = []
    key = env.get("SECRET_KEY", "")
    fix_key = (
        "set SECRET_KEY to 50+ random characters "
        "(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
    )
    if not key:
        problems.append(f"SECRET_KEY must be set when DEBUG=0: {fix_key}")
    elif key in _EXAMPLE_SECRET_KEYS or "change-me" in key.lower():
        problems.append(f"SECRET_KEY is the published example's: {fix_key}")
    elif len(key) < 50 or len(set(key)) < 10 or key.startswith("django-insecure"):
        problems.append(f"SECRET_KEY is too weak (short, low variety or Django's): {fix_key}")
    if not [h for h in env.get("ALLOWED_HOSTS", "").split(",") if h.strip()]:
        problems.append("ALLOWED_HOSTS is not set: set it to the host names served")
    site = env.get("SITE_URL", "").strip()
    plain_http = env.get("PLAIN_HTTP", "0").strip().lower() in _TRUE
    redirect = env.get("SECURE_SSL_REDIRECT", "1").strip().lower() in _TRUE and not plain_http
    if not site:
        problems.append("SITE_URL is not set: set it to the address people use (https://...)")
    elif not site.startswith(("https://", "http://")):
        problems.append(f"SITE_URL {site!r} is not an address: set SITE_URL=https://your.host")
    elif site.startswith("http://") and redirect:
        problems.append(
            "SITE_URL is http:// while TLS redirects are on: set SITE_URL=https://..., or "
            "PLAIN_HTTP=1 to evaluate without TLS"
        )
    return problems


def refuse_unsafe_production(env: Mapping[str, str]) -> None:
    """Stop start-up with one line naming what to set (no traceback to read through)."""
    problems = production_settings_problems(env)
    if problems:
        raise SystemExit("isova refuses to start with DEBUG=0: " + "; ".join(problems) + ".")


if not DEBUG:
    refuse_unsafe_production(os.environ)
SECRET_KEY = os.getenv("SECRET_KEY", "") or _DEV_SECRET_KEY
# Evaluation without TLS (DEBUG=0 on plain HTTP): no HTTPS redirect, HSTS or secure cookies.
PLAIN_HTTP = envbool("PLAIN_HTTP", "0")


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
# Every link in e-mails, the CLI's output and calendar feeds is built on SITE_URL: in production
# a wrong default would send people to 127.0.0.1, so it must be given (check_site_url).
SITE_URL = os.getenv("SITE_URL", "").strip().rstrip("/")


def check_site_url(site_url: str, debug: bool) -> str:
    """SITE_URL, or the development default; refuses to start without one when DEBUG=0."""
    if not site_url:
        if not debug:
            raise ImproperlyConfigured(
                "SITE_URL must be set when DEBUG=0 (the address people open, "
                "e.g. https://qms.example.org): e-mails and calendar feeds link to it."
            )
        return "http://127.0.0.1:8000"
    if not site_url.startswith(("http://", "https://")):
        raise ImproperlyConfigured(
            f"SITE_URL must start with http:// or https://; got {site_url!r}"
        )
    return site_url


SITE_URL = check_site_url(SITE_URL, DEBUG)
SITE_NAME = "isova"

INSTALLED_APPS = [
    "isova",
    "isova.onboarding",
    "isova.lessons",
    "isova.resources",
    "objectives",
    "audits",
    "risks",
    "reviews",
    "decisions",
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
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "isova.api",
]

MIDDLEWARE = [
    # Outermost: a request id, one log line and the latency of every request, however it ends.
    "isova.ops.middleware.RequestMiddleware",
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
    # Leaders whose organisation requires an authenticator set it up first (isova.onboarding).
    "isova.onboarding.totp.EnrolmentMiddleware",
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
# Behind PgBouncer in transaction pooling (DB_POOLER=transaction), a connection is the
# pooler's, not the server's: no server-side cursor outlives its transaction and no
# persistent connection is needed (the pooler keeps the server ones).
DB_POOLER = os.getenv("DB_POOLER", "").strip().lower()
if DB_POOLER not in {"", "transaction"}:
    raise ImproperlyConfigured(f"DB_POOLER must be empty or 'transaction'; got {DB_POOLER!r}")
if DB_POOLER == "transaction" and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# A streaming replica for reads that may lag (dashboards, lists, exports): see isova/ops/router.
DATABASE_REPLICA_URL = os.getenv("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"]
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    if DB_POOLER == "transaction":
        DATABASES["replica"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASE_ROUTERS = ["isova.ops.router.ReplicaRouter"]
# After a request wrote, that browser reads from the primary for this many seconds (so the
# page after a save shows the save, whatever the replica's lag).
REPLICA_PIN_SECONDS = envint("REPLICA_PIN_SECONDS", "10")
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
# Invitation links (isova.onboarding) work once and for this many days.
INVITATION_DAYS = envint("INVITATION_DAYS", "7")
# Self-service sign-up of new organisations (/signup/): off unless the operator opens it;
# limits per network address and hour, per e-mail address and day, and overall per hour.
SELF_SIGNUP = envbool("SELF_SIGNUP", "0")
SIGNUP_PER_IP_PER_HOUR = envint("SIGNUP_PER_IP_PER_HOUR", "5")
SIGNUP_PER_EMAIL_PER_DAY = envint("SIGNUP_PER_EMAIL_PER_DAY", "3")
SIGNUP_PER_HOUR = envint("SIGNUP_PER_HOUR", "100")
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
# Uploaded files kept on disk (backed up with the database by `manage.py backup`).
MEDIA_ROOT = os.getenv("MEDIA_ROOT", str(BASE_DIR / "media"))
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
# A task taken by a worker that then died (SIGKILL, OOM) goes back to the queue after this
# many seconds unacknowledged; keep it above the longest ETA of a retry (an hour).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", "3900"),
}
CELERY_TASK_DEFAULT_QUEUE = os.getenv("CELERY_QUEUE", "isova")
CELERY_TIMEZONE = TIME_ZONE
# Imported by every worker and beat at start: their heartbeats for /readyz and the beat_tick
# task (a name here rather than an import, so the core's modules keep importing one way).
CELERY_IMPORTS = ["isova.ops.heartbeat"]
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
    # Every 5 minutes: webhook deliveries whose retry is due or whose claim expired (a worker
    # died mid-send); also emits "action.overdue" once per action and due date.
    "webhooks-sweep": {"task": "isova.api.tasks.sweep", "schedule": crontab(minute="*/5")},
    # Every minute: keeps beat's heartbeat fresh for /readyz (isova/ops/heartbeat.py).
    "heartbeat": {"task": "isova.ops.heartbeat.beat_tick", "schedule": 60.0},
}
# Local hour (in each organisation's time zone) from which the day's alerts go out.
ALERTS_LOCAL_HOUR = envint("ALERTS_LOCAL_HOUR", "7")
# Attempts to e-mail one notification before it is marked failed (shown to managers).
ALERTS_MAX_ATTEMPTS = envint("ALERTS_MAX_ATTEMPTS", "6")
# Lines in one person's daily digest before "and N more" (the rest are on their notifications page).
ALERTS_DIGEST_CAP = envint("ALERTS_DIGEST_CAP", "20")
# E-mails that go out at once (an assignment, an approval asked of you) wait this long, so that
# several made within a few minutes reach the person as one message.
ALERTS_BATCH_SECONDS = envint("ALERTS_BATCH_SECONDS", "120")
# A scan after this many days without one (go-live, or alerts were stopped) sends each person one
# summary of what is outstanding instead of an e-mail per old item.
ALERTS_PAUSE_DAYS = envint("ALERTS_PAUSE_DAYS", "3")
# How long a worker's claim on an e-mail holds, and how old an unsent one is before the sweep
# sends it again (a worker killed mid-send leaves its claim until then).
ALERTS_LEASE_SECONDS = envint("ALERTS_LEASE_SECONDS", "600")

# The REST API (isova/api): tokens only, JSON only, problem-details errors, cursor pages.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["isova.api.auth.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["isova.api.auth.TokenScope"],
    "DEFAULT_THROTTLE_CLASSES": ["isova.api.conventions.TokenRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "isova.api.conventions.StablePages",
    "DEFAULT_PARSER_CLASSES": ["isova.api.conventions.LimitedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "isova.api.conventions.problem_handler",
    "UNAUTHENTICATED_USER": None,
}
# drf-spectacular names colliding choice sets ("kind", "status") with a hash suffix: a schema
# cosmetic, not a deployment problem, so `check --deploy` does not fail on it.
SILENCED_SYSTEM_CHECKS = ["drf_spectacular.W001"]
SPECTACULAR_SETTINGS = {
    "TITLE": "isova API",
    "DESCRIPTION": "Objectives, actions, audits, risks and management reviews of one "
    "organisation, as its token's person may see and change them on the pages.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    # Swagger UI's files from our static files (drf-spectacular-sidecar): no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Without deep links Swagger UI does not nest a link inside each operation's button
    # (axe: nested-interactive); the page is otherwise the same.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
}
# Requests per token per minute (429 with Retry-After beyond), counted in this cache.
API_RATE_LIMIT_PER_MINUTE = envint("API_RATE_LIMIT_PER_MINUTE", "120")
API_RATE_LIMIT_CACHE = "api"
API_MAX_BODY_BYTES = envint("API_MAX_BODY_BYTES", str(256 * 1024))
API_TOKEN_MAX_DAYS = envint("API_TOKEN_MAX_DAYS", "365")
_CACHE_URL = os.getenv("CACHE_URL", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Shared by every web process when CACHE_URL names a Redis (production), so a token's
    # rate limit is one count; per process otherwise (the embedded default).
    "api": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _CACHE_URL}
    if _CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api"},
}
# A running import's count of rows done (isova/imports/services.py): written by the worker
# outside the import's transaction, read by every web process. Redis at CACHE_URL, else the
# broker's Redis (the production stack); per process when tasks run in-process (there the
# request that imports is the one process that writes and reads it).
_PROGRESS_URL = _CACHE_URL or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else ""
)
CACHES["progress"] = (
    {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _PROGRESS_URL,
        "KEY_PREFIX": "isova:progress",
    }
    if _PROGRESS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "progress"}
)
# Webhooks (isova/api/webhooks.py): receivers on loopback or private networks are refused
# unless this is on (development, tests); plain http is accepted only then too.
WEBHOOK_ALLOW_PRIVATE = envbool("WEBHOOK_ALLOW_PRIVATE", "1" if DEBUG else "0")
WEBHOOK_TIMEOUT_SECONDS = envint("WEBHOOK_TIMEOUT_SECONDS", "10")
WEBHOOK_MAX_ATTEMPTS = envint("WEBHOOK_MAX_ATTEMPTS", "8")
WEBHOOK_RETRY_BASE_SECONDS = envint("WEBHOOK_RETRY_BASE_SECONDS", "30")
# Failed deliveries in a row after which an endpoint is switched off (leaders are told).
WEBHOOK_DISABLE_AFTER = envint("WEBHOOK_DISABLE_AFTER", "15")

if not DEBUG:
    # Behind a TLS-terminating proxy (Caddy in docker-compose.yml) that sets
    # X-Forwarded-Proto and strips any the client sent: Django then knows the request was
    # HTTPS. Never expose gunicorn directly with this on.
    # SECURE_PROXY_SSL_HEADER="HEADER,value" (default X-Forwarded-Proto: https); empty when
    # clients reach gunicorn directly, since they could then claim HTTPS themselves.
    _proxy_header = envlist("SECURE_PROXY_SSL_HEADER", "HTTP_X_FORWARDED_PROTO,https")
    if _proxy_header:
        if len(_proxy_header) != 2:
            raise ImproperlyConfigured(
                "SECURE_PROXY_SSL_HEADER must be HEADER,value, e.g. HTTP_X_FORWARDED_PROTO,https"
            )
        SECURE_PROXY_SSL_HEADER = (_proxy_header[0], _proxy_header[1])
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "1") and not PLAIN_HTTP
    SECURE_HSTS_SECONDS = 0 if PLAIN_HTTP else envint("SECURE_HSTS_SECONDS", "31536000")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "1")
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "1")
    SESSION_COOKIE_SECURE = not PLAIN_HTTP
    CSRF_COOKIE_SECURE = not PLAIN_HTTP

SESSION_COOKIE_HTTPONLY = True

# /readyz: the oldest age (seconds) of the freshest worker heartbeat, of beat's last task, and
# of a notification still waiting for its e-mail, before the stack counts as unhealthy.
HEALTH_WORKER_MAX_AGE = envint("HEALTH_WORKER_MAX_AGE", "60")
HEALTH_BEAT_MAX_AGE = envint("HEALTH_BEAT_MAX_AGE", "180")
HEALTH_PENDING_MAX_AGE = envint("HEALTH_PENDING_MAX_AGE", "3600")
# /metrics: a bearer token, or else only these client networks (loopback by default).
METRICS_TOKEN = os.getenv("METRICS_TOKEN", "")
METRICS_ALLOWED_NETWORKS = envlist("METRICS_ALLOWED_NETWORKS", "127.0.0.1/32,::1/128")

# Optional error reporting: sentry-sdk is imported only when a DSN is given.
SENTRY_DSN = os.getenv("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=os.getenv("SENTRY_ENVIRONMENT", "production"),
        traces_sample_rate=float(os.getenv("SENTRY_TRACES_SAMPLE_RATE", "0")),
        send_default_pii=False,
    )
X_FRAME_OPTIONS = "DENY"

# One JSON object per line (with request id and organisation) in production, text in development.
LOG_FORMAT = os.getenv("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text; got {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"expected_forbidden": {"()": "isova.logfilters.ExpectedForbidden"}},
    "formatters": {
        "json": {"()": "isova.ops.logs.JsonFormatter"},
        "text": {"format": "%(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own console handler (under DEBUG) would print each line a second time:
        # its records reach the root's console by propagation alone.
        "django": {"handlers": [], "level": "INFO"},
        "django.request": {"filters": ["expected_forbidden"]},
        "axes": {"level": "WARNING"},
        # One line per request comes from isova.ops.middleware; gunicorn's access log repeats it.
        "isova.request": {"level": "INFO"},
        # In-process (eager) tasks would log a line per task into the dev server's output.
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
    },
}
