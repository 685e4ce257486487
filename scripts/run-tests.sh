#!/usr/bin/env bash
# Runs the test suite on SQLite and, at the same time, on a throwaway PostgreSQL cluster on
# 127.0.0.1 that this script starts and always stops: the two runs share nothing (each has its own
# database, ports and temporary files), and side by side they use both cores of a CI machine.
# With CI=true a PostgreSQL that cannot start is a failure. Arguments go to both pytest runs
# (e.g. a test file), for trying the script itself.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DJANGO_ALLOW_ASYNC_UNSAFE=true
LOGS=$(mktemp -d /tmp/trustledger-tests.XXXXXX)

run_pytest() {  # pytest exits 5 when it collected nothing: that must fail, not pass
  "$PY" -m pytest -q -p no:cacheprovider -m "not bench" --durations=10 "$@"
  local rc=$?
  if [ $rc -eq 5 ]; then echo "pytest collected no tests: failing." >&2; return 1; fi
  return $rc
}

source scripts/pg-throwaway.sh
PG_OK=1
if ! pg_start; then
  if [ "${CI:-}" = "true" ]; then echo "PostgreSQL could not start (CI=true): failing." >&2; exit 1; fi
  echo "WARNING: PostgreSQL could not start; the PostgreSQL run is NOT done." >&2
  PG_OK=0
fi
trap 'pg_stop; rm -rf "$LOGS"' EXIT

started=$(date +%s)
run_pytest "$@" >"$LOGS/sqlite.log" 2>&1 &
SQLITE_PID=$!
if [ $PG_OK -eq 1 ]; then
  DATABASE_URL="$PG_URL" run_pytest "$@" >"$LOGS/postgresql.log" 2>&1 &
  PG_PID=$!
fi

wait $SQLITE_PID
SQLITE_RC=$?
echo "== pytest on SQLite (exit $SQLITE_RC)"
cat "$LOGS/sqlite.log"
PG_RC=0
if [ $PG_OK -eq 1 ]; then
  wait $PG_PID
  PG_RC=$?
  echo "== pytest on PostgreSQL (exit $PG_RC)"
  cat "$LOGS/postgresql.log"
fi
echo "== both runs took $(( $(date +%s) - started )) s"
[ $SQLITE_RC -eq 0 ] && [ $PG_RC -eq 0 ]
