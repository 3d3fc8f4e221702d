#!/usr/bin/env bash
# Start a throwaway PostgreSQL server on loopback for the test suite and print its URL.
# Usage: eval "$(bash scripts/start_test_postgres.sh)"   (exports SHOPOPS_TEST_POSTGRES_URL)
# Needs Debian's postgresql package (installed by .ci/run). Runs as the 'postgres' system user
# when started as root, because PostgreSQL refuses to run as root.
set -euo pipefail
PORT="${SHOPOPS_TEST_PG_PORT:-55432}"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -x "$BIN/initdb" ] || { echo "PostgreSQL server binaries not found; apt-get install postgresql" >&2; exit 1; }
DIR="${SHOPOPS_TEST_PG_DIR:-/tmp/shopops-test-pg}"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if ! as_pg "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
  rm -rf "$DIR"; mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres "$DIR"
  as_pg "$BIN/initdb" -D "$DIR/data" -U shopops --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  as_pg "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c synchronous_commit=off" start >/dev/null
  as_pg "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U shopops shopops_test
fi
echo "export SHOPOPS_TEST_POSTGRES_URL=postgresql://shopops@127.0.0.1:$PORT/shopops_test"
