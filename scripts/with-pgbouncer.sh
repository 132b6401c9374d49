#!/bin/bash
# with-pgbouncer.sh MODE CMD [ARGS...] - run CMD with PgBouncer in front of a
# throwaway PostgreSQL server. MODE is `transaction` or `session` (pool_mode).
#
# Without SINEW_TEST_PG_URL set, the script runs itself under
# scripts/with-postgres.sh first (a server of its own). PgBouncer listens on
# 127.0.0.1 and a free port only, forwards every database name to that server,
# and runs as the `postgres` user when started as root (PgBouncer refuses root).
# It exports SINEW_TEST_PG_URL pointing at PgBouncer, without sinew's
# `?pgbouncer=true` switch: the driver finds the pooler itself (postgres.c),
# keeps the server's own URL in SINEW_TEST_PG_DIRECT_URL, runs CMD, and always
# stops PgBouncer and removes its directory, whatever CMD does. Exits with
# CMD's status.
set -u

MODE=${1:-}
case "$MODE" in
    transaction|session) shift ;;
    *) echo "usage: with-pgbouncer.sh transaction|session CMD [ARGS...]" >&2; exit 2 ;;
esac

if [ -z "${SINEW_TEST_PG_URL:-}" ]; then
    exec "$(dirname "$0")/with-postgres.sh" "$0" "$MODE" "$@"
fi

PGBOUNCER=$(command -v pgbouncer || { [ -x /usr/sbin/pgbouncer ] && echo /usr/sbin/pgbouncer; }) ||
    { echo "with-pgbouncer: pgbouncer not found: install it (Debian: apt-get install pgbouncer; scripts/deps.sh test does)" >&2; exit 1; }

# host and port of the server behind: postgres://user@HOST:PORT/db
hostport=${SINEW_TEST_PG_URL#*://}
hostport=${hostport#*@}
hostport=${hostport%%/*}
PG_HOST=${hostport%%:*}
PG_PORT=${hostport##*:}
[ "$PG_HOST" = 127.0.0.1 ] || { echo "with-pgbouncer: the server must be on 127.0.0.1, not $PG_HOST" >&2; exit 1; }

as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

DIR=$(mktemp -d "${TMPDIR:-/tmp}/sinew-pgb-XXXXXX") || exit 1
[ "$(id -u)" = 0 ] && chown postgres "$DIR"
chmod 700 "$DIR"

cleanup() {
    if [ -f "$DIR/pgbouncer.pid" ]; then
        pid=$(cat "$DIR/pgbouncer.pid")
        kill "$pid" 2>/dev/null
        for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -9 "$pid" 2>/dev/null
    fi
    rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=
for try in 1 2 3 4 5 6 7 8 9 10; do
    # 20000-31999: below the kernel's ephemeral range (32768-60999), where a client socket's
    # local port is bound without listening: free to a connect test, taken for bind (seen)
    cand=$(( 20000 + ($$ * 13 + try * 1013 + 577) % 12000 ))
    [ "$cand" = "$PG_PORT" ] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$cand") 2>/dev/null; then PORT=$cand; break; fi
done
[ -n "$PORT" ] || { echo "with-pgbouncer: no free port found" >&2; exit 1; }

printf '"postgres" ""\n' >"$DIR/users.txt"
# `* =` forwards every database name (the tests make one database each);
# pools are sized above what the suite opens at once, below the server's
# max_connections (50 in with-postgres.sh).
cat >"$DIR/pgbouncer.ini" <<EOF
[databases]
* = host=127.0.0.1 port=$PG_PORT

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PORT
unix_socket_dir =
auth_type = trust
auth_file = $DIR/users.txt
pool_mode = $MODE
max_client_conn = 200
default_pool_size = 10
max_db_connections = 12
server_idle_timeout = 5
logfile = $DIR/pgbouncer.log
pidfile = $DIR/pgbouncer.pid
ignore_startup_parameters = extra_float_digits
EOF
[ "$(id -u)" = 0 ] && chown postgres "$DIR"/*

as_pg "$PGBOUNCER" -d "$DIR/pgbouncer.ini" >"$DIR/start.log" 2>&1 ||
    { cat "$DIR/start.log" "$DIR/pgbouncer.log" >&2 2>/dev/null; exit 1; }
up=
for _ in $(seq 1 50); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then up=1; break; fi
    sleep 0.1
done
[ -n "$up" ] || { echo "with-pgbouncer: PgBouncer did not start" >&2; cat "$DIR/pgbouncer.log" >&2; exit 1; }

export SINEW_TEST_PG_DIRECT_URL="$SINEW_TEST_PG_URL"
export SINEW_TEST_PG_URL="postgres://postgres@127.0.0.1:$PORT/postgres"
export SINEW_TEST_PGBOUNCER_MODE="$MODE"
echo "with-pgbouncer: PgBouncer ($MODE pooling) on 127.0.0.1:$PORT in front of 127.0.0.1:$PG_PORT"
"$@"
status=$?
exit $status
