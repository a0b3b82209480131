"""DEBUG=0 refuses to start with unsafe settings, in one line that says what to set."""

from __future__ import annotations

import pytest

from isova.settings import production_settings_problems
from tests.isova.test_settings import run, strong_key

SAFE = {
    "SECRET_KEY": "",
    "ALLOWED_HOSTS": "qms.example.com",
    "SITE_URL": "https://qms.example.com",
}


def safe(**changes: str) -> dict[str, str]:
    return {**SAFE, "SECRET_KEY": strong_key(), **changes}


def test_safe_settings_have_no_problem():
    assert production_settings_problems(safe()) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set"),
        (
            {"SECRET_KEY": "change-me-to-at-least-fifty-random-characters-0123456789abcdefghij"},
            "SECRET_KEY is the published example's",
        ),
        ({"SECRET_KEY": "x7" * 12}, "SECRET_KEY is too weak"),
        ({"SECRET_KEY": "ab" * 40}, "SECRET_KEY is too weak"),  # long, two characters
        ({"SECRET_KEY": "django-insecure-" + strong_key()}, "SECRET_KEY is too weak"),
        ({"ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS is not set"),
        ({"SITE_URL": ""}, "SITE_URL is not set"),
        ({"SITE_URL": "qms.example.com"}, "SITE_URL 'qms.example.com' is not an address"),
        ({"SITE_URL": "http://qms.example.com"}, "SITE_URL is http:// while TLS redirects are on"),
    ],
)
def test_each_unsafe_setting_is_named_with_what_to_set(changes, expected):
    problems = production_settings_problems(safe(**changes))
    assert len(problems) == 1
    assert problems[0].startswith(expected)
    assert "set" in problems[0].split(":", 1)[1]


@pytest.mark.parametrize("switch", [{"PLAIN_HTTP": "1"}, {"SECURE_SSL_REDIRECT": "0"}])
def test_plain_http_evaluation_accepts_an_http_site_url(switch):
    assert production_settings_problems(safe(SITE_URL="http://127.0.0.1:8000", **switch)) == []


@pytest.mark.parametrize("entry", [["manage.py", "check"], ["-c", "import isova.wsgi"]])
def test_start_up_with_the_example_secret_stops_with_one_line(entry):
    result = run(
        entry,
        DEBUG="0",
        SECRET_KEY="change-me-to-at-least-fifty-random-characters-0123456789abcdefghij",
        ALLOWED_HOSTS="qms.example.com",
        SITE_URL="https://qms.example.com",
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "isova refuses to start with DEBUG=0: SECRET_KEY is the published example's: set "
        "SECRET_KEY to 50+ random characters "
        "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    ]


def test_start_up_without_site_url_stops_with_one_line():
    result = run(["manage.py", "check"], DEBUG="0", SECRET_KEY=strong_key(), ALLOWED_HOSTS="x.org")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "isova refuses to start with DEBUG=0: SITE_URL is not set: set it to the address "
        "people use (https://...)."
    ]


SHOW = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
    "s.SECURE_PROXY_SSL_HEADER, s.DATABASES['default'].get('DISABLE_SERVER_SIDE_CURSORS'), "
    "s.DATABASES['default']['CONN_MAX_AGE']]))"
)


def test_plain_http_is_one_variable_and_turns_off_every_tls_only_setting():
    import json

    result = run(
        ["-c", SHOW],
        DEBUG="0",
        PLAIN_HTTP="1",
        SECRET_KEY=strong_key(),
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL="http://127.0.0.1:8000",
    )
    assert result.returncode == 0, result.stderr
    redirect, secure_cookie, hsts, proxy_header, _, _ = json.loads(result.stdout)
    assert (redirect, secure_cookie, hsts) == (False, False, 0)
    assert proxy_header == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_behind_pgbouncer_there_are_no_server_side_cursors_nor_persistent_connections():
    import json

    result = run(
        ["-c", SHOW],
        DB_POOLER="transaction",
        DB_CONN_MAX_AGE="60",
        DATABASE_URL="postgres://isova@127.0.0.1:6432/isova",
    )
    assert result.returncode == 0, result.stderr
    *_, no_cursors, max_age = json.loads(result.stdout)
    assert (no_cursors, max_age) == (True, 0)


SENTRY = (
    "import sys, django; django.setup(); import json; "
    "loaded = 'sentry_sdk' in sys.modules; client = None\n"
    "if loaded:\n"
    "    import sentry_sdk; client = sentry_sdk.get_client().dsn\n"
    "print(json.dumps([loaded, client]))"
)


def test_sentry_is_imported_and_set_up_only_with_a_dsn():
    import json

    without = run(["-c", SENTRY])
    assert without.returncode == 0, without.stderr
    assert json.loads(without.stdout) == [False, None]
    dsn = "http://public@127.0.0.1:9899/1"
    with_dsn = run(["-c", SENTRY], SENTRY_DSN=dsn)
    assert with_dsn.returncode == 0, with_dsn.stderr
    assert json.loads(with_dsn.stdout) == [True, dsn]
