# Sourced: pg_start creates and starts a PostgreSQL cluster in a temporary directory, listening
# on 127.0.0.1 only, and sets PG_URL; pg_stop stops it and deletes the directory.
PG_PORT=${PG_PORT:-54329}

_pg_as() {  # PostgreSQL refuses to run as root: use the postgres account then
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

pg_start() {
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$PG_BIN" ] || { echo "PostgreSQL is not installed (make system-deps)." >&2; return 1; }
  PG_DIR=$(mktemp -d /tmp/trustledger-pg.XXXXXX)
  [ "$(id -u)" -eq 0 ] && chown postgres "$PG_DIR"
  _pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U trustledger --auth=trust -E UTF8 >/dev/null || return 1
  _pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -o \
    "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || { cat "$PG_DIR/log" >&2; return 1; }
  PG_URL="postgres://trustledger@127.0.0.1:$PG_PORT/trustledger"
  _pg_as "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U trustledger trustledger || return 1
  export PG_URL PG_DIR PG_BIN
}

pg_stop() {
  [ -n "${PG_DIR:-}" ] || return 0
  _pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1
  rm -rf "$PG_DIR"
}
