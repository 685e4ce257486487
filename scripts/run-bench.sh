#!/usr/bin/env bash
# make bench: every benchmark on SQLite, then on a throwaway PostgreSQL on 127.0.0.1.
# Figures are printed as "BENCH [vendor] name: seconds ..." lines; docs/benchmarks.md keeps them.
set -uo pipefail
cd "$(dirname "$0")/.."
export DJANGO_ALLOW_ASYNC_UNSAFE=true
BENCH=(.venv/bin/python -m pytest tests/bench -m bench -s -q -p no:cacheprovider "$@")

echo "== benchmarks on SQLite"
"${BENCH[@]}" || exit 1

echo "== benchmarks on PostgreSQL"
source scripts/pg-throwaway.sh
pg_start || { echo "PostgreSQL could not start." >&2; exit 1; }
trap pg_stop EXIT
DATABASE_URL="$PG_URL" "${BENCH[@]}"
