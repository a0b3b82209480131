#!/usr/bin/env bash
# Run the whole suite on PostgreSQL and Redis. When they do not answer, say so and fall back
# to SQLite (tests that need the real services skip); under CI=true that is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/isova}"
export TEST_REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/0}"
export DJANGO_ALLOW_ASYNC_UNSAFE=true
unset CELERY_BROKER_URL EMAIL_HOST

status=$(.venv/bin/python scripts/services.py)
if [[ "$status" != *"postgres=yes"* || "$status" != *"redis=yes"* ]]; then
  if [[ "${CI:-}" == "true" ]]; then
    echo "CI: PostgreSQL and Redis must both answer ($status). See ../shared/SERVICES.md." >&2
    exit 1
  fi
  if [[ "$status" != *"postgres=yes"* ]]; then
    echo "WARNING: PostgreSQL does not answer at $DATABASE_URL: running on SQLite instead." >&2
    echo "         Tests that need PostgreSQL are skipped. Start it (see README) for a full run." >&2
    export DATABASE_URL="sqlite:///$(pwd)/.test-db.sqlite3"
  fi
  if [[ "$status" != *"redis=yes"* ]]; then
    echo "WARNING: Redis does not answer at $TEST_REDIS_URL: tests that need it are skipped." >&2
    export TEST_REDIS_URL=""
  fi
fi

# Two processes on these 2-core machines (pytest-xdist; PYTEST_WORKERS=0 runs in one). Each
# worker has its own test database (test_<name>_gwN) and Redis database (tests/conftest.py).
workers=(-n "${PYTEST_WORKERS:-auto}" --dist loadfile)
for arg in "$@"; do
  case "$arg" in -n|-n*|--numprocesses*) workers=() ;; esac
done
[[ "${PYTEST_WORKERS:-auto}" == "0" ]] && workers=()

set +e
.venv/bin/pytest "${workers[@]}" "$@"
code=$?
set -e
# pytest exits 5 when nothing was collected (e.g. a -m filter matching nothing): not a failure.
if [[ $code -eq 5 ]]; then exit 0; fi
exit $code
