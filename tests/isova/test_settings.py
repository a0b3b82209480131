"""Settings from the environment: the production checks, and the embedded defaults.

Each test starts a fresh interpreter, because settings are read once, at start-up.
"""

from __future__ import annotations

import json
import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Variables that would leak this test run's own configuration into the subprocess.
SCRUBBED = {
    "DATABASE_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "CELERY_BROKER_URL",
    "EMAIL_HOST",
    "SITE_URL",
    "TIME_ZONE",
    "EMAIL_PORT",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by scripts/test.sh for Playwright, never in deployment
}


def strong_key() -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(60))


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in SCRUBBED} | env
    environ["DJANGO_SETTINGS_MODULE"] = "isova.settings"
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120
    )


def test_the_deploy_check_reports_nothing_with_debug_off_and_a_real_secret_key():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="0",
        SECRET_KEY=strong_key(),
        ALLOWED_HOSTS="example.com",
        SITE_URL="https://example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("entry", [["manage.py", "check"], ["-c", "import isova.wsgi"]])
def test_with_debug_off_the_app_refuses_to_start_without_a_secret_key(entry):
    result = run(entry, DEBUG="0", ALLOWED_HOSTS="example.com")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG=0" in result.stderr


@pytest.mark.parametrize(
    "key", ["too-short", "django-insecure-" + "x" * 60], ids=["short", "django's placeholder"]
)
def test_with_debug_off_the_app_refuses_a_weak_secret_key(key):
    result = run(
        ["manage.py", "check"],
        DEBUG="0",
        SECRET_KEY=key,
        ALLOWED_HOSTS="example.com",
        SITE_URL="https://example.com",
    )
    assert result.returncode != 0
    assert "SECRET_KEY is too weak" in result.stderr


@pytest.mark.parametrize(("name", "value"), [("DEBUG", "maybe"), ("EMAIL_PORT", "twenty-five")])
def test_a_malformed_setting_is_named_in_the_error(name, value):
    result = run(["manage.py", "check"], **{name: value})
    assert result.returncode != 0
    assert f"{name} must be" in result.stderr


SHOW = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], "
    "'eager': s.CELERY_TASK_ALWAYS_EAGER, 'broker': s.CELERY_BROKER_URL, "
    "'email': s.EMAIL_BACKEND, 'site': s.SITE_URL, 'secure': s.SESSION_COOKIE_SECURE, "
    "'hosts': s.ALLOWED_HOSTS, 'tz': s.TIME_ZONE}))"
)


def show(**env: str) -> dict:
    result = run(["-c", SHOW], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_with_no_environment_the_embedded_defaults_apply():
    values = show()
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["eager"] is True
    assert values["email"] == "django.core.mail.backends.console.EmailBackend"
    assert values["site"] == "http://127.0.0.1:8000"
    assert values["secure"] is False


def test_the_real_stack_is_configured_from_the_environment():
    values = show(
        DEBUG="0",
        SECRET_KEY=strong_key(),
        ALLOWED_HOSTS="qms.example.com, www.example.com",
        DATABASE_URL="postgres://isova:pw@db:5432/isova",
        CELERY_BROKER_URL="redis://redis:6379/0",
        EMAIL_HOST="smtp.example.com",
        SITE_URL="https://qms.example.com/",
        TIME_ZONE="Europe/Berlin",
    )
    assert values["engine"] == "django.db.backends.postgresql"
    assert (values["eager"], values["broker"]) == (False, "redis://redis:6379/0")
    assert values["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert values["site"] == "https://qms.example.com"
    assert values["secure"] is True
    assert values["hosts"] == ["qms.example.com", "www.example.com"]
    assert values["tz"] == "Europe/Berlin"


@pytest.mark.parametrize("entry", [["manage.py", "check"], ["manage.py", "run_alerts"]])
def test_with_debug_off_the_app_refuses_to_start_without_a_site_url(entry):
    result = run(entry, DEBUG="0", SECRET_KEY=strong_key(), ALLOWED_HOSTS="example.com")
    assert result.returncode != 0
    assert "SITE_URL is not set" in result.stderr


def test_a_site_url_without_a_scheme_is_refused():
    result = run(["manage.py", "check"], SITE_URL="qms.example.com")
    assert result.returncode != 0
    assert "SITE_URL must start with http:// or https://" in result.stderr
