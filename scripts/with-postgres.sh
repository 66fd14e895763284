#!/usr/bin/env bash
# Runs a command next to a throwaway PostgreSQL 15 server: a fresh cluster in
# a temporary directory, listening on a free 127.0.0.1 port only (its unix
# socket stays inside that directory), stopped and removed when the command
# ends, whatever way it ends. The command gets
#   SHOTKEEPER_TEST_POSTGRES_URL=postgres://shotkeeper@127.0.0.1:PORT/postgres
# an admin URL (superuser, trust auth): tests create their own database from it.
#
#   bash scripts/with-postgres.sh cargo test -p shotkeeper-core
#   bash scripts/with-keychain.sh bash scripts/with-postgres.sh cargo test ...
#
# The server is Debian's `postgresql` package (installed by scripts/setup.sh);
# set SHOTKEEPER_PG_BIN to use binaries from elsewhere. PostgreSQL refuses to
# run as root, so under root the cluster belongs to the `postgres` OS user
# (the package creates it) and the server runs as that user.
set -euo pipefail

PG_BIN=${SHOTKEEPER_PG_BIN:-/usr/lib/postgresql/15/bin}
SUPERUSER=shotkeeper

if [ $# -eq 0 ]; then
  echo "usage: bash scripts/with-postgres.sh COMMAND [ARGS...]" >&2
  exit 2
fi
for tool in initdb pg_ctl pg_isready; do
  if [ ! -x "$PG_BIN/$tool" ]; then
    echo "with-postgres: $PG_BIN/$tool not found. Install PostgreSQL 15 (Debian's postgresql package: bash scripts/setup.sh), or set SHOTKEEPER_PG_BIN to the directory holding initdb and pg_ctl." >&2
    exit 2
  fi
done

if [ "$(id -u)" -eq 0 ]; then
  if ! id postgres >/dev/null 2>&1; then
    echo "with-postgres: running as root, but there is no 'postgres' OS user to run the server as (PostgreSQL refuses root). Install Debian's postgresql package, which creates it, or run as an ordinary user." >&2
    exit 2
  fi
  as_pg() { (cd "$TMP" && runuser -u postgres -- "$@"); }
else
  as_pg() { (cd "$TMP" && "$@"); }
fi

TMP=$(mktemp -d /tmp/shotkeeper-pg.XXXXXX)
DATA=$TMP/data
LOG=$TMP/server.log
STARTED=0

cleanup() {
  local rc=$?
  if [ "$STARTED" -eq 1 ] &&
    ! as_pg "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w -t 30 stop >/dev/null 2>&1; then
    tail -n 20 "$LOG" >&2 || true
    echo "with-postgres: the server did not stop within 30 s (server log above); stopping it at once." >&2
    as_pg "$PG_BIN/pg_ctl" -D "$DATA" -m immediate -w -t 10 stop >/dev/null 2>&1 || true
  fi
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
[ "$(id -u)" -eq 0 ] && chown postgres: "$TMP"

# C locale and UTF8: text compares and sorts byte by byte, like SQLite.
# No fsync: the data is thrown away anyway, and tests run faster.
as_pg "$PG_BIN/initdb" -D "$DATA" -U "$SUPERUSER" --auth=trust \
  --encoding=UTF8 --locale=C --no-sync >"$TMP/initdb.log" 2>&1 || {
  cat "$TMP/initdb.log" >&2
  echo "with-postgres: initdb failed (output above)." >&2
  exit 1
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A free port: a random one nobody listens on. Another process may take it
# between the check and the server's bind, so a failed start tries another
# port, a bounded number of times.
PORT=
for attempt in 1 2 3 4 5; do
  candidate=$((20000 + RANDOM % 40000))
  port_in_use "$candidate" && continue
  if as_pg "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -p $candidate -k $TMP -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null 2>&1; then
    PORT=$candidate
    STARTED=1
    break
  fi
  # pg_ctl -w gave up: make sure no half-started server stays behind.
  as_pg "$PG_BIN/pg_ctl" -D "$DATA" -m immediate -w -t 10 stop >/dev/null 2>&1 || true
done
if [ -z "$PORT" ]; then
  tail -n 20 "$LOG" >&2 2>/dev/null || true
  echo "with-postgres: the PostgreSQL server did not start (server log above)." >&2
  exit 1
fi
if ! "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -t 10; then
  tail -n 20 "$LOG" >&2
  echo "with-postgres: the server started but does not answer on 127.0.0.1:$PORT (server log above)." >&2
  exit 1
fi

export SHOTKEEPER_TEST_POSTGRES_URL="postgres://$SUPERUSER@127.0.0.1:$PORT/postgres"
set +e
if [ -t 0 ]; then
  # At a terminal: in the foreground, where Ctrl-C reaches it directly.
  "$@"
  exit $?
fi
# Otherwise the command runs as its own process group in the background and
# this script waits for it, so that a TERM sent to this script alone (a CI
# timeout, `timeout 600 bash ...`) is handled at once: passed on to the whole
# group (cargo and the test binaries it started), then the server is stopped.
# (Bash runs a trap only after a foreground command has ended.)
set -m
"$@" <&0 &
CHILD=$!
set +m
trap 'kill -TERM -- "-$CHILD" 2>/dev/null' TERM
trap 'kill -INT -- "-$CHILD" 2>/dev/null' INT
trap 'kill -HUP -- "-$CHILD" 2>/dev/null' HUP
rc=0
# A trapped signal interrupts `wait`; wait again until the command is gone.
while kill -0 "$CHILD" 2>/dev/null; do
  wait "$CHILD"
  rc=$?
done
exit "$rc"
