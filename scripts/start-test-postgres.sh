#!/usr/bin/env bash
# Start a throw-away PostgreSQL cluster on 127.0.0.1 for the test suite and print the URL to use
# as YINGJI_TEST_POSTGRES_URL. Idempotent: an already running cluster in the same folder is reused.
#   usage: export YINGJI_TEST_POSTGRES_URL=$(bash scripts/start-test-postgres.sh)
set -euo pipefail
PORT="${YINGJI_PG_PORT:-54329}"
DATA="${YINGJI_PG_DATA:-/tmp/yingji-test-pg}"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -x "$BIN/initdb" ] || { echo "PostgreSQL is not installed: run scripts/install-system-deps.sh" >&2; exit 1; }
RUN_AS=()
if [ "$(id -u)" -eq 0 ]; then RUN_AS=(su postgres -s /bin/bash -c); else RUN_AS=(bash -c); fi
if [ ! -s "$DATA/PG_VERSION" ]; then
  mkdir -p "$DATA"; [ "$(id -u)" -eq 0 ] && chown postgres: "$DATA"
  "${RUN_AS[@]}" "$BIN/initdb -D $DATA -U yingji --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
fi
if ! "$BIN/pg_isready" -h 127.0.0.1 -p "$PORT" -q; then
  "${RUN_AS[@]}" "$BIN/pg_ctl -D $DATA -l $DATA/server.log -w -o '-h 127.0.0.1 -p $PORT -k /tmp -c max_connections=200 -c fsync=off' start" >/dev/null
fi
"$BIN/psql" -h 127.0.0.1 -p "$PORT" -U yingji -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='yingji_test'" | grep -q 1 \
  || "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U yingji yingji_test
echo "postgresql+psycopg://yingji@127.0.0.1:${PORT}/yingji_test"
