#!/usr/bin/env bash
# The whole suite: once on SQLite, then again on a fresh PostgreSQL database when one is reachable.
# REQUIRE_POSTGRES=1 (set by CI) makes an unreachable PostgreSQL an error instead of a skip.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_ADMIN_URL=${PG_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/test}

echo "==> test suite on SQLite"
$BIN/pytest "$@"
sqlite_rc=$?

if ! $BIN/python - "$PG_ADMIN_URL" <<'PY' 2>/dev/null
import sys, psycopg
psycopg.connect(sys.argv[1], connect_timeout=3).close()
PY
then
  if [ "${REQUIRE_POSTGRES:-0}" = "1" ]; then
    echo "==> PostgreSQL at $PG_ADMIN_URL is not reachable, and REQUIRE_POSTGRES=1" >&2; exit 1
  fi
  echo "==> PostgreSQL at $PG_ADMIN_URL not reachable: ran on SQLite only"
  exit $sqlite_rc
fi

db="wuye_test_$(date +%s)_$$"
pg() { $BIN/python - "$PG_ADMIN_URL" "$1" <<'PY'
import sys, psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as conn:
    conn.execute(sys.argv[2])
PY
}
pg "CREATE DATABASE \"$db\"" || exit 1
trap 'pg "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)"' EXIT

echo "==> test suite on PostgreSQL (fresh database $db)"
base="postgresql+psycopg://${PG_ADMIN_URL#postgresql://}"
TEST_DATABASE_URL="${base%/*}/$db" $BIN/pytest "$@"
pg_rc=$?

echo "==> SQLite run exit $sqlite_rc; PostgreSQL run exit $pg_rc"
[ $sqlite_rc -eq 0 ] && [ $pg_rc -eq 0 ]
