#!/usr/bin/env bash
# Runs the test suite on SQLite, then on a throwaway PostgreSQL cluster on 127.0.0.1 that this
# script starts and always stops. With CI=true a PostgreSQL that cannot start is a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DJANGO_ALLOW_ASYNC_UNSAFE=true

run_pytest() {  # pytest exits 5 when it collected nothing: that must fail, not pass
  "$PY" -m pytest "$@"
  local rc=$?
  if [ $rc -eq 5 ]; then echo "pytest collected no tests: failing." >&2; return 1; fi
  return $rc
}

echo "== pytest on SQLite"
run_pytest -q -p no:cacheprovider -m "not bench" || exit 1

echo "== pytest on PostgreSQL"
source scripts/pg-throwaway.sh
if ! pg_start; then
  if [ "${CI:-}" = "true" ]; then echo "PostgreSQL could not start (CI=true): failing." >&2; exit 1; fi
  echo "WARNING: PostgreSQL could not start; the PostgreSQL run was NOT done." >&2
  exit 0
fi
trap pg_stop EXIT
DATABASE_URL="$PG_URL" run_pytest -q -p no:cacheprovider -m "not bench"
