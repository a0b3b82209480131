#!/usr/bin/env bash
# Benchmarks (never timed assertions in tests): response times and query counts of the main
# pages on a larger organisation, against PostgreSQL when it answers, otherwise SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/isova_bench}"
status=$(TEST_REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python scripts/services.py 2>/dev/null || true)
if [[ "$status" != *"postgres=yes"* ]]; then
  echo "PostgreSQL does not answer: benchmarking on SQLite." >&2
  export DATABASE_URL="sqlite:///$(pwd)/.bench.sqlite3"
else
  psql -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_database WHERE datname='isova_bench'" | grep -q 1 \
    || psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE isova_bench"
fi
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python scripts/bench.py "$@"
