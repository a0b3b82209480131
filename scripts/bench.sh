#!/usr/bin/env bash
# Benchmarks (never timed assertions in tests), on PostgreSQL in a database of their own
# (isova_bench, or BENCH_DATABASE_URL): seed BENCH_SCALE × 100 organisations, then time the
# large one's pages in-process and over HTTP through gunicorn, the alert scan and the chain
# verification, and write bench/results.json.
#   scripts/bench.sh [run_bench args]     one scale (BENCH_SCALE, default 1)
#   scripts/bench.sh growth [args]        scale 0.1, then scale 1, and the ratio per page
# BENCH_RESEED=0 reuses what is seeded already (it must be the same scale).
set -euo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/isova_bench}"
PY=.venv/bin/python
status=$(TEST_REDIS_URL=redis://127.0.0.1:6379/0 $PY scripts/services.py 2>/dev/null || true)
if [[ "$status" != *"postgres=yes"* ]]; then
  echo "PostgreSQL does not answer at $DATABASE_URL: the bench needs it." >&2
  exit 1
fi
dbname="${DATABASE_URL##*/}"
if [ "${BENCH_RESEED:-1}" != "0" ]; then
  # Everything in the bench database is seeded: start from a new one, so that nothing left by
  # an older checkout (migrations since renamed, other data) can get in the way.
  psql "${DATABASE_URL%/*}/postgres" -qc "DROP DATABASE IF EXISTS $dbname WITH (FORCE)"
fi
psql "${DATABASE_URL%/*}/postgres" -tc "SELECT 1 FROM pg_database WHERE datname='$dbname'" | grep -q 1 \
  || psql "${DATABASE_URL%/*}/postgres" -qc "CREATE DATABASE $dbname"
$PY manage.py migrate --noinput -v0

seed() {
  if [ "${BENCH_RESEED:-1}" != "0" ]; then
    $PY manage.py seed_bench --scale "$1" --reset
  fi
}

if [ "${1:-}" = "growth" ]; then
  shift
  seed 0.1
  $PY manage.py run_bench --output bench/results-0.1.json "$@"
  seed 1
  $PY manage.py run_bench --output bench/results.json --compare bench/results-0.1.json "$@"
else
  seed "${BENCH_SCALE:-1}"
  $PY manage.py run_bench "$@"
fi
